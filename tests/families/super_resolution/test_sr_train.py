"""`kgan train --family super_resolution`: both phases in one run, on a folder, exported twice."""

import csv
import dataclasses
import json

import keras
import numpy as np
import pytest
from PIL import Image

import kgan
from kgan.cli import main
from kgan.data import photos

# SRResNet, and D without normalization: the step traces and the exports check parity several times faster
# than with the default RRDB; test_the_default_rrdb_generator_is_built_from_the_settings below builds the default
# (RRDB, batch norm in D) without training it.
TINY = ["--generator", "srresnet", "--filters", "4", "--blocks", "1", "--d-filters", "4", "--d-dense", "8",
        "--d-normalization", "none"]


def test_the_default_run_resolves_to_both_phases_on_the_embedded_photos(capsys):
    assert main(["train", "--family", "super_resolution", "--dry-run"]) == 0
    config = json.loads(capsys.readouterr().out)
    model = config["model"]
    assert config["dataset"] == photos.NAME and config["epochs"] == 10 and config["batch_size"] == 16
    assert (model["scale"], model["patch_size"], model["crops"]) == (4, 96, 1024)
    assert model["pretrain_epochs"] == 7 and model["pretrain_steps"] == 7 * (1024 // 16)
    assert (model["pixel_weight"], model["perceptual_weight"], model["gan_weight"]) == (1.0, 0.0, 5e-3)


def test_settings_are_checked(capsys):
    assert main(["train", "--family", "super_resolution", "--epochs", "3", "--pretrain-epochs", "4", "--dry-run"]) == 2
    assert "Expected pretrain_epochs <= epochs" in capsys.readouterr().err
    assert main(["train", "--family", "super_resolution", "--patch-size", "40", "--dry-run"]) == 2
    assert "multiple of 16" in capsys.readouterr().err
    assert main(["train", "--family", "super_resolution", "--perceptual", "--dry-run"]) == 2
    assert "--vgg-weights PATH" in capsys.readouterr().err


def _photos(folder):
    rng = np.random.default_rng(0)
    folder.mkdir()
    for i, shape in enumerate([(70, 90, 3), (64, 64, 3)]):
        Image.fromarray(rng.integers(0, 256, shape, dtype="uint8")).save(folder / f"{i}.png")
    return folder


def test_the_default_rrdb_generator_is_built_from_the_settings(tmp_path):
    from kgan.families.super_resolution import recipe
    from kgan.training.config import TrainConfig

    settings = {"scale": 2, "crops": 16, "patch_size": 32, "filters": 4, "blocks": 1, "growth": 2, "d_filters": 4}
    train = TrainConfig(family="super_resolution", dataset=str(_photos(tmp_path / "photos")), epochs=2,
                        batch_size=8, model=settings)
    train = dataclasses.replace(train, model=recipe.resolve(train, recipe.data_info(train)))
    assert train.model.generator == "rrdb"
    model = recipe.build(train)
    assert model.compiled and model.generator.name == "rrdb_generator" and model.scale == 2
    assert [model.generator.get_layer(f"rrdb_0_rdb_0_conv_{i}").filters for i in range(5)] == [2, 2, 2, 2, 4]
    assert model.generator.get_layer("conv_first").filters == 4 and model.pretrain_steps == 2
    assert model.discriminator.input_shape == (None, 32, 32, 3)
    assert any(isinstance(layer, keras.layers.BatchNormalization) for layer in model.discriminator.layers)
    assert model.upscale(np.zeros((1, 5, 7, 3), "float32")).shape == (1, 10, 14, 3)


def test_a_tiny_run_on_a_folder_trains_both_phases_and_exports_both_generators(tmp_path, capsys):
    _photos(tmp_path / "photos")
    run = tmp_path / "run"
    argv = ["train", "--family", "super_resolution", "--dataset", str(tmp_path / "photos"), "--scale", "2",
            "--epochs", "2", "--pretrain-epochs", "1", "--crops", "16", "--batch-size", "8", "--patch-size", "32",
            *TINY, "--steps-per-execution", "1", "--out", str(run), "--export-dir", str(tmp_path / "exports"),
            "--quiet"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "exports/run/1" in out and "exports/run-psnr/1" in out
    config = json.loads((run / "config.json").read_text())
    assert config["model"]["pretrain_steps"] == 2
    with open(run / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert [float(r["gan_phase"]) for r in rows] == [0.0, 1.0]
    assert float(rows[0]["d_loss"]) == 0.0 and float(rows[1]["d_loss"]) > 0.0
    assert sorted(p.name for p in (run / "samples").iterdir()) == ["epoch_0001.png", "epoch_0002.png"]
    grid = np.asarray(Image.open(run / "samples" / "epoch_0002.png"))
    assert grid.shape == (2 * 65 + 1, 3 * 65 + 1, 3)  # 2 images x (bicubic | model | original), 64 px tiles
    for name in ("run", "run-psnr"):
        card = kgan.export.read_card(tmp_path / "exports" / name / "1")
        assert card["task"] == "upscale" and card["spec"]["scale"] == 2
    model = kgan.training.load_model(run)
    # 2 steps per epoch, one per call: G updates in both epochs, D from the switch on.
    assert (int(model.g_optimizer.iterations), int(model.d_optimizer.iterations)) == (4, 2)
    x = np.random.default_rng(1).uniform(-1, 1, (1, 10, 6, 3)).astype("float32")
    exported = kgan.inference.load(tmp_path / "exports" / "run-psnr")
    np.testing.assert_allclose(exported.upscale(x), model.upscale(x, psnr=True), atol=1e-5)


@pytest.mark.slow
def test_the_default_run_beats_bicubic_on_the_held_out_photos(tmp_path):
    """`kgan train --family super_resolution` as it is (about 10 min on 2 cores); the fast version is above."""
    from kgan import images
    from kgan.data import degradation
    from kgan.families.super_resolution import quality

    run = tmp_path / "run"
    assert main(["train", "--family", "super_resolution", "--out", str(run), "--export-dir", str(tmp_path / "x"),
                 "--quiet"]) == 0
    model = kgan.training.load_model(run)
    gains = []
    for name in photos.HELD_OUT:
        original = degradation.modcrop(photos.load(name), 4)
        lr = degradation.downsample(original, 4)
        result = images.to_uint8(model.upscale(lr[None] / 127.5 - 1.0, psnr=True)[0])
        bicubic = degradation.bicubic_upscale(lr, 4)
        gains.append(quality.psnr(result, original, 4) - quality.psnr(bicubic, original, 4))
    assert min(gains) > 0.0 and np.mean(gains) > 0.3, gains
