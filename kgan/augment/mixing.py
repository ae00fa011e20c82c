"""`mix`: batches with an exact share of synthetic examples."""

import numbers

import tensorflow as tf


def check_fraction(name, fraction):
    """Returns `fraction` as a float, or raises unless it is a number in [0, 1]."""
    if not isinstance(fraction, numbers.Real) or isinstance(fraction, bool) or not 0.0 <= fraction <= 1.0:
        raise ValueError(f"Expected `{name}` to be a number in [0, 1]. Received: {name}={fraction!r}")
    return float(fraction)


def mix(real_dataset, synthetic_dataset, synthetic_fraction, batch_size=None, drop_remainder=False):
    """Mixes a real and a synthetic dataset with an exact share per batch.

    Each output batch has the real dataset's batch size `B` and holds
    `k = round(synthetic_fraction * B)` synthetic examples followed by
    `B - k` real ones (order within a batch does not matter to a gradient
    step; shuffle the real data beforehand as usual). An exact composition,
    rather than `tf.data.Dataset.sample_from_datasets`, keeps the share the
    same in every batch instead of only on average, and needs no unbatched
    per-example sampling.

    An epoch still sees every real example once, so it has about
    `1 / (1 - synthetic_fraction)` times as many batches as the real
    dataset. The last, partial real batch (when `drop_remainder=False`)
    gets a proportional number of synthetic examples. Synthetic labels are
    cast to the real labels' dtype, and one-hot encoded if the real labels
    are one-hot.

    Args:
        real_dataset: batched `tf.data.Dataset` of `(images, labels)` or of
            `images`.
        synthetic_dataset: batched dataset of the same structure, image shape
            and dtype, e.g. from `kgan.augment.synthetic_dataset`. It should
            be endless (the default there): the mix ends when either ends.
        synthetic_fraction: share of synthetic examples per batch, in [0, 1].
            0 returns `real_dataset` unchanged; 1 returns synthetic batches.
        batch_size: output batch size; defaults to the real dataset's static
            batch size (required when that is unknown).
        drop_remainder: drop the last, partial batch, so that every batch has
            the static size `batch_size` (XLA needs static shapes).

    Returns:
        A batched `tf.data.Dataset` with the real dataset's structure.

    Example:

    ```python
    real = kgan.data.load("digits", batch_size=64, labels=True)
    synthetic = kgan.augment.synthetic_dataset(gan, batch_size=64, seed=0)
    classifier.fit(kgan.augment.mix(real, synthetic, 0.5), epochs=10)
    ```
    """
    fraction = check_fraction("synthetic_fraction", synthetic_fraction)
    real_spec, synthetic_spec = _check_structures(real_dataset, synthetic_dataset)
    batch_size = _batch_size(real_spec, batch_size)
    num_synthetic = round(fraction * batch_size)
    if 0.0 < fraction < 1.0 and num_synthetic in (0, batch_size):
        raise ValueError(
            f"Expected `synthetic_fraction` * batch_size to round to between 1 and {batch_size - 1} "
            f"synthetic examples per batch of {batch_size}. Received: synthetic_fraction={synthetic_fraction!r}"
        )
    if fraction == 0.0:
        return real_dataset
    convert = _label_converter(real_spec, synthetic_spec)
    synthetic = synthetic_dataset.unbatch()
    if fraction == 1.0:
        mixed = synthetic.batch(batch_size, drop_remainder=True)
        mixed = mixed.map(lambda *batch: convert(_one(batch)), num_parallel_calls=tf.data.AUTOTUNE)
        return mixed.prefetch(tf.data.AUTOTUNE)
    num_real = batch_size - num_synthetic
    real = real_dataset.unbatch().batch(num_real, drop_remainder=drop_remainder)
    synthetic = synthetic.batch(num_synthetic, drop_remainder=True)

    def combine(real_batch, synthetic_batch):
        synthetic_batch = convert(synthetic_batch)
        # The last, partial real batch keeps the share: n * k / (B - k).
        n = tf.shape(tf.nest.flatten(real_batch)[0])[0]
        share = tf.cast(tf.round(tf.cast(n, tf.float64) * num_synthetic / num_real), tf.int32)
        take = tf.minimum(share, num_synthetic)
        return tf.nest.map_structure(
            lambda s, r: tf.concat([s[:take], r], axis=0), synthetic_batch, real_batch
        )

    mixed = tf.data.Dataset.zip((real, synthetic)).map(combine, num_parallel_calls=tf.data.AUTOTUNE)
    if drop_remainder:
        mixed = mixed.map(_set_batch_size(batch_size))
    size = _mixed_cardinality(real_dataset, real_spec, synthetic_dataset, num_real, drop_remainder)
    if size is not None:
        mixed = mixed.apply(tf.data.experimental.assert_cardinality(size))
    return mixed.prefetch(tf.data.AUTOTUNE)


