"""SRGAN's VGG-style discriminator (Ledig et al. 2017, arXiv 1609.04802; also ESRGAN's).

`stages` pairs of 3x3 convolutions, the first with stride 1 and the second
with stride 2, doubling the filters each stage from `base_filters` (SRGAN:
four stages, 64 -> 512); LeakyReLU(0.2); batch norm after every convolution
but the first. Then a dense layer of `dense_units` (SRGAN: 1024), LeakyReLU,
and one logit. It sees training crops of one fixed size.
"""

import keras
from keras import layers

from kgan import checks

NORMALIZATIONS = ("batch", "layer", None)


def vgg_discriminator(
    image_size=96,
    channels=3,
    base_filters=64,
    stages=4,
    dense_units=1024,
    normalization="batch",
    name="vgg_discriminator",
):
    """Builds the VGG-style discriminator: `images` `(image_size, image_size, channels)` -> logits.

    Args:
        image_size: side of the square high-resolution crops, divisible by
            `2**stages`.
        channels: 1 or 3.
        base_filters: filters of the first stage, doubled at each later one.
        stages: conv pairs, each halving the size (SRGAN: 4).
        dense_units: width of the hidden dense layer.
        normalization: `"batch"` (the papers), `"layer"` or None.
        name: model name.

    Returns:
        A functional `keras.Model` with input `images` and a float32
        `(batch, 1)` logit output.

    Example:

    ```python
    d = kgan.models.vgg_discriminator(16, base_filters=4, stages=2, dense_units=8)
    d(np.zeros((2, 16, 16, 3), "float32")).shape   # (2, 1)
    ```
    """
    checks.positive_int("stages", stages)
    checks.positive_int("base_filters", base_filters)
    checks.positive_int("dense_units", dense_units)
    checks.channels("channels", channels)
    if not isinstance(image_size, int) or image_size < 2**stages or image_size % 2**stages:
        raise ValueError(
            f"Expected `image_size` to be a positive multiple of 2**stages = {2**stages}. "
            f"Received: image_size={image_size!r}"
        )
    if normalization not in NORMALIZATIONS:
        raise ValueError(
            f"Expected `normalization` to be one of {list(NORMALIZATIONS)}. Received: normalization={normalization!r}"
        )
    images = keras.Input((image_size, image_size, channels), name="images")
    x = images
    for stage in range(stages):
        filters = base_filters * 2**stage
        for strides in (1, 2):
            index = 2 * stage + strides - 1
            x = layers.Conv2D(filters, 3, strides=strides, padding="same", name=f"conv_{index}")(x)
            if index > 0:  # no normalization on the input layer
                x = _normalize(x, normalization, index)
            x = layers.LeakyReLU(0.2, name=f"act_{index}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(dense_units, name="dense")(x)
    x = layers.LeakyReLU(0.2, name="dense_act")(x)
    logits = layers.Dense(1, dtype="float32", name="logits")(x)
    return keras.Model(images, logits, name=name)


def _normalize(x, normalization, index):
    if normalization == "batch":
        return layers.BatchNormalization(name=f"bn_{index}")(x)
    if normalization == "layer":
        return layers.LayerNormalization(name=f"ln_{index}")(x)
    return x
