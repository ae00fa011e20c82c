"""Named settings of the `voxel` family: the paper's, and small modern ones that train on a CPU.

A preset fixes the architecture (grid, z, widths, D's normalisation) and the
training settings; every `kgan train --family voxel` flag left unset takes
the preset's value. TensorFlow-free (`kgan train --help` reads it).
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class VoxelPreset:
    """A voxel GAN preset.

    Attributes:
        description: one line for `kgan train --help`.
        grid_size: side of the occupancy grid.
        latent_dim: size of z.
        base_filters: G's last and D's first width (doubled per layer).
        loss: a `kgan.losses` name.
        d_learning_rate, g_learning_rate, beta_1: Adam's settings.
        d_accuracy_gate: update D only while its accuracy on the batch is
            below this (None: always).
        r1_weight: R1 penalty weight (D then uses layer norm).
        ema_half_life: the generator EMA's half-life in images, or None.
        d_normalization: D's normalisation without a penalty: "batch",
            "layer" or "none".
    """

    description: str
    grid_size: int
    latent_dim: int
    base_filters: int
    loss: str = "non_saturating"
    d_learning_rate: float = 2e-4
    g_learning_rate: float = 2e-4
    beta_1: float = 0.5
    d_accuracy_gate: float | None = None
    r1_weight: float = 0.0
    ema_half_life: float | None = None
    d_normalization: str = "batch"


_PAPER = dict(
    latent_dim=200, base_filters=64, d_learning_rate=1e-5, g_learning_rate=0.0025, beta_1=0.5, d_accuracy_gate=0.8
)

PRESETS = {
    # The plain non-saturating update with a faster G (1e-3) for the short CPU budget. Measured (README,
    # tools/bench_voxel.py, 8 epochs on the embedded shapes): 3D-GAN's D gate (0.8) keeps D's accuracy near
    # 0.8 but collapses the samples to about one shape per class (raw G: class agreement 0.50, FID 59 against
    # 0.61, 15 without it), and a generator EMA lags the short run (agreement 0.59, FID 24). Both stay options.
    "voxel_small": VoxelPreset(
        "32^3, 16 base filters, G lr 1e-3, D lr 2e-4, no D gate, no EMA: the default, ~5 min on 2 CPU cores",
        grid_size=32,
        latent_dim=64,
        base_filters=16,
        g_learning_rate=1e-3,
    ),
    "3dgan": VoxelPreset(
        "3D-GAN, Wu et al. 2016: 64^3, z 200, 64 base filters, G lr 0.0025, D lr 1e-5, beta_1 0.5, "
        "D updated while its batch accuracy < 0.8 (the paper's batch: 100)",
        grid_size=64,
        **_PAPER,
    ),
    "3dgan_32": VoxelPreset("3D-GAN's settings at 32^3 (one doubling fewer)", grid_size=32, **_PAPER),
    "voxel_tiny": VoxelPreset("16^3, 4 base filters: for tests", grid_size=16, latent_dim=8, base_filters=4),
}


def get_preset(name):
    """The `VoxelPreset` called `name`, with a clear error otherwise."""
    if name not in PRESETS:
        raise ValueError(f"Unknown voxel preset. Expected one of {sorted(PRESETS)}. Received: preset={name!r}")
    return PRESETS[name]
