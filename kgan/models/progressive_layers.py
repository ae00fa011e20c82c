"""The layers of progressive growing (Karras et al. 2017, arXiv 1710.10196, section 4).

- `EqualizedDense`, `EqualizedConv2D`: the equalised learning rate. Weights
  are stored as N(0, 1) draws and scaled at every call by He's constant
  `c = gain / sqrt(fan_in)`, so Adam, which normalises each update by the
  gradient's scale, moves every layer's effective weights at the same speed.
  With `equalized=False` the same layers are initialised with standard
  deviation `c` and not rescaled: the same function at initialisation, the
  usual learning dynamics.
- `PixelNormalization`: each pixel's feature vector divided by its root
  mean square, in G after every convolution.
- `MinibatchStdDev`: one more feature map holding the average standard
  deviation of the features over groups of examples, in D before its last
  block. It couples the examples of a batch (`batch_coupled = True`); with
  `stop_gradient=True` the statistic is a constant to the gradient, which is
  how `kgan.families.progressive` keeps its gradient penalty per example.
- `Fade`: `low + alpha * (high - low)`, the fade-in of a new block, with a
  fixed `alpha` (for exporting a generator caught mid-fade).
- `Clip`: clips the linear output of the generator to its value range, for
  sampling and export (training sees the unclipped output, as in the paper).
"""

import math

import keras
from keras import ops

from kgan import checks

HE_GAIN = math.sqrt(2.0)


class _Equalized(keras.layers.Layer):
    """Shared maths of the equalised-learning-rate layers."""

    def __init__(self, gain=HE_GAIN, use_bias=True, equalized=True, **kwargs):
        super().__init__(**kwargs)
        self.gain = checks.number("gain", gain, 0.0, low_open=True)
        self.use_bias = bool(use_bias)
        self.equalized = bool(equalized)

    def he_constant(self, fan_in):
        """`gain / sqrt(fan_in)`: He's per-layer normalisation constant."""
        return self.gain / math.sqrt(fan_in)

    def _make_weights(self, kernel_shape, fan_in, units):
        c = self.he_constant(fan_in)
        # Equalised: N(0, 1) weights times c at run time; else N(0, c^2) weights.
        self.runtime_scale = c if self.equalized else 1.0
        stddev = 1.0 if self.equalized else c
        self.kernel = self.add_weight(
            name="kernel", shape=kernel_shape, initializer=keras.initializers.RandomNormal(stddev=stddev)
        )
        self.bias = self.add_weight(name="bias", shape=(units,), initializer="zeros") if self.use_bias else None

    def _finish(self, y):
        return y if self.bias is None else ops.add(y, self.bias)

    def get_config(self):
        return {**super().get_config(), "gain": self.gain, "use_bias": self.use_bias, "equalized": self.equalized}


@keras.saving.register_keras_serializable(package="kgan")
class EqualizedDense(_Equalized):
    """A dense layer with the equalised learning rate (ProGAN, section 4.1).

    `y = x @ (w * c) + b` with `w ~ N(0, 1)` and `c = gain / sqrt(in_dim)`.

    Args:
        units: output size.
        gain: `sqrt(2)` before a (leaky) ReLU, 1 for a linear output.
        use_bias: add a bias (initialised to zero).
        equalized: False initialises `w ~ N(0, c^2)` and does not rescale.

    Example:

    ```python
    layer = kgan.models.progressive_layers.EqualizedDense(3, gain=1.0)
    y = layer(np.ones((2, 4), "float32"))  # = ones @ (kernel / 2)
    ```
    """

    def __init__(self, units, gain=HE_GAIN, use_bias=True, equalized=True, **kwargs):
        super().__init__(gain=gain, use_bias=use_bias, equalized=equalized, **kwargs)
        self.units = checks.positive_int("units", units)

    def build(self, input_shape):
        fan_in = int(input_shape[-1])
        self._make_weights((fan_in, self.units), fan_in, self.units)

    def call(self, inputs):
        return self._finish(ops.matmul(inputs, ops.multiply(self.kernel, self.runtime_scale)))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="kgan")
