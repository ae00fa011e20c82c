"""Batches as dicts of named tensors, from whatever `fit` receives.

Families name their batch entries (`{"images", "labels"}`, `{"source",
"target"}`, ...); `(x, y)` tuples and bare tensors, which Keras users pass,
are mapped onto those names in order.
"""

import tensorflow as tf


def as_dict(data, keys):
    """Returns `data` as a dict keyed by `keys`.

    Args:
        data: a dict, a tuple or list (its entries are named by `keys` in
            order; Keras' `(x, y, sample_weight)` convention), or one tensor
            (named `keys[0]`).
        keys: the names, in the order a tuple holds them.
    """
    if isinstance(data, dict):
        unknown = sorted(set(data) - set(keys))
        if unknown:
            raise ValueError(f"Expected batch entries among {list(keys)}. Received: unknown entries {unknown}")
        return dict(data)
    if isinstance(data, (tuple, list)):
        if len(data) > len(keys):
            raise ValueError(
                f"Expected batches of at most {len(keys)} parts ({', '.join(keys)}). Received: {len(data)} parts"
            )
        return {key: value for key, value in zip(keys, data) if value is not None}
    return {keys[0]: data}


def class_indices(labels, num_classes):
    """Int32 class indices `(B,)` from `(B,)` or `(B, 1)` integers or one-hot `(B, num_classes)`.

    Anything else raises a `ValueError` when the step is traced, naming the
    shape and dtype received: a float vector or a one-hot matrix of the wrong
    width would otherwise be silently misread.
    """
    labels = tf.convert_to_tensor(labels)
    shape, dtype = labels.shape, labels.dtype
    if shape.rank == 2 and shape[1] == 1 and dtype.is_integer:
        return tf.cast(labels[:, 0], tf.int32)
    if shape.rank == 1 and dtype.is_integer:
        return tf.cast(labels, tf.int32)
    if shape.rank == 2 and shape[1] == num_classes and num_classes > 1:
        return tf.cast(tf.argmax(labels, axis=1), tf.int32)
    raise ValueError(
        f"Expected labels as integers of shape (batch,) or (batch, 1), or one-hot rows of shape "
        f"(batch, {num_classes}). Received: labels of shape {tuple(shape)} and dtype {dtype.name}"
    )


def split(batch, parts, keys=None):
    """Splits every entry of `batch` into `parts` equal slices along the batch axis.

    Raises a `ValueError` (at trace time when the batch size is static, else
    when the step runs) unless the batch size is a positive multiple of
    `parts`: a remainder would be dropped silently, and an empty slice would
    make every mean NaN.
    """
    if parts == 1:
        return [batch]
    first = batch[keys[0] if keys else next(iter(batch))]
    size = first.shape[0]
    if size is not None:
        if size < parts or size % parts:
            raise ValueError(
                f"Expected a batch size that is a positive multiple of d_steps={parts} (each D step "
                f"takes an equal slice). Received: a batch of {size}"
            )
        step = size // parts
    else:
        dynamic = tf.shape(first)[0]
        check = tf.debugging.assert_equal(
            dynamic % parts + tf.cast(dynamic < parts, tf.int32), 0,
            message=f"Expected a batch size that is a positive multiple of d_steps={parts}",
        )
        with tf.control_dependencies([check]):
            step = tf.identity(dynamic // parts)
    return [{key: value[i * step : (i + 1) * step] for key, value in batch.items()} for i in range(parts)]
