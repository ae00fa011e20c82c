"""A training stream whose epoch order depends only on (seed, epoch).

`Dataset.shuffle(reshuffle_each_iteration=True)` draws each epoch's order
from a counter that starts again at zero in a new process, so a resumed
run would see different batches than the uninterrupted one. Here epoch `e`
is a stateless permutation keyed by `(seed, e)`, and the stream starts at the resumed
epoch, so both runs see the same batches in the same order.
"""

import tensorflow as tf


def epoch_stream(x, y, batch_size, seed, initial_epoch, epochs):
    """Returns batches for epochs `initial_epoch .. epochs-1` back to back.

    Args:
        x: images, float32 `(n, H, W, C)` in [-1, 1].
        y: int32 labels `(n,)`, or None for images only.
        batch_size: examples per batch (the last partial batch is dropped,
            so shapes are static for XLA).
        seed: integer seed of the shuffles.
        initial_epoch: first epoch of the stream.
        epochs: one past the last epoch.

    Returns:
        `(dataset, steps_per_epoch)`, for `fit(dataset,
        steps_per_epoch=steps_per_epoch, epochs=epochs, initial_epoch=...)`.
    """
    n = len(x)
    steps = n // batch_size
    if steps == 0:
        raise ValueError(
            f"Expected `batch_size` <= the number of examples ({n}). Received: batch_size={batch_size}"
        )
    images = tf.constant(x)
    labels = None if y is None else tf.constant(y)

    def gather(indices):
        batch = tf.gather(images, indices)
        return batch if labels is None else (batch, tf.gather(labels, indices))

    def one_epoch(epoch):
        # A stateless permutation keyed by (seed, epoch).
        key = tf.stack([tf.constant(seed, tf.int64), epoch])
        order = tf.argsort(tf.random.stateless_uniform([n], seed=key))
        return tf.data.Dataset.from_tensor_slices(order).batch(batch_size, drop_remainder=True)

    epochs_ds = tf.data.Dataset.range(initial_epoch, epochs)
    batches = epochs_ds.flat_map(one_epoch).map(gather, num_parallel_calls=tf.data.AUTOTUNE)
    return batches.prefetch(tf.data.AUTOTUNE), steps
