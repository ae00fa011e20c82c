"""`kgan train --family cyclegan` settings: domains, ResNet G, PatchGAN D, loss weights, schedule."""

import dataclasses

from kgan import checks
from kgan.settings import setting

DESCRIPTION = (
    "unpaired image-to-image translation (Zhu et al. 2017): two ResNet G, two PatchGAN D, LSGAN, cycle 10, "
    "identity 5, image pools, linear LR decay"
)
# The embedded demo translates digits <-> digits_on_photos at 32 px, with networks a quarter (G) and half
# (D) the paper's width, so that it trains in about 6 minutes on 2 CPU cores (measured: 348 s).
# reduced_precision: float32 under `--precision auto` until its quality is measured in bfloat16, as
# tools/bench_faster_steps.py did for the gan family.
DEFAULTS = {
    "dataset": "digits",
    "epochs": 8,
    "batch_size": 8,
    "demo_image_size": 32,
    "demo_dataset_b": "digits_on_photos",
    "demo_base_filters": 16,
    "demo_d_base_filters": 32,
    "reduced_precision": False,
}
PAPER_BASE_FILTERS = 64


@dataclasses.dataclass
class Config:
    """The `cyclegan` family's settings. `None` fields are filled from the data."""

    dataset_b: str | None = setting(
        None, "domain B: a folder, .npz or name (default: digits_on_photos with --dataset digits; "
        "none when --dataset holds trainA/ trainB/ or is cycle_gan/NAME)", flag="--dataset-b"
    )
    image_size: int | None = setting(None, "side of the square training crops (default: 32 for the demo, else the data's)")
    jitter: bool = setting(
        True, "random jitter: load at 286/256 of --image-size, random crops and mirroring", negative="--no-jitter"
    )
    base_filters: int | None = setting(
        None, "generator filters of the first layer (default: the paper's 64; 16 for the embedded demo)"
    )
    d_base_filters: int | None = setting(
        None, "PatchGAN filters of the first layer (default: the paper's 64; 32 for the embedded demo)"
    )
    num_blocks: int | None = setting(None, "residual blocks per generator (default: 6 up to 128 px, 9 above)")
    patch_layers: int | None = setting(
        None, "PatchGAN stride-2 layers (default: the paper's 70/256 patch ratio; 3 = 70 px patches)"
    )
    cycle_weight: float = setting(10.0, "weight of the cycle-consistency terms (the paper's lambda)")
    identity_weight: float | None = setting(
        None, "weight of the identity terms (default: 0.5 x --cycle-weight; 0: off)"
    )
    pool_size: int = setting(50, "generated images in each discriminator's history pool (0: off)")
    learning_rate: float = setting(2e-4, "Adam learning rate of the four networks", flag="--lr")
    beta_1: float = setting(0.5, "Adam beta_1")
    decay_epochs: int | None = setting(
        None, "last epochs over which the learning rate decays linearly to 0 (default: half of --epochs)"
    )
    ema_half_life: float | None = setting(
        None, "generator EMA half-life in images (default: no EMA)", zero_is_none=True
    )
    channels: int | None = setting(None, "channels of both domains (default: each domain's own)", choices=(1, 3))
    a_channels: int | None = setting(None, "channels of domain A (from the data)", cli=False)
    b_channels: int | None = setting(None, "channels of domain B (from the data)", cli=False)
    steps_per_epoch: int | None = setting(None, "train steps per epoch (from the data), for the schedule", cli=False)
    domains: tuple | None = setting(None, "names of domains A and B (from the data)", cli=False)

    def validate(self, train):
        """Raises ValueError naming the first bad field; `train` is the whole `TrainConfig`."""
        checks.integer("image_size", self.image_size, minimum=8, allow_none=True)
        for name in ("base_filters", "d_base_filters"):
            checks.positive_int(name, getattr(self, name), allow_none=True)
        checks.integer("num_blocks", self.num_blocks, minimum=0, allow_none=True)
        checks.integer("patch_layers", self.patch_layers, minimum=0, allow_none=True)
        checks.number("cycle_weight", self.cycle_weight, 0.0)
        checks.number("identity_weight", self.identity_weight, 0.0, allow_none=True)
        checks.integer("pool_size", self.pool_size, minimum=0)
        checks.number("learning_rate", self.learning_rate, 0.0, low_open=True)
        checks.number("beta_1", self.beta_1, 0.0, 1.0, high_open=True)
        checks.integer("decay_epochs", self.decay_epochs, minimum=0, allow_none=True)
        if self.decay_epochs is not None and train.epochs is not None and self.decay_epochs > train.epochs:
            raise ValueError(
                "Expected --decay-epochs <= --epochs (the decay ends the run). Received: "
                f"decay_epochs={self.decay_epochs}, epochs={train.epochs}"
            )
        checks.number("ema_half_life", self.ema_half_life, 0.0, low_open=True, allow_none=True)
        checks.channels("channels", self.channels, allow_none=True)
        return self
