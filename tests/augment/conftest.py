"""Tiny seeded generators shared by the augment tests (built once per module)."""

import keras
import pytest

from kgan import models
from tiny_models import randomize_batch_norm

LATENT_DIM = 8
NUM_CLASSES = 3


@pytest.fixture(scope="module")
def conditional_generator():
    keras.utils.set_random_seed(0)
    generator = models.dcgan_generator(
        latent_dim=LATENT_DIM, image_size=8, channels=1, num_classes=NUM_CLASSES, base_filters=4
    )
    return randomize_batch_norm(generator, seed=0)


@pytest.fixture(scope="module")
def unconditional_generator():
    keras.utils.set_random_seed(1)
    generator = models.dcgan_generator(latent_dim=LATENT_DIM, image_size=8, channels=1, base_filters=4)
    return randomize_batch_norm(generator, seed=1)
