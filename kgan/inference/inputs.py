"""Validation of model inputs, shared by `kgan.inference` and `kgan.serving`.

Each input is checked by its role in the model's `kgan.specs.ModelSpec`:
noise, images, and labels (through `kgan.labels.resolve`, kgan's one set of
label rules). Every check raises `ValueError` with an "Expected ...
Received: ..." message, which the server turns into a 400 response.
"""

import numpy as np

from kgan import checks
from kgan import labels as labels_lib

OUTPUT_DTYPES = ("float32", "uint8")
# Values this far (as a fraction of the range) outside an image's value range
# are refused: a likely [0, 255] or [0, 1] image sent to a [-1, 1] model.
RANGE_SLACK = 1e-3


def check_count(n, name="n"):
    """Returns `n` as an int, for a non-negative integer (not a bool)."""
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"Expected `{name}` to be a non-negative integer. Received: {name}={n!r}")
    return int(n)


def check_seed(seed):
    """Returns `seed` as an int in the int64 range (TF Serving's `seed` dtype)."""
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"Expected `seed` to be an integer. Received: seed={seed!r}")
    if not -(2**63) <= int(seed) < 2**63:
        raise ValueError(f"Expected `seed` in the int64 range. Received: seed={seed}")
    return int(seed)


def check_input(value, tensor, n=None):
    """Checks one input by its role; returns it as the dtype the model takes.

    Args:
        value: the input, batched.
        tensor: its `kgan.specs.TensorSpec`.
        n: the batch size, needed for labels (which may be given as one int).
    """
    if tensor.role == "label":
        return labels_lib.resolve(value, n, tensor.num_classes, name=tensor.name).astype(tensor.dtype)
    if tensor.role == "image":
        return check_images(value, tensor)
    return check_noise(value, tensor)


def check_noise(z, tensor):
    """Returns `z` as finite float32 of shape `(n, *tensor.shape)`."""
    array = _float_array(z, tensor.name)
    if array.ndim != 1 + len(tensor.shape) or array.shape[1:] != tensor.shape:
        raise ValueError(
            f"Expected `{tensor.name}` of shape {_batched(tensor.shape)}. "
            f"Received: {tensor.name} of shape {array.shape}"
        )
    return array


def check_images(images, tensor):
    """Returns float32 images of shape `(n, *tensor.shape)` (any size where it is None), in range."""
    name = tensor.name
    if isinstance(images, np.ndarray) and images.dtype == np.uint8:
        where = f" in {list(tensor.value_range)}" if tensor.value_range else ""
        raise ValueError(
            f"Expected `{name}` as float images{where}. Received: uint8 images; scale them to the value range first"
        )
    array = _float_array(images, name)
    fits = array.ndim == 1 + len(tensor.shape) and all(
        d is None or d == size for d, size in zip(tensor.shape, array.shape[1:])
    )
    if not fits:
        raise ValueError(
            f"Expected `{name}` of shape {_batched(tensor.shape)}. Received: {name} of shape {array.shape}"
        )
    if tensor.value_range is not None and array.size:
        low, high = tensor.value_range
        slack = RANGE_SLACK * (high - low)
        if array.min() < low - slack or array.max() > high + slack:
            raise ValueError(
                f"Expected `{name}` in the value range [{low:g}, {high:g}]. "
                f"Received: values from {array.min():g} to {array.max():g}"
            )
    return array


def check_output_dtype(dtype):
    if dtype not in OUTPUT_DTYPES:
        raise ValueError(f"Expected `dtype` to be one of {OUTPUT_DTYPES}. Received: dtype={dtype!r}")
    return dtype


def to_uint8(images, value_range):
    """Maps float images in `value_range` to uint8 [0, 255] (values outside are clipped)."""
    low, high = value_range or (-1.0, 1.0)
    scaled = (np.asarray(images, "float32") - np.float32(low)) * np.float32(255.0 / (high - low))
    return np.clip(np.rint(scaled), 0, 255).astype("uint8")


def _float_array(value, name):
    array = checks.numeric_array(name, value)
    with np.errstate(over="ignore"):  # too large for float32 becomes inf, refused below
        array = array.astype("float32")
    if not np.isfinite(array).all():
        raise ValueError(f"Expected finite values in `{name}`. Received: {name} with NaN or infinity")
    return array


def _batched(shape):
    return "(" + ", ".join(["batch", *("any" if d is None else str(d) for d in shape)]) + ")"
