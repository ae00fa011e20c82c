"""Exact resume of a progressive GAN in any phase: checkpoints mid-fade and `.keras` files."""

import keras
import numpy as np
import tensorflow as tf

import kgan
import progressive_cases as cases
from harness import FamilyCase
from harness import fit
from harness import full_state


def _case(model_fn, n, num_classes=None):
    return FamilyCase("case", model_fn, cases.examples(n, num_classes), 8, None)


def test_resume_mid_fade_equals_the_uninterrupted_run(tmp_path):
    tf.config.experimental.enable_op_determinism()
    # S = 8, F = 32, two steps of 8 per epoch: the steps see 0, 8, 16, 24 | 32, 40 images;
    # fading in 8x8 runs from 8 to 40, so the cut after epoch 2 falls at alpha 0.75.
    make = lambda: cases.model(2, fade_images=32, stabilize_images=8)  # noqa: E731
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


def test_keras_file_keeps_the_phase_and_the_samples(tmp_path):
    gan = cases.model(3, fade_images=16, stabilize_images=8)
    fit(gan, _case(None, 16, 3), epochs=1)  # 16 images: fade in 8x8, alpha 0.5
    assert gan.position() == (1, 0.5)
    gan.save(tmp_path / "p.keras")
    loaded = keras.models.load_model(tmp_path / "p.keras")
    assert type(loaded) is kgan.ProgressiveGAN
    assert loaded.growth() == gan.growth()
    np.testing.assert_allclose(loaded.generate(6, seed=1), gan.generate(6, seed=1), atol=1e-6)
    assert loaded.generate(6, seed=1).shape == (6, 8, 8, 1)
    assert loaded.get_config()["fade_images"] == 16
