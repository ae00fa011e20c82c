"""Named datasets from TensorFlow Datasets (TFDS).

`"mnist"`, `"fashion_mnist"` and `"cifar10"` are shortcuts for
`"tfds:mnist"`, ...; any other TFDS image dataset is `"tfds:NAME"` (NAME may
carry a config and version, e.g. `"tfds:cifar10:3.0.2"`).

`tensorflow_datasets` is an optional dependency (`pip install "kgan[tfds]"`)
and is imported only when a TFDS source is used. Nothing is downloaded
unless `download=True`: data that is not prepared in `data_dir` raises
`DatasetNotFoundError` at once instead of retrying the network.
"""

import tensorflow as tf

from kgan.data.errors import DatasetNotFoundError
from kgan.data.source import Source

NAMES = ("mnist", "fashion_mnist", "cifar10")
PREFIX = "tfds:"


def dataset_name(source):
    """Returns the TFDS name of `source`, or `None` if it is not a TFDS source.

    Args:
        source: A source string, e.g. `"mnist"` or `"tfds:celeb_a"`.
    """
    if source in NAMES:
        return source
    if source.startswith(PREFIX):
        name = source[len(PREFIX) :]
        if not name:
            raise ValueError(
                f"Expected a dataset name after '{PREFIX}', e.g. 'tfds:mnist'. "
                f"Received: source={source!r}"
            )
        return name
    return None


def read(name, split="train", data_dir=None, download=False):
    """Reads one split of a TFDS dataset as a `Source`.

    Args:
        name: TFDS name, e.g. `"mnist"`.
        split: A TFDS split, e.g. `"train"`, `"test"`, `"train[:10%]"`, `"all"`.
        data_dir: TFDS data directory; `None` means TFDS' default
            (`$TFDS_DATA_DIR` or `~/tensorflow_datasets`).
        download: Whether to download and prepare the data if missing.

    Returns:
        A `Source` of the dataset's image feature in [-1, 1], labelled by
        its class-label feature if it has one.
    """
    tfds = _import_tfds(name)
    try:
        builder = tfds.builder(name, data_dir=data_dir)
    except tfds.core.DatasetNotFoundError as e:
        raise ValueError(
            f"Expected a TFDS dataset name. Received: {name!r} ({e})"
        ) from None
    image_key, label_key = _feature_keys(tfds, builder.info, name)
    if download:
        builder.download_and_prepare()
    try:
        dataset = builder.as_dataset(split=split, shuffle_files=False)
    except AssertionError as e:
        # TFDS signals "not prepared" with an AssertionError.
        if "could not find data" not in str(e):
            raise
        raise DatasetNotFoundError(_not_found_message(name, builder, data_dir)) from None

    def convert(example):
        image = tf.image.convert_image_dtype(example[image_key], tf.float32) * 2.0 - 1.0
        if label_key is None:
            return image
        return image, tf.cast(example[label_key], tf.int32)

    label_feature = None if label_key is None else builder.info.features[label_key]
    return Source(
        name=name,
        split=split,
        dataset=dataset.map(convert, num_parallel_calls=tf.data.AUTOTUNE),
        num_examples=_num_examples(builder.info, split, dataset),
        native_shape=tuple(builder.info.features[image_key].shape),
        num_classes=None if label_feature is None else label_feature.num_classes,
        class_names=None if label_feature is None else tuple(label_feature.names),
    )


def _import_tfds(name):
    try:
        import tensorflow_datasets as tfds
    except ImportError as e:
        raise ImportError(
            f"The TFDS source {name!r} needs the optional dependency "
            f"tensorflow-datasets: pip install 'kgan[tfds]'. Offline, pass an "
            f".npz file or an image folder as `source` instead."
        ) from e
    return tfds


def _feature_keys(tfds, info, name):
    """Returns `(image_key, label_key or None)` of a TFDS dataset."""
    features = info.features
    image_keys = [k for k, f in features.items() if isinstance(f, tfds.features.Image)]
    if not image_keys:
        raise ValueError(
            f"Expected a TFDS dataset with an image feature. Received: {name!r} "
            f"with features {list(features)}"
        )
    image_key = "image" if "image" in image_keys else image_keys[0]
    candidates = []
    if info.supervised_keys and isinstance(info.supervised_keys[-1], str):
        candidates.append(info.supervised_keys[-1])
    candidates.append("label")
    label_key = next(
        (
            key
            for key in candidates
            if key in features and isinstance(features[key], tfds.features.ClassLabel)
        ),
        None,
    )
    return image_key, label_key


def _num_examples(info, split, dataset):
    try:
        num_examples = info.splits[split].num_examples
    except (KeyError, ValueError, TypeError):
        num_examples = None
    if not num_examples:  # Unknown split info (e.g. under tfds.testing.mock_data).
        cardinality = int(dataset.cardinality())
        num_examples = cardinality if cardinality >= 0 else None
    return num_examples


def _not_found_message(name, builder, data_dir):
    if data_dir:
        where = f"data_dir={data_dir!r}"
    else:
        where = f"the default data_dir ({builder.data_dir_root})"
    return (
        f"TFDS dataset {name!r} is not prepared in {where} (looked for "
        f"{builder.data_dir}), and download=False. To get it: load it with "
        f"download=True (CLI: --download) on a machine with network access; or "
        f"prepare it elsewhere with `tfds build {name} --data_dir=DIR`, copy DIR "
        f"to this machine and pass data_dir=DIR."
    )
