"""FullStateCheckpoint / restore_latest: models, optimizers, EMA, RNG state, epoch."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
from kgan import callbacks

LATENT_DIM = 4


def tiny_gan(seed=0):
    keras.utils.set_random_seed(seed)
    z = keras.Input((LATENT_DIM,))
    g = keras.Model(z, keras.layers.Reshape((4, 4, 1))(keras.layers.Dense(16, activation="tanh")(z)))
    images = keras.Input((4, 4, 1))
    x = keras.layers.Dropout(0.5)(keras.layers.Flatten()(images))  # a second SeedGenerator
    d = keras.Model(images, keras.layers.Dense(1)(x))
    gan = kgan.GAN(g, d, LATENT_DIM, ema_decay=0.9, seed=seed)
    gan.compile(jit_compile=False)
    return gan


def data():
    return np.random.default_rng(0).uniform(-1, 1, (16, 4, 4, 1)).astype("float32")


def state(gan):
    """Every value an exact resume needs, by name."""
    values = {}
    for prefix, variables in (
        ("g", gan.generator.weights),
        ("d", gan.discriminator.weights),
        ("ema", gan.ema_generator.weights),
        ("d_opt", gan.d_optimizer.variables),
        ("g_opt", gan.g_optimizer.variables),
        ("rng", [v for v in gan.variables if v.name == "seed_generator_state"]),
    ):
        for i, v in enumerate(variables):
            values[f"{prefix}/{i}"] = np.array(v)  # layer names differ between builds
    return values


def test_saves_every_n_epochs_and_after_the_last(tmp_path):
    gan = tiny_gan()
    gan.fit(data(), batch_size=8, epochs=5, verbose=0,
            callbacks=[callbacks.FullStateCheckpoint(str(tmp_path), every_n_epochs=2, max_to_keep=5)])
    saved = tf.train.get_checkpoint_state(str(tmp_path)).all_model_checkpoint_paths
    assert [os.path.basename(p) for p in saved] == ["ckpt-2", "ckpt-4", "ckpt-5"]


def test_restore_latest_restores_full_state(tmp_path):
    trained = tiny_gan(seed=0)
    trained.fit(data(), batch_size=8, epochs=3, verbose=0,
                callbacks=[callbacks.FullStateCheckpoint(str(tmp_path), max_to_keep=1)])
    expected = state(trained)
    assert len([k for k in expected if k.startswith("rng/")]) == 2  # noise + dropout
    assert int(trained.g_optimizer.iterations.numpy()) == 6

    fresh = tiny_gan(seed=1)  # different initial weights and RNG state
    assert any(not np.array_equal(expected[k], v) for k, v in state(fresh).items())
    assert callbacks.restore_latest(fresh, str(tmp_path)) == 3
    restored = state(fresh)
    assert restored.keys() == expected.keys()
    for key in expected:
        np.testing.assert_array_equal(restored[key], expected[key], err_msg=key)


def test_restore_latest_without_checkpoint_returns_zero(tmp_path):
    gan = tiny_gan()
    before = state(gan)
    assert callbacks.restore_latest(gan, str(tmp_path / "missing")) == 0
    for key, value in state(gan).items():
        np.testing.assert_array_equal(value, before[key])


def test_make_checkpoint_needs_a_compiled_gan():
    z = keras.Input((LATENT_DIM,))
    g = keras.Model(z, keras.layers.Reshape((4, 4, 1))(keras.layers.Dense(16)(z)))
    images = keras.Input((4, 4, 1))
    d = keras.Model(images, keras.layers.Dense(1)(keras.layers.Flatten()(images)))
    gan = kgan.GAN(g, d, LATENT_DIM)
    with pytest.raises(ValueError, match="Expected a compiled model"):
        callbacks.make_checkpoint(gan, tf.Variable(0, dtype=tf.int64))


def test_every_n_epochs_must_be_positive(tmp_path):
    with pytest.raises(ValueError, match="every_n_epochs"):
        callbacks.FullStateCheckpoint(str(tmp_path), every_n_epochs=0)
