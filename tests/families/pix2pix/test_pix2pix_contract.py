"""`kgan.Pix2Pix` meets the family contract (tests/harness.py): instance norm with EMA, batch norm."""

import numpy as np

import tiny_pix2pix
from harness import FamilyCase
from harness import FamilyContract


def _inputs():
    return {"source": np.random.default_rng(4).uniform(-1, 1, (5, tiny_pix2pix.SIZE, tiny_pix2pix.SIZE, 3)).astype("float32")}


class TestPix2PixInstanceNormWithEMA(FamilyContract):
    case = FamilyCase(
        "instance_ema", lambda: tiny_pix2pix.model("instance", ema_half_life=50), tiny_pix2pix.pairs(), 8, _inputs
    )


class TestPix2PixBatchNorm(FamilyContract):
    case = FamilyCase("batch", lambda: tiny_pix2pix.model("batch"), tiny_pix2pix.pairs(), 8, _inputs)
