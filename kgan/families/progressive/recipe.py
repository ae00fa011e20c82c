"""What `kgan train --family progressive` loads, builds and previews.

The recipe functions `kgan.training` calls: `data_info`, `resolve`,
`run_name`, `build`, `load_data` and `preview_options`.
"""

import dataclasses

import numpy as np

from kgan import data
from kgan.families.progressive.config import DEFAULTS


def data_info(train):
    """The training split's `kgan.data.DatasetInfo`."""
    return data.info(train.dataset, split=train.split, data_dir=train.data_dir, download=train.download)


def resolve(train, info):
    """Fills the settings left `None`: image size, channels, classes and the growth schedule."""
    config = train.model
    conditional = info.num_classes is not None if config.conditional is None else config.conditional
    if conditional and info.num_classes is None:
        raise ValueError(
            f"Expected a labelled dataset for a conditional GAN. Received: dataset={train.dataset!r} without labels"
        )
    image_size = config.image_size or default_image_size(train.dataset, info)
    config = dataclasses.replace(
        config,
        image_size=image_size,
        channels=config.channels or info.image_shape[-1],
        conditional=conditional,
        num_classes=info.num_classes if conditional else None,
    )
    fade, stabilize = config.fade_images, config.stabilize_images
    if fade is None and stabilize is None:
        fade = stabilize = auto_phase_images(train, info, num_levels(image_size))
    return dataclasses.replace(
        config,
        fade_images=stabilize if fade is None else fade,
        stabilize_images=fade if stabilize is None else stabilize,
    )


def default_image_size(dataset, info):
    """16 for the embedded digits; else the data's side rounded up to a power of two (at least 8)."""
    if dataset == "digits":
        return DEFAULTS["digits_image_size"]
    side = max(info.native_shape[:2]) if None not in info.native_shape[:2] else None
    if side is None:
        raise ValueError(
            f"Expected --image-size for images of different sizes. Received: dataset={dataset!r}"
        )
    return max(8, 1 << (int(side) - 1).bit_length())


def num_levels(image_size):
    """Resolutions from 4x4 to `image_size`."""
    return int(np.log2(image_size)) - 1


def auto_phase_images(train, info, levels):
    """Images per phase that fit the run: its images over `2 * levels`.

    The run then spends one share at 4x4, two per later level (fade-in,
    then stable), and the rest (two shares and the remainder) at the final
    resolution, stable.
    """
    if info.num_examples is None:
        raise ValueError(
            "Expected --fade-images (and --stabilize-images) for a dataset whose size is not known in "
            f"advance. Received: dataset={train.dataset!r}"
        )
    images = train.epochs * (info.num_examples // train.batch_size) * train.batch_size
    return max(1, images // (2 * levels))


def run_name(train):
    return f"progressive{train.model.image_size}-{data.display_name(train.dataset)}"


def build(train):
    """Builds and compiles the `kgan.ProgressiveGAN` a resolved config describes."""
    from kgan import models
    from kgan.families.progressive.model import ProgressiveGAN
    from kgan.families.progressive.model import paper_adam

    config = train.model
    shared = dict(
        image_size=config.image_size,
        channels=config.channels,
        num_classes=config.num_classes,
        max_filters=config.max_filters,
        filter_base=config.filter_base,
        equalized=config.equalized_lr,
    )
    g = models.progressive_generator(config.latent_dim, pixel_norm=config.pixel_norm, **shared)
    d = models.progressive_discriminator(
        minibatch_stddev=config.minibatch_stddev, group_size=config.group_size, **shared
    )
    gan = ProgressiveGAN(
        g,
        d,
        fade_images=config.fade_images,
        stabilize_images=config.stabilize_images,
        gp_weight=config.gp_weight,
        drift_weight=config.drift_weight,
        ema_half_life=config.ema_half_life,
        seed=train.seed,
    )
    gan.compile(
        d_optimizer=paper_adam(config.learning_rate, config.beta_1, config.beta_2),
        g_optimizer=paper_adam(config.learning_rate, config.beta_1, config.beta_2),
        jit_compile=train.jit_compile,
        steps_per_execution=train.steps_per_execution,
    )
    return gan


def load_data(train):
    """The training examples at the final resolution, `images` or `(images, labels)`; no preview examples."""
    config = train.model
    info = data_info(train)
    side = info.native_shape[0] if info.native_shape[0] == info.native_shape[1] else None
    pad = config.fit == "pad" and side is not None and config.image_size // 2 < side <= config.image_size
    x, y, _ = data.load_arrays(
        train.dataset,
        split=train.split,
        image_size=None if pad else config.image_size,
        channels=config.channels,
        data_dir=train.data_dir,
        download=train.download,
    )
    if pad:
        x = pad_to(x, config.image_size)
    return ((x, y) if config.conditional else x), None


def pad_to(images, size, value=-1.0):
    """Pads `(N, s, s, C)` images to `(N, size, size, C)`, centred, with `value` (-1: black).

    Example:

    ```python
    from kgan.families.progressive.recipe import pad_to
    assert pad_to(np.zeros((2, 28, 28, 1), "float32"), 32).shape == (2, 32, 32, 1)
    ```
    """
    images = np.asarray(images)
    height, width = images.shape[1:3]
    if height > size or width > size:
        raise ValueError(f"Expected images of at most {size}x{size} to pad. Received: {height}x{width}")
    top, left = (size - height) // 2, (size - width) // 2
    widths = ((0, 0), (top, size - height - top), (left, size - width - left), (0, 0))
    return np.pad(images, widths, constant_values=value)


def preview_options(train):
    """`SampleGrid` options: tiles of about 64 px."""
    return {"scale": max(1, 64 // train.model.image_size)}
