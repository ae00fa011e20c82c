"""Unpaired images for CycleGAN: two domains A and B, from files, TFDS or the embedded demo.

Sources (`load_unpaired(source, source_b=None, split=...)`):

- two domains named one by one, `source` (A) and `source_b` (B), each any of:
  `"digits"` (the embedded digits in RGB, white on black, 32 px unless
  `image_size`), `"digits_on_photos"` (the same digits in colour over photo
  crops, `kgan.data.digits_on_photos`), an image folder, an `.npz` file, or
  a `kgan.data` TFDS name; the embedded domains keep their class labels;
- one folder with `trainA/ trainB/ testA/ testB/` (the CycleGAN datasets'
  format, e.g. a downloaded `summer2winter_yosemite`): split "train" reads
  `trainA` and `trainB`, "test" `testA` and `testB`;
- `"cycle_gan/NAME"` (or `"tfds:cycle_gan/NAME"`): the TFDS CycleGAN
  datasets, whose splits are `trainA`, `trainB`, `testA`, `testB`; they are
  downloaded only with `download=True` (`kgan train --download`).

Folders go through `kgan.data.load_arrays`: a corrupt file is reported by
path and skipped, or refused with `on_error="raise"`.

The two domains hold different numbers of images and no pairing; a training
stream takes them side by side with `aligned`.

```python
data = kgan.data.load_unpaired("digits", "digits_on_photos", split="test", image_size=32)
data.a.shape, data.b.shape, data.b_labels[:3]   # (359, 32, 32, 3) (359, 32, 32, 3) [5 9 2]
```
"""

import dataclasses
import os

import numpy as np

from kgan import checks
from kgan.data import digits_on_photos

DIGITS = "digits"
DEMO_SIZE = 32
TFDS_PREFIXES = ("cycle_gan/", "tfds:cycle_gan/")
SPLITS = ("train", "test")


@dataclasses.dataclass(frozen=True)
class UnpairedData:
    """Two domains of images, float32 in [-1, 1], with their labels when they have them."""

    a: np.ndarray
    b: np.ndarray
    a_labels: np.ndarray | None = None
    b_labels: np.ndarray | None = None
    names: tuple = ("A", "B")


def load_unpaired(
    source,
    source_b=None,
    *,
    split="train",
    image_size=None,
    channels=None,
    on_error="skip",
    data_dir=None,
    download=False,
):
    """Loads the images of two domains.

    Args:
        source: domain A, or a source holding both domains (see the module docstring).
        source_b: domain B, or None when `source` holds both.
        split: "train" or "test" (a folder named as a domain has one split,
            "train").
        image_size: side of the square output images (required when a
            folder's images differ in size); the embedded domains default to 32.
        channels: 1 or 3 for both domains, or None to keep each one's.
        on_error: "skip" corrupt files with a warning, or "raise".
        data_dir, download: for TFDS sources.

    Returns:
        An `UnpairedData`.
    """
    checks.positive_int("image_size", image_size, allow_none=True)
    checks.channels("channels", channels, allow_none=True)
    if split not in SPLITS:
        raise ValueError(f"Expected split to be one of {SPLITS} for unpaired data. Received: split={split!r}")
    options = dict(image_size=image_size, channels=channels, on_error=on_error, data_dir=data_dir, download=download)
    if source_b is not None:
        parts = [(source, split, _name(source)), (source_b, split, _name(source_b))]
    else:
        parts = _both_domains(os.fspath(source), split)
    (a, a_labels), (b, b_labels) = (_domain(part, part_split, **options) for part, part_split, _ in parts)
    return UnpairedData(a, b, a_labels, b_labels, (parts[0][2], parts[1][2]))


def aligned(a, b, seed=0):
    """Index arrays `(ia, ib)` of length `max(len(a), len(b))` that take the two domains side by side.

    Each domain is read in its own fixed random order (a seeded permutation,
    repeated for the smaller domain), so the i-th A and the i-th B are
    unrelated images and every image counts about equally often. One epoch of
    `kgan train --family cyclegan` is one pass over the larger domain, as in
    the reference implementation.
    """
    rng = np.random.default_rng(seed)
    n = max(len(a), len(b))
    return tuple(_cycle(rng, len(domain), n) for domain in (a, b))


def _cycle(rng, size, n):
    repeats = -(-n // size)
    return np.concatenate([rng.permutation(size) for _ in range(repeats)])[:n]


def _both_domains(source, split):
    """`[(domain source, its split, its name)]` for A and B of a source that holds both."""
    for prefix in TFDS_PREFIXES:
        if source.startswith(prefix):
            name = source[len("tfds:"):] if source.startswith("tfds:") else source
            return [("tfds:" + name, f"{split}{domain}", f"{_name(name)}/{domain}") for domain in "AB"]
    if os.path.isdir(source):
        folders = [os.path.join(source, f"{split}{domain}") for domain in "AB"]
        if all(os.path.isdir(f) for f in folders):
            return [(folder, "train", f"{_name(source)}/{domain}") for folder, domain in zip(folders, "AB")]
        raise ValueError(
            f"Expected a folder with {split}A/ and {split}B/ subfolders (the CycleGAN datasets' layout), "
            f"or a second domain. Received: {source!r}, which has no {split}A/ and {split}B/"
        )
    raise ValueError(
        "Expected a second domain (source_b), a folder with trainA/ trainB/ testA/ testB/, or a TFDS name "
        f"'cycle_gan/NAME'. Received: source={source!r} and no second domain"
    )


def _domain(source, split, image_size, channels, on_error, data_dir, download):
    """`(images, labels or None)` of one domain."""
    from kgan.data import loader  # not the package, which imports this module

    name = os.fspath(source)
    if name == DIGITS:
        x, y = digits_on_photos.plain_digits(split, image_size or DEMO_SIZE)
    elif name == digits_on_photos.NAME:
        x, y = digits_on_photos.load(split, image_size or DEMO_SIZE)
    else:
        x, y, _ = loader.load_arrays(
            name, split=split, image_size=image_size, channels=channels, on_error=on_error,
            data_dir=data_dir, download=download,
        )
    if channels == 1 and x.shape[-1] == 3:
        x = np.sum(x * np.array([0.299, 0.587, 0.114], np.float32), axis=-1, keepdims=True)
    elif channels == 3 and x.shape[-1] == 1:
        x = np.repeat(x, 3, axis=-1)
    return x.astype(np.float32), y


def _name(source):
    """A domain's short name: a name as it is, a path's last part without `.npz`."""
    text = os.fspath(source)
    if os.path.sep in text or text.endswith(".npz"):
        base = os.path.basename(os.path.normpath(text))
        return base[: -len(".npz")] if base.endswith(".npz") else base
    return text.replace("tfds:", "")
