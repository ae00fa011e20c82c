"""Occupancy grids to triangle meshes (marching cubes), written as OBJ or PLY.

`volume_to_mesh` runs scikit-image's marching cubes (Lewiner et al. 2003) at
the middle of the value range on the grid padded with one empty voxel, so
every surface is closed, even where a shape touches the grid's border. The
vertices are in the grid's frame scaled to the unit cube `[-0.5, 0.5]^3`
(x, y, z with y up, as `kgan.models.voxel` makes grids); faces wind
counter-clockwise seen from outside (normals point out), as OBJ and PLY
readers expect.

Both formats are plain text that Blender, MeshLab, trimesh and Open3D read.

```python
ball = np.indices((16, 16, 16)).transpose(1, 2, 3, 0)
ball = (np.linalg.norm(ball - 7.5, axis=-1) < 6).astype("float32")
mesh = kgan.meshes.volume_to_mesh(ball)
kgan.meshes.write_mesh(mesh, "ball.obj")
kgan.meshes.write_mesh(mesh, "ball.ply")
```
"""

import dataclasses
import os

import numpy as np

from kgan import atomic

FORMATS = ("obj", "ply")


@dataclasses.dataclass(frozen=True)
class Mesh:
    """A triangle mesh: float32 `vertices (V, 3)` and int64 `faces (F, 3)` (0-based)."""

    vertices: np.ndarray
    faces: np.ndarray

    @property
    def empty(self):
        return len(self.faces) == 0


def volume_to_mesh(volume, value_range=(0.0, 1.0)):
    """The surface of an occupancy grid, by marching cubes; an empty `Mesh` if there is none.

    Args:
        volume: `(x, y, z)` or `(x, y, z, 1)` values in `value_range`.
        value_range: `(low, high)`: empty and full; the surface is at the middle.
    """
    from skimage import measure  # deferred: scikit-image imports slowly

    volume = np.asarray(volume, "float32")
    if volume.ndim == 4 and volume.shape[-1] == 1:
        volume = volume[..., 0]
    if volume.ndim != 3:
        raise ValueError(f"Expected a volume of shape (x, y, z) or (x, y, z, 1). Received: shape={volume.shape}")
    low, high = (float(v) for v in value_range)
    level = (low + high) / 2
    padded = np.pad(volume, 1, constant_values=low)
    if not padded.max() > level:
        return Mesh(np.zeros((0, 3), "float32"), np.zeros((0, 3), "int64"))
    # "ascent": the values grow into the object (occupancy is high inside),
    # which makes the faces wind counter-clockwise seen from outside.
    vertices, faces, _, _ = measure.marching_cubes(padded, level, gradient_direction="ascent")
    side = np.asarray(volume.shape, "float32")
    vertices = (vertices - 1.0 + 0.5) / side - 0.5  # undo the padding; voxel centres at (i + 0.5) / n
    return Mesh(vertices.astype("float32"), faces.astype("int64"))


def signed_volume(mesh):
    """The volume a closed mesh encloses: positive when its faces wind counter-clockwise seen from outside."""
    a, b, c = (mesh.vertices[mesh.faces[:, i]].astype("float64") for i in range(3))
    return float(np.sum(np.einsum("ij,ij->i", a, np.cross(b, c))) / 6.0)


def obj_text(mesh):
    """The mesh in Wavefront OBJ: `v x y z` lines, then `f i j k` lines (1-based)."""
    lines = ["# kgan voxel mesh (marching cubes)", f"# {len(mesh.vertices)} vertices, {len(mesh.faces)} faces"]
    lines += [f"v {x:.6g} {y:.6g} {z:.6g}" for x, y, z in mesh.vertices]
    lines += [f"f {i + 1} {j + 1} {k + 1}" for i, j, k in mesh.faces]
    return "\n".join(lines) + "\n"


def ply_text(mesh):
    """The mesh in ASCII PLY (Stanford): vertex and face elements."""
    header = [
        "ply",
        "format ascii 1.0",
        "comment kgan voxel mesh (marching cubes)",
        f"element vertex {len(mesh.vertices)}",
        "property float x",
        "property float y",
        "property float z",
        f"element face {len(mesh.faces)}",
        "property list uchar int vertex_indices",
        "end_header",
    ]
    body = [f"{x:.6g} {y:.6g} {z:.6g}" for x, y, z in mesh.vertices]
    body += [f"3 {i} {j} {k}" for i, j, k in mesh.faces]
    return "\n".join(header + body) + "\n"


def mesh_text(mesh, fmt):
    """The mesh as text in `fmt` (`"obj"` or `"ply"`)."""
    if fmt not in FORMATS:
        raise ValueError(f"Expected a mesh format among {FORMATS}. Received: format={fmt!r}")
    return obj_text(mesh) if fmt == "obj" else ply_text(mesh)


def write_mesh(mesh, path):
    """Writes `mesh` atomically to `path`; the format is the extension (`.obj` or `.ply`)."""
    fmt = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"Expected a path ending in .obj or .ply. Received: path={os.fspath(path)!r}")
    return atomic.write_text(path, mesh_text(mesh, fmt))


def write_volumes(volumes, directory, value_range=(0.0, 1.0), formats=FORMATS, prefix=""):
    """Writes each volume of a batch as `DIR/{prefix}{i:05d}.obj` and `.ply`.

    Returns:
        `(paths, empty)`: the files written, and the indices of volumes with
        no surface (written as meshes without faces).
    """
    paths, empty = [], []
    for i, volume in enumerate(volumes):
        mesh = volume_to_mesh(volume, value_range)
        if mesh.empty:
            empty.append(i)
        for fmt in formats:
            paths.append(write_mesh(mesh, os.path.join(directory, f"{prefix}{i:05d}.{fmt}")))
    return paths, empty
