"""Real images for evaluation: a `kgan.data` source name or arrays in memory."""

import os

import numpy as np


def load_real(source, split=None, image_shape=None, max_examples=None):
    """Returns real images, labels and a description of where they came from.

    Args:
        source: A `kgan.data` source (`"digits"`, an `.npz` path, an image
            folder, a TFDS name), read with `kgan.data.load_arrays`; or an
            array of images `(n, H, W, C)` in [-1, 1]; or a tuple
            `(images, labels)`.
        split: The split to read from a named source (default `"test"`);
            ignored for arrays.
        image_shape: `(H, W, C)` to resize a named source to, e.g. the
            generator's output shape; `None` keeps its native shape.
        max_examples: Read at most this many examples of a named source.

    Returns:
        `(images, labels, description)`: float32 images, int32 labels or
        `None`, and a dict `{"source", "split", "num_classes"}` for the card.
    """
    if isinstance(source, (str, os.PathLike)):
        return _load_named(os.fspath(source), split or "test", image_shape, max_examples)
    if isinstance(source, tuple) and len(source) == 2:
        images, labels = source
    else:
        images, labels = source, None
    try:
        images = np.asarray(images, dtype=np.float32)
    except (TypeError, ValueError):
        raise ValueError(
            "Expected real data as a kgan.data source name or path, an image "
            "array, or (images, labels). Received: "
            f"real_source of type {type(source).__name__}"
        ) from None
    if images.ndim != 4:
        raise ValueError(
            "Expected real images of shape (n, height, width, channels). "
            f"Received: images.shape={images.shape}"
        )
    if labels is not None:
        labels = np.asarray(labels).astype(np.int32).reshape(-1)
        if len(labels) != len(images):
            raise ValueError(
                "Expected one label per real image. "
                f"Received: images.shape={images.shape}, labels.shape={labels.shape}"
            )
    num_classes = None if labels is None else int(labels.max()) + 1
    description = {
        "source": f"array{list(images.shape)}",
        "split": split,
        "num_classes": num_classes,
    }
    return images, labels, description


def _load_named(source, split, image_shape, max_examples):
    from kgan import data

    options = {"split": split}
    if image_shape is not None:
        height, width, channels = image_shape
        # kgan.data makes square images; other shapes keep their native size
        # and the extractor resizes them.
        options["image_size"] = height if height == width else None
        options["channels"] = channels
    if max_examples is not None:
        options["max_examples"] = max_examples
    images, labels, info = data.load_arrays(source, **options)
    if labels is not None:
        labels = np.asarray(labels).astype(np.int32)
    description = {"source": source, "split": split, "num_classes": info.num_classes}
    return np.asarray(images, np.float32), labels, description
