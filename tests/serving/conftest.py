"""Exports and live servers on loopback for the serving tests."""

import httpx
import keras
import pytest

from kgan import export
from kgan import serving
from kgan import specs
from kgan.models import dcgan_generator
from kgan.models import mlp_generator
from tiny_models import randomize_batch_norm

TRANSLATE_SPEC = specs.ModelSpec(
    "translate",
    (specs.TensorSpec("source", (None, None, 3), "float32", "image", value_range=(-1.0, 1.0)),),
    (specs.TensorSpec("images", (None, None, 3), "float32", "image", value_range=(-1.0, 1.0)),),
)


def translator(seed=0):
    """A fully convolutional `source` (any H, W, 3) -> `images` network with batch norm."""
    keras.utils.set_random_seed(seed)
    source = keras.Input((None, None, 3), name="source")
    x = keras.layers.Conv2D(8, 3, padding="same")(source)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.ReLU()(x)
    images = keras.layers.Conv2D(3, 3, padding="same", activation="tanh")(x)
    return randomize_batch_norm(keras.Model(source, images, name="maps"), seed)


@pytest.fixture(scope="session")
def exports(tmp_path_factory):
    """Conditional DCGAN `digits` (versions 1 and 2, other weights), unconditional MLP `noise`, translator `maps`."""
    root = tmp_path_factory.mktemp("saved_models")
    for seed in (0, 1):
        keras.utils.set_random_seed(seed)
        generator = randomize_batch_norm(dcgan_generator(8, 8, 1, num_classes=3, base_filters=8), seed)
        export.export_generator(generator, root, name="digits")
    noise = randomize_batch_norm(mlp_generator(8, (8, 8, 1), hidden_units=(16,)), 2)
    export.export_generator(noise, root, name="noise")
    export.export_network(translator(), TRANSLATE_SPEC, root, name="maps")
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


@pytest.fixture(scope="session")
def maps(exports):
    with serving.running(serving.create_app(serving.load_model(exports / "maps"))) as url:
        with httpx.Client(base_url=url, timeout=30) as client:
            yield client


class Servers:
    """A live app on loopback: REST + KServe v2 HTTP at `url`, gRPC at `address` ("127.0.0.1:PORT")."""

    def __init__(self, app, url, address):
        self.app, self.url, self.address = app, url, address

    @property
    def host_port(self):
        return self.url.removeprefix("http://")  # what tritonclient.http takes


@pytest.fixture(scope="session")
def digits_servers(exports):
    """`digits` (versions 1, 2; label stable=1) over every protocol, with small limits to test them."""
    model = serving.load_model(exports / "digits", labels={"stable": 1})
    app = serving.create_app(model, serving.Limits(max_body_bytes=64 * 1024, max_batch=32))
    with serving.running(app) as url, serving.running_grpc(app) as address:
        yield Servers(app, url, address)


@pytest.fixture(scope="session")
def maps_servers(exports):
    """The image-to-image `maps` over every protocol."""
    app = serving.create_app(serving.load_model(exports / "maps"))
    with serving.running(app) as url, serving.running_grpc(app) as address:
        yield Servers(app, url, address)
