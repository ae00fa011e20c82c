"""Exact resume of a 4 -> 8 -> 16 progressive GAN from a checkpoint written mid-fade of its middle level.

Slow (opt in with --runslow; it runs the compiled step, three models each
tracing it): the same check on a smaller case stays fast,
the contract's test_resume_from_a_checkpoint_equals_the_uninterrupted_run
(test_progressive_contract.py: 4 -> 8, cut mid-fade); that a checkpoint (and
a `.keras` file) restores the phase and the samples is
test_progressive_export.py::test_mid_training_keras_file_checkpoint_and_export_keep_the_current_resolution.
"""

import numpy as np
import pytest
import tensorflow as tf

import kgan
import progressive_cases as cases
from harness import FamilyCase
from harness import fit
from harness import full_state

pytestmark = pytest.mark.slow


def _case(model_fn, n, num_classes=None):
    return FamilyCase("case", model_fn, cases.examples(n, num_classes), 8, None)


def test_resume_mid_fade_equals_the_uninterrupted_run(tmp_path):
    tf.config.experimental.enable_op_determinism()
    # S = 8, F = 32, two steps of 8 per epoch: the steps see 0, 8, 16, 24 | 32, 40 images;
    # fading in 8x8 runs from 8 to 40, so the cut after epoch 2 falls at alpha 0.75.
    make = lambda: cases.model(2, fade_images=32, stabilize_images=8, run_eagerly=False)  # noqa: E731
    case = _case(make, 16, num_classes=2)
    full = make()
    fit(full, case, epochs=3)
    cut = make()
    fit(cut, case, epochs=2, callbacks=[kgan.callbacks.FullStateCheckpoint(str(tmp_path))])
    resumed = make()
    assert kgan.callbacks.restore_latest(resumed, str(tmp_path)) == 2
    assert resumed.position() == (1, 0.75)
    assert resumed.growth()["phase"] == "fade in 8x8"
    fit(resumed, case, epochs=3, initial_epoch=2)
    expected, actual = full_state(full), full_state(resumed)
    assert actual.keys() == expected.keys()
    assert "images_seen/0" in expected and "ema_generator/0" in expected
    for key, value in expected.items():
        np.testing.assert_array_equal(actual[key], value, err_msg=key)
    assert resumed.growth() == full.growth() and full.position() == (2, 0.0)  # 48 images: 16x16 starts to fade in
