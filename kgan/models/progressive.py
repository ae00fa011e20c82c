"""Progressive GAN networks (Karras et al. 2017, arXiv 1710.10196, Table 2).

Both networks are built once at full resolution, as a stack of blocks, one
per resolution `4, 8, ..., image_size` (level 0, 1, ..., L):

- G: a 4x4 stem (z, pixel-normalised, [and the label embedding] -> dense ->
  4x4 -> conv 3x3), then one block per doubling (nearest upsampling, two
  3x3 convolutions), each conv followed by LeakyReLU(0.2) and pixel norm;
  and a `to_rgb` 1x1 convolution (linear, float32) at every level.
- D: the mirror image: a `from_rgb` 1x1 convolution at every level, one block
  per halving (two 3x3 convolutions, 2x2 average pooling), then minibatch
  standard deviation and a 4x4 head (conv 3x3, dense, and the logit: a
  projection discriminator when conditional, `kgan.models.conditioning`).

Every convolution and dense layer has the equalised learning rate, the
leaky ReLUs are the official code's `max(x, 0.2 x)` (`MaxLeakyReLU`), and
filters follow the paper's rule `min(max_filters, filter_base // resolution)`.

The Keras models the builders return are containers that hold every block
(so `.keras` files, EMA clones and checkpoints hold them all):
- the generator maps z [, labels] to one image per level, outputs
  `images_4x4`, ..., `images_RxR` (the level's `to_rgb` on its features);
- the discriminator maps one image per level (inputs `images_4x4`, ...)
  [and labels] to one logit per level (`logits_4x4`, ...), each entering at
  its own level's `from_rgb`.

`GeneratorLevels` and `DiscriminatorLevels` run them at one level, fading in
a new block: that is what training and sampling call, computing only the
blocks up to the current resolution.

Example:

```python
g = kgan.models.progressive_generator(latent_dim=8, image_size=16, channels=1, max_filters=8)
d = kgan.models.progressive_discriminator(image_size=16, channels=1, max_filters=8)
levels = kgan.models.GeneratorLevels(g)
z = np.random.default_rng(0).standard_normal((4, 8)).astype("float32")
images = levels(z, level=1, alpha=0.5)  # 8x8, half way through fading in the 8x8 block
logits = kgan.models.DiscriminatorLevels(d)(images, None, level=1, alpha=0.5)
```
"""

import math

import keras
from keras import layers
from keras import ops

from kgan import checks
from kgan.models import conditioning
from kgan.models import progressive_layers as pl

MIN_IMAGE_SIZE = 8
MAX_IMAGE_SIZE = 1024
LEAK = 0.2


def resolutions(image_size):
    """`[4, 8, ..., image_size]` for a power of two `image_size` from 8 to 1024."""
    valid = isinstance(image_size, int) and not isinstance(image_size, bool)
    if not (valid and MIN_IMAGE_SIZE <= image_size <= MAX_IMAGE_SIZE and image_size & (image_size - 1) == 0):
        raise ValueError(
            f"Expected `image_size` to be a power of two from {MIN_IMAGE_SIZE} to {MAX_IMAGE_SIZE}. "
            f"Received: image_size={image_size!r}"
        )
    return [4 * 2**level for level in range(int(math.log2(image_size)) - 1)]


