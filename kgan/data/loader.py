"""`load`, `load_arrays` and `info`: the public entry points of `kgan.data`."""

import os

import numpy as np
import tensorflow as tf

from kgan import checks
from kgan.data import digits
from kgan.data import folder
from kgan.data import indexed
from kgan.data import npz
from kgan.data import pipeline
from kgan.data import stream
from kgan.data import tfds_source
from kgan.data import tfrecords
from kgan.data.dataset_info import DatasetInfo

ON_ERROR = ("skip", "raise")
ACCEPTED_SOURCES = (
    "'digits' (the embedded default), a TFDS name ('mnist', 'fashion_mnist', "
    "'cifar10' or 'tfds:NAME'), the path of an .npz file, or a directory of "
    "PNG/JPEG images"
)


def load(
    source="digits",
    *,
    split="train",
    image_size=None,
    channels=None,
    batch_size=64,
    labels=None,
    shuffle=True,
    seed=None,
    cache=True,
    repeat=False,
    on_error="skip",
    data_dir=None,
    download=False,
    with_info=False,
    shuffle_buffer=10_000,
    initial_epoch=0,
):
    """Loads images as a batched `tf.data.Dataset` ready for `GAN.fit`.

    Images come out as float32 in [-1, 1] (the range of a tanh generator),
    shaped `(batch_size, H, W, C)` with a static batch dimension
    (`drop_remainder=True`). The pipeline is: read the source -> convert
    channels -> centre-crop to a square and resize (if `image_size`) ->
    hold in memory (if `cache`) -> shuffle -> batch -> repeat (if `repeat`)
    -> prefetch.

    The dataset is the epoch-keyed stream that `kgan train` uses
    (`kgan.data.stream`): each pass over it is one epoch, ordered by a
    permutation keyed by `(seed, epoch)`, so with a `seed` a run resumed at
    `initial_epoch` sees the batches the uninterrupted run saw, and `fit`
    with `steps_per_execution` keeps epochs exact. With `cache` (the default)
    the preprocessed examples are held in memory; without it, image folders
    and TFRecord copies stream from disk in the same keyed order, and other
    sources stream through a shuffle buffer reshuffled at every pass
    (reproducible within a process with a `seed`, not across a resume).

    Sources:

    - `"digits"` (default): scikit-learn's bundled 1797 8x8 handwritten
      digits, 10 classes; works offline. Splits `"train"` (80%, stratified,
      fixed), `"test"` (20%) and `"all"`.
    - A path to an `.npz` file with keys `x` / `y` (or `x_train` / `y_train`)
      and optionally `x_test` / `y_test`; see `kgan.data.npz`.
    - A directory of PNG / JPEG images, with class subfolders as labels or
      flat (unlabelled); see `kgan.data.folder`.
    - A TFDS name: `"mnist"`, `"fashion_mnist"`, `"cifar10"` or
      `"tfds:NAME"`; needs `tensorflow-datasets` and data prepared in
      `data_dir` (or `download=True`).

    Names win over paths: use `"./mnist"` for a local folder named `mnist`.

    Args:
        source: What to load; see above.
        split: Which split, e.g. `"train"`, `"test"` or `"all"`.
        image_size: Side of the square output images, or `None` to keep the
            stored size (required when a folder's images differ in size).
        channels: 1 or 3 to convert gray <-> RGB, or `None` to keep.
        batch_size: Examples per batch; at most the number of examples.
        labels: `True` yields `(images, labels)` with int32 labels of shape
            `(batch_size,)` (error on an unlabelled source); `False` yields
            `images` only; `None` yields labels when the source has them.
        shuffle: Whether to shuffle (reshuffled every epoch).
        seed: Shuffle seed for a reproducible order, or `None`.
        cache: Whether to cache the decoded, resized examples in memory.
        repeat: Whether to repeat the dataset forever.
        on_error: For image folders: `"skip"` skips corrupt files with a
            warning listing their paths, `"raise"` raises on the first.
        data_dir: TFDS data directory (TFDS sources only).
        download: Whether TFDS may download missing data.
        with_info: Whether to also return a `DatasetInfo`.
        shuffle_buffer: Maximum shuffle buffer size without `cache`.
        initial_epoch: The epoch of the first pass (with `cache`), to resume.

    Returns:
        The `tf.data.Dataset`, or `(dataset, info)` if `with_info=True`.

    Example:

    >>> ds = kgan.data.load("digits", image_size=32, batch_size=64, seed=0)
    >>> ds.element_spec[0].shape
    TensorShape([64, 32, 32, 1])
    """
    _check_options(image_size, channels, labels, on_error, split, seed)
    checks.positive_int("batch_size", batch_size)
    checks.positive_int("shuffle_buffer", shuffle_buffer)
    checks.integer("initial_epoch", initial_epoch, minimum=0)
    source_data = open_source(
        source, split=split, on_error=on_error, data_dir=data_dir, download=download
    )
    num_examples = source_data.num_examples
    if num_examples is not None and batch_size > num_examples:
        raise ValueError(
            f"Expected batch_size <= the number of examples ({num_examples} in "
            f"split {split!r} of {source_data.name}); batches drop the remainder, "
            f"so a larger batch gives an empty dataset. Received: batch_size={batch_size}"
        )
    dataset = _preprocessed(source_data, image_size, channels, labels)
    if not cache and (source_data.files is not None or source_data.record_files is not None):
        # Streamed from disk, in the same epoch-keyed order.
        examples, _ = training_examples(source, split=split, image_size=image_size, channels=channels,
                                        labels=labels, stream="on", on_error=on_error)
        stream_fn = stream.repeated if repeat else stream.epoch_keyed
        dataset = stream_fn(examples, batch_size, seed, initial_epoch, shuffle=shuffle)[0]
    elif cache:
        examples = _materialize(dataset, pipeline.output_shape(source_data.native_shape, image_size, channels))
        if repeat:
            dataset, _ = stream.repeated(examples, batch_size, seed, initial_epoch, shuffle=shuffle)
        else:
            dataset, _ = stream.epoch_keyed(examples, batch_size, seed, initial_epoch, shuffle=shuffle)
    else:
        dataset = pipeline.batch(
            dataset,
            batch_size=batch_size,
            num_examples=num_examples,
            shuffle=shuffle,
            seed=seed,
            repeat=repeat,
            shuffle_buffer=shuffle_buffer,
        )
    if with_info:
        return dataset, _dataset_info(source_data, image_size, channels)
    return dataset


