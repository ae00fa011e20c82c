"""The super-resolution losses, as pure functions.

Pixel losses are measured on images mapped to [0, 1], the range of the
papers, so that ESRGAN's weights mean what they meant there (kgan's images
are in [-1, 1]: a difference d there is d / 2 in [0, 1]).

Adversarial losses, each a discriminator/generator pair on D's logits:

- `"relativistic_average"` (ESRGAN, Wang et al. 2018, arXiv 1809.00219;
  Jolicoeur-Martineau 2018, arXiv 1807.00734): D estimates whether a real
  image is more realistic than the average fake, `D_Ra(x_r, x_f) =
  sigmoid(C(x_r) - E[C(x_f)])`, and the generator gains from both terms:

      L_D = -(E[log D_Ra(x_r, x_f)] + E[log(1 - D_Ra(x_f, x_r))]) / 2
      L_G = -(E[log(1 - D_Ra(x_r, x_f))] + E[log D_Ra(x_f, x_r)]) / 2

  halved as in ESRGAN's code (BasicSR), which the published weights go with;
- `"standard"` (SRGAN, Ledig et al. 2017, arXiv 1609.04802): the GAN of
  Goodfellow et al. with the non-saturating generator loss,
  `L_D = -E[log D(x_r)] - E[log(1 - D(x_f))]`, `L_G = -E[log D(x_f)]`.
"""

import tensorflow as tf

from kgan import losses as gan_losses

PIXEL_LOSSES = ("l1", "l2")
GAN_LOSSES = ("relativistic_average", "standard")


def pixel_loss(sr, hr, kind="l1"):
    """Mean absolute (`"l1"`) or squared (`"l2"`) error of images in [-1, 1], in [0, 1] units."""
    diff = (tf.cast(sr, tf.float32) - tf.cast(hr, tf.float32)) / 2.0
    if kind == "l1":
        return tf.reduce_mean(tf.abs(diff))
    if kind == "l2":
        return tf.reduce_mean(tf.square(diff))
    raise ValueError(f"Expected `pixel_loss` to be one of {list(PIXEL_LOSSES)}. Received: {kind!r}")


def psnr(sr, hr):
    """Mean PSNR in dB over a batch of float images in [-1, 1] (RGB, unquantised; a training metric)."""
    diff = (tf.cast(sr, tf.float32) - tf.cast(hr, tf.float32)) / 2.0
    mse = tf.reduce_mean(tf.square(diff), axis=tf.range(1, tf.rank(diff)))
    return tf.reduce_mean(-10.0 * tf.math.log(tf.maximum(mse, 1e-10)) / tf.math.log(10.0))


def relativistic_average_discriminator_loss(real_logits, fake_logits):
    """ESRGAN's D loss on the relativistic average logits (see the module docstring)."""
    real, fake = _float(real_logits), _float(fake_logits)
    real_rel = real - tf.reduce_mean(fake)
    fake_rel = fake - tf.reduce_mean(real)
    return -(tf.reduce_mean(tf.math.log_sigmoid(real_rel)) + tf.reduce_mean(tf.math.log_sigmoid(-fake_rel))) / 2.0


def relativistic_average_generator_loss(real_logits, fake_logits):
    """ESRGAN's G loss: the D loss with the roles of real and fake swapped."""
    return relativistic_average_discriminator_loss(fake_logits, real_logits)


def standard_discriminator_loss(real_logits, fake_logits):
    """SRGAN's D loss, `-E[log D(x_r)] - E[log(1 - D(x_f))]`."""
    return gan_losses.minimax_discriminator_loss(real_logits, fake_logits)


def standard_generator_loss(real_logits, fake_logits):
    """SRGAN's G loss, non-saturating: `-E[log D(x_f)]` (`real_logits` unused)."""
    del real_logits
    return gan_losses.non_saturating_generator_loss(fake_logits)


def discriminator_loss(kind):
    """The D loss function `(real_logits, fake_logits) -> loss` of an adversarial loss name."""
    return {"relativistic_average": relativistic_average_discriminator_loss, "standard": standard_discriminator_loss}[
        _check(kind)
    ]


def generator_loss(kind):
    """The G loss function `(real_logits, fake_logits) -> loss` of an adversarial loss name."""
    return {"relativistic_average": relativistic_average_generator_loss, "standard": standard_generator_loss}[
        _check(kind)
    ]


def _check(kind):
    if kind not in GAN_LOSSES:
        raise ValueError(f"Expected `gan_loss` to be one of {list(GAN_LOSSES)}. Received: gan_loss={kind!r}")
    return kind


def _float(x):
    return tf.reshape(tf.cast(x, tf.float32), [-1])
