"""Per-class FID: the Fréchet distance within each class of a conditional model.

A conditional generator can match the overall feature distribution while
mixing up classes; comparing real and generated features class by class
exposes that.
"""

import numpy as np

from kgan.metrics.fid import frechet_distance


def per_class_fid(real_features, real_labels, fake_features, fake_labels):
    """Returns `{class: FID}` between real and generated features of each class.

    Args:
        real_features: Array `(n_real, d)`.
        real_labels: Integer labels `(n_real,)`.
        fake_features: Array `(n_fake, d)`.
        fake_labels: Integer labels `(n_fake,)` the images were generated with.

    Returns:
        A dict from each class present in both sets (as a Python int) to its
        FID. A class needs at least 2 examples in each set; with fewer
        examples than feature dimensions the covariances are singular, which
        `frechet_distance` handles, but the estimate is then strongly biased
        upwards: compare per-class FIDs only at equal sample counts.
    """
    real_labels = _check_labels(real_labels, real_features, "real")
    fake_labels = _check_labels(fake_labels, fake_features, "fake")
    classes = np.intersect1d(real_labels, fake_labels)
    if len(classes) == 0:
        raise ValueError(
            "Expected real and generated labels to share at least one class. "
            f"Received: real classes {np.unique(real_labels).tolist()}, "
            f"generated classes {np.unique(fake_labels).tolist()}"
        )
    real_features = np.asarray(real_features)
    fake_features = np.asarray(fake_features)
    for c in classes:
        counts = (np.sum(real_labels == c), np.sum(fake_labels == c))
        if min(counts) < 2:
            raise ValueError(
                f"Expected at least 2 real and 2 generated examples of class {c}. "
                f"Received: {counts[0]} real, {counts[1]} generated"
            )
    return {
        int(c): frechet_distance(
            real_features[real_labels == c], fake_features[fake_labels == c]
        )
        for c in classes
    }


def _check_labels(labels, features, which):
    labels = np.asarray(labels).reshape(-1)
    if len(labels) != len(features):
        raise ValueError(
            f"Expected one label per {which} feature row. Received: "
            f"{which}_labels.shape={labels.shape}, "
            f"{which}_features.shape={np.shape(features)}"
        )
    return labels.astype(np.int64)
