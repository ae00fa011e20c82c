"""The gradient penalty through minibatch standard deviation stays per example (see penalty.py)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
import progressive_cases as cases
from kgan import losses
from kgan.base import penalties
from kgan.families.progressive import penalty
from kgan.models import progressive_layers as pl


def _scores_and_jacobian(levels, x):
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        scores = levels(x, None, 1, 0.5)[:, 0]
        total = tf.reduce_sum(scores)
    jacobian = tape.jacobian(scores, x, experimental_use_pfor=False).numpy()  # [i, j, ...] = dD(x_i) / dx_j
    return tape.gradient(total, x).numpy(), jacobian


def test_sum_trick_gives_each_examples_own_gradient_when_the_statistic_is_constant():
    _, d = cases.networks()  # minibatch stddev, groups of 4
    x = tf.constant(np.random.default_rng(0).uniform(-1, 1, (8, 8, 8, 1)).astype("float32"))
    summed, jacobian = _scores_and_jacobian(kgan.models.DiscriminatorLevels(d, stop_gradient_statistic=True), x)
    own = np.stack([jacobian[i, i] for i in range(8)])
    np.testing.assert_allclose(summed, own, atol=1e-6)  # the sum trick is exact ...
    off_diagonal = jacobian.copy()
    for i in range(8):
        off_diagonal[i, i] = 0.0
    assert np.abs(off_diagonal).max() == 0.0  # ... because no score depends on another example


def test_without_the_constant_statistic_the_sum_trick_mixes_examples():
    _, d = cases.networks()
    x = tf.constant(np.random.default_rng(0).uniform(-1, 1, (8, 8, 8, 1)).astype("float32"))
    summed, jacobian = _scores_and_jacobian(kgan.models.DiscriminatorLevels(d), x)
    own = np.stack([jacobian[i, i] for i in range(8)])
    # Example 0 shares its group with examples 2, 4, 6 (groups are strided): their scores move with x_0.
    assert all(np.abs(jacobian[j, 0]).max() > 0 for j in (2, 4, 6))
    assert np.abs(jacobian[1, 0]).max() == 0.0  # a different group
    assert np.abs(summed - own).max() > 1e-4


def test_gradient_penalty_is_the_mean_of_per_example_norms():
    _, d = cases.networks()
    levels = kgan.models.DiscriminatorLevels(d, stop_gradient_statistic=True)
    rng = np.random.default_rng(1)
    real, fake = (tf.constant(rng.uniform(-1, 1, (8, 8, 8, 1)).astype("float32")) for _ in range(2))
    alpha = tf.constant(rng.uniform(0, 1, (8, 1, 1, 1)).astype("float32"))
    gp = losses.gradient_penalty(lambda images, training=True: levels(images, None, 1, 0.5, training), real, fake, alpha)
    mixed = alpha * real + (1 - alpha) * fake
    _, jacobian = _scores_and_jacobian(levels, mixed)
    norms = np.array([np.sqrt((jacobian[i, i] ** 2).sum() + 1e-12) for i in range(8)])
    assert float(gp) == pytest.approx(float(np.mean((norms - 1.0) ** 2)), rel=1e-5)


def test_the_family_handles_minibatch_stddev_explicitly_and_refuses_other_coupling():
    _, d = cases.networks()
    # The base refuses the layer (it cannot know how to make the penalty exact) ...
    with pytest.raises(ValueError, match="minibatch_stddev"):
        penalties.check_exact(d, "discriminator", 10.0, 0.0)
    # ... the family accepts it, because its penalty pass holds the statistic constant.
    penalty.check_exact(d, 10.0)
    gan = cases.model(gp_weight=10.0)
    assert gan.gp_weight == 10.0 and gan._d_penalty_levels.stddev.stop_gradient
    assert not gan._d_levels.stddev.stop_gradient
    # Batch norm has no such treatment and is refused.
    x = keras.Input((4, 4, 2))
    h = keras.layers.BatchNormalization(name="bn")(pl.MinibatchStdDev(name="minibatch_stddev")(x))
    coupled = keras.Model(x, h)
    with pytest.raises(ValueError, match=r"other than its minibatch standard deviation.*Received: a discriminator with \['bn'\]"):
        penalty.check_exact(coupled, 10.0)
    penalty.check_exact(coupled, 0.0)  # no penalty, nothing to refuse
