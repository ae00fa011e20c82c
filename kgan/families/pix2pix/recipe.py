"""What `kgan train --family pix2pix` loads, builds and previews.

The training pairs are loaded at `kgan.data.jitter.load_size(image_size)`
(286/256 of it) when jitter is on, and the model crops them back at random
in its train step. The preview shows the first 8 pairs of the held-out split
("test") when the data has one (the embedded demo, an `.npz` with
`source_test`, a side-by-side folder with `test/` or `val/`), else the
first 8 training pairs.

On the embedded demo (`photo_restoration`) the U-Net is residual by default
(`unet_generator(residual=True)`: it predicts a correction added to the
degraded source, not in the paper): with the paper's tanh output, neither
pix2pix nor an L1-only U-Net got back to the degraded input's own quality in
the demo's 20 epochs, since they first had to learn to copy the input
through the 5 levels. `--no-residual` gives the paper's U-Net; on any other
data it is the default (`--residual` turns the option on).
"""

import dataclasses
import functools
import os

import keras

from kgan import data
from kgan.data import jitter
from kgan.data import paired
from kgan.data import photo_restoration
from kgan.families.pix2pix.config import DEFAULTS
from kgan.families.pix2pix.config import PAPER_BASE_FILTERS
from kgan.families.pix2pix.model import Pix2Pix
from kgan.models import patchgan
from kgan.models import unet

PREVIEW_EXAMPLES = 8
HELD_OUT_SPLITS = ("test", "val")


def data_info(train):
    """`{"image_shape", "target_channels", "num_examples"}` of the training pairs at their own size."""
    if train.dataset == photo_restoration.NAME and train.model.target_dataset is None:
        size = DEFAULTS["demo_image_size"]
        return {"image_shape": (size, size, 3), "target_channels": 3, "num_examples": photo_restoration.COUNTS["train"]}
    source, target = _load(train, "train", train.model.image_size)
    return {"image_shape": source.shape[1:], "target_channels": target.shape[-1], "num_examples": len(source)}


def resolve(train, info):
    """Fills the image size and channels from the data."""
    config = train.model
    height, width, channels = info["image_shape"]
    image_size = config.image_size
    if image_size is None:
        if height != width:
            raise ValueError(
                f"Expected --image-size for images that are not square. Received: images of {height} x {width}"
            )
        image_size = height
    target_dataset = config.target_dataset
    if target_dataset is not None and os.path.exists(target_dataset):
        target_dataset = os.path.abspath(target_dataset)  # config.json must work from another directory
    demo = train.dataset == photo_restoration.NAME and config.target_dataset is None
    filters = DEFAULTS["demo_base_filters"] if demo else PAPER_BASE_FILTERS
    return dataclasses.replace(
        config,
        image_size=image_size,
        base_filters=config.base_filters or filters,
        residual=demo if config.residual is None else config.residual,
        d_base_filters=config.d_base_filters or filters,
        target_dataset=target_dataset,
        source_channels=config.channels or channels,
        target_channels=config.channels or info["target_channels"],
    )


def run_name(train):
    return f"pix2pix-{data.display_name(train.dataset)}"


def build(train):
    """Builds and compiles the `kgan.Pix2Pix` a resolved config describes."""
    config = train.model
    generator = unet.unet_generator(
        config.source_channels,
        config.target_channels,
        image_size=config.image_size,
        depth=config.depth,
        base_filters=config.base_filters,
        dropout=config.dropout,
        normalization=config.normalization,
        residual=config.residual,
    )
    discriminator = patchgan.patchgan_discriminator(
        config.target_channels,
        source_channels=config.source_channels,
        image_size=config.image_size,
        num_layers=config.patch_layers,
        base_filters=config.d_base_filters,
        normalization=config.normalization,
    )
    model = Pix2Pix(
        generator,
        discriminator,
        image_size=config.image_size,
        l1_weight=config.l1_weight,
        jitter=config.jitter,
        ema_half_life=config.ema_half_life,
        seed=train.seed,
    )
    model.compile(
        d_optimizer=keras.optimizers.Adam(config.learning_rate, beta_1=config.beta_1),
        g_optimizer=keras.optimizers.Adam(config.learning_rate, beta_1=config.beta_1),
        jit_compile=train.jit_compile,
        steps_per_execution=train.steps_per_execution,
    )
    return model


def load_data(train):
    """`((source, target), preview pairs)`: training pairs at the load size, 8 held-out pairs."""
    config = train.model
    size = jitter.load_size(config.image_size) if config.jitter else config.image_size
    return _load(train, "train", size), _preview(train)


def preview_options(train):
    """`SampleGrid` options: tiles of about 64 px."""
    return {"scale": max(1, 64 // train.model.image_size)}


def _preview(train):
    for split in HELD_OUT_SPLITS:
        try:
            source, target = _load(train, split, train.model.image_size)
        except (ValueError, FileNotFoundError):
            continue
        return source[:PREVIEW_EXAMPLES], target[:PREVIEW_EXAMPLES]
    source, target = _load(train, "train", train.model.image_size)
    return source[:PREVIEW_EXAMPLES], target[:PREVIEW_EXAMPLES]


def _load(train, split, image_size):
    config = train.model
    return _cached(train.dataset, config.target_dataset, split, image_size, config.channels, config.direction)


@functools.lru_cache(maxsize=2)
def _cached(dataset, target_dataset, split, image_size, channels, direction):
    # `kgan train` reads the data to describe it, then to train: read it once.
    return paired.load_paired(
        dataset, target_dataset, split=split, image_size=image_size, channels=channels, direction=direction
    )
