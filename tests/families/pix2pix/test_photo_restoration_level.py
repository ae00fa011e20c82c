"""The degradation of the embedded `photo_restoration` demo: its noise level and its held-out split's scores."""

import os
import sys

import numpy as np
import pytest

from kgan.data import photo_restoration

TOOLS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "tools")


def test_the_sensor_noise_has_the_documented_standard_deviation():
    # On flat grey 128 the noise is all that changes (rounded to integers; 128 +- 5 sigma never reaches the
    # clip), so the sample's standard deviation is 25 within a few standard errors (25 / sqrt(2 * 49152) = 0.08).
    assert (photo_restoration.BLUR_RADIUS, photo_restoration.NOISE_STD, photo_restoration.JPEG_QUALITY) == (1.0, 25.0, 30)
    grey = np.full((128, 128, 3), 128, np.uint8)
    noisy = photo_restoration.add_noise(grey.astype(np.float32), np.random.default_rng(0)).astype(np.float64)
    assert abs(noisy.mean() - 128) < 0.4 and abs(noisy.std() - 25.0) < 0.3
    np.testing.assert_array_equal(photo_restoration.blur(grey), grey)  # a flat image stays flat
    edge = np.zeros((9, 9, 3), np.uint8)
    edge[:, 5:] = 255
    blurred = photo_restoration.blur(edge)
    assert 0 < blurred[4, 4, 0] < 128 < blurred[4, 5, 0] < 255  # a step is softened on both sides


def test_degrade_is_blur_then_noise_then_jpeg():
    image = np.random.default_rng(1).integers(0, 256, (16, 16, 3)).astype(np.uint8)
    expected = photo_restoration.compress(photo_restoration.add_noise(photo_restoration.blur(image),
                                                                      np.random.default_rng(2)))
    np.testing.assert_array_equal(photo_restoration.degrade(image, np.random.default_rng(2)), expected)


def test_the_held_out_split_is_the_measured_one():
    # The figures the demo is measured against (tools/bench_translation.py's identity row): a change of the
    # degradation, the crops or the split's seed changes them, and must be a documented change.
    sys.path.insert(0, TOOLS)
    import bench_translation

    source, target = photo_restoration.load("test", image_size=32)
    assert source.shape == target.shape == (200, 32, 32, 3)
    identity = bench_translation.restoration_scores(source, target)
    assert identity["l1"] == pytest.approx(0.1030, abs=5e-4)
    assert identity["psnr"] == pytest.approx(23.55, abs=0.01)
    assert identity["ssim"] == pytest.approx(0.540, abs=1e-3)
