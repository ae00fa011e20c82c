"""Mesh files (`.obj`, `.off`, `.stl`) voxelised at load time, with trimesh.

trimesh reads the files; it is an optional extra (`pip install "kgan[mesh]"`)
and kgan works without it until a mesh file is read. Each mesh is centred in
the grid and scaled so that its longest side runs from the centre of voxel 1
to that of voxel `n - 2` (so `n - 2` voxels are occupied along it and one
stays empty at each border, as in kgan's embedded shapes); its surface is voxelised by subdividing the triangles until every edge is
shorter than a voxel (trimesh's `voxelized(method="subdivide")`), and the
inside is filled (`scipy.ndimage.binary_fill_holes`, through trimesh's
`fill`). The file's axes are kept: a z-up file (ModelNet's OFF) stays z-up.

```python
import trimesh  # the optional extra

trimesh.creation.box(extents=(2, 1, 1)).export("box.off")
grid = kgan.data.mesh_voxels.voxelize_file("box.off", grid_size=16)
grid.shape, grid.dtype  # (16, 16, 16), bool
```
"""

import numpy as np

EXTENSIONS = (".obj", ".off", ".stl")
INSTALL = 'pip install "kgan[mesh]"  (or: pip install trimesh)'


def require_trimesh(path=None):
    """Imports trimesh, or raises `ModuleNotFoundError` saying how to install it."""
    try:
        import trimesh
    except ModuleNotFoundError as e:
        what = f" Received: {path}" if path is not None else ""
        raise ModuleNotFoundError(
            f"Expected the optional mesh extra to read mesh files ({', '.join(EXTENSIONS)}): {INSTALL}.{what}",
            name="trimesh",
        ) from e
    return trimesh


def voxelize_file(path, grid_size):
    """Reads a mesh file and voxelises it to a bool `(n, n, n)` grid (see the module docstring).

    Raises:
        ModuleNotFoundError: without trimesh.
        ValueError: for a file that holds no triangles.
    """
    trimesh = require_trimesh(path)
    mesh = trimesh.load(path, force="mesh")
    if not isinstance(mesh, trimesh.Trimesh) or len(mesh.faces) == 0:
        raise ValueError(f"Expected a mesh with triangles in {path}. Received: none")
    return voxelize_mesh(mesh, grid_size)


def voxelize_mesh(mesh, grid_size):
    """Voxelises a `trimesh.Trimesh` into a bool `(n, n, n)` grid, centred and scaled to fit."""
    extent = float(np.max(mesh.extents))
    if not np.isfinite(extent) or extent <= 0:
        raise ValueError(f"Expected a mesh with a positive size. Received: extents {mesh.extents.tolist()}")
    mesh = mesh.copy()
    # Grid index coordinates: voxel i's centre is at i, as in trimesh's voxels.
    mesh.apply_translation(-mesh.bounds.mean(axis=0))
    mesh.apply_scale((grid_size - 3) / extent)
    mesh.apply_translation(np.full(3, (grid_size - 1) / 2))
    voxels = mesh.voxelized(pitch=1.0, method="subdivide").fill()
    indices = np.rint(voxels.points).astype(int)  # centres of the filled voxels, in grid indices
    inside = np.all((indices >= 0) & (indices < grid_size), axis=1)
    grid = np.zeros((grid_size,) * 3, bool)
    grid[tuple(indices[inside].T)] = True
    return grid
