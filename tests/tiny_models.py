"""Tiny seeded models for fast tests (importable from every test folder)."""

import keras
import numpy as np

import kgan
from kgan import models

LATENT = 8


def dcgan_pair(size=16, num_classes=None, normalization="batch", seed=0):
    """A 16 px DCGAN pair: D has a batch norm (bn_1) unless `normalization` says otherwise."""
    keras.utils.set_random_seed(seed)
    g = models.dcgan_generator(LATENT, size, 1, num_classes, base_filters=4, embed_dim=4)
    d = models.dcgan_discriminator(size, 1, num_classes, base_filters=4, normalization=normalization)
    return g, d


def images(n, size=16, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, size, size, 1)).astype("float32")


def gan(num_classes=None, normalization="layer", compile=True, **kwargs):
    g, d = dcgan_pair(num_classes=num_classes, normalization=normalization)
    model = kgan.GAN(g, d, LATENT, num_classes=num_classes, seed=0, **kwargs)
    if compile:
        model.compile()
    return model


def randomize_batch_norm(model, seed=0):
    """Gives every BatchNormalization layer of `model` seeded non-trivial statistics and affine terms.

    A fresh batch norm is the identity at inference (mean 0, variance 1, gamma 1,
    beta 0), so a conversion that dropped any of them would still match. Returns `model`.
    """
    rng = np.random.default_rng(seed)
    for layer in _layers(model):
        if isinstance(layer, keras.layers.BatchNormalization):
            shape = tuple(layer.moving_mean.shape)
            layer.moving_mean.assign(rng.normal(0.0, 0.5, shape).astype("float32"))
            layer.moving_variance.assign(rng.uniform(0.5, 2.0, shape).astype("float32"))
            if layer.gamma is not None:
                layer.gamma.assign(rng.uniform(0.5, 1.5, shape).astype("float32"))
            if layer.beta is not None:
                layer.beta.assign(rng.normal(0.0, 0.5, shape).astype("float32"))
    return model


def _layers(model):
    for layer in model.layers:
        yield from _layers(layer) if isinstance(layer, keras.Model) else [layer]
