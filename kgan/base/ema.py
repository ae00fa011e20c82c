"""Exponential moving averages of a network's weights, and their batch-norm statistics.

The horizon is a half-life in images (StyleGAN's `ema_kimg`), so it means the
same at any batch size: after `half_life` images a weight's old value counts
half. Early in training the half-life is capped at `rampup` times the images
seen so far (StyleGAN2-ADA's `ema_rampup`), so the average is not stuck at
the initial weights. A fixed `decay` per step with TensorFlow's
`(1 + t) / (10 + t)` warm-up (kgan 0.1's `ema_decay`) is still accepted.

Batch-norm statistics of the averaged weights are not those of the raw
network, which belong to other weights: `recompute_statistics` measures the
averaged network's own ("standing") statistics over a few batches of its
inputs in training mode, as BigGAN does before sampling.
"""

import dataclasses
import math

import keras
import numpy as np
import tensorflow as tf

from kgan import checks

DEFAULT_RAMPUP = 0.05


@dataclasses.dataclass(frozen=True)
class Schedule:
    """The decay of the moving average at each step.

    Exactly one of `decay` and `half_life` is set.

    Attributes:
        decay: a fixed decay per step in (0, 1), with the `(1 + t) / (10 + t)`
            warm-up, or None.
        half_life: the half-life in images, or None.
        rampup: with `half_life`: cap the half-life at `rampup * images seen`
            (None or 0: no cap).
    """

    decay: float | None = None
    half_life: float | None = None
    rampup: float | None = DEFAULT_RAMPUP

    def __post_init__(self):
        checks.number("ema_decay", self.decay, 0.0, 1.0, low_open=True, high_open=True, allow_none=True)
        checks.number("ema_half_life", self.half_life, 0.0, low_open=True, allow_none=True)
        checks.number("ema_rampup", self.rampup, 0.0, allow_none=True)
        if self.decay is not None and self.half_life is not None:
            raise ValueError(
                "Expected at most one of `ema_decay` (per step) and `ema_half_life` (in images). "
                f"Received: ema_decay={self.decay}, ema_half_life={self.half_life}"
            )

    @property
    def enabled(self):
        return self.decay is not None or self.half_life is not None

    def decay_at(self, step, batch_images):
        """The decay for update number `step` (1-based) of `batch_images` images per step.

        Works on Python numbers and on tensors alike.
        """
        if self.decay is not None:
            step = tf.cast(step, tf.float32)
            return tf.minimum(self.decay, (1.0 + step) / (10.0 + step))
        batch = tf.cast(batch_images, tf.float32)
        half_life = tf.constant(self.half_life, tf.float32)
        if self.rampup:
            half_life = tf.minimum(half_life, tf.cast(step, tf.float32) * batch * self.rampup)
        return tf.pow(0.5, batch / tf.maximum(half_life, 1e-8))

    def effective_decay(self, batch_images):
        """The decay per step once the warm-up or ramp-up is over (documentation)."""
        if self.decay is not None:
            return self.decay
        return 0.5 ** (batch_images / self.half_life)

    def steps_to_full_horizon(self, batch_images):
        """Steps until the warm-up or ramp-up stops limiting the decay."""
        if self.decay is not None:
            return math.ceil((10.0 * self.decay - 1.0) / (1.0 - self.decay))
        if not self.rampup:
            return 0
        return math.ceil(self.half_life / (self.rampup * batch_images))


def update(average, network, decay):
    """One step of the average: `w_avg <- decay * w_avg + (1 - decay) * w`.

    Non-trainable weights (batch-norm statistics) are copied; they are
    replaced by the average's own statistics before sampling
    (`recompute_statistics`).
    """
    for avg, var in zip(average.weights, network.weights):
        value = tf.cast(var, avg.dtype)
        if var.trainable:
            decay_ = tf.cast(decay, avg.dtype)
            avg.assign(decay_ * avg + (1.0 - decay_) * value)
        else:
            avg.assign(value)


def batch_norm_layers(network):
    """The `BatchNormalization` layers of `network`, nested models included."""
    return [layer for layer in _layers(network) if isinstance(layer, keras.layers.BatchNormalization)]


def recompute_statistics(network, batches):
    """Sets every batch norm's moving statistics to their mean over `batches`.

    Each batch goes through `network` in training mode; batch `k` enters the
    moving averages with momentum `k / (k + 1)`, which makes them the plain
    mean over all batches (the first replaces the old values). Trainable
    weights do not change.

    Args:
        network: a Keras model.
        batches: an iterable of inputs for `network`.
    """
    layers = batch_norm_layers(network)
    if not layers:
        return 0
    saved = [(layer.momentum, layer.trainable) for layer in layers]
    count = 0
    try:
        # A frozen batch norm runs in inference mode even with training=True.
        for layer in layers:
            layer.trainable = True
        for count, inputs in enumerate(batches, start=1):
            for layer in layers:
                layer.momentum = (count - 1) / count
            network(inputs, training=True)
    finally:
        for layer, (momentum, trainable) in zip(layers, saved):
            layer.momentum, layer.trainable = momentum, trainable
    return count


def _layers(model):
    for layer in model._flatten_layers(include_self=False, recursive=True):
        yield layer


def clone(network):
    """A frozen copy of `network` with the same weights, to hold the average."""
    copy = keras.models.clone_model(network)
    copy.set_weights([np.asarray(w) for w in network.get_weights()])
    copy.trainable = False
    return copy
