"""`kgan train --family super_resolution` settings: scale, crops, networks, losses, phases, optimizers."""

import dataclasses

from kgan import checks
from kgan.settings import setting

DESCRIPTION = "low- to high-resolution images: SRGAN, ESRGAN (x2, x4), PSNR pre-training then GAN fine-tuning"
# reduced_precision: float32 under `--precision auto` until its quality is measured in bfloat16, as
# tools/bench_faster_steps.py did for the gan family.
DEFAULTS = {"dataset": "sample_photos", "epochs": 10, "batch_size": 16, "reduced_precision": False}
# Share of the epochs spent pre-training when --pretrain-epochs is not given.
PRETRAIN_SHARE = 0.7
SCALES = (2, 4)
GENERATORS = ("rrdb", "srresnet")
PIXEL_LOSSES = ("l1", "l2")
GAN_LOSSES = ("relativistic_average", "standard")
D_NORMALIZATIONS = ("batch", "layer", "none")
# High-resolution crop side per scale when not given: low-resolution crops of 24 px at x4, 32 px at x2.
PATCH_SIZES = {2: 64, 4: 96}


@dataclasses.dataclass
class Config:
    """The super-resolution family's settings. `None` fields are filled from the data and the scale."""

    scale: int = setting(4, "upscaling factor", choices=SCALES)
    patch_size: int | None = setting(None, "side of the high-resolution training crops (default: 96 at x4, 64 at x2)")
    crops: int = setting(1024, "training crop pairs, drawn once per seed (an epoch is one pass over them)")
    pretrain_epochs: int | None = setting(
        None, "epochs of PSNR-oriented pre-training (pixel loss, G only) before the GAN phase (default: 0.7 x --epochs, rounded)"
    )
    pretrain_steps: int | None = setting(None, "generator updates of pre-training (from pretrain_epochs)", cli=False)
    channels: int | None = setting(None, "image channels (from the data)", cli=False)
    generator: str = setting("rrdb", "generator: rrdb (ESRGAN) or srresnet (SRGAN, no batch norm)", choices=GENERATORS)
    filters: int = setting(32, "generator feature maps (the papers: 64)")
    blocks: int = setting(2, "generator blocks: RRDBs or residual blocks (ESRGAN: 23, SRGAN: 16)")
    growth: int = setting(16, "RRDB dense-block growth (ESRGAN: 32)")
    anchor: bool = setting(
        True, "turn off the anchor: G adds a nearest-neighbour upscaling of its input to its output, so it "
        "learns the detail only (on by default)",
        negative="--no-anchor",
    )
    d_filters: int = setting(32, "discriminator filters of the first stage, doubled per stage (the papers: 64)")
    d_dense: int = setting(256, "discriminator hidden dense units (the papers: 1024)")
    d_normalization: str = setting("batch", "discriminator normalization", choices=D_NORMALIZATIONS)
    pixel_loss: str = setting("l1", "pixel loss: l1 (ESRGAN) or l2 (SRGAN's MSE)", choices=PIXEL_LOSSES)
    gan_loss: str = setting(
        "relativistic_average", "adversarial loss: relativistic_average (ESRGAN) or standard (SRGAN)", choices=GAN_LOSSES
    )
    perceptual: bool = setting(False, "add ESRGAN's VGG19 perceptual loss (needs --vgg-weights or --download)")
    vgg_weights: str | None = setting(None, "a local VGG19 (no top) weights file for --perceptual")
    pixel_weight: float | None = setting(None, "GAN-phase pixel loss weight (default: 1e-2 with --perceptual, else 1)")
    perceptual_weight: float | None = setting(None, "perceptual loss weight (default: 1 with --perceptual)")
    gan_weight: float | None = setting(None, "GAN-phase adversarial loss weight (default: 5e-3)")
    augment: bool = setting(
        True, "turn off the random flips and rotations of each training pair (on by default)", negative="--no-augment"
    )
    ema_half_life: float | None = setting(
        2_000.0, "generator EMA half-life in images (0: no EMA)", zero_is_none=True
    )
    g_learning_rate: float = setting(2e-4, "generator learning rate in pre-training", flag="--g-lr")
    gan_g_learning_rate: float = setting(1e-4, "generator learning rate in the GAN phase", flag="--gan-g-lr")
    d_learning_rate: float = setting(1e-4, "discriminator learning rate", flag="--d-lr")
    beta_1: float = setting(0.9, "Adam beta_1")
    beta_2: float = setting(0.99, "Adam beta_2")

    def validate(self, train):
        """Raises ValueError naming the first bad field; `train` is the whole `TrainConfig`."""
        checks.one_of("scale", self.scale, SCALES)
        checks.one_of("generator", self.generator, GENERATORS)
        checks.one_of("pixel_loss", self.pixel_loss, PIXEL_LOSSES)
        checks.one_of("gan_loss", self.gan_loss, GAN_LOSSES)
        checks.one_of("d_normalization", self.d_normalization, D_NORMALIZATIONS)
        for name in ("crops", "filters", "blocks", "growth", "d_filters", "d_dense"):
            checks.positive_int(name, getattr(self, name))
        checks.integer("pretrain_epochs", self.pretrain_epochs, minimum=0, allow_none=True)
        checks.integer("pretrain_steps", self.pretrain_steps, minimum=0, allow_none=True)
        checks.channels("channels", self.channels, allow_none=True)
        checks.positive_int("patch_size", self.patch_size, allow_none=True)
        if self.patch_size is not None and self.patch_size % 16:
            raise ValueError(
                "Expected `patch_size` to be a multiple of 16 (the discriminator halves it four times, and the "
                f"low-resolution crop is patch_size / scale). Received: patch_size={self.patch_size}"
            )
        for name in ("pixel_weight", "perceptual_weight", "gan_weight"):
            checks.number(name, getattr(self, name), 0.0, allow_none=True)
        if self.perceptual_weight and not self.perceptual:
            raise ValueError(
                f"Expected --perceptual for a perceptual_weight > 0. Received: perceptual_weight={self.perceptual_weight}"
            )
        if self.perceptual and self.vgg_weights is None and not train.download:
            raise ValueError(
                "Expected the VGG19 weights of the perceptual loss: --vgg-weights PATH (a local file) or --download "
                "(fetch Keras' ImageNet weights; needs the network). Received: --perceptual with neither"
            )
        if self.vgg_weights is not None and not self.perceptual:
            raise ValueError(f"Expected --perceptual with --vgg-weights. Received: vgg_weights={self.vgg_weights!r} alone")
        checks.number("ema_half_life", self.ema_half_life, 0.0, low_open=True, allow_none=True)
        for name in ("g_learning_rate", "gan_g_learning_rate", "d_learning_rate"):
            checks.number(name, getattr(self, name), 0.0, low_open=True)
        checks.number("beta_1", self.beta_1, 0.0, 1.0, high_open=True)
        checks.number("beta_2", self.beta_2, 0.0, 1.0, high_open=True)
        if train.epochs is not None and self.pretrain_epochs is not None and self.pretrain_epochs > train.epochs:
            raise ValueError(
                f"Expected pretrain_epochs <= epochs (the GAN phase takes the rest). Received: "
                f"pretrain_epochs={self.pretrain_epochs}, epochs={train.epochs}"
            )
        return self
