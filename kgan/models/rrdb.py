"""ESRGAN's generator: residual-in-residual dense blocks (Wang et al. 2018, arXiv 1809.00219).

The network works at the low resolution and upscales at the end:

1. a 3x3 convolution to `filters` feature maps;
2. `blocks` residual-in-residual dense blocks (RRDB): three dense blocks of
   five convolutions each (every convolution sees all earlier outputs of its
   block; `growth` maps each), each block's output scaled by
   `residual_scale` and added to its input, and the three together again;
   no batch norm anywhere (ESRGAN's finding: it causes artifacts);
3. a 3x3 convolution, added to the features of step 1;
4. sub-pixel upsampling, x2 once or twice (`kgan.models.subpixel`);
5. two 3x3 convolutions at the high resolution, the last to image channels,
   with a linear output (values may leave [-1, 1] slightly; they are clipped
   when converted to pixels).

Convolutions in the dense blocks start at a tenth of He initialisation, as
ESRGAN's code does, so each residual begins near zero. Fully convolutional:
any input height and width.
"""

import keras
from keras import layers

from kgan import checks
from kgan.models import subpixel

# He initialisation scaled by 0.1 (ESRGAN's default_init_weights(scale=0.1)).
_SMALL_INIT = {"scale": 2.0 * 0.1**2, "mode": "fan_in", "distribution": "untruncated_normal"}


def rrdb_generator(
    scale=4,
    channels=3,
    filters=64,
    blocks=23,
    growth=32,
    residual_scale=0.2,
    anchor=False,
    name="rrdb_generator",
):
    """Builds ESRGAN's RRDB generator: `images_lr` (any size) -> `images` `scale` times larger.

    Args:
        scale: 2 or 4.
        channels: 1 or 3, of the input and the output.
        filters: feature maps of the trunk (ESRGAN: 64).
        blocks: residual-in-residual dense blocks (ESRGAN: 23).
        growth: feature maps each dense-block convolution adds (ESRGAN: 32).
        residual_scale: scale of each residual before it is added (ESRGAN: 0.2).
        anchor: add a nearest-neighbour upscaling of the input to the output
            (`kgan.models.subpixel.nearest_anchor`), so the network learns
            the detail only; not in ESRGAN.
        name: model name.

    Returns:
        A functional `keras.Model` with input `images_lr` of shape
        `(batch, None, None, channels)` and output `images`.

    Example:

    ```python
    g = kgan.models.rrdb_generator(scale=2, filters=8, blocks=1, growth=4)
    g(np.zeros((1, 10, 12, 3), "float32")).shape   # (1, 20, 24, 3)
    ```
    """
    subpixel.check_scale(scale)
    for key, value in (("filters", filters), ("blocks", blocks), ("growth", growth)):
        checks.positive_int(key, value)
    checks.number("residual_scale", residual_scale, 0.0, low_open=True)
    lr = subpixel.image_input(channels)
    # 1. Shallow features.
    features = layers.Conv2D(filters, 3, padding="same", name="conv_first")(lr)
    # 2-3. The trunk of RRDBs and its long skip connection.
    x = features
    for i in range(blocks):
        x = _rrdb(x, filters, growth, residual_scale, f"rrdb_{i}")
    x = layers.Conv2D(filters, 3, padding="same", name="conv_trunk")(x)
    x = layers.Add(name="trunk_skip")([features, x])
    # 4. Upsampling by sub-pixel convolution.
    x = subpixel.upsample(x, scale, filters, _leaky_relu)
    # 5. Reconstruction at the high resolution.
    x = layers.Conv2D(filters, 3, padding="same", name="conv_hr")(x)
    x = _leaky_relu("conv_hr_act")(x)
    x = layers.Conv2D(channels, 3, padding="same", name="conv_last")(x)
    if anchor:
        x = layers.Add(name="anchor_add")([x, subpixel.nearest_anchor(lr, scale)])
    images = layers.Activation("linear", dtype="float32", name="images")(x)
    return keras.Model(lr, images, name=name)


def _leaky_relu(name):
    return layers.LeakyReLU(0.2, name=name)


def _dense_block(x, filters, growth, residual_scale, name):
    """Five convolutions, each on the concatenation of the input and all earlier outputs."""
    outputs = [x]
    for i in range(4):
        inputs = outputs[0] if i == 0 else layers.Concatenate(name=f"{name}_cat_{i}")(outputs)
        y = layers.Conv2D(growth, 3, padding="same", kernel_initializer=_init(), name=f"{name}_conv_{i}")(inputs)
        outputs.append(_leaky_relu(f"{name}_act_{i}")(y))
    y = layers.Concatenate(name=f"{name}_cat_4")(outputs)
    y = layers.Conv2D(filters, 3, padding="same", kernel_initializer=_init(), name=f"{name}_conv_4")(y)
    return _scaled_residual(x, y, residual_scale, name)


def _rrdb(x, filters, growth, residual_scale, name):
    y = x
    for i in range(3):
        y = _dense_block(y, filters, growth, residual_scale, f"{name}_rdb_{i}")
    return _scaled_residual(x, y, residual_scale, name)


def _scaled_residual(x, y, residual_scale, name):
    y = layers.Rescaling(residual_scale, name=f"{name}_scale")(y)
    return layers.Add(name=f"{name}_add")([x, y])


def _init():
    return keras.initializers.VarianceScaling(**_SMALL_INIT)
