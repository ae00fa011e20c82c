"""Real volumes for evaluation: which sources hold voxel grids, and reading them.

A named source holds volumes when `kgan.data.load_voxels` reads it: the
embedded `"shapes"`, a folder with `.binvox` / mesh files, or an `.npz`
whose grid array has the rank of volumes (`(N, n, n, n)` or
`(N, n, n, n, 1)`; image `.npz` files hold `(N, H, W)` or `(N, H, W, 1 or
3)`), told from the array's header without reading the grids.
"""

import os
import zipfile

import numpy as np

# The grid side of sources without a native one (the embedded shapes, mesh
# folders): the voxel family's default.
DEFAULT_GRID_SIZE = 32
NPZ_GRID_KEYS = ("x", "x_train", "x_test")
ACCEPTED = "'shapes', an .npz of grids (N, n, n, n[, 1]), or a folder of .binvox / .obj / .off / .stl files"


def holds_volumes(source):
    """Returns whether a named `kgan.data` source holds voxel grids (see the module docstring)."""
    if not isinstance(source, (str, os.PathLike)):
        return False
    source = os.fspath(source)
    if source.lower().endswith(".npz"):
        shape = npz_grid_shape(source)
        return shape is not None and is_volume_shape(shape)
    from kgan import data

    try:
        return data.voxel_info(source, split="all").num_examples > 0
    except (ValueError, OSError):  # not a voxel source: an image dataset name, an image folder, ...
        return False


def is_volume_shape(shape):
    """Whether an array of `shape` holds volumes `(N, n, n, n[, 1])` rather than images."""
    shape = tuple(shape)
    if len(shape) == 5:
        return True
    return len(shape) == 4 and shape[1] == shape[2] == shape[3] and shape[3] not in (1, 3)


def npz_grid_shape(path):
    """The shape of an `.npz` file's first array of `NPZ_GRID_KEYS`, from its header; None if unreadable."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            key = next((k for k in NPZ_GRID_KEYS if f"{k}.npy" in names), None)
            if key is None:
                return None
            with archive.open(f"{key}.npy") as f:
                version = np.lib.format.read_magic(f)
                if version == (1, 0):
                    return np.lib.format.read_array_header_1_0(f)[0]
                if version == (2, 0):
                    return np.lib.format.read_array_header_2_0(f)[0]
        with np.load(path, allow_pickle=False) as npz:  # a header version the readers above do not know
            return npz[key].shape
    except (OSError, ValueError, zipfile.BadZipFile):
        return None


def default_grid_size(source):
    """The grid side to read a voxel source at when none is asked: an `.npz`'s own, else `DEFAULT_GRID_SIZE`."""
    if isinstance(source, (str, os.PathLike)) and os.fspath(source).lower().endswith(".npz"):
        shape = npz_grid_shape(source)
        if shape is not None and is_volume_shape(shape):
            return int(shape[1])
    return DEFAULT_GRID_SIZE


def load_volumes(source, split, volume_shape=None, max_examples=None):
    """Reads a voxel source as float32 grids in {0, 1}: `(volumes, labels, description)`.

    Args:
        source: A voxel source (see the module docstring).
        split: `"train"`, `"test"` or `"all"`.
        volume_shape: `(n, n, n, 1)` to read the grids at side `n` (the
            generator's); `None` for `default_grid_size(source)`.
        max_examples: Read at most this many.
    """
    from kgan import data

    grid_size = default_grid_size(source) if volume_shape is None else _grid_size(volume_shape)
    volumes, labels, info = data.load_voxels(source, split=split, grid_size=grid_size, max_examples=max_examples)
    description = {"source": os.fspath(source), "split": split, "num_classes": info.num_classes}
    return volumes.astype(np.float32), labels, description


def _grid_size(volume_shape):
    depth, height, width, channels = volume_shape
    if not depth == height == width or channels != 1:
        raise ValueError(
            "Expected cubic one-channel volumes (n, n, n, 1) to read voxel data at. "
            f"Received: volume_shape={tuple(volume_shape)}"
        )
    return int(depth)
