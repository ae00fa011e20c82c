"""The voxel family on the command line: `kgan train --family voxel`, `kgan sample` grids and `--mesh`."""

import contextlib
import io
import os

import keras
import numpy as np
import pytest
from PIL import Image

import kgan
from kgan import cli
from kgan import latent
from kgan import meshes
from kgan import rendering
from kgan.families.voxel.model import VoxelGAN

LATENT = 8
GRID = 8
CLASSES = 3


def _main(*argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main([str(a) for a in argv])
        except SystemExit as e:
            code = e.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def voxel_keras(tmp_path_factory):
    keras.utils.set_random_seed(0)
    g = kgan.models.voxel_generator(LATENT, GRID, CLASSES, base_filters=4, embed_dim=4)
    d = kgan.models.voxel_discriminator(GRID, CLASSES, base_filters=4)
    gan = VoxelGAN(g, d, LATENT, num_classes=CLASSES, seed=0)
    gan.compile()
    # Bias the output layer so that samples have a surface to mesh.
    layer = gan.generator.get_layer("to_occupancy")
    layer.bias.assign(np.array([0.3], "float32"))
    path = str(tmp_path_factory.mktemp("voxel") / "voxel.keras")
    gan.save(path)
    return path


def _expected(path, n):
    """The shapes `kgan sample PATH --n n` should write: seed-0 noise, the classes in blocks."""
    model = keras.models.load_model(path)
    labels = np.repeat(np.arange(CLASSES), -(-n // CLASSES))[:n].astype("int32")
    return np.asarray(model.export_network()([latent.sample_latent(n, LATENT, 0), labels]))


def _read_obj(path):
    lines = open(path).read().splitlines()
    return sum(line.startswith("v ") for line in lines), sum(line.startswith("f ") for line in lines)


def _read_ply(path):
    lines = open(path).read().splitlines()
    counts = {line.split()[1]: int(line.split()[2]) for line in lines if line.startswith("element ")}
    assert len(lines) == lines.index("end_header") + 1 + counts["vertex"] + counts["face"]
    return counts["vertex"], counts["face"]


def _check_meshes(folder, volumes):
    assert sorted(os.listdir(folder)) == sorted(f"{i:05d}.{ext}" for i in range(len(volumes)) for ext in ("obj", "ply"))
    for i, volume in enumerate(volumes):
        mesh = meshes.volume_to_mesh(volume)
        assert not mesh.empty
        expected = (len(mesh.vertices), len(mesh.faces))
        assert _read_obj(folder / f"{i:05d}.obj") == expected
        assert _read_ply(folder / f"{i:05d}.ply") == expected
        with contextlib.suppress(ModuleNotFoundError):  # an independent reader, when the mesh extra is installed
            import trimesh

            loaded = trimesh.load(folder / f"{i:05d}.obj", force="mesh", process=False)
            assert (len(loaded.vertices), len(loaded.faces)) == expected


def test_sample_mesh_writes_obj_and_ply_that_read_back(voxel_keras, tmp_path):
    code, out, err = _main("sample", voxel_keras, "--n", "4", "--mesh", tmp_path / "meshes")
    assert code == 0, err
    assert out.strip() == f"wrote 4 meshes (.obj and .ply) to {tmp_path / 'meshes'}"
    _check_meshes(tmp_path / "meshes", _expected(voxel_keras, 4))


def test_sample_grid_of_volumes_is_a_grid_of_renders(voxel_keras, tmp_path):
    code, _, err = _main("sample", voxel_keras, "--n", "6", "--out", tmp_path / "grid.png")
    assert code == 0, err
    grid = np.asarray(Image.open(tmp_path / "grid.png"))
    expected = rendering.render_grid(_expected(voxel_keras, 6), rows=CLASSES)  # one row per class, 64 px tiles
    assert grid.shape == (CLASSES * 65 + 1, 2 * 65 + 1, 3)
    np.testing.assert_array_equal(grid, expected)
    code, _, err = _main("sample", voxel_keras, "--n", "2", "--individual", tmp_path / "one")
    assert code == 0, err
    assert np.asarray(Image.open(tmp_path / "one" / "00001.png")).shape == (64, 64, 3)


def test_sample_mesh_from_an_export(voxel_keras, tmp_path):
    folder = kgan.export.export_model(keras.models.load_model(voxel_keras), tmp_path / "saved_models", "shapes")
    code, _, err = _main("sample", folder, "--n", "3", "--mesh", tmp_path / "meshes")
    assert code == 0, err
    _check_meshes(tmp_path / "meshes", _expected(voxel_keras, 3))


def test_mesh_of_a_2d_model_is_refused(tmp_path):
    g = kgan.models.dcgan_generator(8, 8, 1, base_filters=4)
    d = kgan.models.dcgan_discriminator(8, 1, base_filters=4)
    gan = kgan.GAN(g, d, 8)
    gan.compile()
    gan.save(tmp_path / "flat.keras")
    code, _, err = _main("sample", tmp_path / "flat.keras", "--mesh", tmp_path / "meshes")
    assert code == 2
    assert "--mesh writes the surfaces of 3-D shapes" in err and "makes 2-D images of shape (8, 8, 1)" in err
    assert not (tmp_path / "meshes").exists()


def test_train_family_voxel_end_to_end_then_sample_meshes(tmp_path):
    rng = np.random.default_rng(0)
    grids = np.zeros((32, 16, 16, 16), bool)
    for i, grid in enumerate(grids):  # blocks of three sizes: three classes
        size = 4 + 2 * (i % 3)
        start = rng.integers(1, 15 - size, 3)
        grid[start[0] : start[0] + size, start[1] : start[1] + size, start[2] : start[2] + size] = True
    np.savez(tmp_path / "blocks.npz", x=grids, y=np.arange(32) % 3)
    run_dir = tmp_path / "run"
    code, out, err = _main(
        "train", "--family", "voxel", "--preset", "voxel_tiny", "--dataset", tmp_path / "blocks.npz",
        "--epochs", "2", "--batch-size", "8", "--no-export", "--out", run_dir, "--quiet",
    )
    assert code == 0, err
    config = kgan.training.read_config(str(run_dir))
    assert config.model.grid_size == 16 and config.model.num_classes == 3 and config.model.latent_dim == 8
    sample = np.asarray(Image.open(run_dir / "samples" / "epoch_0002.png"))
    assert sample.shape == (3 * 65 + 1, 6 * 65 + 1, 3)  # renders: a row per class, six per row
    history = open(run_dir / "history.csv").read()
    assert "d_accuracy" in history.splitlines()[0]
    code, _, err = _main("sample", run_dir, "--n", "3", "--labels", "2", "--mesh", tmp_path / "meshes")
    assert code == 0, err
    assert len(os.listdir(tmp_path / "meshes")) == 6
