"""Examples reachable by index, held in memory or read from files on demand.

The epoch-keyed streams (`kgan.data.stream`, and the multi-worker batches of
`kgan.training.distributed`) order an epoch as a permutation of example
indices and then fetch those examples. Arrays in memory are gathered a batch
at a time; image files are read and decoded one by one, in parallel, so a
dataset much larger than memory streams from disk in the same exact order.
"""

import dataclasses
from collections.abc import Callable

import tensorflow as tf

from kgan.data import order


@dataclasses.dataclass(frozen=True)
class Indexed:
    """`num_examples` examples and the function that fetches them by index.

    Attributes:
        num_examples: how many examples there are.
        fetch: a TensorFlow function: a vector of int indices -> a batch
            (when `batched`), or one int index -> one example.
        batched: whether `fetch` takes a vector of indices.
    """

    num_examples: int
    fetch: Callable
    batched: bool = True

    def batches(self, order, batch_size):
        """The examples of `order` (int64 indices) in batches of `batch_size` (the remainder dropped)."""
        indices = tf.data.Dataset.from_tensor_slices(order)
        if self.batched:
            return indices.batch(batch_size, drop_remainder=True).map(self.fetch)
        examples = indices.map(self.fetch, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
        return examples.batch(batch_size, drop_remainder=True)

    def epoch_batches(self, seed, epoch, batch_size, shuffle=True):
        """Epoch `epoch`: the permutation keyed by `(seed, epoch)` (or the stored order), in batches."""
        return self.batches(order.order_of(self.num_examples, seed, epoch, shuffle), batch_size)

    def fetch_batch(self, indices):
        """One batch for a vector of indices (inside tf.data)."""
        if self.batched:
            return self.fetch(indices)
        return tf.map_fn(self.fetch, indices, fn_output_signature=_signature(self))


@dataclasses.dataclass(frozen=True)
class Records:
    """Examples in TFRecord shards, read in sequence (no random access).

    Epoch `e` reads the shards in an order keyed by `(seed, e)` through a
    shuffle buffer seeded the same way (`kgan.data.tfrecords.epoch`).

    Attributes:
        num_examples: how many records there are.
        paths: the shard files.
        parse: a TensorFlow function: a serialized record -> one example.
    """

    num_examples: int
    paths: tuple
    parse: Callable

    def epoch_batches(self, seed, epoch, batch_size, shuffle=True):
        from kgan.data import tfrecords

        if shuffle:
            examples = tfrecords.epoch(self.paths, self.parse, seed, epoch)
        else:
            examples = tf.data.TFRecordDataset(list(self.paths)).map(self.parse, num_parallel_calls=tf.data.AUTOTUNE)
        return examples.batch(batch_size, drop_remainder=True)


def from_arrays(examples):
    """Arrays in memory (an array, or a tuple or dict of arrays): gathered a batch at a time.

    An `Indexed` or `Records` passes through.
    """
    if isinstance(examples, (Indexed, Records)):
        return examples
    arrays = examples if isinstance(examples, (tuple, dict)) else (examples,)
    flat = tf.nest.flatten(arrays)
    sizes = {len(a) for a in flat}
    if len(sizes) != 1:
        raise ValueError(f"Expected arrays with the same number of examples. Received: sizes {sorted(sizes)}")
    tensors = tf.nest.map_structure(tf.constant, arrays)
    if not isinstance(examples, (tuple, dict)):
        tensors = tensors[0]

    def gather(indices):
        return tf.nest.map_structure(lambda t: tf.gather(t, indices), tensors)

    return Indexed(sizes.pop(), gather, batched=True)


def from_files(paths, decode, labels=None):
    """Files read and decoded when their example is fetched.

    Args:
        paths: the file paths, in index order.
        decode: a TensorFlow function: a path (string scalar) -> one example.
        labels: int labels per file, or None.
    """
    paths = tf.constant(list(paths))
    label_tensor = None if labels is None else tf.constant(list(labels), tf.int32)

    def fetch(index):
        example = decode(tf.gather(paths, index))
        return example if label_tensor is None else (example, tf.gather(label_tensor, index))

    return Indexed(int(paths.shape[0]), fetch, batched=False)


def _signature(indexed):
    spec = tf.data.Dataset.from_tensors(tf.constant(0, tf.int64)).map(indexed.fetch).element_spec
    return spec
