"""The residual U-Net output (`unet_generator(residual=True)`), and the pix2pix demo that uses it by default."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
from kgan import training
from kgan.families.pix2pix import recipe
from kgan.models.unet import ResidualImages
from kgan.training import run


def _source(shape, low=-0.5, high=0.5, seed=0):
    return np.random.default_rng(seed).uniform(low, high, shape).astype("float32")


def test_residual_images_add_and_clip_by_hand():
    source = np.array([[[[0.5, -0.9, 0.9, 0.0]]]], "float32")
    correction = np.array([[[[0.25, -0.3, 0.5, -0.125]]]], "float32")
    out = np.asarray(ResidualImages()([source, correction]))
    np.testing.assert_allclose(out, [[[[0.75, -1.0, 1.0, -0.125]]]], atol=1e-7)


def test_a_new_residual_unet_is_the_identity_at_any_size_and_in_training():
    g = kgan.models.unet_generator(3, image_size=16, base_filters=4, residual=True)
    assert isinstance(g.get_layer("images"), ResidualImages) and g.output_names == ["images"]
    for shape in [(2, 16, 16, 3), (1, 5, 23, 3)]:
        x = _source(shape, -1, 1)
        np.testing.assert_array_equal(np.asarray(g(x, training=False)), x)
        np.testing.assert_array_equal(np.asarray(g(x, training=True)), x)  # dropout cannot reach a zero layer


def test_the_first_l1_gradient_reaches_only_the_output_layer_with_the_hand_value():
    # G(x) = x at the start, so L1 = mean|t - x - correction| and, with t - x = +0.1, -0.1, +0.1 in the three
    # channels (no clipping), d L1 / d bias_c = -mean(sign(t - x)_c) / 3 = [-1/3, +1/3, -1/3].
    g = kgan.models.unet_generator(3, image_size=8, base_filters=4, residual=True, dropout=0.0)
    x = _source((4, 8, 8, 3))
    t = x + np.array([0.1, -0.1, 0.1], "float32")
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.abs(t - g(x, training=True)))
    grads = dict(zip([v.path for v in g.trainable_variables], tape.gradient(loss, g.trainable_variables)))
    np.testing.assert_allclose(loss, 0.1, rtol=1e-6)
    np.testing.assert_allclose(grads["up_0/bias"], [-1 / 3, 1 / 3, -1 / 3], rtol=1e-5)
    assert np.abs(np.asarray(grads["up_0/kernel"])).max() > 0
    others = [name for name, grad in grads.items() if not name.startswith("up_0/") and np.abs(np.asarray(grad)).max() > 0]
    assert others == []  # the zero kernel blocks every earlier layer's gradient at the first step


def test_the_output_is_the_source_plus_the_correction_clipped():
    g = kgan.models.unet_generator(1, image_size=8, base_filters=4, residual=True)
    g.get_layer("up_0").bias.assign([0.5])
    x = np.array([0.8, -0.2, -1.0, 0.25], "float32").reshape(1, 1, 4, 1) * np.ones((1, 8, 1, 1), "float32")
    np.testing.assert_allclose(np.asarray(g(x))[0, 0, :, 0], [1.0, 0.3, -0.5, 0.75], atol=1e-6)


def test_residual_needs_as_many_output_channels_as_source_channels():
    with pytest.raises(ValueError, match="Expected as many output channels.*Received: channels=1, out_channels=3"):
        kgan.models.unet_generator(1, 3, image_size=8, residual=True)


def test_a_trained_residual_unet_survives_a_keras_file(tmp_path):
    g = kgan.models.unet_generator(3, image_size=8, base_filters=4, residual=True)
    rng = np.random.default_rng(1)
    for variable in g.trainable_variables:
        variable.assign(rng.normal(0, 0.1, variable.shape).astype("float32"))
    x = _source((2, 8, 8, 3), -1, 1)
    expected = np.asarray(g(x))
    assert not np.allclose(expected, x) and np.abs(expected).max() <= 1
    g.save(tmp_path / "g.keras")
    loaded = keras.models.load_model(tmp_path / "g.keras")
    np.testing.assert_allclose(np.asarray(loaded(x)), expected, atol=1e-6)


def _resolved(**options):
    config = training.TrainConfig(family="pix2pix", run_dir="unused", **options)
    return run.resolve(config).model


def test_the_demo_resolves_to_a_residual_unet_and_other_data_to_the_paper_s():
    assert _resolved().residual is True  # photo_restoration, the embedded demo
    assert _resolved(model=_config(residual=False)).residual is False  # --no-residual
    info = {"image_shape": (16, 16, 3), "target_channels": 3, "num_examples": 4}
    other = training.TrainConfig(family="pix2pix", dataset="pairs.npz", run_dir="unused")
    assert recipe.resolve(other, info).residual is False
    forced = training.TrainConfig(family="pix2pix", dataset="pairs.npz", run_dir="unused", model=_config(residual=True))
    assert recipe.resolve(forced, info).residual is True


def test_build_gives_the_residual_generator_the_config_asks_for():
    train = training.TrainConfig(family="pix2pix", run_dir="unused")
    resolved = run.resolve(train)
    model = recipe.build(resolved)
    assert isinstance(model.generator.get_layer("images"), ResidualImages)
    x = _source((2, 32, 32, 3), -1, 1)
    np.testing.assert_array_equal(np.asarray(model.translate(x)), x)  # untrained: the identity


def _config(**fields):
    from kgan.families.pix2pix.config import Config

    return Config(**fields)
