"""`kgan.ProgressiveGAN` meets the family contract (tests/harness.py) on a tiny conditional 4 -> 8 run.

8 px (two levels) keeps the contract's many fresh compiled steps cheap; the
4 -> 8 -> 16 runs are in test_progressive_model.py, test_progressive_resume.py
and test_progressive_export.py. 24 examples in batches of 8, S = 8 and F = 24:
the steps see 0 (4x4), 8 (fade in 8x8, alpha 0), 16 (alpha 1/3) | 24 (alpha
2/3), 32, 40 (8x8) images, so every block's kernels train and the resume
check cuts the run mid-fade. (Without labels: test_progressive_contract_unconditional.py.)
"""

import functools

import progressive_cases as cases
from harness import FamilyCase
from harness import FamilyContract


class TestConditionalProgressiveGAN(FamilyContract):
    case = FamilyCase(
        "conditional",
        functools.partial(cases.model, 3, fade_images=24, stabilize_images=8, size=8),
        cases.examples(num_classes=3, size=8),
        8,
        functools.partial(cases.export_inputs, 3),
    )
