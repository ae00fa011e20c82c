"""Fixtures for kgan.training tests: a small labelled digits .npz."""

import numpy as np
import pytest


def write_digits_npz(path, n=128, labels=True):
    """Writes the first `n` of scikit-learn's 8x8 digits as uint8 `x` (and `y`)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    arrays = {"x": np.rint(digits.images[:n] * (255 / 16)).astype("uint8")}
    if labels:
        arrays["y"] = digits.target[:n].astype("int32")
    np.savez(path, **arrays)
    return str(path)


@pytest.fixture(scope="session")
def digits_npz(tmp_path_factory):
    """128 labelled 8x8 digits (all ten classes)."""
    return write_digits_npz(tmp_path_factory.mktemp("data") / "digits128.npz")


@pytest.fixture(scope="session")
def unlabelled_npz(tmp_path_factory):
    """64 8x8 digits without labels."""
    return write_digits_npz(tmp_path_factory.mktemp("data") / "unlabelled.npz", n=64, labels=False)
