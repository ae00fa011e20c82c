"""Feature extractors: networks that map images to feature vectors.

An extractor is called on a batch of float32 images in [-1, 1], shape
`(n, H, W, C)` (or, for a network of volumes, occupancy grids in [0, 1] of
shape `(n, D, H, W, 1)`), and returns a `(n, d)` NumPy array; it has a `name` and a
`weights_hash` for the protocol card, and optionally `probabilities(images)`
for the Inception Score (see `FeatureExtractor`).
"""

from kgan.metrics.extractors.classifier import ClassifierExtractor
from kgan.metrics.extractors.inception import InceptionExtractor
from kgan.metrics.extractors.keras_extractor import KerasExtractor
from kgan.metrics.extractors.protocol import FeatureExtractor
from kgan.metrics.extractors.protocol import has_probabilities
from kgan.metrics.extractors.resize import resize_images

__all__ = [
    "ClassifierExtractor",
    "FeatureExtractor",
    "InceptionExtractor",
    "KerasExtractor",
    "has_probabilities",
    "resize_images",
]
