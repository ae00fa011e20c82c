"""The pix2pix U-Net generator (Isola et al. 2017, arXiv 1611.07004, appendix 6.1.1).

An encoder-decoder whose decoder layer at each resolution is concatenated
with the encoder layer of the same resolution (skip connections), so that
low-level structure shared by input and output (edges, layout) crosses the
bottleneck directly. Following the paper and its reference implementation
(junyanz/pytorch-CycleGAN-and-pix2pix, `UnetSkipConnectionBlock`):

1. encoder: 4x4 convolutions with stride 2, `base_filters * 2**i` filters
   (capped at 8x), LeakyReLU(0.2) before each one after the first, and
   normalization on every layer but the outermost and the innermost (which
   sits at 1x1 at the training size, where normalization would zero it);
2. decoder: ReLU, a 4x4 transposed convolution with stride 2, normalization
   and, in the first `dropout_layers` decoder layers, dropout 0.5 (the
   paper's noise source), then concatenation with the encoder's output of
   that resolution;
3. the outermost layer maps to the output channels with tanh.

At 256 px the paper's U-Net has 8 levels (256 -> 1); `depth=None` takes
`log2(image_size)` levels, so a 32 px model has 5. The network is fully
convolutional: images of any height and width are zero-padded to a multiple
of `2**depth` and the output is cropped back (`kgan.models.padding`), which is
the identity at the training size.

With `residual=True` (not in the paper; kgan's departure for restoration
tasks, where the output is the input plus a small correction, as in
denoisers since DnCNN, Zhang et al. 2017) the outermost layer predicts a
correction added to the source, clipped to [-1, 1], instead of the image
through tanh. That layer starts at zero, so a new network is the identity
and training only learns what differs, instead of first learning to copy the
input through 5 to 8 levels. It needs as many output channels as input ones.

Dropout is active in training only: `model(x, training=False)`, the sample
grids and the export are deterministic (the paper also applies it at test
time, as noise; call `generator(x, training=True)` for that).
"""

import math

import keras
from keras import layers

from kgan import checks
from kgan.models import normalization as norms
from kgan.models.padding import CropToMatch
from kgan.models.padding import PadToMultiple

MAX_DEPTH = 8  # the paper's 256 px U-Net


def unet_depth(image_size):
    """Levels of a U-Net for `image_size`: down to 1x1, at most 8 (256 px)."""
    checks.integer("image_size", image_size, minimum=2)
    return min(MAX_DEPTH, int(math.log2(image_size)))


