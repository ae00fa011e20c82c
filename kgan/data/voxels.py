"""Voxel datasets: occupancy grids for the `voxel` family, as NumPy arrays.

Sources:

- `"shapes"` (default): kgan's embedded procedural shapes, eight classes,
  splits "train" (400 per class), "test" (100 per class) and "all"
  (`kgan.data.shapes`); works offline.
- An `.npz` file with grids under `x` (or `x_train`) and optionally labels
  `y` (or `y_train`), and `x_test` / `y_test`: `(N, n, n, n)` or
  `(N, n, n, n, 1)`, bool, integers 0/1, uint8 0..255 (occupied from 128) or
  floats in [0, 1] (occupied from 0.5).
- A folder of `.binvox` files (`kgan.data.binvox`) and mesh files (`.obj`,
  `.off`, `.stl`, voxelised at load time by `kgan.data.mesh_voxels`, which
  needs `pip install "kgan[mesh]"`). Class subfolders are labels (sorted
  names); ModelNet's layout `CLASS/train/...`, `CLASS/test/...` gives the
  splits. Unreadable files are skipped with a warning listing their paths,
  or refused with `on_error="raise"`.

Names win over paths: use `"./shapes"` for a local folder named `shapes`.

Grids are resampled to `grid_size` (block majority for whole-number
reductions, blocks for whole-number enlargements, trilinear interpolation
thresholded at 0.5 otherwise) and
returned as uint8 0/1 `(N, grid, grid, grid, 1)`, `(x, y, z)` with y up as
the files store them (`kgan.data.binvox`): a quarter of float32's memory,
cast to float32 in the train step.

```python
x, y, info = kgan.data.load_voxels("shapes", split="test", grid_size=16)
x.shape, info.num_classes, info.class_names[:3]  # (800, 16, 16, 16, 1), 8, ('box', 'sphere', 'cylinder')
```
"""

import os
import warnings

import numpy as np
from scipy import ndimage

from kgan.data import binvox
from kgan.data import mesh_voxels
from kgan.data import shapes
from kgan.data.dataset_info import DatasetInfo

EXTENSIONS = (".binvox", *mesh_voxels.EXTENSIONS)
ON_ERROR = ("skip", "raise")
SPLIT_FOLDERS = ("train", "test")
MAX_LISTED_PATHS = 20
ACCEPTED = (
    "'shapes' (the embedded procedural shapes), the path of an .npz file of grids, or a folder of "
    ".binvox / .obj / .off / .stl files"
)


def load_voxels(source="shapes", *, split="train", grid_size=32, labels=None, on_error="skip", max_examples=None):
    """Loads occupancy grids (and labels) as NumPy arrays.

    Args:
        source: `"shapes"`, an `.npz` path or a folder (see the module docstring).
        split: `"train"`, `"test"` or `"all"`.
        grid_size: side of the returned grids.
        labels: True to require labels, False to drop them, None to return
            them when the source has them.
        on_error: for folders, `"skip"` unreadable files (with a warning
            naming them) or `"raise"` a `ValueError` naming the first.
        max_examples: keep the first `max_examples` (in stored order).

    Returns:
        `(volumes, labels, info)`: uint8 0/1 `(N, n, n, n, 1)`, int32 `(N,)`
        labels or None, and a `kgan.data.DatasetInfo` (its `image_shape` is
        the grid's `(n, n, n, 1)`).
    """
    _check_options(grid_size, labels, on_error, max_examples)
    volumes, targets, details = _read(source, split, grid_size, on_error)
    if labels and targets is None:
        raise ValueError(f"Expected a labelled source for labels=True. Received: source={details['name']!r} without labels")
    if labels is False:
        targets = None
    if max_examples is not None:
        volumes = volumes[:max_examples]
        targets = None if targets is None else targets[:max_examples]
    info = _info(details, split, grid_size, len(volumes))
    return volumes, targets, info


def voxel_info(source="shapes", *, split="train", grid_size=32):
    """Describes a source's split: cheap for `"shapes"` and folders (no file is read), reads an `.npz`."""
    _check_options(grid_size, None, "skip", None)
    if _is_shapes(source):
        shapes.check_split(split)
        count = shapes.num_examples(split)
        details = {"name": shapes.NAME, "num_classes": len(shapes.CLASS_NAMES), "class_names": shapes.CLASS_NAMES}
        return _info(details, split, grid_size, count)
    path = _path(source)
    if os.path.isdir(path):
        files, _, class_names = list_files(path, split)
        details = {"name": path, "num_classes": _count(class_names), "class_names": class_names}
        return _info(details, split, grid_size, len(files))
    _, _, details = _read(path, split, grid_size, "raise")
    return _info(details, split, grid_size, details["count"])


