"""3D-GAN networks (Wu, Zhang, Xue, Freeman & Tenenbaum 2016, arXiv 1610.07584).

The paper's generator maps a 200-d z to a 64^3 occupancy grid through four
3D transposed convolutions (kernel 4, stride 2: 4^3 x 512 -> 8^3 x 256 ->
16^3 x 128 -> 32^3 x 64 -> 64^3 x 1), with batch norm and ReLU between them
and a sigmoid at the end; the discriminator mirrors it with strided 3D
convolutions and LeakyReLU(0.2). The builders follow that layout at any
grid side `4 * 2^k` from 8 to 128 (32^3 drops one doubling), with
`base_filters` the width next to the grid (the paper's 64).

Volumes are channels-last `(batch, x, y, z, 1)`, y up, occupancy in [0, 1].
Conditioning is kgan's (`kgan.models.conditioning`): a label embedding
concatenated with z in G, a projection head in D.
"""

import keras
from keras import layers

from kgan.models import conditioning
from kgan.models.conditioning import single_or_list

START_SIZE = 4
GRID_SIZES = (8, 16, 32, 64, 128)
NORMALIZATIONS = ("batch", "layer", None)


def doublings(grid_size):
    """Stride-2 layers between the 4^3 start grid and `grid_size` (32 -> 3, 64 -> 4)."""
    if isinstance(grid_size, bool) or grid_size not in GRID_SIZES:
        raise ValueError(f"Expected `grid_size` to be one of {GRID_SIZES}. Received: grid_size={grid_size!r}")
    return (grid_size // START_SIZE).bit_length() - 1


def voxel_generator(
    latent_dim=200,
    grid_size=32,
    num_classes=None,
    base_filters=64,
    kernel_size=4,
    embed_dim=50,
    name="voxel_generator",
):
    """Builds the 3D-GAN generator: z [, labels] -> occupancy in [0, 1].

    Args:
        latent_dim: size of z (the paper's 200).
        grid_size: side of the output grid: 8, 16, 32, 64 (the paper) or 128.
        num_classes: number of classes of a conditional generator, or None.
        base_filters: filters of the last hidden layer; each earlier layer
            doubles them (64 gives the paper's 512-256-128-64 at 64^3).
        kernel_size: transposed-convolution kernel size (the paper's 4).
        embed_dim: size of the label embedding (conditional only).
        name: model name.

    Returns:
        A functional `keras.Model` with inputs `z` (and `labels`) and the
        float32 output `voxels` of shape `(batch, grid, grid, grid, 1)`.

    Example:

    ```python
    g = kgan.models.voxel_generator(latent_dim=16, grid_size=8, base_filters=4)
    g(np.zeros((2, 16), "float32")).shape  # (2, 8, 8, 8, 1)
    ```
    """
    steps = doublings(grid_size)
    conditioning.check_num_classes(num_classes)
    inputs, x = conditioning.generator_inputs(latent_dim, num_classes, embed_dim)
    filters = base_filters * 2 ** (steps - 1)
    # 1. Project z to a 4^3 grid (the paper's first 4^3 transposed convolution of a 1^3 input).
    x = layers.Dense(START_SIZE**3 * filters, use_bias=False, name="project")(x)
    x = layers.Reshape((START_SIZE,) * 3 + (filters,), name="to_grid")(x)
    x = layers.BatchNormalization(name="bn_project")(x)
    x = layers.ReLU(name="relu_project")(x)
    # 2. Double the grid, halving the filters, up to the last doubling.
    for i in range(steps - 1):
        filters //= 2
        x = layers.Conv3DTranspose(filters, kernel_size, strides=2, padding="same", use_bias=False, name=f"up_{i}")(x)
        x = layers.BatchNormalization(name=f"bn_{i}")(x)
        x = layers.ReLU(name=f"relu_{i}")(x)
    # 3. The last doubling maps to one occupancy channel; sigmoid, in float32.
    x = layers.Conv3DTranspose(1, kernel_size, strides=2, padding="same", name="to_occupancy")(x)
    voxels = layers.Activation("sigmoid", dtype="float32", name="voxels")(x)
    return keras.Model(single_or_list(inputs), voxels, name=name)


def voxel_discriminator(
    grid_size=32,
    num_classes=None,
    base_filters=64,
    kernel_size=4,
    normalization="batch",
    name="voxel_discriminator",
):
    """Builds the 3D-GAN discriminator: occupancy grids [, labels] -> logits.

    Args:
        grid_size: side of the input grid (8 to 128, as `voxel_generator`).
        num_classes: number of classes of a projection discriminator, or None.
        base_filters: filters of the first convolution, doubled per layer.
        kernel_size: convolution kernel size (the paper's 4).
        normalization: `"batch"` (the paper), `"layer"` (needed with a
            gradient penalty, which batch norm makes inexact) or None.
        name: model name.

    Returns:
        A functional `keras.Model` with inputs `images` (the grids, shape
        `(batch, grid, grid, grid, 1)`) and `labels` when conditional, and a
        float32 `(batch, 1)` logit output.
    """
    steps = doublings(grid_size)
    conditioning.check_num_classes(num_classes)
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"Expected `normalization` to be one of {NORMALIZATIONS}. Received: normalization={normalization!r}")
    inputs, x, labels = conditioning.discriminator_inputs((grid_size,) * 3 + (1,), num_classes)
    filters = base_filters
    for i in range(steps):
        x = layers.Conv3D(filters, kernel_size, strides=2, padding="same", name=f"down_{i}")(x)
        if i > 0 and normalization == "batch":  # none on D's input layer (DCGAN, 3D-GAN)
            x = layers.BatchNormalization(name=f"bn_{i}")(x)
        elif i > 0 and normalization == "layer":
            x = layers.LayerNormalization(name=f"ln_{i}")(x)
        x = layers.LeakyReLU(0.2, name=f"lrelu_{i}")(x)
        filters *= 2
    x = layers.Flatten(name="flatten")(x)
    logits = conditioning.projection_logit(x, labels, num_classes)
    return keras.Model(single_or_list(inputs), logits, name=name)
