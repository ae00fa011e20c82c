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


def epoch_order(num_examples, seed, epoch):
    """The order of epoch `epoch`: a permutation of `range(num_examples)` keyed by `(seed, epoch)`."""
    key = tf.stack([tf.cast(seed, tf.int64), tf.cast(epoch, tf.int64)])
    return tf.argsort(tf.random.stateless_uniform([num_examples], seed=key))


def epoch_keyed(examples, batch_size, seed=None, initial_epoch=0, shuffle=True):
    """One epoch per pass: pass `k` is epoch `initial_epoch + k`, ordered by `(seed, epoch)`.

    Args:
        examples: a NumPy array, or a tuple or dict of arrays with the same
            first dimension (e.g. `(images, labels)`), held in memory.
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
    tensors, num_examples = _as_tensors(examples)
    steps = steps_per_epoch(num_examples, batch_size)
    seed = random_seed() if seed is None else int(seed)
    epoch = tf.Variable(int(initial_epoch) - 1, dtype=tf.int64, trainable=False, name="stream_epoch")

    def one_pass(_):
        current = epoch.assign_add(1)
        order = epoch_order(num_examples, seed, current) if shuffle else tf.range(num_examples)
        return _batches(tensors, order, batch_size)

    dataset = tf.data.Dataset.range(1).flat_map(one_pass)
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(steps))
    return dataset.prefetch(tf.data.AUTOTUNE), epoch


def repeated(examples, batch_size, seed=None, initial_epoch=0, epochs=None, shuffle=True):
    """Epochs `initial_epoch ..` (to `epochs`, or forever) back to back in one stream.

    Returns:
        `(dataset, steps_per_epoch)`.
    """
    tensors, num_examples = _as_tensors(examples)
    steps = steps_per_epoch(num_examples, batch_size)
    seed = random_seed() if seed is None else int(seed)

    def one_epoch(epoch):
        order = epoch_order(num_examples, seed, epoch) if shuffle else tf.range(num_examples)
        return _batches(tensors, order, batch_size)

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


def _batches(tensors, order, batch_size):
    indices = tf.data.Dataset.from_tensor_slices(order).batch(batch_size, drop_remainder=True)
    return indices.map(lambda idx: tf.nest.map_structure(lambda t: tf.gather(t, idx), tensors))


def _as_tensors(examples):
    arrays = examples if isinstance(examples, (tuple, dict)) else (examples,)
    flat = tf.nest.flatten(arrays)
    sizes = {len(a) for a in flat}
    if len(sizes) != 1:
        raise ValueError(f"Expected arrays with the same number of examples. Received: sizes {sorted(sizes)}")
    tensors = tf.nest.map_structure(tf.constant, arrays)
    if not isinstance(examples, (tuple, dict)):
        tensors = tensors[0]
    return tensors, sizes.pop()
