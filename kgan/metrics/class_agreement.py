"""Class agreement and classes covered: what a classifier of the real data says of samples.

- **class agreement**: the fraction of a conditional generator's samples of
  class `c` that the classifier puts in class `c`. The classifier's own
  accuracy on the real held-out data (the same measure on real examples) is
  its ceiling.
- **classes covered**: the classes that receive at least `min_share` of a
  uniform share of the samples (16% of it: 2% of the samples with 8
  classes), i.e. the modes a generator reaches, conditional or not.

```python
probabilities = np.eye(4)[[0, 0, 1, 3, 3, 3, 3, 3]]
kgan.metrics.class_agreement(probabilities, [0, 1, 1, 3, 2, 3, 3, 3])  # 0.75
kgan.metrics.classes_covered(probabilities, 4)  # [0, 1, 3]
```
"""

import numpy as np

MIN_SHARE = 0.16  # of a uniform share: 2% of the samples with 8 classes


def class_agreement(probabilities, labels):
    """Returns the fraction of samples classified as the class they were made for."""
    predicted, labels = _predicted(probabilities, labels)
    return float(np.mean(predicted == labels))


def per_class_agreement(probabilities, labels, num_classes):
    """Returns the agreement of each class's samples, a list with `None` for classes without samples."""
    predicted, labels = _predicted(probabilities, labels)
    return [float(np.mean(predicted[labels == c] == c)) if np.any(labels == c) else None for c in range(num_classes)]


def classes_covered(probabilities, num_classes, min_share=MIN_SHARE):
    """Returns the classes at least `min_share` of a uniform share of the samples are classified as."""
    counts = np.bincount(np.argmax(probabilities, axis=1), minlength=num_classes)
    return [int(c) for c in np.flatnonzero(counts >= min_share * len(probabilities) / num_classes)]


def _predicted(probabilities, labels):
    predicted = np.argmax(np.asarray(probabilities), axis=1)
    labels = np.asarray(labels).reshape(-1)
    if len(labels) != len(predicted):
        raise ValueError(
            "Expected one label per row of probabilities. "
            f"Received: probabilities.shape={np.shape(probabilities)}, labels.shape={labels.shape}"
        )
    return predicted, labels


def agreement_scores(probabilities, labels, real_probabilities, real_labels):
    """The scores `kgan.metrics.evaluate` reports for the `"class_agreement"` metric.

    Returns:
        `{"class_agreement": ..., "real_class_agreement": ..., "class_agreement_<c>": ...}`:
        the samples' agreement, the classifier's accuracy on the real
        examples (the ceiling), and each class's agreement (classes with
        samples only).
    """
    num_classes = np.shape(probabilities)[1]
    scores = {
        "class_agreement": class_agreement(probabilities, labels),
        "real_class_agreement": class_agreement(real_probabilities, real_labels),
    }
    for c, value in enumerate(per_class_agreement(probabilities, labels, num_classes)):
        if value is not None:
            scores[f"class_agreement_{c}"] = value
    return scores