def load_arrays(
    source="digits",
    *,
    split="train",
    image_size=None,
    channels=None,
    labels=None,
    max_examples=None,
    shuffle=False,
    seed=None,
    on_error="skip",
    data_dir=None,
    download=False,
):
    """Loads images (and labels) as NumPy arrays.

    Same sources, preprocessing and value range as `load`, without batching
    or caching: for metrics, augmentation and inspection.

    Args:
        source, split, image_size, channels, labels, on_error, data_dir,
            download: As in `load`.
        max_examples: Keep at most this many examples, or `None` for all.
        shuffle: Whether to shuffle before taking `max_examples`. Without it
            the first examples in stored order are taken, which for a folder
            with class subfolders means the first classes only.
        seed: Shuffle seed.

    Returns:
        `(x, y, info)`: float32 `(N, H, W, C)` images in [-1, 1]; int32 `(N,)`
        labels or `None`; the split's `DatasetInfo`.

    Example:

    >>> x, y, info = kgan.data.load_arrays("digits", split="test")
    >>> x.shape, y.shape
    ((359, 8, 8, 1), (359,))
    """
    _check_options(image_size, channels, labels, on_error, split, seed)
    if max_examples is not None:
        checks.positive_int("max_examples", max_examples)
    source_data = open_source(
        source, split=split, on_error=on_error, data_dir=data_dir, download=download
    )
    dataset = _preprocessed(source_data, image_size, channels, labels)
    if shuffle:
        dataset = dataset.shuffle(source_data.num_examples or 10_000, seed=seed)
    if max_examples is not None:
        dataset = dataset.take(max_examples)
    examples = _materialize(dataset, pipeline.output_shape(source_data.native_shape, image_size, channels))
    x, y = examples if isinstance(examples, tuple) else (examples, None)
    return x, y, _dataset_info(source_data, image_size, channels)


