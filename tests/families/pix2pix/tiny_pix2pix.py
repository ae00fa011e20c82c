"""Tiny seeded pix2pix models and paired data for fast tests."""

import keras
import numpy as np

import kgan
from tiny_models import randomize_batch_norm

SIZE = 8


def randomize_instance_norm(model, seed=0):
    """Seeded non-trivial scales and offsets for every GroupNormalization (instance norm) layer."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, keras.layers.GroupNormalization):
            layer.gamma.assign(rng.uniform(0.5, 1.5, layer.gamma.shape).astype("float32"))
            layer.beta.assign(rng.normal(0.0, 0.5, layer.beta.shape).astype("float32"))
    return model


def networks(normalization="instance", source_channels=3, target_channels=3, seed=1):
    keras.utils.set_random_seed(seed)
    g = kgan.models.unet_generator(source_channels, target_channels, image_size=SIZE, base_filters=4,
                                   normalization=normalization)
    d = kgan.models.patchgan_discriminator(target_channels, source_channels=source_channels, image_size=SIZE,
                                           base_filters=4, normalization=normalization)
    return randomize_instance_norm(randomize_batch_norm(g, seed + 1), seed + 2), d


def model(normalization="instance", ema_half_life=None, compile=True, **kwargs):
    g, d = networks(normalization)
    pix2pix = kgan.Pix2Pix(g, d, image_size=SIZE, ema_half_life=ema_half_life, seed=3, **kwargs)
    if compile:
        pix2pix.compile()
    return pix2pix


def pairs(n=24, size=SIZE + 2, seed=0):
    rng = np.random.default_rng(seed)
    source = rng.uniform(-1, 1, (n, size, size, 3)).astype("float32")
    return source, np.tanh(source[..., ::-1] * 2).astype("float32")
