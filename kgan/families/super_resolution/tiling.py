"""Upscaling an image of any size in overlapping tiles, so that memory stays bounded.

The image is cut into cores of `tile - 2 * overlap` low-resolution pixels;
each core is upscaled inside a window that adds up to `overlap` pixels of
its surroundings on every side (less at the image border, where the window
stops at the border just as the whole image does), and only the core's part
of the result is kept. A fully convolutional network's output pixel depends
on the input within its receptive field, so a core pixel's result equals the
untiled one (to float rounding, 1e-5) whenever `overlap` covers that
receptive field; with a smaller overlap the two differ only within
`receptive field - overlap` pixels of a seam between cores.

The memory a call needs is that of one window through the network, plus the
output image (kept as uint8 with `dtype="uint8"`). NumPy only: `run` may be
a Keras network, a SavedModel signature or an onnxruntime session.

```python
from kgan.families.super_resolution import tiling

double = lambda x: np.repeat(np.repeat(x, 2, axis=1), 2, axis=2)   # a stand-in x2 "network"
image = np.random.default_rng(0).uniform(-1, 1, (300, 500, 3)).astype("float32")
big = tiling.upscale(double, image, scale=2, tile=128, overlap=8)  # (600, 1000, 3)
```
"""

import numpy as np

from kgan import checks
from kgan.inference import inputs

DEFAULT_TILE = 192
DEFAULT_OVERLAP = 16
DTYPES = ("float32", "uint8")


def windows(height, width, tile, overlap):
    """Yields `(core, window)` boxes `(top, left, bottom, right)` covering a `height x width` image."""
    core = tile - 2 * overlap
    for top in range(0, height, core):
        for left in range(0, width, core):
            bottom, right = min(top + core, height), min(left + core, width)
            window = (max(top - overlap, 0), max(left - overlap, 0), min(bottom + overlap, height), min(right + overlap, width))
            yield (top, left, bottom, right), window


def upscale(run, image, scale, tile=DEFAULT_TILE, overlap=DEFAULT_OVERLAP, dtype="float32", value_range=(-1.0, 1.0)):
    """Upscales one image `(h, w, C)` by `scale`, tile by tile.

    Args:
        run: `run(batch) -> batch`: a `(1, h', w', C)` float32 window in the
            model's value range to its `(1, h' * scale, w' * scale, C)` result.
        image: float32 `(h, w, C)` in the model's value range.
        scale: the model's upscaling factor.
        tile: largest window side in low-resolution pixels; None upscales the
            whole image in one call.
        overlap: context pixels added on each side of a core (at most
            `(tile - 1) // 2`).
        dtype: `"float32"` (values as the model returns them) or `"uint8"`
            (0..255, rounded per tile).
        value_range: the model's value range, for `dtype="uint8"`.

    Returns:
        The `(h * scale, w * scale, C)` result.
    """
    image = np.asarray(image, "float32")
    if image.ndim != 3:
        raise ValueError(f"Expected one image of shape (height, width, channels). Received: shape {image.shape}")
    checks.one_of("dtype", dtype, DTYPES)
    height, width, channels = image.shape
    if tile is None:
        tile = max(height, width)
        overlap = 0
    checks.positive_int("tile", tile)
    checks.integer("overlap", overlap, minimum=0)
    if tile - 2 * overlap < 1:
        raise ValueError(f"Expected overlap <= (tile - 1) // 2. Received: tile={tile}, overlap={overlap}")
    out = np.empty((height * scale, width * scale, channels), dtype)
    for (top, left, bottom, right), (y0, x0, y1, x1) in windows(height, width, tile, overlap):
        result = np.asarray(run(image[None, y0:y1, x0:x1]))[0]
        expected = ((y1 - y0) * scale, (x1 - x0) * scale, channels)
        if result.shape != expected:
            raise ValueError(
                f"Expected the model to return {expected} for a window of {(y1 - y0, x1 - x0, channels)} at "
                f"scale {scale}. Received: {result.shape}"
            )
        core = result[(top - y0) * scale : (bottom - y0) * scale, (left - x0) * scale : (right - x0) * scale]
        out[top * scale : bottom * scale, left * scale : right * scale] = (
            inputs.to_uint8(core, value_range) if dtype == "uint8" else core
        )
    return out
