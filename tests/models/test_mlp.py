"""MLP GAN builders: shapes, dtypes and errors."""

import keras
import numpy as np
import pytest

from kgan import models


@pytest.mark.parametrize("image_shape", [(8, 8, 1), (6, 10, 3)])
@pytest.mark.parametrize("num_classes", [None, 4])
def test_output_shapes_and_dtypes(image_shape, num_classes):
    keras.utils.set_random_seed(0)
    g = models.mlp_generator(8, image_shape, num_classes, hidden_units=(16, 16), embed_dim=4)
    d = models.mlp_discriminator(image_shape, num_classes, hidden_units=(16,))
    z = np.random.default_rng(0).standard_normal((3, 8)).astype("float32")
    labels = np.array([0, 1, 3], "int32")
    images = np.asarray(g(z if num_classes is None else [z, labels]))
    assert tuple(images.shape) == (3, *image_shape) and images.dtype == "float32"
    logits = d(images if num_classes is None else [images, labels])
    assert tuple(logits.shape) == (3, 1) and logits.dtype == "float32"
    assert [i.name for i in g.inputs] == (["z"] if num_classes is None else ["z", "labels"])


def test_hidden_units_and_tanh_range():
    keras.utils.set_random_seed(1)
    g = models.mlp_generator(8, (4, 4, 1), hidden_units=(5, 7, 9))
    d = models.mlp_discriminator((4, 4, 1), hidden_units=(11, 13), dropout=0.5)
    assert [g.get_layer(f"dense_{i}").units for i in range(3)] == [5, 7, 9]
    assert [d.get_layer(f"dense_{i}").units for i in range(2)] == [11, 13]
    assert d.get_layer("dropout_0").rate == 0.5
    z = 100.0 * np.random.default_rng(0).standard_normal((4, 8)).astype("float32")
    images = np.asarray(g(z))
    assert images.min() >= -1.0 and images.max() <= 1.0


def test_dropout_is_active_only_in_training():
    keras.utils.set_random_seed(2)
    d = models.mlp_discriminator((4, 4, 1), hidden_units=(64,), dropout=0.5)
    x = np.ones((2, 4, 4, 1), "float32")
    np.testing.assert_array_equal(np.asarray(d(x, training=False)), np.asarray(d(x, training=False)))
    assert not np.allclose(np.asarray(d(x, training=True)), np.asarray(d(x, training=False)))


@pytest.mark.parametrize("image_shape", [(8, 8), (8, 8, 1, 1), (0, 8, 1), (8.0, 8, 1), "8x8"])
def test_bad_image_shape(image_shape):
    with pytest.raises(ValueError, match=r"Expected `image_shape` to be \(height, width, channels\)"):
        models.mlp_generator(8, image_shape)
    with pytest.raises(ValueError, match=r"Expected `image_shape`"):
        models.mlp_discriminator(image_shape)


def test_bad_num_classes():
    with pytest.raises(ValueError, match="Received: num_classes=1"):
        models.mlp_generator(8, (4, 4, 1), num_classes=1)
    with pytest.raises(ValueError, match="Received: num_classes=1"):
        models.mlp_discriminator((4, 4, 1), num_classes=1)
