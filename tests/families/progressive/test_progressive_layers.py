"""ProGAN's layers: equalised learning rate, pixel norm, minibatch stddev, fade, clip (by hand)."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from kgan.models import progressive_layers as pl


def _assign(layer, kernel, bias):
    layer.kernel.assign(kernel)
    layer.bias.assign(bias)


# Equalised learning rate ---------------------------------------------------------------


def test_equalized_dense_scales_its_n01_weights_by_he_constant():
    layer = pl.EqualizedDense(2, gain=math.sqrt(2))
    layer.build((None, 8))
    kernel = np.arange(16, dtype="float32").reshape(8, 2) / 10
    _assign(layer, kernel, np.array([0.5, -1.0], "float32"))
    x = np.linspace(-1, 1, 24, dtype="float32").reshape(3, 8)
    c = math.sqrt(2) / math.sqrt(8)  # gain / sqrt(fan_in) = 0.5
    assert layer.runtime_scale == pytest.approx(0.5)
    np.testing.assert_allclose(layer(x), x @ (kernel * c) + [0.5, -1.0], rtol=1e-5)


def test_equalized_conv_uses_kernel_times_gain_over_sqrt_k2_cin():
    layer = pl.EqualizedConv2D(1, 3, gain=1.0)
    layer.build((None, 4, 4, 2))
    kernel = np.random.default_rng(0).standard_normal((3, 3, 2, 1)).astype("float32")
    _assign(layer, kernel, np.array([0.25], "float32"))
    x = np.random.default_rng(1).standard_normal((2, 4, 4, 2)).astype("float32")
    c = 1.0 / math.sqrt(3 * 3 * 2)
    reference = tf.nn.conv2d(x, kernel * c, strides=1, padding="SAME") + 0.25
    np.testing.assert_allclose(layer(x), reference, rtol=1e-5, atol=1e-6)
    # The centre output pixel of the first example, written out.
    patch = x[0, 0:3, 0:3, :]
    assert float(layer(x)[0, 1, 1, 0]) == pytest.approx(float((patch * kernel[..., 0]).sum() * c + 0.25), rel=1e-5)


def test_equalized_and_plain_layers_start_as_the_same_distribution():
    keras.utils.set_random_seed(0)
    equalized = pl.EqualizedConv2D(64, 3, equalized=True)
    plain = pl.EqualizedConv2D(64, 3, equalized=False)
    equalized.build((None, 8, 8, 32))
    plain.build((None, 8, 8, 32))
    c = math.sqrt(2) / math.sqrt(9 * 32)
    assert np.std(np.asarray(equalized.kernel)) == pytest.approx(1.0, rel=0.03)  # stored N(0, 1)
    assert np.std(np.asarray(plain.kernel)) == pytest.approx(c, rel=0.03)  # stored N(0, c^2)
    assert (equalized.runtime_scale, plain.runtime_scale) == (pytest.approx(c), 1.0)


def test_adam_moves_every_equalized_layer_at_the_same_relative_speed():
    """Adam's first step moves a stored weight by lr * sign(g): the effective weight by lr * c.

    Relative to its scale c, every layer's effective weights then move by lr,
    whatever their fan-in: the point of the equalised learning rate. Without
    it, the relative step is lr / c, larger for layers of larger fan-in.
    """
    lr = 1e-3
    relative_steps = {}
    for equalized in (True, False):
        for fan_in in (4, 64):
            layer = pl.EqualizedDense(1, equalized=equalized, use_bias=False)
            layer.build((None, fan_in))
            before = np.array(layer.kernel)
            optimizer = keras.optimizers.Adam(lr, beta_1=0.0, beta_2=0.99, epsilon=1e-8)
            x = np.ones((1, fan_in), "float32")
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(layer(x))
            optimizer.apply(tape.gradient(loss, layer.trainable_variables), layer.trainable_variables)
            step = (before - np.asarray(layer.kernel)) * layer.runtime_scale  # of the effective weights
            c = layer.he_constant(fan_in)
            np.testing.assert_allclose(step, lr * layer.runtime_scale, rtol=1e-3)
            relative_steps[equalized, fan_in] = float(step.mean()) / c
    assert relative_steps[True, 4] == pytest.approx(lr, rel=1e-3)
    assert relative_steps[True, 64] == pytest.approx(lr, rel=1e-3)
    assert relative_steps[False, 64] / relative_steps[False, 4] == pytest.approx(4.0, rel=1e-3)  # sqrt(64 / 4)


# Pixel norm ---------------------------------------------------------------------------


def test_pixel_normalization_divides_each_pixel_by_its_rms():
    x = np.array([[[[3.0, 4.0], [0.0, 2.0]]]], "float32")  # (1, 1, 2, 2)
    out = np.asarray(pl.PixelNormalization(epsilon=1e-8)(x))
    # rms of (3, 4) = sqrt(12.5); of (0, 2) = sqrt(2).
    np.testing.assert_allclose(out[0, 0, 0], np.array([3, 4]) / math.sqrt(12.5), rtol=1e-6)
    np.testing.assert_allclose(out[0, 0, 1], np.array([0, 2]) / math.sqrt(2.0), rtol=1e-6)


# Minibatch standard deviation -----------------------------------------------------------


def test_minibatch_stddev_by_hand():
    # Four examples of 1x2 pixels, 1 channel; group size 2 -> groups {0, 2} and {1, 3}.
    x = np.array([[1.0, 2.0], [0.0, 0.0], [3.0, 6.0], [1.0, 5.0]], "float32").reshape(4, 1, 2, 1)
    out = np.asarray(pl.MinibatchStdDev(group_size=2, epsilon=0.0)(x))
    assert out.shape == (4, 1, 2, 2)
    np.testing.assert_array_equal(out[..., :1], x)  # the features pass through
    # Group {0, 2}: pixel stds |1 - 3| / 2 = 1 and |2 - 6| / 2 = 2 -> 1.5.
    # Group {1, 3}: |0 - 1| / 2 = 0.5 and |0 - 5| / 2 = 2.5 -> 1.5 as well; change one value to tell them apart.
    x[3, 0, 1, 0] = 9.0  # |0 - 9| / 2 = 4.5 -> (0.5 + 4.5) / 2 = 2.5
    out = np.asarray(pl.MinibatchStdDev(group_size=2, epsilon=0.0)(x))
    np.testing.assert_allclose(out[..., 1], [[[1.5, 1.5]], [[2.5, 2.5]], [[1.5, 1.5]], [[2.5, 2.5]]], rtol=1e-6)


def test_minibatch_stddev_whole_batch_when_smaller_than_the_group():
    x = np.array([0.0, 2.0], "float32").reshape(2, 1, 1, 1)
    out = np.asarray(pl.MinibatchStdDev(group_size=4, epsilon=0.0)(x))
    np.testing.assert_allclose(out[..., 1].ravel(), [1.0, 1.0])  # std of (0, 2)
    single = np.asarray(pl.MinibatchStdDev(group_size=4, epsilon=1e-8)(x[:1]))
    np.testing.assert_allclose(single[..., 1], 1e-4, rtol=1e-3)  # a batch of one: sqrt(epsilon)


def test_minibatch_stddev_groups_a_batch_it_does_not_divide_by_its_largest_divisor():
    # 6 examples, group_size 4 -> groups of 3: {0, 2, 4} and {1, 3, 5}.
    x = np.array([0.0, 1.0, 3.0, 1.0, 6.0, 1.0], "float32").reshape(6, 1, 1, 1)
    layer = pl.MinibatchStdDev(group_size=4, epsilon=0.0)
    assert [layer.groups(n) for n in (8, 6, 5, 2, 1)] == [4, 3, 1, 2, 1]
    expected = np.array([np.std([0, 3, 6]), 0.0] * 3)
    np.testing.assert_allclose(np.asarray(layer(x))[..., 1].ravel(), expected, rtol=1e-6)
    dynamic = tf.function(layer.call, input_signature=[tf.TensorSpec((None, 1, 1, 1))])
    np.testing.assert_allclose(np.asarray(dynamic(x))[..., 1].ravel(), expected, rtol=1e-6)


def test_minibatch_stddev_is_batch_coupled_and_stop_gradient_keeps_the_value():
    assert pl.MinibatchStdDev.batch_coupled is True
    x = tf.constant(np.random.default_rng(0).standard_normal((4, 2, 2, 3)).astype("float32"))
    coupled, constant = pl.MinibatchStdDev(2), pl.MinibatchStdDev(2, stop_gradient=True)
    np.testing.assert_array_equal(coupled(x), constant(x))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        a = tf.reduce_sum(coupled(x)[0, ..., -1])  # example 0's statistic
        b = tf.reduce_sum(constant(x)[0, ..., -1])
    # The statistic of example 0 depends on example 2 (its group), unless held constant.
    assert float(tf.reduce_sum(tf.abs(tape.gradient(a, x)[2]))) > 0
    assert tape.gradient(b, x) is None or float(tf.reduce_sum(tf.abs(tape.gradient(b, x)))) == 0.0


# Fade, clip, resampling -----------------------------------------------------------------


def test_fade_clip_and_resampling_by_hand():
    low, high = np.full((1, 2, 2, 1), 2.0, "float32"), np.full((1, 2, 2, 1), 6.0, "float32")
    np.testing.assert_allclose(pl.Fade(0.25)([low, high]), 3.0)  # 2 + 0.25 * (6 - 2)
    np.testing.assert_allclose(pl.Clip()(np.array([-3.0, 0.5, 2.0], "float32")), [-1.0, 0.5, 1.0])
    image = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    np.testing.assert_allclose(np.asarray(pl.downsample(image))[0, ..., 0], [[2.5, 4.5], [10.5, 12.5]])
    np.testing.assert_allclose(np.asarray(pl.downsample(image, 4)).ravel(), [7.5])
    np.testing.assert_array_equal(np.asarray(pl.upsample(image[:, :2, :2]))[0, ..., 0], [[0, 0, 1, 1]] * 2 + [[4, 4, 5, 5]] * 2)
    # Box-downsampling undoes nearest upsampling exactly.
    np.testing.assert_array_equal(pl.downsample(pl.upsample(image, 4), 4), image)


@pytest.mark.parametrize(
    "layer",
    [
        pl.EqualizedDense(3, gain=1.0, use_bias=False, equalized=False),
        pl.EqualizedConv2D(4, 1, gain=2.0),
        pl.PixelNormalization(epsilon=1e-6),
        pl.MinibatchStdDev(group_size=2, stop_gradient=True, epsilon=1e-6),
        pl.MaxLeakyReLU(0.1),
        pl.Fade(0.3),
        pl.Clip(-2.0, 2.0),
    ],
    ids=lambda layer: type(layer).__name__,
)
def test_layers_round_trip_through_their_config(layer):
    config = layer.get_config()
    copy = type(layer).from_config(config)
    assert copy.get_config() == config
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(restored) is type(layer) and restored.get_config() == config


def test_max_leaky_relu_equals_keras_leaky_relu():
    x = np.linspace(-3, 3, 13, dtype="float32")
    np.testing.assert_allclose(pl.MaxLeakyReLU(0.2)(x), keras.layers.LeakyReLU(0.2)(x), rtol=1e-6)


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda: pl.EqualizedDense(0), "units"),
        (lambda: pl.EqualizedConv2D(4, 3, gain=0.0), "gain"),
        (lambda: pl.MinibatchStdDev(group_size=0), "group_size"),
        (lambda: pl.Fade(1.5), "alpha"),
        (lambda: pl.Clip(1.0, -1.0), "low < high"),
    ],
)
def test_bad_arguments_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()
