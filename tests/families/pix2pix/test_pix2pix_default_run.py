"""The default `kgan train --family pix2pix` should restore held-out photos (slow: ~4-9 min; `--runslow`).

The fast version of this run is `test_pix2pix_cli.py` (the same command on a tiny folder).
"""

import os
import sys

import pytest

from kgan import training
from kgan.data import photo_restoration

TOOLS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "tools")
# The restored held-out crops must be better than the degraded input itself (the identity baseline).
# Measured (tools/bench_translation.py, seed 0): 24.75 dB / SSIM 0.661 against the input's 23.55 dB / 0.540.
PSNR_GAIN = 0.5  # dB
SSIM_GAIN = 0.05


@pytest.mark.slow
def test_default_run_beats_the_degraded_input(tmp_path):
    sys.path.insert(0, TOOLS)
    import bench_translation

    model, _ = training.train(training.TrainConfig(family="pix2pix", run_dir=str(tmp_path / "run"), export=False), verbose=0)
    source, target = photo_restoration.load("test", model.image_size)
    identity = bench_translation.restoration_scores(source, target)
    restored = bench_translation.restoration_scores(model.translate(source), target)
    assert restored["psnr"] > identity["psnr"] + PSNR_GAIN and restored["ssim"] > identity["ssim"] + SSIM_GAIN
