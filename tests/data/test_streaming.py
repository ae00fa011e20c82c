"""Datasets larger than memory: image folders and TFRecord copies streamed in the epoch-keyed order."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import kgan
from kgan.data import indexed
from kgan.data import stream


@pytest.fixture
def folder(tmp_path):
    """24 labelled 8x8 RGB images in two class folders (pixel value = index, so order is traceable)."""
    root = tmp_path / "images"
    for i in range(24):
        (root / f"class{i % 2}").mkdir(parents=True, exist_ok=True)
        pixels = np.full((8, 8, 3), 10 * i, "uint8")
        pixels[0, 0] = [i, 255 - i, 7]
        Image.fromarray(pixels).save(root / f"class{i % 2}" / f"{i:03d}.png")
    return root


def batches(dataset):
    return [tf.nest.map_structure(np.asarray, b) for b in dataset.as_numpy_iterator()]


def test_a_streamed_folder_gives_the_in_memory_batches_epoch_by_epoch(folder):
    streamed, info = kgan.data.training_examples(folder, image_size=8, stream="on")
    held, _ = kgan.data.training_examples(folder, image_size=8, stream="off")
    assert isinstance(streamed, indexed.Indexed) and not streamed.batched and info.num_classes == 2
    assert isinstance(held, tuple) and held[0].shape == (24, 8, 8, 3)
    a, _ = stream.epoch_keyed(streamed, 5, seed=3, initial_epoch=1)
    b, _ = stream.epoch_keyed(held, 5, seed=3, initial_epoch=1)
    for _ in range(2):  # two epochs: same images, same labels, same order
        for (xa, ya), (xb, yb) in zip(batches(a), batches(b), strict=True):
            np.testing.assert_allclose(xa, xb, atol=1e-6)
            np.testing.assert_array_equal(ya, yb)


def test_auto_streams_folders_and_holds_arrays(folder, digits_npz):
    assert isinstance(kgan.data.training_examples(folder, stream="auto")[0], indexed.Indexed)
    assert isinstance(kgan.data.training_examples(digits_npz, stream="auto")[0], tuple)
    with pytest.raises(ValueError, match="Expected an image folder or a TFRecord copy .* for stream='on'"):
        kgan.data.training_examples(digits_npz, stream="on")


def test_load_without_cache_streams_in_the_keyed_order(folder):
    cached = kgan.data.load(folder, batch_size=6, seed=1)
    streamed = kgan.data.load(folder, batch_size=6, seed=1, cache=False)
    for (xa, ya), (xb, yb) in zip(batches(cached), batches(streamed), strict=True):
        np.testing.assert_allclose(xa, xb, atol=1e-6)
        np.testing.assert_array_equal(ya, yb)


def test_tfrecord_copy_round_trip_and_keyed_epochs(tmp_path, digits_npz):
    out = tmp_path / "records"
    info = kgan.data.to_tfrecord(digits_npz, out, shards=3)
    assert info["num_examples"] == 128 and len(info["shards"]) == 3 and info["num_classes"] == 10
    x, y, _ = kgan.data.load_arrays(digits_npz)
    x2, y2, info2 = kgan.data.load_arrays(out)
    assert info2.num_examples == 128 and x2.shape == x.shape
    # Written round-robin over the shards, read shard by shard: the same examples, another order.
    key = lambda images, labels: sorted(zip(labels.tolist(), np.round(images.reshape(len(images), -1), 4).tolist()))  # noqa: E731
    assert key(x, y) == key(x2, y2)
    records, _ = kgan.data.training_examples(out)
    assert isinstance(records, indexed.Records)
    keras.utils.set_random_seed(0)  # a global seed of 0 once broke seeding by a tensor
    dataset, _ = stream.epoch_keyed(records, 16, seed=5)
    first, second = batches(dataset), batches(dataset)
    assert len(first) == 8 and not np.array_equal(first[0][1], second[0][1])  # epochs differ
    again, _ = stream.epoch_keyed(records, 16, seed=5)
    np.testing.assert_array_equal(batches(again)[0][0], first[0][0])  # an epoch is the same in any process
    seen = np.concatenate([labels for _, labels in first])
    np.testing.assert_array_equal(np.bincount(seen, minlength=10), np.bincount(y, minlength=10))
    with pytest.raises(FileExistsError, match="Expected a new output folder"):
        kgan.data.to_tfrecord(digits_npz, out)


def test_kgan_data_convert(run_cli, tmp_path, digits_npz):
    result = run_cli("data", "convert", digits_npz, str(tmp_path / "out"), "--shards", "2")
    assert result[0] == 0, result
    assert "wrote 128 examples in 2 shards" in result[1]
    assert run_cli("data", "convert", str(tmp_path / "missing.npz"), str(tmp_path / "o2"))[0] == 2


def test_multi_worker_slices_fetch_streamed_examples(folder):
    from kgan.training import distributed

    streamed, _ = kgan.data.training_examples(folder, image_size=8, stream="on")
    strategy = tf.distribute.get_strategy()
    got = [tf.nest.map_structure(np.asarray, b) for b in distributed.global_batches(streamed, 6, 3, 2, strategy)]
    expected = batches(stream.repeated(streamed, 6, 3, initial_epoch=2, epochs=3)[0])
    for (xa, ya), (xb, yb) in zip(got, expected, strict=True):
        np.testing.assert_allclose(xa, xb, atol=1e-6)
        np.testing.assert_array_equal(ya, yb)


@pytest.fixture
def run_cli(capsys):
    from kgan import cli

    def run(*argv):
        code = cli.main(list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run
