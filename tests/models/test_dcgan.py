"""DCGAN builders: shapes, dtypes, layers and errors, on tiny seeded models."""

import keras
import numpy as np
import pytest

from kgan import models
from kgan.models import dcgan

LATENT = 8


def _z(n, seed=0, scale=1.0):
    return scale * np.random.default_rng(seed).standard_normal((n, LATENT)).astype("float32")


@pytest.mark.parametrize(
    "image_size,expected",
    [(8, (4, 1)), (16, (4, 2)), (28, (7, 2)), (32, (4, 3)), (64, (4, 4)), (128, (4, 5)), (10, (5, 1)), (12, (6, 1))],
)
def test_upsampling_plan(image_size, expected):
    assert dcgan.upsampling_plan(image_size) == expected
    start, doublings = expected
    assert start * 2**doublings == image_size


@pytest.mark.parametrize("image_size", [64, 128])
@pytest.mark.parametrize("channels", [1, 3])
def test_large_sizes_build_with_the_right_shapes(image_size, channels):
    g = models.dcgan_generator(LATENT, image_size, channels, base_filters=4)
    d = models.dcgan_discriminator(image_size, channels, base_filters=4)
    assert tuple(g.output.shape) == (None, image_size, image_size, channels)
    assert tuple(d.output.shape) == (None, 1)
    assert tuple(d.inputs[0].shape) == (None, image_size, image_size, channels)


@pytest.mark.parametrize("image_size", [8, 16, 28, 32, 64])
@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("num_classes", [None, 3])
def test_output_shapes_and_dtypes(image_size, channels, num_classes):
    keras.utils.set_random_seed(0)
    g = models.dcgan_generator(LATENT, image_size, channels, num_classes, base_filters=4, embed_dim=4)
    d = models.dcgan_discriminator(image_size, channels, num_classes, base_filters=4)
    z = _z(2)
    labels = np.array([0, 2], "int32")
    images = np.asarray(g(z if num_classes is None else [z, labels]))
    assert tuple(images.shape) == (2, image_size, image_size, channels)
    assert images.dtype == "float32"
    logits = d(images if num_classes is None else [images, labels])
    assert tuple(logits.shape) == (2, 1)
    assert logits.dtype == "float32"
    # Fixed, named input signatures (export relies on them).
    assert [i.name for i in g.inputs] == (["z"] if num_classes is None else ["z", "labels"])
    assert [i.name for i in d.inputs] == (["images"] if num_classes is None else ["images", "labels"])


def test_generator_output_is_tanh_bounded_and_saturates():
    keras.utils.set_random_seed(1)
    g = models.dcgan_generator(LATENT, 16, 3, base_filters=4)
    g.get_layer("to_rgb").kernel.assign(100.0 * g.get_layer("to_rgb").kernel)
    images = np.asarray(g(_z(4, scale=50.0), training=False))
    assert images.min() >= -1.0 and images.max() <= 1.0
    assert np.mean(np.abs(images) > 0.99) > 0.5  # large pre-activations saturate at +-1
    assert g.get_layer("images").activation is keras.activations.tanh


def test_paper_guidelines_in_the_layers():
    g = models.dcgan_generator(LATENT, 32, 1, base_filters=4)
    d = models.dcgan_discriminator(32, 1, base_filters=4)
    g_types = [type(layer).__name__ for layer in g.layers]
    d_types = [type(layer).__name__ for layer in d.layers]
    assert g_types.count("Conv2DTranspose") == 3 and "ReLU" in g_types
    assert d_types.count("Conv2D") == 3 and d_types.count("LeakyReLU") == 3
    assert not any(t in ("MaxPooling2D", "AveragePooling2D") for t in g_types + d_types)
    # Batch norm everywhere except G's output and D's input layer.
    assert d_types.count("BatchNormalization") == 2
    assert g_types.count("BatchNormalization") == 3
    assert d.get_layer("lrelu_0").negative_slope == pytest.approx(0.2)
    # Filters double per D layer and halve per G layer.
    assert [d.get_layer(f"down_{i}").filters for i in range(3)] == [4, 8, 16]
    assert [g.get_layer(f"up_{i}").filters for i in range(2)] == [8, 4]


@pytest.mark.parametrize("normalization,layer", [("batch", "BatchNormalization"), ("layer", "LayerNormalization"), (None, None)])
def test_discriminator_normalization(normalization, layer):
    d = models.dcgan_discriminator(16, 1, base_filters=4, normalization=normalization)
    types = {type(x).__name__ for x in d.layers}
    for name in ("BatchNormalization", "LayerNormalization"):
        assert (name in types) == (name == layer)


def test_conditional_generator_and_discriminator_depend_on_the_label():
    keras.utils.set_random_seed(2)
    g = models.dcgan_generator(LATENT, 8, 1, num_classes=2, base_filters=4, embed_dim=4)
    d = models.dcgan_discriminator(8, 1, num_classes=2, base_filters=4)
    z = np.repeat(_z(1), 2, axis=0)
    images = np.asarray(g([z, np.array([0, 1], "int32")], training=False))
    assert np.abs(images[0] - images[1]).max() > 1e-4
    same = np.repeat(images[:1], 2, axis=0)
    logits = np.asarray(d([same, np.array([0, 1], "int32")], training=False))
    assert abs(logits[0, 0] - logits[1, 0]) > 1e-6
    # Projection head: the logit is Dense(h) + <embed(y), h>.
    assert d.get_layer("label_projection").input_dim == 2


@pytest.mark.parametrize("image_size", [4, 7, 9, 130, 256, 16.0, "32", None])
def test_bad_image_size(image_size):
    with pytest.raises(ValueError, match=r"Expected `image_size`.*Received: image_size="):
        models.dcgan_generator(LATENT, image_size, 1)
    with pytest.raises(ValueError, match=r"Expected `image_size`.*Received: image_size="):
        models.dcgan_discriminator(image_size, 1)


@pytest.mark.parametrize("channels", [0, 2, 4, "3"])
def test_bad_channels(channels):
    with pytest.raises(ValueError, match="Expected `channels` to be 1 or 3. Received: channels="):
        models.dcgan_generator(LATENT, 8, channels)
    with pytest.raises(ValueError, match="Expected `channels` to be 1 or 3. Received: channels="):
        models.dcgan_discriminator(8, channels)


@pytest.mark.parametrize("num_classes", [0, 1, 2.0, True, "10"])
def test_bad_num_classes(num_classes):
    with pytest.raises(ValueError, match="Expected `num_classes` to be None.*Received: num_classes="):
        models.dcgan_generator(LATENT, 8, 1, num_classes=num_classes)
    with pytest.raises(ValueError, match="Expected `num_classes` to be None.*Received: num_classes="):
        models.dcgan_discriminator(8, 1, num_classes=num_classes)


def test_bad_normalization():
    with pytest.raises(ValueError, match="Expected `normalization`.*Received: normalization='spectral'"):
        models.dcgan_discriminator(8, 1, normalization="spectral")
