"""An interrupted and resumed run reproduces the uninterrupted one bit for bit (on CPU)."""

import csv
import dataclasses
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from kgan.training import runs
from kgan import training


def flat_config(**values):
    """A TrainConfig from flat settings (family settings beside the run's)."""
    return training.TrainConfig.from_dict(values)


EPOCHS = 4
STOP_AFTER = 2


class InterruptAfter(keras.callbacks.Callback):
    """Raises KeyboardInterrupt at the end of an epoch, like Ctrl-C between epochs.

    `train` puts extra callbacks after its own, so the checkpoint and
    history.csv of that epoch are written first.
    """

    def __init__(self, epochs):
        super().__init__()
        self.epochs = epochs

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epochs:
            raise KeyboardInterrupt


def full_state(gan):
    """Every value that determines the rest of a run, in a fixed order."""
    parts = {
        "generator": gan.generator.weights,
        "discriminator": gan.discriminator.weights,
        "d_optimizer": gan.d_optimizer.variables,
        "g_optimizer": gan.g_optimizer.variables,
        "rng": [v for v in gan.variables if v.name == "seed_generator_state"],
    }
    if gan.ema_generator is not None:
        parts["ema_generator"] = gan.ema_generator.weights
    return {f"{part}/{i}": np.array(v) for part, vs in parts.items() for i, v in enumerate(vs)}


def read_history(run_dir):
    with open(os.path.join(run_dir, runs.HISTORY)) as f:
        return list(csv.DictReader(f))


def assert_resume_reproduces(config, full_dir, cut_dir, interrupt=None, resume_dir=None, num_examples=128, atol=0.0):
    """Trains `config` uninterrupted in full_dir, and interrupted after epoch 2
    then resumed in cut_dir (found at `resume_dir` when the cwd changed).
    The states must be equal bit for bit; with `atol`, float weights within it
    (RNG states and step counts stay exact)."""
    full, _ = training.train(dataclasses.replace(config, run_dir=full_dir), verbose=0)

    with pytest.raises(KeyboardInterrupt):
        training.train(
            dataclasses.replace(config, run_dir=cut_dir),
            verbose=0,
            extra_callbacks=[interrupt or InterruptAfter(STOP_AFTER)],
        )
    resume_dir = resume_dir or cut_dir
    # The interruption left a run that stopped after epoch 2.
    assert len(read_history(resume_dir)) == STOP_AFTER
    assert not os.path.exists(os.path.join(resume_dir, runs.MODEL))
    assert tf.train.latest_checkpoint(os.path.join(resume_dir, runs.CHECKPOINTS)).endswith(f"ckpt-{STOP_AFTER}")

    resumed, run_dir = training.resume(resume_dir, verbose=0)
    assert run_dir == resume_dir

    expected, actual = full_state(full), full_state(resumed)
    assert actual.keys() == expected.keys()
    steps = num_examples // config.batch_size
    for optimizer in (resumed.g_optimizer, resumed.d_optimizer, full.g_optimizer, full.d_optimizer):
        assert int(optimizer.iterations.numpy()) == EPOCHS * steps
    for key in expected:
        exact = not np.issubdtype(expected[key].dtype, np.floating)
        np.testing.assert_allclose(actual[key], expected[key], rtol=0, atol=0 if exact else atol, err_msg=key)

    history = read_history(resume_dir)
    assert [row["epoch"] for row in history] == ["0", "1", "2", "3"]
    samples = sorted(os.listdir(os.path.join(resume_dir, runs.SAMPLES)))
    assert samples == [f"epoch_{e:04d}.png" for e in range(1, EPOCHS + 1)]
    if not atol:  # the logged losses and the last grid, bit for bit
        assert history == read_history(full_dir)
        with open(os.path.join(full_dir, runs.SAMPLES, samples[-1]), "rb") as a, open(
            os.path.join(resume_dir, runs.SAMPLES, samples[-1]), "rb"
        ) as b:
            assert a.read() == b.read()
    assert os.path.isfile(os.path.join(resume_dir, runs.MODEL))
    assert tf.train.latest_checkpoint(os.path.join(resume_dir, runs.CHECKPOINTS)).endswith(f"ckpt-{EPOCHS}")
    return resumed


@pytest.mark.parametrize("precision", ["float32", "mixed_bfloat16"])
def test_resume_conditional_dcgan_with_ema(tmp_path, digits_npz, precision):
    config = flat_config(
        dataset=digits_npz, preset="dcgan_tiny", image_size=8, epochs=EPOCHS, batch_size=32,
        ema_decay=0.9, export=False, deterministic=True, precision=precision,
    )
    resumed = assert_resume_reproduces(config, str(tmp_path / "full"), str(tmp_path / "cut"))
    assert resumed.generator.get_layer("project").dtype_policy.name == precision
    assert resumed.num_classes == 10 and resumed.ema_generator is not None
    assert resumed.r1_weight > 0  # the default R1 penalty is part of the reproduced update


@pytest.mark.parametrize("num_examples,batch_size,per_call", [(110, 5, 8), (15, 3, 3)])
def test_resume_is_exact_when_calls_do_not_divide_epochs(tmp_path, num_examples, batch_size, per_call):
    # 22 steps per epoch at 8 steps per call, and 5 at 3: kgan 0.1 ran 24 and 6
    # steps per "epoch", so epochs drifted and resume diverged.
    from data_files import write_digits_npz

    data = write_digits_npz(tmp_path / "digits.npz", n=num_examples)
    config = flat_config(
        dataset=data, preset="dcgan_tiny", image_size=8, epochs=EPOCHS, batch_size=batch_size,
        steps_per_execution=per_call, export=False, deterministic=True,
    )
    assert_resume_reproduces(config, str(tmp_path / "full"), str(tmp_path / "cut"), num_examples=num_examples)


