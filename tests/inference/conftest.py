"""Tiny exports: a conditional DCGAN (float16 too), an unconditional MLP, a translator."""

import keras
import pytest

from kgan import export
from kgan import specs
from kgan.models import dcgan_generator
from kgan.models import mlp_generator
from tiny_models import randomize_batch_norm


def translator(seed=0):
    """A fully convolutional `source` (any H, W, 3) -> `images` network with batch norm."""
    keras.utils.set_random_seed(seed)
    source = keras.Input((None, None, 3), name="source")
    x = keras.layers.Conv2D(8, 3, padding="same")(source)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.ReLU()(x)
    images = keras.layers.Conv2D(3, 3, padding="same", activation="tanh")(x)
    return randomize_batch_norm(keras.Model(source, images, name="maps"), seed)


TRANSLATE_SPEC = specs.ModelSpec(
    "translate",
    (specs.TensorSpec("source", (None, None, 3), "float32", "image", value_range=(-1.0, 1.0)),),
    (specs.TensorSpec("images", (None, None, 3), "float32", "image", value_range=(-1.0, 1.0)),),
)


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """`{"root", "cdcgan" | "mlp" | "maps": (network, model_dir)}`."""
    root = tmp_path_factory.mktemp("saved_models")
    keras.utils.set_random_seed(0)
    conditional = randomize_batch_norm(dcgan_generator(8, 8, 1, num_classes=3, base_filters=8, name="cdcgan"), 0)
    unconditional = randomize_batch_norm(mlp_generator(8, (8, 8, 1), hidden_units=(16,), name="mlp"), 1)
    maps = translator()
    export.export_generator(conditional, root, float16=True)
    export.export_generator(unconditional, root)
    export.export_network(maps, TRANSLATE_SPEC, root)
    return {
        "root": root,
        "cdcgan": (conditional, root / "cdcgan"),
        "mlp": (unconditional, root / "mlp"),
        "maps": (maps, root / "maps"),
    }
