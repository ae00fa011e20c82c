"""`kgan.ProgressiveGAN` without labels meets the family contract (see test_progressive_contract.py).

Slow (opt in with --runslow): each contract check traces a fresh model's
compiled step, and the conditional contract already runs them all (with
eager steps). Its fast tiny versions without labels: test_progressive_model.py
(fit through every phase), test_progressive_export.py (export parity) and
test_progressive_penalty.py.
"""

import functools

import pytest

import progressive_cases as cases
from harness import FamilyCase
from harness import FamilyContract

pytestmark = pytest.mark.slow


class TestUnconditionalProgressiveGAN(FamilyContract):
    case = FamilyCase(
        "unconditional",
        functools.partial(cases.model, None, fade_images=24, stabilize_images=8, size=8, run_eagerly=False),
        cases.examples(size=8),
        8,
        functools.partial(cases.export_inputs, None),
    )
