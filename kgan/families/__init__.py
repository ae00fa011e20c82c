"""kgan's GAN families, one folder each, on the adversarial base (`kgan.base`).

Importing this package registers every family's Keras classes, so
`keras.models.load_model` finds them.
"""

from kgan.families.gan import GAN

__all__ = ["GAN"]
