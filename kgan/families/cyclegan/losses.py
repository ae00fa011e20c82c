"""The CycleGAN objective (Zhu et al. 2017, eqs. 1-3 and section 5.2), as pure functions.

With generators G: A -> B, F: B -> A and discriminators D_B (real B vs G(a)),
D_A (real A vs F(b)), least-squares adversarial terms (Mao et al. 2017), as
the paper trains them, and the reference implementation's weights:

    L_G = (D_B(G(a)) - 1)^2 + (D_A(F(b)) - 1)^2                     adversarial
        + lambda_cyc * (|F(G(a)) - a| + |G(F(b)) - b|)               cycle, lambda_cyc = 10
        + lambda_id * (|F(a) - a| + |G(b) - b|)                      identity, lambda_id = 0.5 lambda_cyc
    L_D = 0.5 * ((D(real) - 1)^2 + D(fake)^2)                        for each D

Every term is a mean over pixels (and patch logits) and the batch. The D
loss is halved, "which slows down the rate at which D learns relative to G".
"""

import tensorflow as tf

from kgan import losses


def discriminator_loss(real_logits, fake_logits):
    """0.5 * (mean (D(real) - 1)^2 + mean D(fake)^2): `kgan.losses.least_squares_discriminator_loss`."""
    return losses.least_squares_discriminator_loss(real_logits, fake_logits)


def adversarial_loss(fake_logits):
    """mean (D(G(x)) - 1)^2: the generator's least-squares term (the reference's MSE to 1)."""
    return tf.reduce_mean(tf.square(tf.cast(fake_logits, tf.float32) - 1.0))


def cycle_loss(real, reconstructed):
    """mean |real - F(G(real))|: the cycle-consistency term of one direction."""
    return _l1(real, reconstructed)


def identity_loss(real, mapped):
    """mean |real - G(real)| for a generator fed its own output domain."""
    return _l1(real, mapped)


def _l1(x, y):
    return tf.reduce_mean(tf.abs(tf.cast(x, tf.float32) - tf.cast(y, tf.float32)))
