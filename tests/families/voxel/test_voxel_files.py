"""Voxel data from files the tests write: .binvox (always), .npz (always), meshes (with trimesh)."""

import sys
import warnings

import numpy as np
import pytest

import kgan
from kgan.data import binvox
from kgan.data import mesh_voxels
from kgan.data import voxels


def _block(shape=(8, 8, 8)):
    grid = np.zeros(shape, bool)
    grid[2:6, 1:7, 3:5] = True
    return grid


# .binvox -------------------------------------------------------------------------------


def test_binvox_reads_a_hand_written_file(tmp_path):
    # 2x2x2, stored x slowest, then z, then y: index = 4x + 2z + y. Voxels (x=1, y=0, z=0)
    # (index 4) and (x=0, y=1, z=1) (index 3) are full: runs 0x3, 1x2 (indices 3, 4), 0x3.
    path = tmp_path / "hand.binvox"
    path.write_bytes(b"#binvox 1\ndim 2 2 2\ntranslate 0.5 0 -1\nscale 2\ndata\n" + bytes([0, 3, 1, 2, 0, 3]))
    grid, header = binvox.read_binvox(path)
    expected = np.zeros((2, 2, 2), bool)
    expected[1, 0, 0] = expected[0, 1, 1] = True
    np.testing.assert_array_equal(grid, expected)
    assert header == {"dims": (2, 2, 2), "translate": (0.5, 0.0, -1.0), "scale": 2.0}


@pytest.mark.parametrize("shape", [(8, 8, 8), (5, 7, 9), (40, 40, 40)])
def test_binvox_round_trip(tmp_path, shape):
    grid = np.random.default_rng(0).random(shape) < 0.4
    if shape == (40, 40, 40):
        grid[:] = True  # 64000 voxels: runs longer than 255 are split
    binvox.write_binvox(tmp_path / "g.binvox", grid, translate=(1, 2, 3), scale=0.5)
    back, header = binvox.read_binvox(tmp_path / "g.binvox")
    np.testing.assert_array_equal(back, grid)
    assert header["translate"] == (1.0, 2.0, 3.0) and header["scale"] == 0.5


@pytest.mark.parametrize(
    "content, message",
    [
        (b"#voxels 1\ndim 2 2 2\ndata\n\x00\x08", "Expected a file starting with '#binvox'"),
        (b"#binvox 1\ndim 2 2\ndata\n\x00\x08", "Expected three positive sizes after 'dim'"),
        (b"#binvox 1\ndim 2 2 2\ndata\n\x00\x07", "Expected 8 voxels (dim 2 2 2)"),
        (b"#binvox 1\ndim 2 2 2\ndata\n\x02\x08", "Expected run values 0 or 1"),
        (b"#binvox 1\ndim 2 2 2\n", "Expected a binvox header ending in a 'data' line"),
    ],
)
def test_bad_binvox_files_are_refused_by_path(tmp_path, content, message):
    path = tmp_path / "bad.binvox"
    path.write_bytes(content)
    with pytest.raises(ValueError) as error:
        binvox.read_binvox(path)
    assert message in str(error.value) and str(path) in str(error.value)


def _binvox_folder(root):
    """ModelNet's layout: CLASS/train, CLASS/test; two classes, and one broken file."""
    for label, name in enumerate(["block", "slab"]):
        for split, count in (("train", 3), ("test", 1)):
            folder = root / name / split
            folder.mkdir(parents=True)
            for i in range(count):
                grid = _block((16, 16, 16)) if label == 0 else np.zeros((16, 16, 16), bool)
                grid[4 + i : 12, 6:8, 2:14] = True
                binvox.write_binvox(folder / f"{i}.binvox", grid)
    (root / "slab" / "train" / "broken.binvox").write_bytes(b"#binvox 1\ndim 16 16 16\ndata\n\x01\x05")
    return root


