"""`kgan sample` from a run directory or .keras file: grids, seeds, labels, interpolation, errors."""

import os

import numpy as np
import pytest
from PIL import Image

import kgan
from kgan import images
from kgan import latent
from kgan.training import loading
from kgan.models import presets

TILE = 8 * 8 + 1  # 8 px digits upscaled x8 to ~64 px, plus 1 px padding


def png(path):
    with Image.open(path) as im:
        return np.asarray(im)


def tile(grid, row, col, size=64):
    top, left = 1 + row * (size + 1), 1 + col * (size + 1)
    return grid[top : top + size, left : left + size]


def expected_png(run_dir, z, labels):
    """What a sample should look like: the run's sampling generator, upscaled x8."""
    gan = loading.load_model(run_dir)
    out = gan.export_network().predict_on_batch([z, np.asarray(labels, "int32")])
    return images.to_uint8(out)[..., 0].repeat(8, axis=1).repeat(8, axis=2)


@pytest.fixture(scope="module")
def unconditional_keras(tmp_path_factory):
    g, d = presets.build("dcgan_tiny", 8, 1)
    gan = kgan.GAN(g, d, 16, seed=0)
    gan.compile(jit_compile=False)
    path = str(tmp_path_factory.mktemp("models") / "uncond.keras")
    gan.save(path)
    return path


def test_grid_has_one_row_per_class(run_kgan, cli_run, tmp_path):
    _, run_dir = cli_run
    out = tmp_path / "g.png"
    result = run_kgan("sample", run_dir, "--n", "20", "--out", out)
    assert result.code == 0, result
    assert result.out.strip() == f"wrote {out}"
    grid = png(out)
    assert grid.shape == (10 * TILE + 1, 2 * TILE + 1)
    # Row r holds class r: samples 2r and 2r + 1 of the seed-0 noise.
    z = latent.sample_latent(20, 16, 0)
    expected = expected_png(run_dir, z, np.repeat(np.arange(10), 2))
    np.testing.assert_array_equal(tile(grid, 3, 1), expected[7])


def test_seeds_range(run_kgan, cli_run, tmp_path):
    _, run_dir = cli_run
    result = run_kgan("sample", run_dir, "--seeds", "0-3", "--labels", "5", "--out", tmp_path / "s.png")
    assert result.code == 0, result
    grid = png(tmp_path / "s.png")
    assert grid.shape == (2 * TILE + 1, 2 * TILE + 1)
    # One latent point per seed: tile 2 is seed 2's sample.
    z2 = latent.sample_latent(1, 16, 2)
    np.testing.assert_array_equal(tile(grid, 1, 0), expected_png(run_dir, z2, [5])[0])


def test_labels(run_kgan, cli_run, tmp_path):
    _, run_dir = cli_run
    result = run_kgan("sample", run_dir, "--n", "4", "--labels", "3", "--individual", tmp_path / "d")
    assert result.code == 0, result
    expected = expected_png(run_dir, latent.sample_latent(4, 16, 0), [3, 3, 3, 3])
    for i in range(4):
        np.testing.assert_array_equal(png(tmp_path / "d" / f"{i:05d}.png"), expected[i])


def test_individual_files(run_kgan, cli_run, tmp_path):
    _, run_dir = cli_run
    out_dir = tmp_path / "many"
    result = run_kgan("sample", run_dir, "--n", "12", "--individual", out_dir)
    assert result.code == 0, result
    assert result.out.strip() == f"wrote 12 images to {out_dir}"
    assert sorted(os.listdir(out_dir)) == [f"{i:05d}.png" for i in range(12)]
    assert png(out_dir / "00011.png").shape == (64, 64)


