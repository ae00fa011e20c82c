"""The pix2pix objective by hand: loss functions, and one train step of networks simple enough to compute."""

import keras
import numpy as np
import pytest

import kgan
from kgan.families.pix2pix import losses


def softplus(x):
    return np.log1p(np.exp(x))


def test_discriminator_loss_is_half_the_cross_entropy_over_patches():
    real = np.array([[[[2.0], [-1.0]], [[0.5], [0.0]]]], "float32")  # (1, 2, 2, 1) patch logits
    fake = np.array([[[[-3.0], [1.0]], [[0.0], [0.25]]]], "float32")
    expected = 0.5 * (np.mean(softplus(-real)) + np.mean(softplus(fake)))
    np.testing.assert_allclose(float(losses.discriminator_loss(real, fake)), expected, rtol=1e-6)
    np.testing.assert_allclose(float(losses.generator_adversarial_loss(fake)), np.mean(softplus(-fake)), rtol=1e-6)


def test_l1_is_the_mean_absolute_difference():
    target = np.array([[[[1.0, -1.0]]], [[[0.5, 0.0]]]], "float32")
    output = np.array([[[[0.0, -1.0]]], [[[-0.5, 0.25]]]], "float32")
    assert float(losses.l1_loss(target, output)) == pytest.approx((1 + 0 + 1 + 0.25) / 4)


def _constant_generator(value):
    """G(source) = tanh(value) everywhere: a 1x1 convolution with a zero kernel and bias `value`."""
    source = keras.Input((None, None, 1), name="source")
    conv = keras.layers.Conv2D(1, 1, name="conv")
    images = keras.layers.Activation("tanh", name="images")(conv(source))
    model = keras.Model(source, images)
    conv.set_weights([np.zeros((1, 1, 1, 1), "float32"), np.array([value], "float32")])
    return model


def _linear_discriminator(w_source, w_image, bias):
    """D(source, image) = w_source * source + w_image * image + bias, per pixel (a patch logit map)."""
    source = keras.Input((None, None, 1), name="source")
    images = keras.Input((None, None, 1), name="images")
    both = keras.layers.Concatenate()([source, images])
    conv = keras.layers.Conv2D(1, 1, name="logits")
    model = keras.Model([source, images], conv(both))
    conv.set_weights([np.array([w_source, w_image], "float32").reshape(1, 1, 2, 1), np.array([bias], "float32")])
    return model


def test_one_step_of_simple_networks_reports_the_hand_computed_losses():
    rng = np.random.default_rng(0)
    source = rng.uniform(-1, 1, (4, 3, 3, 1)).astype("float32")
    target = rng.uniform(-1, 1, (4, 3, 3, 1)).astype("float32")
    b, (ws, wi, c) = 0.3, (0.5, -1.5, 0.2)
    model = kgan.Pix2Pix(_constant_generator(b), _linear_discriminator(ws, wi, c), jitter=False, seed=0)
    # D keeps its weights (learning rate 0), so G's phase sees the same D; G learns with SGD.
    model.compile(d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.1))
    logs = model.fit(source, target, batch_size=4, epochs=1, verbose=0).history
    fake = np.tanh(b)
    real_logits = ws * source + wi * target + c
    fake_logits = ws * source + wi * fake + c
    d_loss = 0.5 * (np.mean(softplus(-real_logits)) + np.mean(softplus(fake_logits)))
    adversarial = np.mean(softplus(-fake_logits))
    l1 = np.mean(np.abs(target - fake))
    np.testing.assert_allclose(logs["d_loss"][0], d_loss, rtol=1e-5)
    np.testing.assert_allclose(logs["g_adversarial"][0], adversarial, rtol=1e-5)
    np.testing.assert_allclose(logs["l1"][0], l1, rtol=1e-5)
    np.testing.assert_allclose(logs["g_loss"][0], adversarial + 100 * l1, rtol=1e-5)
    np.testing.assert_allclose(logs["d_real"][0], np.mean(1 / (1 + np.exp(-real_logits))), rtol=1e-5)
    # G's gradient on its bias: d/dfake [softplus(-logit) + 100 |target - fake|] averaged, times tanh'(b).
    per_pixel = -wi / (1 + np.exp(fake_logits)) + 100 * np.sign(fake - target)
    grad = np.mean(per_pixel) * (1 - fake**2)
    new_bias = model.generator.get_layer("conv").get_weights()[1][0]
    np.testing.assert_allclose(new_bias, b - 0.1 * grad, rtol=1e-5)


def test_bad_batches_and_networks_are_refused():
    g, d = _constant_generator(0.0), _linear_discriminator(1.0, 1.0, 0.0)
    model = kgan.Pix2Pix(g, d, jitter=False)
    with pytest.raises(ValueError, match=r"expects \(source, target\) batches"):
        model.prepare_batch({"source": np.zeros((2, 4, 4, 1), "float32")})
    with pytest.raises(ValueError, match="same height and width"):
        model.prepare_batch({"source": np.zeros((2, 4, 4, 1), "float32"), "target": np.zeros((2, 6, 6, 1), "float32")})
    with pytest.raises(ValueError, match="inputs named 'source' and 'images'"):
        kgan.Pix2Pix(g, _constant_generator(0.0))
    small = kgan.Pix2Pix(g, d, image_size=8)
    with pytest.raises(ValueError, match="at least 8 x 8"):
        small.prepare_batch({"source": np.zeros((2, 4, 4, 1), "float32"), "target": np.zeros((2, 4, 4, 1), "float32")})
    bn_g = kgan.models.unet_generator(1, image_size=8, base_filters=2, normalization="batch")
    with pytest.raises(ValueError, match="without batch norm for an EMA"):
        kgan.Pix2Pix(bn_g, d, ema_half_life=100)
