"""Discriminator augmentation (DiffAugment, ADA), lazy R1 and one generator forward per step."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
from kgan.base import augmentation
from kgan.base import penalties
from tiny_models import gan
from tiny_models import images


class Draws:
    """A stand-in for the model's `uniform`: each call returns the next value, broadcast to the shape."""

    def __init__(self, *values):
        self.values = list(values)
        self.calls = 0

    def __call__(self, shape):
        value = self.values[self.calls] if self.calls < len(self.values) else 0.5
        self.calls += 1
        return tf.fill(shape, tf.constant(value, tf.float32))


def ramp(n=2, size=8, channels=1):
    x = np.arange(n * size * size * channels, dtype="float32").reshape(n, size, size, channels)
    return x / x.max() * 2 - 1


# DiffAugment ------------------------------------------------------------------------------


def test_diffaugment_translation_shifts_by_the_drawn_pixels_with_zero_fill():
    x = ramp()
    # shift = int(8 * 0.125 + 0.5) = 1; floor(u * 3) - 1: u=0.9 -> +1 row, u=0.1 -> -1 column.
    out = augmentation._diff_translation(tf.constant(x), _pair(0.9, 0.1)).numpy()
    expected = np.zeros_like(x)
    expected[:, 1:, :-1] = x[:, :-1, 1:]
    np.testing.assert_array_equal(out, expected)


def _pair(u_rows, u_cols):
    def draw(shape):
        return tf.tile(tf.constant([[u_rows, u_cols]], tf.float32), [shape[0], 1])

    return draw


def test_diffaugment_cutout_zeroes_a_square_of_half_the_size():
    x = np.ones((1, 8, 8, 1), "float32")
    out = augmentation._diff_cutout(tf.constant(x), _pair(0.5, 0.0)).numpy()[0, ..., 0]
    # size 4; centre = floor(0.5 * 9) = 4 -> rows 2..5; floor(0 * 9) = 0 -> columns -2..1 (clipped: 0, 1).
    expected = np.ones((8, 8))
    expected[2:6, 0:2] = 0
    np.testing.assert_array_equal(out, expected)


def test_diffaugment_color_by_hand():
    x = ramp(1, 4, 3)
    # brightness +0.25 (u=0.75), saturation x0.5 (u=0.25), contrast x1.0 (u=0.5).
    out = augmentation._diff_color(tf.constant(x), Draws(0.75, 0.25, 0.5)).numpy()
    y = x + 0.25
    mean = y.mean(axis=3, keepdims=True)
    y = (y - mean) * 0.5 + mean
    np.testing.assert_allclose(out, y, atol=1e-6)


