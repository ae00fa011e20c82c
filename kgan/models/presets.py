"""Named presets: an architecture family plus its paper's sizes.

A preset fixes the architecture; the data fixes image size and channels
unless the preset names them. `build(...)` returns `(generator, discriminator)`.
"""

import dataclasses

from kgan.models import dcgan
from kgan.models import mlp


@dataclasses.dataclass(frozen=True)
class Preset:
    """An architecture preset.

    Attributes:
        family: `"mlp"` or `"dcgan"`.
        description: one line shown by `kgan train --help`.
        latent_dim: default size of z.
        generator_kwargs: extra builder arguments for G.
        discriminator_kwargs: extra builder arguments for D.
    """

    family: str
    description: str
    latent_dim: int = 100
    generator_kwargs: dict = dataclasses.field(default_factory=dict)
    discriminator_kwargs: dict = dataclasses.field(default_factory=dict)


PRESETS = {
    "mlp": Preset("mlp", "MLP GAN, Goodfellow et al. 2014 (256-512-1024 G, 1024-512-256 D)"),
    "mlp_small": Preset(
        "mlp",
        "small MLP GAN for tiny images and tests",
        latent_dim=32,
        generator_kwargs={"hidden_units": (128, 256)},
        discriminator_kwargs={"hidden_units": (256, 128)},
    ),
    "dcgan": Preset("dcgan", "DCGAN, Radford et al. 2015 (64 base filters)"),
    "dcgan_small": Preset(
        "dcgan",
        "DCGAN with 32 base filters, for small images (digits, MNIST) on a CPU",
        latent_dim=64,
        generator_kwargs={"base_filters": 32},
        discriminator_kwargs={"base_filters": 32},
    ),
    "dcgan_tiny": Preset(
        "dcgan",
        "DCGAN with 8 base filters, for tests",
        latent_dim=16,
        generator_kwargs={"base_filters": 8},
        discriminator_kwargs={"base_filters": 8},
    ),
}


def get_preset(name):
    """Returns the `Preset` called `name`, with a clear error otherwise."""
    if name not in PRESETS:
        raise ValueError(
            f"Unknown architecture preset. Expected one of {sorted(PRESETS)}. "
            f"Received: preset={name!r}"
        )
    return PRESETS[name]


def build(preset, image_size, channels, num_classes=None, latent_dim=None, **discriminator_kwargs):
    """Builds `(generator, discriminator)` from a preset name.

    Args:
        preset: a name from `PRESETS`.
        image_size: side of the square images.
        channels: 1 or 3.
        num_classes: number of classes for conditional models, or None.
        latent_dim: size of z; defaults to the preset's.
        **discriminator_kwargs: overrides for the discriminator builder
            (e.g. `normalization="layer"` for gradient penalties).

    Returns:
        A `(generator, discriminator)` pair of functional Keras models.
    """
    spec = get_preset(preset)
    latent_dim = latent_dim or spec.latent_dim
    d_kwargs = {**spec.discriminator_kwargs, **discriminator_kwargs}
    if spec.family == "mlp":
        shape = (image_size, image_size, channels)
        g = mlp.mlp_generator(latent_dim, shape, num_classes, **spec.generator_kwargs)
        d = mlp.mlp_discriminator(shape, num_classes, **d_kwargs)
    else:
        g = dcgan.dcgan_generator(latent_dim, image_size, channels, num_classes, **spec.generator_kwargs)
        d = dcgan.dcgan_discriminator(image_size, channels, num_classes, **d_kwargs)
    return g, d
