"""Shared fixtures for the metrics tests: digits arrays, fake samplers, extractors."""

import numpy as np
import pytest


@pytest.fixture(scope="session")
def digits():
    """sklearn's 8x8 digits in [-1, 1], NHWC, split 1400 train / 397 test."""
    from sklearn.datasets import load_digits

    data = load_digits()
    images = (data.images / 8.0 - 1.0).astype(np.float32)[..., None]
    labels = data.target.astype(np.int32)
    return (images[:1400], labels[:1400]), (images[1400:], labels[1400:])


class DigitSampler:
    """A fake conditional generator: real digits of the asked class plus noise.

    `label_shift` returns digits of class `(label + shift) % 10` instead, a
    generator that ignores its conditioning. `noise` may be a list, one value
    per `generate` call (the last repeats), to make quality change over time.
    Records the batch sizes it was asked for.
    """

    latent_dim = 8

    def __init__(self, images, labels, noise=0.0, label_shift=0, conditional=True):
        self.images, self.labels = images, labels
        self.noise = list(np.atleast_1d(noise))
        self.label_shift = label_shift
        self.num_classes = 10 if conditional else None
        self.requested = []

    def generate(self, n, labels=None, seed=None):
        self.requested.append(n)
        rng = np.random.default_rng(seed)
        noise = self.noise[min(len(self.requested) - 1, len(self.noise) - 1)]
        if labels is None:
            labels = rng.integers(10, size=n)
        out = np.empty((n,) + self.images.shape[1:], np.float32)
        for i, label in enumerate(np.asarray(labels)):
            pool = np.flatnonzero(self.labels == (label + self.label_shift) % 10)
            out[i] = self.images[rng.choice(pool)]
        out += noise * rng.normal(size=out.shape).astype(np.float32)
        return np.clip(out, -1.0, 1.0)


class ProjectionExtractor:
    """A NumPy extractor: tanh of a fixed random projection of the pixels."""

    name = "projection"
    weights_hash = "0" * 64

    def __init__(self, pixels=64, dim=16, seed=0):
        self.weights = np.random.default_rng(seed).normal(size=(pixels, dim)) / 4.0
        self.calls = []

    def __call__(self, images):
        self.calls.append(len(images))
        return np.tanh(images.reshape(len(images), -1) @ self.weights)


@pytest.fixture
def make_sampler(digits):
    (train_x, train_y), _ = digits

    def make(**kwargs):
        return DigitSampler(train_x, train_y, **kwargs)

    return make


@pytest.fixture
def projection():
    return ProjectionExtractor()


@pytest.fixture(scope="session")
def classifier_path(digits, tmp_path_factory):
    """A domain classifier trained on the digits for 3 epochs, saved once."""
    from kgan.metrics import train_classifier

    path = tmp_path_factory.mktemp("evaluator") / "evaluator.keras"
    train_classifier(digits[0], path=path, epochs=3, seed=0)
    return path
