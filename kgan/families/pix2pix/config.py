"""`kgan train --family pix2pix` settings: data, U-Net, PatchGAN, loss weight, optimizers."""

import dataclasses

from kgan import checks
from kgan.settings import setting

DESCRIPTION = "paired image-to-image translation (Isola et al. 2017): U-Net G, conditional PatchGAN D, GAN + 100 L1"
# The embedded demo restores degraded 32 px crops of the bundled photos.
# Its networks are half the paper's width, so that it trains in a few minutes on 2 CPU cores (measured: 253 s
# with the residual U-Net on a quiet machine, 536 s before on a loaded one).
# reduced_precision: float32 under `--precision auto` until its quality is measured in bfloat16, as
# tools/bench_faster_steps.py did for the gan family.
DEFAULTS = {
    "dataset": "photo_restoration", "epochs": 20, "batch_size": 16, "demo_image_size": 32, "demo_base_filters": 32,
    "reduced_precision": False,
}
PAPER_BASE_FILTERS = 64
NORMALIZATIONS = ("instance", "batch")
DIRECTIONS = ("a2b", "b2a")


@dataclasses.dataclass
class Config:
    """The `pix2pix` family's settings. `None` fields are filled from the data."""

    target_dataset: str | None = setting(
        None, "folder of target (B) images whose file names match --dataset's (then --dataset holds the sources)"
    )
    direction: str = setting("a2b", "a2b: translate A (left / first) into B; b2a: the reverse", choices=DIRECTIONS)
    image_size: int | None = setting(None, "side of the square training crops (default: 32 for the demo, else the data's)")
    jitter: bool = setting(
        True, "random jitter: load at 286/256 of --image-size, random crops and mirroring", negative="--no-jitter"
    )
    base_filters: int | None = setting(
        None, "U-Net filters at the outermost level (default: the paper's 64; 32 for the embedded demo)"
    )
    d_base_filters: int | None = setting(
        None, "PatchGAN filters of the first layer (default: the paper's 64; 32 for the embedded demo)"
    )
    depth: int | None = setting(None, "U-Net levels (default: log2 of --image-size, down to 1x1; 8 at 256 px)")
    patch_layers: int | None = setting(
        None, "PatchGAN stride-2 layers (default: the paper's 70/256 patch ratio; 3 = 70 px patches)"
    )
    normalization: str = setting(
        "instance", "instance (per image, as the paper's batch norm at batch size 1) or batch", flag="--norm",
        choices=NORMALIZATIONS,
    )
    residual: bool | None = setting(
        None,
        "U-Net predicts a correction added to the source (not in the paper; default: on for the embedded "
        "restoration demo, off elsewhere)",
        negative="--no-residual",
    )
    dropout: float = setting(0.5, "dropout of the first 3 decoder layers, in training (0: off)")
    l1_weight: float = setting(100.0, "weight of the L1 term (the paper's lambda)", flag="--l1-weight")
    learning_rate: float = setting(2e-4, "Adam learning rate of both networks", flag="--lr")
    beta_1: float = setting(0.5, "Adam beta_1")
    ema_half_life: float | None = setting(
        None, "generator EMA half-life in images (default: no EMA)", zero_is_none=True
    )
    channels: int | None = setting(None, "channels of both sides (default: each side's own)", choices=(1, 3))
    source_channels: int | None = setting(None, "channels of the source images (from the data)", cli=False)
    target_channels: int | None = setting(None, "channels of the target images (from the data)", cli=False)

    def validate(self, train):
        """Raises ValueError naming the first bad field; `train` is the whole `TrainConfig`."""
        checks.one_of("direction", self.direction, DIRECTIONS)
        checks.one_of("normalization", self.normalization, NORMALIZATIONS)
        checks.integer("image_size", self.image_size, minimum=8, allow_none=True)
        for name in ("base_filters", "d_base_filters"):
            checks.positive_int(name, getattr(self, name), allow_none=True)
        checks.integer("depth", self.depth, minimum=2, allow_none=True)
        checks.integer("patch_layers", self.patch_layers, minimum=0, allow_none=True)
        checks.number("dropout", self.dropout, 0.0, 1.0, high_open=True)
        checks.number("l1_weight", self.l1_weight, 0.0)
        checks.number("learning_rate", self.learning_rate, 0.0, low_open=True)
        checks.number("beta_1", self.beta_1, 0.0, 1.0, high_open=True)
        checks.number("ema_half_life", self.ema_half_life, 0.0, low_open=True, allow_none=True)
        checks.channels("channels", self.channels, allow_none=True)
        if self.ema_half_life is not None and self.normalization == "batch":
            raise ValueError(
                "Expected --norm instance with an EMA generator (the average's batch-norm statistics would "
                "need source images the model does not keep). Received: normalization='batch', "
                f"ema_half_life={self.ema_half_life}"
            )
        return self
