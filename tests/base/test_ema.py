"""Moving averages: a horizon in images, and batch-norm statistics of their own."""

import math

import keras
import numpy as np
import pytest

import kgan
from kgan.base import ema
from tiny_models import gan
from tiny_models import images


def test_half_life_decay_by_hand():
    schedule = ema.Schedule(half_life=1000, rampup=0.05)
    # Step 1 at batch 10: the half-life is capped at 0.05 * 10 images.
    assert float(schedule.decay_at(1, 10)) == pytest.approx(0.5 ** (10 / 0.5), rel=1e-5)
    assert float(schedule.decay_at(10_000, 10)) == pytest.approx(0.5 ** (10 / 1000), rel=1e-6)
    assert schedule.steps_to_full_horizon(10) == 2000
    assert schedule.effective_decay(64) == pytest.approx(0.5 ** (64 / 1000))


def test_half_life_means_the_same_at_any_batch_size():
    # The weight left on the initial value after 6,400 images.
    schedule = ema.Schedule(half_life=3200, rampup=None)
    small = float(schedule.decay_at(10**6, 32)) ** (6400 / 32)
    large = float(schedule.decay_at(10**6, 256)) ** (6400 / 256)
    assert small == pytest.approx(0.25, rel=1e-4) and large == pytest.approx(0.25, rel=1e-4)


def test_legacy_decay_has_the_tf_warm_up():
    schedule = ema.Schedule(decay=0.999)
    assert float(schedule.decay_at(1, 64)) == pytest.approx(2 / 11)
    assert float(schedule.decay_at(100_000, 64)) == pytest.approx(0.999)
    # (1 + t) / (10 + t) reaches 0.999 only after ~9,000 steps (issue: never at the default run's 3,300).
    assert schedule.steps_to_full_horizon(64) == 8990


def test_decay_and_half_life_are_exclusive():
    with pytest.raises(ValueError, match="at most one of `ema_decay`"):
        ema.Schedule(decay=0.9, half_life=100)
    with pytest.raises(ValueError, match="Received: ema_half_life=0"):
        ema.Schedule(half_life=0)


def test_one_fit_step_moves_the_average_by_the_scheduled_decay():
    model = gan(ema_half_life=100, ema_rampup=0.05)
    before = [np.array(w) for w in model.generator.weights]
    model.fit(images(8), batch_size=8, epochs=1, verbose=0)
    decay = 0.5 ** (8 / min(100, 1 * 8 * 0.05))
    for avg, w, w0 in zip(model.ema_generator.weights, model.generator.weights, before):
        if w.trainable:
            np.testing.assert_allclose(np.asarray(avg), decay * w0 + (1 - decay) * np.asarray(w), rtol=1e-5, atol=1e-7)


def test_the_average_gets_standing_batch_norm_statistics_before_sampling():
    model = gan(ema_half_life=50)
    model.fit(images(32), batch_size=8, epochs=2, verbose=0)
    raw_mean = np.array(model.generator.get_layer("bn_project").moving_mean)
    average = model.sampling_network("generator")
    layer = average.get_layer("bn_project")
    # By hand: the mean over the statistics batches of each batch's moments,
    # on the same fixed inputs, through the average's own weights.
    body = keras.Model(average.input, average.get_layer("to_grid").output)
    outputs = [np.asarray(body(inputs, training=True)) for inputs in model.statistics_inputs("generator")]
    assert len(outputs) == model.statistics_batches
    means = [o.mean(axis=(0, 1, 2)) for o in outputs]
    variances = [o.var(axis=(0, 1, 2)) for o in outputs]
    np.testing.assert_allclose(np.asarray(layer.moving_mean), np.mean(means, axis=0), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(np.asarray(layer.moving_variance), np.mean(variances, axis=0), rtol=1e-4, atol=1e-6)
    assert not np.allclose(np.asarray(layer.moving_mean), raw_mean, atol=1e-4)
    assert layer.momentum == 0.99 and not layer.trainable  # restored
    # generate() samples with those statistics; nothing is recomputed until the average moves.
    z = kgan.latent.sample_latent(4, 8, 0)
    np.testing.assert_allclose(model.generate(4, seed=0), np.asarray(average(z, training=False)), atol=1e-6)
    layer.moving_mean.assign(np.zeros(layer.moving_mean.shape, "float32"))
    model.sampling_network("generator")
    assert np.all(np.asarray(layer.moving_mean) == 0.0)
    model.fit(images(8), batch_size=8, epochs=1, verbose=0)
    model.sampling_network("generator")
    assert not np.all(np.asarray(layer.moving_mean) == 0.0)


def test_averages_of_networks_without_batch_norm_need_no_statistics():
    g = kgan.models.mlp_generator(8, (4, 4, 1), hidden_units=(8,))
    g = keras.Model(g.inputs, g.outputs)  # keeps its batch norm; check the helper on a plain net
    plain = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    assert ema.batch_norm_layers(plain) == [] and ema.recompute_statistics(plain, []) == 0
    assert len(ema.batch_norm_layers(g)) == 1
    assert math.isclose(ema.Schedule(half_life=10).effective_decay(10), 0.5)
