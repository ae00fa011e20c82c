"""The family's losses and scores, against values computed by hand."""

import math

import numpy as np
import pytest
import tensorflow as tf

from kgan.families.super_resolution import losses
from kgan.families.super_resolution import quality


def _log_sigmoid(x):
    return -math.log1p(math.exp(-x))


def test_relativistic_average_losses_on_known_logits():
    real, fake = [2.0, 0.0], [1.0, -1.0]
    # mean(real) = 1, mean(fake) = 0: relativistic logits real - 0 = [2, 0], fake - 1 = [0, -2].
    d = -(
        (_log_sigmoid(2.0) + _log_sigmoid(0.0)) / 2  # log D_Ra(x_r, x_f)
        + (_log_sigmoid(-0.0) + _log_sigmoid(2.0)) / 2  # log(1 - D_Ra(x_f, x_r)) = log sigmoid(-[0, -2])
    ) / 2
    g = -(
        (_log_sigmoid(-2.0) + _log_sigmoid(-0.0)) / 2  # log(1 - D_Ra(x_r, x_f))
        + (_log_sigmoid(0.0) + _log_sigmoid(-2.0)) / 2  # log D_Ra(x_f, x_r)
    ) / 2
    assert float(losses.relativistic_average_discriminator_loss(real, fake)) == pytest.approx(d, rel=1e-6)
    assert float(losses.relativistic_average_generator_loss(real, fake)) == pytest.approx(g, rel=1e-6)
    # (batch, 1) logits, as D returns them, give the same values.
    column = tf.constant([[2.0], [0.0]]), tf.constant([[1.0], [-1.0]])
    assert float(losses.discriminator_loss("relativistic_average")(*column)) == pytest.approx(d, rel=1e-6)


def test_relativistic_average_losses_are_log_2_when_every_logit_is_equal():
    same = [0.4, 0.4, 0.4]
    assert float(losses.relativistic_average_discriminator_loss(same, same)) == pytest.approx(math.log(2.0), rel=1e-6)
    assert float(losses.relativistic_average_generator_loss(same, same)) == pytest.approx(math.log(2.0), rel=1e-6)


def test_standard_losses_on_known_logits():
    real, fake = [2.0], [-1.0]
    d = -_log_sigmoid(2.0) - _log_sigmoid(1.0)
    assert float(losses.standard_discriminator_loss(real, fake)) == pytest.approx(d, rel=1e-6)
    assert float(losses.standard_generator_loss(real, fake)) == pytest.approx(-_log_sigmoid(-1.0), rel=1e-6)


def test_pixel_losses_are_in_unit_range_units():
    sr = np.array([[[[1.0, -1.0]]]], "float32")  # two values, errors 0.5 and 1.5 in [-1, 1]
    hr = np.array([[[[0.5, 0.5]]]], "float32")
    # In [0, 1] units the errors are 0.25 and 0.75.
    assert float(losses.pixel_loss(sr, hr, "l1")) == pytest.approx((0.25 + 0.75) / 2)
    assert float(losses.pixel_loss(sr, hr, "l2")) == pytest.approx((0.25**2 + 0.75**2) / 2)
    with pytest.raises(ValueError, match="Expected `pixel_loss`"):
        losses.pixel_loss(sr, hr, "l3")


def test_training_psnr_metric():
    hr = np.zeros((2, 4, 4, 3), "float32")
    sr = hr + np.array([0.2, 0.02], "float32").reshape(2, 1, 1, 1)  # 0.1 and 0.01 in [0, 1]
    assert float(losses.psnr(sr, hr)) == pytest.approx((20.0 + 40.0) / 2, rel=1e-5)


def test_psnr_on_the_y_channel_with_the_border_shaved():
    a = np.full((10, 10, 3), 100, "uint8")
    b = a.copy()
    b[2:-2, 2:-2, 1] += 10  # G changes by 10 inside: Y by 10 * 128.553 / 255
    b[0, :, :] = 0  # a border row, shaved away
    mse = (10 * 128.553 / 255) ** 2
    assert quality.psnr(a, b, border=2) == pytest.approx(10 * math.log10(255**2 / mse), rel=1e-9)
    assert quality.psnr(a, a, border=2) == float("inf")
    gray = np.full((6, 6, 1), 50, "uint8")
    assert quality.psnr(gray, gray + 5, border=1) == pytest.approx(10 * math.log10(255**2 / 25), rel=1e-9)


def test_luminance_is_bt601_as_matlab_rgb2ycbcr():
    pixels = np.array([[[0, 0, 0], [255, 255, 255], [255, 0, 0]]], "uint8")
    np.testing.assert_allclose(quality.luminance(pixels), [[16.0, 235.0, 16.0 + 65.481]], atol=1e-9)


def test_ssim_against_its_formula_on_flat_images():
    # Flat images: only the luminance term remains, (2 mu_a mu_b + C1) / (mu_a^2 + mu_b^2 + C1), C1 = (0.01 * 255)^2.
    a, b = np.full((16, 16, 1), 100, "uint8"), np.full((16, 16, 1), 110, "uint8")
    c1 = (0.01 * 255) ** 2
    assert quality.ssim(a, b, border=2) == pytest.approx((2 * 100 * 110 + c1) / (100**2 + 110**2 + c1), rel=1e-9)
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (32, 32, 3), dtype="uint8")
    assert quality.ssim(image, image, border=4) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="Expected two images of one shape"):
        quality.ssim(image, image[:-1])
