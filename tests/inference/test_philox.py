"""kgan.inference.philox reproduces TF's stateless Philox normals."""

import numpy as np
import pytest
import tensorflow as tf

from kgan.inference import philox


@pytest.mark.parametrize("seed", [0, 1, 7, -5, 2**40 + 3, 2**63 - 1, -(2**63)])
@pytest.mark.parametrize("shape", [(1, 8), (7, 8), (3, 5), (64, 100)])
def test_matches_tf_stateless_normal(seed, shape):
    expected = tf.random.stateless_normal(shape, seed=tf.constant([seed, 0], tf.int64), alg="philox").numpy()
    got = philox.stateless_normal(*shape, seed)
    assert got.shape == shape and got.dtype == np.float32
    # Same numbers up to one float32 ulp where TF's log/sin/cos round differently.
    np.testing.assert_allclose(got, expected, rtol=0, atol=5e-7)
    if got.size >= 1000:
        assert np.mean(got == expected) > 0.9  # most values are bit-identical


def test_uniform_bits_match_tf_exactly():
    # The integer part (seed scrambling, counters, Philox rounds) is exact.
    counter = np.array([[1, 2], [0, 0], [3, 4], [5, 6]], np.uint32)
    a = philox.philox4x32(counter, (11, 13))
    b = philox.philox4x32(counter[:, :1], (11, 13))
    np.testing.assert_array_equal(a[:, :1], b)
    uniform = tf.random.stateless_uniform((40,), seed=tf.constant([3, 0], tf.int64), alg="philox").numpy()
    key, high = philox._key_and_counter(3, 0)
    groups = np.arange(10, dtype=np.uint64)
    counter = np.stack([groups.astype(np.uint32), np.zeros(10, np.uint32), np.full(10, high[0]), np.full(10, high[1])])
    bits = philox.philox4x32(counter.astype(np.uint32), key)
    np.testing.assert_array_equal(philox._unit_float(bits.T.reshape(-1)), uniform)


def test_empty_and_deterministic():
    assert philox.stateless_normal(0, 4, 1).shape == (0, 4)
    np.testing.assert_array_equal(philox.stateless_normal(3, 4, 9), philox.stateless_normal(3, 4, 9))
    # A prefix of a larger draw is the smaller draw, as in TF (counters run row-major).
    np.testing.assert_array_equal(philox.stateless_normal(5, 4, 9)[:3], philox.stateless_normal(3, 4, 9))
