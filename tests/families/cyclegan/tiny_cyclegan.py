"""Tiny seeded CycleGAN models and unpaired data for fast tests."""

import keras
import numpy as np

import kgan

SIZE = 8


def randomize_instance_norm(model, seed=0):
    """Seeded non-trivial scales and offsets for every GroupNormalization (instance norm) layer."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, keras.layers.GroupNormalization):
            layer.gamma.assign(rng.uniform(0.5, 1.5, layer.gamma.shape).astype("float32"))
            layer.beta.assign(rng.normal(0.0, 0.5, layer.beta.shape).astype("float32"))
    return model


def generator(in_channels, out_channels, name):
    """A two-layer translation network made of the ResNet generator's kinds of layers.

    A stride-2 convolution, instance norm and ReLU, then a stride-2 transposed convolution and tanh in
    float32; input `source`, output `images`, any even size. The CycleGAN step calls the generators six
    times and differentiates through them: tracing it with these costs ~2.5x less than with
    `resnet_generator(num_blocks=0)`, and an export ~4x less. The ResNet generator itself is trained,
    saved, exported and served in test_cyclegan_cli.py and built in test_translation_networks.py.
    """
    source = keras.Input((None, None, in_channels), name="source")
    x = keras.layers.Conv2D(4, 3, strides=2, padding="same", use_bias=False, name="down")(source)
    x = keras.layers.ReLU(name="down_relu")(keras.layers.GroupNormalization(groups=-1, name="down_norm")(x))
    x = keras.layers.Conv2DTranspose(out_channels, 3, strides=2, padding="same", name="up")(x)
    images = keras.layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model(source, images, name=name)


def networks(a_channels=3, b_channels=3, seed=1):
    keras.utils.set_random_seed(seed)
    return (
        randomize_instance_norm(generator(a_channels, b_channels, "generator_ab"), seed + 1),
        randomize_instance_norm(generator(b_channels, a_channels, "generator_ba"), seed + 2),
        kgan.models.patchgan_discriminator(a_channels, image_size=SIZE, base_filters=2, name="discriminator_a"),
        kgan.models.patchgan_discriminator(b_channels, image_size=SIZE, base_filters=2, name="discriminator_b"),
    )


def model(pool_size=3, ema_half_life=50, compile=True, **kwargs):
    cyclegan = kgan.CycleGAN(*networks(), image_size=SIZE, pool_size=pool_size, ema_half_life=ema_half_life,
                             domains=("plain", "fancy"), seed=3, **kwargs)
    if compile:
        cyclegan.compile()
    return cyclegan


def domains(n=16, size=SIZE + 2, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1, 1, (n, size, size, 3)).astype("float32")
    return {"a": a, "b": np.tanh(2 * a[:, ::-1] + 0.5).astype("float32")}
