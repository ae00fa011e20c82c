"""Gradient penalties that are exact per example, or refused.

WGAN-GP and R1 need the gradient of each example's own logit with respect to
its own input. They are computed from the gradient of the sum of the logits,
which is that per-example gradient only when no layer couples the examples of
a batch. Batch norm in training mode does (each logit depends on the batch's
mean and variance, hence on every other image), so a penalised discriminator
must use layer norm, instance norm or none: `check_exact` refuses the rest.
"""

import keras
import tensorflow as tf

from kgan import losses


def batch_coupled_layers(network):
    """Names of the layers of `network` whose outputs mix the examples of a batch.

    `BatchNormalization` (and its synchronised variant), and any layer that
    sets `batch_coupled = True` (e.g. a minibatch standard-deviation layer).
    """
    found = []
    for layer in network._flatten_layers(include_self=False, recursive=True):
        if isinstance(layer, keras.layers.BatchNormalization) or getattr(layer, "batch_coupled", False):
            found.append(layer.name)
    return found


def check_exact(network, name, gp_weight, r1_weight):
    """Raises `ValueError` if a penalty is set and `network` couples examples."""
    if not (gp_weight or r1_weight):
        return
    coupled = batch_coupled_layers(network)
    if coupled:
        raise ValueError(
            f"Expected a {name} without batch-coupled layers when a gradient penalty is set "
            f"(gp_weight={gp_weight}, r1_weight={r1_weight}): the penalty needs each example's own "
            f"input gradient, which batch norm mixes across the batch. Use layer norm or none "
            f"(e.g. kgan.models.dcgan_discriminator(..., normalization='layer')). "
            f"Received: a {name} with {coupled}"
        )


def interpolation_weights(uniform, batch_size, rank):
    """One alpha per example, shaped `(batch, 1, ..., 1)` to broadcast over inputs of `rank`."""
    return uniform(tf.stack([batch_size] + [1] * (rank - 1)))


def gradient_penalty(critic, real, fake, uniform):
    """WGAN-GP on the interpolates of `real` and `fake`, with alpha drawn by `uniform`."""
    alpha = interpolation_weights(uniform, tf.shape(real)[0], len(real.shape))
    return losses.gradient_penalty(critic, real, fake, alpha)


def r1(critic, real):
    """R1 on real data."""
    return losses.r1_penalty(critic, real)


def lazy_adam(learning_rate, beta_1, beta_2, interval):
    """Adam settings for a discriminator regularised every `interval` steps (StyleGAN2, Appendix B).

    With lazy regularisation the optimizer takes `interval + 1` "steps" of
    gradient per `interval` updates, so StyleGAN2 scales the learning rate by
    `c = interval / (interval + 1)` and raises the betas to the power `c`.

    Returns:
        `(learning_rate, beta_1, beta_2)`.
    """
    c = interval / (interval + 1)
    return learning_rate * c, beta_1**c, beta_2**c
