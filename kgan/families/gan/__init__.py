"""The `gan` family: noise (and a class label) to image (`kgan.GAN`)."""

from kgan.families.gan.model import GAN

__all__ = ["GAN"]