def test_resume_mlp_with_dropout_from_another_directory(tmp_path, monkeypatch, digits_npz):
    # The MLP discriminator's dropout layers have their own SeedGenerators,
    # which the checkpoint must restore as well. The interrupted run's
    # directory is relative, and it is resumed from another working directory.
    config = flat_config(
        dataset=digits_npz, preset="mlp_small", image_size=8, epochs=EPOCHS, batch_size=32,
        conditional=False, ema_decay=None, export=False, deterministic=True,
    )
    monkeypatch.chdir(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    class ChdirThenInterrupt(InterruptAfter):
        def on_epoch_end(self, epoch, logs=None):
            if epoch + 1 == self.epochs:
                os.chdir(elsewhere)
            super().on_epoch_end(epoch, logs)

    # Bit-for-bit equality held here on an idle machine, but under CPU load 4 of 8 runs of this MLP
    # differed (1.5e-7, and once 3e-5 after Adam amplified it; also with TF_ENABLE_ONEDNN_OPTS=0; the
    # conv tests above stay exact). What this test is for is exact still: the dropout layers' and the
    # noise's seed-generator states ("rng/*", integers) must equal the uninterrupted run's.
    resumed = assert_resume_reproduces(
        config, str(tmp_path / "full"), "cut", ChdirThenInterrupt(STOP_AFTER), resume_dir=str(tmp_path / "cut"),
        atol=1e-3,
    )
    assert runs.read_config(str(tmp_path / "cut"))["run_dir"] == "cut"  # relative to tmp_path, not to the cwd
    assert os.listdir(elsewhere) == []  # nothing written relative to the new cwd
    # Noise plus one dropout per hidden layer of D.
    assert len([v for v in resumed.variables if v.name == "seed_generator_state"]) == 3


def test_resume_of_a_finished_run_trains_no_more(tmp_path, digits_npz):
    config = flat_config(
        dataset=digits_npz, preset="dcgan_tiny", image_size=8, epochs=1, batch_size=64,
        export=False, run_dir=str(tmp_path / "run"),
    )
    trained, run_dir = training.train(config, verbose=0)
    before = full_state(trained)
    resumed, _ = training.resume(run_dir, verbose=0)
    for key, value in full_state(resumed).items():
        np.testing.assert_array_equal(value, before[key], err_msg=key)
    assert len(read_history(run_dir)) == 1


def test_train_refuses_an_existing_run(tmp_path, digits_npz):
    config = flat_config(
        dataset=digits_npz, preset="dcgan_tiny", image_size=8, epochs=1, export=False,
        run_dir=str(tmp_path / "run"),
    )
    (tmp_path / "run").mkdir()
    runs.write_json(str(tmp_path / "run" / runs.CONFIG), {"epochs": 5})
    with pytest.raises(FileExistsError, match="Expected a new run directory.*kgan train --resume"):
        training.train(config, verbose=0)
    assert runs.read_config(str(tmp_path / "run")) == {"epochs": 5}  # untouched


def test_settings_the_models_reject_leave_no_run_behind(tmp_path, digits_npz):
    config = flat_config(
        dataset=digits_npz, preset="dcgan_tiny", image_size=7, epochs=1, export=False,
        run_dir=str(tmp_path / "run"),
    )
    with pytest.raises(ValueError, match="image_size"):
        training.train(config, verbose=0)
    assert not runs.is_run_dir(str(tmp_path / "run"))


def test_extending_a_finished_run_equals_training_longer_from_the_start(tmp_path, digits_npz):
    config = flat_config(
        dataset=digits_npz, preset="dcgan_tiny", image_size=8, epochs=EPOCHS, batch_size=32,
        export=False, deterministic=True,
    )
    full, _ = training.train(dataclasses.replace(config, run_dir=str(tmp_path / "full")), verbose=0)
    short_dir = str(tmp_path / "short")
    training.train(dataclasses.replace(config, epochs=STOP_AFTER, run_dir=short_dir), verbose=0)
    extended, _ = training.resume(short_dir, verbose=0, epochs=EPOCHS)
    expected, actual = full_state(full), full_state(extended)
    for key in expected:
        np.testing.assert_array_equal(actual[key], expected[key], err_msg=key)
    assert runs.read_config(short_dir)["epochs"] == EPOCHS
    assert [row["epoch"] for row in read_history(short_dir)] == ["0", "1", "2", "3"]
    with pytest.raises(ValueError, match=r"Expected --epochs >= the 4 epochs this run has finished. Received: epochs=3"):
        training.resume(short_dir, verbose=0, epochs=3)


def test_history_has_no_repeated_epochs_when_checkpoints_are_sparse(tmp_path, digits_npz):
    # Checkpoint after epoch 2 only; interrupted after epoch 3, the resume trains epoch 3 again.
    config = flat_config(
        dataset=digits_npz, preset="dcgan_tiny", image_size=8, epochs=EPOCHS, batch_size=32,
        checkpoint_every=2, export=False, deterministic=True,
    )
    full, _ = training.train(dataclasses.replace(config, run_dir=str(tmp_path / "full")), verbose=0)
    cut = str(tmp_path / "cut")
    with pytest.raises(KeyboardInterrupt):
        training.train(dataclasses.replace(config, run_dir=cut), verbose=0, extra_callbacks=[InterruptAfter(3)])
    assert len(read_history(cut)) == 3
    resumed, _ = training.resume(cut, verbose=0)
    assert [row["epoch"] for row in read_history(cut)] == ["0", "1", "2", "3"]
    assert read_history(cut) == read_history(str(tmp_path / "full"))
    for key, value in full_state(full).items():
        np.testing.assert_array_equal(full_state(resumed)[key], value, err_msg=key)
