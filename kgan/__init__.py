"""kgan: Generative Adversarial Networks for Keras 3 and TensorFlow 2.

```python
import kgan
gen = kgan.models.dcgan_generator(latent_dim=64, image_size=32, channels=1)
disc = kgan.models.dcgan_discriminator(image_size=32, channels=1)
gan = kgan.GAN(gen, disc, latent_dim=64)
gan.compile(d_optimizer="adam", g_optimizer="adam")
gan.fit(kgan.data.load(batch_size=64), epochs=10)
images = gan.generate(16, seed=0)
```
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = (
    "augment",
    "callbacks",
    "data",
    "export",
    "inference",
    "latent",
    "losses",
    "metrics",
    "models",
    "serving",
)


def __getattr__(name):
    # Submodules load lazily: `import kgan` stays cheap for the CLI's --help
    # and for inference-only users who never touch TensorFlow training code.
    if name in _SUBMODULES:
        return importlib.import_module(f"kgan.{name}")
    if name == "GAN":
        from kgan.gan import GAN

        return GAN
    raise AttributeError(f"module 'kgan' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES) + ["GAN"])