class EqualizedConv2D(_Equalized):
    """A stride-1 "same" convolution with the equalised learning rate.

    `y = conv(x, w * c) + b` with `w ~ N(0, 1)` and
    `c = gain / sqrt(kernel_size**2 * in_channels)`.

    Args:
        filters: output channels.
        kernel_size: side of the square kernel (3, or 1 for to_rgb/from_rgb).
        gain, use_bias, equalized: as in `EqualizedDense`.
    """

    def __init__(self, filters, kernel_size=3, gain=HE_GAIN, use_bias=True, equalized=True, **kwargs):
        super().__init__(gain=gain, use_bias=use_bias, equalized=equalized, **kwargs)
        self.filters = checks.positive_int("filters", filters)
        self.kernel_size = checks.positive_int("kernel_size", kernel_size)

    def build(self, input_shape):
        channels = int(input_shape[-1])
        k = self.kernel_size
        self._make_weights((k, k, channels, self.filters), k * k * channels, self.filters)

    def call(self, inputs):
        kernel = ops.multiply(self.kernel, self.runtime_scale)
        return self._finish(ops.conv(inputs, kernel, strides=1, padding="same"))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size}


@keras.saving.register_keras_serializable(package="kgan")
class PixelNormalization(keras.layers.Layer):
    """Pixelwise feature normalisation (ProGAN, section 4.2).

    `b[x, y] = a[x, y] / sqrt(mean_c(a[x, y, c]^2) + epsilon)`, computed in
    float32 (under mixed precision too).

    Args:
        epsilon: added under the square root (the paper's 1e-8).
    """

    def __init__(self, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = checks.number("epsilon", epsilon, 0.0, low_open=True)

    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        # rsqrt, not a division by sqrt: TensorFlow's graph optimiser rewrites
        # the division into rsqrt, so only this form computes the same in
        # eager Keras and in the exported SavedModel.
        x = x * ops.rsqrt(ops.mean(ops.square(x), axis=-1, keepdims=True) + self.epsilon)
        return ops.cast(x, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="kgan")
class MinibatchStdDev(keras.layers.Layer):
    """Minibatch standard deviation (ProGAN, section 3), as in the official code.

    The batch is split into groups of `group_size` examples (example `i`
    belongs to group `i % (batch // group_size)`); for each group, the
    standard deviation of every feature over the group's examples is averaged
    over features and pixels, and that one number is appended to each of the
    group's examples as a constant feature map. Computed in float32.

    Each output depends on the other examples of its group, so the layer is
    batch coupled: a gradient penalty taken through it with the sum-of-logits
    trick would mix examples. `stop_gradient=True` makes the statistic a
    constant to the gradient (its value is unchanged).

    Args:
        group_size: examples per group (the official 4). A batch it does not
            divide (e.g. the last, partial batch of `fit` on arrays) uses its
            largest divisor up to `group_size`: 30 examples, groups of 2.
        stop_gradient: treat the statistic as a constant when differentiating.
        epsilon: added to the variance before the square root.

    Example:

    ```python
    x = np.arange(16, dtype="float32").reshape(4, 2, 2, 1)
    y = kgan.models.progressive_layers.MinibatchStdDev(group_size=2)(x)
    # Groups {0, 2} and {1, 3}: every feature differs by 8 -> std 4 in both groups.
    np.testing.assert_allclose(y[..., 1], 4.0, rtol=1e-6)
    ```
    """

    #: The outputs of one example depend on the other examples of its group.
    batch_coupled = True

    def __init__(self, group_size=4, stop_gradient=False, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.group_size = checks.positive_int("group_size", group_size)
        self.stop_gradient = bool(stop_gradient)
        self.epsilon = checks.number("epsilon", epsilon, 0.0)

    def groups(self, batch_size):
        """The group size for a static `batch_size`: the largest divisor of it up to `group_size`."""
        return max(g for g in range(1, min(self.group_size, batch_size) + 1) if batch_size % g == 0)

    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        batch = x.shape[0]
        if batch is not None:
            group = self.groups(batch)
        else:  # the same rule on a dynamic batch size
            candidates = ops.arange(self.group_size, 0, -1, dtype="int32")
            divides = ops.equal(ops.mod(ops.shape(x)[0], candidates), 0)
            group = ops.max(ops.where(divides, candidates, 0))
        _, height, width, channels = ops.shape(x)
        y = ops.reshape(x, (group, -1, height, width, channels))  # [G, M, H, W, C]
        y = ops.sqrt(ops.var(y, axis=0) + self.epsilon)  # [M, H, W, C]
        y = ops.mean(y, axis=(1, 2, 3))  # [M]
        if self.stop_gradient:
            y = ops.stop_gradient(y)
        y = ops.tile(ops.reshape(y, (-1, 1, 1, 1)), (group, height, width, 1))  # [G*M, H, W, 1]
        return ops.cast(ops.concatenate([x, y], axis=-1), self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + 1)

    def get_config(self):
        return {
            **super().get_config(),
            "group_size": self.group_size,
            "stop_gradient": self.stop_gradient,
            "epsilon": self.epsilon,
        }


@keras.saving.register_keras_serializable(package="kgan")
class MaxLeakyReLU(keras.layers.Layer):
    """`max(x, negative_slope * x)`: the official ProGAN code's leaky ReLU.

    The same function as `keras.layers.LeakyReLU`, through other ops.
    TensorFlow's graph optimiser (Grappler's remapper) fails on a convolution
    followed by the fused `LeakyRelu` op when that op's gradient is taken
    inside a `tf.switch_case` branch or differentiated twice (the gradient
    penalty), both of which progressive training does: it logs "remapper
    failed" and skips the pass. This form avoids the fused op.

    Args:
        negative_slope: slope for negative inputs (0.2 in the paper).
    """

    def __init__(self, negative_slope=0.2, **kwargs):
        super().__init__(**kwargs)
        self.negative_slope = checks.number("negative_slope", negative_slope, 0.0, 1.0)

    def call(self, inputs):
        return ops.maximum(inputs, inputs * self.negative_slope)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


@keras.saving.register_keras_serializable(package="kgan")
class Fade(keras.layers.Layer):
    """`low + alpha * (high - low)` for inputs `[low, high]`, with a fixed `alpha` in [0, 1].

    Args:
        alpha: the new block's weight.
    """

    def __init__(self, alpha, **kwargs):
        super().__init__(**kwargs)
        self.alpha = checks.number("alpha", alpha, 0.0, 1.0)

    def call(self, inputs):
        low, high = inputs
        return fade(low, high, self.alpha)

    def compute_output_shape(self, input_shape):
        return input_shape[1]

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


@keras.saving.register_keras_serializable(package="kgan")
class Clip(keras.layers.Layer):
    """Clips its input to `[low, high]`.

    Args:
        low: the smallest value.
        high: the largest value.
    """

    def __init__(self, low=-1.0, high=1.0, **kwargs):
        super().__init__(**kwargs)
        self.low = float(low)
        self.high = float(high)
        if not self.low < self.high:
            raise ValueError(f"Expected low < high. Received: low={low!r}, high={high!r}")

    def call(self, inputs):
        return ops.clip(inputs, self.low, self.high)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "low": self.low, "high": self.high}


def fade(low, high, alpha):
    """`low + alpha * (high - low)`: the new block's output `high` weighted by `alpha`."""
    alpha = ops.cast(alpha, high.dtype)
    return low + alpha * (high - ops.cast(low, high.dtype))


def upsample(images, factor=2):
    """Nearest-neighbour upsampling by an integer `factor` (NHWC)."""
    if factor == 1:
        return images
    return ops.repeat(ops.repeat(images, factor, axis=1), factor, axis=2)


def downsample(images, factor=2):
    """Box-filter downsampling by an integer `factor` (average of each factor x factor block)."""
    if factor == 1:
        return images
    return ops.average_pool(images, factor, strides=factor, padding="valid")
