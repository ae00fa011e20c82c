import pathlib

import numpy as np
import pytest

import kgan


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(image_size=0), r"`image_size` to be None or an integer >= 1. Received: image_size=0"),
        (dict(image_size=2.5), r"Received: image_size=2.5"),
        (dict(image_size=True), r"Received: image_size=True"),
        (dict(channels=2), r"`channels` to be None, 1 or 3. Received: channels=2"),
        (dict(channels=True), r"Received: channels=True"),
        (
            dict(on_error="ignore"),
            r"on_error to be one of \('skip', 'raise'\). Received: on_error='ignore'",
        ),
        (dict(labels="yes"), r"labels to be None, True or False. Received: labels='yes'"),
        (dict(batch_size=0), r"`batch_size` to be an integer >= 1. Received: batch_size=0"),
        (dict(initial_epoch=-1), r"`initial_epoch` to be an integer >= 0. Received: initial_epoch=-1"),
        (dict(batch_size=2000), r"batch_size <= the number of examples \(1438.*batch_size=2000"),
        (dict(split=3), r"split to be a non-empty string. Received: split=3"),
        (dict(seed=-1), r"Received: seed=-1"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        kgan.data.load("digits", **kwargs)


def test_unknown_source_lists_what_is_accepted():
    with pytest.raises(ValueError) as error:
        kgan.data.load("imagenet_please")
    message = str(error.value)
    for accepted in ("'digits'", "'mnist'", "'tfds:NAME'", ".npz", "directory"):
        assert accepted in message
    assert "source='imagenet_please'" in message
    with pytest.raises(ValueError, match="type int"):
        kgan.data.load(123)


def test_missing_and_wrong_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        kgan.data.load(str(tmp_path / "missing.npz"))
    text = tmp_path / "data.csv"
    text.write_text("1,2,3")
    with pytest.raises(ValueError, match="a file that is not .npz"):
        kgan.data.load(text)


def test_pathlike_source_and_labels_false(write_npz):
    path = pathlib.Path(write_npz(x=np.zeros((4, 2, 2), np.uint8), y=[0, 1, 0, 1]))
    ds, info = kgan.data.load(path, batch_size=2, labels=False, with_info=True)
    assert ds.element_spec.shape == (2, 2, 2, 1)
    assert info.name == str(path) and info.num_classes == 2
    x, y, _ = kgan.data.load_arrays(path, labels=False)
    assert y is None and x.shape == (4, 2, 2, 1)


def test_load_arrays_max_examples_and_shuffle():
    x, y, info = kgan.data.load_arrays("digits", max_examples=10)
    assert x.shape == (10, 8, 8, 1) and y.shape == (10,) and info.num_examples == 1438
    _, shuffled, _ = kgan.data.load_arrays("digits", max_examples=50, shuffle=True, seed=0)
    _, again, _ = kgan.data.load_arrays("digits", max_examples=50, shuffle=True, seed=0)
    _, ordered, _ = kgan.data.load_arrays("digits", max_examples=50)
    np.testing.assert_array_equal(shuffled, again)
    assert not np.array_equal(shuffled, ordered)
    with pytest.raises(ValueError, match="max_examples=0"):
        kgan.data.load_arrays("digits", max_examples=0)


def test_info_is_frozen():
    info = kgan.data.info()
    with pytest.raises(AttributeError):
        info.num_examples = 3
