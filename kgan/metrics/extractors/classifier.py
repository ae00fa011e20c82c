"""`ClassifierExtractor`: features and probabilities of a domain classifier."""

import os

from kgan.metrics.extractors.keras_extractor import KerasExtractor
from kgan.metrics.hashing import file_sha256

FEATURES_LAYER = "features"


class ClassifierExtractor(KerasExtractor):
    """Penultimate-layer features and softmax probabilities of a classifier.

    For data InceptionV3 was not trained on (digits, MNIST, ...), a small
    classifier trained on the domain gives more meaningful features and is
    available offline. `kgan.metrics.train_classifier` (or `kgan evaluator
    train`) makes one. A classifier of volumes (input rank 4,
    `(D, H, W, 1)`, e.g. from `kgan evaluator train --dataset shapes`) reads
    occupancy grids in [0, 1] of exactly its grid size (see
    `KerasExtractor`).

    Args:
        path: A `.keras` classifier taking images in [-1, 1] (or volumes in
            [0, 1]) and ending in a softmax. Features come from its layer
            named `"features"`, or from its second-to-last layer if there is
            none.
        batch_size: Images per forward pass.

    Example:

    >>> extractor = ClassifierExtractor("evaluator.keras")  # from `kgan evaluator train`
    >>> extractor(images).shape, extractor.probabilities(images).shape
    ((16, 128), (16, 10))
    """

    def __init__(self, path, batch_size=256):
        import keras

        if not isinstance(path, (str, os.PathLike)) or not os.path.isfile(path):
            raise ValueError(
                "Expected `path` to be an existing `.keras` classifier file. "
                f"Received: path={path!r}"
            )
        classifier = keras.saving.load_model(path, compile=False)
        super().__init__(
            features_and_probabilities_model(classifier),
            name=f"classifier:{os.path.basename(os.fspath(path))}",
            weights_hash=file_sha256(path),
            batch_size=batch_size,
        )
        self.path = os.fspath(path)


def features_and_probabilities_model(classifier):
    """A model of `classifier`'s inputs to `[features, probabilities]`.

    Features come from its layer named `"features"`, or from its
    second-to-last layer if there is none.
    """
    import keras

    layer_names = [layer.name for layer in classifier.layers]
    if FEATURES_LAYER in layer_names:
        features = classifier.get_layer(FEATURES_LAYER).output
    else:
        features = classifier.layers[-2].output
    return keras.Model(classifier.inputs, [features, classifier.outputs[0]])
