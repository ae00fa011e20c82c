"""Random square crops of the embedded photographs (`kgan.data.photos`), at one size.

The embedded demos of the translation families are made of such crops:
`photo_restoration` (degraded -> clean crops) and `digits_on_photos`
(digits drawn over crops, as MNIST-M is made from MNIST). Each crop is
drawn with NumPy from a seed alone:

1. pick a photo uniformly;
2. pick a side uniformly in `[min_side, max_side]` and a position uniformly;
   if the crop is nearly flat (standard deviation below `min_std` in 0..255,
   e.g. the black sky of the Hubble field), draw again, up to `tries` times;
3. resize it to `size` x `size` (Lanczos, which low-pass filters when it shrinks).

Which photos: `photos.TRAINING` for the "train" split and `photos.HELD_OUT`
for "test", so a held-out crop never shows a photo training has seen.
"""

import numpy as np
from PIL import Image

from kgan import checks
from kgan.data import photos

SPLITS = ("train", "test")
MIN_STD = 12.0
TRIES = 20


def photo_names(split):
    """The photos of `split`: `photos.TRAINING` ("train") or `photos.HELD_OUT` ("test")."""
    if split not in SPLITS:
        raise ValueError(f"Expected split to be one of {SPLITS}. Received: split={split!r}")
    return photos.TRAINING if split == "train" else photos.HELD_OUT


def random_crops(split, count, size, rng, min_side=None, max_side=None, min_std=MIN_STD):
    """`count` uint8 RGB crops `(count, size, size, 3)` of the photos of `split`.

    Args:
        split: "train" or "test".
        count: number of crops.
        size: their side after resizing.
        rng: a `numpy.random.Generator` (the only source of randomness).
        min_side, max_side: range of the crop side in the photo, before
            resizing (default: `size` to `4 * size`, capped by the photo).
        min_std: redraw crops flatter than this (0 keeps every crop).
    """
    checks.integer("count", count, minimum=0)
    checks.positive_int("size", size)
    images = [photos.load(name) for name in photo_names(split)]
    min_side = size if min_side is None else min_side
    max_side = 4 * size if max_side is None else max_side
    out = np.empty((count, size, size, 3), np.uint8)
    for i in range(count):
        for _ in range(TRIES):
            image = images[rng.integers(len(images))]
            high = min(max_side, *image.shape[:2])
            side = int(rng.integers(min(min_side, high), high + 1))
            top = int(rng.integers(image.shape[0] - side + 1))
            left = int(rng.integers(image.shape[1] - side + 1))
            crop = image[top : top + side, left : left + side]
            if crop.std() >= min_std:
                break
        out[i] = np.asarray(Image.fromarray(crop).resize((size, size), Image.LANCZOS))
    return out


def to_float(images):
    """uint8 images -> float32 in [-1, 1]."""
    return (np.asarray(images, np.float32) / 127.5 - 1.0).astype(np.float32)
