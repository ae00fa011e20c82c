"""Class labels outside the training step: one set of rules for every entry point.

`GAN.generate`, `kgan.inference`, `kgan serve`, `kgan sample` and
`kgan.augment` all take labels through `resolve`, so the same input means
the same thing everywhere. (Inside the compiled step, batches go through
`kgan.base.batches.class_indices`, which applies the same rules to tensors.)
"""

import numpy as np

from kgan import checks


def resolve(labels, n, num_classes, name="labels"):
    """Returns int32 labels of shape `(n,)`, or None for an unconditional model.

    Args:
        labels: None (the classes in turn: `arange(n) % num_classes`), an int
            for all `n` samples, `n` integers of shape `(n,)` or `(n, 1)`, or
            `n` one-hot rows of shape `(n, num_classes)`.
        n: number of samples.
        num_classes: number of classes, or None for an unconditional model.
        name: the argument's name in error messages.
    """
    if num_classes is None:
        if labels is not None:
            raise ValueError(f"This model is unconditional and takes no {name}. Received: {name}={checks.short(labels)}")
        return None
    if labels is None:
        return (np.arange(n) % num_classes).astype("int32")
    array = checks.numeric_array(name, labels, kind="integers")
    if array.ndim == 0:
        array = np.broadcast_to(array, (n,))
    array = _to_indices(array, n, num_classes, name)
    if array.size and (array.min() < 0 or array.max() >= num_classes):
        raise ValueError(
            f"Expected {name} in [0, {num_classes}). Received: {name} from {array.min()} to {array.max()}"
        )
    return array.astype("int32")


def parse(text, n, name="--labels"):
    """Parses `'3'` or `'0,1,2'` (cycled to `n` values) from a command line or query."""
    try:
        values = [int(v) for v in str(text).split(",")]
    except ValueError:
        raise ValueError(f"Expected {name} like 3 or 0,1,2. Received: {name}={text!r}") from None
    return np.resize(np.asarray(values, "int64"), n)


def _to_indices(array, n, num_classes, name):
    if array.ndim == 2 and array.shape == (n, 1):
        array = array[:, 0]
    if array.ndim == 1:
        if array.shape != (n,) or array.dtype.kind not in "iu":
            raise ValueError(
                f"Expected `{name}` to be an int or {n} integers, shape ({n},) or ({n}, 1), or one-hot "
                f"rows of shape ({n}, {num_classes}). Received: {name} of shape {array.shape} "
                f"and dtype {array.dtype}"
            )
        return array
    if array.ndim == 2 and array.shape == (n, num_classes) and _is_one_hot(array):
        return array.argmax(axis=1)
    raise ValueError(
        f"Expected `{name}` to be an int or {n} integers, shape ({n},) or ({n}, 1), or one-hot rows of "
        f"shape ({n}, {num_classes}). Received: {name} of shape {array.shape} and dtype {array.dtype}"
        + (" that are not one-hot" if array.ndim == 2 and array.shape == (n, num_classes) else "")
    )


def _is_one_hot(array):
    return bool(np.all((array == 0) | (array == 1)) and np.all(array.sum(axis=1) == 1))
