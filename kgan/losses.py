"""GAN losses as pure functions in generator/discriminator pairs.

Every function takes D's raw outputs (logits for the log-loss GANs, critic
values otherwise) and returns the mean over the batch. `GANLoss` groups a
pair, and `get(name)` looks one up by name.

| name              | paper                                   |
| ----------------- | --------------------------------------- |
| `minimax`         | Goodfellow et al. 2014, arXiv 1406.2661 |
| `non_saturating`  | Goodfellow et al. 2014 (the default)    |
| `wasserstein`     | Arjovsky et al. 2017, arXiv 1701.07875; with `gradient_penalty`, Gulrajani et al. 2017, arXiv 1704.00028 |
| `hinge`           | Lim & Ye 2017, arXiv 1705.02894; Miyato et al. 2018 |
| `least_squares`   | Mao et al. 2017, arXiv 1611.04076       |

Penalties: `gradient_penalty` (WGAN-GP) and `r1_penalty` (Mescheder et
al. 2018, arXiv 1801.04406).
"""

import dataclasses

import keras
import tensorflow as tf


def _mean(x):
    return tf.reduce_mean(tf.cast(x, tf.float32))


# Log-loss GANs. D(x) = sigmoid(logit); log D = log_sigmoid(logit) and
# log(1 - D) = log_sigmoid(-logit) are computed without overflow.


def minimax_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """D loss of the value function: -E[log D(x)] - E[log(1 - D(G(z)))].

    Args:
        real_logits: D's logits on real images.
        fake_logits: D's logits on generated images.
        label_smoothing: one-sided label smoothing (Salimans et al. 2016,
            arXiv 1606.03498): real targets become `1 - label_smoothing`;
            fake targets stay 0.
    """
    real_logits = tf.cast(real_logits, tf.float32)
    real_target = 1.0 - label_smoothing
    real_loss = -(
        real_target * tf.math.log_sigmoid(real_logits)
        + (1.0 - real_target) * tf.math.log_sigmoid(-real_logits)
    )
    fake_loss = -tf.math.log_sigmoid(-tf.cast(fake_logits, tf.float32))
    return _mean(real_loss) + _mean(fake_loss)


def minimax_generator_loss(fake_logits):
    """G loss of the original value function: E[log(1 - D(G(z)))].

    It saturates when D rejects the fakes confidently, so G learns slowly
    early on; `non_saturating_generator_loss` is the usual fix.
    """
    return _mean(tf.math.log_sigmoid(-tf.cast(fake_logits, tf.float32)))


def non_saturating_generator_loss(fake_logits):
    """G loss -E[log D(G(z))], the non-saturating heuristic of the GAN paper."""
    return -_mean(tf.math.log_sigmoid(tf.cast(fake_logits, tf.float32)))


def wasserstein_discriminator_loss(real_logits, fake_logits):
    """Critic loss E[D(G(z))] - E[D(x)] (WGAN)."""
    return _mean(fake_logits) - _mean(real_logits)


def wasserstein_generator_loss(fake_logits):
    """Generator loss -E[D(G(z))] (WGAN)."""
    return -_mean(fake_logits)


def hinge_discriminator_loss(real_logits, fake_logits):
    """D loss E[relu(1 - D(x))] + E[relu(1 + D(G(z)))] (hinge GAN)."""
    return _mean(tf.nn.relu(1.0 - tf.cast(real_logits, tf.float32))) + _mean(
        tf.nn.relu(1.0 + tf.cast(fake_logits, tf.float32))
    )


def hinge_generator_loss(fake_logits):
    """G loss -E[D(G(z))] (hinge GAN)."""
    return -_mean(fake_logits)


def least_squares_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """D loss 1/2 E[(D(x) - b)^2] + 1/2 E[D(G(z))^2] with b = 1 (LSGAN, a=0, b=1)."""
    real_target = 1.0 - label_smoothing
    real = tf.cast(real_logits, tf.float32)
    fake = tf.cast(fake_logits, tf.float32)
    return 0.5 * _mean(tf.square(real - real_target)) + 0.5 * _mean(tf.square(fake))


def least_squares_generator_loss(fake_logits):
    """G loss 1/2 E[(D(G(z)) - 1)^2] (LSGAN, c=1)."""
    return 0.5 * _mean(tf.square(tf.cast(fake_logits, tf.float32) - 1.0))


def gradient_penalty(critic, real_images, fake_images, alpha, labels=None):
    """WGAN-GP penalty E[(||grad_x D(x_hat)||_2 - 1)^2].

    `x_hat = alpha * real + (1 - alpha) * fake` with one `alpha` per example,
    drawn uniformly in [0, 1] by the caller (so the caller owns the RNG).

    Args:
        critic: a callable `critic(images)` or `critic([images, labels])`.
        real_images: a batch of real images.
        fake_images: a batch of generated images, same shape.
        alpha: tensor of shape `(batch, 1, 1, 1)` (or broadcastable).
        labels: class labels for a conditional critic, or None.
    """
    real_images = tf.cast(real_images, tf.float32)
    fake_images = tf.cast(fake_images, tf.float32)
    x_hat = alpha * real_images + (1.0 - alpha) * fake_images
    grads = _input_gradients(critic, x_hat, labels)
    norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=_non_batch_axes(grads)) + 1e-12)
    return _mean(tf.square(norms - 1.0))