def resample(grid, size):
    """A bool `(size, size, size)` copy of an occupancy grid of any side (non-cubic grids are padded to a cube)."""
    grid = np.asarray(grid, bool)
    side = max(grid.shape)
    if len(set(grid.shape)) > 1:
        before = [(side - s) // 2 for s in grid.shape]
        grid = np.pad(grid, [(b, side - s - b) for b, s in zip(before, grid.shape)])
    if side == size:
        return grid
    if side % size == 0:  # whole-number reduction: a voxel is occupied if most of its block is
        f = side // size
        return grid.reshape(size, f, size, f, size, f).mean(axis=(1, 3, 5)) >= 0.5
    if size % side == 0:  # whole-number enlargement: each voxel becomes a block
        f = size // side
        return grid.repeat(f, 0).repeat(f, 1).repeat(f, 2)
    zoomed = ndimage.zoom(grid.astype("float32"), size / side, order=1, grid_mode=True, mode="grid-constant")
    return zoomed >= 0.5


def list_files(directory, split="train"):
    """The voxel and mesh files of a folder for `split`: `(paths, labels or None, class_names or None)`."""
    with os.scandir(directory) as scan:
        entries = sorted((e for e in scan if not e.name.startswith(".")), key=lambda e: e.name)
    classes = [e.name for e in entries if e.is_dir()]
    if not classes:
        if split not in ("train", "all"):
            raise ValueError(
                f"Expected split 'train' or 'all' for a folder without class subfolders ({directory}). "
                f"Received: split={split!r}"
            )
        return [e.path for e in entries if e.is_file() and _is_voxel_file(e.name)], None, None
    if split not in ("train", "test", "all"):
        raise ValueError(f"Expected split to be 'train', 'test' or 'all'. Received: split={split!r}")
    with_splits = any(os.path.isdir(os.path.join(directory, c, s)) for c in classes for s in SPLIT_FOLDERS)
    if not with_splits and split == "test":
        raise ValueError(
            f"Expected CLASS/train and CLASS/test subfolders in {directory} for split='test' (ModelNet's "
            "layout). Received: class folders without them; pass another folder for held-out data"
        )
    roots = SPLIT_FOLDERS if (not with_splits or split == "all") else (split,)
    paths, labels = [], []
    for label, name in enumerate(classes):
        tops = [os.path.join(directory, name)] if not with_splits else [os.path.join(directory, name, r) for r in roots]
        for top in tops:
            for path in _walk(top):
                paths.append(path)
                labels.append(label)
    return paths, labels, tuple(classes)


# Reading --------------------------------------------------------------------------


def _read(source, split, grid_size, on_error):
    """`(volumes, labels, details)` of any source."""
    if _is_shapes(source):
        x, y = shapes.generate(split, grid_size)
        details = {"name": shapes.NAME, "num_classes": len(shapes.CLASS_NAMES), "class_names": shapes.CLASS_NAMES}
        return x, y, {**details, "count": len(x)}
    path = _path(source)
    if os.path.isdir(path):
        return _read_folder(path, split, grid_size, on_error)
    if path.lower().endswith(".npz"):
        if not os.path.isfile(path):
            raise FileNotFoundError(f"Expected an existing .npz file. Received: source={path!r} (no such file)")
        return _read_npz(path, split, grid_size)
    found = "a file that is not .npz" if os.path.exists(path) else "no such name, file or directory"
    raise ValueError(f"Expected source to be {ACCEPTED}. Received: source={path!r} ({found})")


def _read_folder(directory, split, grid_size, on_error):
    paths, labels, class_names = list_files(directory, split)
    if not paths:
        raise ValueError(f"Expected {', '.join(EXTENSIONS)} files in {directory} or its class subfolders. Received: none")
    volumes, kept, skipped = [], [], []
    for i, path in enumerate(paths):
        try:
            volumes.append(read_file(path, grid_size))
        except ModuleNotFoundError:
            raise  # no trimesh: every mesh would fail; say how to install it
        except Exception as e:  # any failure to read makes the file unusable
            if on_error == "raise":
                raise ValueError(f"Could not read voxel file {path}: {e}") from e
            skipped.append(f"{path} ({type(e).__name__}: {e})")
            continue
        kept.append(i)
    if skipped:
        _warn_skipped(directory, skipped)
    if not kept:
        raise ValueError(f"Expected at least one readable voxel or mesh file in {directory}. Received: none")
    x = np.stack(volumes).astype("uint8")[..., None]
    y = None if labels is None else np.asarray([labels[i] for i in kept], "int32")
    details = {"name": directory, "num_classes": _count(class_names), "class_names": class_names}
    return x, y, {**details, "count": len(x)}


def read_file(path, grid_size):
    """One `.binvox` or mesh file as a bool `(n, n, n)` grid of side `grid_size`."""
    if path.lower().endswith(".binvox"):
        grid, _ = binvox.read_binvox(path)
        return resample(grid, grid_size)
    return mesh_voxels.voxelize_file(path, grid_size)


def _read_npz(path, split, grid_size):
    if split not in ("train", "test", "all"):
        raise ValueError(f"Expected split to be one of ('train', 'test', 'all') for an .npz source. Received: split={split!r}")
    with np.load(path, allow_pickle=False) as npz:
        keys = tuple(npz.files)
        pairs = {
            "train": (_first(keys, "x", "x_train"), _first(keys, "y", "y_train")),
            "test": (_first(keys, "x_test"), _first(keys, "y_test")),
        }
        wanted = [pairs[s] for s in (("train", "test") if split == "all" else (split,)) if pairs[s][0] is not None]
        if not wanted:
            expected = "'x_test'" if split == "test" else "'x' or 'x_train'"
            raise ValueError(f"Expected grids under {expected} for split={split!r} in {path}. Received: keys={list(keys)}")
        all_labels = [npz[y] for _, y in pairs.values() if y is not None]
        volumes, labels = [], []
        for x_key, y_key in wanted:
            grids = _occupancy(npz[x_key], x_key, path)
            volumes.append(np.stack([resample(g, grid_size) for g in grids]))
            if y_key is not None:
                labels.append(_labels(npz[y_key], y_key, len(grids), path))
    if labels and len(labels) != len(volumes):
        raise ValueError(f"Expected labels for every part of split='all' or for none in {path}. Received: some")
    x = np.concatenate(volumes).astype("uint8")[..., None]
    y = np.concatenate(labels) if labels else None
    num_classes = int(max(a.max(initial=0) for a in all_labels)) + 1 if y is not None else None
    details = {"name": path, "num_classes": num_classes, "class_names": None}
    return x, y, {**details, "count": len(x)}


def _occupancy(x, key, path):
    """Bool `(N, n, n, n)` grids from an npz array, or a ValueError naming the key."""
    if x.ndim == 5 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 4 or x.shape[0] == 0 or len(set(x.shape[1:])) != 1:
        raise ValueError(
            f"Expected '{key}' in {path} of shape (N, n, n, n) or (N, n, n, n, 1) with N >= 1. Received: {key}.shape={x.shape}"
        )
    if x.dtype == bool:
        return x
    if x.dtype == np.uint8 and x.max(initial=0) > 1:
        return x >= 128
    if np.issubdtype(x.dtype, np.integer):
        if x.min(initial=0) < 0 or x.max(initial=0) > 1:
            raise ValueError(f"Expected integer grids of 0 and 1 in '{key}' of {path}. Received: values from {x.min()} to {x.max()}")
        return x > 0
    if np.issubdtype(x.dtype, np.floating):
        if not np.isfinite(x).all() or x.min() < 0 or x.max() > 1:
            raise ValueError(f"Expected float occupancy in [0, 1] in '{key}' of {path}. Received: values from {x.min()} to {x.max()}")
        return x >= 0.5
    raise ValueError(f"Expected bool, integer or float grids in '{key}' of {path}. Received: dtype {x.dtype}")


def _labels(y, key, count, path):
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer) or len(y) != count or (y.size and y.min() < 0):
        raise ValueError(
            f"Expected '{key}' in {path} to hold one non-negative integer label per grid ({count}). "
            f"Received: shape {y.shape}, dtype {y.dtype}"
        )
    return y.astype("int32")


