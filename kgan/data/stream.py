"""Training streams whose epoch order depends only on `(seed, epoch)`.

`Dataset.shuffle(reshuffle_each_iteration=True)` draws each epoch's order
from a counter that starts again at zero in a new process, so a resumed run
would see different batches than the uninterrupted one. Here epoch `e` is a
stateless permutation keyed by `(seed, e)`.

`epoch_keyed` gives one epoch per pass over the dataset (a new iterator per
epoch, as `fit` makes when it is given no `steps_per_epoch`). Each pass ends
after exactly `steps` batches, so `fit` with `steps_per_execution` runs a
shorter last call instead of reading into the next epoch: epochs stay exact
for any dataset size. Pass `k` is epoch `initial_epoch + k`; `EpochSync` pins
the epoch to the one `fit` is running, which makes the order exact even when
Keras takes an extra look at the data (it does under a distribution strategy).

`repeated` gives every epoch back to back in one endless stream, for code that
counts steps rather than epochs.
"""

import keras
import numpy as np
import tensorflow as tf

from kgan.data import indexed as indexed_lib
from kgan.data.order import epoch_order  # noqa: F401 (kgan.data.stream.epoch_order)
from kgan.data.order import order_of  # noqa: F401


def random_seed():
    """A fresh base seed for streams asked for no seed."""
    return int(np.random.SeedSequence().entropy % 2**62)


def steps_per_epoch(num_examples, batch_size):
    """Full batches per epoch; raises if there is not even one."""
    steps = num_examples // batch_size
    if steps == 0:
        raise ValueError(
            f"Expected `batch_size` <= the number of examples ({num_examples}). Received: batch_size={batch_size}"
        )
    return steps


def epoch_keyed(examples, batch_size, seed=None, initial_epoch=0, shuffle=True):
    """One epoch per pass: pass `k` is epoch `initial_epoch + k`, ordered by `(seed, epoch)`.

    Args:
        examples: a NumPy array, or a tuple or dict of arrays with the same
            first dimension (e.g. `(images, labels)`), held in memory; or a
            `kgan.data.indexed.Indexed` (e.g. image files read on demand) or
            `Records` (TFRecord shards).
        batch_size: examples per batch; the last partial batch is dropped, so
            shapes are static (XLA needs them).
        seed: integer seed of the orders, or None for a random one.
        initial_epoch: the epoch of the first pass (to resume a run).
        shuffle: False keeps the stored order in every epoch.

    Returns:
        `(dataset, epoch)`: the dataset, whose cardinality is the steps of one
        epoch, and the int64 `tf.Variable` holding the epoch of the current
        pass (see `EpochSync`).
    """
    source = indexed_lib.from_arrays(examples)
    num_examples = source.num_examples
    steps = steps_per_epoch(num_examples, batch_size)
    seed = random_seed() if seed is None else int(seed)
    epoch = tf.Variable(int(initial_epoch) - 1, dtype=tf.int64, trainable=False, name="stream_epoch")

    def one_pass(_):
        return source.epoch_batches(seed, epoch.assign_add(1), batch_size, shuffle)

    dataset = tf.data.Dataset.range(1).flat_map(one_pass)
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(steps))
    return dataset.prefetch(tf.data.AUTOTUNE), epoch


def repeated(examples, batch_size, seed=None, initial_epoch=0, epochs=None, shuffle=True):
    """Epochs `initial_epoch ..` (to `epochs`, or forever) back to back in one stream.

    Returns:
        `(dataset, steps_per_epoch)`.
    """
    source = indexed_lib.from_arrays(examples)
    num_examples = source.num_examples
    steps = steps_per_epoch(num_examples, batch_size)
    seed = random_seed() if seed is None else int(seed)

    def one_epoch(epoch):
        return source.epoch_batches(seed, epoch, batch_size, shuffle)

    stop = np.iinfo(np.int64).max if epochs is None else epochs
    dataset = tf.data.Dataset.range(initial_epoch, stop).flat_map(one_epoch)
    return dataset.prefetch(tf.data.AUTOTUNE), steps


class EpochSync(keras.callbacks.Callback):
    """Pins an `epoch_keyed` stream to the epoch `fit` runs.

    Sets the stream's epoch just before each epoch's pass starts, so an extra
    pass that Keras begins to inspect the data does not shift the orders.
    """

    def __init__(self, epoch_variable):
        super().__init__()
        self.epoch_variable = epoch_variable

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_variable.assign(epoch - 1)
