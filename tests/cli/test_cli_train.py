"""`kgan train` end to end on a tiny config, --dry-run, --resume, and bad arguments."""

import csv
import json
import os

import keras
import pytest
from PIL import Image

import kgan
from kgan.training import runs
from kgan import training
from kgan.training import TrainConfig

TINY = ("--preset", "dcgan_tiny", "--epochs", "1", "--image-size", "8", "--no-export", "--quiet")


def test_train_writes_the_run(cli_run):
    result, run_dir = cli_run
    assert result.code == 0, result
    assert result.out.strip().endswith(f"run directory: {run_dir}")
    assert sorted(os.listdir(run_dir)) == [
        "checkpoints", "config.json", "history.csv", "model.keras", "samples", "tensorboard"]

    config = runs.read_config(run_dir)
    assert TrainConfig.from_dict(config).validate()  # a complete, valid config
    expected = {"family": "gan", "epochs": 2, "export": False, "run_dir": run_dir}
    assert {k: config[k] for k in expected} == expected
    expected = {"preset": "dcgan_tiny", "image_size": 8, "channels": 1, "conditional": True,
                "num_classes": 10, "latent_dim": 16}
    assert {k: config["model"][k] for k in expected} == expected

    # Conditional: one row per class, 10 per row, 8 px tiles upscaled x8 to 64 px.
    samples = os.path.join(run_dir, "samples")
    assert sorted(os.listdir(samples)) == ["epoch_0001.png", "epoch_0002.png"]
    with Image.open(os.path.join(samples, "epoch_0002.png")) as im:
        assert im.size == (10 * 65 + 1, 10 * 65 + 1)

    assert os.path.isfile(os.path.join(run_dir, "checkpoints", "checkpoint"))
    assert training.run.restore(run_dir)[1] == 2

    with open(os.path.join(run_dir, "history.csv")) as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["0", "1"]
    for row in rows:
        for name in ("d_loss", "g_loss", "d_real", "d_fake"):
            assert float(row[name]) == pytest.approx(float(row[name]))  # a finite number

    gan = keras.models.load_model(os.path.join(run_dir, "model.keras"))
    assert isinstance(gan, kgan.GAN) and gan.num_classes == 10
    assert gan.generate(3, seed=0).shape == (3, 8, 8, 1)


