"""Evaluation metrics for generators: FID, KID, IS, precision/recall, CAS, class agreement.

```python
extractor = kgan.metrics.ClassifierExtractor("evaluator.keras")
card = kgan.metrics.evaluate(gan, "digits", extractor, n=2000, card_path="card.json")
real_images, _, _ = kgan.data.load_arrays("digits", split="test")
real_features = kgan.metrics.compute_features(real_images, extractor)
fake_features = kgan.metrics.compute_features(gan, extractor, n=1000, seed=0)
fid = kgan.metrics.frechet_distance(real_features, fake_features)
```

The metric functions take feature arrays; `compute_features` turns a
generator or a dataset into features batch by batch; `evaluate` does both and
returns a protocol card saying how the numbers were made. Voxel generators
are scored the same way, with a classifier of volumes (`train_classifier` on
voxel data) against real grids (`"shapes"`, ...).
"""

from kgan.metrics.class_agreement import class_agreement
from kgan.metrics.class_agreement import classes_covered
from kgan.metrics.classification_accuracy_score import classification_accuracy_score
from kgan.metrics.classifier import build_classifier
from kgan.metrics.classifier import train_classifier
from kgan.metrics.evaluation import METRICS
from kgan.metrics.evaluation import Evaluation
from kgan.metrics.evaluation import evaluate
from kgan.metrics.extractors import ClassifierExtractor
from kgan.metrics.extractors import FeatureExtractor
from kgan.metrics.extractors import InceptionExtractor
from kgan.metrics.extractors import KerasExtractor
from kgan.metrics.features import compute_features
from kgan.metrics.features import extract
from kgan.metrics.fid import feature_statistics
from kgan.metrics.fid import frechet_distance
from kgan.metrics.fid import frechet_distance_from_statistics
from kgan.metrics.inception_score import inception_score
from kgan.metrics.kid import kernel_inception_distance
from kgan.metrics.per_class_fid import per_class_fid
from kgan.metrics.precision_recall import precision_recall
from kgan.metrics.volume_classifier import build_volume_classifier

__all__ = [
    "METRICS",
    "ClassifierExtractor",
    "Evaluation",
    "FeatureExtractor",
    "InceptionExtractor",
    "KerasExtractor",
    "build_classifier",
    "build_volume_classifier",
    "class_agreement",
    "classes_covered",
    "classification_accuracy_score",
    "compute_features",
    "evaluate",
    "extract",
    "feature_statistics",
    "frechet_distance",
    "frechet_distance_from_statistics",
    "inception_score",
    "kernel_inception_distance",
    "per_class_fid",
    "precision_recall",
    "train_classifier",
]
