"""What `kgan train --family super_resolution` loads, builds and previews.

The data is whole images (the embedded photos by default, or a folder or
`.npz`), from which `crops` aligned (low, high) resolution pairs are drawn
once per seed (`kgan.data.patches.sr_pairs`); an epoch is one pass over
them. The preview shows crops of the held-out photos (of the first images
otherwise), which training never reads.
"""

import dataclasses

import keras
import numpy as np

from kgan import data
from kgan import models
from kgan.data import degradation
from kgan.data import full_images
from kgan.data import patches
from kgan.data import photos
from kgan.families.super_resolution import perceptual
from kgan.families.super_resolution.config import PATCH_SIZES
from kgan.families.super_resolution.config import PRETRAIN_SHARE
from kgan.families.super_resolution.model import ESRGAN_WEIGHTS
from kgan.families.super_resolution.model import PIXEL_ONLY_WEIGHTS
from kgan.families.super_resolution.model import SuperResolutionGAN
from kgan.families.super_resolution.model import learning_rate_schedule

# Side of the high-resolution preview crops.
PREVIEW_SIZE = 128
PREVIEW_IMAGES = 3


def data_info(train):
    """The training images' `kgan.data.DatasetInfo` (any height and width)."""
    names, images = full_images.read(train.dataset, split=train.split)
    channels = images[0].shape[-1]
    return data.DatasetInfo(
        name=str(train.dataset),
        split=train.split,
        image_shape=(None, None, channels),
        num_examples=len(images),
        num_classes=None,
        class_names=None,
        native_shape=(None, None, channels),
    )


def resolve(train, info):
    """Fills the crop size, channels, phase lengths and loss weights."""
    config = train.model
    steps_per_epoch = config.crops // train.batch_size
    if steps_per_epoch == 0:
        raise ValueError(
            f"Expected batch_size <= crops ({config.crops}). Received: batch_size={train.batch_size}"
        )
    pretrain_epochs = config.pretrain_epochs
    if pretrain_epochs is None:
        pretrain_epochs = int(round(PRETRAIN_SHARE * train.epochs))
    weights = ESRGAN_WEIGHTS if config.perceptual else PIXEL_ONLY_WEIGHTS
    return dataclasses.replace(
        config,
        patch_size=config.patch_size or PATCH_SIZES[config.scale],
        channels=info.image_shape[-1],
        pretrain_epochs=pretrain_epochs,
        pretrain_steps=pretrain_epochs * steps_per_epoch,
        **{key: value if getattr(config, key) is None else getattr(config, key) for key, value in weights.items()},
    )


def run_name(train):
    return f"{train.model.generator}_x{train.model.scale}-{data.display_name(train.dataset)}"


def build(train):
    """Builds and compiles the `SuperResolutionGAN` a resolved config describes."""
    config = train.model
    if config.generator == "rrdb":
        g = models.rrdb_generator(
            config.scale, config.channels, config.filters, config.blocks, config.growth, anchor=config.anchor
        )
    else:
        g = models.srresnet_generator(config.scale, config.channels, config.filters, config.blocks, anchor=config.anchor)
    d = models.vgg_discriminator(
        config.patch_size,
        config.channels,
        config.d_filters,
        dense_units=config.d_dense,
        normalization=None if config.d_normalization == "none" else config.d_normalization,
    )
    extractor = perceptual.vgg19_features(config.vgg_weights, download=train.download) if config.perceptual else None
    model = SuperResolutionGAN(
        g,
        d,
        config.scale,
        pretrain_steps=config.pretrain_steps,
        pixel_loss=config.pixel_loss,
        gan_loss=config.gan_loss,
        perceptual=extractor,
        pixel_weight=config.pixel_weight,
        perceptual_weight=config.perceptual_weight,
        gan_weight=config.gan_weight,
        augment=config.augment,
        ema_half_life=config.ema_half_life,
        seed=train.seed,
    )
    schedule = learning_rate_schedule(config.pretrain_steps, config.g_learning_rate, config.gan_g_learning_rate)
    model.compile(
        g_optimizer=keras.optimizers.Adam(schedule, beta_1=config.beta_1, beta_2=config.beta_2),
        d_optimizer=keras.optimizers.Adam(config.d_learning_rate, beta_1=config.beta_1, beta_2=config.beta_2),
        jit_compile=train.jit_compile,
        steps_per_execution=train.steps_per_execution,
    )
    return model


def load_data(train):
    """`{"lr", "hr"}` uint8 training pairs, and held-out preview pairs."""
    config = train.model
    _, images = full_images.read(train.dataset, split=train.split)
    pairs = patches.sr_pairs(images, config.scale, config.patch_size, config.crops, seed=train.seed)
    return {"lr": pairs["lr"], "hr": pairs["hr"]}, preview_pairs(train)


def preview_pairs(train):
    """Centre crops of the held-out photos (of the first training images for other data)."""
    scale = train.model.scale
    if train.dataset == photos.NAME:
        images = [photos.load(name) for name in photos.HELD_OUT]
    else:
        images = full_images.read(train.dataset, split=train.split)[1][:PREVIEW_IMAGES]
    size = min(PREVIEW_SIZE, *(min(image.shape[:2]) for image in images)) // scale * scale
    lr, hr = [], []
    for image in images:
        whole = degradation.modcrop(image, scale)
        small = degradation.downsample(whole, scale)
        top, left = (whole.shape[0] - size) // 2 // scale, (whole.shape[1] - size) // 2 // scale
        lr.append(small[top : top + size // scale, left : left + size // scale])
        hr.append(whole[top * scale : top * scale + size, left * scale : left * scale + size])
    return {"lr": np.stack(lr), "hr": np.stack(hr)}


def preview_options(train):
    """`SampleGrid` options: tiles at their own size."""
    return {"scale": 1}
