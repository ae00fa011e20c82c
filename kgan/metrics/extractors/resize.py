"""Image preprocessing for extractors: channel conversion and float resizing.

Resizing follows clean-fid (Parmar et al. 2022, "On Aliased Resizing and
Surprising Subtleties in GAN Evaluation", arXiv 2104.11222): resize in float
with an antialiased bicubic filter and never round-trip through uint8.
`tf.image.resize(..., method="bicubic", antialias=True)` uses the Keys cubic
kernel (a = -0.5) widened by the scale factor when downsampling, which is
what PIL's float ("F" mode) BICUBIC resize does; the two agree to float32
rounding. Without `antialias=True` TensorFlow uses a = -0.75 and no
widening, which differs. The result is clipped to [-1, 1], as clean-fid clips
to [0, 255].
"""

RESIZE_METHOD = "tf.image.resize bicubic antialias=True, float32, clipped to [-1, 1]"


def resize_images(images, size):
    """Resizes float images `(n, H, W, C)` to `size = (height, width)`.

    Returns a float32 tensor; images already of that size are returned as is.
    """
    import tensorflow as tf

    images = tf.convert_to_tensor(images, tf.float32)
    if tuple(images.shape[1:3]) == tuple(size):
        return images
    images = tf.image.resize(images, size, method="bicubic", antialias=True)
    return tf.clip_by_value(images, -1.0, 1.0)


def convert_channels(images, channels):
    """Repeats a grayscale channel to make RGB; otherwise channels must match."""
    import tensorflow as tf

    received = images.shape[-1]
    if received == channels:
        return images
    if received == 1 and channels == 3:
        return tf.repeat(images, 3, axis=-1)
    raise ValueError(
        f"Expected images with {channels} channel(s) (or 1, repeated to 3). "
        f"Received: images with {received} channels"
    )