def _check_structures(real_dataset, synthetic_dataset):
    for name, dataset in (("real_dataset", real_dataset), ("synthetic_dataset", synthetic_dataset)):
        if not isinstance(dataset, tf.data.Dataset):
            raise ValueError(f"Expected `{name}` to be a tf.data.Dataset. Received: {name}={dataset!r}")
    real_spec, synthetic_spec = real_dataset.element_spec, synthetic_dataset.element_spec
    labelled = [isinstance(s, tuple) and len(s) == 2 for s in (real_spec, synthetic_spec)]
    plain = [isinstance(s, tf.TensorSpec) for s in (real_spec, synthetic_spec)]
    if not (all(labelled) or all(plain)):
        raise ValueError(
            "Expected both datasets to yield `(images, labels)` or both to yield `images` "
            f"(a conditional generator gives labels). Received: real elements {real_spec} and "
            f"synthetic elements {synthetic_spec}"
        )
    real_images = real_spec[0] if all(labelled) else real_spec
    synthetic_images = synthetic_spec[0] if all(labelled) else synthetic_spec
    if real_images.shape.rank != 4:
        raise ValueError(
            "Expected `real_dataset` to yield batches of images (batch, height, width, channels). "
            f"Received: images of shape {real_images.shape}; batch the dataset first"
        )
    same_shape = real_images.shape[1:].is_compatible_with(synthetic_images.shape[1:])
    if not same_shape or real_images.dtype != synthetic_images.dtype:
        raise ValueError(
            "Expected synthetic images of the real images' shape and dtype; set `image_size`, "
            "`channels`, `dtype` and `value_range` of synthetic_dataset to match. Received: real "
            f"{real_images.shape[1:]} {real_images.dtype.name}, synthetic "
            f"{synthetic_images.shape[1:]} {synthetic_images.dtype.name}"
        )
    return real_spec, synthetic_spec


def _batch_size(real_spec, batch_size):
    if batch_size is not None:
        if not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool) or batch_size < 2:
            raise ValueError(f"Expected `batch_size` to be an integer >= 2. Received: batch_size={batch_size!r}")
        return int(batch_size)
    static = tf.nest.flatten(real_spec)[0].shape[0]
    if static is None:
        raise ValueError(
            "The real dataset's batch size is not static (batch it with drop_remainder=True). "
            "Expected `batch_size` to be given. Received: batch_size=None"
        )
    if static < 2:
        raise ValueError(f"Expected a real batch size >= 2 to mix into. Received: batch size {static}")
    return int(static)


def _mixed_cardinality(real_dataset, real_spec, synthetic_dataset, num_real, drop_remainder):
    """The number of mixed batches, when it is known (else None).

    Unbatching loses tf.data's count, and Keras warns about datasets of
    unknown size, so it is restored when the real dataset has a known number
    of batches of a static size and the synthetic one is endless.
    """
    batches = int(real_dataset.cardinality())
    real_batch = tf.nest.flatten(real_spec)[0].shape[0]
    if batches < 0 or real_batch is None or int(synthetic_dataset.cardinality()) != tf.data.INFINITE_CARDINALITY:
        return None
    examples = batches * real_batch
    return examples // num_real if drop_remainder else -(-examples // num_real)


def _label_converter(real_spec, synthetic_spec):
    """Returns a function giving synthetic batches the real labels' format."""
    if isinstance(real_spec, tf.TensorSpec):
        return lambda batch: batch
    real_labels = real_spec[1]
    rank = real_labels.shape.rank
    depth = real_labels.shape[-1] if rank == 2 else None
    if rank not in (1, 2) or (rank == 2 and depth is None):
        raise ValueError(
            "Expected real labels of shape (batch,), (batch, 1) or one-hot (batch, num_classes). "
            f"Received: labels of shape {real_labels.shape}"
        )

    def convert(batch):
        images, labels = batch
        if depth == 1:
            labels = labels[:, None]
        elif depth is not None:
            labels = tf.one_hot(labels, depth)
        return images, tf.cast(labels, real_labels.dtype)

    return convert


def _one(batch):
    # tf.data passes a tuple element as separate arguments.
    return batch[0] if len(batch) == 1 else batch


def _set_batch_size(batch_size):
    def set_shape(*batch):
        return tf.nest.map_structure(
            lambda t: tf.ensure_shape(t, [batch_size, *t.shape[1:]]), _one(batch)
        )

    return set_shape