def r1_penalty(discriminator, real_images, labels=None):
    """R1 penalty E[||grad_x D(x)||^2] on real data (Mescheder et al. 2018).

    The usual weight is `gamma / 2`; `GAN(r1_weight=...)` takes it as is.
    """
    grads = _input_gradients(discriminator, tf.cast(real_images, tf.float32), labels)
    return _mean(tf.reduce_sum(tf.square(grads), axis=_non_batch_axes(grads)))


def _input_gradients(discriminator, images, labels):
    with tf.GradientTape() as tape:
        tape.watch(images)
        inputs = images if labels is None else [images, labels]
        logits = discriminator(inputs, training=True)
        # Sum over the batch: each example's logit depends only on its own
        # input, so this yields per-example gradients in one pass.
        total = tf.reduce_sum(tf.cast(logits, tf.float32))
    return tape.gradient(total, images)


def _non_batch_axes(x):
    return list(range(1, len(x.shape)))


@keras.saving.register_keras_serializable(package="kgan")
@dataclasses.dataclass(frozen=True)
class GANLoss:
    """A generator/discriminator loss pair.

    A `.keras` file stores a custom pair by the registered names of its two
    functions, so decorate them with `@keras.saving.register_keras_serializable()`
    (saving refuses unregistered functions, which could not be loaded back).

    Attributes:
        name: the registry name.
        generator: `fn(fake_logits) -> scalar`.
        discriminator: `fn(real_logits, fake_logits, **kwargs) -> scalar`.
        probability_outputs: True when D's outputs are logits of a
            probability (log-loss GANs); the model then reports
            `sigmoid(logit)` as D's output, else the raw critic value.
        supports_label_smoothing: whether `discriminator` takes
            `label_smoothing`.

    Example:

    ```python
    @keras.saving.register_keras_serializable(package="mine")
    def softplus_d(real_logits, fake_logits):
        return tf.reduce_mean(tf.nn.softplus(-real_logits)) + tf.reduce_mean(tf.nn.softplus(fake_logits))

    @keras.saving.register_keras_serializable(package="mine")
    def softplus_g(fake_logits):
        return tf.reduce_mean(tf.nn.softplus(-fake_logits))

    loss = kgan.losses.GANLoss("softplus", softplus_g, softplus_d, True, False)
    ```
    """

    name: str
    generator: object
    discriminator: object
    probability_outputs: bool
    supports_label_smoothing: bool

    def get_config(self):
        for role in ("generator", "discriminator"):
            fn = getattr(self, role)
            registered = keras.saving.get_registered_object(keras.saving.get_registered_name(fn))
            if registered is not fn:
                raise ValueError(
                    f"Expected the {role} function of GAN loss {self.name!r} to be registered with "
                    "@keras.saving.register_keras_serializable(), so that a saved model can find it "
                    f"again. Received: {fn!r}, which is not registered"
                )
        return {
            "name": self.name,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "probability_outputs": self.probability_outputs,
            "supports_label_smoothing": self.supports_label_smoothing,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for role in ("generator", "discriminator"):
            config[role] = keras.saving.deserialize_keras_object(config[role])
        return cls(**config)


_LOSSES = {
    "minimax": GANLoss(
        "minimax", minimax_generator_loss, minimax_discriminator_loss, True, True
    ),
    "non_saturating": GANLoss(
        "non_saturating", non_saturating_generator_loss, minimax_discriminator_loss, True, True
    ),
    "wasserstein": GANLoss(
        "wasserstein", wasserstein_generator_loss, wasserstein_discriminator_loss, False, False
    ),
    "hinge": GANLoss("hinge", hinge_generator_loss, hinge_discriminator_loss, False, False),
    "least_squares": GANLoss(
        "least_squares",
        least_squares_generator_loss,
        least_squares_discriminator_loss,
        False,
        True,
    ),
}

NAMES = tuple(_LOSSES)


def get(identifier):
    """Returns the `GANLoss` for a name, a serialized `GANLoss`, or a `GANLoss`."""
    if isinstance(identifier, GANLoss):
        return identifier
    if isinstance(identifier, dict):
        return keras.saving.deserialize_keras_object(identifier)
    if identifier not in _LOSSES:
        raise ValueError(
            f"Unknown GAN loss. Expected one of {list(_LOSSES)}. Received: loss={identifier!r}"
        )
    return _LOSSES[identifier]


def serialize(loss):
    """A built-in loss by name; a custom `GANLoss` as a Keras config."""
    if loss.name in _LOSSES and _LOSSES[loss.name] == loss:
        return loss.name
    return keras.saving.serialize_keras_object(loss)