def test_diffaugment_is_differentiable_and_checks_its_input():
    x = tf.constant(ramp(2, 8, 3))
    augment = augmentation.DiffAugment("color,translation,cutout")
    seed = keras.random.SeedGenerator(0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(augment(x, lambda shape: kgan.base.noise.uniform(seed, shape)))
    assert np.abs(tape.gradient(total, x).numpy()).sum() > 0
    with pytest.raises(ValueError, match=r"Expected a DiffAugment policy from .* Received: policy=\('flip',\)"):
        augmentation.DiffAugment(("flip",))
    with pytest.raises(ValueError, match=r"Received: shape \(2, 8, 8, 8, 1\)"):
        augment(tf.zeros((2, 8, 8, 8, 1)), lambda shape: tf.zeros(shape))


# ADA --------------------------------------------------------------------------------------


def test_ada_with_p_zero_is_the_identity():
    x = tf.constant(ramp(2, 8, 3))
    seed = keras.random.SeedGenerator(0)
    out = augmentation.AdaptiveAugment()(x, lambda shape: kgan.base.noise.uniform(seed, shape), 0.0)
    np.testing.assert_allclose(out.numpy(), x.numpy(), atol=1e-5)


@pytest.mark.parametrize(
    "draws,expected",
    [
        ((0.0, 0.9, 1.0, 0.0, 1.0), lambda x: x[:, :, ::-1]),  # an x-flip, no rotation, no shift
        ((1.0, 0.0, 0.0, 0.3, 1.0), lambda x: np.rot90(x, k=-1, axes=(1, 2))),  # a quarter turn
    ],
)
def test_ada_blits_by_hand(draws, expected):
    # Draw order: flip chance, flip, quarter chance, quarter, shift chance (p=0.5).
    x = ramp(1, 8, 1)
    out = augmentation._ada_geometric(tf.constant(x), Draws(*draws), 0.5, blit=True, geometric=False).numpy()
    np.testing.assert_allclose(out, expected(x), atol=1e-5)


def test_ada_probability_follows_the_overfitting_heuristic():
    # D(x) = 1 > 0 for every real image: r_t = 1 > 0.6, so p rises by
    # batch * interval / speed every `interval` D steps.
    model = _linear_d_gan(augment=augmentation.AdaptiveAugment(interval=2, speed_images=1000, groups="color"))
    model.fit(images(48), batch_size=8, epochs=1, verbose=0, shuffle=False)
    assert float(model.ada_p) == pytest.approx(3 * (8 * 2 / 1000))  # 6 steps: 3 updates
    assert "ada_p" in model.get_metrics_result()


def test_ada_state_is_saved_with_the_model_and_in_checkpoints(tmp_path):
    model = _linear_d_gan(augment="ada")
    model.ada_p.assign(0.37)
    model.save(tmp_path / "m.keras")
    assert float(keras.models.load_model(tmp_path / "m.keras").ada_p) == pytest.approx(0.37)
    assert model.checkpoint_parts()["ada"][0] is model.ada_p
    assert model.get_config()["augment"]["class_name"] == "AdaptiveAugment"


def _linear_d_gan(**kwargs):
    inputs = keras.Input((16, 16, 1), name="images")
    d = keras.Model(inputs, keras.layers.Dense(1, name="logits")(keras.layers.Flatten()(inputs)))
    d.get_layer("logits").set_weights([np.zeros((256, 1), "float32"), np.ones(1, "float32")])
    g, _ = kgan.models.dcgan_generator(8, 16, 1, base_filters=4), None
    model = kgan.GAN(g, d, 8, seed=0, **kwargs)
    model.compile(d_optimizer=keras.optimizers.SGD(0.0), g_optimizer="adam")
    return model


# Lazy R1 ----------------------------------------------------------------------------------


def test_lazy_r1_every_k_steps_weighted_by_k():
    # D(x) = <w, x>: R1 = |w|^2 on the steps it is computed (steps 0 and 4 of 8).
    w = np.random.default_rng(6).normal(0, 0.2, (256, 1)).astype("float32")
    norm2 = float(np.sum(w.astype("float64") ** 2))
    model = _linear_d_gan(r1_weight=0.5, r1_interval=4, loss="wasserstein", gp_weight=0.0)
    model.discriminator.get_layer("logits").set_weights([w, np.zeros(1, "float32")])
    x = images(64)
    history = model.fit(x, batch_size=8, epochs=1, verbose=0, shuffle=False).history
    assert history["r1_penalty"][0] == pytest.approx(norm2, rel=1e-5)  # averaged over due steps only
    # d_loss = E[D(fake)] - E[D(real)] + 0.5 * 4 * R1 on 2 of 8 steps.
    flat = x.reshape(8, 8, -1) @ w
    fakes = history["d_fake"][0]
    main = fakes - float(flat.mean())
    assert history["d_loss"][0] == pytest.approx(main + 0.5 * 4 * norm2 * 2 / 8, rel=1e-4)


def test_lazy_adam_settings():
    lr, b1, b2 = penalties.lazy_adam(2e-3, 0.0, 0.99, 16)
    assert lr == pytest.approx(2e-3 * 16 / 17) and b1 == 0.0 and b2 == pytest.approx(0.99 ** (16 / 17))


# One generator forward per step -------------------------------------------------------------


class CountCalls(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.calls = self.add_weight(shape=(), initializer="zeros", trainable=False, name="calls")

    def call(self, x, training=False):
        if training:
            self.calls.assign_add(1.0)
        return x


@pytest.mark.parametrize("reuse,per_step", [(False, 2), (True, 1)])
def test_reuse_fakes_runs_the_generator_once_per_step(reuse, per_step):
    g = kgan.models.dcgan_generator(8, 16, 1, base_filters=4)
    counter = CountCalls(name="count")
    counted = keras.Model(g.input, counter(g.output))
    model = kgan.GAN(counted, gan(compile=False).discriminator, 8, seed=0, reuse_fakes=reuse)
    model.compile()
    history = model.fit(images(32), batch_size=8, epochs=1, verbose=0).history
    assert float(counter.calls) == 4 * per_step
    assert all(math.isfinite(v) for v in history["g_loss"])
    assert int(model.g_optimizer.iterations) == int(model.d_optimizer.iterations) == 4
    with pytest.raises(ValueError, match="Expected d_steps=1 with reuse_fakes=True"):
        kgan.GAN(g, gan(compile=False).discriminator, 8, d_steps=2, reuse_fakes=True)
