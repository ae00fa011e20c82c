"""epoch_stream: a per-(seed, epoch) permutation, so a resumed run sees the same batches."""

import numpy as np
import pytest

from kgan.training.stream import epoch_stream

N = 10
BATCH = 3  # 3 batches per epoch; 1 example dropped


def arrays(n=N):
    # Image i holds the value i everywhere, so batches can be traced back.
    x = np.broadcast_to(np.arange(n, dtype="float32")[:, None, None, None], (n, 2, 2, 1)).copy()
    y = np.arange(n, dtype="int32") + 100
    return x, y


def batches(x, y, seed, initial_epoch, epochs, batch_size=BATCH):
    ds, steps = epoch_stream(x, y, batch_size, seed, initial_epoch, epochs)
    out = list(ds.as_numpy_iterator())
    assert len(out) == steps * (epochs - initial_epoch)
    return out, steps


def index_batches(x, y, seed, initial_epoch, epochs):
    out, steps = batches(x, y, seed, initial_epoch, epochs)
    idx = [images[:, 0, 0, 0].astype(int) for images, _ in out]
    return [np.concatenate(idx[e * steps : (e + 1) * steps]) for e in range(epochs - initial_epoch)]


def test_each_epoch_is_a_permutation_dropping_the_remainder():
    x, y = arrays()
    out, steps = batches(x, y, seed=0, initial_epoch=0, epochs=3)
    assert steps == N // BATCH == 3
    for images, labels in out:
        assert images.shape == (BATCH, 2, 2, 1) and labels.shape == (BATCH,)
    epochs = index_batches(x, y, 0, 0, 3)
    for order in epochs:
        assert len(order) == 9 and len(set(order)) == 9  # 9 distinct of the 10 examples
        assert set(order) <= set(range(N))
    # Epochs are shuffled differently.
    assert len({tuple(order) for order in epochs}) == 3


def test_without_remainder_every_example_appears_once_per_epoch():
    x, y = arrays(12)
    for order in index_batches(x, y, seed=5, initial_epoch=0, epochs=2):
        assert sorted(order) == list(range(12))


def test_stream_started_later_yields_the_same_batches():
    x, y = arrays()
    full, steps = batches(x, y, seed=7, initial_epoch=0, epochs=4)
    resumed, _ = batches(x, y, seed=7, initial_epoch=2, epochs=4)
    assert len(resumed) == 2 * steps
    for (xa, ya), (xb, yb) in zip(full[2 * steps :], resumed):
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)


def test_same_seed_repeats_and_different_seeds_differ():
    x, y = arrays()
    a = index_batches(x, y, seed=1, initial_epoch=0, epochs=2)
    b = index_batches(x, y, seed=1, initial_epoch=0, epochs=2)
    c = index_batches(x, y, seed=2, initial_epoch=0, epochs=2)
    for ea, eb in zip(a, b):
        np.testing.assert_array_equal(ea, eb)
    assert any(not np.array_equal(ea, ec) for ea, ec in zip(a, c))


def test_labels_stay_paired_with_images():
    x, y = arrays()
    out, _ = batches(x, y, seed=3, initial_epoch=0, epochs=2)
    for images, labels in out:
        np.testing.assert_array_equal(labels, images[:, 0, 0, 0].astype("int32") + 100)


def test_images_only_stream():
    x, _ = arrays()
    ds, steps = epoch_stream(x, None, BATCH, 0, 0, 1)
    out = list(ds.as_numpy_iterator())
    assert len(out) == steps and all(isinstance(b, np.ndarray) and b.shape == (BATCH, 2, 2, 1) for b in out)


def test_batch_larger_than_data_is_an_error():
    x, y = arrays()
    with pytest.raises(ValueError, match=r"Expected `batch_size` <= the number of examples \(10\).*batch_size=11"):
        epoch_stream(x, y, 11, 0, 0, 1)
