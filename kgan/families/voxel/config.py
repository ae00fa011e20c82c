"""`kgan train --family voxel` settings. Unset (None) ones take the preset's value."""

import dataclasses

from kgan import checks
from kgan.settings import setting

DESCRIPTION = "noise (and a class label) to a 3D occupancy grid: 3D-GAN, rendered previews, mesh export"
# float32 under `--precision auto` until the voxel GAN's quality is measured in bfloat16 (as the gan
# family's was, tools/bench_faster_steps.py).
DEFAULTS = {"dataset": "shapes", "epochs": 8, "batch_size": 32, "reduced_precision": False}
LOSSES = ("minimax", "non_saturating", "hinge", "least_squares", "wasserstein")
NORMALIZATIONS = ("batch", "layer", "none")
GRID_SIZES = (8, 16, 32, 64, 128)


@dataclasses.dataclass
class Config:
    """The `voxel` family's settings; `None` fields are filled from the preset and the data."""

    preset: str = setting(
        "voxel_small", "preset: voxel_small (default, 32^3), 3dgan (the paper: 64^3), 3dgan_32, voxel_tiny"
    )
    grid_size: int | None = setting(None, "grid side (default: the preset's)", choices=GRID_SIZES)
    conditional: bool | None = setting(
        None, "class-conditional GAN (default when the data has labels)", negative="--unconditional"
    )
    num_classes: int | None = setting(None, "classes of a conditional GAN (from the data)", cli=False)
    latent_dim: int | None = setting(None, "size of z (default: the preset's)")
    base_filters: int | None = setting(None, "G's last and D's first width (default: the preset's)")
    loss: str | None = setting(None, "GAN loss pair (default: the preset's)", choices=LOSSES)
    d_steps: int = setting(1, "D updates per G update (the batch is split between them)")
    d_accuracy_gate: float | None = setting(
        None, "update D only while its batch accuracy is below this; 0: always (default: the preset's)"
    )
    gp_weight: float | None = setting(None, "WGAN-GP weight (default 10 for wasserstein, else 0)")
    r1_weight: float | None = setting(None, "R1 penalty weight (default: the preset's; D then uses layer norm)")
    label_smoothing: float = setting(0.0, "one-sided label smoothing")
    ema_half_life: float | None = setting(None, "generator EMA half-life in images; 0: off (default: the preset's)")
    d_normalization: str | None = setting(
        None, "D's normalisation: batch, layer, none (default: the preset's; layer with a penalty)",
        choices=NORMALIZATIONS,
    )
    d_learning_rate: float | None = setting(None, "discriminator learning rate (default: the preset's)", flag="--d-lr")
    g_learning_rate: float | None = setting(None, "generator learning rate (default: the preset's)", flag="--g-lr")
    beta_1: float | None = setting(None, "Adam beta_1 (default: the preset's)")

    def validate(self, train):
        """Raises ValueError naming the first bad field; `train` is the whole `TrainConfig`."""
        from kgan.families.voxel import presets  # TensorFlow-free

        presets.get_preset(self.preset)
        if self.grid_size is not None:
            checks.one_of("grid_size", self.grid_size, GRID_SIZES)
        for name in ("latent_dim", "base_filters"):
            checks.positive_int(name, getattr(self, name), allow_none=True)
        if self.loss is not None:
            checks.one_of("loss", self.loss, LOSSES)
        if self.d_normalization is not None:
            checks.one_of("d_normalization", self.d_normalization, NORMALIZATIONS)
        checks.positive_int("d_steps", self.d_steps)
        checks.number("d_accuracy_gate", self.d_accuracy_gate, 0.0, 1.0, allow_none=True)
        for name in ("gp_weight", "r1_weight", "ema_half_life"):
            checks.number(name, getattr(self, name), 0.0, allow_none=True)
        checks.number("label_smoothing", self.label_smoothing, 0.0, 1.0, high_open=True)
        for name in ("d_learning_rate", "g_learning_rate"):
            checks.number(name, getattr(self, name), 0.0, low_open=True, allow_none=True)
        checks.number("beta_1", self.beta_1, 0.0, 1.0, high_open=True, allow_none=True)
        if self.d_accuracy_gate and self.loss == "wasserstein":
            raise ValueError(
                "Expected --d-accuracy-gate 0 with the wasserstein loss (a critic has no decision threshold). "
                f"Received: d_accuracy_gate={self.d_accuracy_gate}"
            )
        if train.batch_size is not None and train.batch_size % self.d_steps:
            raise ValueError(
                "Expected `batch_size` to be divisible by `d_steps` (each D step takes a slice). "
                f"Received: batch_size={train.batch_size}, d_steps={self.d_steps}"
            )
        return self
