"""kgan.latent: sampling, interpolation and arithmetic in the latent space."""

import numpy as np
import pytest

from kgan import latent


def test_sample_latent_shape_dtype_and_seed():
    z = latent.sample_latent(5, 7, seed=3)
    assert z.shape == (5, 7) and z.dtype == np.float32
    np.testing.assert_array_equal(z, latent.sample_latent(5, 7, seed=3))
    assert not np.array_equal(z, latent.sample_latent(5, 7, seed=4))
    # The one documented convention: numpy's default_rng standard normals.
    np.testing.assert_array_equal(z, np.random.default_rng(3).standard_normal((5, 7)).astype("float32"))
    # A prefix of a larger draw is the smaller draw (same seed, same stream).
    np.testing.assert_array_equal(latent.sample_latent(8, 7, seed=3)[:5], z)
    assert latent.sample_latent(0, 7).shape == (0, 7)


@pytest.mark.parametrize("n", [-1, 2.5, "3", None])
def test_sample_latent_bad_n(n):
    with pytest.raises(ValueError, match="Expected `n` to be a non-negative integer. Received: n="):
        latent.sample_latent(n, 4)


def test_lerp_endpoints_midpoint_and_spacing():
    z0, z1 = np.array([1.0, -2.0, 0.0]), np.array([3.0, 2.0, 4.0])
    path = latent.lerp(z0, z1, 5)
    assert path.shape == (5, 3) and path.dtype == np.float32
    np.testing.assert_allclose(path[0], z0)
    np.testing.assert_allclose(path[-1], z1)
    np.testing.assert_allclose(path[2], [2.0, 0.0, 2.0])
    np.testing.assert_allclose(np.diff(path, axis=0), np.tile((z1 - z0) / 4, (4, 1)), rtol=1e-6)


def test_slerp_keeps_the_norm_of_equal_norm_endpoints():
    rng = np.random.default_rng(0)
    z0 = rng.standard_normal(16)
    z1 = rng.standard_normal(16)
    z1 *= np.linalg.norm(z0) / np.linalg.norm(z1)
    path = latent.slerp(z0, z1, 9)
    assert path.shape == (9, 16) and path.dtype == np.float32
    np.testing.assert_allclose(path[0], z0, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(path[-1], z1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), np.linalg.norm(z0), rtol=1e-5)
    # ... where lerp's midpoint dips towards the origin.
    assert np.linalg.norm(latent.lerp(z0, z1, 9)[4]) < 0.95 * np.linalg.norm(z0)


def test_slerp_of_orthogonal_unit_vectors_follows_the_quarter_circle():
    path = latent.slerp([1.0, 0.0], [0.0, 1.0], 3)
    np.testing.assert_allclose(path[1], [np.sqrt(0.5), np.sqrt(0.5)], rtol=1e-6)
    angles = np.arctan2(latent.slerp([1.0, 0.0], [0.0, 1.0], 5)[:, 1], latent.slerp([1.0, 0.0], [0.0, 1.0], 5)[:, 0])
    np.testing.assert_allclose(angles, np.linspace(0, np.pi / 2, 5), atol=1e-6)


@pytest.mark.parametrize("factor", [2.0, -1.0, 1.0])
def test_slerp_falls_back_to_lerp_for_parallel_vectors(factor):
    z0 = np.array([1.0, 2.0, -1.0])
    z1 = factor * z0
    path = latent.slerp(z0, z1, 4)
    assert np.all(np.isfinite(path))
    np.testing.assert_allclose(path, latent.lerp(z0, z1, 4), rtol=1e-6)


def test_slerp_with_a_zero_endpoint_falls_back_to_lerp():
    path = latent.slerp([0.0, 0.0], [1.0, 1.0], 3)
    assert np.all(np.isfinite(path))
    np.testing.assert_allclose(path, latent.lerp([0.0, 0.0], [1.0, 1.0], 3))


@pytest.mark.parametrize("fn", [latent.lerp, latent.slerp])
def test_interpolation_errors(fn):
    with pytest.raises(ValueError, match=r"same shape. Received: \(3,\) and \(2,\)"):
        fn(np.ones(3), np.ones(2), 4)
    for steps in (1, 0, 2.0, "4"):
        with pytest.raises(ValueError, match="Expected `steps` to be an integer >= 2. Received: steps="):
            fn(np.ones(3), np.zeros(3), steps)


def test_arithmetic_uses_the_mean_of_each_group():
    smiling_woman = np.array([[1.0, 2.0, 0.0], [3.0, 2.0, 2.0], [2.0, 2.0, 1.0]])  # mean [2, 2, 1]
    woman = np.array([[1.0, 0.0, 0.0], [1.0, 2.0, 0.0]])  # mean [1, 1, 0]
    man = np.array([[0.0, 0.0, 5.0]])
    got = latent.arithmetic([smiling_woman, man], [woman])
    assert got.shape == (3,) and got.dtype == np.float32
    np.testing.assert_allclose(got, [1.0, 1.0, 6.0])


def test_arithmetic_single_vectors_and_base():
    a, b = np.array([1.0, 2.0]), np.array([0.5, 0.5])
    np.testing.assert_allclose(latent.arithmetic([a], [b]), [0.5, 1.5])
    np.testing.assert_allclose(latent.arithmetic([a], base=[10.0, 20.0]), [11.0, 22.0])
    np.testing.assert_allclose(latent.arithmetic([], [b], base=[1.0, 1.0]), [0.5, 0.5])
    base = np.array([1.0, 1.0], "float32")
    latent.arithmetic([a], base=base)
    np.testing.assert_array_equal(base, [1.0, 1.0])  # the caller's base is not modified


def test_arithmetic_errors():
    with pytest.raises(ValueError, match="at least one group"):
        latent.arithmetic([])
    with pytest.raises(ValueError, match=r"same size. Received sizes: \[2, 3\]"):
        latent.arithmetic([np.ones(2)], [np.ones(3)])