def info(
    source="digits",
    *,
    split="train",
    image_size=None,
    channels=None,
    on_error="skip",
    data_dir=None,
    download=False,
):
    """Describes a source's split without building the batched pipeline.

    Reading the description is cheap for `"digits"` and TFDS (metadata);
    an `.npz` file is read and validated; an image folder is scanned and
    every file decoded once (to count the readable images).

    Args:
        source, split, image_size, channels, on_error, data_dir, download:
            As in `load`.

    Returns:
        A `DatasetInfo`. `image_shape` has `None` height and width when the
        images differ in size and `image_size` is `None`.

    Example:

    >>> kgan.data.info("digits", split="test", channels=3)
    DatasetInfo(name='digits', split='test', image_shape=(8, 8, 3), ...)
    """
    _check_options(image_size, channels, None, on_error, split, None)
    source_data = open_source(
        source, split=split, on_error=on_error, data_dir=data_dir, download=download
    )
    return _dataset_info(source_data, image_size, channels)


def display_name(source):
    """A short name for a source, for run folders: the name, or a path's stem."""
    text = os.fspath(source)
    if os.path.sep not in text and not text.endswith(".npz"):
        return text.replace(":", "_")
    stem = os.path.basename(os.path.normpath(text))
    return stem[: -len(".npz")] if stem.endswith(".npz") else stem


def open_source(source, *, split="train", on_error="skip", data_dir=None, download=False):
    """Dispatches `source` to its reader and returns a `Source`.

    Args:
        source: A name (`"digits"`, a TFDS name), or an `.npz` / folder path
            (`str` or `os.PathLike`).
        split, on_error, data_dir, download: As in `load`.
    """
    if isinstance(source, str):
        if source == digits.NAME:
            return digits.read(split)
        tfds_name = tfds_source.dataset_name(source)
        if tfds_name is not None:
            return tfds_source.read(tfds_name, split, data_dir=data_dir, download=download)
    elif not isinstance(source, os.PathLike):
        raise ValueError(
            f"Expected source to be {ACCEPTED_SOURCES}. Received: source={source!r} "
            f"of type {type(source).__name__}"
        )
    path = os.fspath(source)
    if tfrecords.is_tfrecord_dir(path):
        return tfrecords.read(path, split)
    if os.path.isdir(path):
        return folder.read(path, split, on_error=on_error)
    if path.lower().endswith(".npz"):
        if not os.path.isfile(path):
            raise FileNotFoundError(
                f"Expected an existing .npz file. Received: source={path!r} (no such file)"
            )
        return npz.read(path, split)
    found = "a file that is not .npz" if os.path.exists(path) else "no such name, file or directory"
    raise ValueError(
        f"Expected source to be {ACCEPTED_SOURCES}. Received: source={path!r} ({found})"
    )


def _preprocessed(source_data, image_size, channels, labels):
    """Maps `pipeline.preprocess` over a source; keeps or drops the labels."""
    shape = source_data.native_shape
    if image_size is None and None in shape[:2]:
        raise ValueError(
            f"Expected image_size when the images of {source_data.name} differ in "
            f"size (native shape {shape}): they are resized to a common square. "
            f"Received: image_size=None"
        )
    labelled = source_data.num_classes is not None
    if labels and not labelled:
        raise ValueError(
            f"Expected a labelled source for labels=True. Received: "
            f"source={source_data.name!r} (split {source_data.split!r}), which has no labels"
        )

    def transform(image):
        return pipeline.preprocess(image, shape, image_size, channels)

    if not labelled:
        fn = transform
    elif labels is False:
        fn = lambda image, label: transform(image)  # noqa: E731
    else:
        fn = lambda image, label: (transform(image), label)  # noqa: E731
    return source_data.dataset.map(fn, num_parallel_calls=tf.data.AUTOTUNE)


STREAM_MODES = ("auto", "on", "off")


