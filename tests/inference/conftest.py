"""Two tiny exports: a conditional DCGAN (two versions) and an unconditional MLP."""

import keras
import pytest

from kgan import export
from kgan.models import dcgan_generator
from kgan.models import mlp_generator


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """`{"root", "cdcgan": (generator, model_dir), "mlp": (generator, model_dir)}`."""
    root = tmp_path_factory.mktemp("saved_models")
    keras.utils.set_random_seed(0)
    conditional = dcgan_generator(8, 8, 1, num_classes=3, base_filters=8, name="cdcgan")
    unconditional = mlp_generator(8, (8, 8, 1), hidden_units=(16,), name="mlp")
    export.export_generator(conditional, root, float16=True)
    export.export_generator(unconditional, root)
    return {"root": root, "cdcgan": (conditional, root / "cdcgan"), "mlp": (unconditional, root / "mlp")}
