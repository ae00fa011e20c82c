"""The latent space as a feature: sampling, interpolation and arithmetic.

`sample_latent` is the one convention for seeded noise outside a training
step, shared by `GAN.generate`, `kgan.inference` and `kgan sample`, so the
same seed gives the same z everywhere.
"""

import numpy as np


def sample_latent(n, latent_dim, seed=None):
    """Draws `n` standard-normal latent vectors, float32 `(n, latent_dim)`.

    Args:
        n: number of vectors.
        latent_dim: size of each vector.
        seed: an integer for reproducible noise, or None.
    """
    if not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"Expected `n` to be a non-negative integer. Received: n={n!r}")
    rng = np.random.default_rng(seed)
    return rng.standard_normal((int(n), int(latent_dim))).astype("float32")


def lerp(z0, z1, steps):
    """Linear interpolation from `z0` to `z1`, both ends included.

    Returns:
        float32 array of shape `(steps, latent_dim)`.
    """
    z0, z1, t = _endpoints(z0, z1, steps)
    return ((1.0 - t) * z0 + t * z1).astype("float32")


def slerp(z0, z1, steps):
    """Spherical interpolation (White 2016, arXiv 1609.04468).

    Follows the great circle between `z0` and `z1`, which keeps the norm
    typical of Gaussian samples where a straight line would pass through
    the low-density region near the origin. Falls back to `lerp` for
    (anti)parallel vectors and a zero endpoint, where the great circle is
    undefined.
    """
    z0, z1, t = _endpoints(z0, z1, steps)
    n0, n1 = np.linalg.norm(z0), np.linalg.norm(z1)
    if n0 == 0.0 or n1 == 0.0:
        return lerp(z0[0], z1[0], steps)
    u0, u1 = z0 / n0, z1 / n1
    omega = np.arccos(np.clip(np.dot(u0[0], u1[0]), -1.0, 1.0))
    if np.sin(omega) < 1e-6:
        return lerp(z0[0], z1[0], steps)
    w0 = np.sin((1.0 - t) * omega) / np.sin(omega)
    w1 = np.sin(t * omega) / np.sin(omega)
    return (w0 * z0 + w1 * z1).astype("float32")


def arithmetic(positive, negative=(), base=None):
    """Latent vector arithmetic, e.g. `smiling woman - woman + man`.

    Each argument is a list of groups; a group (an array of latent vectors
    of shape `(k, latent_dim)`) contributes its mean, as in the DCGAN paper,
    which averaged three exemplars per concept.

    Args:
        positive: groups to add.
        negative: groups to subtract.
        base: optional latent vector to start from.

    Returns:
        float32 vector of shape `(latent_dim,)`.
    """
    groups = [np.atleast_2d(np.asarray(g, "float32")) for g in (*positive, *negative)]
    if not groups:
        raise ValueError("Expected at least one group of latent vectors. Received: none")
    dims = {g.shape[-1] for g in groups}
    if len(dims) != 1:
        raise ValueError(
            f"Expected all latent vectors to have the same size. Received sizes: {sorted(dims)}"
        )
    result = np.zeros(dims.pop(), "float32") if base is None else np.asarray(base, "float32").copy()
    for g in groups[: len(positive)]:
        result += g.mean(axis=0)
    for g in groups[len(positive) :]:
        result -= g.mean(axis=0)
    return result


def _endpoints(z0, z1, steps):
    z0 = np.asarray(z0, "float64").reshape(1, -1)
    z1 = np.asarray(z1, "float64").reshape(1, -1)
    if z0.shape != z1.shape:
        raise ValueError(
            f"Expected z0 and z1 of the same shape. Received: {z0.shape[1:]} and {z1.shape[1:]}"
        )
    if not isinstance(steps, int) or steps < 2:
        raise ValueError(f"Expected `steps` to be an integer >= 2. Received: steps={steps!r}")
    t = np.linspace(0.0, 1.0, steps).reshape(-1, 1)
    return z0, z1, t
