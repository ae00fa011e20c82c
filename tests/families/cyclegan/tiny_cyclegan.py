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


def networks(a_channels=3, b_channels=3, seed=1):
    keras.utils.set_random_seed(seed)

    def generator(source, target, name):
        g = kgan.models.resnet_generator(source, target, image_size=SIZE, num_blocks=1, base_filters=2, name=name)
        return randomize_instance_norm(g, seed + len(name))

    return (
        generator(a_channels, b_channels, "generator_ab"),
        generator(b_channels, a_channels, "generator_ba"),
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
