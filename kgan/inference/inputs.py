"""Validation of generator inputs, shared by `kgan.inference` and `kgan.serving`.

Every check raises `ValueError` with an "Expected ... Received: ..." message,
which the server turns into a 400 response.
"""

import numpy as np

OUTPUT_DTYPES = ("float32", "uint8")


def check_count(n, name="n"):
    """Returns `n` as an int, for a non-negative integer (not a bool)."""
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"Expected `{name}` to be a non-negative integer. Received: {name}={n!r}")
    return int(n)


def check_seed(seed):
    """Returns `seed` as an int in the int64 range (TF Serving's `seed` dtype)."""
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"Expected `seed` to be an integer. Received: seed={seed!r}")
    if not -(2**63) <= int(seed) < 2**63:
        raise ValueError(f"Expected `seed` in the int64 range. Received: seed={seed}")
    return int(seed)


def check_z(z, latent_dim):
    """Returns `z` as finite float32 of shape `(n, latent_dim)`."""
    array = _numeric_array(z, "z", allow_float=True)
    if array.ndim != 2 or array.shape[1] != latent_dim:
        raise ValueError(
            f"Expected `z` of shape (batch, {latent_dim}). Received: z of shape {array.shape}"
        )
    with np.errstate(over="ignore"):  # too large for float32 becomes inf, refused below
        array = array.astype("float32")
    if not np.isfinite(array).all():
        raise ValueError("Expected finite values in `z`. Received: z with NaN or infinity")
    return array


def check_labels(labels, n, num_classes):
    """Returns int32 labels of shape `(n,)`, or None for an unconditional model.

    Args:
        labels: None (cycle through the classes: `arange(n) % num_classes`),
            an int for all samples, or `n` integers.
        n: number of samples.
        num_classes: number of classes, or None for an unconditional model.
    """
    if num_classes is None:
        if labels is not None:
            raise ValueError(
                f"This model is unconditional and takes no labels. Received: labels={_short(labels)}"
            )
        return None
    if labels is None:
        return (np.arange(n) % num_classes).astype("int32")
    array = _numeric_array(labels, "labels", allow_float=False)
    if array.ndim == 0:
        array = np.broadcast_to(array, (n,))
    if array.shape != (n,):
        raise ValueError(
            f"Expected `labels` to be an int or {n} integers. Received: labels of shape {array.shape}"
        )
    if n and (array.min() < 0 or array.max() >= num_classes):
        raise ValueError(
            f"Expected labels in [0, {num_classes}). Received: labels from {array.min()} to {array.max()}"
        )
    return array.astype("int32")


def check_output_dtype(dtype):
    if dtype not in OUTPUT_DTYPES:
        raise ValueError(f"Expected `dtype` to be one of {OUTPUT_DTYPES}. Received: dtype={dtype!r}")
    return dtype


def _numeric_array(value, name, allow_float):
    try:
        array = np.asarray(value)
    except ValueError:  # ragged nested lists
        raise ValueError(f"Expected `{name}` to be a rectangular array. Received: {_short(value)}") from None
    kinds = "iuf" if allow_float else "iu"
    if array.dtype.kind not in kinds or array.dtype == np.bool_:
        expected = "numbers" if allow_float else "integers"
        raise ValueError(f"Expected `{name}` to hold {expected}. Received: {name} of dtype {array.dtype}")
    return array


def _short(value, limit=80):
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
