"""The PatchGAN discriminator of pix2pix and CycleGAN (Isola et al. 2017, appendix 6.1.2).

A fully convolutional D that classifies each N x N patch of an image as real
or fake and outputs a map of logits, one per patch; the loss averages them.
It models high-frequency structure (sharpness, texture), which the L1 or
cycle terms leave to it, with fewer parameters than a whole-image D.

The paper's 70 x 70 PatchGAN is C64-C128-C256-C512 (4x4 convolutions; the
first three with stride 2, C512 with stride 1; no normalization on C64;
LeakyReLU(0.2)), then a 4x4 convolution to one logit per position. With
`n` stride-2 layers the receptive field is 16, 34, 70, 142, 286 px for
n = 1 .. 5. At 256 px the paper's 70 px patch covers 27% of the image side;
`patch_layers(image_size)` keeps about that fraction for smaller images, with
at least one stride-2 layer (a 16 px patch): 1 for 32 and 64 px, 2 for 128,
3 for 256.

A conditional D (pix2pix) sees the source image beside the judged image: it
takes `source` and `images` and concatenates them along the channels.
"""

import math

import keras
from keras import layers

from kgan import checks
from kgan.models import normalization as norms

PAPER_PATCH, PAPER_SIZE = 70, 256


def receptive_field(num_layers):
    """The receptive field in px of a PatchGAN with `num_layers` stride-2 layers."""
    field = 7  # the stride-1 C512 and the output convolution, both 4x4
    for _ in range(num_layers):
        field = 2 * (field - 1) + 4
    return field


def patch_layers(image_size):
    """Stride-2 layers giving about the paper's patch/image ratio (70/256) at `image_size`."""
    checks.positive_int("image_size", image_size)
    target = PAPER_PATCH * image_size / PAPER_SIZE
    return min(range(1, 6), key=lambda n: abs(math.log(receptive_field(n) / target)))


def patchgan_discriminator(
    channels=3,
    source_channels=None,
    image_size=256,
    num_layers=None,
    base_filters=64,
    normalization="instance",
    name="patchgan_discriminator",
):
    """Builds a PatchGAN: `images` (and `source`) -> a map of logits.

    Args:
        channels: channels of the judged images.
        source_channels: channels of the source image of a conditional D
            (pix2pix), or None for an unconditional D (CycleGAN).
        image_size: the training size, which sets `num_layers` when it is None.
        num_layers: stride-2 convolutions (3 for the paper's 70 x 70 patches).
        base_filters: filters of the first layer (the paper's 64), doubled
            per layer up to 8x.
        normalization: `"instance"` (default), `"batch"` or None.
        name: model name.

    Returns:
        A functional `keras.Model` taking `images` (or `[source, images]`)
        of any height and width and giving float32 logits of shape
        `(batch, height / 2**num_layers, width / 2**num_layers, 1)`.

    Example:

    ```python
    import numpy as np
    import kgan

    d = kgan.models.patchgan_discriminator(3, source_channels=3, image_size=32, base_filters=8)
    x = np.zeros((2, 32, 32, 3), "float32")
    d([x, x]).shape   # (2, 16, 16, 1): one logit per 16 px patch, stride 2
    ```
    """
    checks.channels("channels", channels)
    checks.channels("source_channels", source_channels, allow_none=True)
    num_layers = patch_layers(image_size) if num_layers is None else checks.integer("num_layers", num_layers, minimum=0)
    checks.positive_int("base_filters", base_filters)
    norms.check(normalization)
    images = keras.Input((None, None, channels), name="images")
    if source_channels is None:
        inputs, x = images, images
    else:
        source = keras.Input((None, None, source_channels), name="source")
        inputs, x = [source, images], layers.Concatenate(name="source_and_images")([source, images])
    for i in range(num_layers + 1):
        stride = 2 if i < num_layers else 1  # the last feature layer keeps the resolution
        normalized = i > 0 and normalization
        x = layers.Conv2D(base_filters * min(2**i, 8), 4, strides=stride, padding="same", use_bias=not normalized,
                          name=f"conv_{i}")(x)
        if i > 0:  # no normalization on the first layer
            x = norms.normalize(x, normalization, f"conv_{i}_norm")
        x = layers.LeakyReLU(0.2, name=f"conv_{i}_lrelu")(x)
    # Logits in float32 under mixed precision: the losses square or log-sigmoid them.
    logits = layers.Conv2D(1, 4, padding="same", dtype="float32", name="logits")(x)
    return keras.Model(inputs, logits, name=name)
