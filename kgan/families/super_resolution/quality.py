"""Image quality as the super-resolution literature reports it: PSNR and SSIM on the Y channel.

SRGAN, ESRGAN, EDSR and most SR papers score 8-bit RGB results on the
luminance (Y) of ITU-R BT.601 YCbCr, as MATLAB's `rgb2ycbcr` computes it
(Y in [16, 235]), after shaving `border` pixels off every side (the scale
factor, by convention), because the border depends on the padding of the
network rather than on what it learnt:

    Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255     (R, G, B in 0..255)
    PSNR = 10 log10(255^2 / MSE(Y_a, Y_b))
    SSIM: Wang et al. 2004, Gaussian window sigma 1.5, K1 0.01, K2 0.03,
          data range 255 (scikit-image's `structural_similarity` set up as
          the reference MATLAB code)

One-channel images are their own Y. NumPy and scikit-image only.

```python
from kgan.families.super_resolution import quality

a = np.full((8, 8, 3), 100, "uint8")
quality.psnr(a, a + 1, border=0)     # Y differs by 219/255 everywhere: 49.5 dB
```
"""

import numpy as np

_Y_WEIGHTS = np.array([65.481, 128.553, 24.966]) / 255.0


def luminance(image):
    """Y of BT.601 YCbCr in [16, 235] (float64) of a uint8 RGB image; a gray image as is."""
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise ValueError(f"Expected uint8 images (0..255). Received: dtype {image.dtype}")
    if image.shape[-1] == 1:
        return image[..., 0].astype(np.float64)
    if image.shape[-1] != 3:
        raise ValueError(f"Expected images with 1 or 3 channels. Received: shape {image.shape}")
    return 16.0 + image.astype(np.float64) @ _Y_WEIGHTS


def psnr(a, b, border=0):
    """PSNR in dB between the Y channels of uint8 images `a` and `b` `(H, W, C)`, `border` px shaved."""
    ya, yb = _shaved(a, b, border)
    mse = np.mean((ya - yb) ** 2)
    return float("inf") if mse == 0 else float(10.0 * np.log10(255.0**2 / mse))


def ssim(a, b, border=0):
    """SSIM between the Y channels of uint8 images `a` and `b`, `border` px shaved."""
    from skimage.metrics import structural_similarity

    ya, yb = _shaved(a, b, border)
    return float(
        structural_similarity(ya, yb, data_range=255.0, gaussian_weights=True, sigma=1.5, use_sample_covariance=False)
    )


def _shaved(a, b, border):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"Expected two images of one shape. Received: {a.shape} and {b.shape}")
    if border:
        a, b = a[border:-border, border:-border], b[border:-border, border:-border]
    return luminance(a), luminance(b)
