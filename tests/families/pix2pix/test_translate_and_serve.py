"""`kgan translate` on a folder (names kept, bad files reported), from a .keras file and an export; a b64 PNG
round trip through `kgan serve`."""

import base64
import io
import os

import numpy as np
import pytest
from PIL import Image

import kgan
import tiny_pix2pix
from kgan import cli
from kgan.data import image_files


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A tiny compiled pix2pix (seeded weights, randomised instance norms), as a .keras file and an export:
    `(model, keras_path, export_path)`. Not trained: the tests compare what the CLI and the server give with
    the model's own translation, which needs no training (and tracing a train step costs seconds)."""
    root = tmp_path_factory.mktemp("pix2pix")
    model = tiny_pix2pix.model()
    path = str(root / "model.keras")
    model.save(path)
    return model, path, kgan.export.export_model(model, root / "saved_models", "restore")


def call(capsys, *argv):
    capsys.readouterr()
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _photos(folder):
    """Two RGB images of other sizes than the training size (one JPEG, in a subfolder), a grey one, a broken one."""
    rng = np.random.default_rng(0)
    arrays = {
        "a.png": rng.integers(0, 256, (12, 20, 3), dtype=np.uint8),
        os.path.join("sub", "b.jpg"): rng.integers(0, 256, (8, 8, 3), dtype=np.uint8),
        "grey.png": rng.integers(0, 256, (9, 9), dtype=np.uint8),
    }
    for name, array in arrays.items():
        os.makedirs(os.path.dirname(os.path.join(folder, name)), exist_ok=True)
        Image.fromarray(array).save(os.path.join(folder, name))
    with open(os.path.join(folder, "broken.png"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n not really")
    return arrays


def _expected(model, path):
    image = image_files.with_channels(image_files.decode(path), 3)
    out = model.translate(image_files.to_float(image)[None])[0]
    return np.clip(np.rint((out + 1) * 127.5), 0, 255).astype("uint8")


def test_translate_a_folder_keeps_names_and_reports_bad_files(saved, tmp_path, capsys):
    model, keras_path, _ = saved
    inputs, out = str(tmp_path / "in"), str(tmp_path / "out")
    _photos(inputs)
    code, stdout, stderr = call(capsys, "translate", keras_path, inputs, "--out", out)
    assert code == 1, stderr  # one file could not be read
    assert "skipped" in stderr and "broken.png: does not decode" in stderr
    assert "translated 3 image(s)" in stdout and "1 skipped" in stdout
    assert sorted(os.listdir(out)) == ["a.png", "grey.png", "sub"] and os.listdir(os.path.join(out, "sub")) == ["b.jpg"]
    with Image.open(os.path.join(out, "a.png")) as image:
        assert image.format == "PNG" and image.size == (20, 12)  # any size: the U-Net pads and crops
        np.testing.assert_array_equal(np.asarray(image), _expected(model, os.path.join(inputs, "a.png")))
    with Image.open(os.path.join(out, "sub", "b.jpg")) as image:
        assert image.format == "JPEG" and image.size == (8, 8)


def test_translate_from_an_export_matches_the_keras_model(saved, tmp_path, capsys):
    model, keras_path, export_path = saved
    inputs = str(tmp_path / "in")
    _photos(inputs)
    source = os.path.join(inputs, "a.png")
    for src, target in ((keras_path, tmp_path / "k.png"), (export_path, tmp_path / "e.png")):
        code, _, stderr = call(capsys, "translate", src, source, "--out", target, "--size", 8)
        assert code == 0, stderr
    keras_out, export_out = (np.asarray(Image.open(tmp_path / name)).astype(int) for name in ("k.png", "e.png"))
    assert keras_out.shape == (8, 8, 3) and np.abs(keras_out - export_out).max() <= 1  # float rounding at .5


def test_translate_refuses_bad_input_clearly(saved, tmp_path, capsys):
    _, keras_path, export_path = saved
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    code, _, stderr = call(capsys, "translate", keras_path, broken, "--out", tmp_path / "o.png")
    assert code == 2 and "Could not read image file" in stderr and "broken.png" in stderr
    good = tmp_path / "good.png"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(good)
    code, _, stderr = call(capsys, "translate", keras_path, good, "--out", tmp_path / "o.png", "--direction", "b2a")
    assert code == 2 and "--direction applies to a CycleGAN" in stderr
    code, _, stderr = call(capsys, "translate", export_path, good, "--out", tmp_path / "o.txt")
    assert code == 2 and "--out expects a .png or .jpg" in stderr
    gan = kgan.GAN(*_tiny_gan(), latent_dim=4)
    gan.compile()
    gan.save(tmp_path / "gan.keras")
    code, _, stderr = call(capsys, "translate", tmp_path / "gan.keras", good, "--out", tmp_path / "o.png")
    assert code == 2 and "is a 'generate' model" in stderr


def _tiny_gan():
    generator = kgan.models.mlp_generator(4, (8, 8, 1), hidden_units=(8,))
    return generator, kgan.models.mlp_discriminator((8, 8, 1), hidden_units=(8,))


def test_b64_png_round_trip_through_kgan_serve(saved):
    from fastapi.testclient import TestClient

    model, _, export_path = saved
    pixels = np.random.default_rng(1).integers(0, 256, (2, 12, 16, 3), dtype=np.uint8)  # not the training size

    def b64(array):
        buffer = io.BytesIO()
        Image.fromarray(array).save(buffer, format="PNG")
        return {"b64": base64.b64encode(buffer.getvalue()).decode("ascii")}

    client = TestClient(kgan.serving.create_app(kgan.serving.load_model(export_path)))
    body = {"signature_name": "translate", "instances": [b64(p) for p in pixels], "output_format": "png"}
    response = client.post("/v1/models/restore:predict", json=body)
    assert response.status_code == 200, response.text
    predictions = response.json()["predictions"]
    got = np.stack([np.asarray(Image.open(io.BytesIO(base64.b64decode(p["b64"])))) for p in predictions])
    expected = model.translate(pixels.astype("float32") / 127.5 - 1)
    expected = np.clip(np.rint((expected + 1) * 127.5), 0, 255)
    assert got.shape == (2, 12, 16, 3) and np.abs(got.astype(int) - expected).max() <= 1
    bad = client.post("/v1/models/restore:predict", json={"instances": [{"b64": "not base64!"}]})
    assert bad.status_code == 400 and "base64 PNG or JPEG" in bad.json()["error"]
