"""kgan.data.stream: a per-(seed, epoch) permutation, so a resumed run sees the same batches."""

import numpy as np
import pytest

from kgan.data import stream

N = 10
BATCH = 3  # 3 batches per epoch; 1 example dropped


def arrays(n=N):
    # Image i holds the value i everywhere, so batches can be traced back.
    x = np.broadcast_to(np.arange(n, dtype="float32")[:, None, None, None], (n, 2, 2, 1)).copy()
    y = np.arange(n, dtype="int32") + 100
    return x, y


def batches(x, y, seed, initial_epoch, epochs, batch_size=BATCH):
    examples = x if y is None else (x, y)
    ds, steps = stream.repeated(examples, batch_size, seed, initial_epoch, epochs)
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
    ds, steps = stream.repeated(x, BATCH, 0, 0, 1)
    out = list(ds.as_numpy_iterator())
    assert len(out) == steps and all(isinstance(b, np.ndarray) and b.shape == (BATCH, 2, 2, 1) for b in out)


def test_batch_larger_than_data_is_an_error():
    x, y = arrays()
    with pytest.raises(ValueError, match=r"Expected `batch_size` <= the number of examples \(10\).*batch_size=11"):
        stream.repeated((x, y), 11, 0, 0, 1)


# One epoch per pass -------------------------------------------------------------


def first_images(dataset):
    return np.concatenate([images[:, 0, 0, 0] for images, _ in dataset.as_numpy_iterator()]).astype(int)


def test_each_pass_is_the_next_epoch_with_the_order_of_the_repeated_stream():
    x, y = arrays()
    dataset, epoch = stream.epoch_keyed((x, y), BATCH, seed=7, initial_epoch=2)
    assert int(dataset.cardinality()) == 3
    passes = [first_images(dataset) for _ in range(3)]
    assert int(epoch.numpy()) == 4
    expected = index_batches_from_repeated(x, y, 7, 2, 5)
    for got, want in zip(passes, expected):
        np.testing.assert_array_equal(got, want)


def index_batches_from_repeated(x, y, seed, initial_epoch, epochs):
    out, steps = batches(x, y, seed, initial_epoch, epochs)
    idx = [images[:, 0, 0, 0].astype(int) for images, _ in out]
    return [np.concatenate(idx[e * steps : (e + 1) * steps]) for e in range(epochs - initial_epoch)]


def test_epoch_sync_pins_the_epoch_a_pass_reads():
    x, y = arrays()
    dataset, epoch = stream.epoch_keyed((x, y), BATCH, seed=7)
    first_images(dataset)  # an extra pass, as Keras takes under a distribution strategy
    sync = stream.EpochSync(epoch)
    sync.on_epoch_begin(0)
    np.testing.assert_array_equal(first_images(dataset), index_batches_from_repeated(x, y, 7, 0, 1)[0])


def test_unshuffled_passes_keep_the_stored_order():
    x, _ = arrays()
    dataset, _ = stream.epoch_keyed(x, BATCH, shuffle=False)
    out = np.concatenate([b[:, 0, 0, 0] for b in dataset.as_numpy_iterator()])
    np.testing.assert_array_equal(out, np.arange(9))


@pytest.mark.parametrize("num_examples,batch,per_call", [(66, 3, 8), (15, 3, 3), (12, 3, 8)])
def test_fit_with_steps_per_execution_keeps_epochs_exact(num_examples, batch, per_call):
    # kgan 0.1 ran whole calls: 22 steps per epoch at 8 per call became 24.
    import keras

    from tiny_models import gan

    x = np.random.default_rng(0).uniform(-1, 1, (num_examples, 16, 16, 1)).astype("float32")
    dataset, epoch = stream.epoch_keyed(x, batch, seed=0)
    model = gan(compile=False)
    model.compile(steps_per_execution=per_call)
    seen = []
    record = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(int(model.g_optimizer.iterations)))
    model.fit(dataset, epochs=3, verbose=0, callbacks=[stream.EpochSync(epoch), record])
    steps = num_examples // batch
    assert seen == [steps, 2 * steps, 3 * steps]
    assert int(model.d_optimizer.iterations) == 3 * steps
