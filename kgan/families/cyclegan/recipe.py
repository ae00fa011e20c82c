"""What `kgan train --family cyclegan` loads, builds and previews.

Domain A is `--dataset`, domain B `--dataset-b` (or both from a folder with
`trainA/ trainB/`, or TFDS `cycle_gan/NAME`); with `--dataset digits` and no
`--dataset-b`, B is `digits_on_photos` (the embedded demo). The training
images are loaded at `kgan.data.jitter.load_size(image_size)` when jitter is
on and cropped back by the model. An epoch is one pass over the larger
domain (`kgan.data.unpaired.aligned`). The learning rate of all four
networks stays constant and then decays linearly to zero over the last
`decay_epochs` epochs (`LinearDecay`, counted in steps). The preview shows
8 held-out images of each domain (split "test") when the data has them,
else 8 training images.
"""

import dataclasses
import functools
import os

import keras

from kgan import data
from kgan.data import digits
from kgan.data import digits_on_photos
from kgan.data import jitter
from kgan.data import unpaired
from kgan.families.cyclegan.config import DEFAULTS
from kgan.families.cyclegan.config import PAPER_BASE_FILTERS
from kgan.families.cyclegan.model import CycleGAN
from kgan.families.cyclegan.schedule import LinearDecay
from kgan.models import patchgan
from kgan.models import resnet

PREVIEW_EXAMPLES = 8


def data_info(train):
    """`{"a_shape", "b_shape", "num_examples", "domains"}` of the training split."""
    dataset_b = _dataset_b(train)
    if (train.dataset, dataset_b) == (unpaired.DIGITS, digits_on_photos.NAME):
        size = train.model.image_size or DEFAULTS["demo_image_size"]
        from sklearn.datasets import load_digits

        count = len(digits.split_indices(load_digits().target, "train"))
        return {"a_shape": (size, size, 3), "b_shape": (size, size, 3), "num_examples": count,
                "domains": (unpaired.DIGITS, digits_on_photos.NAME)}
    loaded = _load(train.dataset, dataset_b, "train", train.model.image_size, train.model.channels, train)
    return {"a_shape": loaded.a.shape[1:], "b_shape": loaded.b.shape[1:],
            "num_examples": max(len(loaded.a), len(loaded.b)), "domains": loaded.names}


def resolve(train, info):
    """Fills domain B, the image size, channels, the steps per epoch and the decay length."""
    config = train.model
    image_size = config.image_size
    if image_size is None:
        sizes = {tuple(info["a_shape"][:2]), tuple(info["b_shape"][:2])}
        height, width = sizes.pop() if len(sizes) == 1 else (None, None)
        if height is None or height != width:
            raise ValueError(
                f"Expected --image-size for domains whose images are not squares of one size. Received: "
                f"A {tuple(info['a_shape'])}, B {tuple(info['b_shape'])}"
            )
        image_size = height
    dataset_b = _dataset_b(train)
    demo = (train.dataset, dataset_b) == (unpaired.DIGITS, digits_on_photos.NAME)
    if dataset_b is not None and os.path.exists(dataset_b):
        dataset_b = os.path.abspath(dataset_b)  # config.json must work from another directory
    return dataclasses.replace(
        config,
        dataset_b=dataset_b,
        image_size=image_size,
        base_filters=config.base_filters or (DEFAULTS["demo_base_filters"] if demo else PAPER_BASE_FILTERS),
        d_base_filters=config.d_base_filters or (DEFAULTS["demo_d_base_filters"] if demo else PAPER_BASE_FILTERS),
        a_channels=config.channels or info["a_shape"][-1],
        b_channels=config.channels or info["b_shape"][-1],
        steps_per_epoch=info["num_examples"] // train.batch_size,
        decay_epochs=train.epochs // 2 if config.decay_epochs is None else config.decay_epochs,
        domains=tuple(info["domains"]),
    )


def run_name(train):
    b = _dataset_b(train)
    return f"cyclegan-{data.display_name(train.dataset)}" + (f"-{data.display_name(b)}" if b else "")


def build(train):
    """Builds and compiles the `kgan.CycleGAN` a resolved config describes."""
    config = train.model
    channels = {"a": config.a_channels, "b": config.b_channels}

    def generator(source, target, name):
        return resnet.resnet_generator(
            channels[source], channels[target], image_size=config.image_size, num_blocks=config.num_blocks,
            base_filters=config.base_filters, name=name,
        )

    def discriminator(domain):
        return patchgan.patchgan_discriminator(
            channels[domain], image_size=config.image_size, num_layers=config.patch_layers,
            base_filters=config.d_base_filters, name=f"discriminator_{domain}",
        )

    model = CycleGAN(
        generator("a", "b", "generator_ab"),
        generator("b", "a", "generator_ba"),
        discriminator("a"),
        discriminator("b"),
        image_size=config.image_size,
        cycle_weight=config.cycle_weight,
        identity_weight=config.identity_weight,
        pool_size=config.pool_size,
        jitter=config.jitter,
        domains=tuple(config.domains),
        ema_half_life=config.ema_half_life,
        seed=train.seed,
    )
    model.compile(
        **{f"{name}_optimizer": _adam(train) for name in ("generator_ab", "generator_ba", "discriminator_a",
                                                          "discriminator_b")},
        jit_compile=train.jit_compile,
        steps_per_execution=train.steps_per_execution,
    )
    return model


def learning_rate(train):
    """The `LinearDecay` of a resolved config: constant, then down to 0 over `decay_epochs`."""
    config = train.model
    decay_steps = config.decay_epochs * config.steps_per_epoch
    return LinearDecay(config.learning_rate, train.epochs * config.steps_per_epoch - decay_steps, decay_steps)


def load_data(train):
    """`({"a", "b"} side by side, preview examples)`: training images at the load size, 8 held out per domain."""
    config = train.model
    size = jitter.load_size(config.image_size) if config.jitter else config.image_size
    loaded = _load(train.dataset, config.dataset_b, "train", size, config.channels, train)
    ia, ib = unpaired.aligned(loaded.a, loaded.b, seed=train.seed)
    return {"a": loaded.a[ia], "b": loaded.b[ib]}, _preview(train)


def preview_options(train):
    """`SampleGrid` options: tiles of about 64 px."""
    return {"scale": max(1, 64 // train.model.image_size)}


def _adam(train):
    return keras.optimizers.Adam(learning_rate(train), beta_1=train.model.beta_1)


def _dataset_b(train):
    if train.model.dataset_b is None and train.dataset == unpaired.DIGITS:
        return DEFAULTS["demo_dataset_b"]
    return train.model.dataset_b


def _preview(train):
    config = train.model
    try:
        loaded = _load(train.dataset, config.dataset_b, "test", config.image_size, config.channels, train)
    except (ValueError, FileNotFoundError):
        loaded = _load(train.dataset, config.dataset_b, "train", config.image_size, config.channels, train)
    return {"a": loaded.a[:PREVIEW_EXAMPLES], "b": loaded.b[:PREVIEW_EXAMPLES]}


def _load(dataset, dataset_b, split, image_size, channels, train):
    return _cached(dataset, dataset_b, split, image_size, channels, train.data_dir, train.download)


@functools.lru_cache(maxsize=2)
def _cached(dataset, dataset_b, split, image_size, channels, data_dir, download):
    # `kgan train` reads the data to describe it, then to train: read it once.
    return unpaired.load_unpaired(
        dataset, dataset_b, split=split, image_size=image_size, channels=channels, data_dir=data_dir,
        download=download,
    )
