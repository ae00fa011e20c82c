"""`kgan train --family progressive`: resolved defaults, padding to a power of two, a tiny run end to end (and its final export)."""

import json
import os

import numpy as np
import pytest
from PIL import Image

import kgan
from kgan import cli
from kgan import training
from kgan.families.progressive import recipe
from kgan.training import runs
from kgan.training import TrainConfig


def _kgan(capsys, *argv):
    capsys.readouterr()
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as e:
        code = e.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_default_run_grows_a_conditional_gan_on_the_digits_to_16px(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = _kgan(capsys, "train", "--family", "progressive", "--dry-run")
    assert code == 0, err
    config = json.loads(out)
    model = config["model"]
    assert (config["dataset"], config["epochs"], config["batch_size"]) == ("digits", 60, 64)
    assert (model["image_size"], model["conditional"], model["num_classes"], model["channels"]) == (16, True, 10, 1)
    # 60 epochs of 22 batches of 64 = 84,480 images; three levels -> six shares of 14,080:
    # 4x4 | fade 8x8 | 8x8 | fade 16x16 | 16x16 for the last two shares.
    assert (model["fade_images"], model["stabilize_images"]) == (14_080, 14_080)
    assert (model["gp_weight"], model["drift_weight"], model["learning_rate"], model["beta_1"], model["beta_2"]) == (
        10.0, 0.001, 0.001, 0.0, 0.99
    )
    assert model["pixel_norm"] and model["equalized_lr"] and model["minibatch_stddev"]
    assert config["run_dir"].startswith("runs/progressive16-digits-")
    assert os.listdir(tmp_path) == []


def test_flags_switch_components_off_and_set_the_schedule(capsys, tmp_path):
    code, out, err = _kgan(
        capsys, "train", "--family", "progressive", "--dry-run", "--no-pixel-norm", "--no-equalized-lr",
        "--no-minibatch-stddev", "--fade-images", "5000", "--ema-half-life", "0", "--image-size", "32",
        "--out", tmp_path / "never",
    )
    assert code == 0, err
    model = json.loads(out)["model"]
    assert not (model["pixel_norm"] or model["equalized_lr"] or model["minibatch_stddev"])
    assert (model["fade_images"], model["stabilize_images"], model["ema_half_life"], model["image_size"]) == (
        5000, 5000, None, 32
    )
    code, out, err = _kgan(capsys, "train", "--family", "progressive", "--help")
    assert code == 0 and "--stabilize-images" in out and "--no-minibatch-stddev" in out


@pytest.mark.parametrize(
    "argv,message",
    [
        (("--image-size", "24"), "power of two"),
        (("--batch-size", "6"), "multiple of `group_size`"),
    ],
)
def test_bad_settings_are_refused(capsys, argv, message):
    code, _, err = _kgan(capsys, "train", "--family", "progressive", "--dry-run", *argv)
    assert code == 2 and message in err


def test_28px_data_is_padded_to_32(tmp_path):
    x = np.random.default_rng(0).integers(0, 256, (20, 28, 28)).astype("uint8")
    np.savez(tmp_path / "m.npz", x=x, y=np.arange(20) % 2)
    config = training.resolve(TrainConfig(family="progressive", dataset=str(tmp_path / "m.npz"), epochs=1, batch_size=4))
    assert config.model.image_size == 32
    (images, labels), preview = recipe.load_data(config)
    assert images.shape == (20, 32, 32, 1) and preview is None
    np.testing.assert_array_equal(images[:, :2], -1.0)  # two rows of background above
    np.testing.assert_allclose(images[:, 2:30, 2:30, 0], x / 127.5 - 1.0, atol=1e-6)
    resized = training.resolve(TrainConfig(
        family="progressive", dataset=str(tmp_path / "m.npz"), epochs=1, batch_size=4,
        model=kgan.families.config_module("progressive").Config(fit="resize"),
    ))
    (images, _), _ = recipe.load_data(resized)
    assert images.shape == (20, 32, 32, 1) and images[:, :2].max() > -1.0


def test_a_tiny_run_grows_to_full_size_exports_and_samples(capsys, tmp_path, digits_npz):
    run_dir = tmp_path / "run"
    code, out, err = _kgan(
        capsys, "train", "--family", "progressive", "--dataset", digits_npz, "--epochs", "2", "--batch-size", "32",
        "--latent-dim", "8", "--max-filters", "8", "--filter-base", "64", "--out", run_dir,
        "--export-dir", tmp_path / "saved_models", "--quiet",
    )
    assert code == 0, err
    config = runs.read_config(run_dir)["model"]
    # 2 epochs x 4 batches x 32 = 256 images over 4x4 and 8x8: shares of 64.
    assert (config["image_size"], config["fade_images"], config["stabilize_images"]) == (8, 64, 64)
    assert sorted(os.listdir(run_dir / "samples")) == ["epoch_0001.png", "epoch_0002.png"]
    with Image.open(run_dir / "samples" / "epoch_0001.png") as im:  # 4x4 samples shown at 8 px, x8
        assert im.size == (10 * 65 + 1, 10 * 65 + 1)
    history = (run_dir / "history.csv").read_text().splitlines()
    assert "resolution" in history[0] and "alpha" in history[0]
    export = runs.exports(str(run_dir))[-1]["path"]
    card = kgan.export.read_card(export)
    assert card["image_shape"] == [8, 8, 1] and card["progressive"]["complete"] is True
    assert card["training_config"]["family"] == "progressive"
    # The final export is the full-resolution generator (the export of a run
    # stopped mid-growth: test_progressive_export.py), the same in both formats
    # as the run's model, whose samples kgan.augment can draw.
    assert card["progressive"]["exported"] == "the full-resolution generator"
    assert card["num_classes"] == 10 and card["weights"] == "ema"
    gan = training.load_model(run_dir)
    assert gan.growth()["complete"]
    labels = [0, 1, 2, 9, 8, 7, 0]
    expected = gan.generate(7, labels=labels, seed=5)
    assert expected.shape == (7, 8, 8, 1) and np.abs(expected).max() <= 1.0
    for backend in ("onnx", "saved_model"):
        exported = kgan.inference.load(export, backend=backend)
        np.testing.assert_allclose(exported.generate(7, labels=labels, seed=5), expected, atol=1e-5, err_msg=backend)
    sampler = kgan.augment.as_sampler(gan)
    z = kgan.latent.sample_latent(3, 8, seed=0)
    assert tuple(sampler(z, np.array([0, 1, 2], "int32")).shape) == (3, 8, 8, 1)
    code, out, err = _kgan(capsys, "sample", run_dir, "--n", "20", "--seed", "0", "--out", tmp_path / "grid.png")
    assert code == 0, err
    code, out, err = _kgan(capsys, "sample", export, "--n", "20", "--seed", "0", "--out", tmp_path / "grid2.png")
    assert code == 0, err
    with Image.open(tmp_path / "grid.png") as a, Image.open(tmp_path / "grid2.png") as b:
        np.testing.assert_allclose(np.asarray(a, "int32"), np.asarray(b, "int32"), atol=1)
