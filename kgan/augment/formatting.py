"""Converts generator output ([-1, 1] float32) to a real dataset's format."""

import dataclasses
import numbers

import tensorflow as tf
from kgan import checks



@dataclasses.dataclass(frozen=True)
class ImageFormat:
    """A dataset's image format: value range, dtype, size and channels.

    Build it with `ImageFormat.checked(...)`, which validates the user's
    arguments; `apply` maps generator output onto it.
    """

    value_range: tuple = (-1.0, 1.0)
    dtype: tf.DType = tf.float32
    image_size: tuple | None = None
    channels: int | None = None

    @classmethod
    def checked(cls, value_range=(-1, 1), dtype="float32", image_size=None, channels=None):
        return cls(
            check_value_range(value_range),
            check_dtype(dtype),
            check_image_size(image_size),
            check_channels(channels),
        )

    def output_shape(self, image_shape):
        """The `(height, width, channels)` of generator images of `image_shape`."""
        return output_shape(image_shape, self.image_size, self.channels)

    def apply(self, images):
        return format_images(images, self.value_range, self.dtype, self.image_size, self.channels)


def check_value_range(value_range):
    """Returns `value_range` as a `(low, high)` pair of floats with low < high."""
    try:
        low, high = (float(v) for v in value_range)
    except (TypeError, ValueError):
        low = high = None
    if isinstance(value_range, (str, bytes)):
        low = high = None
    if low is None or not low < high:
        raise ValueError(
            "Expected `value_range` to be a pair (low, high) of numbers with low < high, "
            f"e.g. (-1, 1), (0, 1) or (0, 255). Received: value_range={value_range!r}"
        )
    return low, high


def check_dtype(dtype):
    """Returns `dtype` as a float or integer `tf.DType`."""
    try:
        resolved = tf.as_dtype(dtype)
    except TypeError:
        resolved = None
    if resolved is None or not (resolved.is_floating or resolved.is_integer):
        raise ValueError(
            'Expected `dtype` to be a float or integer dtype such as "float32" or "uint8". '
            f"Received: dtype={dtype!r}"
        )
    return resolved


def check_image_size(image_size):
    """Returns `image_size` as None or a `(height, width)` pair of ints."""
    if image_size is None:
        return None
    size = (image_size, image_size) if isinstance(image_size, numbers.Integral) else image_size
    try:
        height, width = size
    except (TypeError, ValueError):
        height = width = None
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and v > 0 for v in (height, width)):
        raise ValueError(
            "Expected `image_size` to be None, a positive int or a (height, width) pair. "
            f"Received: image_size={image_size!r}"
        )
    return int(height), int(width)


def check_channels(channels):
    return checks.channels("channels", channels, allow_none=True)


def output_shape(image_shape, image_size=None, channels=None):
    """The `(height, width, channels)` that `format_images` produces."""
    height, width, native_channels = image_shape
    if image_size is not None:
        height, width = image_size
    return (height, width, channels or native_channels)


def format_images(images, value_range=(-1.0, 1.0), dtype=tf.float32, image_size=None, channels=None):
    """Maps a batch of generator images in [-1, 1] to a dataset's format.

    1. channels: gray -> RGB by repetition, RGB -> gray by ITU-R 601 luma;
    2. size: bilinear, antialiased `tf.image.resize` to `image_size`;
    3. values: the affine map of [-1, 1] onto `value_range`;
    4. dtype: a cast; integer dtypes are rounded and clipped first.

    Args:
        images: float `(batch, height, width, channels)` tensor in [-1, 1].
        value_range: checked `(low, high)` pair.
        dtype: checked `tf.DType`.
        image_size: checked `(height, width)` or None to keep the size.
        channels: 1, 3 or None to keep the channels.
    """
    images = tf.cast(images, tf.float32)
    if channels == 3 and images.shape[-1] == 1:
        images = tf.image.grayscale_to_rgb(images)
    elif channels == 1 and images.shape[-1] == 3:
        images = tf.image.rgb_to_grayscale(images)
    if image_size is not None and tuple(images.shape[1:3]) != tuple(image_size):
        images = tf.image.resize(images, image_size, antialias=True)
    images = tf.clip_by_value(images, -1.0, 1.0)
    low, high = value_range
    if (low, high) != (-1.0, 1.0):
        images = low + (images + 1.0) * (0.5 * (high - low))
    if dtype.is_integer:
        images = tf.clip_by_value(tf.round(images), max(low, dtype.min), min(high, dtype.max))
    return tf.cast(images, dtype)
