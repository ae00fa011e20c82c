"""`kgan train --family pix2pix` end to end on a tiny side-by-side folder; the demos' resolved defaults."""

import json
import os

import numpy as np
from PIL import Image

import kgan
from kgan import cli
from kgan.training import loading


def call(capsys, *argv):
    capsys.readouterr()
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _folder(root):
    """pix2pix's dataset layout: train/ (6 pairs) and val/ (2 pairs), A|B side by side, 10 px each."""
    rng = np.random.default_rng(0)
    for split, n in (("train", 6), ("val", 2)):
        os.makedirs(root / split)
        for i in range(n):
            a = rng.integers(0, 256, (10, 10, 3), dtype=np.uint8)
            Image.fromarray(np.concatenate([a, 255 - a], axis=1)).save(root / split / f"{i}.jpg", quality=95)


def test_train_on_a_side_by_side_folder_then_translate(tmp_path, capsys):
    _folder(tmp_path / "facades")
    run_dir, exports = tmp_path / "run", tmp_path / "saved_models"
    code, stdout, stderr = call(
        capsys, "train", "--family", "pix2pix", "--dataset", tmp_path / "facades", "--direction", "b2a",
        "--image-size", 8, "--base-filters", 2, "--d-base-filters", 2, "--batch-size", 2, "--epochs", 2,
        "--ema-half-life", 20, "--out", run_dir, "--export-dir", exports, "--quiet",
    )
    assert code == 0, stderr
    with open(run_dir / "config.json") as f:
        config = json.load(f)["model"]
    assert (config["image_size"], config["source_channels"], config["target_channels"]) == (8, 3, 3)
    model = loading.load_model(str(run_dir))
    assert isinstance(model, kgan.Pix2Pix) and model.ema_names == ("generator",)
    assert all(int(opt.iterations.numpy()) == 6 for opt in model.optimizers.values())
    with Image.open(run_dir / "samples" / "epoch_0002.png") as grid:
        assert grid.size == (3 * 65 + 1, 2 * 65 + 1)  # val's 2 pairs: source | translation | target
    assert os.listdir(exports) == ["run"]
    assert f"exported model: {exports / 'run' / '1'}" in stdout
    code, stdout, stderr = call(capsys, "translate", run_dir, tmp_path / "facades" / "val", "--out", tmp_path / "out")
    assert code == 0 and sorted(os.listdir(tmp_path / "out")) == ["0.jpg", "1.jpg"], stderr
    with Image.open(tmp_path / "out" / "0.jpg") as image:
        assert image.size == (20, 10)  # the whole side-by-side file, translated at its own size


def test_demo_defaults(capsys):
    code, stdout, _ = call(capsys, "train", "--family", "pix2pix", "--dry-run")
    config = json.loads(stdout)
    assert code == 0 and config["dataset"] == "photo_restoration"
    assert (config["epochs"], config["batch_size"]) == (20, 16)
    assert {k: config["model"][k] for k in ("image_size", "base_filters", "d_base_filters", "l1_weight", "jitter")} == {
        "image_size": 32, "base_filters": 32, "d_base_filters": 32, "l1_weight": 100.0, "jitter": True}
    code, stdout, _ = call(capsys, "train", "--family", "cyclegan", "--dry-run")
    config = json.loads(stdout)
    assert code == 0 and config["dataset"] == "digits" and config["model"]["dataset_b"] == "digits_on_photos"
    model = config["model"]
    assert (model["image_size"], model["base_filters"], model["d_base_filters"], model["pool_size"]) == (32, 16, 32, 50)
    assert (model["cycle_weight"], model["identity_weight"], model["decay_epochs"]) == (10.0, None, config["epochs"] // 2)
    assert model["steps_per_epoch"] == 1438 // config["batch_size"]
    code, _, stderr = call(capsys, "train", "--family", "pix2pix", "--norm", "batch", "--ema-half-life", "100", "--dry-run")
    assert code == 2 and "Expected --norm instance with an EMA" in stderr
