"""Upscaling images of any size: tiles equal the whole-image result; `kgan upscale` on runs and exports."""

import keras
import numpy as np
import pytest
from PIL import Image

import kgan
from kgan.cli import main
from kgan.families.super_resolution import tiling

TOLERANCE = 1e-5


def _network(radius):
    """A x2 network whose output depends on the input within `radius` low-resolution pixels."""
    keras.utils.set_random_seed(0)
    lr = keras.Input((None, None, 3), name="images_lr")
    x = lr
    for i in range(radius):
        x = keras.layers.Conv2D(12 if i == radius - 1 else 6, 3, padding="same", activation="tanh")(x)
    images = kgan.models.PixelShuffle(2, name="images")(x)
    return keras.Model(lr, images)


def _run(network):
    return lambda x: np.asarray(network(x, training=False))


def test_tiles_equal_the_whole_image_when_the_overlap_covers_the_receptive_field():
    network = _network(radius=3)
    image = np.random.default_rng(0).uniform(-1, 1, (37, 53, 3)).astype("float32")
    whole = _run(network)(image[None])[0]
    for tile, overlap in [(16, 3), (11, 4), (64, 3)]:
        tiled = tiling.upscale(_run(network), image, 2, tile=tile, overlap=overlap)
        np.testing.assert_allclose(tiled, whole, atol=TOLERANCE, err_msg=f"tile {tile}, overlap {overlap}")
    np.testing.assert_allclose(tiling.upscale(_run(network), image, 2, tile=None), whole, atol=TOLERANCE)


def test_with_a_short_overlap_only_pixels_near_seams_differ():
    network = _network(radius=3)
    image = np.random.default_rng(1).uniform(-1, 1, (40, 40, 3)).astype("float32")
    whole = _run(network)(image[None])[0]
    tiled = tiling.upscale(_run(network), image, 2, tile=20, overlap=1)  # cores of 18 px: seams at 18 and 36
    differs = np.abs(tiled - whole).max(axis=-1) > TOLERANCE
    near = np.zeros((40, 40), bool)
    for seam in (18, 36):  # within receptive field - overlap = 2 px of a seam
        near[seam - 2 : seam + 2, :] = near[:, seam - 2 : seam + 2] = True
    assert differs.any()
    assert not (differs & ~np.repeat(np.repeat(near, 2, 0), 2, 1)).any()


def test_uint8_output_and_bad_arguments():
    network = _network(radius=1)
    image = np.random.default_rng(2).uniform(-1, 1, (9, 7, 3)).astype("float32")
    pixels = tiling.upscale(_run(network), image, 2, tile=5, overlap=1, dtype="uint8")
    whole = _run(network)(image[None])[0]
    np.testing.assert_array_equal(pixels, kgan.inference.inputs.to_uint8(whole, (-1.0, 1.0)))
    with pytest.raises(ValueError, match="overlap <= "):
        tiling.upscale(_run(network), image, 2, tile=4, overlap=2)
    with pytest.raises(ValueError, match="Expected the model to return"):
        tiling.upscale(_run(network), image, 4, tile=5, overlap=1)


@pytest.fixture(scope="module")
def trained(two_phase_run, tmp_path_factory):
    """A tiny x2 model after a fit with both phases (conftest.py's), saved as .keras and exported (both parts)."""
    folder = tmp_path_factory.mktemp("upscale")
    model = two_phase_run.model
    model.save(folder / "sr.keras")
    exports = {part: kgan.export.export_model(model, folder / "saved_models", "sr" + (f"-{part}" if part else ""),
                                              part=part) for part in model.export_parts()}
    photos = folder / "photos"
    (photos / "sub").mkdir(parents=True)
    rng = np.random.default_rng(3)
    Image.fromarray(rng.integers(0, 256, (45, 70, 3), dtype="uint8")).save(photos / "a.png")
    Image.fromarray(rng.integers(0, 256, (20, 30), dtype="uint8")).save(photos / "sub" / "b.jpg")  # gray JPEG
    return model, folder, exports


def _expected(network, path):
    image = np.asarray(Image.open(path).convert("RGB"), "float32") / 127.5 - 1.0
    return kgan.inference.inputs.to_uint8(np.asarray(network(image[None], training=False))[0], (-1.0, 1.0))


def test_kgan_upscale_a_folder_from_a_keras_file_in_tiles(trained, capsys):
    model, folder, _ = trained
    out = folder / "big"
    assert main(["upscale", str(folder / "sr.keras"), str(folder / "photos"), "--out", str(out),
                 "--tile", "24", "--overlap", "8"]) == 0
    assert "upscaled 2 image(s) x2" in capsys.readouterr().out
    a, b = np.asarray(Image.open(out / "a.png")), np.asarray(Image.open(out / "sub" / "b.png"))
    assert a.shape == (90, 140, 3) and b.shape == (40, 60, 3)
    # The tiny net sees 2 px around, within the 8 px of overlap: rounding apart, the whole-image result.
    assert np.abs(a.astype(int) - _expected(model.export_network(), folder / "photos" / "a.png")).max() <= 1
    assert main(["upscale", str(folder / "sr.keras"), str(folder / "photos" / "a.png"), "--out",
                 str(folder / "psnr.png"), "--psnr", "--tile", "0"]) == 0
    psnr = np.asarray(Image.open(folder / "psnr.png")).astype(int)  # one window: rounding apart, the same
    assert np.abs(psnr - _expected(model.psnr_network(), folder / "photos" / "a.png")).max() <= 1


@pytest.mark.parametrize("backend", ["onnx", "saved_model"])
def test_kgan_upscale_from_an_export(trained, backend):
    model, folder, exports = trained
    out = folder / f"from_{backend}.png"
    assert main(["upscale", exports["psnr"], str(folder / "photos" / "a.png"), "--out", str(out),
                 "--tile", "0", "--backend", backend]) == 0
    expected = _expected(model.psnr_network(), folder / "photos" / "a.png")
    assert np.abs(np.asarray(Image.open(out)).astype(int) - expected).max() <= 1


def test_exported_upscale_at_several_sizes(trained):
    model, _, exports = trained
    card = kgan.export.read_card(exports[""])
    assert card["spec"]["scale"] == 2 and card["parity"]["open_sizes"] == [16, 24]
    exported = kgan.inference.load(exports[""])
    for size in [(5, 9), (16, 16), (31, 7)]:
        x = np.random.default_rng(0).uniform(-1, 1, (2, *size, 3)).astype("float32")
        np.testing.assert_allclose(exported.upscale(x), model.upscale(x), atol=TOLERANCE)
    assert exported.upscale(np.zeros((0, 4, 6, 3), "float32")).shape == (0, 8, 12, 3)


def test_kgan_upscale_refuses_other_models_and_bad_flags(trained, tmp_path, capsys):
    _, folder, exports = trained
    image = str(folder / "photos" / "a.png")
    assert main(["upscale", exports[""], image, "--out", str(tmp_path / "x.png"), "--psnr"]) == 2
    assert "--psnr applies to a run or .keras file" in capsys.readouterr().err
    assert main(["upscale", exports[""], image, "--out", str(tmp_path / "x.jpg")]) == 2
    assert "--out expects a .png" in capsys.readouterr().err
    assert main(["upscale", exports[""], image, "--out", str(tmp_path / "x.png"), "--tile", "8", "--overlap", "4"]) == 2
    assert "--tile and --overlap" in capsys.readouterr().err
