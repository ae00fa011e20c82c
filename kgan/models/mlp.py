"""MLP GAN: fully connected G and D (Goodfellow et al. 2014, arXiv 1406.2661).

The paper's D used maxout units; like most reimplementations we use
LeakyReLU(0.2) and dropout, which train more reliably.
"""

import math

import keras
from keras import layers

from kgan.models import conditioning
from kgan.models.conditioning import single_or_list as _single_or_list


def mlp_generator(
    latent_dim=100,
    image_shape=(28, 28, 1),
    num_classes=None,
    hidden_units=(256, 512, 1024),
    embed_dim=50,
    name="mlp_generator",
):
    """Builds the MLP GAN generator: z [, labels] -> images in [-1, 1].

    Args:
        latent_dim: size of the noise vector z.
        image_shape: `(height, width, channels)` of the generated images.
        num_classes: number of classes for a conditional generator, or None.
        hidden_units: widths of the hidden Dense layers.
        embed_dim: size of the label embedding (conditional only).
        name: model name.

    Returns:
        A functional `keras.Model` with inputs `z` (and `labels`) and the
        float32 output `images` of shape `(batch, *image_shape)`.
    """
    image_shape = _check_image_shape(image_shape)
    conditioning.check_num_classes(num_classes)
    inputs, x = conditioning.generator_inputs(latent_dim, num_classes, embed_dim)
    for i, units in enumerate(hidden_units):
        x = layers.Dense(units, name=f"dense_{i}")(x)
        x = layers.BatchNormalization(name=f"bn_{i}")(x)
        x = layers.LeakyReLU(0.2, name=f"lrelu_{i}")(x)
    x = layers.Dense(math.prod(image_shape), name="to_pixels")(x)
    x = layers.Reshape(image_shape, name="to_image")(x)
    images = layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model(_single_or_list(inputs), images, name=name)


def mlp_discriminator(
    image_shape=(28, 28, 1),
    num_classes=None,
    hidden_units=(1024, 512, 256),
    dropout=0.3,
    name="mlp_discriminator",
):
    """Builds the MLP GAN discriminator: images [, labels] -> logits.

    Args:
        image_shape: `(height, width, channels)` of the input images.
        num_classes: number of classes for a projection discriminator, or None.
        hidden_units: widths of the hidden Dense layers.
        dropout: dropout rate after each hidden layer.
        name: model name.

    Returns:
        A functional `keras.Model` with inputs `images` (and `labels`) and a
        float32 `(batch, 1)` logit output.
    """
    image_shape = _check_image_shape(image_shape)
    conditioning.check_num_classes(num_classes)
    inputs, images, labels = conditioning.discriminator_inputs(image_shape, num_classes)
    x = layers.Flatten(name="flatten")(images)
    for i, units in enumerate(hidden_units):
        x = layers.Dense(units, name=f"dense_{i}")(x)
        x = layers.LeakyReLU(0.2, name=f"lrelu_{i}")(x)
        x = layers.Dropout(dropout, name=f"dropout_{i}")(x)
    logits = conditioning.projection_logit(x, labels, num_classes)
    return keras.Model(_single_or_list(inputs), logits, name=name)


def _check_image_shape(image_shape):
    shape = tuple(image_shape)
    if len(shape) != 3 or not all(isinstance(d, int) and d > 0 for d in shape):
        raise ValueError(
            "Expected `image_shape` to be (height, width, channels) of positive "
            f"integers. Received: image_shape={image_shape!r}"
        )
    return shape
