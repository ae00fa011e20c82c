"""`kgan train --family progressive` settings: resolutions, schedule, the paper's components."""

import dataclasses

from kgan import checks
from kgan.settings import setting

DESCRIPTION = "progressive growing (ProGAN): 4x4 up to the final size with fade-in, WGAN-GP"
# The embedded digits are 8x8: 16 px gives two fade-ins (4 -> 8 -> 16) over
# images that hold 8x8 of information, at a cost aimed at (not yet timed)
# about 10 minutes on 2 cores; 32 px would only add an upsampling the data does not have.
# reduced_precision: float32 under `--precision auto` until its quality is measured in bfloat16, as
# tools/bench_faster_steps.py did for the gan family.
DEFAULTS = {"dataset": "digits", "epochs": 60, "batch_size": 64, "digits_image_size": 16, "reduced_precision": False}
FITS = ("pad", "resize")


@dataclasses.dataclass
class Config:
    """The `progressive` family's settings. `None` fields are filled from the data and the run."""

    image_size: int | None = setting(
        None, "final resolution, a power of two >= 8 (default: 16 for digits, else the data's size "
        "rounded up to a power of two)"
    )
    fit: str = setting(
        "pad", "how images reach image_size: pad (with -1, centred) when their size is between "
        "image_size/2 and image_size, else resize; or always resize", choices=FITS,
    )
    channels: int | None = setting(None, "image channels (default: the data's)", choices=(1, 3))
    conditional: bool | None = setting(
        None, "class-conditional (default when the data has labels)", negative="--unconditional"
    )
    num_classes: int | None = setting(None, "classes of a conditional GAN (from the data)", cli=False)
    latent_dim: int = setting(128, "size of z")
    max_filters: int = setting(64, "most feature maps of a block (the paper: 512)")
    filter_base: int = setting(512, "feature maps at resolution r: min(max_filters, filter_base / r) (the paper: 8192)")
    fade_images: int | None = setting(
        None, "real images over which each new block fades in (default: the run's images / (2 * levels))"
    )
    stabilize_images: int | None = setting(
        None, "real images each resolution trains for after fading in (default: as fade_images)"
    )
    pixel_norm: bool = setting(True, "pixelwise feature normalisation in G", negative="--no-pixel-norm")
    equalized_lr: bool = setting(True, "equalised learning rate", negative="--no-equalized-lr")
    minibatch_stddev: bool = setting(True, "minibatch standard deviation in D", negative="--no-minibatch-stddev")
    group_size: int = setting(4, "minibatch standard deviation group size")
    gp_weight: float = setting(10.0, "WGAN-GP weight")
    drift_weight: float = setting(0.001, "drift penalty weight on E[D(real)^2]")
    ema_half_life: float | None = setting(10_000.0, "generator EMA half-life in images (0: no EMA)", zero_is_none=True)
    learning_rate: float = setting(1e-3, "Adam learning rate of both networks", flag="--lr")
    beta_1: float = setting(0.0, "Adam beta_1")
    beta_2: float = setting(0.99, "Adam beta_2")

    def validate(self, train):
        """Raises ValueError naming the first bad field; `train` is the whole `TrainConfig`."""
        size = self.image_size
        if size is not None and not (isinstance(size, int) and 8 <= size <= 1024 and size & (size - 1) == 0):
            raise ValueError(f"Expected `image_size` to be a power of two from 8 to 1024. Received: image_size={size!r}")
        checks.one_of("fit", self.fit, FITS)
        checks.channels("channels", self.channels, allow_none=True)
        for name in ("latent_dim", "max_filters", "filter_base", "group_size"):
            checks.positive_int(name, getattr(self, name))
        for name in ("fade_images", "stabilize_images"):
            checks.integer(name, getattr(self, name), minimum=0, allow_none=True)
        for name in ("gp_weight", "drift_weight"):
            checks.number(name, getattr(self, name), 0.0)
        checks.number("ema_half_life", self.ema_half_life, 0.0, low_open=True, allow_none=True)
        checks.number("learning_rate", self.learning_rate, 0.0, low_open=True)
        checks.number("beta_1", self.beta_1, 0.0, 1.0, high_open=True)
        checks.number("beta_2", self.beta_2, 0.0, 1.0, high_open=True)
        batch = train.batch_size
        if self.minibatch_stddev and batch is not None and batch >= self.group_size and batch % self.group_size:
            raise ValueError(
                "Expected `batch_size` to be a multiple of `group_size` (the minibatch standard deviation "
                f"splits each batch into groups). Received: batch_size={batch}, group_size={self.group_size}"
            )
        return self
