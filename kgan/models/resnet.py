"""The CycleGAN ResNet generator (Zhu et al. 2017, arXiv 1703.10593, appendix 7.2).

After Johnson et al. 2016's style-transfer network, in the paper's notation:
`c7s1-64, d128, d256, R256 x n, u128, u64, c7s1-3`, where

- `c7s1-k`: 7x7 convolution, stride 1, k filters, instance norm, ReLU;
- `dk`: 3x3 convolution, stride 2, instance norm, ReLU;
- `Rk`: a residual block of two 3x3 convolutions with k filters (instance
  norm, ReLU between them, none after the sum);
- `uk`: 3x3 transposed convolution, stride 2 (stride 1/2), instance norm, ReLU;
- the last `c7s1-3` has no normalization and ends in tanh.

Reflection padding precedes the 7x7 and the residual convolutions, as in the
paper, to reduce border artifacts. The paper uses 6 residual blocks for
128 px training images and 9 for 256 px and above; `num_blocks=None` picks
by `image_size`. The network is fully convolutional: images of any size are
zero-padded to a multiple of 4 (and at least 8 px, so that the bottleneck
can be reflection-padded) and the output is cropped back.
"""

import keras
from keras import layers

from kgan import checks
from kgan.models import normalization as norms
from kgan.models.padding import CropToMatch
from kgan.models.padding import PadToMultiple
from kgan.models.padding import ReflectionPadding2D

SMALL_IMAGE = 128  # px: 6 blocks up to this size, 9 above


def resnet_blocks(image_size):
    """The paper's number of residual blocks: 6 at <= 128 px, 9 above."""
    checks.positive_int("image_size", image_size)
    return 6 if image_size <= SMALL_IMAGE else 9


def resnet_generator(
    channels=3,
    out_channels=None,
    image_size=256,
    num_blocks=None,
    base_filters=64,
    normalization="instance",
    name="resnet_generator",
):
    """Builds the ResNet generator: `source` images -> `images` in [-1, 1].

    Args:
        channels: channels of the source images (1 or 3).
        out_channels: channels of the output images; defaults to `channels`.
        image_size: the training size, which sets `num_blocks` when it is None.
        num_blocks: residual blocks (the paper's 6 or 9).
        base_filters: filters of the first layer (the paper's 64); the
            residual blocks have 4x as many.
        normalization: `"instance"` (the paper), `"batch"` or None.
        name: model name.

    Returns:
        A functional `keras.Model` with the input `source` of shape
        `(batch, None, None, channels)` and the float32 output `images` of the
        same height and width with `out_channels` channels.

    Example:

    ```python
    import numpy as np
    import kgan

    g = kgan.models.resnet_generator(3, image_size=32, num_blocks=2, base_filters=8)
    g(np.zeros((2, 32, 32, 3), "float32")).shape   # (2, 32, 32, 3)
    ```
    """
    checks.channels("channels", channels)
    out_channels = checks.channels("out_channels", channels if out_channels is None else out_channels)
    num_blocks = resnet_blocks(image_size) if num_blocks is None else checks.integer("num_blocks", num_blocks, minimum=0)
    checks.positive_int("base_filters", base_filters)
    norms.check(normalization)
    bias = not normalization  # a normalization's offset replaces the bias
    source = keras.Input((None, None, channels), name="source")
    x = PadToMultiple(4, minimum=8, name="pad")(source)
    # c7s1-64
    x = ReflectionPadding2D(3, name="in_pad")(x)
    x = layers.Conv2D(base_filters, 7, use_bias=bias, name="in_conv")(x)
    x = layers.ReLU(name="in_relu")(norms.normalize(x, normalization, "in_norm"))
    # d128, d256
    for i in range(2):
        x = layers.Conv2D(base_filters * 2 ** (i + 1), 3, strides=2, padding="same", use_bias=bias, name=f"down_{i}")(x)
        x = layers.ReLU(name=f"down_{i}_relu")(norms.normalize(x, normalization, f"down_{i}_norm"))
    # R256 x num_blocks
    for i in range(num_blocks):
        x = _residual_block(x, base_filters * 4, normalization, bias, f"block_{i}")
    # u128, u64
    for i in range(2):
        x = layers.Conv2DTranspose(base_filters * 2 ** (1 - i), 3, strides=2, padding="same", use_bias=bias,
                                   name=f"up_{i}")(x)
        x = layers.ReLU(name=f"up_{i}_relu")(norms.normalize(x, normalization, f"up_{i}_norm"))
    # c7s1-3, tanh in float32
    x = ReflectionPadding2D(3, name="out_pad")(x)
    x = layers.Conv2D(out_channels, 7, name="out_conv")(x)
    x = CropToMatch(name="crop")([x, source])
    images = layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model(source, images, name=name)


def _residual_block(x, filters, normalization, bias, name):
    y = ReflectionPadding2D(1, name=f"{name}_pad_0")(x)
    y = layers.Conv2D(filters, 3, use_bias=bias, name=f"{name}_conv_0")(y)
    y = layers.ReLU(name=f"{name}_relu")(norms.normalize(y, normalization, f"{name}_norm_0"))
    y = ReflectionPadding2D(1, name=f"{name}_pad_1")(y)
    y = layers.Conv2D(filters, 3, use_bias=bias, name=f"{name}_conv_1")(y)
    y = norms.normalize(y, normalization, f"{name}_norm_1")
    return layers.Add(name=f"{name}_add")([x, y])
