"""Tiny seeded networks, one per exported family, with non-trivial batch-norm statistics."""

import keras

from kgan import specs
from kgan.models import dcgan_generator
from kgan.models import mlp_generator
from tiny_models import randomize_batch_norm

LATENT_DIM = 8
NUM_CLASSES = 3


def build(family, seed=0):
    """A tiny generator of `family`: "mlp", "dcgan" or "cdcgan" (conditional DCGAN)."""
    keras.utils.set_random_seed(seed)
    if family == "mlp":
        generator = mlp_generator(LATENT_DIM, (8, 8, 1), hidden_units=(16,), name="mlp")
    elif family == "dcgan":
        generator = dcgan_generator(LATENT_DIM, 16, 3, base_filters=8, name="dcgan")
    else:
        generator = dcgan_generator(LATENT_DIM, 8, 1, num_classes=NUM_CLASSES, base_filters=8, name="cdcgan")
    return randomize_batch_norm(generator, seed)


def translator(seed=0, name="maps"):
    """A tiny fully convolutional image-to-image network: `source` (any H, W, 3) -> `images`."""
    keras.utils.set_random_seed(seed)
    source = keras.Input((None, None, 3), name="source")
    x = keras.layers.Conv2D(8, 3, strides=2, padding="same")(source)
    x = keras.layers.BatchNormalization(name="bn_down")(x)
    x = keras.layers.LeakyReLU(0.2)(x)
    x = keras.layers.Conv2DTranspose(8, 4, strides=2, padding="same")(x)
    x = keras.layers.BatchNormalization(name="bn_up")(x)
    x = keras.layers.Concatenate()([keras.layers.ReLU()(x), source])
    images = keras.layers.Conv2D(3, 3, padding="same", activation="tanh", name="images")(x)
    return randomize_batch_norm(keras.Model(source, images, name=name), seed)


def translate_spec():
    image = specs.TensorSpec("source", (None, None, 3), "float32", "image", value_range=(-1.0, 1.0))
    output = specs.TensorSpec("images", (None, None, 3), "float32", "image", value_range=(-1.0, 1.0))
    return specs.ModelSpec("translate", (image,), (output,))


def voxel_generator(seed=0):
    """A tiny 3-D generator: `z` (8,) -> occupancy `images` (8, 8, 8, 1) through Conv3D."""
    keras.utils.set_random_seed(seed)
    z = keras.Input((LATENT_DIM,), name="z")
    x = keras.layers.Dense(4 * 4 * 4 * 4)(z)
    x = keras.layers.Reshape((4, 4, 4, 4))(x)
    x = keras.layers.BatchNormalization(name="bn_project")(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.Conv3DTranspose(4, 4, strides=2, padding="same")(x)
    x = keras.layers.BatchNormalization(name="bn_1")(x)
    x = keras.layers.ReLU()(x)
    images = keras.layers.Conv3D(1, 3, padding="same", activation="tanh", name="images")(x)
    return randomize_batch_norm(keras.Model(z, images, name="voxels"), seed)
