"""TensorFlow's stateless Philox normal noise, in NumPy.

The SavedModel's `sample(n, seed)` signature draws its noise in the graph with
`tf.random.stateless_normal((n, latent_dim), seed=[seed, 0], alg="philox")`.
`stateless_normal` reproduces those numbers without TensorFlow, so an ONNX
model (which has no seeded RNG) gives the same images for the same seed. Up
to one float32 ulp differs where TensorFlow's log/sin/cos round differently.

The steps follow TensorFlow's kernels (random/philox_random.h,
random_distributions.h, stateless_random_ops.cc):
1. the seed pair is scrambled through one Philox call into a key and counter;
2. each group of 4 outputs is Philox4x32-10 on (counter + group index);
3. each pair of uint32 becomes two normals by the Box-Muller transform.
"""

import numpy as np

_MULTIPLIERS = (np.uint64(0xD2511F53), np.uint64(0xCD9E8D57))
_KEY_STEPS = (np.uint64(0x9E3779B9), np.uint64(0xBB67AE85))
_SCRAMBLE_KEY = (0x3EC8F720, 0x02461E29)
_LOW32 = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)


def philox4x32(counter, key):
    """Philox4x32 with 10 rounds (Salmon et al. 2011).

    Args:
        counter: uint32 array of shape `(4, k)`: k counters of 4 words.
        key: two uint32 words.

    Returns:
        uint32 array of shape `(4, k)`.
    """
    c = [np.asarray(word, np.uint64) for word in counter]
    k0, k1 = np.uint64(key[0]), np.uint64(key[1])
    for _ in range(10):
        p0 = _MULTIPLIERS[0] * c[0]
        p1 = _MULTIPLIERS[1] * c[2]
        c = [(p1 >> _SHIFT) ^ c[1] ^ k0, p1 & _LOW32, (p0 >> _SHIFT) ^ c[3] ^ k1, p0 & _LOW32]
        k0 = (k0 + _KEY_STEPS[0]) & _LOW32
        k1 = (k1 + _KEY_STEPS[1]) & _LOW32
    return np.stack(c).astype(np.uint32)


def _words(value):
    value = np.uint64(int(value) & 0xFFFFFFFFFFFFFFFF)
    return value & _LOW32, value >> _SHIFT


def _key_and_counter(seed0, seed1):
    # Step 1: TF scrambles the seed so that either half may be weak.
    counter = np.array([[*_words(seed0), *_words(seed1)]], np.uint64).T.astype(np.uint32)
    mix = philox4x32(counter, _SCRAMBLE_KEY)[:, 0]
    return (mix[0], mix[1]), (mix[2], mix[3])


def _unit_float(x):
    # 23 random mantissa bits under exponent 0: a float in [1, 2), minus 1.
    return ((x & np.uint32(0x7FFFFF)) | np.uint32(127 << 23)).view(np.float32) - np.float32(1.0)


def _box_muller(x0, x1):
    # Step 3, in TF's precision: 2*pi*u in double, log/sin/cos rounded to float32.
    u1 = np.maximum(_unit_float(x0), np.float32(1e-7))
    v1 = (2.0 * np.pi * _unit_float(x1).astype(np.float64)).astype(np.float32)
    radius = np.sqrt(np.float32(-2.0) * np.log(u1.astype(np.float64)).astype(np.float32))
    sin = np.sin(v1.astype(np.float64)).astype(np.float32)
    cos = np.cos(v1.astype(np.float64)).astype(np.float32)
    return sin * radius, cos * radius


def stateless_normal(n, latent_dim, seed):
    """Standard normals equal to TF's stateless Philox normals for `seed`.

    Matches `tf.random.stateless_normal((n, latent_dim), seed=[seed, 0],
    alg="philox")` to within one float32 ulp.

    Args:
        n: number of rows.
        latent_dim: number of columns.
        seed: an integer (int64 range; negative values wrap as in TF).

    Returns:
        float32 array of shape `(n, latent_dim)`.
    """
    size = int(n) * int(latent_dim)
    key, high = _key_and_counter(seed, 0)
    groups = np.arange(-(-size // 4), dtype=np.uint64)
    # Step 2: the 128-bit counter is (group index as 64 bits, scrambled high words).
    counter = np.stack(
        [
            (groups & _LOW32).astype(np.uint32),
            (groups >> _SHIFT).astype(np.uint32),
            np.full(groups.shape, high[0], np.uint32),
            np.full(groups.shape, high[1], np.uint32),
        ]
    )
    bits = philox4x32(counter, key)
    f0, f1 = _box_muller(bits[[0, 2]], bits[[1, 3]])
    values = np.stack([f0[0], f1[0], f0[1], f1[1]], axis=1).reshape(-1)
    return values[:size].reshape(int(n), int(latent_dim))
