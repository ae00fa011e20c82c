"""`Source`: one split of a dataset, read and normalised, before batching."""

import dataclasses

import tensorflow as tf


@dataclasses.dataclass(frozen=True)
class Source:
    """One split of a dataset as a source module hands it to the pipeline.

    Every source module (`digits`, `npz`, `folder`, `tfds_source`) returns a
    `Source`; `kgan.data.pipeline` then resizes, converts channels, caches,
    shuffles and batches it the same way for all of them.

    Attributes:
        name: The source name or path, for messages and `DatasetInfo`.
        split: The split that was read.
        dataset: Unbatched `tf.data.Dataset` of float32 images in [-1, 1]
            with shape `native_shape`; elements are `(image, label)` with an
            int32 scalar label when `num_classes` is not `None`, else `image`.
        num_examples: Number of examples, or `None` if unknown.
        native_shape: `(height, width, channels)`; height and width are
            `None` when the images differ in size.
        num_classes: Number of classes, or `None` for unlabelled data.
        class_names: Tuple of class names, or `None`.
        files: For sources read from one file per example (image folders):
            `(paths, labels, decode)`, so the examples can be streamed from
            disk by index (`kgan.data.indexed.from_files`); else `None`.
        record_files: For TFRecord sources: the shard paths and `parse`,
            `(paths, parse)`, streamed shard by shard; else `None`.
    """

    name: str
    split: str
    dataset: tf.data.Dataset
    num_examples: int | None
    native_shape: tuple
    num_classes: int | None = None
    class_names: tuple | None = None
    files: tuple | None = None
    record_files: tuple | None = None


def from_arrays(images, labels=None, *, scale=1.0, offset=0.0):
    """Makes an unbatched dataset of `images * scale + offset` (float32).

    Args:
        images: NHWC array of any real dtype. It stays in its own dtype in
            memory (uint8 needs a quarter of float32's memory); the affine
            map to [-1, 1] runs in the pipeline.
        labels: Optional `(N,)` integer array, yielded as int32.
        scale: Multiplier applied after casting to float32.
        offset: Added after scaling.

    Returns:
        A `tf.data.Dataset` of `image` or `(image, label)` elements.
    """

    def normalize(image):
        return tf.cast(image, tf.float32) * scale + offset

    if labels is None:
        dataset = tf.data.Dataset.from_tensor_slices(images)
        return dataset.map(normalize, num_parallel_calls=tf.data.AUTOTUNE)
    dataset = tf.data.Dataset.from_tensor_slices((images, labels.astype("int32")))
    return dataset.map(
        lambda image, label: (normalize(image), label),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
