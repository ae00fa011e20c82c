"""What `kgan train --family voxel` loads, builds and previews (see `kgan.families.gan.recipe`)."""

import dataclasses

import keras

from kgan import data
from kgan.families.voxel import presets
from kgan.families.voxel.model import VoxelGAN
from kgan.models import voxel


def data_info(train):
    """The training split's `kgan.data.DatasetInfo` (no file is read for shapes or folders)."""
    return data.voxel_info(train.dataset, split=train.split)


def resolve(train, info):
    """Fills the settings left `None` from the preset and the data."""
    config = train.model
    preset = presets.get_preset(config.preset)
    conditional = info.num_classes is not None if config.conditional is None else config.conditional
    if conditional and info.num_classes is None:
        raise ValueError(
            f"Expected a labelled dataset for a conditional voxel GAN. Received: dataset={train.dataset!r} without labels"
        )
    loss = config.loss or preset.loss
    r1_weight = preset.r1_weight if config.r1_weight is None else config.r1_weight
    gp_weight = config.gp_weight if config.gp_weight is not None else (10.0 if loss == "wasserstein" else 0.0)
    normalization = config.d_normalization or preset.d_normalization
    if (r1_weight or gp_weight) and normalization == "batch":
        normalization = "layer"  # a penalty needs each example's own gradient, which batch norm mixes
    gate = preset.d_accuracy_gate if config.d_accuracy_gate is None else config.d_accuracy_gate
    half_life = preset.ema_half_life if config.ema_half_life is None else config.ema_half_life
    return dataclasses.replace(
        config,
        grid_size=config.grid_size or preset.grid_size,
        conditional=conditional,
        num_classes=info.num_classes if conditional else None,
        latent_dim=config.latent_dim or preset.latent_dim,
        base_filters=config.base_filters or preset.base_filters,
        loss=loss,
        d_accuracy_gate=0.0 if loss == "wasserstein" and config.d_accuracy_gate is None else (gate or 0.0),
        gp_weight=gp_weight,
        r1_weight=r1_weight,
        ema_half_life=half_life or 0.0,
        d_normalization=normalization,
        d_learning_rate=config.d_learning_rate or preset.d_learning_rate,
        g_learning_rate=config.g_learning_rate or preset.g_learning_rate,
        beta_1=preset.beta_1 if config.beta_1 is None else config.beta_1,
    )


def run_name(train):
    return f"{train.model.preset}-{data.display_name(train.dataset)}"


def build(train):
    """Builds and compiles the `kgan.VoxelGAN` a resolved config describes."""
    config = train.model
    g = voxel.voxel_generator(config.latent_dim, config.grid_size, config.num_classes, base_filters=config.base_filters)
    d = voxel.voxel_discriminator(
        config.grid_size,
        config.num_classes,
        base_filters=config.base_filters,
        normalization=None if config.d_normalization == "none" else config.d_normalization,
    )
    gan = VoxelGAN(
        g,
        d,
        config.latent_dim,
        d_accuracy_gate=config.d_accuracy_gate or None,
        loss=config.loss,
        d_steps=config.d_steps,
        gp_weight=config.gp_weight,
        r1_weight=config.r1_weight,
        label_smoothing=config.label_smoothing,
        num_classes=config.num_classes,
        ema_half_life=config.ema_half_life or None,
        seed=train.seed,
    )
    gan.compile(
        d_optimizer=keras.optimizers.Adam(config.d_learning_rate, beta_1=config.beta_1),
        g_optimizer=keras.optimizers.Adam(config.g_learning_rate, beta_1=config.beta_1),
        jit_compile=train.jit_compile,
        steps_per_execution=train.steps_per_execution,
    )
    return gan


def load_data(train):
    """The training grids (uint8 0/1), with labels when conditional; no preview examples (noise in, shapes out)."""
    config = train.model
    x, y, _ = data.load_voxels(train.dataset, split=train.split, grid_size=config.grid_size)
    return ((x, y) if config.conditional else x), None


def preview_options(train):
    """`SampleGrid` options: six shapes per class row (or 36), rendered at 64 px."""
    return {"per_class": 6, "num_samples": 36}
