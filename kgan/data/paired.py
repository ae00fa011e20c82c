"""Paired images for pix2pix: aligned `(source, target)` arrays from files or the embedded demo.

Sources (`load_paired(source, target=None, split=...)`):

- `"photo_restoration"`: the embedded demo, degraded -> clean photo crops
  (`kgan.data.photo_restoration`; splits "train" and "test");
- an `.npz` file with `source` and `target` arrays (split "train"), and
  optionally `source_test` / `target_test` (split "test"): uint8, or float in
  [0, 1] or [-1, 1], `(N, H, W[, C])`;
- a folder of side-by-side images, A on the left half and B on the right (the
  pix2pix datasets' format, e.g. `facades/`): the images of `DIR/SPLIT/` when
  that folder exists (`train`, `val`, `test`), else of `DIR`;
- two folders whose files pair by name (`a/x.png` with `b/x.jpg`: the same
  name up to the extension): `source=DIR_A, target=DIR_B`, or one folder with
  `A/` and `B/` subfolders (each with `SPLIT/` subfolders or not).

`direction="b2a"` swaps A and B (the pix2pix datasets store e.g. facades'
labels on the right). A file that does not decode, a side-by-side image of
odd width, or a file without its partner is reported by path: skipped with
one warning listing them (`on_error="skip"`) or refused (`"raise"`).
Images are centre-cropped to squares and resized to `image_size` (bicubic,
antialiased); without `image_size`, every image must have one size.

```python
source, target = kgan.data.load_paired("photo_restoration", split="test", image_size=32)
```

A downloaded pix2pix dataset reads the same way, e.g.
`kgan.data.load_paired("facades", split="train", image_size=256, direction="b2a")`.
"""

import os

import numpy as np

from kgan import checks
from kgan.data import image_files
from kgan.data import npz
from kgan.data import photo_restoration

DIRECTIONS = ("a2b", "b2a")


def load_paired(
    source,
    target=None,
    *,
    split="train",
    image_size=None,
    channels=None,
    direction="a2b",
    on_error="skip",
):
    """Loads aligned image pairs as float32 arrays in [-1, 1].

    Args:
        source: `"photo_restoration"`, an `.npz` file, a folder of
            side-by-side A|B images, a folder with `A/` and `B/`, or the
            folder of A images when `target` is given.
        target: the folder of B images whose names match `source`'s.
        split: which split ("train", "test", "val", ...; see the module docstring).
        image_size: side of the square output images, or None to keep the size.
        channels: 1 or 3 for both sides, or None to keep each side's (3 if
            any of its images is in colour).
        direction: "a2b" (source = A) or "b2a" (source = B).
        on_error: "skip" unusable files with a warning, or "raise".

    Returns:
        `(source_images, target_images)`: float32 `(N, H, W, C)` each, the
        i-th source aligned with the i-th target.
    """
    checks.positive_int("image_size", image_size, allow_none=True)
    checks.channels("channels", channels, allow_none=True)
    checks.one_of("direction", direction, DIRECTIONS)
    image_files.check_on_error(on_error)
    a, b = _read(source, target, split, image_size, on_error)
    if channels is not None:
        a, b = image_files.with_channels(a, channels), image_files.with_channels(b, channels)
    a, b = image_files.to_float(a), image_files.to_float(b)
    return (a, b) if direction == "a2b" else (b, a)


def _read(source, target, split, image_size, on_error):
    """uint8 `(A, B)` arrays of the source."""
    source = os.fspath(source)
    if target is not None:
        return _matching(source, os.fspath(target), image_size, on_error)
    if source == photo_restoration.NAME:
        a, b = photo_restoration.load(split, image_size or 32)
        return _to_uint8(a), _to_uint8(b)
    if source.lower().endswith(".npz"):
        return _npz(source, split, image_size)
    if not os.path.isdir(source):
        raise ValueError(
            f"Expected {photo_restoration.NAME!r}, an .npz file with source/target arrays, or a folder of "
            f"paired images. Received: source={source!r} (no such file or folder)"
        )
    if os.path.isdir(os.path.join(source, "A")) and os.path.isdir(os.path.join(source, "B")):
        return _matching(_split_dir(os.path.join(source, "A"), split), _split_dir(os.path.join(source, "B"), split),
                         image_size, on_error)
    return _side_by_side(_split_dir(source, split), image_size, on_error)


def _split_dir(directory, split):
    """`DIR/SPLIT` when it exists; else DIR, which holds only the "train" split."""
    candidate = os.path.join(directory, split)
    if os.path.isdir(candidate):
        return candidate
    if split != "train":
        raise ValueError(
            f"Expected a {split!r} subfolder in {directory} for split={split!r} (a folder without split "
            "subfolders holds the train split only). Received: none"
        )
    return directory