def unet_generator(
    channels=3,
    out_channels=None,
    image_size=256,
    depth=None,
    base_filters=64,
    dropout=0.5,
    dropout_layers=3,
    normalization="instance",
    residual=False,
    name="unet_generator",
):
    """Builds the U-Net generator: `source` images -> `images` in [-1, 1].

    Args:
        channels: channels of the source images (1 or 3).
        out_channels: channels of the output images; defaults to `channels`.
        image_size: the training size, which sets `depth` when it is None.
        depth: stride-2 levels (the paper's 8 at 256 px).
        base_filters: filters of the outermost level (the paper's 64).
        dropout: dropout rate of the first `dropout_layers` decoder layers.
        dropout_layers: how many decoder layers, from the innermost, have dropout.
        normalization: `"instance"` (default), `"batch"` or None; see
            `kgan.models.normalization`.
        residual: output `clip(source + correction, -1, 1)`, the correction
            from a zero-initialized outermost layer, instead of `tanh` (not in
            the paper; see the module docstring).
        name: model name.

    Returns:
        A functional `keras.Model` with the input `source` of shape
        `(batch, None, None, channels)` and the float32 output `images` of the
        same height and width with `out_channels` channels.

    Example:

    ```python
    import numpy as np
    import kgan

    g = kgan.models.unet_generator(channels=3, image_size=32, base_filters=8)
    g(np.zeros((2, 32, 32, 3), "float32")).shape   # (2, 32, 32, 3)
    g(np.zeros((1, 20, 44, 3), "float32")).shape   # (1, 20, 44, 3): any size
    r = kgan.models.unet_generator(channels=3, image_size=32, base_filters=8, residual=True)
    x = np.random.default_rng(0).uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    np.abs(r(x) - x).max()   # 0.0: a new residual U-Net is the identity
    ```
    """
    checks.channels("channels", channels)
    out_channels = checks.channels("out_channels", channels if out_channels is None else out_channels)
    depth = unet_depth(image_size) if depth is None else checks.integer("depth", depth, minimum=2)
    checks.positive_int("base_filters", base_filters)
    checks.number("dropout", dropout, 0.0, 1.0, high_open=True)
    checks.integer("dropout_layers", dropout_layers, minimum=0)
    norms.check(normalization)
    if residual and out_channels != channels:
        raise ValueError(
            "Expected as many output channels as source channels for residual=True (the output is the source "
            f"plus a correction). Received: channels={channels}, out_channels={out_channels}"
        )
    filters = [base_filters * min(2**i, 8) for i in range(depth)]
    source = keras.Input((None, None, channels), name="source")
    x = PadToMultiple(2**depth, name="pad")(source)
    # 1. Encoder; each level's output (before its activation) is a skip.
    skips = []
    for i, f in enumerate(filters):
        if i > 0:
            x = layers.LeakyReLU(0.2, name=f"down_{i}_lrelu")(x)
        normalized = 0 < i < depth - 1
        x = layers.Conv2D(f, 4, strides=2, padding="same", use_bias=not (normalized and normalization),
                          name=f"down_{i}")(x)
        if normalized:
            x = norms.normalize(x, normalization, f"down_{i}_norm")
        skips.append(x)
    # 2. Decoder, innermost first: up, normalize, dropout, concatenate the skip.
    for count, i in enumerate(range(depth - 1, 0, -1)):
        x = layers.ReLU(name=f"up_{i}_relu")(x)
        x = layers.Conv2DTranspose(filters[i - 1], 4, strides=2, padding="same", use_bias=not normalization,
                                   name=f"up_{i}")(x)
        x = norms.normalize(x, normalization, f"up_{i}_norm")
        if count < dropout_layers and dropout:
            x = layers.Dropout(dropout, name=f"up_{i}_dropout")(x)
        x = layers.Concatenate(name=f"skip_{i - 1}")([skips[i - 1], x])
    # 3. Outermost: to the output channels, back to the input's size, then tanh (or the
    #    source plus the correction) in float32. A residual correction starts at zero.
    x = layers.ReLU(name="up_0_relu")(x)
    initializer = "zeros" if residual else "glorot_uniform"
    x = layers.Conv2DTranspose(out_channels, 4, strides=2, padding="same", kernel_initializer=initializer,
                               name="up_0")(x)
    x = CropToMatch(name="crop")([x, source])
    if residual:
        images = ResidualImages(dtype="float32", name="images")([source, x])
    else:
        images = layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model(source, images, name=name)


@keras.saving.register_keras_serializable(package="kgan")
class ResidualImages(layers.Layer):
    """`clip(source + correction, -1, 1)`: a residual generator's output images.

    Called on `[source, correction]` of the same shape. The clip keeps the
    output in the image range every kgan translator promises (the
    discriminator, exports and `translate` take [-1, 1]); where it cuts,
    that pixel's gradient is zero, which matters little since the targets
    lie in [-1, 1] too.

    Example:

    ```python
    import numpy as np
    from kgan.models.unet import ResidualImages

    source = np.array([[[[0.5, -0.9]]]], "float32")
    correction = np.array([[[[0.25, -0.3]]]], "float32")
    ResidualImages()([source, correction])   # [[[[0.75, -1.0]]]]
    ```
    """

    def call(self, inputs):
        source, correction = inputs
        return keras.ops.clip(keras.ops.add(source, correction), -1.0, 1.0)

    def compute_output_shape(self, input_shapes):
        return input_shapes[1]
