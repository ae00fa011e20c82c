"""Tiny exports: a conditional DCGAN (float16 too), an unconditional MLP, a translator."""

import keras
import pytest

from kgan import export
from kgan.models import dcgan_generator
from kgan.models import mlp_generator
from tiny_models import randomize_batch_norm
from tiny_networks import translate_spec
from tiny_networks import translator


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
    export.export_network(maps, translate_spec(), root)
    return {
        "root": root,
        "cdcgan": (conditional, root / "cdcgan"),
        "mlp": (unconditional, root / "mlp"),
        "maps": (maps, root / "maps"),
    }