def _side_by_side(directory, image_size, on_error):
    pairs, problems = [], []
    for path in _nonempty(directory):
        try:
            image = image_files.decode(path)
        except Exception as e:  # any decoding failure makes the file unusable
            problems.append((path, f"does not decode ({e})"))
            continue
        width = image.shape[1]
        if width % 2:
            problems.append((path, f"expected A|B side by side, an even width; received width {width}"))
            continue
        pairs.append((image[:, : width // 2], image[:, width // 2 :]))
    image_files.report(problems, directory, on_error)
    return _stack(pairs, image_size, directory)


def _matching(dir_a, dir_b, image_size, on_error):
    files_a = {_stem(path): path for path in image_files.list_files(dir_a)}
    files_b = {_stem(path): path for path in image_files.list_files(dir_b)}
    problems = [(files_a[s], f"no file named {s}.* in {dir_b}") for s in sorted(set(files_a) - set(files_b))]
    problems += [(files_b[s], f"no file named {s}.* in {dir_a}") for s in sorted(set(files_b) - set(files_a))]
    pairs = []
    for stem in sorted(set(files_a) & set(files_b)):
        decoded = []
        for path in (files_a[stem], files_b[stem]):
            try:
                decoded.append(image_files.decode(path))
            except Exception as e:  # any decoding failure makes the pair unusable
                problems.append((path, f"does not decode ({e}); its pair is skipped"))
        if len(decoded) == 2:
            pairs.append(tuple(decoded))
    image_files.report(problems, f"{dir_a} and {dir_b}", on_error)
    return _stack(pairs, image_size, f"{dir_a} and {dir_b}")


def _stack(pairs, image_size, where):
    if not pairs:
        raise ValueError(f"Expected at least one usable image pair in {where}. Received: none")
    sides = []
    for side in (0, 1):
        images = [pair[side] for pair in pairs]
        channels = 3 if any(image.shape[-1] == 3 for image in images) else 1
        images = [image_files.with_channels(image, channels) for image in images]
        if image_size is not None:
            images = [image_files.to_square(image, image_size) for image in images]
        shapes = sorted({image.shape for image in images})
        if len(shapes) > 1:
            raise ValueError(
                f"Expected image_size when the images in {where} differ in size (they are resized to one "
                f"square size). Received: image_size=None and shapes {shapes[:4]}"
            )
        sides.append(np.stack(images))
    if sides[0].shape[1:3] != sides[1].shape[1:3]:
        raise ValueError(
            f"Expected A and B images of one size in {where}, or image_size. Received: "
            f"A {sides[0].shape[1:3]}, B {sides[1].shape[1:3]}"
        )
    return sides[0], sides[1]


def _npz(path, split, image_size):
    if not os.path.isfile(path):
        raise FileNotFoundError(f"Expected an existing .npz file. Received: source={path!r} (no such file)")
    suffix = {"train": "", "test": "_test"}.get(split)
    if suffix is None:
        raise ValueError(f"Expected split 'train' or 'test' for an .npz file. Received: split={split!r}")
    keys = (f"source{suffix}", f"target{suffix}")
    with np.load(path, allow_pickle=False) as arrays:
        missing = [key for key in keys if key not in arrays.files]
        if missing:
            raise ValueError(f"Expected arrays {list(keys)} in {path} for split={split!r}. Received: keys {arrays.files}")
        sides = [_uint8(arrays[key], key) for key in keys]
    if len(sides[0]) != len(sides[1]) or sides[0].shape[1:3] != sides[1].shape[1:3]:
        raise ValueError(
            f"Expected as many {keys[0]} as {keys[1]} images, of one size, in {path}. Received: "
            f"{keys[0]} {sides[0].shape}, {keys[1]} {sides[1].shape}"
        )
    if image_size is not None:
        sides = [np.stack([image_files.to_square(image, image_size) for image in side]) for side in sides]
    return sides[0], sides[1]


def _uint8(array, key):
    """An `.npz` image array (uint8 or float in [0, 1] / [-1, 1]) as uint8 `(N, H, W, C)`."""
    array, scale, offset = npz._check_images(array, key)
    if array.dtype == np.uint8:
        return array
    return np.clip(np.rint((array * scale + offset + 1.0) * 127.5), 0, 255).astype(np.uint8)


def _to_uint8(images):
    return np.clip(np.rint((np.asarray(images) + 1.0) * 127.5), 0, 255).astype(np.uint8)


def _stem(path):
    return os.path.splitext(os.path.basename(path))[0]


def _nonempty(directory):
    paths = image_files.list_files(directory)
    if not paths:
        raise ValueError(f"Expected PNG or JPEG files in {directory}. Received: none")
    return paths
