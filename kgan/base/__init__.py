"""The adversarial base every kgan GAN family stands on."""

from kgan.base.model import AdversarialModel

__all__ = ["AdversarialModel"]
