"""Gradient penalties are exact per example, or refused (issue: R1 through batch norm)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
from kgan import losses
from kgan.base import penalties

from tiny_models import dcgan_pair
from tiny_models import images


@pytest.mark.parametrize("weights", [dict(r1_weight=0.2), dict(gp_weight=10.0), dict(loss="wasserstein")])
def test_a_penalised_gan_refuses_a_batch_norm_discriminator(weights):
    g, d = dcgan_pair(normalization="batch")
    with pytest.raises(ValueError, match=r"without batch-coupled layers.*Received: a discriminator with \['bn_1'\]"):
        kgan.GAN(g, d, 8, **weights)


def test_without_a_penalty_batch_norm_is_allowed():
    g, d = dcgan_pair(normalization="batch")
    assert kgan.GAN(g, d, 8).r1_weight == 0.0
    assert penalties.batch_coupled_layers(d) == ["bn_1"]


def _per_example_gradients(d, x):
    """Each example's gradient of its own logit, one example at a time (the definition)."""
    rows = []
    for i in range(len(x)):
        xi = tf.constant(x[i : i + 1])
        with tf.GradientTape() as tape:
            tape.watch(xi)
            logit = d(xi, training=True)
        rows.append(tape.gradient(logit, xi)[0].numpy())
    return np.stack(rows)


def test_r1_equals_the_mean_squared_per_example_gradient_norm():
    _, d = dcgan_pair(normalization="layer", seed=3)
    x = images(6, seed=4)
    exact = np.mean(np.sum(_per_example_gradients(d, x) ** 2, axis=(1, 2, 3)))
    assert float(losses.r1_penalty(d, x)) == pytest.approx(exact, rel=1e-4)


def test_a_logit_does_not_depend_on_other_images_with_layer_norm():
    _, d = dcgan_pair(normalization="layer", seed=3)
    x = tf.constant(images(4, seed=5))
    with tf.GradientTape() as tape:
        tape.watch(x)
        first = d(x, training=True)[0, 0]
    cross = tape.gradient(first, x).numpy()[1:]
    assert np.abs(cross).max() == 0.0


def test_with_batch_norm_the_sum_trick_is_not_per_example():
    # Why batch norm is refused: the logit of image 0 moves with image 1.
    _, d = dcgan_pair(normalization="batch", seed=3)
    x = tf.constant(images(4, seed=5))
    with tf.GradientTape() as tape:
        tape.watch(x)
        first = d(x, training=True)[0, 0]
    assert np.abs(tape.gradient(first, x).numpy()[1:]).max() > 1e-4


@pytest.mark.parametrize("shape", [(5, 7), (5, 4, 4, 1), (5, 3, 4, 4, 2)])
def test_penalties_work_for_any_input_rank(shape):
    # D(x) = <w, x>: grad D = w for every example, so R1 = |w|^2 and GP = (|w| - 1)^2.
    rng = np.random.default_rng(0)
    w = rng.normal(0, 0.3, shape[1:]).astype("float32")
    critic = lambda x, training=True: tf.reduce_sum(x * w, axis=list(range(1, len(shape))))[:, None]  # noqa: E731
    real = rng.uniform(-1, 1, shape).astype("float32")
    fake = rng.uniform(-1, 1, shape).astype("float32")
    gan = keras.random.SeedGenerator(1)
    uniform = lambda s: kgan.base.noise.uniform(gan, s)  # noqa: E731
    norm2 = float(np.sum(w.astype("float64") ** 2))
    assert float(penalties.gradient_penalty(critic, real, fake, uniform)) == pytest.approx((norm2**0.5 - 1) ** 2, rel=1e-4)
    assert float(penalties.r1(critic, real)) == pytest.approx(norm2, rel=1e-4)
    alpha = penalties.interpolation_weights(uniform, shape[0], len(shape))
    assert alpha.shape == (shape[0],) + (1,) * (len(shape) - 1)
