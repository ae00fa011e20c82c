"""Reading image files into arrays for the translation loaders: decode, crop, resize, report.

`kgan.data.paired` reads image pairs from folders with these helpers: every
file is decoded with Pillow once; a file that does not decode is collected
with the reason and, by `on_error`, skipped (one warning lists every path)
or refused with a `ValueError` naming it.
"""

import os
import warnings

import numpy as np
from PIL import Image

from kgan.data import folder

ON_ERROR = ("skip", "raise")
MAX_LISTED = 20


def check_on_error(on_error):
    if on_error not in ON_ERROR:
        raise ValueError(f"Expected on_error to be one of {ON_ERROR}. Received: on_error={on_error!r}")
    return on_error


def list_files(directory):
    """The sorted PNG/JPEG files directly in `directory` (names starting with "." skipped)."""
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"Expected a folder of images. Received: {directory!r} (no such folder)")
    return sorted(
        os.path.join(directory, name)
        for name in os.listdir(directory)
        if not name.startswith(".") and name.lower().endswith(folder.EXTENSIONS)
        and os.path.isfile(os.path.join(directory, name))
    )


def decode(path):
    """The image at `path` as uint8 `(H, W, 3)` or `(H, W, 1)` (grayscale files), fully decoded."""
    with Image.open(path) as image:
        if image.format not in folder.FORMATS:
            raise ValueError(f"Expected a PNG or JPEG file. Received: format={image.format}")
        gray = image.mode in folder.GRAY_MODES
        array = np.asarray(image.convert("L" if gray else "RGB"))
    return array[..., None] if gray else array


def to_square(array, size):
    """Centre-crops a uint8 `(H, W, C)` image to a square and resizes it to `size` (bicubic, antialiased)."""
    height, width = array.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    array = array[top : top + side, left : left + side]
    if side == size:
        return array
    image = Image.fromarray(array[..., 0] if array.shape[-1] == 1 else array)
    resized = np.asarray(image.resize((size, size), Image.BICUBIC))
    return resized[..., None] if resized.ndim == 2 else resized


def with_channels(array, channels):
    """A uint8 image (or batch) converted to `channels` (1: ITU-R 601 luma, 3: grey repeated)."""
    if array.shape[-1] == channels:
        return array
    if channels == 3:
        return np.repeat(array, 3, axis=-1)
    luma = array[..., :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    return np.clip(np.rint(luma), 0, 255).astype(np.uint8)[..., None]


def to_float(batch):
    """uint8 -> float32 in [-1, 1]."""
    return (np.asarray(batch, np.float32) / 127.5 - 1.0).astype(np.float32)


def report(problems, where, on_error):
    """Raises on the first problem (`on_error="raise"`) or warns with every path (`"skip"`).

    Args:
        problems: a list of `(path, reason)`.
        where: what was being read, for the message.
    """
    if not problems:
        return
    if on_error == "raise":
        path, reason = problems[0]
        raise ValueError(f"Could not use image file {path}: {reason}")
    listed = "\n  ".join(f"{path}: {reason}" for path, reason in problems[:MAX_LISTED])
    more = len(problems) - MAX_LISTED
    tail = f"\n  ... and {more} more" if more > 0 else ""
    warnings.warn(f"Skipped {len(problems)} image file(s) in {where} (on_error='skip'):\n  {listed}{tail}", stacklevel=3)
