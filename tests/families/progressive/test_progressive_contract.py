"""`kgan.ProgressiveGAN` meets the family contract (tests/harness.py) on a tiny conditional 4 -> 8 run.

8 px (two levels) and eager steps (see `progressive_cases.model`) keep the
contract's many fresh models cheap; the `.keras` check still continues the
loaded model with its compiled step. The 4 -> 8 -> 16 runs are in
test_progressive_model.py, test_progressive_resume.py and
test_progressive_export.py. 16 examples in batches of 8, S = 8 and F = 16:
the steps see 0 (4x4), 8 (fade in 8x8, alpha 0) | 16 (alpha 1/2), 24 (8x8)
images, so every block's kernels train, the resume check cuts the run
mid-fade and the export is the mid-fade generator.
(Without labels: test_progressive_contract_unconditional.py.)
"""

import functools

import progressive_cases as cases
from harness import FamilyCase
from harness import FamilyContract


class TestConditionalProgressiveGAN(FamilyContract):
    case = FamilyCase(
        "conditional",
        functools.partial(cases.model, 3, fade_images=16, stabilize_images=8, size=8),
        cases.examples(16, num_classes=3, size=8),
        8,
        functools.partial(cases.export_inputs, 3),
    )
