"""Features of many images, computed batch by batch from any image source.

A source is one of:
- a sampler: any object with `generate(n, labels=None, seed=None)` returning
  images in [-1, 1] of shape `(n, H, W, C)`, and attributes `num_classes`
  (`None` if unconditional) and `latent_dim`; e.g. `kgan.GAN`, a model from
  `kgan.runs.load_gan` or `kgan.inference.load`;
- an array of images `(n, H, W, C)` in [-1, 1], or a tuple `(images, labels)`;
- a `tf.data.Dataset` or other iterable of batches, `images` or
  `(images, labels)`.

Volumes go the same way: batches of rank 5, `(n, D, H, W, 1)`, are occupancy
grids in [0, 1] (a voxel generator's sigmoid output, `kgan.VoxelGAN`), for
an extractor made from a volume classifier.

Only one batch of images is held at a time; the features are accumulated.
"""

import collections

import numpy as np

from kgan import checks

# Images may exceed [-1, 1] by this much (rounding in resizing, tanh in
# float16) before they are rejected as being in the wrong range.
RANGE_TOLERANCE = 1e-3
IMAGE_RANGE = (-1.0, 1.0)
VOLUME_RANGE = (0.0, 1.0)

Extracted = collections.namedtuple(
    "Extracted", ["features", "probabilities", "labels", "image_shape"]
)
Extracted.__doc__ = """What `extract` returns.

Attributes:
    features: float32 array `(n, feature_dim)`.
    probabilities: float32 array `(n, num_classes)`, or `None` if not asked.
    labels: int32 array `(n,)` of the images' labels, or `None`.
    image_shape: `(H, W, C)` of the source's images, `(D, H, W, 1)` of volumes.
"""


def compute_features(source, extractor, n=None, batch_size=100, labels=None, seed=None):
    """Returns the features of `n` images from `source`, shape `(n, d)`.

    Args:
        source: A sampler, an image array or `(images, labels)`, or an
            iterable of batches (see the module docstring).
        extractor: A feature extractor (see `kgan.metrics.extractors`).
        n: Number of images. Required for a sampler; for other sources
            `None` means all of them, else the first `n`.
        batch_size: Images per batch when generating or slicing arrays.
        labels: For a conditional sampler, the `n` labels to generate;
            `None` draws balanced labels (see `iterate_batches`).
        seed: Seed for a sampler; `None` for fresh noise.

    Example:

    >>> extractor = kgan.metrics.ClassifierExtractor("evaluator.keras")
    >>> features = kgan.metrics.compute_features(gan, extractor, n=1000, seed=0)
    """
    return extract(source, extractor, n, batch_size, labels, seed).features


def extract(
    source, extractor, n=None, batch_size=100, labels=None, seed=None, probabilities=False
):
    """Returns an `Extracted` tuple of features (and probabilities, labels).

    Arguments as in `compute_features`; with `probabilities=True` the
    extractor's class probabilities are collected too (for the Inception
    Score), in the same pass when the extractor offers
    `features_and_probabilities`.
    """
    features, probs, all_labels, image_shape = [], [], [], None
    for images, batch_labels in iterate_batches(source, n, batch_size, labels, seed):
        image_shape = images.shape[1:]
        if probabilities:
            batch_features, batch_probs = _features_and_probabilities(extractor, images)
            probs.append(np.asarray(batch_probs, np.float32))
        else:
            batch_features = extractor(images)
        features.append(np.asarray(batch_features, np.float32))
        all_labels.append(batch_labels)
    if not features:
        raise ValueError(f"Expected a source with at least one image. Received: n={n}")
    if any(batch is None for batch in all_labels):
        all_labels = None
    else:
        all_labels = np.concatenate(all_labels).astype(np.int32)
    return Extracted(
        features=np.concatenate(features),
        probabilities=np.concatenate(probs) if probabilities else None,
        labels=all_labels,
        image_shape=tuple(int(d) for d in image_shape),
    )


def iterate_batches(source, n=None, batch_size=100, labels=None, seed=None):
    """Yields `(images, labels)` NumPy batches from a source.

    `labels` is `None` for unlabelled sources. For a conditional sampler with
    `labels=None`, the labels are `arange(n) % num_classes` shuffled with
    `seed`: every class gets `n // num_classes` or one more images.
    Sampler batch `i` is generated with a seed drawn from
    `numpy.random.default_rng(seed)`, so a seed fixes every image.
    """
    batch_size = checks.positive_int("batch_size", batch_size)
    if n is not None:
        n = checks.positive_int("n", n)
    if callable(getattr(source, "generate", None)):
        batches = _sampler_batches(source, n, batch_size, labels, seed)
    elif isinstance(source, np.ndarray) or (
        isinstance(source, tuple) and len(source) == 2
    ):
        batches = _array_batches(source, n, batch_size)
    else:
        batches = _iterable_batches(source, n)
    for images, batch_labels in batches:
        yield _check_images(images), batch_labels


