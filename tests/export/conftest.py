"""Tiny seeded generators, one per exported family."""

import keras
import pytest

from kgan.models import dcgan_generator
from kgan.models import mlp_generator

LATENT_DIM = 8
NUM_CLASSES = 3


def build(family, seed=0):
    """A tiny generator of `family`: "mlp", "dcgan" or "cdcgan" (conditional DCGAN)."""
    keras.utils.set_random_seed(seed)
    if family == "mlp":
        return mlp_generator(LATENT_DIM, (8, 8, 1), hidden_units=(16,), name="mlp")
    if family == "dcgan":
        return dcgan_generator(LATENT_DIM, 16, 3, base_filters=8, name="dcgan")
    return dcgan_generator(LATENT_DIM, 8, 1, num_classes=NUM_CLASSES, base_filters=8, name="cdcgan")


@pytest.fixture(scope="session")
def tiny_generator():
    """`tiny_generator(family, seed=0)`: see `build`."""
    return build


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return tmp_path_factory.mktemp("saved_models")
