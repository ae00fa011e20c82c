"""A small CNN classifier: the domain evaluator, and the model CAS trains.

`train_classifier` fits it on a labelled dataset and saves it as a `.keras`
file; `kgan.metrics.ClassifierExtractor` then reads features from its layer
named `"features"` and class probabilities from its softmax.
"""

import numpy as np

from kgan import atomic
from kgan.metrics.real_data import load_real
from kgan import checks


def build_classifier(input_shape, num_classes, feature_dim=128, seed=None):
    """Returns an uncompiled CNN classifier for images in [-1, 1].

    Three 3x3 convolutions (32, 64, 128 filters; the last two with stride 2),
    global average pooling, a ReLU dense layer named `"features"`, and a
    softmax layer named `"probabilities"`.

    Args:
        input_shape: `(height, width, channels)`.
        num_classes: Number of classes (>= 2).
        feature_dim: Width of the `"features"` layer.
        seed: Seed for the weight initialisers, or `None`.
    """
    import keras

    num_classes = checks.integer("num_classes", num_classes, minimum=2)

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
    `seed`.
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

    Args:
        source: A labelled `kgan.data` source (`"digits"`, an `.npz` path,
            a folder with class subfolders, ...) or a tuple
            `(images, labels)` of images in [-1, 1] and integer labels.
        path: Where to save the trained model (`.keras`), atomically; `None`
            to only return it.
        split: The split of a named source to train on.
        epochs: Training epochs.
        batch_size: Training batch size.
        image_size: Square side to resize a named source to; match the
            generator's output size (`None` keeps the native size).
        channels: 1 or 3 to convert a named source's channels.
        seed: Seed for initialisation and shuffling.
        verbose: Keras `fit` verbosity.

    Returns:
        The trained, compiled `keras.Model`.

    Example:

    >>> model = kgan.metrics.train_classifier("digits", path="evaluator.keras", epochs=2)
    >>> extractor = kgan.metrics.ClassifierExtractor("evaluator.keras")
    """
    image_shape = None
    if image_size is not None or channels is not None:
        image_shape = (image_size, image_size, channels)
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
