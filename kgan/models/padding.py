"""Padding layers that keep image-to-image networks fully convolutional at any size.

A U-Net with `d` stride-2 levels, or a ResNet generator with two, only fits
back together (skips, residual adds, output size) when the height and width
are multiples of `2**d`. `PadToMultiple` zero-pads the bottom and right edges
up to the next multiple (and at least a minimum size) and `CropToMatch` cuts
the output back to the input's size, so an exported translator takes any
height and width. At sizes that already fit (the training size), both are the
identity. `ReflectionPadding2D` is the reflection padding of the CycleGAN
ResNet generator (Zhu et al. 2017, after Johnson et al. 2016), which keeps
border artifacts down.
"""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="kgan")
class PadToMultiple(keras.layers.Layer):
    """Zero-pads height and width (bottom and right) up to a multiple of `multiple`.

    Args:
        multiple: the padded height and width are multiples of this.
        minimum: and at least this (a multiple of `multiple`), so that
            every level of the network keeps at least one pixel.

    Example:

    ```python
    import keras
    import kgan

    x = keras.ops.ones((1, 5, 9, 3))
    padded = kgan.models.padding.PadToMultiple(8)(x)   # shape (1, 8, 16, 3)
    ```
    """

    def __init__(self, multiple, minimum=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(multiple, int) or multiple < 1:
            raise ValueError(f"Expected `multiple` to be a positive integer. Received: multiple={multiple!r}")
        minimum = multiple if minimum is None else minimum
        if not isinstance(minimum, int) or minimum < 1 or minimum % multiple:
            raise ValueError(
                f"Expected `minimum` to be a positive multiple of {multiple}. Received: minimum={minimum!r}"
            )
        self.multiple = multiple
        self.minimum = minimum

    def call(self, images):
        shape = tf.shape(images)
        paddings = [[0, 0], [0, self._padding(shape[1])], [0, self._padding(shape[2])], [0, 0]]
        return tf.pad(images, paddings)

    def _padding(self, size):
        target = tf.maximum((size + self.multiple - 1) // self.multiple * self.multiple, self.minimum)
        return target - size

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *(_padded(d, self.multiple, self.minimum) for d in input_shape[1:3]), input_shape[3])

    def get_config(self):
        return {**super().get_config(), "multiple": self.multiple, "minimum": self.minimum}


@keras.saving.register_keras_serializable(package="kgan")
class CropToMatch(keras.layers.Layer):
    """Crops `images` to the height and width of `reference` (top-left corner kept).

    Called on `[images, reference]`; undoes `PadToMultiple`.
    """

    def call(self, inputs):
        images, reference = inputs
        shape = tf.shape(reference)
        return images[:, : shape[1], : shape[2], :]

    def compute_output_shape(self, input_shapes):
        images, reference = input_shapes
        return (images[0], reference[1], reference[2], images[3])


@keras.saving.register_keras_serializable(package="kgan")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads height and width by `padding` pixels on each side, mirroring the image.

    Like PyTorch's `nn.ReflectionPad2d`: the edge row itself is not repeated,
    so each side needs more than `padding` pixels.
    """

    def __init__(self, padding, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(padding, int) or padding < 0:
            raise ValueError(f"Expected `padding` to be a non-negative integer. Received: padding={padding!r}")
        self.padding = padding

    def call(self, images):
        p = self.padding
        return tf.pad(images, [[0, 0], [p, p], [p, p], [0, 0]], mode="REFLECT")

    def compute_output_shape(self, input_shape):
        grow = lambda d: None if d is None else d + 2 * self.padding  # noqa: E731
        return (input_shape[0], grow(input_shape[1]), grow(input_shape[2]), input_shape[3])

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


def _padded(size, multiple, minimum):
    if size is None:
        return None
    return max(-(-size // multiple) * multiple, minimum)
