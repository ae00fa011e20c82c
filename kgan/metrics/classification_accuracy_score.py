"""Classification Accuracy Score (CAS) of a conditional generator.

Ravuri & Vinyals 2019, "Classification Accuracy Score for Conditional
Generative Models" (arXiv 1905.10887):

1. Generate a labelled training set: images of classes `y`, labelled `y`.
2. Train a classifier on it, and only on it.
3. Report the classifier's accuracy on real held-out data.

High CAS needs samples that are both recognisable and varied within each
class; a classifier trained on real data gives the ceiling to compare with.
"""

import numpy as np

from kgan.metrics.classifier import build_classifier
from kgan.metrics.classifier import classifier_accuracy
from kgan.metrics.classifier import fit_classifier
from kgan.metrics.features import balanced_labels
from kgan.metrics.features import iterate_batches
from kgan import checks


def classification_accuracy_score(
    sampler, real_images, real_labels, n=10000, epochs=10, batch_size=64, seed=0
):
    """Trains a classifier on generated images and returns its real accuracy.

    The `n` generated training images (balanced classes) are held in memory
    for training; the classifier is `build_classifier`.

    Args:
        sampler: A conditional sampler (`num_classes` set), see
            `kgan.metrics.features`.
        real_images: Real test images `(m, H, W, C)` in [-1, 1], the
            sampler's image shape.
        real_labels: Their integer labels `(m,)`.
        n: Number of generated training images.
        epochs: Training epochs.
        batch_size: Training (and generation) batch size.
        seed: Seed for the labels, noise, initialisation and shuffling.

    Returns:
        The accuracy on the real images, a Python float in [0, 1].
    """
    num_classes = getattr(sampler, "num_classes", None)
    if not num_classes:
        raise ValueError(
            "Expected a conditional sampler (with `num_classes`) for the "
            f"Classification Accuracy Score. Received: num_classes={num_classes!r}"
        )
    n = checks.positive_int("n", n)
    labels = balanced_labels(n, num_classes, seed)
    images = np.concatenate(
        [batch for batch, _ in iterate_batches(sampler, n, batch_size, labels, seed)]
    )
    real_images = np.asarray(real_images, np.float32)
    if real_images.shape[1:] != images.shape[1:]:
        raise ValueError(
            "Expected real images of the generated shape "
            f"{images.shape[1:]}. Received: real_images.shape={real_images.shape}"
        )
    model = build_classifier(images.shape[1:], num_classes, seed=seed)
    fit_classifier(model, images, labels, epochs, batch_size, seed)
    return classifier_accuracy(model, real_images, real_labels)
