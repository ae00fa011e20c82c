"""What image-to-image networks share: their export spec, batched inference, preview rows.

A translation network (pix2pix's U-Net, CycleGAN's ResNet generator, or any
functional Keras model of one image input) maps images in [-1, 1] to images
in [-1, 1] of the same height and width, at any size when it is fully
convolutional.
"""

import keras
import numpy as np

from kgan import images as images_lib
from kgan import specs

VALUE_RANGE = (-1.0, 1.0)


def translation_spec(network, task="translate"):
    """The `kgan.specs.ModelSpec` of a one-input, one-output image network.

    The input keeps its name (`source` for kgan's builders), the output is
    named `images`; sizes the network leaves open stay `None` in the spec
    (any height and width).
    """
    if len(network.inputs) != 1 or len(network.outputs) != 1:
        raise ValueError(
            "Expected an image-to-image network with one input and one output. Received: "
            f"{len(network.inputs)} inputs and {len(network.outputs)} outputs"
        )
    source, output = network.inputs[0], network.outputs[0]
    if len(source.shape) != 4 or len(output.shape) != 4:
        raise ValueError(
            "Expected image input and output of shape (batch, height, width, channels). Received: "
            f"input {tuple(source.shape)}, output {tuple(output.shape)}"
        )
    image = specs.TensorSpec(source.name.split(":")[0], source.shape[1:], "float32", "image", value_range=VALUE_RANGE)
    out = specs.TensorSpec("images", output.shape[1:], "float32", "image", value_range=VALUE_RANGE)
    return specs.ModelSpec(task, (image,), (out,))


def translate(network, images, batch_size=64):
    """Runs `network` in inference mode on `images` in batches; float32 NumPy output."""
    images = np.asarray(images, "float32")
    if images.ndim != 4:
        raise ValueError(f"Expected images of shape (n, height, width, channels). Received: shape={images.shape}")
    chunks = [
        keras.ops.convert_to_numpy(network(images[start : start + batch_size], training=False))
        for start in range(0, len(images), batch_size)
    ]
    if not chunks:
        return np.zeros((0, *images.shape[1:3], network.outputs[0].shape[-1]), "float32")
    return np.concatenate(chunks).astype("float32")


def rows_grid(columns, scale=1):
    """A uint8 grid with one row per example and one column per entry of `columns`.

    Args:
        columns: equal-length batches of float images in [-1, 1] (e.g. source,
            translation, target); grey columns are shown in RGB when any
            column is RGB.
        scale: integer upscaling of each tile.
    """
    columns = [np.asarray(c, "float32") for c in columns]
    if any(c.shape[-1] == 3 for c in columns):
        columns = [np.repeat(c, 3, axis=-1) if c.shape[-1] == 1 else c for c in columns]
    n = len(columns[0])
    tiles = np.stack(columns, axis=1).reshape(n * len(columns), *columns[0].shape[1:])
    return images_lib.make_grid(tiles, rows=n, scale=scale)
