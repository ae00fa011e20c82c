import numpy as np
import pytest

import kgan

tfds = pytest.importorskip("tensorflow_datasets")


@pytest.fixture
def mock_tfds():
    with tfds.testing.mock_data(num_examples=12):
        yield


def test_mnist_from_mock_data(mock_tfds, tmp_path):
    ds, info = kgan.data.load("mnist", data_dir=str(tmp_path), batch_size=4, seed=0, with_info=True)
    images_spec, labels_spec = ds.element_spec
    assert images_spec.shape == (4, 28, 28, 1) and images_spec.dtype == "float32"
    assert labels_spec.shape == (4,) and labels_spec.dtype == "int32"
    batches = list(ds)
    assert len(batches) == 3
    images = np.concatenate([b[0].numpy() for b in batches])
    assert images.min() >= -1.0 and images.max() <= 1.0 and images.std() > 0.1
    assert info.num_examples == 12 and info.num_classes == 10
    assert info.class_names == tuple("0123456789") and info.native_shape == (28, 28, 1)


def test_tfds_prefix_resize_and_gray(mock_tfds):
    ds = kgan.data.load(
        "tfds:cifar10", split="test", image_size=16, channels=1, labels=False, batch_size=6
    )
    assert ds.element_spec.shape == (6, 16, 16, 1)
    x, y, info = kgan.data.load_arrays("cifar10", max_examples=5)
    assert x.shape == (5, 32, 32, 3) and y.shape == (5,)
    assert info.num_classes == 10 and len(info.class_names) == 10


def test_batch_larger_than_split(mock_tfds):
    with pytest.raises(ValueError, match=r"batch_size <= the number of examples \(12"):
        kgan.data.load("fashion_mnist", batch_size=13)


def test_not_prepared_raises_dataset_not_found(tmp_path):
    with pytest.raises(kgan.data.DatasetNotFoundError) as error:
        kgan.data.load("mnist", data_dir=str(tmp_path))
    message = str(error.value)
    assert "'mnist'" in message and str(tmp_path) in message
    assert "download=True" in message and "--download" in message
    assert isinstance(error.value, FileNotFoundError)


def test_unknown_tfds_names():
    with pytest.raises(ValueError, match="Expected a TFDS dataset name"):
        kgan.data.load("tfds:no_such_dataset_kgan")
    with pytest.raises(ValueError, match="name after 'tfds:'"):
        kgan.data.load("tfds:")
