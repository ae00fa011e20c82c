"""Images (and labels) stored in a NumPy `.npz` file.

Accepted keys:

- `x` (or keras-style `x_train`): images, `(N, H, W)` or `(N, H, W, C)`
  with `C` in (1, 3);
- `y` (or `y_train`): optional `(N,)` non-negative integer labels;
- `x_test` / `y_test`: optional test split.

Accepted value ranges: uint8 (0..255, mapped by `x / 127.5 - 1`), float in
[0, 1] (mapped by `x * 2 - 1`), float in [-1, 1] (kept). A float array
inside [0, 1] is read as [0, 1]. Anything else raises a `ValueError`.
"""

import numpy as np

from kgan.data.source import Source
from kgan.data.source import from_arrays

SPLITS = ("train", "test", "all")


def read(path, split="train"):
    """Reads one split of an `.npz` file as a `Source`.

    Args:
        path: Path of the `.npz` file.
        split: `"train"` (keys `x`/`y` or `x_train`/`y_train`), `"test"`
            (keys `x_test`/`y_test`) or `"all"` (both, concatenated).

    Returns:
        A `Source` of images in [-1, 1]; labelled when the split has labels.
    """
    if split not in SPLITS:
        raise ValueError(
            f"Expected split to be one of {SPLITS} for an .npz source. "
            f"Received: split={split!r}"
        )
    with np.load(path, allow_pickle=False) as npz:
        keys = tuple(npz.files)
        pairs = {
            "train": (_first_key(keys, "x", "x_train"), _first_key(keys, "y", "y_train")),
            "test": (_first_key(keys, "x_test"), _first_key(keys, "y_test")),
        }
        if pairs["train"][0] is None and pairs["test"][0] is None:
            raise ValueError(
                f"Expected an image array under key 'x' or 'x_train' in {path}. "
                f"Received: keys={list(keys)}"
            )
        wanted = ("train", "test") if split == "all" else (split,)
        parts = [pairs[name] for name in wanted if pairs[name][0] is not None]
        if split != "all" and not parts:
            raise ValueError(
                f"Expected key '{'x_test' if split == 'test' else 'x'}' for "
                f"split={split!r} in {path}. Received: keys={list(keys)}"
            )
        # Labels of every split count towards num_classes, so that "train"
        # and "test" agree on it.
        label_keys = [y for _, y in pairs.values() if y is not None]
        label_arrays = {key: _check_labels(npz[key], key) for key in label_keys}
        images, labels = [], []
        for x_key, y_key in parts:
            images.append(_check_images(npz[x_key], x_key))
            if y_key is not None:
                labels.append(_check_length(label_arrays[y_key], y_key, len(images[-1][0])))
    if labels and len(labels) != len(parts):
        raise ValueError(
            f"Expected labels for every part of split='all' or for none in {path}. "
            f"Received: images under {[x for x, _ in parts]}, "
            f"labels under {[y for _, y in parts if y]}"
        )
    x, scale, offset = _concatenate(images, path)
    y = np.concatenate(labels) if labels else None
    num_classes = None
    if y is not None:
        num_classes = int(max(a.max(initial=0) for a in label_arrays.values())) + 1
    return Source(
        name=str(path),
        split=split,
        dataset=from_arrays(x, y, scale=scale, offset=offset),
        num_examples=len(x),
        native_shape=tuple(int(d) for d in x.shape[1:]),
        num_classes=num_classes,
    )


def _first_key(keys, *candidates):
    return next((key for key in candidates if key in keys), None)


def _check_images(x, key):
    """Validates an image array; returns `(array, scale, offset)` to [-1, 1]."""
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[-1] not in (1, 3) or x.shape[0] == 0:
        raise ValueError(
            f"Expected '{key}' of shape (N, H, W) or (N, H, W, C) with N >= 1 "
            f"and C in (1, 3). Received: {key}.shape={x.shape}"
        )
    if x.dtype == np.uint8:
        return x, 1 / 127.5, -1.0
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(
            f"Expected '{key}' of dtype uint8 (0..255) or float ([0, 1] or "
            f"[-1, 1]). Received: {key}.dtype={x.dtype}"
        )
    x = x.astype("float32", copy=False)
    bad = int(np.size(x) - np.count_nonzero(np.isfinite(x)))
    if bad:
        raise ValueError(
            f"Expected finite values in '{key}'. Received: {bad} NaN or "
            f"infinite value(s) in {key}"
        )
    low, high = float(x.min()), float(x.max())
    if low >= 0.0 and high <= 1.0:
        return x, 2.0, -1.0
    if low >= -1.0 and high <= 1.0:
        return x, 1.0, 0.0
    raise ValueError(
        f"Expected float values of '{key}' in [0, 1] or [-1, 1] (or uint8 "
        f"0..255). Received: min={low}, max={high}"
    )


def _check_labels(y, key):
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(
            f"Expected '{key}' to be a 1-D integer array of class labels. "
            f"Received: {key}.shape={y.shape}, {key}.dtype={y.dtype}"
        )
    if y.size and (y.min() < 0 or y.max() > np.iinfo("int32").max):
        raise ValueError(
            f"Expected labels in '{key}' to be in [0, 2**31). "
            f"Received: min={y.min()}, max={y.max()}"
        )
    return y.astype("int32")


def _check_length(y, key, num_images):
    if len(y) != num_images:
        raise ValueError(
            f"Expected '{key}' to hold one label per image ({num_images}). "
            f"Received: len({key})={len(y)}"
        )
    return y


def _concatenate(images, path):
    """Joins the checked parts; returns `(array, scale, offset)`."""
    shapes = {x.shape[1:] for x, _, _ in images}
    if len(shapes) > 1:
        raise ValueError(
            f"Expected train and test images of the same shape in {path}. "
            f"Received: shapes={sorted(shapes)}"
        )
    if len(images) == 1:
        return images[0]
    if len({(x.dtype, scale, offset) for x, scale, offset in images}) == 1:
        _, scale, offset = images[0]
        return np.concatenate([x for x, _, _ in images]), scale, offset
    # Parts in different encodings: normalise each to [-1, 1] first.
    return (
        np.concatenate([x.astype("float32") * s + o for x, s, o in images]),
        1.0,
        0.0,
    )
