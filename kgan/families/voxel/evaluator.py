"""Scores for voxel GANs from a small 3D classifier trained on the real shapes.

The classifier and the scores live in `kgan.metrics`, which reads volumes as
it reads images (`kgan evaluator train --dataset shapes`, `kgan evaluate
RUN --dataset shapes --extractor classifier:PATH --metrics
fid,class_agreement,classes_covered`); this module keeps the names the
voxel benchmark (`tools/bench_voxel.py`) uses on arrays in memory. The
classifier (`kgan.metrics.build_volume_classifier`) is three strided 3D
convolutions (16, 32, 64 filters), global average pooling, a 128-unit ReLU
layer named `"features"` and a softmax. Trained on the real training shapes,
it gives:

- **class agreement**: the fraction of a conditional GAN's samples of class
  `c` that the classifier puts in class `c` (its accuracy on real held-out
  shapes is the ceiling);
- **classes covered**: the classes that at least `MIN_SHARE` of a uniform
  share (here 2% of the samples for 8 classes) of the samples are classified
  as, i.e. the modes a generator reaches;
- **FID** (Frechet distance, `kgan.metrics.frechet_distance`) between the
  classifier's features of the samples and of the real held-out shapes.

```python
x, y, _ = kgan.data.load_voxels("shapes", split="test", grid_size=16)
classifier = kgan.families.voxel.evaluator.train_classifier(x, y, epochs=1, seed=0)
extractor = kgan.families.voxel.evaluator.VolumeExtractor(classifier)
features, probabilities = extractor(x[:8].astype("float32"))
```
"""

import numpy as np

from kgan import metrics
from kgan.metrics.class_agreement import MIN_SHARE
from kgan.metrics.class_agreement import class_agreement
from kgan.metrics.class_agreement import classes_covered
from kgan.metrics.class_agreement import per_class_agreement
from kgan.metrics.extractors.classifier import features_and_probabilities_model
from kgan.metrics.hashing import weights_sha256
from kgan.metrics.volume_classifier import FEATURES

__all__ = [
    "FEATURES", "MIN_SHARE", "VolumeExtractor", "build_classifier", "class_agreement", "classes_covered",
    "scores", "train_classifier",
]


def build_classifier(grid_size, num_classes, feature_dim=128, seed=None):
    """An uncompiled 3D CNN classifier of occupancy grids `(n, n, n, 1)` in [0, 1]."""
    return metrics.build_volume_classifier((grid_size,) * 3 + (1,), num_classes, feature_dim, seed)


def train_classifier(volumes, labels, epochs=8, batch_size=64, seed=0, verbose=0):
    """Builds and fits the classifier (`kgan.metrics.train_classifier`) on grids in [0, 1]; returns it."""
    return metrics.train_classifier(
        (volumes, labels), epochs=epochs, batch_size=batch_size, seed=seed, verbose=verbose
    )


class VolumeExtractor:
    """`extractor(volumes) -> (features, probabilities)` from a trained classifier, in batches."""

    def __init__(self, classifier, batch_size=64):
        model = features_and_probabilities_model(classifier)
        self.extractor = metrics.KerasExtractor(
            model, name=classifier.name, weights_hash=weights_sha256(model), batch_size=batch_size
        )
        self.model = model
        self.batch_size = batch_size
        self.num_classes = self.extractor.num_classes

    def __call__(self, volumes):
        features, probabilities = self.extractor.features_and_probabilities(volumes)
        return features.astype("float64"), probabilities.astype("float64")


def scores(volumes, labels, real_features, extractor):
    """`{class_agreement, per_class_agreement, classes_covered, fid}` of samples `volumes` made for `labels`."""
    features, probabilities = extractor(volumes)
    return {
        "class_agreement": class_agreement(probabilities, labels),
        "per_class_agreement": per_class_agreement(probabilities, labels, extractor.num_classes),
        "classes_covered": len(classes_covered(probabilities, extractor.num_classes)),
        "fid": float(metrics.frechet_distance(real_features, np.asarray(features))),
    }
