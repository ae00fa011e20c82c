"""`.keras` files written by kgan 0.1's `kgan.GAN` still load, sample and train.

The fixtures were written by kgan 0.1.0 (commit b47bde7) with two epochs of
training, so the optimizers hold state; `*_expected.npy` are the images their
sampling generator made from `kgan.latent.sample_latent(4, 8, 0)` then.
"""

import os

import keras
import numpy as np
import pytest

import kgan

LEGACY = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "legacy")


@pytest.mark.parametrize("name,classes", [("gan_v0_1_conditional_ema", 3), ("gan_v0_1_unconditional", None)])
def test_legacy_keras_file_loads_samples_and_trains(name, classes):
    gan = keras.models.load_model(os.path.join(LEGACY, name + ".keras"))
    assert isinstance(gan, kgan.GAN) and gan.num_classes == classes
    assert int(gan.g_optimizer.iterations) == int(gan.d_optimizer.iterations) == 4
    assert (gan.ema_generator is not None) == (classes is not None)
    z = kgan.latent.sample_latent(4, 8, 0)
    inputs = [z, np.arange(4, dtype="int32") % 3] if classes else z
    expected = np.load(os.path.join(LEGACY, name + "_expected.npy"))
    np.testing.assert_allclose(np.asarray(gan.sampling_generator(inputs, training=False)), expected, atol=1e-6)
    x = np.random.default_rng(1).uniform(-1, 1, (16, 8, 8, 1)).astype("float32")
    data = (x, np.arange(16, dtype="int32") % 3) if classes else (x,)
    before = [np.array(w) for w in gan.generator.trainable_weights]
    gan.fit(*data, batch_size=8, epochs=1, verbose=0)
    assert int(gan.g_optimizer.iterations) == 6
    assert any(not np.array_equal(b, np.asarray(a)) for b, a in zip(before, gan.generator.trainable_weights))
