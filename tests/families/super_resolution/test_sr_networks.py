"""The super-resolution networks and the model's checks of them."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
import sr_tiny


@pytest.mark.parametrize("builder", [kgan.models.rrdb_generator, kgan.models.srresnet_generator])
@pytest.mark.parametrize("scale", [2, 4])
def test_generators_are_fully_convolutional(builder, scale):
    kwargs = {"filters": 4, "blocks": 1} | ({"growth": 4} if builder is kgan.models.rrdb_generator else {})
    g = builder(scale, 3, **kwargs)
    assert [t.name.split(":")[0] for t in g.inputs] == ["images_lr"]
    for size in [(5, 7), (16, 3)]:
        assert g(np.zeros((2, *size, 3), "float32")).shape == (2, size[0] * scale, size[1] * scale, 3)
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in g.layers)


def test_pixel_shuffle_is_depth_to_space_and_serializes():
    x = np.random.default_rng(0).normal(size=(2, 3, 5, 8)).astype("float32")
    layer = kgan.models.PixelShuffle(2)
    np.testing.assert_array_equal(layer(x), tf.nn.depth_to_space(x, 2))
    assert kgan.models.PixelShuffle.from_config(layer.get_config()).factor == 2
    with pytest.raises(ValueError, match="Expected `factor` to be an integer >= 2"):
        kgan.models.PixelShuffle(1)


@pytest.mark.parametrize("scale", [2, 4])
def test_the_anchor_is_nearest_neighbour_upscaling(scale):
    g = kgan.models.rrdb_generator(scale, 3, filters=4, blocks=1, growth=4, anchor=True)
    g.set_weights([np.zeros_like(w) for w in g.get_weights()])  # the learnt part outputs 0
    x = np.random.default_rng(0).uniform(-1, 1, (1, 3, 4, 3)).astype("float32")
    np.testing.assert_array_equal(g(x), np.repeat(np.repeat(x, scale, axis=1), scale, axis=2))


def test_scale_checks():
    with pytest.raises(ValueError, match=r"Expected `scale` to be one of \[2, 4\]"):
        kgan.models.rrdb_generator(3)
    g, d = sr_tiny.networks(scale=2)
    with pytest.raises(ValueError, match="upscales .* by the scale 4"):
        kgan.SuperResolutionGAN(g, d, scale=4)


def test_vgg_discriminator_shapes_and_options():
    d = kgan.models.vgg_discriminator(32, 1, base_filters=4, stages=4, dense_units=8, normalization=None)
    assert d(np.zeros((3, 32, 32, 1), "float32")).shape == (3, 1)
    assert [layer.name for layer in d.layers if "conv" in layer.name][-1] == "conv_7"
    layer_norm = kgan.models.vgg_discriminator(16, 3, base_filters=4, stages=2, dense_units=8, normalization="layer")
    assert any(isinstance(layer, keras.layers.LayerNormalization) for layer in layer_norm.layers)
    with pytest.raises(ValueError, match=r"multiple of 2\*\*stages = 16"):
        kgan.models.vgg_discriminator(24, 3)
    with pytest.raises(ValueError, match="Expected `normalization`"):
        kgan.models.vgg_discriminator(16, 3, stages=2, normalization="group")


def test_the_model_refuses_bad_batches_and_settings():
    model = sr_tiny.model(2)
    pairs = sr_tiny.pairs(8)
    with pytest.raises(ValueError, match="Expected square crops for augment=True"):
        model.train_step((pairs["lr"][:, :, :6], pairs["hr"][:, :, :12]))
    with pytest.raises(ValueError, match=r"Expected \(lr, hr\) batches"):
        model.train_step({"lr": pairs["lr"]})
    g, d = sr_tiny.networks(2)
    with pytest.raises(ValueError, match="Expected a feature extractor"):
        kgan.SuperResolutionGAN(g, d, 2, perceptual_weight=1.0)
    with pytest.raises(ValueError, match="Expected `gan_loss` to be one of"):
        kgan.SuperResolutionGAN(g, d, 2, gan_loss="hinge")


def test_loss_weights_default_to_esrgan_with_a_perceptual_loss_and_pixel_only_without():
    g, d = sr_tiny.networks(2)
    plain = kgan.SuperResolutionGAN(g, d, 2)
    assert (plain.pixel_weight, plain.perceptual_weight, plain.gan_weight) == (1.0, 0.0, 5e-3)
    features = keras.Sequential([keras.Input((None, None, 3)), keras.layers.Conv2D(2, 3)])
    g, d = sr_tiny.networks(2)
    esrgan = kgan.SuperResolutionGAN(g, d, 2, perceptual=features)
    assert (esrgan.pixel_weight, esrgan.perceptual_weight, esrgan.gan_weight) == (1e-2, 1.0, 5e-3)
