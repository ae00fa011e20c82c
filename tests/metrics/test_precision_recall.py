import numpy as np
import pytest

from kgan.metrics import precision_recall
from kgan.metrics.precision_recall import knn_radii


def test_points_on_a_line():
    real = np.arange(10.0)[:, None]  # k=1: every real ball has radius 1
    fake = np.array([[0.5], [2.5], [50.0], [60.0]])
    # Precision: 0.5 and 2.5 are within 1 of a real point; 50 and 60 are not.
    # Recall: fake radii are 2 (0.5 <-> 2.5) and 10 (50 <-> 60); real points
    # within 2 of 0.5 or 2.5 are 0..4.
    assert precision_recall(real, fake, k=1) == (0.5, 0.5)


def test_knn_radii_skip_the_point_itself():
    points = np.arange(5.0)[:, None]
    np.testing.assert_allclose(knn_radii(points, k=1, batch_size=2), [1, 1, 1, 1, 1])
    np.testing.assert_allclose(knn_radii(points, k=2, batch_size=2), [2, 1, 1, 1, 2])


def test_grid_and_far_cluster():
    # A 4x4 unit grid; k=1 gives every ball radius 1.
    grid = np.stack(np.meshgrid(np.arange(4.0), np.arange(4.0)), -1).reshape(-1, 2)
    near = grid[:8] + np.array([0.3, 0.0])  # rows y=0 and y=1, shifted by 0.3
    far = grid[:8] + 100.0
    precision, recall = precision_recall(grid, np.concatenate([near, far]), k=1)
    # Precision: the 8 near points are 0.3 from a grid point; far ones are out.
    assert precision == 0.5
    # Recall: generated balls also have radius 1. Grid rows y=0, 1 are 0.3
    # from a near point; row y=2 is sqrt(0.3^2 + 1) > 1 away: 8 of 16.
    assert recall == 0.5


def test_identical_and_disjoint_sets():
    points = np.random.default_rng(0).normal(size=(50, 5))
    assert precision_recall(points, points.copy(), k=3) == (1.0, 1.0)
    assert precision_recall(points, points + 100.0, k=3) == (0.0, 0.0)


def test_batching_does_not_change_the_result():
    rng = np.random.default_rng(1)
    real, fake = rng.normal(size=(120, 4)), rng.normal(size=(90, 4)) * 1.3
    assert precision_recall(real, fake, k=3, batch_size=7) == precision_recall(
        real, fake, k=3, batch_size=1000
    )


def test_rejects_too_few_points():
    with pytest.raises(ValueError, match="n >= 4"):
        precision_recall(np.zeros((3, 2)), np.zeros((10, 2)), k=3)
