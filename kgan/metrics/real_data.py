"""Real images or volumes for evaluation: a `kgan.data` source name or arrays in memory."""

import os

import numpy as np

from kgan.metrics import real_volumes


def load_real(source, split=None, image_shape=None, max_examples=None):
    """Returns real images, labels and a description of where they came from.

    Volumes are read the same way: a voxel source (`"shapes"`, an `.npz` of
    grids, a folder of `.binvox` / mesh files: `kgan.data.load_voxels`), or
    an image shape of rank 4, `(n, n, n, 1)`, gives float32 grids in {0, 1}
    of shape `(N, n, n, n, 1)` (see `kgan.metrics.real_volumes`).

    Args:
        source: A `kgan.data` source (`"digits"`, an `.npz` path, an image
            folder, a TFDS name), read with `kgan.data.load_arrays`; a voxel
            source; or an array of images `(n, H, W, C)` in [-1, 1] or of
            volumes `(n, D, H, W, 1)` in [0, 1]; or a tuple
            `(images, labels)`.
        split: The split to read from a named source (default `"test"`);
            ignored for arrays.
        image_shape: `(H, W, C)` to resize a named source to, e.g. the
            generator's output shape, or `(n, n, n, 1)` to read a voxel
            source at grid side `n`; `None` keeps its native shape (32^3 for
            voxel sources without one).
        max_examples: Read at most this many examples of a named source.

    Returns:
        `(images, labels, description)`: float32 images, int32 labels or
        `None`, and a dict `{"source", "split", "num_classes"}` for the card.
    """
    if isinstance(source, (str, os.PathLike)):
        source, split = os.fspath(source), split or "test"
        if _is_volume_request(source, image_shape):
            return real_volumes.load_volumes(source, split, image_shape, max_examples)
        return _load_named(source, split, image_shape, max_examples)
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
    if images.ndim not in (4, 5):
        raise ValueError(
            "Expected real images of shape (n, height, width, channels) or volumes "
            f"(n, depth, height, width, 1). Received: images.shape={images.shape}"
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


def _is_volume_request(source, image_shape):
    """Whether to read `source` as volumes; raises if it does not hold what `image_shape` asks for."""
    volumes = real_volumes.holds_volumes(source)
    if image_shape is None:
        return volumes
    wanted = len(image_shape) == 4
    if wanted and not volumes:
        raise ValueError(
            f"Expected voxel data ({real_volumes.ACCEPTED}) to compare volumes of shape "
            f"{tuple(image_shape)} with. Received: dataset={source!r}, which holds no voxel grids"
        )
    if volumes and not wanted:
        raise ValueError(
            f"Expected image data to compare images of shape {tuple(image_shape)} with. "
            f"Received: dataset={source!r}, which holds voxel grids"
        )
    return wanted


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
