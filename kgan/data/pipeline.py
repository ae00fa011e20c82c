"""The `tf.data` stages shared by every source: resize, channels, batching."""

import tensorflow as tf


def output_shape(native_shape, image_size=None, channels=None):
    """Returns the `(height, width, channels)` that `preprocess` produces.

    Args:
        native_shape: `(height, width, channels)` of the source; height and
            width may be `None` (images of differing sizes).
        image_size: Side of the square output, or `None` to keep the size.
        channels: 1 or 3 to convert, or `None` to keep the channels.
    """
    height, width, native_channels = native_shape
    if image_size is not None:
        height = width = image_size
    return (height, width, channels or native_channels)


def preprocess(image, native_shape, image_size=None, channels=None):
    """Converts the channels of one image and resizes it to a square.

    When `image_size` is given and the image is not already that size, a
    non-square image is first centre-cropped to a square (the shorter side),
    then resized with `tf.image.resize(..., antialias=True)` (bilinear).

    Args:
        image: float32 `(height, width, channels)` tensor in [-1, 1].
        native_shape: Static `(height, width, channels)`; `None` height or
            width means the size is only known at run time.
        image_size: Side of the square output, or `None` to keep the size.
        channels: 1 (RGB -> gray, ITU-R 601 luma) or 3 (gray -> RGB,
            repeated), or `None` to keep the channels.

    Returns:
        float32 tensor in [-1, 1] with the static shape `output_shape(...)`.
    """
    native_channels = native_shape[2]
    if channels == 1 and native_channels == 3:
        image = tf.image.rgb_to_grayscale(image)
    if image_size is not None and tuple(native_shape[:2]) != (image_size, image_size):
        if native_shape[0] is None or native_shape[0] != native_shape[1]:
            image = center_crop_square(image)
        image = tf.image.resize(image, (image_size, image_size), antialias=True)
        image = tf.clip_by_value(image, -1.0, 1.0)
    if channels == 3 and native_channels == 1:
        image = tf.image.grayscale_to_rgb(image)
    return tf.ensure_shape(image, output_shape(native_shape, image_size, channels))


def center_crop_square(image):
    """Crops the centred square of side `min(height, width)` from an image."""
    shape = tf.shape(image)
    height, width = shape[0], shape[1]
    side = tf.minimum(height, width)
    return tf.image.crop_to_bounding_box(
        image, (height - side) // 2, (width - side) // 2, side, side
    )


def batch(
    dataset,
    *,
    batch_size,
    num_examples=None,
    shuffle=True,
    seed=None,
    repeat=False,
    shuffle_buffer=10_000,
):
    """Shuffles, batches, repeats and prefetches a dataset that streams from its source.

    Batches are made with `drop_remainder=True`, so the batch dimension is
    static (XLA needs static shapes). Shuffling reshuffles every epoch; with
    a `seed`, the sequence of epoch orders is reproducible within a process.
    (In-memory data goes through `kgan.data.stream` instead.)

    Args:
        dataset: Unbatched, preprocessed `tf.data.Dataset`.
        batch_size: Examples per batch.
        num_examples: Size of `dataset` if known; caps the shuffle buffer.
        shuffle: Whether to shuffle.
        seed: Shuffle seed, or `None` for a different order every run.
        repeat: Whether to repeat forever.
        shuffle_buffer: Maximum shuffle buffer size.

    Returns:
        The batched `tf.data.Dataset`.
    """
    if shuffle:
        buffer = shuffle_buffer if num_examples is None else min(num_examples, shuffle_buffer)
        dataset = dataset.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size, drop_remainder=True)
    if repeat:
        dataset = dataset.repeat()
    return dataset.prefetch(tf.data.AUTOTUNE)
