import numpy as np
import pytest

from kgan.augment import labels


def test_balanced_by_default():
    np.testing.assert_allclose(labels.class_probabilities(None, 4), [0.25] * 4)


def test_sequence_and_dict_weights():
    np.testing.assert_allclose(labels.class_probabilities([1, 3], 2), [0.25, 0.75])
    np.testing.assert_allclose(labels.class_probabilities({2: 1.0}, 3), [0.0, 0.0, 1.0])


@pytest.mark.parametrize(
    "weights",
    [[1, 2], [1, -1, 1], [0, 0, 0], [1, np.nan, 1], "abc", {3: 1.0}, {0: "x"}, [[1, 1, 1]]],
)
def test_bad_weights(weights):
    with pytest.raises(ValueError, match="class_weights"):
        labels.class_probabilities(weights, 3)


@pytest.mark.parametrize("batch_size", [1, 7, 10, 32])
def test_quota_keeps_every_prefix_within_one(batch_size):
    probabilities = labels.class_probabilities([1, 2, 3, 0, 4], 5)
    quota = labels.LabelQuota(probabilities, np.random.default_rng(0))
    counts = np.zeros(5)
    for step in range(1, 60):
        batch = quota.next(batch_size)
        assert batch.shape == (batch_size,) and batch.dtype == np.int32
        counts += np.bincount(batch, minlength=5)
        assert np.all(np.abs(counts - step * batch_size * probabilities) < 1 + 1e-9)
    assert counts[3] == 0


def test_balanced_quota_is_exact_per_batch_when_divisible():
    quota = labels.LabelQuota(np.full(10, 0.1), np.random.default_rng(0))
    for _ in range(5):
        np.testing.assert_array_equal(np.bincount(quota.next(30), minlength=10), [3] * 10)
