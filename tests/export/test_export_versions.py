"""Version folders: numbering, atomicity on failure, and exports of models loaded from a .keras file."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

import kgan
from kgan import export
from kgan.cli import main
from kgan.export import onnx_model
from kgan.export import saved_model
from kgan.models import dcgan_discriminator


def _listing(root):
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs + [""])


def test_versions_count_up_and_are_never_overwritten(tmp_path, tiny_generator):
    generator = tiny_generator("mlp")
    first = export.export_generator(generator, tmp_path, name="digits")
    second = export.export_generator(generator, tmp_path, name="digits")
    assert [os.path.basename(first), os.path.basename(second)] == ["1", "2"]
    assert sorted(os.listdir(tmp_path / "digits")) == ["1", "2", "config.pbtxt"]
    with pytest.raises(FileExistsError, match="Expected a new version number"):
        export.export_generator(generator, tmp_path, name="digits", version=2)
    with pytest.raises(ValueError, match="Expected a new version of .* to take and return what version 2"):
        export.export_generator(tiny_generator("cdcgan"), tmp_path, name="digits")
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="Expected `version` to be a positive integer"):
            export.export_generator(generator, tmp_path, name="digits", version=bad)
    with pytest.raises(ValueError, match="Expected a model name"):
        export.export_generator(generator, tmp_path, name="../escape")


def test_failed_parity_check_leaves_nothing_behind(tmp_path, tiny_generator, monkeypatch):
    generator = tiny_generator("cdcgan")
    impostor = tiny_generator("cdcgan", seed=1)  # same architecture, other weights
    real_write = onnx_model.write_onnx
    monkeypatch.setattr(onnx_model, "write_onnx", lambda g, *a, **k: real_write(impostor, *a, **k))
    with pytest.raises(export.ParityError, match=r"onnx at batch 1: max abs error .* > 1e-05"):
        export.export_generator(generator, tmp_path, name="new")
    assert os.listdir(tmp_path) == []  # not even saved_models/new/
    monkeypatch.undo()
    export.export_generator(generator, tmp_path, name="kept")
    before = _listing(tmp_path)
    monkeypatch.setattr(onnx_model, "write_onnx", lambda g, *a, **k: real_write(impostor, *a, **k))
    with pytest.raises(export.ParityError):
        export.export_generator(generator, tmp_path, name="kept")
    assert _listing(tmp_path) == before  # version 1 untouched, no version 2, no staging folder


def test_crash_while_writing_leaves_nothing_behind(tmp_path, tiny_generator, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(saved_model, "write_saved_model", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        export.export_generator(tiny_generator("mlp"), tmp_path, name="m")
    assert os.listdir(tmp_path) == []


def test_saved_model_cli_lists_the_signatures(out, tiny_generator):
    path = export.export_generator(tiny_generator("cdcgan"), out, name="cli_check")
    cli = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
    result = subprocess.run(
        [cli, "show", "--dir", path, "--all"], capture_output=True, text=True, timeout=120, check=True
    )
    for name in ("serving_default", "generate", "sample"):
        assert f"signature_def['{name}']" in result.stdout
    assert "inputs['seed'] tensor_info:\n        dtype: DT_INT64" in result.stdout
    assert "outputs['images'] tensor_info:" in result.stdout


@pytest.fixture(scope="module")
def keras_file(tmp_path_factory, tiny_generator):
    generator = tiny_generator("cdcgan")
    discriminator = dcgan_discriminator(8, 1, num_classes=3, base_filters=8)
    gan = kgan.GAN(generator, discriminator, latent_dim=8, num_classes=3, ema_decay=0.9)
    gan.compile(d_optimizer="adam", g_optimizer="adam")
    gan.ema_generator.set_weights([w * 0.5 for w in generator.get_weights()])  # EMA != G
    path = tmp_path_factory.mktemp("run") / "digits.keras"
    gan.save(path)
    return path, gan


def test_export_of_a_loaded_model_uses_ema_weights(keras_file, tmp_path):
    path, gan = keras_file
    loaded = keras.models.load_model(path)
    version_dir = export.export_model(loaded, tmp_path, source=str(path))
    assert version_dir == os.path.join(tmp_path, loaded.name, "1")  # the model's name by default
    card = export.read_card(version_dir)
    assert card["weights"] == "ema" and card["num_classes"] == 3
    assert card["source"] == str(path) and card["task"] == "generate"
    images = kgan.inference.load(version_dir).generate(5, seed=3)
    np.testing.assert_allclose(images, gan.generate(5, seed=3), atol=1e-5)
    # export() takes the model too, and a bare generator.
    assert os.path.basename(export.export(loaded, tmp_path, name="digits")) == "1"
    assert export.read_card(export.export(gan.generator, tmp_path, name="raw"))["weights"] is None


def test_export_without_ema_records_generator_weights(tmp_path, tiny_generator):
    generator = tiny_generator("cdcgan")
    discriminator = dcgan_discriminator(8, 1, num_classes=3, base_filters=8)
    gan = kgan.GAN(generator, discriminator, latent_dim=8, num_classes=3)
    card = export.read_card(export.export_model(gan, tmp_path, name="plain"))
    assert card["weights"] == "generator"


def test_export_takes_a_model_never_a_path(keras_file, tmp_path):
    path, _ = keras_file
    for src in (path, str(path)):
        with pytest.raises(ValueError, match=r"Expected a model.*kgan\.training\.load_model\(path\)"):
            export.export(src, tmp_path)
    with pytest.raises(ValueError, match="Expected a kgan model"):
        export.export_model(keras.models.load_model(path).generator, tmp_path)
    with pytest.raises(ValueError, match="Expected a kgan model .* or a Keras generator. Received: model of type int"):
        export.export(3, tmp_path)
    assert os.listdir(tmp_path) == []


def test_card_extra_records_run_details(keras_file, tmp_path):
    # The training side passes a run's config.json and evaluation.json this way.
    _, gan = keras_file
    extra = {"training_config": {"preset": "dcgan_tiny", "epochs": 3}, "metrics": {"fid": 12.5}}
    card = export.read_card(export.export_model(gan, tmp_path, name="mnist_dcgan", card_extra=extra))
    assert card["name"] == "mnist_dcgan" and card["weights"] == "ema"
    assert card["training_config"] == {"preset": "dcgan_tiny", "epochs": 3}
    assert card["metrics"] == {"fid": 12.5}


def test_cli_export_reports_and_fails_cleanly(keras_file, tmp_path, capsys):
    path, _ = keras_file
    assert main(["export", str(path), "--out", str(tmp_path), "--name", "cli", "--version", "4"]) == 0
    printed = capsys.readouterr().out
    assert "exported cli version 4" in printed and "max abs error vs Keras" in printed
    assert export.read_card(tmp_path / "cli" / "4")["command"] is None  # not run as `kgan export`
    assert main(["export", str(tmp_path / "missing.keras"), "--out", str(tmp_path)]) == 2
    assert main(["export", str(path), "--out", str(tmp_path), "--name", "cli", "--version", "4"]) == 2
    assert "Expected a new version number" in capsys.readouterr().err
