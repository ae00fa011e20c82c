import pathlib

import numpy as np
import pytest

import kgan

MNIST = pathlib.Path("/work/shared/data/mnist.npz")


def test_uint8_images_map_to_minus_one_one(write_npz):
    x = np.array([[[0, 51], [255, 255]]], dtype=np.uint8)  # (1, 2, 2)
    path = write_npz(x=x)
    images, labels, info = kgan.data.load_arrays(path)
    assert images.dtype == np.float32 and images.shape == (1, 2, 2, 1)
    np.testing.assert_allclose(images[0, :, :, 0], [[-1.0, -0.6], [1.0, 1.0]], atol=1e-6)
    assert labels is None
    assert info.num_classes is None and info.native_shape == (2, 2, 1)


def test_float_zero_one_is_rescaled_and_minus_one_one_kept(write_npz):
    unit = np.array([0.0, 0.25, 1.0], np.float32).reshape(1, 1, 3, 1)
    signed = np.array([-1.0, -0.5, 0.5], np.float64).reshape(1, 1, 3, 1)
    x, _, _ = kgan.data.load_arrays(write_npz("unit.npz", x=unit))
    np.testing.assert_allclose(x.ravel(), [-1.0, -0.5, 1.0])
    x, _, _ = kgan.data.load_arrays(write_npz("signed.npz", x=signed))
    np.testing.assert_allclose(x.ravel(), [-1.0, -0.5, 0.5])
    assert x.dtype == np.float32


def test_rgb_images_and_labels(write_npz):
    x = np.random.default_rng(0).integers(0, 256, (10, 4, 6, 3), dtype=np.uint8)
    y = np.arange(10) % 4
    ds, info = kgan.data.load(write_npz(x=x, y=y), batch_size=5, shuffle=False, with_info=True)
    images, labels = next(iter(ds))
    assert images.shape == (5, 4, 6, 3)
    np.testing.assert_allclose(images.numpy(), x[:5] / 127.5 - 1, atol=1e-6)
    np.testing.assert_array_equal(labels.numpy(), y[:5])
    assert info.num_classes == 4 and info.num_examples == 10 and info.class_names is None


def test_splits_of_keras_style_file(write_npz):
    x_train = np.zeros((6, 3, 3), np.uint8)
    x_test = np.full((4, 3, 3), 255, np.uint8)
    path = write_npz(x_train=x_train, y_train=np.arange(6) % 2, x_test=x_test, y_test=[0, 1, 2, 1])
    train, y_train, train_info = kgan.data.load_arrays(path, split="train")
    test, y_test, test_info = kgan.data.load_arrays(path, split="test")
    everything, y_all, _ = kgan.data.load_arrays(path, split="all")
    assert (train == -1).all() and (test == 1).all()
    assert len(everything) == 10 and (y_all == np.r_[y_train, y_test]).all()
    # num_classes counts the labels of every split, so both splits agree.
    assert train_info.num_classes == test_info.num_classes == 3


def test_shared_mnist_file_test_split():
    if not MNIST.exists():
        pytest.skip("shared MNIST .npz not available")
    x, y, info = kgan.data.load_arrays(MNIST, split="test", max_examples=64)
    with np.load(MNIST) as z:
        expected_x, expected_y = z["x_test"][:64], z["y_test"][:64]
    assert x.shape == (64, 28, 28, 1)
    np.testing.assert_allclose(x[..., 0], expected_x / 127.5 - 1, atol=1e-6)
    np.testing.assert_array_equal(y, expected_y)
    assert info.num_examples == 10_000 and info.num_classes == 10


def test_unlabelled_split_rejects_labels_true(write_npz):
    path = write_npz(x=np.zeros((4, 2, 2), np.uint8))
    with pytest.raises(ValueError, match="labels=True"):
        kgan.data.load(path, batch_size=2, labels=True)
    assert kgan.data.load(path, batch_size=2).element_spec.shape == (2, 2, 2, 1)


BAD_INPUTS = [
    (dict(x=np.full((2, 3, 3), np.nan, np.float32)), r"finite.*18 NaN"),
    (dict(x=np.full((2, 3, 3), 255.0)), r"\[0, 1\] or \[-1, 1\].*max=255"),
    (dict(x=np.full((2, 3, 3), -2.0)), r"min=-2"),
    (dict(x=np.zeros((2, 3, 3), np.int16)), r"dtype uint8.*dtype=int16"),
    (dict(x=np.zeros((2, 3), np.uint8)), r"\(N, H, W\).*x.shape=\(2, 3\)"),
    (dict(x=np.zeros((2, 3, 3, 2), np.uint8)), r"C in \(1, 3\).*shape=\(2, 3, 3, 2\)"),
    (dict(x=np.zeros((0, 3, 3), np.uint8)), r"N >= 1"),
    (dict(x=np.zeros((2, 3, 3), np.uint8), y=[0, 1, 1]), r"one label per image \(2\).*len\(y\)=3"),
    (dict(x=np.zeros((2, 3, 3), np.uint8), y=[0, -1]), r"min=-1"),
    (dict(x=np.zeros((2, 3, 3), np.uint8), y=[0.0, 1.0]), r"integer.*dtype=float64"),
    (dict(x=np.zeros((2, 3, 3), np.uint8), y=[[0], [1]]), r"1-D integer.*shape=\(2, 1\)"),
    (dict(images=np.zeros((2, 3, 3), np.uint8)), r"key 'x' or 'x_train'.*keys=\['images'\]"),
]


@pytest.mark.parametrize("arrays, message", BAD_INPUTS)
def test_bad_inputs_raise_value_error(write_npz, arrays, message):
    with pytest.raises(ValueError, match=message):
        kgan.data.load_arrays(write_npz(**arrays))


def test_split_errors(write_npz):
    path = write_npz(x=np.zeros((2, 3, 3), np.uint8))
    with pytest.raises(ValueError, match=r"'x_test' for split='test'"):
        kgan.data.load_arrays(path, split="test")
    with pytest.raises(ValueError, match=r"Received: split='val'"):
        kgan.data.load_arrays(path, split="val")
    image = np.zeros((2, 3, 3), np.uint8)
    half = write_npz("half.npz", x=image, y=[0, 1], x_test=image)
    with pytest.raises(ValueError, match="labels for every part"):
        kgan.data.load_arrays(half, split="all")
    shapes = write_npz("shapes.npz", x=image, x_test=np.zeros((1, 4, 4), np.uint8))
    with pytest.raises(ValueError, match="same shape"):
        kgan.data.load_arrays(shapes, split="all")
