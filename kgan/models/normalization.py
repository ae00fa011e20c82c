"""The normalization layers of the image-to-image networks, by name.

- `"instance"`: instance normalization (Ulyanov et al. 2016), as
  `keras.layers.GroupNormalization(groups=-1)`: one group per channel, so
  each image is normalized by its own statistics, in training and inference
  alike. CycleGAN's choice; also what pix2pix's batch norm becomes with the
  paper's batch size of 1 and test-time batch statistics.
- `"batch"`: `keras.layers.BatchNormalization` (moving statistics at inference).
- None: no normalization.
"""

from keras import layers

NAMES = ("instance", "batch", None)


def check(normalization):
    if normalization not in NAMES:
        raise ValueError(f"Expected `normalization` to be one of {list(NAMES)}. Received: normalization={normalization!r}")
    return normalization


def normalize(x, normalization, name):
    """Applies the normalization `normalization` to `x` (a layer named `name`)."""
    if normalization == "instance":
        return layers.GroupNormalization(groups=-1, epsilon=1e-5, name=name)(x)
    if normalization == "batch":
        return layers.BatchNormalization(name=name)(x)
    return x
