"""The pix2pix objective (Isola et al. 2017, eq. 4), as pure functions.

    G* = arg min_G max_D  L_cGAN(G, D) + lambda * L_L1(G),   lambda = 100

- `discriminator_loss`: D's cross-entropy on (source, target) pairs labelled
  real and (source, G(source)) pairs labelled fake, averaged over the patch
  logits and halved, as the paper does "to slow down the rate at which D
  learns relative to G";
- `generator_adversarial_loss`: the non-saturating -log D(source, G(source));
- `l1_loss`: mean |target - G(source)|, which "encourages less blurring"
  than L2 and carries the low frequencies.
"""

import tensorflow as tf

from kgan import losses


def discriminator_loss(real_logits, fake_logits):
    """0.5 * (mean -log D(x, y) + mean -log(1 - D(x, G(x)))) over every patch."""
    return 0.5 * losses.minimax_discriminator_loss(real_logits, fake_logits)


def generator_adversarial_loss(fake_logits):
    """mean -log D(x, G(x)) over every patch (non-saturating)."""
    return losses.non_saturating_generator_loss(fake_logits)


def l1_loss(target, output):
    """mean |target - output| over every pixel and channel."""
    return tf.reduce_mean(tf.abs(tf.cast(target, tf.float32) - tf.cast(output, tf.float32)))
