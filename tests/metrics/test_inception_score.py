import numpy as np
import pytest

from kgan.metrics import inception_score


def test_uniform_probabilities_score_one():
    mean, std = inception_score(np.full((50, 10), 0.1), splits=5)
    assert mean == pytest.approx(1.0, rel=1e-12)
    assert std == pytest.approx(0.0, abs=1e-12)


def test_confident_distinct_classes_score_number_of_classes():
    assert inception_score(np.eye(7), splits=1) == pytest.approx((7.0, 0.0))
    # 10 splits of 7 rows, each one image of every class.
    mean, std = inception_score(np.tile(np.eye(7), (10, 1)), splits=10)
    assert mean == pytest.approx(7.0, rel=1e-12)
    assert std == pytest.approx(0.0, abs=1e-12)


def test_hand_computed_two_class_example():
    probs = np.array([[1.0, 0.0], [0.5, 0.5]])
    # p(y) = [0.75, 0.25]; KL_1 = log(1 / 0.75); KL_2 = 0.5 log(0.5/0.75) + 0.5 log(0.5/0.25).
    kl_1 = np.log(1 / 0.75)
    kl_2 = 0.5 * np.log(0.5 / 0.75) + 0.5 * np.log(0.5 / 0.25)
    mean, _ = inception_score(probs, splits=1)
    assert mean == pytest.approx(np.exp((kl_1 + kl_2) / 2), rel=1e-12)


def test_leftover_rows_are_dropped_like_the_reference():
    probs = np.concatenate([np.tile(np.eye(4), (2, 1)), np.full((3, 4), 0.25)])
    # 11 rows, 2 splits of 5: rows 10.. are dropped.
    first, second = probs[:5], probs[5:10]
    expected = [inception_score(first, 1)[0], inception_score(second, 1)[0]]
    assert inception_score(probs, splits=2) == pytest.approx((np.mean(expected), np.std(expected)))


def test_rejects_non_probabilities():
    with pytest.raises(ValueError, match="Expected `probs` to hold probabilities"):
        inception_score(np.ones((10, 3)), splits=1)
    with pytest.raises(ValueError, match="Received: probs.shape=\\(5, 3\\), splits=10"):
        inception_score(np.full((5, 3), 1 / 3), splits=10)
