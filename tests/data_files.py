"""Small data files for tests, written from scikit-learn's digits."""

import numpy as np


def write_digits_npz(path, n=128, labels=True):
    """Writes the first `n` of scikit-learn's 8x8 digits as uint8 `x` (and `y`)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    arrays = {"x": np.rint(digits.images[:n] * (255 / 16)).astype("uint8")}
    if labels:
        arrays["y"] = digits.target[:n].astype("int32")
    np.savez(path, **arrays)
    return str(path)
