import numpy as np
import pytest
import scipy.linalg

from kgan.metrics import frechet_distance
from kgan.metrics import frechet_distance_from_statistics


def random_orthogonal(d, rng):
    q, r = np.linalg.qr(rng.normal(size=(d, d)))
    return q * np.sign(np.diag(r))


def closed_form_commuting(mu_a, eig_a, mu_b, eig_b):
    # For covariances with the same eigenvectors (e.g. diagonal ones),
    # (S_a S_b)^(1/2) has eigenvalues sqrt(a_i b_i), so
    # Tr(S_a + S_b - 2 (S_a S_b)^(1/2)) = sum (sqrt(a_i) - sqrt(b_i))^2.
    return np.sum((mu_a - mu_b) ** 2) + np.sum((np.sqrt(eig_a) - np.sqrt(eig_b)) ** 2)


def exact_moment_features(mu, sigma, n, rng):
    """n samples whose sample mean is mu and sample covariance (ddof=1) sigma."""
    x = rng.normal(size=(n, len(mu)))
    x -= x.mean(axis=0)
    x = x @ np.linalg.inv(np.linalg.cholesky(np.cov(x, rowvar=False))).T
    return x @ np.linalg.cholesky(sigma).T + mu


def reference_fid(a, b):
    """pytorch-fid / TTUR, plainly: scipy sqrtm of the product, real part."""
    mu1, mu2 = a.mean(axis=0), b.mean(axis=0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = scipy.linalg.sqrtm(s1 @ s2)
    assert np.abs(np.imag(covmean)).max() < 1e-8
    covmean = np.real(covmean)
    return np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean)


def nuclear_norm_fid(a, b):
    """An independent route: Tr((S_a S_b)^(1/2)) is the sum of the singular
    values of Xa Xb^T / sqrt((n_a - 1)(n_b - 1)) for centred data Xa, Xb. The
    matrix is n_a x n_b, so this stays accurate when n < d."""
    xa, xb = a - a.mean(axis=0), b - b.mean(axis=0)
    cross = xa @ xb.T / np.sqrt((len(a) - 1) * (len(b) - 1))
    trace_sqrt = np.linalg.svd(cross, compute_uv=False).sum()
    trace_a = np.sum(xa**2) / (len(a) - 1)
    trace_b = np.sum(xb**2) / (len(b) - 1)
    return np.sum((a.mean(0) - b.mean(0)) ** 2) + trace_a + trace_b - 2 * trace_sqrt


def test_diagonal_gaussians_match_closed_form():
    mu_a, mu_b = np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0, 0.5])
    var_a, var_b = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 0.25])
    # By hand: |mu diff|^2 = 1 + 0 + 6.25; (sqrt diff)^2 = 4 + 1 + 0.
    expected = 7.25 + 5.0
    fid = frechet_distance_from_statistics(mu_a, np.diag(var_a), mu_b, np.diag(var_b))
    assert fid == pytest.approx(expected, rel=1e-12)
    assert closed_form_commuting(mu_a, var_a, mu_b, var_b) == pytest.approx(expected)


def test_rotated_gaussians_match_closed_form():
    rng = np.random.default_rng(0)
    d = 12
    q = random_orthogonal(d, rng)
    eig_a, eig_b = rng.uniform(0.1, 3.0, d), rng.uniform(0.1, 3.0, d)
    mu_a, mu_b = rng.normal(size=d), rng.normal(size=d)
    fid = frechet_distance_from_statistics(
        mu_a, q @ np.diag(eig_a) @ q.T, mu_b, q @ np.diag(eig_b) @ q.T
    )
    assert fid == pytest.approx(closed_form_commuting(mu_a, eig_a, mu_b, eig_b), rel=1e-9)


def test_features_with_known_moments_match_closed_form():
    rng = np.random.default_rng(1)
    d = 6
    q = random_orthogonal(d, rng)
    eig_a, eig_b = rng.uniform(0.5, 2.0, d), rng.uniform(0.5, 2.0, d)
    mu_a, mu_b = np.zeros(d), np.full(d, 0.5)
    a = exact_moment_features(mu_a, q @ np.diag(eig_a) @ q.T, 400, rng)
    b = exact_moment_features(mu_b, q @ np.diag(eig_b) @ q.T, 300, rng)
    expected = closed_form_commuting(mu_a, eig_a, mu_b, eig_b)
    assert frechet_distance(a, b) == pytest.approx(expected, rel=1e-9)


def test_matches_scipy_reference_on_fixed_features():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(300, 32))
    b = 0.5 * rng.normal(size=(250, 32)) @ rng.normal(size=(32, 32)) / 6 + 0.3
    fid = frechet_distance(a, b)
    assert fid == pytest.approx(reference_fid(a, b), rel=1e-6)
    assert fid == pytest.approx(nuclear_norm_fid(a, b), rel=1e-9)


def test_same_features_give_zero():
    a = np.random.default_rng(3).normal(size=(100, 8))
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-9)


def test_singular_covariance_fewer_samples_than_dimensions():
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(10, 64)), rng.normal(size=(15, 64)) + 0.1
    fid = frechet_distance(a, b)
    assert np.isfinite(fid) and fid >= 0.0
    assert fid == pytest.approx(nuclear_norm_fid(a, b), rel=1e-8)
    # The same rank-deficient set against itself is exactly 0 in theory.
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-8 * np.trace(np.cov(a.T)))


def test_near_singular_covariance():
    rng = np.random.default_rng(5)
    basis = rng.normal(size=(3, 40))  # data in a 3-D subspace of 40-D
    a = rng.normal(size=(200, 3)) @ basis + 1e-7 * rng.normal(size=(200, 40))
    b = rng.normal(size=(200, 3)) @ basis * 1.5 + 1e-7 * rng.normal(size=(200, 40))
    fid = frechet_distance(a, b)
    assert np.isfinite(fid) and fid >= 0.0
    assert fid == pytest.approx(nuclear_norm_fid(a, b), rel=1e-7)


def test_rejects_bad_input():
    a = np.zeros((10, 4))
    with pytest.raises(ValueError, match="Expected .*same feature dimension"):
        frechet_distance(a, np.zeros((10, 5)))
    with pytest.raises(ValueError, match="Received: features_a.shape=\\(10,\\)"):
        frechet_distance(np.zeros(10), a)
    with pytest.raises(ValueError, match="positive semi-definite"):
        frechet_distance_from_statistics(np.zeros(2), -np.eye(2), np.zeros(2), np.eye(2))
