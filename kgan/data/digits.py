"""The embedded default dataset: scikit-learn's 8x8 handwritten digits.

`sklearn.datasets.load_digits()` ships 1797 real handwritten digits (UCI
"Optical Recognition of Handwritten Digits", 8x8 pixels, values 0..16,
10 classes) inside the scikit-learn wheel, so it loads offline.
"""

import numpy as np

from kgan.data.source import Source
from kgan.data.source import from_arrays

NAME = "digits"
SPLITS = ("train", "test", "all")
# The split is part of the dataset's definition, not a tunable: changing it
# would silently change every "test" number computed on it.
TEST_FRACTION = 0.2
SPLIT_SEED = 0


def split_indices(labels, split):
    """Returns the sorted example indices of `split`.

    The test split takes `round(TEST_FRACTION * n_c)` examples of each class
    `c`, drawn by a fixed permutation (`np.random.default_rng(SPLIT_SEED)`);
    the train split is the rest; `"all"` is every example.

    Args:
        labels: `(N,)` integer class labels.
        split: One of `"train"`, `"test"`, `"all"`.

    Returns:
        Sorted int64 array of indices into `labels`.
    """
    if split == "all":
        return np.arange(len(labels))
    rng = np.random.default_rng(SPLIT_SEED)
    test = []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        test.append(members[: round(TEST_FRACTION * len(members))])
    test = np.sort(np.concatenate(test))
    if split == "test":
        return test
    return np.setdiff1d(np.arange(len(labels)), test)


def read(split="train"):
    """Reads one split of the digits as a `Source`.

    Args:
        split: `"train"` (80%, stratified), `"test"` (20%) or `"all"`.

    Returns:
        A `Source` of (8, 8, 1) images in [-1, 1] with int32 labels 0..9.
    """
    if split not in SPLITS:
        raise ValueError(
            f"Expected split to be one of {SPLITS} for source '{NAME}'. "
            f"Received: split={split!r}"
        )
    from sklearn.datasets import load_digits  # Deferred: sklearn imports slowly.

    bunch = load_digits()
    labels = bunch.target.astype("int32")
    indices = split_indices(labels, split)
    images = bunch.images[indices, :, :, None].astype("float32")
    return Source(
        name=NAME,
        split=split,
        # Pixel values are 0..16: x / 8 - 1 maps them onto [-1, 1].
        dataset=from_arrays(images, labels[indices], scale=1 / 8, offset=-1.0),
        num_examples=len(indices),
        native_shape=(8, 8, 1),
        num_classes=10,
        class_names=tuple(str(name) for name in bunch.target_names),
    )