def test_interpolate_is_one_walk_per_class(run_kgan, cli_run, tmp_path):
    _, run_dir = cli_run
    result = run_kgan("sample", run_dir, "--interpolate", "1", "2", "--steps", "5", "--out", tmp_path / "w.png")
    assert result.code == 0, result
    grid = png(tmp_path / "w.png")
    assert grid.shape == (10 * TILE + 1, 5 * TILE + 1)
    # Row 4 walks from seed 1 to seed 2 with class 4 throughout.
    a, b = latent.sample_latent(1, 16, 1)[0], latent.sample_latent(1, 16, 2)[0]
    walk = latent.slerp(a, b, 5)
    expected = expected_png(run_dir, walk, [4] * 5)
    for col in range(5):
        np.testing.assert_array_equal(tile(grid, 4, col), expected[col])


def test_interpolate_lerp_with_label_on_keras_file(run_kgan, cli_run, tmp_path):
    _, run_dir = cli_run
    result = run_kgan("sample", os.path.join(run_dir, "model.keras"), "--interpolate", "1", "2", "--steps", "3",
                      "--method", "lerp", "--labels", "7", "--rows", "1", "--out", tmp_path / "w.png")
    assert result.code == 0, result
    grid = png(tmp_path / "w.png")
    assert grid.shape == (TILE + 1, 3 * TILE + 1)
    a, b = latent.sample_latent(1, 16, 1)[0], latent.sample_latent(1, 16, 2)[0]
    np.testing.assert_array_equal(tile(grid, 0, 1), expected_png(run_dir, latent.lerp(a, b, 3), [7] * 3)[1])


def test_unconditional_model(run_kgan, unconditional_keras, tmp_path):
    result = run_kgan("sample", unconditional_keras, "--n", "6", "--scale", "2", "--out", tmp_path / "u.png")
    assert result.code == 0, result
    assert png(tmp_path / "u.png").shape == (2 * 17 + 1, 3 * 17 + 1)


@pytest.mark.parametrize(
    "args, message",
    [
        (("--seeds", "a-b"), "--seeds expects e.g. '0-15' or '1,5,9'. Received: 'a-b'"),
        (("--seeds", "5-2"), "--seeds expects e.g. '0-15' or '1,5,9'. Received: '5-2'"),
        (("--seeds", "-3"), "--seed, --seeds and --interpolate expect non-negative integers. Received: -3"),
        (("--seed", "-1"), "expect non-negative integers. Received: -1"),
        (("--labels", "10"), "--labels expects classes in [0, 10). Received: '10'"),
        (("--labels", "-1"), "--labels expects classes in [0, 10)"),
        (("--labels", "three"), "Expected --labels like 3 or 0,1,2. Received: --labels='three'"),
        (("--interpolate", "1", "2", "--steps", "1"), "--steps expects an integer >= 2. Received: 1"),
        (("--n", "0"), "--n expects a positive integer. Received: 0"),
    ],
)
def test_bad_arguments(run_kgan, cli_run, tmp_path, args, message):
    _, run_dir = cli_run
    out = tmp_path / "x.png"
    result = run_kgan("sample", run_dir, *args, "--out", out)
    assert result.code == 2, result
    assert result.err.startswith("kgan sample: error: ")
    assert message in result.err
    assert not out.exists()


def test_labels_on_unconditional_model(run_kgan, unconditional_keras, tmp_path):
    result = run_kgan("sample", unconditional_keras, "--labels", "1", "--out", tmp_path / "x.png")
    assert result.code == 2
    assert f"kgan sample: error: --labels given, but {unconditional_keras} is an unconditional model" in result.err


@pytest.mark.parametrize("name", ["missing_run", "missing.keras"])
def test_missing_src(run_kgan, tmp_path, name):
    result = run_kgan("sample", tmp_path / name, "--out", tmp_path / "x.png")
    assert result.code == 2
    assert "kgan sample: error: Expected a kgan run directory (with config.json) or a .keras file." in result.err
    assert name in result.err


def test_bad_argparse_values(run_kgan, tmp_path):
    result = run_kgan("sample", tmp_path, "--method", "cubic")
    assert result.code == 2
    assert "argument --method: invalid choice: 'cubic'" in result.err
    result = run_kgan("sample", tmp_path, "--interpolate", "1")
    assert result.code == 2
    assert "argument --interpolate: expected 2 arguments" in result.err
