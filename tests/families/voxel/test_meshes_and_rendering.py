"""`kgan.meshes` (marching cubes, OBJ/PLY) and `kgan.rendering` (shaded pictures of grids)."""

import numpy as np
import pytest

from kgan import meshes
from kgan import rendering


def _ball(n=16, radius=6.0):
    centres = np.indices((n, n, n)).transpose(1, 2, 3, 0) + 0.5
    return (np.linalg.norm(centres - n / 2, axis=-1) < radius).astype("float32")


def _box(n=16):
    grid = np.zeros((n, n, n), "float32")
    grid[2:14, 4:8, 5:11] = 1.0
    return grid


def read_obj(text):
    vertices = [list(map(float, line.split()[1:])) for line in text.splitlines() if line.startswith("v ")]
    faces = [[int(i) - 1 for i in line.split()[1:]] for line in text.splitlines() if line.startswith("f ")]
    return np.array(vertices), np.array(faces)


def read_ply(text):
    lines = text.splitlines()
    counts = {line.split()[1]: int(line.split()[2]) for line in lines if line.startswith("element ")}
    body = lines[lines.index("end_header") + 1 :]
    vertices = np.array([list(map(float, line.split())) for line in body[: counts["vertex"]]])
    faces = np.array([list(map(int, line.split())) for line in body[counts["vertex"] :]])
    assert len(faces) == counts["face"] and (faces[:, 0] == 3).all()
    return vertices, faces[:, 1:]


def test_marching_cubes_of_a_ball_encloses_its_volume_with_outward_normals():
    mesh = meshes.volume_to_mesh(_ball())
    assert not mesh.empty and mesh.vertices.dtype == np.float32 and mesh.faces.dtype == np.int64
    # Unit-cube frame: a ball of radius 6 voxels in a 16 grid has radius 0.375.
    np.testing.assert_allclose(np.linalg.norm(mesh.vertices, axis=1).mean(), 6 / 16, rtol=0.05)
    assert meshes.signed_volume(mesh) == pytest.approx(4 / 3 * np.pi * (6 / 16) ** 3, rel=0.05)  # > 0: outward


def test_a_box_touching_the_border_is_closed_and_its_extent_is_right():
    grid = np.zeros((8, 8, 8), "float32")
    grid[:, 2:6, 3:5] = 1.0  # touches both x borders: the padding closes it
    mesh = meshes.volume_to_mesh(grid)
    low, high = mesh.vertices.min(0), mesh.vertices.max(0)
    # Marching cubes puts the surface halfway between a full and an empty voxel centre.
    np.testing.assert_allclose(low, [-0.5, (2 - 0.5 + 0.5) / 8 - 0.5, (3 - 0.5 + 0.5) / 8 - 0.5], atol=1e-6)
    np.testing.assert_allclose(high, [0.5, (5 + 0.5 + 0.5) / 8 - 0.5, (4 + 0.5 + 0.5) / 8 - 0.5], atol=1e-6)
    edges = np.sort(mesh.faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2), axis=1)
    _, uses = np.unique(edges, axis=0, return_counts=True)
    assert (uses == 2).all()  # every edge shared by two triangles: watertight


def test_an_empty_grid_has_no_surface_and_other_ranges_work():
    assert meshes.volume_to_mesh(np.zeros((8, 8, 8))).empty
    assert meshes.volume_to_mesh(np.full((8, 8, 8), -1.0), value_range=(-1, 1)).empty
    in_tanh_range = meshes.volume_to_mesh(_ball() * 2 - 1, value_range=(-1.0, 1.0))
    np.testing.assert_allclose(in_tanh_range.vertices, meshes.volume_to_mesh(_ball()).vertices, atol=1e-6)


def test_obj_and_ply_files_read_back(tmp_path):
    mesh = meshes.volume_to_mesh(_box())
    meshes.write_mesh(mesh, tmp_path / "box.obj")
    meshes.write_mesh(mesh, tmp_path / "box.ply")
    for reader, name in ((read_obj, "box.obj"), (read_ply, "box.ply")):
        vertices, faces = reader((tmp_path / name).read_text())
        assert vertices.shape == mesh.vertices.shape and faces.shape == mesh.faces.shape
        np.testing.assert_allclose(vertices, mesh.vertices, atol=1e-5)
        np.testing.assert_array_equal(faces, mesh.faces)
    with pytest.raises(ValueError, match="Expected a path ending in .obj or .ply"):
        meshes.write_mesh(mesh, tmp_path / "box.stl")


def test_write_volumes_names_files_and_reports_empty_ones(tmp_path):
    volumes = np.stack([_box(), np.zeros((16, 16, 16), "float32")])[..., None]
    paths, empty = meshes.write_volumes(volumes, tmp_path / "out")
    assert sorted(p.rsplit("/", 1)[1] for p in paths) == ["00000.obj", "00000.ply", "00001.obj", "00001.ply"]
    assert empty == [1]
    assert read_obj((tmp_path / "out" / "00001.obj").read_text())[1].size == 0


def test_renders_have_the_right_shape_and_show_the_shape():
    pictures = rendering.render_volumes(np.stack([_ball(), _box(), np.zeros((16, 16, 16), "float32")])[..., None], size=48)
    assert pictures.shape == (3, 48, 48, 3) and pictures.dtype == np.uint8
    ball, box, empty = pictures
    assert (empty == rendering.BACKGROUND).all()  # nothing to see
    for picture in (ball, box):
        lit = (picture != rendering.BACKGROUND).any(axis=-1)
        assert 0.05 < lit.mean() < 0.6  # a shape in the middle, not a blank or a filled frame
        assert len(np.unique(picture[lit].sum(-1))) > 5  # shaded, not flat
    # The ball is round: its lit pixels are about as wide as tall, centred.
    rows, cols = np.nonzero((ball != rendering.BACKGROUND).any(axis=-1))
    assert abs((rows.max() - rows.min()) - (cols.max() - cols.min())) <= 2
    assert abs(rows.mean() - 23.5) < 2 and abs(cols.mean() - 23.5) < 2
    # Faces turned to the light are bright, faces turned away dark.
    brightness = box[(box != rendering.BACKGROUND).any(axis=-1)].mean(axis=-1)
    assert brightness.max() - brightness.min() > 60


def test_a_one_voxel_rod_stays_visible():
    grid = np.zeros((32, 32, 32), "float32")
    grid[16, 4:28, 16] = 1.0
    assert (rendering.render_volume(grid) != rendering.BACKGROUND).any()


def test_render_grid_tiles_rows_and_refuses_non_volumes():
    grid = rendering.render_grid(np.stack([_ball()] * 6), rows=2, size=32)
    assert grid.shape == (2 * 33 + 1, 3 * 33 + 1, 3)
    with pytest.raises(ValueError, match="Expected volumes of shape"):
        rendering.render_volumes(np.zeros((2, 8, 8)))
    with pytest.raises(ValueError, match="Expected a cubic volume"):
        rendering.render_volume(np.zeros((8, 8, 4)))
