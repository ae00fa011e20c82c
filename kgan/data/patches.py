"""Aligned training pairs for super-resolution: random crops of degraded whole images.

Each source image is cropped to a multiple of the scale and degraded whole
(`kgan.data.degradation.downsample`); a pair is then a random
`patch_size / scale` crop of the low-resolution image and the
high-resolution crop it covers exactly. Crops are drawn with NumPy from the
seed alone, so a seed always gives the same pairs (and a resumed run the
same data):

1. pick an image uniformly (every image counts alike, whatever its size);
2. pick a position uniformly;
3. if the high-resolution crop is nearly flat (standard deviation below
   `min_std` in 0..255, e.g. the black sky of the Hubble field), draw image
   and position again, up to `tries` times.

Random flips and rotations (the 8 symmetries of a square) are applied later,
per training step (`dihedral`), by the model with its own seeded noise: they
commute with the degradation, so a transformed pair is still a pair.
"""

import numpy as np

from kgan import checks
from kgan.data import degradation

DEFAULT_MIN_STD = 6.0
DEFAULT_TRIES = 20


def sr_pairs(images, scale, patch_size, count, seed=0, min_std=DEFAULT_MIN_STD, tries=DEFAULT_TRIES):
    """Draws `count` aligned (low, high) resolution crops from whole images.

    Args:
        images: a list of uint8 `(H, W, C)` images (of any sizes, one C).
        scale: the upscaling factor.
        patch_size: side of the high-resolution crops, a multiple of `scale`.
        count: number of pairs.
        seed: seed of the crop positions.
        min_std: redraw crops flatter than this (0 keeps every crop).
        tries: draws per crop at most; the last is kept.

    Returns:
        `{"lr": uint8 (count, p/s, p/s, C), "hr": uint8 (count, p, p, C),
        "source": int32 (count,)}` where `source` indexes `images`.

    Example:

    ```python
    from kgan.data import patches, photos

    pairs = patches.sr_pairs([photos.load("china")], scale=4, patch_size=32, count=8)
    pairs["lr"].shape, pairs["hr"].shape      # (8, 8, 8, 3), (8, 32, 32, 3)
    ```
    """
    checks.positive_int("count", count)
    checks.positive_int("patch_size", patch_size)
    if patch_size % scale:
        raise ValueError(
            f"Expected `patch_size` to be a multiple of the scale {scale}. Received: patch_size={patch_size}"
        )
    small = patch_size // scale
    whole = [_degraded(image, scale, patch_size, i) for i, image in enumerate(images)]
    rng = np.random.default_rng(seed)
    lr, hr, source = [], [], []
    for _ in range(count):
        for _ in range(max(1, tries)):
            index = int(rng.integers(len(whole)))
            low, high = whole[index]
            top = int(rng.integers(low.shape[0] - small + 1))
            left = int(rng.integers(low.shape[1] - small + 1))
            crop = high[top * scale : (top + small) * scale, left * scale : (left + small) * scale]
            if crop.std() >= min_std:
                break
        lr.append(low[top : top + small, left : left + small])
        hr.append(crop)
        source.append(index)
    return {"lr": np.stack(lr), "hr": np.stack(hr), "source": np.asarray(source, "int32")}


def dihedral(images, codes):
    """Applies one of the 8 symmetries of the square to each image of a batch (TensorFlow).

    Args:
        images: a `(B, S, S, C)` tensor of square images.
        codes: int32 `(B,)` in [0, 8): bit 0 flips left-right, bit 1 flips
            up-down, bit 2 transposes (after the flips). Code 0 is the identity.

    Returns:
        The transformed batch, same shape.
    """
    import tensorflow as tf

    codes = tf.reshape(tf.cast(codes, tf.int32), [-1, 1, 1, 1])
    x = tf.where(codes % 2 == 1, tf.reverse(images, [2]), images)
    x = tf.where((codes // 2) % 2 == 1, tf.reverse(x, [1]), x)
    return tf.where(codes // 4 == 1, tf.transpose(x, [0, 2, 1, 3]), x)


def _degraded(image, scale, patch_size, index):
    image = np.asarray(image)
    if image.dtype != np.uint8 or image.ndim != 3:
        raise ValueError(
            f"Expected uint8 images of shape (H, W, C). Received: image {index} of shape {image.shape}, "
            f"dtype {image.dtype}"
        )
    if min(image.shape[:2]) < patch_size:
        raise ValueError(
            f"Expected images of at least patch_size={patch_size} pixels a side. Received: image {index} of "
            f"shape {image.shape}"
        )
    high = degradation.modcrop(image, scale)
    return degradation.downsample(high, scale), high