def test_a_binvox_folder_with_splits_skips_broken_files_by_path(tmp_path):
    root = _binvox_folder(tmp_path / "data")
    with pytest.warns(UserWarning, match=r"Skipped 1 unreadable voxel or mesh file\(s\)") as record:
        x, y, info = kgan.data.load_voxels(root, split="train", grid_size=8)
    assert str(root / "slab" / "train" / "broken.binvox") in str(record[0].message)
    assert x.shape == (6, 8, 8, 8, 1) and x.dtype == np.uint8
    np.testing.assert_array_equal(y, [0, 0, 0, 1, 1, 1])
    assert info.class_names == ("block", "slab") and info.num_classes == 2
    # 16 -> 8 is a whole-number reduction: each voxel is the majority of its 2^3 block.
    grid, _ = binvox.read_binvox(root / "block" / "train" / "0.binvox")
    expected = grid.reshape(8, 2, 8, 2, 8, 2).mean(axis=(1, 3, 5)) >= 0.5
    np.testing.assert_array_equal(x[0, ..., 0], expected)
    test_x, test_y, _ = kgan.data.load_voxels(root, split="test", grid_size=16)
    assert len(test_x) == 2 and test_y.tolist() == [0, 1]
    assert kgan.data.voxel_info(root, split="train").num_examples == 7  # files found, before reading


def test_on_error_raise_names_the_broken_file(tmp_path):
    root = _binvox_folder(tmp_path / "data")
    with pytest.raises(ValueError) as error:
        kgan.data.load_voxels(root, split="train", grid_size=8, on_error="raise")
    assert f"Could not read voxel file {root / 'slab' / 'train' / 'broken.binvox'}" in str(error.value)


def test_a_flat_folder_is_unlabelled(tmp_path):
    binvox.write_binvox(tmp_path / "a.binvox", _block())
    binvox.write_binvox(tmp_path / "b.binvox", ~_block())
    x, y, info = kgan.data.load_voxels(tmp_path, grid_size=8)
    assert y is None and info.num_classes is None and len(x) == 2
    np.testing.assert_array_equal(x[0, ..., 0], _block())
    with pytest.raises(ValueError, match="Expected split 'train' or 'all' for a folder without class subfolders"):
        kgan.data.load_voxels(tmp_path, split="test", grid_size=8)


# .npz ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encode",
    [lambda g: g, lambda g: g.astype("uint8"), lambda g: g.astype("uint8") * 255, lambda g: g * 0.9 + 0.05],
    ids=["bool", "0-1", "0-255", "float"],
)
def test_npz_grids_in_any_encoding(tmp_path, encode):
    grids = np.stack([_block(), ~_block()])
    np.savez(tmp_path / "g.npz", x=encode(grids), y=np.array([1, 0]), x_test=encode(grids[:1])[..., None], y_test=np.array([2]))
    x, y, info = kgan.data.load_voxels(tmp_path / "g.npz", grid_size=8)
    np.testing.assert_array_equal(x[..., 0], grids)
    assert y.tolist() == [1, 0] and info.num_classes == 3  # labels of every split count
    x_all, y_all, _ = kgan.data.load_voxels(tmp_path / "g.npz", split="all", grid_size=16)
    assert x_all.shape == (3, 16, 16, 16, 1) and y_all.tolist() == [1, 0, 2]


@pytest.mark.parametrize(
    "x, message",
    [
        (np.zeros((2, 8, 8)), "Expected 'x' in"),
        (np.full((2, 4, 4, 4), 2.0), "Expected float occupancy in [0, 1] in 'x'"),
        (np.full((2, 4, 4, 4), 3, "int32"), "Expected integer grids of 0 and 1 in 'x'"),
    ],
)
def test_bad_npz_grids_are_refused(tmp_path, x, message):
    np.savez(tmp_path / "bad.npz", x=x)
    with pytest.raises(ValueError) as error:
        kgan.data.load_voxels(tmp_path / "bad.npz", grid_size=8)
    assert message in str(error.value)


def test_resample():
    grid = _block((8, 8, 8))
    np.testing.assert_array_equal(voxels.resample(grid, 16), grid.repeat(2, 0).repeat(2, 1).repeat(2, 2))
    np.testing.assert_array_equal(voxels.resample(grid.repeat(2, 0).repeat(2, 1).repeat(2, 2), 8), grid)
    assert voxels.resample(np.ones((4, 6, 2), bool), 6).sum() == 4 * 6 * 2  # padded to a cube, centred


# Meshes ----------------------------------------------------------------------------------

# A 2 x 1 x 1 box: 8 vertices, 12 triangles wound counter-clockwise seen from outside.
BOX_VERTICES = [(x, y, z) for x in (-1, 1) for y in (-0.5, 0.5) for z in (-0.5, 0.5)]
BOX_FACES = [
    (0, 1, 3), (0, 3, 2), (4, 6, 7), (4, 7, 5), (0, 4, 5), (0, 5, 1),
    (2, 3, 7), (2, 7, 6), (0, 2, 6), (0, 6, 4), (1, 5, 7), (1, 7, 3),
]


