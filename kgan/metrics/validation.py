"""Checks on the arrays that metric functions receive from users."""

import numpy as np


def check_features(features, name, min_rows=2):
    """Returns `features` as a float64 `(n, d)` array, or raises `ValueError`.

    Args:
        features: Array-like of shape `(n, d)`: one feature vector per row.
        name: The argument's name, used in the error message.
        min_rows: The smallest `n` the caller can work with.
    """
    array = np.asarray(features, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] < min_rows or array.shape[1] < 1:
        raise ValueError(
            f"Expected `{name}` to be a 2-D array of shape (n, d) with "
            f"n >= {min_rows}. Received: {name}.shape={array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(
            f"Expected `{name}` to hold only finite values. "
            f"Received: {name} with {np.sum(~np.isfinite(array))} NaN/inf values"
        )
    return array


def check_same_dim(features_a, features_b, name_a, name_b):
    """Raises `ValueError` unless two feature arrays have the same width."""
    if features_a.shape[1] != features_b.shape[1]:
        raise ValueError(
            f"Expected `{name_a}` and `{name_b}` to have the same feature "
            f"dimension. Received: {name_a}.shape={features_a.shape}, "
            f"{name_b}.shape={features_b.shape}"
        )
