"""The feature-extractor protocol that the metrics code relies on."""

import typing


@typing.runtime_checkable
class FeatureExtractor(typing.Protocol):
    """What `kgan.metrics` needs from a feature extractor.

    Any object with these members works; `KerasExtractor` is one.

    Attributes:
        name: A short description for the protocol card, e.g.
            `"classifier:evaluator.keras"`.
        weights_hash: Hex SHA-256 of the weights file (or of the weight
            values when there is no file), so a card says exactly which
            network made its features.

    Optional members, looked up with `getattr`:
        probabilities(images): class probabilities `(n, num_classes)`, for
            the Inception Score.
        features_and_probabilities(images): both in one forward pass.
        num_classes: width of `probabilities`, `None` if it has none.
        input_size: `(height, width)` the network sees; images of another
            size are resized. `(depth, height, width)` for a network of
            volumes, which are never resized.
        resize_method: how images are resized to `input_size`.
    """

    name: str
    weights_hash: str

    def __call__(self, images):
        """Returns features `(n, d)` of float32 images `(n, H, W, C)` in [-1, 1]."""
        ...


def has_probabilities(extractor):
    """Returns whether `extractor` can give class probabilities."""
    if getattr(extractor, "num_classes", 1) is None:
        return False
    return callable(getattr(extractor, "probabilities", None))
