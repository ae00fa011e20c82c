"""Inception Score from class probabilities.

Salimans et al. 2016, "Improved Techniques for Training GANs" (arXiv
1606.03498): IS = exp(E_x KL(p(y|x) || p(y))), where p(y) is the mean of
p(y|x) over the samples. Computed per split and reported as mean and std over
splits, as in the paper's code.
"""

import numpy as np

from kgan import checks

# Rows of `probs` must sum to 1 within this tolerance.
SUM_TOLERANCE = 1e-3


def inception_score(probs, splits=10):
    """Returns the mean and std of the Inception Score over `splits` splits.

    The samples are cut into `splits` consecutive parts of `n // splits` rows
    each (the last `n % splits` rows are dropped, as in the reference code);
    each part gives exp(mean KL(p(y|x) || p(y))) with p(y) that part's mean.

    Args:
        probs: Array of shape `(n, num_classes)`: class probabilities p(y|x)
            of generated images, e.g. a classifier's softmax output.
        splits: Number of splits; `n` must be at least `splits`.

    Returns:
        `(mean, std)` as Python floats. The score lies in `[1, num_classes]`:
        1 when every image gets the same distribution, `num_classes` when each
        image is confidently one class and the classes are used equally.

    Example:

    >>> inception_score(np.eye(10), splits=1)  # ten confident, different classes
    (10.000..., 0.0)
    """
    splits = checks.positive_int("splits", splits)
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[0] < splits:
        raise ValueError(
            "Expected `probs` of shape (n, num_classes) with n >= splits. "
            f"Received: probs.shape={probs.shape}, splits={splits}"
        )
    row_sums = probs.sum(axis=1)
    if probs.min() < 0 or np.abs(row_sums - 1.0).max() > SUM_TOLERANCE:
        raise ValueError(
            "Expected `probs` to hold probabilities: non-negative rows summing "
            f"to 1. Received: probs with min {probs.min():.3g} and row sums in "
            f"[{row_sums.min():.4g}, {row_sums.max():.4g}]"
        )
    size = len(probs) // splits
    scores = [split_score(probs[i * size : (i + 1) * size]) for i in range(splits)]
    return float(np.mean(scores)), float(np.std(scores))


def split_score(probs):
    """Returns exp(mean_x KL(p(y|x) || p(y))) for one split of probabilities."""
    marginal = probs.mean(axis=0)
    # Where p(y|x) = 0 the term is 0 * log 0 = 0: use a ratio of 1 there.
    # Elsewhere p(y) >= p(y|x) / n > 0.
    ratio = np.divide(probs, marginal, out=np.ones_like(probs), where=probs > 0)
    kl = np.sum(probs * np.log(ratio), axis=1)
    return float(np.exp(kl.mean()))