def _write_box(path):
    if path.suffix == ".obj":
        lines = [f"v {x} {y} {z}" for x, y, z in BOX_VERTICES] + [f"f {a + 1} {b + 1} {c + 1}" for a, b, c in BOX_FACES]
    else:  # .off
        lines = ["OFF", f"{len(BOX_VERTICES)} {len(BOX_FACES)} 0"]
        lines += [f"{x} {y} {z}" for x, y, z in BOX_VERTICES] + [f"3 {a} {b} {c}" for a, b, c in BOX_FACES]
    path.write_text("\n".join(lines) + "\n")


def test_without_trimesh_mesh_files_say_how_to_install_it(tmp_path, monkeypatch):
    _write_box(tmp_path / "box.obj")
    monkeypatch.setitem(sys.modules, "trimesh", None)  # `import trimesh` now fails, as when it is absent
    with pytest.raises(ModuleNotFoundError) as error:
        kgan.data.load_voxels(tmp_path, grid_size=16)
    assert 'pip install "kgan[mesh]"' in str(error.value) and str(tmp_path / "box.obj") in str(error.value)
    # .binvox and .npz need no mesh library.
    (tmp_path / "grids").mkdir()
    binvox.write_binvox(tmp_path / "grids" / "a.binvox", _block())
    assert len(kgan.data.load_voxels(tmp_path / "grids", grid_size=8)[0]) == 1


def test_meshes_are_voxelised_at_load_time(tmp_path):
    trimesh = pytest.importorskip("trimesh", reason="mesh loading needs the optional extra: pip install 'kgan[mesh]'")
    for name in ("box", "ball"):
        (tmp_path / name).mkdir()
    _write_box(tmp_path / "box" / "a.obj")
    _write_box(tmp_path / "box" / "b.off")
    trimesh.creation.box(extents=(1.0, 2.0, 1.0)).export(tmp_path / "box" / "c.stl")
    trimesh.creation.icosphere(subdivisions=3).export(tmp_path / "ball" / "d.stl")
    (tmp_path / "ball" / "broken.off").write_text("OFF\n3 1 0\n0 0 0\n1 0 0\n")
    (tmp_path / "ball" / "empty.obj").write_text("# no triangles\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x, y, info = kgan.data.load_voxels(tmp_path, grid_size=16)
    message = str(caught[0].message)
    assert "Skipped 2 unreadable" in message
    assert str(tmp_path / "ball" / "broken.off") in message and str(tmp_path / "ball" / "empty.obj") in message
    assert y.tolist() == [0, 1, 1, 1] and info.class_names == ("ball", "box")
    ball, *boxes = x[..., 0].astype(bool)
    # The 2 x 1 x 1 box runs from voxel 1 to voxel 14 along x (centre to centre), 6.5 voxels across: a full block.
    for grid in boxes[:2]:
        occupied = np.argwhere(grid)
        extent = occupied.max(0) - occupied.min(0) + 1
        assert occupied.min(0)[0] == 1 and occupied.max(0)[0] == 14 and 7 <= extent[1] <= 8 and 7 <= extent[2] <= 8
        assert grid.sum() == np.prod(extent)  # filled inside, not a shell
    np.testing.assert_array_equal(boxes[0], boxes[1])  # the same box as .obj and as .off
    standing = np.argwhere(boxes[2])
    assert (standing.max(0) - standing.min(0) + 1).tolist()[1] == 14  # the STL box is 2 high (y)
    np.testing.assert_allclose(np.argwhere(ball).mean(0), 7.5, atol=0.5)  # centred
    # Filled (a one-voxel shell would hold ~600 voxels): between the balls of radius 6.5 (the
    # mesh's) and 7.5 (the voxels its surface passes through reach half a voxel further).
    assert 4 / 3 * np.pi * 6.5**3 < ball.sum() < 4 / 3 * np.pi * 7.5**3
    with pytest.raises(ValueError, match="Could not read voxel file"):
        kgan.data.load_voxels(tmp_path, grid_size=16, on_error="raise")
    assert mesh_voxels.voxelize_file(tmp_path / "box" / "a.obj", 16).shape == (16, 16, 16)
