"""`kgan.Pix2Pix` meets the family contract (tests/harness.py): instance norm with EMA, batch norm."""

import numpy as np

import tiny_pix2pix
from harness import FamilyCase
from harness import FamilyContract
from harness import slow_contract_tests


def _inputs():
    return {"source": np.random.default_rng(4).uniform(-1, 1, (5, tiny_pix2pix.SIZE, tiny_pix2pix.SIZE, 3)).astype("float32")}


# Slow: the same four checks stay fast for this family on the batch-norm case below, and for instance
# norm with averaged generators in test_cyclegan_contract.py (the whole contract, fast); besides,
# test_pix2pix_cli.py trains, loads and exports (parity-checked) a pix2pix with instance norm and an EMA.
@slow_contract_tests(
    "test_resume_from_a_checkpoint_equals_the_uninterrupted_run",
    "test_keras_save_and_load_keep_every_optimizer_and_continue",
    "test_export_reproduces_the_exported_network",
    "test_serving_round_trip",
)
class TestPix2PixInstanceNormWithEMA(FamilyContract):
    case = FamilyCase(
        "instance_ema", lambda: tiny_pix2pix.model("instance", ema_half_life=50), tiny_pix2pix.pairs(), 8, _inputs
    )


class TestPix2PixBatchNorm(FamilyContract):
    case = FamilyCase("batch", lambda: tiny_pix2pix.model("batch"), tiny_pix2pix.pairs(), 8, _inputs)
