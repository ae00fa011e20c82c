"""How a low-resolution image is made from a high-resolution one, in training and evaluation alike.

The SR literature makes its low-resolution inputs with MATLAB's
`imresize(hr, 1/scale, 'bicubic')`: the Keys cubic kernel (a = -0.5),
widened by the scale factor so that it also low-pass filters (antialiasing),
then rounded to 8 bits. kgan uses the same kernel through
`tf.image.resize(..., method="bicubic", antialias=True)` on pixel values in
[0, 255], rounded to uint8; only the image border is handled differently
(TensorFlow renormalises the kernel weights inside the image, MATLAB pads by
mirroring). The high-resolution image is first cropped to a multiple of the
scale (`modcrop`), so the two sizes match exactly.

Training crops pairs out of whole images degraded this way
(`kgan.data.patches`), and evaluation degrades whole held-out images with the
same function, so a model is scored on the inputs it was trained for.
The bicubic baseline upscales with the same kernel (no widening is needed
when upscaling).

```python
from kgan.data import degradation, photos

hr = degradation.modcrop(photos.load("chelsea"), 4)      # (300, 448, 3)
lr = degradation.downsample(hr, 4)                        # uint8 (75, 112, 3)
baseline = degradation.bicubic_upscale(lr, 4)             # uint8 (300, 448, 3)
```
"""

import numpy as np


def modcrop(image, scale):
    """Crops `image` `(H, W, C)` at the bottom and right to multiples of `scale`."""
    image = np.asarray(image)
    height, width = image.shape[0] - image.shape[0] % scale, image.shape[1] - image.shape[1] % scale
    if height == 0 or width == 0:
        raise ValueError(
            f"Expected an image of at least {scale} x {scale} pixels for scale {scale}. "
            f"Received: shape {image.shape}"
        )
    return image[:height, :width]


def downsample(image, scale):
    """Bicubic downsampling with antialiasing, rounded to uint8.

    Args:
        image: uint8 `(H, W, C)` or `(N, H, W, C)` with H and W multiples of
            `scale` (see `modcrop`).
        scale: the integer factor.

    Returns:
        uint8 `(H / scale, W / scale, C)` (or batched likewise).
    """
    image = np.asarray(image)
    height, width = image.shape[-3:-1]
    if height % scale or width % scale:
        raise ValueError(
            f"Expected a height and width divisible by the scale {scale} (use modcrop). "
            f"Received: shape {image.shape}"
        )
    return _resize(image, (height // scale, width // scale), antialias=True)


def bicubic_upscale(image, scale):
    """The bicubic baseline: uint8 `(h, w, C)` (or batched) -> uint8 `(h * scale, w * scale, C)`."""
    image = np.asarray(image)
    height, width = image.shape[-3:-1]
    return _resize(image, (height * scale, width * scale), antialias=False)


def _resize(image, size, antialias):
    import tensorflow as tf

    if image.dtype != np.uint8:
        raise ValueError(f"Expected uint8 images (0..255). Received: dtype {image.dtype}")
    resized = tf.image.resize(tf.cast(image, tf.float32), size, method="bicubic", antialias=antialias)
    return np.clip(np.rint(resized.numpy()), 0, 255).astype(np.uint8)
