"""TF Serving's binary values, `{"b64": "..."}`: PNG or JPEG images in, PNG images out.

TF Serving's REST API carries binary data in JSON as an object with the single
key "b64". `kgan serve` decodes such objects sent for an image input (a list
of them, one per example) with Pillow to float32 in the input's value range,
and with `"output_format": "png"` answers each output image the same way;
a model whose outputs are volumes (a voxel GAN) answers `"obj"` or `"ply"`
with each shape's mesh (marching cubes, `kgan.meshes`).
"""

import base64
import io

import numpy as np
from PIL import Image

from kgan.inference import inputs

FORMATS = ("PNG", "JPEG")
# Per request, read from the headers before decoding: a small PNG can unpack to
# gigabytes. 2^24 pixels is 1024 images of 128 x 128, 200 MB as float32 RGB.
MAX_PIXELS = 2**24
_MODES = {1: "L", 3: "RGB"}


def is_b64(value):
    """True for a TF Serving binary value: an object whose only key is "b64"."""
    return isinstance(value, dict) and list(value) == ["b64"]


def decode_images(value, tensor):
    """Returns `value` with `{"b64"}` images decoded to a float32 batch; other values unchanged.

    Args:
        value: the JSON value of an image input: nested lists, or a list of
            `{"b64": base64 PNG or JPEG}` objects.
        tensor: the input's `kgan.specs.TensorSpec` (2-D images, 1 or 3 channels).
    """
    if not isinstance(value, list) or not any(is_b64(item) for item in value):
        return value
    name = tensor.name
    if not all(is_b64(item) for item in value):
        raise ValueError(
            f"Expected `{name}` as nested lists or as a list of {{\"b64\": ...}} images, not a mix. "
            f"Received: {sum(map(is_b64, value))} b64 images among {len(value)} values"
        )
    if len(tensor.shape) != 3 or tensor.shape[-1] not in _MODES:
        raise ValueError(
            f"Expected nested lists for `{name}` of shape {tensor.shape}, which is not a 2-D image with "
            "1 or 3 channels. Received: b64 images"
        )
    blobs = [_b64decode(item["b64"], tensor, i) for i, item in enumerate(value)]
    return decode_encoded(blobs, tensor, what="base64 PNG or JPEG")


def decode_encoded(blobs, tensor, what="PNG or JPEG"):
    """Decodes encoded images, one `bytes` per example, to a float32 batch in the input's value range.

    Args:
        blobs: PNG or JPEG files as `bytes` (TF Serving's DT_STRING elements,
            the v2 protocol's BYTES).
        tensor: the input's `kgan.specs.TensorSpec` (2-D images, 1 or 3 channels).
        what: how the images were sent, for error messages.
    """
    name = tensor.name
    if len(tensor.shape) != 3 or tensor.shape[-1] not in _MODES:
        raise ValueError(
            f"Expected numbers for `{name}` of shape {tensor.shape}, which is not a 2-D image with "
            "1 or 3 channels. Received: encoded images"
        )
    if not blobs:
        raise ValueError(f"Expected at least one encoded image of `{name}`. Received: none")
    opened = [_open(blob, tensor, i, what) for i, blob in enumerate(blobs)]
    pixels = sum(image.width * image.height for image in opened)
    if pixels > MAX_PIXELS:
        raise ValueError(f"Expected at most {MAX_PIXELS} pixels of `{name}` per request. Received: {pixels}")
    sizes = sorted({(image.height, image.width) for image in opened})
    if len(sizes) > 1:
        raise ValueError(f"Expected `{name}` images of one size. Received: sizes (height, width) {sizes}")
    return np.stack([_to_float(image, tensor, i, what) for i, image in enumerate(opened)])


def encode_png(images, value_range):
    """Encodes float images `(n, H, W, 1 or 3)` in `value_range` as `[{"b64": PNG}, ...]`."""
    pixels = inputs.to_uint8(images, value_range)
    encoded = []
    for image in pixels:
        buffer = io.BytesIO()
        Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image).save(buffer, format="PNG")
        encoded.append({"b64": base64.b64encode(buffer.getvalue()).decode("ascii")})
    return encoded


def encode_meshes(volumes, value_range, fmt):
    """Encodes occupancy grids `(n, x, y, z, 1)` as `[{"b64": OBJ or PLY text}, ...]` (`kgan.meshes`)."""
    from kgan import meshes

    return [
        {"b64": base64.b64encode(meshes.mesh_text(meshes.volume_to_mesh(v, value_range), fmt).encode()).decode("ascii")}
        for v in volumes
    ]


def can_mesh(tensor):
    """True if the outputs of `tensor` can be answered as meshes: volumes `(x, y, z, 1)`."""
    return len(tensor.shape) == 4 and tensor.shape[-1] == 1


def can_encode(tensor):
    """True if the outputs of `tensor` can be answered as PNG: 2-D images, 1 or 3 channels."""
    return len(tensor.shape) == 3 and tensor.shape[-1] in _MODES


# Pillow reports broken files with any of these; each becomes a 400.
_DECODE_ERRORS = (ValueError, TypeError, SyntaxError, EOFError, OSError, Image.DecompressionBombError)


def _b64decode(text, tensor, index):
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, TypeError) as e:
        raise _undecodable(tensor, index, e, "base64 PNG or JPEG") from None


def _open(data, tensor, index, what):
    """Reads an image's header (Pillow decodes the pixels later, on `convert`)."""
    try:
        image = Image.open(io.BytesIO(data))
        if image.format not in FORMATS:
            raise ValueError(f"format {image.format}")
    except _DECODE_ERRORS as e:
        raise _undecodable(tensor, index, e, what) from None
    return image


def _to_float(image, tensor, index, what):
    try:
        pixels = np.asarray(image.convert(_MODES[tensor.shape[-1]]), dtype="float32")
    except _DECODE_ERRORS as e:
        raise _undecodable(tensor, index, e, what) from None
    pixels = pixels.reshape(*pixels.shape[:2], tensor.shape[-1])
    low, high = tensor.value_range or (-1.0, 1.0)
    return pixels * np.float32((high - low) / 255.0) + np.float32(low)


def _undecodable(tensor, index, error, what):
    return ValueError(
        f"Expected `{tensor.name}` image {index} as {what}. Received: an image that does not decode ({error})"
    )