def balanced_labels(n, num_classes, seed=None):
    """Returns `n` int32 labels, each class `n // num_classes` (+1) times."""
    labels = np.arange(n, dtype=np.int32) % num_classes
    return np.random.default_rng(seed).permutation(labels).astype(np.int32)


def _sampler_batches(sampler, n, batch_size, labels, seed):
    if n is None:
        raise ValueError(
            "Expected `n`, the number of images to generate, for a sampler. "
            "Received: n=None"
        )
    num_classes = getattr(sampler, "num_classes", None)
    if labels is None and num_classes:
        labels = balanced_labels(n, num_classes, seed)
    if labels is not None:
        labels = np.asarray(labels, np.int32).reshape(-1)
        if len(labels) != n:
            raise ValueError(
                f"Expected {n} labels, one per image. Received: labels.shape={labels.shape}"
            )
    rng = np.random.default_rng(seed)
    for start in range(0, n, batch_size):
        count = min(batch_size, n - start)
        batch_seed = None if seed is None else int(rng.integers(2**31 - 1))
        batch_labels = None if labels is None else labels[start : start + count]
        images = sampler.generate(count, labels=batch_labels, seed=batch_seed)
        yield np.asarray(images, np.float32), batch_labels


def _array_batches(source, n, batch_size):
    images, labels = source if isinstance(source, tuple) else (source, None)
    total = len(images) if n is None else n
    if total > len(images):
        raise ValueError(
            f"Expected at most {len(images)} images from this array. Received: n={n}"
        )
    for start in range(0, total, batch_size):
        stop = min(start + batch_size, total)
        batch_labels = None if labels is None else np.asarray(labels[start:stop], np.int32)
        yield np.asarray(images[start:stop], np.float32), batch_labels


def _iterable_batches(batches, n):
    try:
        iterator = iter(batches)
    except TypeError:
        raise ValueError(
            "Expected a sampler (with `generate`), an image array, "
            "`(images, labels)`, or an iterable of batches. "
            f"Received: source of type {type(batches).__name__}"
        ) from None
    seen = 0
    for batch in iterator:
        images, labels = batch if isinstance(batch, tuple) else (batch, None)
        images = np.asarray(images, np.float32)
        if n is not None:
            images = images[: n - seen]
        labels = None if labels is None else np.asarray(labels, np.int32)[: len(images)]
        seen += len(images)
        yield images, labels
        if n is not None and seen >= n:
            return
    if n is not None and seen < n:
        raise ValueError(f"Expected {n} images from the source. Received: {seen} images")


def _check_images(images):
    """Returns `images` if they are images in [-1, 1] or volumes in [0, 1], else raises."""
    if images.ndim == 5 and images.shape[-1] == 1:
        kind, (low_bound, high_bound), hint = "volumes", VOLUME_RANGE, "occupancy grids"
    elif images.ndim == 4 and images.shape[-1] in (1, 3):
        kind, (low_bound, high_bound), hint = "images", IMAGE_RANGE, (
            "kgan's convention; scale uint8 pixels with x / 127.5 - 1"
        )
    else:
        raise ValueError(
            "Expected image batches of shape (batch, height, width, 1 or 3) or volume "
            f"batches of shape (batch, depth, height, width, 1). Received: shape={images.shape}"
        )
    low, high = float(images.min()), float(images.max())
    if low < low_bound - RANGE_TOLERANCE or high > high_bound + RANGE_TOLERANCE:
        raise ValueError(
            f"Expected {kind} in [{low_bound:g}, {high_bound:g}] ({hint}). "
            f"Received: values in [{low:.4g}, {high:.4g}]"
        )
    return images


def _features_and_probabilities(extractor, images):
    if hasattr(extractor, "features_and_probabilities"):
        return extractor.features_and_probabilities(images)
    if not callable(getattr(extractor, "probabilities", None)):
        raise ValueError(
            "Expected an extractor with class probabilities (a `probabilities` "
            f"method). Received: extractor={getattr(extractor, 'name', extractor)!r}"
        )
    return extractor(images), extractor.probabilities(images)
