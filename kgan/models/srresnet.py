"""SRGAN's generator, SRResNet (Ledig et al. 2017, arXiv 1609.04802), without batch norm.

1. a 9x9 convolution to `filters` maps, PReLU;
2. `blocks` residual blocks: conv 3x3, PReLU, conv 3x3, added to the input.
   SRGAN put batch norm after each convolution; EDSR (Lim et al. 2017) and
   ESRGAN showed it hurts super-resolution, so there is none;
3. a 3x3 convolution, added to the features of step 1;
4. sub-pixel upsampling, x2 once or twice, each with a PReLU;
5. a 9x9 convolution to image channels, linear (SRGAN used tanh).

PReLU slopes are per channel (shared over height and width), so the network
is fully convolutional: any input height and width.
"""

import keras
from keras import layers

from kgan import checks
from kgan.models import subpixel


def srresnet_generator(scale=4, channels=3, filters=64, blocks=16, anchor=False, name="srresnet_generator"):
    """Builds SRGAN's SRResNet generator (no batch norm): `images_lr` -> `images`.

    Args:
        scale: 2 or 4.
        channels: 1 or 3.
        filters: feature maps (SRGAN: 64).
        blocks: residual blocks (SRGAN: 16).
        anchor: add a nearest-neighbour upscaling of the input to the output
            (see `kgan.models.rrdb_generator`); not in SRGAN.
        name: model name.

    Returns:
        A functional `keras.Model` with input `images_lr` of shape
        `(batch, None, None, channels)` and output `images`.

    Example:

    ```python
    g = kgan.models.srresnet_generator(scale=4, filters=8, blocks=1)
    g(np.zeros((1, 6, 5, 3), "float32")).shape   # (1, 24, 20, 3)
    ```
    """
    subpixel.check_scale(scale)
    checks.positive_int("filters", filters)
    checks.positive_int("blocks", blocks)
    lr = subpixel.image_input(channels)
    features = layers.Conv2D(filters, 9, padding="same", name="conv_first")(lr)
    features = _prelu("conv_first_act")(features)
    x = features
    for i in range(blocks):
        y = layers.Conv2D(filters, 3, padding="same", name=f"block_{i}_conv_0")(x)
        y = _prelu(f"block_{i}_act")(y)
        y = layers.Conv2D(filters, 3, padding="same", name=f"block_{i}_conv_1")(y)
        x = layers.Add(name=f"block_{i}_add")([x, y])
    x = layers.Conv2D(filters, 3, padding="same", name="conv_trunk")(x)
    x = layers.Add(name="trunk_skip")([features, x])
    x = subpixel.upsample(x, scale, filters, _prelu)
    x = layers.Conv2D(channels, 9, padding="same", name="conv_last")(x)
    if anchor:
        x = layers.Add(name="anchor_add")([x, subpixel.nearest_anchor(lr, scale)])
    images = layers.Activation("linear", dtype="float32", name="images")(x)
    return keras.Model(lr, images, name=name)


def _prelu(name):
    return layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25), shared_axes=[1, 2], name=name)