# Helpers --------------------------------------------------------------------------


def _is_shapes(source):
    return isinstance(source, str) and source == shapes.NAME


def _path(source):
    if not isinstance(source, (str, os.PathLike)):
        raise ValueError(f"Expected source to be {ACCEPTED}. Received: source={source!r} of type {type(source).__name__}")
    return os.fspath(source)


def _walk(top):
    if not os.path.isdir(top):
        return
    for root, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and _is_voxel_file(name):
                yield os.path.join(root, name)


def _is_voxel_file(name):
    return name.lower().endswith(EXTENSIONS)


def _first(keys, *candidates):
    return next((key for key in candidates if key in keys), None)


def _count(class_names):
    return None if class_names is None else len(class_names)


def _info(details, split, grid_size, count):
    return DatasetInfo(
        name=details["name"],
        split=split,
        image_shape=(grid_size,) * 3 + (1,),
        num_examples=count,
        num_classes=details["num_classes"],
        class_names=details["class_names"],
        native_shape=None,
    )


def _warn_skipped(directory, skipped):
    listed = "\n  ".join(skipped[:MAX_LISTED_PATHS])
    more = len(skipped) - MAX_LISTED_PATHS
    tail = f"\n  ... and {more} more" if more > 0 else ""
    warnings.warn(
        f"Skipped {len(skipped)} unreadable voxel or mesh file(s) in {directory} (on_error='skip'):\n  {listed}{tail}",
        stacklevel=5,  # the caller of load_voxels
    )


def _check_options(grid_size, labels, on_error, max_examples):
    if isinstance(grid_size, bool) or not isinstance(grid_size, int) or grid_size < 1:
        raise ValueError(f"Expected `grid_size` to be a positive integer. Received: grid_size={grid_size!r}")
    if labels is not None and not isinstance(labels, bool):
        raise ValueError(f"Expected labels to be None, True or False. Received: labels={labels!r}")
    if on_error not in ON_ERROR:
        raise ValueError(f"Expected on_error to be one of {ON_ERROR}. Received: on_error={on_error!r}")
    if max_examples is not None and (isinstance(max_examples, bool) or not isinstance(max_examples, int) or max_examples < 1):
        raise ValueError(f"Expected `max_examples` to be None or a positive integer. Received: max_examples={max_examples!r}")
