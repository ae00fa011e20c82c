"""Scores for voxel GANs from a small 3D classifier trained on the real shapes.

`kgan.metrics`' evaluators read 2-D images; shapes need a 3D one. The
classifier here is three strided 3D convolutions (16, 32, 64 filters),
global average pooling, a 128-unit ReLU layer named `"features"` and a
softmax. Trained on the real training shapes, it gives:

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

import keras
import numpy as np

from kgan import metrics

FEATURES = "features"
MIN_SHARE = 0.16  # of a uniform share: 2% of the samples with 8 classes


def build_classifier(grid_size, num_classes, feature_dim=128, seed=None):
    """An uncompiled 3D CNN classifier of occupancy grids `(n, n, n, 1)` in [0, 1]."""

    def init(i):
        return keras.initializers.GlorotUniform(seed=None if seed is None else seed + i)

    grids = keras.Input((grid_size, grid_size, grid_size, 1), name="voxels")
    x = grids
    for i, filters in enumerate((16, 32, 64)):
        x = keras.layers.Conv3D(
            filters, 3, strides=2, padding="same", activation="relu", kernel_initializer=init(i), name=f"conv{i}"
        )(x)
    x = keras.layers.GlobalAveragePooling3D(name="pool")(x)
    features = keras.layers.Dense(feature_dim, activation="relu", kernel_initializer=init(3), name=FEATURES)(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax", kernel_initializer=init(4), name="probabilities")(
        features
    )
    return keras.Model(grids, outputs, name="voxel_classifier")


def train_classifier(volumes, labels, epochs=8, batch_size=64, seed=0, verbose=0):
    """Builds and fits the classifier (Adam 1e-3, cross-entropy) on grids in [0, 1]; returns it."""
    keras.utils.set_random_seed(seed)
    volumes = np.asarray(volumes)
    model = build_classifier(volumes.shape[1], int(np.max(labels)) + 1, seed=seed)
    model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", metrics=["accuracy"])
    order = np.random.default_rng(seed).permutation(len(volumes))  # classes come in blocks
    model.fit(
        volumes[order].astype("float32"), np.asarray(labels)[order], batch_size=batch_size, epochs=epochs,
        shuffle=True, verbose=verbose,
    )
    return model


class VolumeExtractor:
    """`extractor(volumes) -> (features, probabilities)` from a trained classifier, in batches."""

    def __init__(self, classifier, batch_size=64):
        self.model = keras.Model(classifier.inputs, [classifier.get_layer(FEATURES).output, classifier.outputs[0]])
        self.batch_size = batch_size
        self.num_classes = int(classifier.outputs[0].shape[-1])

    def __call__(self, volumes):
        chunks = [
            self.model.predict_on_batch(np.asarray(volumes[i : i + self.batch_size], "float32"))
            for i in range(0, len(volumes), self.batch_size)
        ]
        return tuple(np.concatenate([np.asarray(c[k]) for c in chunks]).astype("float64") for k in (0, 1))


def class_agreement(probabilities, labels):
    """The fraction of samples classified as the class they were made for."""
    return float(np.mean(np.argmax(probabilities, axis=1) == np.asarray(labels)))


def classes_covered(probabilities, num_classes, min_share=MIN_SHARE):
    """The classes at least `min_share` of a uniform share of the samples are classified as."""
    counts = np.bincount(np.argmax(probabilities, axis=1), minlength=num_classes)
    return [int(c) for c in np.flatnonzero(counts >= min_share * len(probabilities) / num_classes)]


def scores(volumes, labels, real_features, extractor):
    """`{class_agreement, per_class_agreement, classes_covered, fid}` of samples `volumes` made for `labels`."""
    features, probabilities = extractor(volumes)
    predicted = np.argmax(probabilities, axis=1)
    labels = np.asarray(labels)
    per_class = [float(np.mean(predicted[labels == c] == c)) if np.any(labels == c) else None for c in range(extractor.num_classes)]
    return {
        "class_agreement": class_agreement(probabilities, labels),
        "per_class_agreement": per_class,
        "classes_covered": len(classes_covered(probabilities, extractor.num_classes)),
        "fid": float(metrics.frechet_distance(real_features, features)),
    }
