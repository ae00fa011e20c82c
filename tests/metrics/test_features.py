import numpy as np
import pytest

from kgan.metrics import compute_features
from kgan.metrics import extract
from kgan.metrics.features import balanced_labels


def test_sampler_features_are_computed_batch_by_batch(make_sampler, projection):
    sampler = make_sampler()
    features = compute_features(sampler, projection, n=250, batch_size=100, seed=0)
    assert features.shape == (250, 16)
    assert sampler.requested == [100, 100, 50]  # never more than one batch
    assert projection.calls == [100, 100, 50]


def test_seed_fixes_the_images(make_sampler, projection):
    first = compute_features(make_sampler(noise=0.1), projection, n=60, batch_size=25, seed=3)
    second = compute_features(make_sampler(noise=0.1), projection, n=60, batch_size=25, seed=3)
    other = compute_features(make_sampler(noise=0.1), projection, n=60, batch_size=25, seed=4)
    np.testing.assert_array_equal(first, second)
    assert not np.allclose(first, other)


def test_conditional_sampler_gets_balanced_labels(make_sampler, projection):
    result = extract(make_sampler(), projection, n=95, batch_size=40, seed=0)
    counts = np.bincount(result.labels, minlength=10)
    assert counts.min() == 9 and counts.max() == 10
    assert result.image_shape == (8, 8, 1)
    np.testing.assert_array_equal(result.labels, balanced_labels(95, 10, seed=0))


def test_arrays_tuples_and_datasets_agree(digits, projection):
    import tensorflow as tf

    (images, labels), _ = digits
    expected = projection(images[:130])
    from_array = compute_features(images, projection, n=130, batch_size=50)
    from_tuple = extract((images, labels), projection, n=130, batch_size=50)
    dataset = tf.data.Dataset.from_tensor_slices((images, labels)).batch(32)
    from_dataset = extract(dataset, projection, n=130)
    for features in (from_array, from_tuple.features, from_dataset.features):
        np.testing.assert_allclose(features, expected, rtol=1e-6)
    np.testing.assert_array_equal(from_dataset.labels, labels[:130])


def test_rejects_images_outside_minus_one_one(projection):
    pixels = np.full((4, 8, 8, 1), 255.0, np.float32)
    with pytest.raises(ValueError, match="Expected images in \\[-1, 1\\]"):
        compute_features(pixels, projection)


def test_sampler_needs_n(make_sampler, projection):
    with pytest.raises(ValueError, match="Received: n=None"):
        compute_features(make_sampler(), projection)
