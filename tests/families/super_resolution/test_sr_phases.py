"""The two phases of one `fit`: PSNR pre-training (G alone), then GAN fine-tuning from it.

The switch is a function of the generator's update count, decided inside the
compiled step, so it lands on the configured step even in the middle of a
`steps_per_execution` call, and a resumed run continues exactly across it.

Tracing the step is what costs, so one uninterrupted run per configuration
(`sr_tiny.Run`, shared by the tests, which only read it) records what the
tests check at each epoch's end and writes a full-state checkpoint after each
epoch; the resume tests restore the one of epoch 1 into a new model.
"""

import keras
import numpy as np
import pytest

import sr_tiny
from harness import FamilyCase
from harness import fit
from harness import full_state


def _case(pretrain_steps, steps_per_execution):
    make = lambda: sr_tiny.model(2, pretrain_steps, steps_per_execution, ema_half_life=100)  # noqa: E731
    return FamilyCase("phases", make, sr_tiny.pairs(), 8, lambda: {"images_lr": sr_tiny.lr_images()})


@pytest.fixture(scope="module")
def switch_at_4(tmp_path_factory):
    """4 pre-training steps, 2 steps per call, 3 epochs: the switch falls inside epoch 2's first call."""
    return sr_tiny.Run(tmp_path_factory.mktemp("switch_at_4"), pretrain_steps=4, steps_per_execution=2, epochs=3)


def test_pre_training_moves_only_the_generator_and_never_touches_d(two_phase_run):
    run = two_phase_run  # 3 pre-training steps in 2-step calls, then 3 GAN steps
    first = run.epochs[0]  # after exactly the 3 pre-training steps
    assert first["steps"] == (3, 0)
    for key, value in first["d_state"].items():
        np.testing.assert_array_equal(value, run.initial["d_state"][key], err_msg=key)
    before = run.initial["generator"]
    assert all(not np.array_equal(v, first["generator"][k]) for k, v in before.items() if v.ndim >= 2)
    # G's loss is the pixel loss alone; no D metric was recorded.
    history = {key: values[0] for key, values in run.history.items()}
    assert history["gan_phase"] == 0.0 and run.history["gan_phase"] == [0.0, 1.0]
    assert history["g_loss"] == pytest.approx(history["pixel_loss"], rel=1e-6)
    assert history["d_loss"] == 0.0 and history["g_adversarial"] == 0.0


def test_the_switch_happens_at_the_configured_step(switch_at_4):
    # 4 pre-training steps: the switch falls inside epoch 2 (steps 3-5), inside a 2-step call.
    assert [epoch["steps"] for epoch in switch_at_4.epochs] == [(3, 0), (6, 2), (9, 5)]


@pytest.mark.slow
def test_the_switch_happens_at_the_configured_step_with_one_step_per_call():
    # Fast coverage: test_the_switch_happens_at_the_configured_step (the switch inside a 2-step call), and, at one
    # step per call, test_sr_train.py's tiny run (its update counts and per-epoch phase).
    model = _case(pretrain_steps=4, steps_per_execution=1).make_model()
    seen = []
    for epoch in range(3):
        fit(model, _case(4, 1), epochs=epoch + 1, initial_epoch=epoch)
        seen.append((int(model.g_optimizer.iterations), int(model.d_optimizer.iterations)))
    assert seen == [(3, 0), (6, 2), (9, 5)]


def test_the_gan_phase_starts_from_the_pre_trained_generator_and_keeps_it(two_phase_run):
    model, first = two_phase_run.model, two_phase_run.epochs[0]
    pretrained = first["sampling_generator"]
    assert first["psnr_is_sampling"]  # after pre-training, still the current one
    assert model.psnr_network() is model.psnr_generator
    for kept, value in zip(model.psnr_generator.weights, pretrained, strict=True):
        np.testing.assert_array_equal(np.array(kept), value)
    assert set(model.export_parts()) == {"", "psnr"}
    assert not np.array_equal(np.array(model.ema_generator.weights[0]), pretrained[0])


def test_learning_rates_follow_the_phase():
    model = _case(pretrain_steps=3, steps_per_execution=1).make_model()
    schedule = keras.optimizers.schedules.deserialize(model.g_optimizer.get_config()["learning_rate"])
    assert [float(schedule(step)) for step in (0, 2, 3, 10)] == pytest.approx([2e-4, 2e-4, 1e-4, 1e-4])


# Fast coverage of the slow case: the other one, whose resumed epoch also crosses the switch (in mid-call).
@pytest.mark.parametrize("run", [pytest.param("two_phase_run", marks=pytest.mark.slow), "switch_at_4"])
def test_resume_across_the_switch_equals_the_uninterrupted_run(run, request):
    # 3 pre-training steps: the checkpoint falls exactly on the switch; 4: the resumed epoch holds it, mid-call.
    run = request.getfixturevalue(run)
    resumed = run.resumed_after_epoch_1(epochs=2)
    expected, actual = run.epochs[1]["full_state"], full_state(resumed)
    assert actual.keys() == expected.keys() and any(k.startswith("psnr_generator/") for k in actual)
    for key, value in expected.items():
        np.testing.assert_array_equal(actual[key], value, err_msg=key)


def test_a_keras_file_keeps_the_phase_and_the_psnr_generator(two_phase_run, tmp_path):
    model = two_phase_run.model  # after 2 epochs: 3 pre-training and 3 GAN steps
    model.save(tmp_path / "sr.keras")
    loaded = keras.models.load_model(tmp_path / "sr.keras")
    assert loaded.pretrain_steps == 3 and int(loaded.g_optimizer.iterations) == 6
    for a, b in zip(loaded.psnr_generator.weights, model.psnr_generator.weights, strict=True):
        np.testing.assert_array_equal(np.array(a), np.array(b))
    x = sr_tiny.lr_images()
    np.testing.assert_allclose(loaded.upscale(x, psnr=True), model.upscale(x, psnr=True), atol=1e-6)
