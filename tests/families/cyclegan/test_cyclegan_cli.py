"""`kgan train --family cyclegan` end to end on two tiny .npz domains, then `kgan translate --direction`,
`kgan export` (one model per direction) and a b64 PNG round trip through `kgan serve` on loopback."""

import base64
import io
import json
import os

import keras
import numpy as np
import pytest
from PIL import Image

import kgan
import tiny_cyclegan
from kgan import cli
from kgan.training import loading


def call(capsys, *argv):
    capsys.readouterr()
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A finished 2-epoch run on 12 vs 8 images of 10 px (held-out splits of 3): `(run_dir, export root)`."""
    root = tmp_path_factory.mktemp("cyclegan")
    rng = np.random.default_rng(0)
    for name, n in (("plain", 12), ("fancy", 8)):
        np.savez(root / f"{name}.npz", x=rng.integers(0, 256, (n, 10, 10, 3), dtype=np.uint8),
                 x_test=rng.integers(0, 256, (3, 10, 10, 3), dtype=np.uint8))
    run_dir, exports = root / "run", root / "saved_models"
    argv = ["train", "--family", "cyclegan", "--dataset", root / "plain.npz", "--dataset-b", root / "fancy.npz",
            "--image-size", 8, "--base-filters", 2, "--d-base-filters", 2, "--num-blocks", 1, "--pool-size", 3,
            "--batch-size", 4, "--epochs", 2, "--out", run_dir, "--export-dir", exports, "--quiet"]
    assert cli.main([str(a) for a in argv]) == 0
    return str(run_dir), str(exports)


@pytest.fixture(scope="module")
def model(run):
    """The finished run's model, loaded once: the tests below only read it."""
    return loading.load_model(run[0])


def test_train_resolves_the_schedule_previews_and_exports_both_directions(run, model):
    run_dir, exports = run
    with open(os.path.join(run_dir, "config.json")) as f:
        config = json.load(f)["model"]
    # An epoch is one pass over the larger domain (12 images, batches of 4); the LR decays over the last epoch.
    assert (config["steps_per_epoch"], config["decay_epochs"]) == (3, 1)
    assert config["domains"] == ["plain", "fancy"] and config["a_channels"] == config["b_channels"] == 3
    for optimizer in model.optimizers.values():
        assert int(optimizer.iterations.numpy()) == 6 and float(optimizer.learning_rate) == 0.0
    with Image.open(os.path.join(run_dir, "samples", "epoch_0002.png")) as grid:
        # 3 held-out pairs, one row each: a | ab | aba | b | ba | bab, 8 px tiles scaled x8, 1 px padding.
        assert grid.size == (6 * 65 + 1, 3 * 65 + 1)
    assert sorted(os.listdir(exports)) == ["run-a2b", "run-b2a"]
    card = kgan.export.read_card(os.path.join(exports, "run-b2a", "1"))
    assert card["task"] == "translate" and card["spec"]["inputs"][0]["name"] == "source"
    assert card["direction"] == "b2a" and card["domains"] == {"source": "fancy", "target": "plain"}
    assert card["spec"]["inputs"][0]["shape"] == [None, None, 3] and card["parity"]["open_sizes"] == [16, 24]


def test_translate_each_direction_from_the_run(run, model, tmp_path, capsys):
    run_dir, _ = run
    pixels = np.random.default_rng(5).integers(0, 256, (8, 12, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(tmp_path / "x.png")
    float_image = pixels[None].astype("float32") / 127.5 - 1
    for direction in ("a2b", "b2a"):
        code, _, stderr = call(capsys, "translate", run_dir, tmp_path / "x.png", "--direction", direction,
                               "--out", tmp_path / f"{direction}.png")
        assert code == 0, stderr
        expected = np.clip(np.rint((model.translate(float_image, direction)[0] + 1) * 127.5), 0, 255)
        got = np.asarray(Image.open(tmp_path / f"{direction}.png")).astype(int)
        assert np.abs(got - expected).max() <= 1
    default = np.asarray(Image.open(tmp_path / "a2b.png"))
    call(capsys, "translate", run_dir, tmp_path / "x.png", "--out", tmp_path / "default.png")
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "default.png")), default)


def test_export_cli_and_b64_round_trip_of_the_b2a_model_on_loopback(run, model, tmp_path, capsys):
    """`kgan export` writes one model per direction (of a tiny .keras CycleGAN: exporting the run's ResNet
    generators again would cost seconds, and the run's own exports are checked above); the run's b2a export
    answers a b64 PNG request, at a size it was not trained at, on a real server."""
    import httpx

    _, exports = run
    small = tiny_cyclegan.model()
    small.save(tmp_path / "small.keras")
    code, stdout, stderr = call(capsys, "export", tmp_path / "small.keras", "--out", tmp_path / "sm", "--name", "digits")
    assert code == 0, stderr
    assert sorted(os.listdir(tmp_path / "sm")) == ["digits-a2b", "digits-b2a"]
    for part, domains in (("a2b", ("plain", "fancy")), ("b2a", ("fancy", "plain"))):
        card = kgan.export.read_card(os.path.join(tmp_path, "sm", f"digits-{part}", "1"))
        assert card["direction"] == part and card["domains"] == dict(zip(("source", "target"), domains))
        assert f"digits-{part}" in stdout
    pixels = np.random.default_rng(2).integers(0, 256, (1, 10, 6, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels[0]).save(buffer, format="PNG")
    served = kgan.serving.load_model(os.path.join(exports, "run-b2a"))
    body = {"instances": [{"b64": base64.b64encode(buffer.getvalue()).decode()}], "output_format": "png"}
    with kgan.serving.running(kgan.serving.create_app(served)) as url:  # a real server on 127.0.0.1
        response = httpx.post(f"{url}/v1/models/run-b2a:predict", json=body, timeout=60)
    assert response.status_code == 200, response.text
    got = np.asarray(Image.open(io.BytesIO(base64.b64decode(response.json()["predictions"][0]["b64"]))))
    expected = np.clip(np.rint((model.translate(pixels / 127.5 - 1, "b2a")[0] + 1) * 127.5), 0, 255)
    assert got.shape == (10, 6, 3) and np.abs(got.astype(int) - expected).max() <= 1


def test_the_saved_run_holds_the_filled_pools(run, model):
    run_dir, _ = run
    assert isinstance(model, kgan.CycleGAN) and int(model.pool_a.count.numpy()) == 3
    assert isinstance(keras.models.load_model(os.path.join(run_dir, "model.keras")), kgan.CycleGAN)
