import numpy as np
import pytest
from sklearn.datasets import load_digits

import kgan
from kgan.data import digits


@pytest.fixture(scope="module")
def bunch():
    return load_digits()


def test_split_indices_are_disjoint_stratified_and_cover_all(bunch):
    labels = bunch.target
    train = digits.split_indices(labels, "train")
    test = digits.split_indices(labels, "test")
    assert len(train) == 1438 and len(test) == 359
    assert np.intersect1d(train, test).size == 0
    np.testing.assert_array_equal(np.union1d(train, test), np.arange(1797))
    np.testing.assert_array_equal(digits.split_indices(labels, "all"), np.arange(1797))
    # Stratified: each class gives round(20%) of its examples to test.
    counts = np.bincount(labels)
    np.testing.assert_array_equal(np.bincount(labels[test]), np.round(0.2 * counts))
    # Fixed: the same indices every call.
    np.testing.assert_array_equal(digits.split_indices(labels, "test"), test)


@pytest.mark.parametrize("split, size", [("train", 1438), ("test", 359), ("all", 1797)])
def test_load_arrays_values_match_sklearn(bunch, split, size):
    x, y, info = kgan.data.load_arrays("digits", split=split)
    index = digits.split_indices(bunch.target, split)
    assert x.shape == (size, 8, 8, 1) and x.dtype == np.float32
    assert y.shape == (size,) and y.dtype == np.int32
    # Pixels 0..16 map to x / 8 - 1: exactly -1 and 1 at the ends.
    np.testing.assert_array_equal(x[..., 0], bunch.images[index] / 8 - 1)
    np.testing.assert_array_equal(y, bunch.target[index])
    assert x.min() == -1.0 and x.max() == 1.0
    assert info.num_examples == size


def test_info():
    info = kgan.data.info("digits", split="test", image_size=16, channels=3)
    assert info == kgan.data.DatasetInfo(
        name="digits",
        split="test",
        image_shape=(16, 16, 3),
        num_examples=359,
        num_classes=10,
        class_names=tuple("0123456789"),
        native_shape=(8, 8, 1),
    )


def test_load_default_is_labelled_digits():
    ds, info = kgan.data.load(batch_size=32, seed=0, with_info=True)
    images_spec, labels_spec = ds.element_spec
    assert images_spec.shape == (32, 8, 8, 1) and images_spec.dtype == "float32"
    assert labels_spec.shape == (32,) and labels_spec.dtype == "int32"
    images, labels = next(iter(ds))
    assert -1.0 <= images.numpy().min() and images.numpy().max() <= 1.0
    assert set(labels.numpy()) <= set(range(10))
    assert info.name == "digits" and info.split == "train"


def test_unknown_split():
    with pytest.raises(ValueError, match=r"Expected split .*Received: split='validation'"):
        kgan.data.load("digits", split="validation")
