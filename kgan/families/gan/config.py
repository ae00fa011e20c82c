"""`kgan train --family gan` settings: architecture, loss, penalties, EMA, optimizers."""

import dataclasses

from kgan import checks
from kgan.settings import setting

DESCRIPTION = "noise (and a class label) to image: MLP GAN, DCGAN, conditional GANs"
# The embedded digits are 8x8; the default run upsamples them to 16x16 so the
# DCGAN has two resolutions to work with and the grids are legible.
# reduced_precision: `--precision auto` may train in mixed_bfloat16 (CPU) or mixed_float16 (GPU):
# tools/bench_faster_steps.py measured bfloat16 holding the default run's quality at the same steps
# (FID 4.94 against 5.03 in float32), 9-19% faster (README, "Faster steps").
DEFAULTS = {"dataset": "digits", "epochs": 150, "batch_size": 64, "digits_image_size": 16, "reduced_precision": True}
LOSSES = ("minimax", "non_saturating", "wasserstein", "hinge", "least_squares")
AUGMENTS = ("none", "diffaugment", "ada")


@dataclasses.dataclass
class Config:
    """The `gan` family's settings. `None` fields are filled from the data and the preset."""

    preset: str = setting(
        "dcgan_small", "architecture preset: dcgan_small (default), dcgan, dcgan_tiny, mlp, mlp_small"
    )
    image_size: int | None = setting(None, "square image size (default: 16 for digits, else native)")
    channels: int | None = setting(None, "image channels (default: the data's)", choices=(1, 3))
    conditional: bool | None = setting(
        None, "class-conditional GAN (default when the data has labels)", negative="--unconditional"
    )
    num_classes: int | None = setting(None, "classes of a conditional GAN (from the data)", cli=False)
    latent_dim: int | None = setting(None, "size of z (default: the preset's)")
    loss: str = setting("non_saturating", "GAN loss pair", choices=LOSSES)
    d_steps: int = setting(1, "D updates per G update (the batch is split between them)")
    gp_weight: float | None = setting(None, "WGAN-GP weight (default 10 for wasserstein, else 0)")
    # R1 keeps D from overfitting 1.4k digits (see README: diversity).
    r1_weight: float = setting(0.2, "R1 penalty weight (D then uses layer norm, not batch norm)")
    r1_interval: int = setting(1, "lazy R1: the penalty every N D steps, weighted by N (StyleGAN2 uses 16)")
    label_smoothing: float = setting(0.0, "one-sided label smoothing")
    augment: str = setting("none", "differentiable augmentation of D's inputs (small datasets)", choices=AUGMENTS)
    augment_policy: str | None = setting(
        None, "DiffAugment policy (default color,translation,cutout) or ADA groups (default blit,geometric,color)"
    )
    ada_target: float = setting(0.6, "ADA's target for E[sign(D(real))]")
    ada_speed: float = setting(500_000.0, "ADA: images over which p can move from 0 to 1")
    reuse_fakes: bool = setting(False, "one generator forward per step: G is scored on the D phase's fakes")
    ema_decay: float | None = setting(
        None, "generator EMA decay per step with a (1+t)/(10+t) warm-up (0: off); "
        "prefer --ema-half-life", zero_is_none=True,
    )
    ema_half_life: float | None = setting(
        10_000.0, "generator EMA half-life in images (0: no EMA)", zero_is_none=True
    )
    d_learning_rate: float = setting(2e-4, "discriminator learning rate", flag="--d-lr")
    g_learning_rate: float = setting(2e-4, "generator learning rate", flag="--g-lr")
    beta_1: float = setting(0.5, "Adam beta_1")

    def validate(self, train):
        """Raises ValueError naming the first bad field; `train` is the whole `TrainConfig`."""
        from kgan.models import presets  # TensorFlow-free registry of presets

        presets.get_preset(self.preset)
        checks.one_of("loss", self.loss, LOSSES)
        checks.positive_int("d_steps", self.d_steps)
        checks.positive_int("image_size", self.image_size, allow_none=True)
        checks.positive_int("latent_dim", self.latent_dim, allow_none=True)
        checks.channels("channels", self.channels, allow_none=True)
        checks.number("ema_decay", self.ema_decay, 0.0, 1.0, low_open=True, high_open=True, allow_none=True)
        checks.number("ema_half_life", self.ema_half_life, 0.0, low_open=True, allow_none=True)
        if self.ema_decay is not None and self.ema_half_life is not None:
            raise ValueError(
                "Expected at most one of `ema_decay` and `ema_half_life`. "
                f"Received: ema_decay={self.ema_decay}, ema_half_life={self.ema_half_life}"
            )
        checks.number("r1_weight", self.r1_weight, 0.0)
        checks.number("gp_weight", self.gp_weight, 0.0, allow_none=True)
        checks.number("label_smoothing", self.label_smoothing, 0.0, 1.0, high_open=True)
        checks.positive_int("r1_interval", self.r1_interval)
        checks.one_of("augment", self.augment, AUGMENTS)
        self.augmentation()  # checks the policy and ADA settings
        if self.reuse_fakes and self.d_steps != 1:
            raise ValueError(f"Expected d_steps=1 with reuse_fakes. Received: d_steps={self.d_steps}")
        checks.number("beta_1", self.beta_1, 0.0, 1.0, high_open=True)
        for name in ("d_learning_rate", "g_learning_rate"):
            checks.number(name, getattr(self, name), 0.0, low_open=True)
        if train.batch_size is not None and train.batch_size % self.d_steps:
            raise ValueError(
                "Expected `batch_size` to be divisible by `d_steps` (each D step takes a slice). "
                f"Received: batch_size={train.batch_size}, d_steps={self.d_steps}"
            )
        return self

    def augmentation(self):
        """The `augment=` argument of the model these settings describe."""
        from kgan.base import augmentation  # TensorFlow is loaded by then (validate runs before training)

        if self.augment == "diffaugment":
            return augmentation.DiffAugment(self.augment_policy or augmentation.DIFFAUGMENT_POLICIES)
        if self.augment == "ada":
            groups = self.augment_policy or augmentation.ADA_GROUPS
            return augmentation.AdaptiveAugment(target=self.ada_target, speed_images=self.ada_speed, groups=groups)
        if self.augment_policy is not None:
            raise ValueError(f"Expected --augment with --augment-policy. Received: augment={self.augment!r}")
        return None
