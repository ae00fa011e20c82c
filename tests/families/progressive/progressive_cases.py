"""Tiny seeded progressive GANs (4 -> 8 -> 16) for the family's fast tests."""

import keras
import numpy as np

import kgan

LATENT = 8
SIZE = 16


def networks(num_classes=None, size=SIZE, seed=1, **options):
    """A tiny G/D pair: 8 filters at every level."""
    keras.utils.set_random_seed(seed)
    g_options = {k: options.pop(k) for k in ("pixel_norm",) if k in options}
    d_options = {k: options.pop(k) for k in ("minibatch_stddev", "group_size") if k in options}
    g = kgan.models.progressive_generator(
        LATENT, size, 1, num_classes, max_filters=8, filter_base=128, embed_dim=4, **g_options, **options
    )
    d = kgan.models.progressive_discriminator(size, 1, num_classes, max_filters=8, filter_base=128, **d_options, **options)
    return g, d


def model(
    num_classes=None, fade_images=8, stabilize_images=8, compile=True, seed=1, jit_compile=False, size=SIZE,
    run_eagerly=True, **kwargs
):
    """A compiled tiny `ProgressiveGAN`; with the defaults and batches of 8, one phase per step.

    `fit` runs its step eagerly unless `run_eagerly=False`: tracing a fresh
    model's step (a switch over the levels, each with the penalty's double
    backward pass) takes ~5 s, while the few steps a test needs take well
    under 1 s eagerly. The step is the same code either way; the compiled
    `fit` is checked by test_fit_visits_every_phase_with_the_hand_computed_alpha
    and test_the_step_applies_exactly_the_current_levels_gradient
    (test_progressive_model.py), by the contract's `.keras` continuation
    (a loaded model compiles its step), by the CLI run (test_progressive_recipe.py)
    and under MirroredStrategy (test_progressive_under_mirrored_strategy.py);
    with --runslow, the contract without labels and the 4 -> 8 -> 16 resume
    run compiled too.
    """
    network_options = {k: kwargs.pop(k) for k in ("pixel_norm", "minibatch_stddev", "group_size", "equalized") if k in kwargs}
    g, d = networks(num_classes, size=size, seed=seed, **network_options)
    kwargs.setdefault("ema_half_life", 100)
    gan = kgan.ProgressiveGAN(g, d, fade_images=fade_images, stabilize_images=stabilize_images, seed=3, **kwargs)
    if compile:
        gan.compile(jit_compile=jit_compile)
        gan.run_eagerly = run_eagerly
    return gan


def examples(n=24, num_classes=None, size=SIZE, seed=0):
    x = np.random.default_rng(seed).uniform(-1, 1, (n, size, size, 1)).astype("float32")
    return (x, (np.arange(n) % num_classes).astype("int32")) if num_classes else x


def export_inputs(num_classes=None, n=5):
    z = kgan.latent.sample_latent(n, LATENT, seed=4)
    return {"z": z, "labels": (np.arange(n) % num_classes).astype("int32")} if num_classes else {"z": z}
