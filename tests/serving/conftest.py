"""Exports and live servers on loopback for the serving tests."""

import httpx
import keras
import pytest

from kgan import export
from kgan import serving
from kgan.models import dcgan_generator
from kgan.models import mlp_generator


@pytest.fixture(scope="session")
def exports(tmp_path_factory):
    """Conditional DCGAN `digits` with versions 1 and 2 (other weights), unconditional MLP `noise`."""
    root = tmp_path_factory.mktemp("saved_models")
    for seed in (0, 1):
        keras.utils.set_random_seed(seed)
        generator = dcgan_generator(8, 8, 1, num_classes=3, base_filters=8)
        export.export_generator(generator, root, name="digits")
    export.export_generator(mlp_generator(8, (8, 8, 1), hidden_units=(16,)), root, name="noise")
    return root


@pytest.fixture(scope="session")
def digits(exports):
    """A client of a live server for `digits` (small limits, to test them)."""
    model = serving.load_model(exports / "digits")
    limits = serving.Limits(max_body_bytes=64 * 1024, max_batch=32)
    with serving.running(serving.create_app(model, limits)) as url:
        with httpx.Client(base_url=url, timeout=30) as client:
            yield client


@pytest.fixture(scope="session")
def noise(exports):
    with serving.running(serving.create_app(serving.load_model(exports / "noise"))) as url:
        with httpx.Client(base_url=url, timeout=30) as client:
            yield client
