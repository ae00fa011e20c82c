"""Fréchet (Inception) Distance between two sets of features.

Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update Rule Converge to a
Local Nash Equilibrium" (arXiv 1706.08500). Fit a Gaussian to each feature set
and take the squared Fréchet (2-Wasserstein) distance between them:

    d^2 = ||mu_a - mu_b||^2 + Tr(S_a) + Tr(S_b) - 2 Tr((S_a S_b)^(1/2))

The covariances use `ddof=1`, as in the TTUR, pytorch-fid and clean-fid code.
"""

import numpy as np

from kgan.metrics.validation import check_features
from kgan.metrics.validation import check_same_dim

# Eigenvalues of a covariance below -PSD_TOLERANCE * (largest eigenvalue) mean
# the matrix is not positive semi-definite; smaller negative ones are rounding.
PSD_TOLERANCE = 1e-6


def frechet_distance(features_a, features_b):
    """Returns the Fréchet distance (FID) between two feature sets.

    Args:
        features_a: Array of shape `(n_a, d)`, e.g. features of real images.
        features_b: Array of shape `(n_b, d)`, e.g. features of generated
            images. `n_a` and `n_b` need not be equal, and may be smaller
            than `d` (the covariances are then singular; see
            `trace_sqrt_product`).

    Returns:
        The distance as a Python float (>= 0). Lower is better.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=(500, 8))
    >>> frechet_distance(a, a + 1.0)  # means differ by 1 in each of 8 dims
    8.0...
    """
    features_a = check_features(features_a, "features_a")
    features_b = check_features(features_b, "features_b")
    check_same_dim(features_a, features_b, "features_a", "features_b")
    mu_a, sigma_a = feature_statistics(features_a)
    mu_b, sigma_b = feature_statistics(features_b)
    return frechet_distance_from_statistics(mu_a, sigma_a, mu_b, sigma_b)


def feature_statistics(features):
    """Returns the mean `(d,)` and covariance `(d, d)` (ddof=1) of features."""
    features = check_features(features, "features")
    return features.mean(axis=0), np.cov(features, rowvar=False)


def frechet_distance_from_statistics(mu_a, sigma_a, mu_b, sigma_b):
    """Returns the Fréchet distance between Gaussians N(mu_a, S_a), N(mu_b, S_b).

    Args:
        mu_a, mu_b: Means, shape `(d,)`.
        sigma_a, sigma_b: Symmetric positive semi-definite covariances,
            shape `(d, d)`.

    Returns:
        The squared distance as a Python float, clipped at 0 (rounding can
        make an exact 0 come out as a tiny negative number).
    """
    mu_a = np.atleast_1d(mu_a).astype(np.float64)
    mu_b = np.atleast_1d(mu_b).astype(np.float64)
    sigma_a = np.atleast_2d(sigma_a).astype(np.float64)
    sigma_b = np.atleast_2d(sigma_b).astype(np.float64)
    d = mu_a.shape[0]
    shapes = (mu_a.shape, mu_b.shape, sigma_a.shape, sigma_b.shape)
    if shapes != ((d,), (d,), (d, d), (d, d)):
        raise ValueError(
            "Expected means of shape (d,) and covariances of shape (d, d). "
            f"Received: mu_a.shape={mu_a.shape}, mu_b.shape={mu_b.shape}, "
            f"sigma_a.shape={sigma_a.shape}, sigma_b.shape={sigma_b.shape}"
        )
    diff = mu_a - mu_b
    trace_term = (
        np.trace(sigma_a)
        + np.trace(sigma_b)
        - 2.0 * trace_sqrt_product(sigma_a, sigma_b)
    )
    return float(max(diff @ diff + trace_term, 0.0))


def trace_sqrt_product(sigma_a, sigma_b):
    """Returns Tr((S_a S_b)^(1/2)) for symmetric PSD matrices S_a, S_b.

    The reference code takes `scipy.linalg.sqrtm(S_a @ S_b)`, which is not
    symmetric: when the covariances are singular (fewer samples than
    dimensions) or near-singular, sqrtm loses accuracy, returns complex
    values, or fails, and the reference adds `eps * I` and retries.

    Here the product is replaced by a similar symmetric matrix. With
    A = S_a^(1/2), S_a S_b = A (A S_b) has the same non-zero eigenvalues as
    (A S_b) A = A S_b A, which is symmetric PSD. So

        Tr((S_a S_b)^(1/2)) = sum_i sqrt(lambda_i(A S_b A)),

    computed from two symmetric eigen-decompositions (`numpy.linalg.eigh`),
    which are backward stable and always real.

    Rounding leaves the eigenvalues that are 0 in exact arithmetic (e.g.
    beyond the rank when n < d) at about eps * largest, and a square root
    would magnify them to sqrt(eps * largest) each; so eigenvalues below
    `d * eps * largest` (`numpy.linalg.matrix_rank`'s tolerance) count as 0.
    Clearly negative eigenvalues mean an input is not a covariance and raise
    `ValueError`.
    """
    _check_psd(sigma_b, "sigma_b")  # then A S_b A is PSD too
    eigenvalues, eigenvectors = _check_psd(sigma_a, "sigma_a")
    sqrt_a = (eigenvectors * np.sqrt(_drop_rounding(eigenvalues))) @ eigenvectors.T
    product = sqrt_a @ sigma_b @ sqrt_a
    eigenvalues = np.linalg.eigvalsh((product + product.T) / 2.0)
    return float(np.sum(np.sqrt(_drop_rounding(eigenvalues))))


def _drop_rounding(eigenvalues):
    """Sets eigenvalues below the numerical-rank tolerance to exactly 0."""
    largest = max(float(eigenvalues.max()), 0.0)
    tolerance = len(eigenvalues) * np.finfo(np.float64).eps * largest
    return np.where(eigenvalues > tolerance, eigenvalues, 0.0)


def _check_psd(sigma, name):
    """Returns the eigen-decomposition of a symmetric PSD matrix.

    Raises `ValueError` if `sigma` is not symmetric or has an eigenvalue
    clearly below 0.
    """
    if not np.allclose(sigma, sigma.T, rtol=1e-5, atol=1e-8):
        raise ValueError(
            f"Expected `{name}` to be a symmetric covariance matrix. "
            f"Received: {name} with max |S - S^T| = "
            f"{np.abs(sigma - sigma.T).max():.3g}"
        )
    eigenvalues, eigenvectors = np.linalg.eigh((sigma + sigma.T) / 2.0)
    scale = max(float(np.abs(eigenvalues).max()), np.finfo(np.float64).tiny)
    if eigenvalues.min() < -PSD_TOLERANCE * scale:
        raise ValueError(
            f"Expected `{name}` to be positive semi-definite. "
            f"Received: {name} with smallest eigenvalue "
            f"{eigenvalues.min():.3g} (largest {eigenvalues.max():.3g})"
        )
    return eigenvalues, eigenvectors
