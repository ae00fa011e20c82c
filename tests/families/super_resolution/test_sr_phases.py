"""The two phases of one `fit`: PSNR pre-training (G alone), then GAN fine-tuning from it.

The switch is a function of the generator's update count, decided inside the
compiled step, so it lands on the configured step even in the middle of a
`steps_per_execution` call, and a resumed run continues exactly across it.
"""

import numpy as np
import pytest
import tensorflow as tf

import kgan
import sr_tiny
from harness import FamilyCase
from harness import fit
from harness import full_state
from harness import weights

BATCH = 8  # 24 pairs: 3 steps per epoch


def _case(pretrain_steps, steps_per_execution, **kwargs):
    make = lambda: sr_tiny.model(2, pretrain_steps, steps_per_execution, ema_half_life=100, **kwargs)  # noqa: E731
    return FamilyCase("phases", make, sr_tiny.pairs(), BATCH, lambda: {"images_lr": sr_tiny.lr_images()})


def _d_state(model):
    # Every variable of D (batch-norm statistics included) and of its optimizer.
    return {
        **weights(model, ["discriminator"]),
        **{f"opt/{i}": np.array(v) for i, v in enumerate(model.d_optimizer.variables)},
    }


def test_pre_training_moves_only_the_generator_and_never_touches_d():
    case = _case(pretrain_steps=3, steps_per_execution=2)
    model = case.make_model()
    d_before, g_before = _d_state(model), weights(model, ["generator"])
    history = fit(model, case, epochs=1)  # exactly the 3 pre-training steps
    assert int(model.g_optimizer.iterations) == 3 and int(model.d_optimizer.iterations) == 0
    for key, value in _d_state(model).items():
        np.testing.assert_array_equal(value, d_before[key], err_msg=key)
    assert all(not np.array_equal(v, weights(model, ["generator"])[k]) for k, v in g_before.items() if v.ndim >= 2)
    # G's loss is the pixel loss alone; no D metric was recorded.
    assert history["gan_phase"] == [0.0]
    assert history["g_loss"] == pytest.approx(history["pixel_loss"], rel=1e-6)
    assert history["d_loss"] == [0.0] and history["g_adversarial"] == [0.0]


@pytest.mark.parametrize("steps_per_execution", [1, 2])
def test_the_switch_happens_at_the_configured_step(steps_per_execution):
    # 4 pre-training steps: the switch falls inside epoch 2 (steps 3-5), inside a 2-step call.
    model = _case(pretrain_steps=4, steps_per_execution=steps_per_execution).make_model()
    seen = []
    for epoch in range(3):
        fit(model, _case(4, steps_per_execution), epochs=epoch + 1, initial_epoch=epoch)
        seen.append((int(model.g_optimizer.iterations), int(model.d_optimizer.iterations)))
    assert seen == [(3, 0), (6, 2), (9, 5)]


def test_the_gan_phase_starts_from_the_pre_trained_generator_and_keeps_it():
    case = _case(pretrain_steps=3, steps_per_execution=1)
    model = case.make_model()
    fit(model, case, epochs=1)
    pretrained = [np.array(w) for w in model.sampling_network("generator").weights]
    assert model.psnr_network() is model.sampling_network("generator")  # still the current one
    fit(model, case, epochs=2, initial_epoch=1)
    assert model.psnr_network() is model.psnr_generator
    for kept, value in zip(model.psnr_generator.weights, pretrained, strict=True):
        np.testing.assert_array_equal(np.array(kept), value)
    assert set(model.export_parts()) == {"", "psnr"}
    assert not np.array_equal(np.array(model.ema_generator.weights[0]), pretrained[0])


def test_learning_rates_follow_the_phase():
    import keras

    model = _case(pretrain_steps=3, steps_per_execution=1).make_model()
    schedule = keras.optimizers.schedules.deserialize(model.g_optimizer.get_config()["learning_rate"])
    assert [float(schedule(step)) for step in (0, 2, 3, 10)] == pytest.approx([2e-4, 2e-4, 1e-4, 1e-4])


@pytest.mark.parametrize("pretrain_steps", [3, 4])
def test_resume_across_the_switch_equals_the_uninterrupted_run(tmp_path, pretrain_steps):
    # 3: the checkpoint falls exactly on the switch; 4: the resumed epoch holds it, mid-call.
    tf.config.experimental.enable_op_determinism()
    case = _case(pretrain_steps, steps_per_execution=2)
    full = case.make_model()
    fit(full, case, epochs=2)
    cut = case.make_model()
    fit(cut, case, epochs=1, callbacks=[kgan.callbacks.FullStateCheckpoint(str(tmp_path))])
    resumed = case.make_model()
    assert kgan.callbacks.restore_latest(resumed, str(tmp_path)) == 1
    fit(resumed, case, epochs=2, initial_epoch=1)
    expected, actual = full_state(full), full_state(resumed)
    assert actual.keys() == expected.keys() and any(k.startswith("psnr_generator/") for k in actual)
    for key, value in expected.items():
        np.testing.assert_array_equal(actual[key], value, err_msg=key)


def test_a_keras_file_keeps_the_phase_and_the_psnr_generator(tmp_path):
    import keras

    case = _case(pretrain_steps=3, steps_per_execution=1)
    model = case.make_model()
    fit(model, case, epochs=2)
    model.save(tmp_path / "sr.keras")
    loaded = keras.models.load_model(tmp_path / "sr.keras")
    assert loaded.pretrain_steps == 3 and int(loaded.g_optimizer.iterations) == 6
    for a, b in zip(loaded.psnr_generator.weights, model.psnr_generator.weights, strict=True):
        np.testing.assert_array_equal(np.array(a), np.array(b))
    x = sr_tiny.lr_images()
    np.testing.assert_allclose(loaded.upscale(x, psnr=True), model.upscale(x, psnr=True), atol=1e-6)