def training_examples(
    source="digits",
    *,
    split="train",
    image_size=None,
    channels=None,
    labels=None,
    stream="auto",
    on_error="skip",
    data_dir=None,
    download=False,
):
    """The examples `kgan train` feeds its epoch-keyed stream, and their `DatasetInfo`.

    Args:
        source, split, image_size, channels, labels, on_error, data_dir,
            download: As in `load`.
        stream: `"off"` holds the preprocessed examples in memory (NumPy
            arrays); `"on"` reads them from disk every epoch where the source
            allows it (image folders: each file by index, in the exact epoch
            order; TFRecord copies from `to_tfrecord`: shard by shard);
            `"auto"` streams image folders and TFRecords and holds the rest.

    Returns:
        `(examples, info)`: arrays (`images` or `(images, labels)`), a
        `kgan.data.indexed.Indexed` or a `kgan.data.indexed.Records`.
    """
    _check_options(image_size, channels, labels, on_error, split, None)
    checks.one_of("stream", stream, STREAM_MODES)
    source_data = open_source(source, split=split, on_error=on_error, data_dir=data_dir, download=download)
    info = _dataset_info(source_data, image_size, channels)
    streamable = source_data.files is not None or source_data.record_files is not None
    if stream == "off" or not streamable:
        if stream == "on":
            raise ValueError(
                f"Expected an image folder or a TFRecord copy (kgan.data.to_tfrecord) for stream='on'. "
                f"Received: source={source_data.name!r}, which is held in memory"
            )
        x, y, _ = load_arrays(source, split=split, image_size=image_size, channels=channels, labels=labels,
                              on_error=on_error, data_dir=data_dir, download=download)
        return (x if y is None else (x, y)), info
    keep_labels = source_data.num_classes is not None and labels is not False
    if labels and source_data.num_classes is None:
        raise ValueError(f"Expected a labelled source for labels=True. Received: {source_data.name!r} has no labels")

    def prepare(image):
        return pipeline.preprocess(image, source_data.native_shape, image_size, channels)

    if source_data.files is not None:
        paths, file_labels, decode = source_data.files
        return indexed.from_files(paths, lambda p: prepare(decode(p)), file_labels if keep_labels else None), info
    paths, parse = source_data.record_files

    def parse_prepared(record):
        example = parse(record)
        if source_data.num_classes is None:
            return prepare(example)
        image, label = example
        return (prepare(image), label) if keep_labels else prepare(image)

    return indexed.Records(source_data.num_examples, paths, parse_prepared), info


def to_tfrecord(source, out, *, split="train", shards=8, on_error="skip", data_dir=None, download=False):
    """Writes a dataset (any source `load` reads) as sharded TFRecords in `out`.

    The images are stored losslessly in their native size and channels
    (PNG) with their labels; `out` is then a source like any other
    (`kgan.data.load(out)`, `kgan train --dataset OUT`), streamed from disk.

    Returns:
        The info written to `out/kgan_dataset.json`.

    Example:

    ```python
    info = kgan.data.to_tfrecord("digits", "digits_tfrecords", shards=4)
    stream = kgan.data.load("digits_tfrecords", batch_size=64, seed=0)
    ```
    """
    checks.positive_int("shards", shards)
    source_data = open_source(source, split=split, on_error=on_error, data_dir=data_dir, download=download)
    return tfrecords.write(source_data, os.fspath(out), shards=shards)


def _materialize(dataset, shape):
    """Reads an unbatched dataset of images (or `(images, labels)`) into NumPy arrays."""
    images, targets = [], []
    for element in dataset.batch(256).as_numpy_iterator():
        if isinstance(element, tuple):
            images.append(element[0])
            targets.append(element[1])
        else:
            images.append(element)
    x = np.concatenate(images) if images else np.zeros((0, *shape), "float32")
    if not targets:
        return x
    return x, np.concatenate(targets)


def _dataset_info(source_data, image_size, channels):
    return DatasetInfo(
        name=source_data.name,
        split=source_data.split,
        image_shape=pipeline.output_shape(source_data.native_shape, image_size, channels),
        num_examples=source_data.num_examples,
        num_classes=source_data.num_classes,
        class_names=source_data.class_names,
        native_shape=source_data.native_shape,
    )


def _check_options(image_size, channels, labels, on_error, split, seed):
    checks.positive_int("image_size", image_size, allow_none=True)
    checks.channels("channels", channels, allow_none=True)
    if labels is not None and not isinstance(labels, bool):
        raise ValueError(f"Expected labels to be None, True or False. Received: labels={labels!r}")
    if on_error not in ON_ERROR:
        raise ValueError(
            f"Expected on_error to be one of {ON_ERROR}. Received: on_error={on_error!r}"
        )
    if not isinstance(split, str) or not split:
        raise ValueError(f"Expected split to be a non-empty string. Received: split={split!r}")
    checks.integer("seed", seed, minimum=0, allow_none=True)
