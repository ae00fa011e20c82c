"""Image grids and PNG files: [-1, 1] floats to uint8 and back."""

import numpy as np
from PIL import Image

from kgan import atomic


def to_uint8(images):
    """Maps float images in [-1, 1] to uint8 [0, 255] (values outside are clipped)."""
    images = np.asarray(images, dtype="float32")
    return np.clip(np.rint((images + 1.0) * 127.5), 0, 255).astype("uint8")


def make_grid(images, rows=None, padding=1, pad_value=255, scale=1):
    """Tiles `(n, H, W, C)` images into one uint8 `(rows*H', cols*W', C)` grid.

    Args:
        images: float images in [-1, 1] or uint8 images.
        rows: number of rows; defaults to a near-square grid.
        padding: pixels between tiles.
        pad_value: uint8 value of the padding.
        scale: integer nearest-neighbour upscaling of each tile, so that
            8x8 digits stay visible in an image viewer.
    """
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(
            f"Expected images of shape (n, height, width, 1 or 3). Received: shape={images.shape}"
        )
    if images.dtype != np.uint8:
        images = to_uint8(images)
    if scale > 1:
        images = images.repeat(scale, axis=1).repeat(scale, axis=2)
    n, h, w, c = images.shape
    rows = rows or max(1, int(np.floor(np.sqrt(n))))
    cols = int(np.ceil(n / rows))
    grid = np.full(
        (rows * (h + padding) + padding, cols * (w + padding) + padding, c), pad_value, "uint8"
    )
    for i in range(n):
        r, col = divmod(i, cols)
        top, left = padding + r * (h + padding), padding + col * (w + padding)
        grid[top : top + h, left : left + w] = images[i]
    return grid


def save_png(array, path):
    """Writes a uint8 `(H, W, 1|3)` array as PNG atomically (temp file + rename)."""
    array = np.asarray(array)
    image = Image.fromarray(array[..., 0] if array.shape[-1] == 1 else array)
    with atomic.temporary_path(path, ".png") as temp:
        image.save(temp, format="PNG")
    return path