def filters_at(resolution, max_filters, filter_base):
    """The paper's feature-map rule: `min(max_filters, filter_base // resolution)`, at least 1."""
    return max(1, min(max_filters, filter_base // resolution))


def _name(prefix, resolution):
    return f"{prefix}_{resolution}x{resolution}"


def _conv(filters, kernel_size, equalized, name, gain=pl.HE_GAIN, dtype=None):
    return pl.EqualizedConv2D(filters, kernel_size, gain=gain, equalized=equalized, name=name, dtype=dtype)


def _act_norm(x, pixel_norm, name):
    x = pl.MaxLeakyReLU(LEAK, name=f"{name}_lrelu")(x)
    return pl.PixelNormalization(name=f"{name}_pixel_norm")(x) if pixel_norm else x


# The generator -------------------------------------------------------------------------


def progressive_generator(
    latent_dim=128,
    image_size=32,
    channels=1,
    num_classes=None,
    max_filters=128,
    filter_base=1024,
    embed_dim=32,
    pixel_norm=True,
    equalized=True,
    name="progressive_generator",
):
    """Builds the progressive generator container (see the module docstring).

    Args:
        latent_dim: size of z.
        image_size: the final resolution, a power of two from 8 to 1024.
        channels: image channels (1 or 3).
        num_classes: classes of a conditional generator (label embedding
            concatenated with the normalised z), or None.
        max_filters, filter_base: filters at resolution r are
            `min(max_filters, filter_base // r)` (the paper: 512, 8192).
        embed_dim: size of the label embedding.
        pixel_norm: pixelwise feature normalisation of z and after every
            convolution (ProGAN section 4.2).
        equalized: equalised learning rate in every layer (section 4.1).
        name: model name.

    Returns:
        A functional `keras.Model` with inputs `z` [and `labels`] and one
        float32 output per level, `images_4x4` ... (linear, unclipped).
    """
    sizes = resolutions(image_size)
    checks.channels("channels", channels)
    conditioning.check_num_classes(num_classes)
    checks.positive_int("latent_dim", latent_dim)
    nf = [filters_at(r, max_filters, filter_base) for r in sizes]
    stem = _generator_stem(latent_dim, num_classes, nf[0], embed_dim, pixel_norm, equalized)
    blocks = [None] + [
        _generator_block(sizes[k], nf[k - 1], nf[k], pixel_norm, equalized) for k in range(1, len(sizes))
    ]
    to_rgb = [_to_rgb(r, f, channels, equalized) for r, f in zip(sizes, nf)]
    z = keras.Input((latent_dim,), name="z")
    inputs = [z] if num_classes is None else [z, conditioning.labels_input()]
    h = stem(conditioning.single_or_list(inputs))
    outputs = []
    for k in range(len(sizes)):
        if k:
            h = blocks[k](h)
        outputs.append(to_rgb[k](h))
    return keras.Model(conditioning.single_or_list(inputs), outputs, name=name)


def _generator_stem(latent_dim, num_classes, filters, embed_dim, pixel_norm, equalized):
    z = keras.Input((latent_dim,), name="z")
    x = pl.PixelNormalization(name="z_pixel_norm")(z) if pixel_norm else z
    inputs = [z]
    if num_classes is not None:
        labels = conditioning.labels_input()
        inputs.append(labels)
        # kgan's conditioning (embedding concatenated with z), with N(0, 1)
        # embeddings: the label weighs as much as the normalised z from the
        # first step, rather than after the ~1/lr steps Adam would need to
        # grow Keras' default U(-0.05, 0.05) entries.
        embedded = layers.Embedding(
            num_classes, embed_dim, embeddings_initializer=keras.initializers.RandomNormal(stddev=1.0),
            name="label_embedding",
        )(labels)
        x = layers.Concatenate(name="z_and_label")([x, embedded])
    # The paper's 4x4 "conv 4x4" on a 1x1 input is a dense layer to 16 pixels;
    # gain sqrt(2)/4 as in the official code.
    x = pl.EqualizedDense(16 * filters, gain=pl.HE_GAIN / 4, equalized=equalized, name="dense")(x)
    x = layers.Reshape((4, 4, filters), name="to_4x4")(x)
    x = _act_norm(x, pixel_norm, "dense")
    x = _conv(filters, 3, equalized, "conv")(x)
    x = _act_norm(x, pixel_norm, "conv")
    return keras.Model(conditioning.single_or_list(inputs), x, name="g_stem_4x4")


def _generator_block(resolution, in_filters, filters, pixel_norm, equalized):
    h = keras.Input((resolution // 2, resolution // 2, in_filters), name="features")
    x = layers.UpSampling2D(2, interpolation="nearest", name="upsample")(h)
    for i in range(2):
        x = _conv(filters, 3, equalized, f"conv{i}")(x)
        x = _act_norm(x, pixel_norm, f"conv{i}")
    return keras.Model(h, x, name=_name("g_block", resolution))


def _to_rgb(resolution, filters, channels, equalized):
    h = keras.Input((resolution, resolution, filters), name="features")
    # Linear, as in the paper; float32 under mixed precision.
    x = _conv(channels, 1, equalized, "conv", gain=1.0, dtype="float32")(h)
    return keras.Model(h, x, name=_name("to_rgb", resolution))


# The discriminator ---------------------------------------------------------------------


def progressive_discriminator(
    image_size=32,
    channels=1,
    num_classes=None,
    max_filters=128,
    filter_base=1024,
    minibatch_stddev=True,
    group_size=4,
    equalized=True,
    name="progressive_discriminator",
):
    """Builds the progressive discriminator container (see the module docstring).

    Args:
        image_size: the final resolution, a power of two from 8 to 1024.
        channels: image channels (1 or 3).
        num_classes: classes of a projection discriminator, or None.
        max_filters, filter_base: as in `progressive_generator`.
        minibatch_stddev: append the minibatch standard deviation before the
            4x4 head (section 3); batches must then be multiples of
            `group_size` (or smaller than it).
        group_size: the minibatch standard deviation's group size.
        equalized: equalised learning rate in every layer.
        name: model name.

    Returns:
        A functional `keras.Model` with inputs `images_4x4` ... `images_RxR`
        [and `labels`] and float32 outputs `logits_4x4` ... `logits_RxR`,
        each of shape `(batch, 1)`.
    """
    sizes = resolutions(image_size)
    checks.channels("channels", channels)
    conditioning.check_num_classes(num_classes)
    nf = [filters_at(r, max_filters, filter_base) for r in sizes]
    from_rgb = [_from_rgb(r, channels, f, equalized) for r, f in zip(sizes, nf)]
    blocks = [None] + [_discriminator_block(sizes[k], nf[k], nf[k - 1], equalized) for k in range(1, len(sizes))]
    stddev = pl.MinibatchStdDev(group_size, name="minibatch_stddev") if minibatch_stddev else None
    head = _discriminator_head(nf[0] + (1 if minibatch_stddev else 0), nf[0], num_classes, equalized)
    images = [keras.Input((r, r, channels), name=_name("images", r)) for r in sizes]
    labels = None if num_classes is None else conditioning.labels_input()
    outputs = []
    for k, r in enumerate(sizes):
        h = from_rgb[k](images[k])
        for j in range(k, 0, -1):
            h = blocks[j](h)
        if stddev is not None:
            h = stddev(h)
        logits = head(h if labels is None else [h, labels])
        outputs.append(layers.Identity(name=_name("logits", r), dtype="float32")(logits))
    inputs = images + ([] if labels is None else [labels])
    return keras.Model(inputs, outputs, name=name)


def _from_rgb(resolution, channels, filters, equalized):
    x = keras.Input((resolution, resolution, channels), name="images")
    h = _conv(filters, 1, equalized, "conv")(x)
    h = pl.MaxLeakyReLU(LEAK, name="lrelu")(h)
    return keras.Model(x, h, name=_name("from_rgb", resolution))


def _discriminator_block(resolution, filters, out_filters, equalized):
    h = keras.Input((resolution, resolution, filters), name="features")
    x = _conv(filters, 3, equalized, "conv0")(h)
    x = pl.MaxLeakyReLU(LEAK, name="conv0_lrelu")(x)
    x = _conv(out_filters, 3, equalized, "conv1")(x)
    x = pl.MaxLeakyReLU(LEAK, name="conv1_lrelu")(x)
    x = layers.AveragePooling2D(2, name="downsample")(x)
    return keras.Model(h, x, name=_name("d_block", resolution))


def _discriminator_head(in_filters, filters, num_classes, equalized):
    h = keras.Input((4, 4, in_filters), name="features")
    x = _conv(filters, 3, equalized, "conv")(h)
    x = pl.MaxLeakyReLU(LEAK, name="conv_lrelu")(x)
    x = layers.Flatten(name="flatten")(x)
    x = pl.EqualizedDense(filters, equalized=equalized, name="dense")(x)
    features = pl.MaxLeakyReLU(LEAK, name="dense_lrelu")(x)
    # Logits stay float32 under mixed precision; a linear output has gain 1.
    logits = pl.EqualizedDense(1, gain=1.0, equalized=equalized, dtype="float32", name="logits")(features)
    if num_classes is None:
        return keras.Model(h, logits, name="d_head_4x4")
    # The projection discriminator of kgan.models.conditioning (Miyato &
    # Koyama 2018), with an equalised linear part: logit + <embed(y), h>.
    labels = conditioning.labels_input()
    embedded = layers.Embedding(num_classes, filters, name="label_projection")(labels)
    projection = layers.Dot(axes=1, dtype="float32", name="projection")([embedded, features])
    logits = layers.Add(dtype="float32", name="conditional_logits")([logits, projection])
    return keras.Model([h, labels], logits, name="d_head_4x4")


# Running the containers at one level ----------------------------------------------------


class GeneratorLevels:
    """A progressive generator container run at one level, with fade-in.

    `levels(inputs, level, alpha)` computes the images of resolution
    `4 * 2**level`: the stem and blocks up to `level`, then that level's
    `to_rgb`; while the block is fading in (`alpha < 1`) the output is
    `fade(upsample(to_rgb[level - 1](h[level - 1])), to_rgb[level](h[level]), alpha)`,
    the paper's Figure 2(b). Only the blocks up to `level` run.

    Args:
        generator: a container from `progressive_generator` (or its clone).
    """

    def __init__(self, generator):
        self.generator = generator
        self.sizes = [int(t.shape[1]) for t in generator.outputs]
        self.stem = generator.get_layer("g_stem_4x4")
        self.blocks = [None] + [generator.get_layer(_name("g_block", r)) for r in self.sizes[1:]]
        self.to_rgb = [generator.get_layer(_name("to_rgb", r)) for r in self.sizes]

    @property
    def num_levels(self):
        return len(self.sizes)

    def __call__(self, inputs, level, alpha=1.0, training=False):
        """The images at `level` (a Python int), fading with `alpha` (a float or scalar tensor)."""
        inputs = [ops.convert_to_tensor(x) for x in inputs] if isinstance(inputs, (list, tuple)) else inputs
        h, previous = self.stem(inputs, training=training), None
        for k in range(1, level + 1):
            previous, h = h, self.blocks[k](h, training=training)
        images = self.to_rgb[level](h, training=training)
        if level == 0 or (isinstance(alpha, (int, float)) and alpha == 1):
            return images
        low = pl.upsample(self.to_rgb[level - 1](previous, training=training))
        return pl.fade(low, images, alpha)

    def network(self, level, alpha=1.0, name=None):
        """A functional generator `z [, labels] -> images` at `level` with a fixed `alpha`.

        Its output, named `images`, is clipped to [-1, 1]; it shares the
        container's layers (and so its weights).
        """
        checks.integer("level", level, minimum=0)
        if level >= self.num_levels:
            raise ValueError(f"Expected `level` < {self.num_levels}. Received: level={level}")
        alpha = checks.number("alpha", float(alpha), 0.0, 1.0)
        inputs = [keras.Input(t.shape[1:], dtype=t.dtype, name=t.name.split(":")[0]) for t in self.generator.inputs]
        given = conditioning.single_or_list(inputs)
        h, previous = self.stem(given), None
        for k in range(1, level + 1):
            previous, h = h, self.blocks[k](h)
        images = self.to_rgb[level](h)
        if level > 0 and alpha < 1.0:
            low = layers.UpSampling2D(2, interpolation="nearest", name="upsample_previous")(self.to_rgb[level - 1](previous))
            images = pl.Fade(alpha, name="fade")([low, images])
        images = pl.Clip(-1.0, 1.0, name="images", dtype="float32")(images)
        resolution = self.sizes[level]
        return keras.Model(given, images, name=name or f"progressive_generator_{resolution}x{resolution}")


class DiscriminatorLevels:
    """A progressive discriminator container run at one level, with fade-in.

    `levels(images, labels, level, alpha)` scores images of resolution
    `4 * 2**level`: `from_rgb[level]`, the blocks from `level` down to 1,
    minibatch standard deviation and the head. While the block is fading in,
    its output is faded with `from_rgb[level - 1]` of the 2x downsampled
    images (Figure 2(b)).

    Args:
        discriminator: a container from `progressive_discriminator`.
        stop_gradient_statistic: run the minibatch standard deviation with
            its statistic held constant to the gradient (for penalties).
    """

    def __init__(self, discriminator, stop_gradient_statistic=False):
        self.discriminator = discriminator
        self.sizes = [int(t.shape[1]) for t in discriminator.inputs if len(t.shape) == 4]
        self.from_rgb = [discriminator.get_layer(_name("from_rgb", r)) for r in self.sizes]
        self.blocks = [None] + [discriminator.get_layer(_name("d_block", r)) for r in self.sizes[1:]]
        self.head = discriminator.get_layer("d_head_4x4")
        self.stddev = minibatch_stddev_layer(discriminator)
        if self.stddev is not None and stop_gradient_statistic:
            self.stddev = pl.MinibatchStdDev.from_config(
                {**self.stddev.get_config(), "stop_gradient": True, "name": "minibatch_stddev_constant"}
            )

    @property
    def num_levels(self):
        return len(self.sizes)

    def __call__(self, images, labels, level, alpha=1.0, training=False):
        """D's logits `(batch, 1)` for `images` at `level` (a Python int)."""
        labels = None if labels is None else ops.convert_to_tensor(labels)
        h = self.from_rgb[level](images, training=training)
        if level > 0:
            h = self.blocks[level](h, training=training)
            if not (isinstance(alpha, (int, float)) and alpha == 1):
                low = self.from_rgb[level - 1](pl.downsample(images), training=training)
                h = pl.fade(low, h, alpha)
        for k in range(level - 1, 0, -1):
            h = self.blocks[k](h, training=training)
        if self.stddev is not None:
            h = self.stddev(h)
        return self.head(h if labels is None else [h, labels], training=training)


def minibatch_stddev_layer(discriminator):
    """The container's `MinibatchStdDev` layer, or None."""
    found = [layer for layer in discriminator.layers if isinstance(layer, pl.MinibatchStdDev)]
    return found[0] if found else None


def num_classes_of(network):
    """The classes of a container's label input (from its embedding), or None."""
    for layer in network._flatten_layers(include_self=False, recursive=True):
        if layer.name in ("label_embedding", "label_projection"):
            return int(layer.input_dim)
    return None
