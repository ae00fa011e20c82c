"""The 3D-GAN networks, the presets and what `kgan train --family voxel` resolves them to."""

import numpy as np
import pytest

import kgan
from kgan import data
from kgan.families.voxel import presets
from kgan.families.voxel import recipe
from kgan.families.voxel.config import Config
from kgan.training.config import TrainConfig


def test_the_paper_generator_and_discriminator_at_64():
    g = kgan.models.voxel_generator(200, 64, base_filters=64)
    shapes = [tuple(layer.output.shape[1:]) for layer in g.layers if layer.name.startswith(("to_grid", "up_", "voxels"))]
    # 4^3 x 512 -> 8^3 x 256 -> 16^3 x 128 -> 32^3 x 64 -> 64^3 x 1 (Wu et al. 2016, figure 1).
    assert shapes == [(4, 4, 4, 512), (8, 8, 8, 256), (16, 16, 16, 128), (32, 32, 32, 64), (64, 64, 64, 1)]
    assert g.get_layer("voxels").activation.__name__ == "sigmoid"
    d = kgan.models.voxel_discriminator(64, base_filters=64)
    widths = [layer.output.shape[-1] for layer in d.layers if layer.name.startswith("down_")]
    assert widths == [64, 128, 256, 512] and tuple(d.output.shape) == (None, 1)
    assert [layer.name for layer in d.layers if layer.name.startswith("bn_")] == ["bn_1", "bn_2", "bn_3"]


@pytest.mark.parametrize("grid", [8, 16, 32])
def test_conditional_networks_at_each_size(grid):
    g = kgan.models.voxel_generator(8, grid, 4, base_filters=2, embed_dim=2)
    d = kgan.models.voxel_discriminator(grid, 4, base_filters=2, normalization="layer")
    z = np.random.default_rng(0).standard_normal((3, 8)).astype("float32")
    labels = np.array([0, 1, 3], "int32")
    grids = np.asarray(g([z, labels]))
    assert grids.shape == (3, grid, grid, grid, 1) and 0 < grids.min() and grids.max() < 1
    assert np.asarray(d([grids, labels])).shape == (3, 1)
    assert kgan.base.penalties.batch_coupled_layers(d) == []  # penalties exact


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: kgan.models.voxel_generator(8, 24), "Expected `grid_size` to be one of (8, 16, 32, 64, 128). Received: grid_size=24"),
        (lambda: kgan.models.voxel_discriminator(32, normalization="group"), "Expected `normalization` to be one of"),
        (lambda: kgan.VoxelGAN(kgan.models.dcgan_generator(8, 8, 1), kgan.models.dcgan_discriminator(8, 1), 8),
         "Expected a generator of occupancy grids (batch, x, y, z, 1)"),
    ],
)
def test_bad_networks_are_refused(call, message):
    with pytest.raises(ValueError) as error:
        call()
    assert message in str(error.value)


def test_a_penalised_discriminator_with_batch_norm_is_refused():
    g = kgan.models.voxel_generator(8, 16, base_filters=2)
    d = kgan.models.voxel_discriminator(16, base_filters=2, normalization="batch")  # bn_1
    with pytest.raises(ValueError, match="Expected a discriminator without batch-coupled layers"):
        kgan.VoxelGAN(g, d, 8, r1_weight=1.0)


def _resolved(**model):
    train = TrainConfig(family="voxel", dataset="shapes", batch_size=32, model=Config(**model)).validate()
    return recipe.resolve(train, data.voxel_info("shapes"))


def test_the_default_resolves_to_the_small_modern_preset():
    config = _resolved()
    preset = presets.get_preset("voxel_small")
    assert (config.grid_size, config.latent_dim, config.base_filters) == (32, preset.latent_dim, preset.base_filters)
    assert config.conditional and config.num_classes == 8
    assert config.loss == "non_saturating" and config.r1_weight == 0.0 and config.d_normalization == "batch"
    assert config.g_learning_rate == preset.g_learning_rate == 1e-3
    # The plain update: no D gate and no EMA (measured better at this budget; README "3D shapes").
    assert config.d_accuracy_gate == 0.0 and config.ema_half_life == 0.0


def test_the_paper_preset_resolves_to_the_papers_settings():
    config = _resolved(preset="3dgan")
    assert (config.grid_size, config.latent_dim, config.base_filters) == (64, 200, 64)
    assert (config.g_learning_rate, config.d_learning_rate, config.beta_1) == (0.0025, 1e-5, 0.5)
    assert config.d_accuracy_gate == 0.8 and config.d_normalization == "batch" and config.r1_weight == 0.0
    assert config.ema_half_life == 0.0  # off
    # Flags override the preset; a penalty turns D's batch norm into layer norm.
    config = _resolved(preset="3dgan", grid_size=32, d_accuracy_gate=0.0, r1_weight=0.5, loss="hinge")
    assert config.grid_size == 32 and config.d_accuracy_gate == 0.0 and config.d_normalization == "layer"
    assert config.loss == "hinge"


def test_build_gives_the_gated_paper_model():
    train = TrainConfig(family="voxel", dataset="shapes", batch_size=4, model=Config(preset="3dgan_32", base_filters=2)).validate()
    train.model = recipe.resolve(train, data.voxel_info("shapes"))
    gan = recipe.build(train)
    assert isinstance(gan, kgan.VoxelGAN) and gan.d_accuracy_gate == 0.8 and gan.latent_dim == 200
    assert float(gan.g_optimizer.learning_rate) == pytest.approx(0.0025)
    assert float(gan.d_optimizer.learning_rate) == pytest.approx(1e-5)
    assert float(gan.d_optimizer.beta_1) == 0.5
    assert gan.export_spec().output.shape == (32, 32, 32, 1)


@pytest.mark.parametrize(
    "model, message",
    [
        ({"preset": "3dgan_64"}, "Unknown voxel preset"),
        ({"grid_size": 48}, "Expected `grid_size` to be one of [8, 16, 32, 64, 128]"),
        ({"loss": "wasserstein", "d_accuracy_gate": 0.8}, "Expected --d-accuracy-gate 0 with the wasserstein loss"),
        ({"d_accuracy_gate": 1.5}, "Expected `d_accuracy_gate` to be None or a number in [0, 1]"),
    ],
)
def test_bad_settings_are_refused(model, message):
    with pytest.raises(ValueError) as error:
        TrainConfig(family="voxel", model=Config(**model)).validate()
    assert message in str(error.value)


def test_wasserstein_turns_the_papers_gate_off():
    config = _resolved(preset="3dgan_32", loss="wasserstein")
    assert config.d_accuracy_gate == 0.0 and config.gp_weight == 10.0 and config.d_normalization == "layer"
