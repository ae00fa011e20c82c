"""kgan: Generative Adversarial Networks for Keras 3 and TensorFlow 2.

```python
import kgan
gen = kgan.models.dcgan_generator(latent_dim=64, image_size=16, channels=1)
disc = kgan.models.dcgan_discriminator(image_size=16, channels=1)
gan = kgan.GAN(gen, disc, latent_dim=64)
gan.compile(d_optimizer="adam", g_optimizer="adam")
gan.fit(kgan.data.load(image_size=16, batch_size=64, labels=False), epochs=1, verbose=0)
images = gan.generate(16, seed=0)
```

`import kgan` is light: submodules load on first use, and the model classes
register with Keras as soon as Keras is imported (`kgan.registration`), so
`keras.models.load_model` reads a kgan `.keras` file in a fresh script.
"""

import importlib

from kgan import registration

__version__ = "0.2.0"

_SUBMODULES = (
    "augment",
    "base",
    "callbacks",
    "data",
    "export",
    "families",
    "inference",
    "latent",
    "losses",
    "meshes",
    "metrics",
    "models",
    "rendering",
    "serving",
    "specs",
)
_FAMILY_CLASSES = {
    "GAN": "kgan.families.gan.model",
    "VoxelGAN": "kgan.families.voxel.model",
    "Pix2Pix": "kgan.families.pix2pix.model",
    "CycleGAN": "kgan.families.cyclegan.model",
    "SuperResolutionGAN": "kgan.families.super_resolution.model",
    "ProgressiveGAN": "kgan.families.progressive.model",
}

registration.register_when_keras_loads()


def __getattr__(name):
    # Submodules load lazily: `import kgan` stays cheap for the CLI's --help
    # and for inference-only users who never touch TensorFlow training code.
    if name in _SUBMODULES:
        return importlib.import_module(f"kgan.{name}")
    if name in _FAMILY_CLASSES:
        return getattr(importlib.import_module(_FAMILY_CLASSES[name]), name)
    raise AttributeError(f"module 'kgan' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES) + list(_FAMILY_CLASSES))
