"""DCGAN (Radford, Metz & Chintala 2015, arXiv 1511.06434).

The paper's guidelines, which the builders follow:
1. strided convolutions instead of pooling (transposed in G, strided in D);
2. batch norm in both nets, except G's output and D's input layers;
3. no fully connected hidden layers beyond the projection of z;
4. ReLU in G with a tanh output; LeakyReLU(0.2) in D.

Square images from 8 to 128 px with 1 or 3 channels. G starts from a small
`start_size` grid (4 for powers of two, 7 for 28 px) and doubles it.
"""

import keras
from keras import layers

from kgan import checks
from kgan.models import conditioning
from kgan.models.conditioning import single_or_list as _single_or_list

MIN_IMAGE_SIZE = 8
MAX_IMAGE_SIZE = 128


def upsampling_plan(image_size):
    """Returns `(start_size, num_doublings)` for a square `image_size`.

    The generator halves `image_size` while the result is even and at least
    4, so 64 -> (4, 4), 28 -> (7, 2), 8 -> (4, 1).
    """
    if not isinstance(image_size, int) or not MIN_IMAGE_SIZE <= image_size <= MAX_IMAGE_SIZE:
        raise ValueError(
            f"Expected `image_size` to be an integer from {MIN_IMAGE_SIZE} to "
            f"{MAX_IMAGE_SIZE}. Received: image_size={image_size!r}"
        )
    size, doublings = image_size, 0
    while size % 2 == 0 and size // 2 >= 4:
        size, doublings = size // 2, doublings + 1
    if doublings == 0:
        raise ValueError(
            "Expected `image_size` to be divisible by 2 at least once with a "
            f"start grid of 4 px or more (e.g. 8, 16, 28, 32, 64, 128). "
            f"Received: image_size={image_size}"
        )
    return size, doublings


def dcgan_generator(
    latent_dim=100,
    image_size=64,
    channels=3,
    num_classes=None,
    base_filters=64,
    kernel_size=4,
    embed_dim=50,
    name="dcgan_generator",
):
    """Builds the DCGAN generator: z [, labels] -> images in [-1, 1].

    Args:
        latent_dim: size of the noise vector z.
        image_size: side of the square output images (8 to 128).
        channels: 1 (grayscale) or 3 (RGB).
        num_classes: number of classes for a conditional generator, or None.
        base_filters: filters of the last hidden layer; each earlier
            layer doubles them (the paper's 64 at 64 px).
        kernel_size: transposed-convolution kernel size.
        embed_dim: size of the label embedding (conditional only).
        name: model name.

    Returns:
        A functional `keras.Model` with inputs `z` (and `labels`) and the
        float32 output `images` of shape `(batch, image_size, image_size, channels)`.
    """
    start, doublings = upsampling_plan(image_size)
    checks.channels("channels", channels)
    conditioning.check_num_classes(num_classes)
    inputs, x = conditioning.generator_inputs(latent_dim, num_classes, embed_dim)
    filters = base_filters * 2 ** (doublings - 1)
    # 1. Project and reshape z to a start x start x filters grid.
    x = layers.Dense(start * start * filters, use_bias=False, name="project")(x)
    x = layers.Reshape((start, start, filters), name="to_grid")(x)
    x = layers.BatchNormalization(name="bn_project")(x)
    x = layers.ReLU(name="relu_project")(x)
    # 2. Double the resolution, halving the filters, until the last doubling.
    for i in range(doublings - 1):
        filters //= 2
        x = layers.Conv2DTranspose(
            filters, kernel_size, strides=2, padding="same", use_bias=False, name=f"up_{i}"
        )(x)
        x = layers.BatchNormalization(name=f"bn_{i}")(x)
        x = layers.ReLU(name=f"relu_{i}")(x)
    # 3. The last doubling maps to image channels; tanh, in float32.
    x = layers.Conv2DTranspose(channels, kernel_size, strides=2, padding="same", name="to_rgb")(x)
    images = layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model(_single_or_list(inputs), images, name=name)


def dcgan_discriminator(
    image_size=64,
    channels=3,
    num_classes=None,
    base_filters=64,
    kernel_size=4,
    normalization="batch",
    name="dcgan_discriminator",
):
    """Builds the DCGAN discriminator: images [, labels] -> logits.

    Args:
        image_size: side of the square input images (8 to 128).
        channels: 1 or 3.
        num_classes: number of classes for a projection discriminator, or None.
        base_filters: filters of the first convolution, doubled per layer.
        kernel_size: convolution kernel size.
        normalization: `"batch"` (the paper), `"layer"` (for gradient
            penalties, which batch norm breaks: Gulrajani et al. 2017), or None.
        name: model name.

    Returns:
        A functional `keras.Model` with inputs `images` (and `labels`) and a
        float32 `(batch, 1)` logit output.
    """
    _, doublings = upsampling_plan(image_size)
    checks.channels("channels", channels)
    conditioning.check_num_classes(num_classes)
    if normalization not in ("batch", "layer", None):
        raise ValueError(
            'Expected `normalization` to be "batch", "layer" or None. '
            f"Received: normalization={normalization!r}"
        )
    inputs, images, labels = conditioning.discriminator_inputs((image_size, image_size, channels), num_classes)
    x, filters = images, base_filters
    for i in range(doublings):
        x = layers.Conv2D(filters, kernel_size, strides=2, padding="same", name=f"down_{i}")(x)
        if i > 0:  # no normalization on D's input layer
            x = _normalize(x, normalization, i)
        x = layers.LeakyReLU(0.2, name=f"lrelu_{i}")(x)
        filters *= 2
    x = layers.Flatten(name="flatten")(x)
    logits = conditioning.projection_logit(x, labels, num_classes)
    return keras.Model(_single_or_list(inputs), logits, name=name)


def _normalize(x, normalization, i):
    if normalization == "batch":
        return layers.BatchNormalization(name=f"bn_{i}")(x)
    if normalization == "layer":
        return layers.LayerNormalization(name=f"ln_{i}")(x)
    return x
