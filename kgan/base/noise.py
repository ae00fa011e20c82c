"""Seeded noise inside a compiled step, different on every replica.

A `keras.random.SeedGenerator` attached to the model advances its state at
every draw, so each step gets new noise and a checkpoint of the state resumes
the same stream. Under `tf.distribute` every replica would draw the same
numbers from it, so the replica id is folded into the seed.
"""

import tensorflow as tf


def replica_seed(seed_generator):
    """The next stateless seed of `seed_generator`, folded with the replica id."""
    seed = tf.cast(seed_generator.next(), tf.int64)
    context = tf.distribute.get_replica_context()
    if context is not None and context.num_replicas_in_sync > 1:
        seed = tf.random.experimental.stateless_fold_in(seed, context.replica_id_in_sync_group)
    return seed


def normal(seed_generator, shape, dtype=tf.float32):
    """Standard normal noise of `shape`."""
    return tf.random.stateless_normal(shape, seed=replica_seed(seed_generator), dtype=dtype)


def uniform(seed_generator, shape, minval=0.0, maxval=1.0, dtype=tf.float32):
    """Uniform noise in `[minval, maxval)` of `shape`."""
    return tf.random.stateless_uniform(shape, seed=replica_seed(seed_generator), minval=minval, maxval=maxval, dtype=dtype)


def num_replicas():
    """Replicas the current step runs on (1 outside `tf.distribute`)."""
    context = tf.distribute.get_replica_context()
    return 1 if context is None else context.num_replicas_in_sync
