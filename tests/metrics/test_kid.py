import numpy as np
import pytest

from kgan.metrics import kernel_inception_distance


def kernel(x, y):
    return (np.dot(x, y) / len(x) + 1.0) ** 3


def reference_mmd(x, y):
    """The unbiased MMD^2 of the KID paper, written as plain double sums."""
    m, n = len(x), len(y)
    k_xx = sum(kernel(x[i], x[j]) for i in range(m) for j in range(m) if i != j)
    k_yy = sum(kernel(y[i], y[j]) for i in range(n) for j in range(n) if i != j)
    k_xy = sum(kernel(x[i], y[j]) for i in range(m) for j in range(n))
    return k_xx / (m * (m - 1)) + k_yy / (n * (n - 1)) - 2.0 * k_xy / (m * n)


def features(seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(40, 6)), 0.8 * rng.normal(size=(40, 6)) + 0.4


def test_whole_sets_match_reference():
    a, b = features(0)
    # subset_size >= n: every subset is a permutation of the whole sets,
    # and the estimate does not depend on the order.
    mean, std = kernel_inception_distance(a, b, num_subsets=3, subset_size=100, seed=0)
    assert mean == pytest.approx(reference_mmd(a, b), rel=1e-6)
    assert std == pytest.approx(0.0, abs=1e-9 * abs(mean))


def test_subsets_match_reference_with_documented_draws():
    a, b = features(1)
    a = np.concatenate([a, a[:20] + 0.1])  # unequal sizes: 60 and 40
    mean, std = kernel_inception_distance(a, b, num_subsets=4, subset_size=25, seed=7)
    rng = np.random.default_rng(7)
    mmds = []
    for _ in range(4):
        x = a[rng.choice(len(a), 25, replace=False)]
        y = b[rng.choice(len(b), 25, replace=False)]
        mmds.append(reference_mmd(x, y))
    assert mean == pytest.approx(np.mean(mmds), rel=1e-6)
    assert std == pytest.approx(np.std(mmds), rel=1e-6)


def test_same_distribution_near_zero_and_shift_positive():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(400, 8)), rng.normal(size=(400, 8))
    same, same_std = kernel_inception_distance(a, b, num_subsets=20, subset_size=200, seed=0)
    shifted, _ = kernel_inception_distance(a, b + 1.0, num_subsets=20, subset_size=200, seed=0)
    assert abs(same) < 3 * same_std + 1e-3
    assert shifted > 0.5
    again = kernel_inception_distance(a, b + 1.0, num_subsets=20, subset_size=200, seed=0)
    assert again[0] == shifted


def test_rejects_bad_arguments():
    a, b = features(3)
    with pytest.raises(ValueError, match="Received: num_subsets=0"):
        kernel_inception_distance(a, b, num_subsets=0)
    with pytest.raises(ValueError, match="same feature dimension"):
        kernel_inception_distance(a, b[:, :3])
