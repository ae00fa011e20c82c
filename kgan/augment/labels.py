"""Which classes a synthetic stream draws: validated weights and batch quotas."""

import numbers

import numpy as np


def class_probabilities(class_weights, num_classes):
    """Turns `class_weights` into probabilities over `num_classes` classes.

    Args:
        class_weights: None (balanced), a sequence of `num_classes`
            non-negative numbers, or a dict `{class: weight}` in the style of
            Keras' `class_weight` (classes left out get weight 0).
        num_classes: number of classes of the generator.

    Returns:
        float64 array of shape `(num_classes,)` summing to 1.
    """
    if class_weights is None:
        return np.full(num_classes, 1.0 / num_classes)
    if isinstance(class_weights, dict):
        weights = np.zeros(num_classes)
        for key, value in class_weights.items():
            if not _is_int(key) or not 0 <= key < num_classes:
                raise ValueError(
                    f"Expected the keys of `class_weights` to be classes in [0, {num_classes}). "
                    f"Received: class_weights={class_weights!r}"
                )
            weights[int(key)] = _number(value, class_weights)
    else:
        try:
            weights = np.asarray(class_weights, dtype="float64")
        except (TypeError, ValueError):
            raise ValueError(
                "Expected `class_weights` to be None, a sequence of numbers or a dict "
                f"{{class: weight}}. Received: class_weights={class_weights!r}"
            ) from None
        if weights.shape != (num_classes,):
            raise ValueError(
                f"Expected `class_weights` to hold one weight per class ({num_classes}). "
                f"Received: class_weights={class_weights!r} (shape {weights.shape})"
            )
    if not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
        raise ValueError(
            "Expected `class_weights` to be finite, non-negative and not all zero. "
            f"Received: class_weights={class_weights!r}"
        )
    return weights / weights.sum()


class LabelQuota:
    """Draws each batch's labels so that class counts follow `probabilities`.

    Batch by batch, class `c` is owed `batch_size * p_c` examples plus what
    it was owed before; each class receives the whole part of its debt, and
    the slots left over go to the largest remainders (ties broken at random).
    So after any number of examples `n`, class `c` has appeared within one of
    `n * p_c` times: balanced classes are exactly balanced, not balanced on
    average. Labels are shuffled within each batch.

    Args:
        probabilities: `(num_classes,)` probabilities summing to 1.
        rng: a `numpy.random.Generator` for tie-breaking and shuffling.
    """

    def __init__(self, probabilities, rng):
        self.probabilities = np.asarray(probabilities, dtype="float64")
        self.rng = rng
        self.debt = np.zeros_like(self.probabilities)

    def next(self, batch_size):
        """Returns the next batch's int32 labels, shape `(batch_size,)`."""
        owed = self.debt + batch_size * self.probabilities
        counts = np.floor(owed + 1e-9).astype("int64")
        short = batch_size - int(counts.sum())
        if short > 0:
            remainders = np.where(self.probabilities > 0, owed - counts, -np.inf)
            order = np.lexsort((self.rng.random(len(owed)), -remainders))
            counts[order[:short]] += 1
        self.debt = owed - counts
        labels = np.repeat(np.arange(len(counts), dtype="int32"), counts)
        return self.rng.permutation(labels)


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _number(value, class_weights):
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise ValueError(
            f"Expected the values of `class_weights` to be numbers. Received: class_weights={class_weights!r}"
        )
    return float(value)
