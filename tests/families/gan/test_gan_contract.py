"""`kgan.GAN` meets the family contract (tests/harness.py), conditional and not."""

import keras
import numpy as np

import kgan
from harness import FamilyCase
from harness import FamilyContract
from harness import noise_inputs
from tiny_models import randomize_batch_norm

LATENT = 8


def _model(num_classes, **options):
    def make():
        keras.utils.set_random_seed(1)
        g = kgan.models.dcgan_generator(LATENT, 8, 1, num_classes, base_filters=4, embed_dim=4)
        d = kgan.models.dcgan_discriminator(8, 1, num_classes, base_filters=4, normalization="layer")
        randomize_batch_norm(g, seed=2)
        gan = kgan.GAN(g, d, LATENT, num_classes=num_classes, r1_weight=0.1, ema_half_life=100, seed=3, **options)
        gan.compile()
        return gan

    return make


def _examples(num_classes):
    x = np.random.default_rng(0).uniform(-1, 1, (24, 8, 8, 1)).astype("float32")
    return (x, (np.arange(24) % num_classes).astype("int32")) if num_classes else x


class TestConditionalGAN(FamilyContract):
    case = FamilyCase("conditional", _model(3), _examples(3), 8, noise_inputs(LATENT, 3))


class TestUnconditionalGAN(FamilyContract):
    case = FamilyCase("unconditional", _model(None), _examples(None), 8, noise_inputs(LATENT))


class TestGANWithADAAndLazyR1(FamilyContract):
    # ADA's probability and sign accumulators are model state: saved, checkpointed, resumed.
    ada = kgan.base.augmentation.AdaptiveAugment(interval=2, speed_images=200)
    case = FamilyCase("ada", _model(3, augment=ada, r1_interval=2), _examples(3), 8, noise_inputs(LATENT, 3))