def test_dry_run_prints_the_resolved_config_and_writes_nothing(run_kgan, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_kgan("train", "--dry-run")
    assert result.code == 0, result
    config = json.loads(result.out)
    assert TrainConfig.from_dict(config) == TrainConfig.from_dict(config).validate()
    model = config["model"]
    assert (config["dataset"], model["image_size"], model["conditional"], model["num_classes"]) == (
        "digits", 16, True, 10)
    assert model["latent_dim"] == 64 and model["preset"] == "dcgan_small"
    assert (config["epochs"], config["batch_size"], model["ema_half_life"]) == (150, 64, 10_000.0)
    assert config["run_dir"].startswith("runs/dcgan_small-digits-")
    assert os.listdir(tmp_path) == []


def test_dry_run_reflects_the_arguments(run_kgan, tmp_path):
    out = tmp_path / "never"
    result = run_kgan("train", "--dry-run", "--unconditional", "--preset", "mlp_small", "--loss", "hinge",
                      "--ema-decay", "0", "--jit", "off", "--d-steps", "2", "--out", out)
    assert result.code == 0, result
    config = json.loads(result.out)
    model = config["model"]
    assert model["conditional"] is False and model["num_classes"] is None
    assert (model["preset"], model["loss"], model["ema_decay"], config["jit_compile"], model["d_steps"]) == (
        "mlp_small", "hinge", None, False, 2)
    assert config["run_dir"] == str(out)
    assert not out.exists()


def test_resume_finished_run_trains_no_more(run_kgan, cli_run):
    _, run_dir = cli_run
    result = run_kgan("train", "--resume", run_dir, "--quiet")
    assert result.code == 0, result
    assert f"run directory: {run_dir}" in result.out
    with open(os.path.join(run_dir, "history.csv")) as f:
        assert len(list(csv.DictReader(f))) == 2


def test_resume_dry_run_prints_the_run_config(run_kgan, cli_run):
    _, run_dir = cli_run
    result = run_kgan("train", "--resume", run_dir, "--dry-run")
    assert result.code == 0
    assert json.loads(result.out) == runs.read_config(run_dir)


def test_resume_missing_dir_is_a_usage_error(run_kgan, tmp_path):
    result = run_kgan("train", "--resume", tmp_path / "nope")
    assert result.code == 2
    assert result.err.startswith("kgan train: error: --resume expects a run directory holding config.json.")
    assert "nope" in result.err


def test_train_into_an_existing_run_is_a_usage_error(run_kgan, cli_run, cli_digits_npz):
    _, run_dir = cli_run
    result = run_kgan("train", "--dataset", cli_digits_npz, *TINY, "--out", run_dir)
    assert result.code == 2
    assert "kgan train: error: Expected a new run directory" in result.err
    assert "--resume" in result.err


@pytest.mark.parametrize(
    "args, message",
    [
        (("--epochs", "0"), "Expected `epochs` to be None or an integer >= 1. Received: epochs=0"),
        (("--batch-size", "0"), "Expected `batch_size` to be None or an integer >= 1. Received: batch_size=0"),
        (("--preset", "nope"), "Unknown architecture preset. Expected one of ["),
        (("--batch-size", "64", "--d-steps", "3"), "Expected `batch_size` to be divisible by `d_steps`"),
        (("--d-lr", "0"), "Expected `d_learning_rate` to be a number in (0"),
        (("--latent-dim", "-1"), "Expected `latent_dim` to be None or an integer >= 1"),
        (("--seed", "-1"), "Expected `seed` to be an integer >= 0"),
        (("--ema-decay", "1.5", "--ema-half-life", "0"), "Expected `ema_decay` to be None or a number in (0, 1)"),
        (("--ema-decay", "0.9"), "Expected at most one of `ema_decay` and `ema_half_life`"),
        (("--image-size", "7"), "Expected `image_size` to be an integer from 8 to 128. Received: image_size=7"),
        (("--loss", "hinge", "--label-smoothing", "0.1"), "no real/fake targets to smooth"),
    ],
)
def test_bad_arguments_exit_2_and_leave_no_run(run_kgan, tmp_path, cli_digits_npz, args, message):
    out = tmp_path / "run"
    result = run_kgan("train", "--dataset", cli_digits_npz, *TINY, "--out", out, *args)
    assert result.code == 2, result
    assert result.err.startswith("kgan train: error: ")
    assert message in result.err
    assert not runs.is_run_dir(str(out))


def test_missing_dataset_file(run_kgan, tmp_path):
    missing = tmp_path / "missing.npz"
    result = run_kgan("train", "--dataset", missing, *TINY, "--out", tmp_path / "run")
    assert result.code == 2
    assert f"kgan train: error: Expected an existing .npz file. Received: source='{missing}'" in result.err
    assert not (tmp_path / "run").exists()


def test_unknown_dataset_name(run_kgan, tmp_path):
    result = run_kgan("train", "--dataset", "no_such_dataset", *TINY, "--out", tmp_path / "run")
    assert result.code == 2
    assert "Expected source to be 'digits' (the embedded default)" in result.err


def test_conditional_on_unlabelled_data(run_kgan, tmp_path):
    from sklearn.datasets import load_digits
    import numpy as np

    path = tmp_path / "x.npz"
    np.savez(path, x=load_digits().images[:64].astype("uint8"))
    result = run_kgan("train", "--dataset", path, "--conditional", *TINY, "--out", tmp_path / "run")
    assert result.code == 2
    assert "Expected a labelled dataset for a conditional GAN" in result.err


@pytest.mark.parametrize(
    "args, message",
    [
        (("--epochs", "two"), "argument --epochs: invalid int value: 'two'"),
        (("--loss", "nope"), "argument --loss: invalid choice: 'nope' (choose from"),
        (("--channels", "2"), "argument --channels: invalid choice: 2 (choose from 1, 3)"),
        (("--jit", "maybe"), "argument --jit: invalid choice: 'maybe'"),
        (("--conditional", "--unconditional"), "not allowed with argument"),
    ],
)
def test_argparse_errors_exit_2(run_kgan, tmp_path, args, message):
    result = run_kgan("train", "--out", tmp_path / "run", *args)
    assert result.code == 2
    assert "usage: kgan train" in result.err
    assert message in result.err
    assert not (tmp_path / "run").exists()


def test_interrupt_exits_130(run_kgan, tmp_path, monkeypatch, cli_digits_npz):
    def interrupted(config, verbose="auto", extra_callbacks=()):  # noqa: ARG001
        raise KeyboardInterrupt

    monkeypatch.setattr(training, "train", interrupted)
    result = run_kgan("train", "--dataset", cli_digits_npz, *TINY, "--out", tmp_path / "run")
    assert result.code == 130
    assert "kgan train: interrupted" in result.err


@pytest.mark.parametrize(
    "args, refused",
    [(("--batch-size", "3"), "--batch-size"), (("--preset", "mlp", "--epochs", "5"), "--preset"),
     (("--family", "gan"), "--family"), (("--no-export",), "--no-export")],
)
def test_resume_refuses_every_flag_but_epochs(run_kgan, cli_run, args, refused):
    _, run_dir = cli_run
    before = runs.read_config(run_dir)
    result = run_kgan("train", "--resume", run_dir, *args)
    assert result.code == 2
    assert "only --epochs may change (to extend it). Received: " in result.err and refused in result.err
    assert runs.read_config(run_dir) == before


def test_resume_with_epochs_extends_the_run(run_kgan, tmp_path, cli_digits_npz):
    run_dir = str(tmp_path / "run")
    assert run_kgan("train", "--dataset", cli_digits_npz, *TINY, "--out", run_dir).code == 0
    result = run_kgan("train", "--resume", run_dir, "--epochs", "2", "--quiet")
    assert result.code == 0, result
    assert runs.read_config(run_dir)["epochs"] == 2
    with open(os.path.join(run_dir, "history.csv")) as f:
        assert [row["epoch"] for row in csv.DictReader(f)] == ["0", "1"]
    assert training.run.restore(run_dir)[1] == 2


def test_family_flags_follow_the_family(run_kgan):
    result = run_kgan("train", "--help")
    assert result.code == 0
    assert "--preset" in result.out and "family gan" in result.out and "--ema-half-life" in result.out
    assert "--resume RUN" in result.out and "--family" in result.out
