"""Acceptance tests for synthetic samples (`synthetic_dataset(accept=...)`)."""

import keras
import numpy as np
import tensorflow as tf


def confidence_filter(classifier, min_confidence=0.9, from_logits=False):
    """Accepts a sample when `classifier` gives its label probability >= `min_confidence`.

    Rejecting samples that a classifier trained on the real data does not
    recognise as their class is the usual guard against off-class or broken
    GAN samples (e.g. the "confidence filtering" of Ravuri & Vinyals 2019,
    arXiv 1905.10887, and of many GAN-augmentation papers).

    Args:
        classifier: a callable mapping a batch of images, in the format the
            synthetic dataset outputs, to `(batch, num_classes)` class
            probabilities (or logits with `from_logits=True`); typically a
            Keras classifier trained on the real subset.
        min_confidence: threshold in [0, 1].
        from_logits: whether `classifier` outputs logits.

    Returns:
        A function `accept(images, labels) -> bool array (batch,)`.
    """
    if not 0.0 <= min_confidence <= 1.0:
        raise ValueError(f"Expected `min_confidence` in [0, 1]. Received: min_confidence={min_confidence!r}")

    def accept(images, labels):
        if labels is None:
            raise ValueError(
                "confidence_filter needs labels: use it with a conditional generator. Received: labels=None"
            )
        if isinstance(classifier, keras.Layer):
            outputs = classifier(images, training=False)
        else:
            outputs = classifier(images)
        outputs = tf.cast(outputs, tf.float32)
        probabilities = tf.nn.softmax(outputs) if from_logits else outputs
        chosen = tf.gather(probabilities, tf.cast(labels, tf.int32), axis=1, batch_dims=1)
        return np.asarray(chosen) >= min_confidence

    return accept
