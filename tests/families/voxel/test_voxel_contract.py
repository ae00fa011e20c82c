"""`kgan.VoxelGAN` meets the family contract (tests/harness.py) on 8^3 grids, conditional and not."""

import keras
import numpy as np

import kgan
from harness import FamilyCase
from harness import FamilyContract
from harness import noise_inputs
from tiny_models import randomize_batch_norm

LATENT = 8
GRID = 8


def _model(num_classes):
    def make():
        keras.utils.set_random_seed(1)
        g = kgan.models.voxel_generator(LATENT, GRID, num_classes, base_filters=4, embed_dim=4)
        d = kgan.models.voxel_discriminator(GRID, num_classes, base_filters=4, normalization="layer")
        randomize_batch_norm(g, seed=2)
        gan = kgan.VoxelGAN(g, d, LATENT, num_classes=num_classes, r1_weight=0.1, ema_half_life=100, seed=3)
        gan.compile()
        return gan

    return make


def _examples(num_classes):
    # uint8 0/1 grids, as kgan.data.load_voxels gives them.
    x = (np.random.default_rng(0).random((24, GRID, GRID, GRID, 1)) < 0.3).astype("uint8")
    return (x, (np.arange(24) % num_classes).astype("int32")) if num_classes else x


class TestConditionalVoxelGAN(FamilyContract):
    case = FamilyCase("conditional", _model(3), _examples(3), 8, noise_inputs(LATENT, 3))


class TestUnconditionalVoxelGAN(FamilyContract):
    case = FamilyCase("unconditional", _model(None), _examples(None), 8, noise_inputs(LATENT))


def test_the_export_is_a_5d_occupancy_output(tmp_path):
    model = _model(3)()
    spec = model.export_spec()
    assert spec.task == "generate"
    assert [t.name for t in spec.inputs] == ["z", "labels"]
    assert spec.output.name == "voxels"
    assert spec.output.shape == (GRID, GRID, GRID, 1) and spec.output.value_range == (0.0, 1.0)
    folder = kgan.export.export_model(model, tmp_path, "voxels")
    card = kgan.export.read_card(folder)
    assert card["image_shape"] == [GRID, GRID, GRID, 1]
    assert card["parity"]["onnx"] and max(card["parity"]["onnx"].values()) <= 1e-5
    exported = kgan.inference.load(folder)
    shapes = exported.generate(3, seed=7, labels=[0, 1, 2])
    assert shapes.shape == (3, GRID, GRID, GRID, 1) and 0.0 <= shapes.min() and shapes.max() <= 1.0
    np.testing.assert_allclose(shapes, model.generate(3, labels=[0, 1, 2], seed=7), atol=1e-5)
