"""A small CNN classifier: the domain evaluator, and the model CAS trains.

`train_classifier` fits it on a labelled dataset and saves it as a `.keras`
file; `kgan.metrics.ClassifierExtractor` then reads features from its layer
named `"features"` and class probabilities from its softmax. Images get a
2D CNN; volumes (voxel data, rank-5 arrays) the 3D CNN of
`kgan.metrics.volume_classifier`: the input's rank decides.
"""

import numpy as np

from kgan import atomic
from kgan.metrics.real_data import load_real
from kgan.metrics.real_volumes import holds_volumes
from kgan.metrics.volume_classifier import build_volume_classifier
from kgan import checks


def build_classifier(input_shape, num_classes, feature_dim=128, seed=None):
    """Returns an uncompiled CNN classifier for images in [-1, 1] or volumes in [0, 1].

    For images, three 3x3 convolutions (32, 64, 128 filters; the last two
    with stride 2); for volumes, `build_volume_classifier`'s three strided
    3D convolutions. Then global average pooling, a ReLU dense layer named
    `"features"`, and a softmax layer named `"probabilities"`.

    Args:
        input_shape: `(height, width, channels)` for images, or
            `(depth, height, width, 1)` for volumes.
        num_classes: Number of classes (>= 2).
        feature_dim: Width of the `"features"` layer.
        seed: Seed for the weight initialisers, or `None`.
    """
    import keras

    num_classes = checks.integer("num_classes", num_classes, minimum=2)
    if len(input_shape) == 4:
        return build_volume_classifier(input_shape, num_classes, feature_dim, seed)
    if len(input_shape) != 3:
        raise ValueError(
            "Expected input_shape (height, width, channels) for images or (depth, height, "
            f"width, 1) for volumes. Received: input_shape={tuple(input_shape)}"
        )

    def init(i):
        return keras.initializers.GlorotUniform(seed=None if seed is None else seed + i)

    inputs = keras.Input(shape=tuple(input_shape), name="images")
    x = inputs
    for i, (filters, strides) in enumerate(((32, 1), (64, 2), (128, 2))):
        x = keras.layers.Conv2D(
            filters, 3, strides=strides, padding="same", activation="relu",
            kernel_initializer=init(i), name=f"conv{i}",
        )(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    features = keras.layers.Dense(
        feature_dim, activation="relu", kernel_initializer=init(3), name="features"
    )(x)
    outputs = keras.layers.Dense(
        num_classes, activation="softmax", kernel_initializer=init(4), name="probabilities"
    )(features)
    return keras.Model(inputs, outputs, name="kgan_classifier")


def fit_classifier(model, images, labels, epochs=10, batch_size=64, seed=None, verbose=0):
    """Compiles (Adam 1e-3, cross-entropy) and fits `model`; returns its History.

    The examples are shuffled each epoch by a `tf.data` shuffle seeded with
    `seed`. They are cast to float32 batch by batch, so uint8 voxel grids
    stay a quarter of the memory.
    """
    import keras
    import tensorflow as tf

    epochs = checks.positive_int("epochs", epochs)
    batch_size = checks.positive_int("batch_size", batch_size)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    dataset = (
        tf.data.Dataset.from_tensor_slices((images, labels))
        .shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .map(lambda x, y: (tf.cast(x, tf.float32), y))
    )
    return model.fit(dataset, epochs=epochs, shuffle=False, verbose=verbose)


def classifier_accuracy(model, images, labels, batch_size=256):
    """Returns the fraction of `images` whose argmax prediction is `labels`."""
    probs = model.predict(images, batch_size=batch_size, verbose=0)
    return float(np.mean(np.argmax(probs, axis=1) == np.asarray(labels)))


def train_classifier(
    source="digits",
    path=None,
    split="train",
    epochs=10,
    batch_size=64,
    image_size=None,
    channels=None,
    seed=0,
    verbose=0,
):
    """Trains the domain classifier used as a feature extractor.

    Voxel data (a voxel source, see `kgan.metrics.real_volumes`, or arrays
    of rank 5) trains a volume classifier (`build_volume_classifier`), whose
    `.keras` file `ClassifierExtractor` recognises by its input rank.

    Args:
        source: A labelled `kgan.data` source (`"digits"`, an `.npz` path,
            a folder with class subfolders, ...), a labelled voxel source
            (`"shapes"`, an `.npz` of grids, a folder of `.binvox` / mesh
            files), or a tuple `(images, labels)` of images in [-1, 1]
            (or volumes in [0, 1]) and integer labels.
        path: Where to save the trained model (`.keras`), atomically; `None`
            to only return it.
        split: The split of a named source to train on.
        epochs: Training epochs.
        batch_size: Training batch size.
        image_size: Side to resize a named source to: a square image's, or a
            voxel grid's; match the generator's output size (`None` keeps
            the native size; 32 for voxel sources without one).
        channels: 1 or 3 to convert a named image source's channels.
        seed: Seed for initialisation and shuffling.
        verbose: Keras `fit` verbosity.

    Returns:
        The trained, compiled `keras.Model`.

    Example:

    >>> model = kgan.metrics.train_classifier("digits", path="evaluator.keras", epochs=2)
    >>> extractor = kgan.metrics.ClassifierExtractor("evaluator.keras")
    >>> shapes = kgan.data.shapes.generate("train", grid_size=16, per_class=4)  # (volumes, labels)
    >>> kgan.metrics.train_classifier(shapes, epochs=1).input_shape
    (None, 16, 16, 16, 1)
    """
    image_shape = _source_shape(source, image_size, channels)
    images, labels, description = load_real(source, split=split, image_shape=image_shape)
    if labels is None:
        raise ValueError(
            "Expected a labelled source to train a classifier on. "
            f"Received: source={description['source']!r} without labels"
        )
    num_classes = description["num_classes"] or int(labels.max()) + 1
    model = build_classifier(images.shape[1:], num_classes, seed=seed)
    fit_classifier(model, images, labels, epochs, batch_size, seed, verbose)
    if path is not None:
        atomic.save_model(model, path)
    return model


def _source_shape(source, image_size, channels):
    """The shape to read a named source at, `None` for its own: a cube for voxel sources."""
    if not holds_volumes(source):
        if image_size is None and channels is None:
            return None
        return (image_size, image_size, channels)
    if channels not in (None, 1):
        raise ValueError(
            "Expected no channel conversion for voxel data (occupancy grids have 1 channel). "
            f"Received: channels={channels}, source={source!r}"
        )
    return None if image_size is None else (image_size,) * 3 + (1,)
