"""`kgan.CycleGAN` meets the family contract (tests/harness.py): four optimizers, pools, EMA, both directions."""

import numpy as np

import tiny_cyclegan
from harness import FamilyCase
from harness import FamilyContract


def _inputs():
    size = tiny_cyclegan.SIZE
    return {"source": np.random.default_rng(4).uniform(-1, 1, (5, size, size, 3)).astype("float32")}


class TestCycleGAN(FamilyContract):
    # A pool of 3 fills within the first step and then swaps: the resume check covers its state.
    # 8 examples in batches of 4: two steps an epoch (tracing the step, once per model, is what costs).
    case = FamilyCase("cyclegan", tiny_cyclegan.model, tiny_cyclegan.domains(8), 4, _inputs)
