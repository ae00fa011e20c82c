import keras
import numpy as np
import pytest

import kgan
from kgan import augment


def _classifier(layer):
    model = keras.Sequential([keras.Input((8, 8, 1)), layer, keras.layers.Flatten(), keras.layers.Dense(3)])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def test_identity_at_inference_and_share_in_training(conditional_generator):
    layer = augment.SyntheticReplacement(conditional_generator, fraction=0.25, value_range=(0, 1), seed=0)
    images = np.full((8, 8, 8, 1), 2.0, "float32")  # outside (0, 1): generated images never equal it
    np.testing.assert_array_equal(layer(images), images)
    out = np.asarray(layer(images, training=True))
    replaced = ~np.all(out == 2.0, axis=(1, 2, 3))
    assert replaced.sum() == 2
    assert out[replaced].min() >= 0.0 and out[replaced].max() <= 1.0
    assert not np.array_equal(out, np.asarray(layer(images, training=True)))  # fresh noise each call


def test_generator_is_a_frozen_copy(conditional_generator):
    layer = augment.SyntheticReplacement(conditional_generator, fraction=0.5)
    model = _classifier(layer)
    assert conditional_generator.trainable
    assert len(model.trainable_weights) == 2  # the Dense kernel and bias only
    assert layer.generator is not conditional_generator


def test_works_inside_fit_and_saves(conditional_generator, unconditional_generator, tmp_path):
    x = np.random.default_rng(0).uniform(-1, 1, (32, 8, 8, 1)).astype("float32")
    y = np.arange(32) % 3
    for generator in (conditional_generator, unconditional_generator):
        model = _classifier(augment.SyntheticReplacement(generator, fraction=0.5, seed=1))
        model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    path = tmp_path / "classifier.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
    original, copy = model.layers[0].generator, restored.layers[0].generator
    for a, b in zip(original.get_weights(), copy.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_accepts_a_gan():
    g, d = kgan.models.build("dcgan_tiny", image_size=8, channels=1, num_classes=3)
    gan = kgan.GAN(g, d, latent_dim=16, num_classes=3, ema_decay=0.9)
    layer = augment.SyntheticReplacement(gan, fraction=1.0)
    assert layer.num_classes == 3 and layer.latent_dim == 16
    assert layer(np.zeros((4, 8, 8, 1), "float32"), training=True).shape == (4, 8, 8, 1)


@pytest.mark.parametrize("fraction", [-0.5, 1.01, "all"])
def test_fraction_outside_unit_interval(conditional_generator, fraction):
    with pytest.raises(ValueError, match="Expected `fraction` to be a number in \\[0, 1\\]"):
        augment.SyntheticReplacement(conditional_generator, fraction=fraction)


def test_bad_generators(conditional_generator, unconditional_generator):
    with pytest.raises(ValueError, match="match the generator's 3 classes"):
        augment.SyntheticReplacement(conditional_generator, fraction=0.5, num_classes=4)
    with pytest.raises(ValueError, match="unconditional generator"):
        augment.SyntheticReplacement(unconditional_generator, fraction=0.5, num_classes=3)
