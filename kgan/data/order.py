"""The order of an epoch: a permutation keyed by `(seed, epoch)` only.

Every data path (arrays in memory, image files, TFRecords, several workers)
takes its epoch order from here, so a resumed or distributed run sees the
batches of the uninterrupted single-process run.
"""

import tensorflow as tf


def epoch_order(num_examples, seed, epoch):
    """The order of epoch `epoch`: a permutation of `range(num_examples)` keyed by `(seed, epoch)`."""
    key = tf.stack([tf.cast(seed, tf.int64), tf.cast(epoch, tf.int64)])
    return tf.argsort(tf.random.stateless_uniform([num_examples], seed=key))


def order_of(num_examples, seed, epoch, shuffle=True):
    """The int64 order of epoch `epoch`: keyed by `(seed, epoch)`, or the stored order."""
    if not shuffle:
        return tf.range(num_examples, dtype=tf.int64)
    return tf.cast(epoch_order(num_examples, seed, epoch), tf.int64)
