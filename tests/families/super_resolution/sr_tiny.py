"""Tiny seeded super-resolution models and data for the family's fast tests."""

import keras
import numpy as np

import kgan
from kgan.data import degradation

HR = 16  # high-resolution crop side


def networks(scale=2, generator="rrdb", normalization="batch", seed=1):
    keras.utils.set_random_seed(seed)
    if generator == "rrdb":
        g = kgan.models.rrdb_generator(scale, 3, filters=4, blocks=1, growth=4, anchor=True)
    else:
        g = kgan.models.srresnet_generator(scale, 3, filters=4, blocks=1, anchor=True)
    d = kgan.models.vgg_discriminator(HR, 3, base_filters=4, stages=2, dense_units=8, normalization=normalization)
    return g, d


def model(scale=2, pretrain_steps=0, steps_per_execution=1, gan_loss="relativistic_average", seed=1, **kwargs):
    g, d = networks(scale, seed=seed)
    sr = kgan.SuperResolutionGAN(g, d, scale, pretrain_steps=pretrain_steps, gan_loss=gan_loss, seed=3, **kwargs)
    sr.compile(steps_per_execution=steps_per_execution)
    return sr


def pairs(n=24, scale=2, seed=0):
    """`{"lr", "hr"}` uint8 pairs: smooth random images, so the degradation matters."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, (n, HR // 4, HR // 4, 3)).astype("uint8")
    hr = degradation.bicubic_upscale(coarse, 4)
    hr = np.clip(hr.astype("int32") + rng.integers(-20, 21, hr.shape), 0, 255).astype("uint8")
    return {"lr": degradation.downsample(hr, scale), "hr": hr}


def lr_images(n=3, size=6, seed=4):
    return np.random.default_rng(seed).uniform(-1, 1, (n, size, size + 2, 3)).astype("float32")
