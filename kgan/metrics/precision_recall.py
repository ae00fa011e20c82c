"""Improved precision and recall with k-nearest-neighbour manifolds.

Kynkäänniemi et al. 2019, "Improved Precision and Recall Metric for Assessing
Generative Models" (arXiv 1904.06991):

1. Each feature set estimates its manifold as the union of balls centred on
   its points, each ball's radius the distance to the point's k-th nearest
   neighbour in the same set (the point itself not counted).
2. Precision is the fraction of generated points inside the real manifold
   (are the samples realistic?); recall is the fraction of real points inside
   the generated manifold (is the data's variety covered?).

Distances are Euclidean and computed `batch_size` rows at a time, so memory
grows as `batch_size * n` rather than `n^2`. A point exactly on a ball's
boundary counts as inside, as in the NVlabs reference code.
"""

import numpy as np

from kgan.metrics.validation import check_features
from kgan import checks
from kgan.metrics.validation import check_same_dim


def precision_recall(real_features, fake_features, k=3, batch_size=1000):
    """Returns the improved precision and recall of generated features.

    Args:
        real_features: Array of shape `(n_real, d)`, `n_real > k`.
        fake_features: Array of shape `(n_fake, d)`, `n_fake > k`.
        k: Neighbourhood size defining each ball's radius (the paper uses 3).
        batch_size: Rows of the distance matrix computed at once.

    Returns:
        `(precision, recall)`, Python floats in [0, 1]; higher is better.

    Example:

    >>> real = np.arange(10.0)[:, None]  # points 0, 1, ..., 9 on a line
    >>> fake = np.array([[0.5], [2.5], [50.0], [60.0]])
    >>> precision_recall(real, fake, k=1)[0]  # 0.5 and 2.5 are inside
    0.5
    """
    k = checks.positive_int("k", k)
    batch_size = checks.positive_int("batch_size", batch_size)
    real = check_features(real_features, "real_features", min_rows=k + 1)
    fake = check_features(fake_features, "fake_features", min_rows=k + 1)
    check_same_dim(real, fake, "real_features", "fake_features")
    real_radii = knn_radii(real, k, batch_size)
    fake_radii = knn_radii(fake, k, batch_size)
    precision = manifold_coverage(fake, real, real_radii, batch_size)
    recall = manifold_coverage(real, fake, fake_radii, batch_size)
    return precision, recall


def pairwise_distances(x, y):
    """Returns the Euclidean distance matrix between the rows of x and y."""
    squared = (
        np.sum(x * x, axis=1)[:, None]
        + np.sum(y * y, axis=1)[None, :]
        - 2.0 * (x @ y.T)
    )
    return np.sqrt(np.maximum(squared, 0.0))


def knn_radii(features, k, batch_size):
    """Returns each point's distance to its k-th nearest other point.

    The distance of a point to itself is the smallest in its row, so the
    k-th neighbour is at sorted position k (0-based).
    """
    radii = np.empty(len(features))
    for start in range(0, len(features), batch_size):
        distances = pairwise_distances(features[start : start + batch_size], features)
        radii[start : start + batch_size] = np.partition(distances, k, axis=1)[:, k]
    return radii


def manifold_coverage(probe, manifold, radii, batch_size):
    """Returns the fraction of `probe` rows inside any ball of `manifold`."""
    inside = np.empty(len(probe), dtype=bool)
    for start in range(0, len(probe), batch_size):
        distances = pairwise_distances(probe[start : start + batch_size], manifold)
        inside[start : start + batch_size] = np.any(distances <= radii[None, :], axis=1)
    return float(inside.mean())
