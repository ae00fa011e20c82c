"""Whole images at their own sizes, as uint8 arrays: for super-resolution.

`kgan.data.load` resizes every image to one size; super-resolution needs the
full-resolution images instead, each at its own size. `read` returns them
from the embedded photographs (`kgan.data.photos`), a folder or an `.npz`:

- `"sample_photos"`: the embedded photos; split `"train"` is
  `photos.TRAINING`, `"test"` is `photos.HELD_OUT` (never read for training),
  `"all"` both;
- a folder: every PNG or JPEG file in it and its subfolders (one split; names
  starting with "." are skipped);
- an `.npz` file: `x` / `x_train` (split "train"), `x_test` ("test"), of
  shape `(N, H, W[, C])`, uint8 or float in [0, 1] or [-1, 1] (as
  `kgan.data.npz` reads them).

Images come back RGB `(H, W, 3)`, or `(H, W, 1)` when every image of the
source is grayscale.

```python
from kgan.data import full_images

names, images = full_images.read("sample_photos", split="test")
```
"""

import os

import numpy as np
from PIL import Image

from kgan.data import folder
from kgan.data import npz
from kgan.data import photos

SPLITS = ("train", "test", "all")


def read(source, split="train"):
    """Returns `(names, images)`: a name per image and uint8 `(H, W, C)` arrays."""
    if split not in SPLITS:
        raise ValueError(f"Expected split to be one of {SPLITS}. Received: split={split!r}")
    source = os.fspath(source)
    if source == photos.NAME:
        names = {"train": photos.TRAINING, "test": photos.HELD_OUT, "all": photos.NAMES}[split]
        return list(names), [photos.load(name) for name in names]
    if os.path.isdir(source):
        return _folder(source, split)
    if source.endswith(".npz") and os.path.isfile(source):
        return _npz(source, split)
    raise FileNotFoundError(
        f"Expected {photos.NAME!r} (the embedded photos), an image folder or an .npz file. "
        f"Received: {source!r}, which is none of these"
    )


def _folder(directory, split):
    if split == "test":
        raise ValueError(
            f"Expected split 'train' or 'all' for an image folder (it has one split; pass another folder "
            f"for test images). Received: split={split!r}"
        )
    paths = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        paths += [os.path.join(root, f) for f in sorted(files) if not f.startswith(".") and f.lower().endswith(folder.EXTENSIONS)]
    if not paths:
        raise ValueError(f"Expected PNG or JPEG files ({', '.join(folder.EXTENSIONS)}) in {directory}. Received: none")
    opened = []
    for path in paths:
        try:
            with Image.open(path) as image:
                gray = image.mode in folder.GRAY_MODES
                opened.append((path, np.asarray(image.convert("L" if gray else "RGB")), gray))
        except Exception as e:  # any decoding failure makes the file unusable
            raise ValueError(f"Could not read image file {path}: {e}") from e
    all_gray = all(gray for _, _, gray in opened)
    images = [_channels(array, all_gray) for _, array, _ in opened]
    return [os.path.relpath(path, directory) for path, _, _ in opened], images


def _channels(array, all_gray):
    if array.ndim == 2:
        array = array[..., None]
    if not all_gray and array.shape[-1] == 1:
        array = np.repeat(array, 3, axis=-1)
    return np.ascontiguousarray(array, dtype=np.uint8)


def _npz(path, split):
    with np.load(path, allow_pickle=False) as data:
        keys = {"train": next((k for k in ("x", "x_train") if k in data.files), None), "test": "x_test"}
        wanted = ("train", "test") if split == "all" else (split,)
        arrays = [(keys[part], data[keys[part]]) for part in wanted if keys[part] in data.files]
    if not arrays:
        raise ValueError(f"Expected image arrays for split {split!r} in {path}. Received: none of its keys")
    names, images = [], []
    for key, x in arrays:
        x, scale, offset = npz._check_images(x, key)
        if x.dtype != np.uint8:
            x = np.clip(np.rint((x * scale + offset + 1.0) * 127.5), 0, 255).astype(np.uint8)
        names += [f"{key}[{i}]" for i in range(len(x))]
        images += list(x)
    return names, images
