"""Sub-pixel convolution upsampling (Shi et al. 2016, arXiv 1609.05158).

A convolution makes `factor**2` times the channels at the low resolution,
and `PixelShuffle` (`depth_to_space`) rearranges them into a grid `factor`
times larger. It is what SRGAN and ESRGAN use to upscale, converts to one
ONNX `DepthToSpace` node, and works at any input size.
"""

import keras
from keras import layers

from kgan import checks

SCALES = (2, 4)


@keras.saving.register_keras_serializable(package="kgan")
class PixelShuffle(layers.Layer):
    """Rearranges `(B, H, W, C * f**2)` into `(B, H * f, W * f, C)` (`depth_to_space`).

    Args:
        factor: the upscaling factor `f`, an integer >= 2.

    Example:

    ```python
    x = np.arange(16, dtype="float32").reshape(1, 2, 2, 4)
    y = kgan.models.PixelShuffle(2)(x)   # (1, 4, 4, 1)
    ```
    """

    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)
        self.factor = checks.integer("factor", factor, minimum=2)

    def call(self, inputs):
        return keras.ops.depth_to_space(inputs, self.factor)

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        f = self.factor
        return (
            batch,
            None if height is None else height * f,
            None if width is None else width * f,
            channels // (f * f),
        )

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def check_scale(scale):
    """Returns `scale` if it is one of `SCALES` (x2 or x4)."""
    if isinstance(scale, bool) or scale not in SCALES:
        raise ValueError(f"Expected `scale` to be one of {list(SCALES)}. Received: scale={scale!r}")
    return int(scale)


def upsample(x, scale, filters, activation, name="upsample"):
    """`log2(scale)` steps of conv (4x the filters) -> `PixelShuffle(2)` -> activation.

    Two x2 steps for x4, as SRGAN and ESRGAN do, rather than one x4 shuffle.
    `activation` returns a new activation layer for a name.
    """
    for i in range(check_scale(scale).bit_length() - 1):
        x = layers.Conv2D(4 * filters, 3, padding="same", name=f"{name}_conv_{i}")(x)
        x = PixelShuffle(2, name=f"{name}_shuffle_{i}")(x)
        x = activation(f"{name}_act_{i}")(x)
    return x


def nearest_anchor(images, scale, name="anchor"):
    """`images` upscaled by nearest neighbour, as `depth_to_space` of `scale**2` copies.

    Added to a generator's output, it makes the network learn the detail
    only (the "anchor" of Du et al. 2021, arXiv 2105.09750), which short
    training budgets reach much sooner than the whole image. Exported, it is
    a `Concat` and a `DepthToSpace`: exact at any size.
    """
    copies = layers.Concatenate(name=f"{name}_copies")([images] * (scale * scale))
    return PixelShuffle(scale, name=f"{name}_shuffle")(copies)


def image_input(channels, name="images_lr"):
    """The low-resolution image input of a generator: any height and width."""
    checks.channels("channels", channels)
    return keras.Input((None, None, channels), name=name)
