"""The measures of tools/bench_translation.py, on hand-computed values (the runs themselves are too slow for tests)."""

import os
import sys

import numpy as np
import pytest

TOOLS = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "tools"))
sys.path.insert(0, TOOLS)

import bench_translation  # noqa: E402


def test_restoration_scores_of_an_exact_and_an_offset_output():
    target = np.random.default_rng(0).uniform(-0.5, 0.5, (3, 16, 16, 3)).astype("float32")
    exact = bench_translation.restoration_scores(target, target)
    assert exact["l1"] == 0.0 and exact["psnr"] == pytest.approx(100.0) and exact["ssim"] == pytest.approx(1.0)
    # +0.2 on [-1, 1] is +0.1 on [0, 1] (no clipping here): L1 0.2, MSE 0.01, PSNR 10 log10(1 / 0.01) = 20 dB.
    offset = bench_translation.restoration_scores(target + 0.2, target)
    assert offset["l1"] == pytest.approx(0.2, abs=1e-6)
    assert offset["psnr"] == pytest.approx(20.0, abs=1e-3)
    assert offset["ssim"] < 1.0


def test_digit_features_read_images_as_the_8x8_digits():
    white = np.ones((2, 32, 32, 3), "float32")
    features = bench_translation.digit_features(np.concatenate([-white, white]))
    assert features.shape == (4, 64)
    np.testing.assert_allclose(features[:2], 0.0, atol=1e-5)  # black -> 0, the digits' background
    np.testing.assert_allclose(features[2:], 16.0, atol=1e-5)  # white -> 16, full ink
    # Colour is read as grey: the mean of the channels.
    red = np.concatenate([np.ones((1, 32, 32, 1)), -np.ones((1, 32, 32, 2))], axis=-1).astype("float32")
    np.testing.assert_allclose(bench_translation.digit_features(red), 8.0 * (1 - 1 / 3), atol=1e-5)


def test_the_tables_show_every_baseline_next_to_the_model():
    scores = {"l1": 0.1, "psnr": 25.0, "ssim": 0.8}
    report = {"quality": {
        "pix2pix": {"runs": [{"seconds": 60, "identity": scores, "l1_only_unet": scores, "pix2pix": scores}] * 2},
        "cyclegan": {"runs": [{"seconds": 120, "real_digits": 0.98, "untranslated": 0.3, "translated_b2a": 0.7}]},
    }}
    table = bench_translation.format_tables(report)
    for row in ("identity", "l1_only_unet", "pix2pix", "untranslated", "translated to digits (b2a)"):
        assert row in table
    assert "70.0" in table and "25.00 ± 0.00" in table
