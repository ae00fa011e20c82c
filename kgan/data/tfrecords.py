"""Sharded TFRecord copies of a dataset, for fast repeated training from disk.

```
OUT/
  kgan_dataset.json     name, split, native shape, classes, example count, shards
  data-00000-of-00008.tfrecord ...
```

Each record holds one image as lossless PNG (`image`, 8-bit, in the source's
native size and channels) and, for a labelled dataset, its `label`.
`kgan.data.to_tfrecord(source, out)` (and `kgan data convert SRC OUT`)
writes them from any source kgan reads; a folder holding `kgan_dataset.json`
is then itself a source (`kgan.data.load(OUT)`, `kgan train --dataset OUT`).

Streaming order: TFRecords have no random access, so an epoch reads the
shards in an order keyed by `(seed, epoch)` and shuffles records through a
buffer seeded the same way: the same epoch is the same sequence in any
process, so a resumed run reads what the uninterrupted one read.
"""

import json
import os

import numpy as np
import tensorflow as tf

from kgan import atomic
from kgan.data.source import Source

INFO = "kgan_dataset.json"


def is_tfrecord_dir(path):
    return os.path.isdir(path) and os.path.isfile(os.path.join(path, INFO))


def write(source_data, out, shards=8):
    """Writes a `kgan.data.source.Source` (unpreprocessed) as `shards` TFRecord files in `out`.

    Returns:
        The info dict written to `out/kgan_dataset.json`.
    """
    if os.path.exists(os.path.join(out, INFO)):
        raise FileExistsError(f"Expected a new output folder. Received: {out!r}, which already holds {INFO}")
    os.makedirs(out, exist_ok=True)
    labelled = source_data.num_classes is not None
    names = [f"data-{i:05d}-of-{shards:05d}.tfrecord" for i in range(shards)]
    writers = [tf.io.TFRecordWriter(os.path.join(out, name + ".tmp")) for name in names]
    count = 0
    for element in source_data.dataset.as_numpy_iterator():
        image, label = element if labelled else (element, None)
        writers[count % shards].write(_serialize(image, label))
        count += 1
    for writer, name in zip(writers, names):
        writer.close()
        os.replace(os.path.join(out, name + ".tmp"), os.path.join(out, name))
    info = {
        "name": source_data.name,
        "split": source_data.split,
        "native_shape": list(source_data.native_shape),
        "num_examples": count,
        "num_classes": source_data.num_classes,
        "class_names": None if source_data.class_names is None else list(source_data.class_names),
        "shards": names,
    }
    atomic.write_json(os.path.join(out, INFO), info)
    return info


def read(directory, split="train"):
    """Reads a folder written by `write` as a `Source` (streamed shard by shard)."""
    with open(os.path.join(directory, INFO)) as f:
        info = json.load(f)
    if split not in ("train", "all", info["split"]):
        raise ValueError(
            f"Expected split 'train' or 'all' (or {info['split']!r}) for the TFRecord copy in {directory}, "
            f"which holds one split. Received: split={split!r}"
        )
    paths = [os.path.join(directory, name) for name in info["shards"]]
    missing = [p for p in paths if not os.path.isfile(p)]
    if missing:
        raise FileNotFoundError(f"Expected every shard named in {INFO}. Received: {missing[0]!r} is missing")
    channels = info["native_shape"][2]
    labelled = info["num_classes"] is not None

    def parse(record):
        features = {"image": tf.io.FixedLenFeature([], tf.string)}
        if labelled:
            features["label"] = tf.io.FixedLenFeature([], tf.int64)
        parsed = tf.io.parse_single_example(record, features)
        image = tf.io.decode_png(parsed["image"], channels=channels)
        image = tf.cast(image, tf.float32) / 127.5 - 1.0
        return (image, tf.cast(parsed["label"], tf.int32)) if labelled else image

    dataset = tf.data.TFRecordDataset(paths).map(parse, num_parallel_calls=tf.data.AUTOTUNE)
    return Source(
        name=info["name"],
        split=split,
        dataset=dataset,
        num_examples=info["num_examples"],
        native_shape=tuple(info["native_shape"]),
        num_classes=info["num_classes"],
        class_names=None if info["class_names"] is None else tuple(info["class_names"]),
        record_files=(tuple(paths), parse),
    )


def epoch(paths, parse, seed, epoch_index, buffer_size=10_000):
    """One epoch of records: shards in an order keyed by `(seed, epoch)`, then shuffled in blocks.

    Each block of `buffer_size` serialized records is permuted by a stateless key of
    `(seed, epoch, block)`. `Dataset.shuffle` is not used: it cannot take a seed that is a
    tensor once a global seed of 0 is set (`keras.utils.set_random_seed(0)` makes
    `random_seed.get_seed` compare the tensor with 0 in Python).
    """
    key = tf.stack([tf.cast(seed, tf.int64), tf.cast(epoch_index, tf.int64)])
    order = tf.argsort(tf.random.stateless_uniform([len(paths)], seed=key))
    files = tf.gather(tf.constant(list(paths)), order)

    def permuted(block_index, block):
        block_key = key + tf.stack([tf.constant(1, tf.int64), block_index + 1])
        shuffled = tf.gather(block, tf.argsort(tf.random.stateless_uniform(tf.shape(block), seed=block_key)))
        return tf.data.Dataset.from_tensor_slices(shuffled)

    records = tf.data.TFRecordDataset(files).batch(buffer_size).enumerate().flat_map(permuted)
    return records.map(parse, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)


def _serialize(image, label):
    pixels = np.clip(np.rint((image + 1.0) * 127.5), 0, 255).astype("uint8")
    png = tf.io.encode_png(pixels).numpy()
    feature = {"image": tf.train.Feature(bytes_list=tf.train.BytesList(value=[png]))}
    if label is not None:
        feature["label"] = tf.train.Feature(int64_list=tf.train.Int64List(value=[int(label)]))
    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()
