"""A served model's signatures, whatever the protocol: what each one takes, and running it.

TF Serving's gRPC API and the KServe v2 protocol (over HTTP and gRPC) name a
signature of the model's spec (`spec.signatures`: `serving_default`, the task's
own name, and `sample` for models with a noise input) and send its inputs as
typed arrays. The protocol modules turn their tensors into NumPy arrays
(`kgan.serving.tensor_proto`, `kgan.serving.v2`); this module checks them
against the signature, applies the batch limit and runs the model, so every
protocol gives the same answers and the same errors as `kgan.inference`.

Image inputs may also come as encoded images: one PNG or JPEG per example, as
bytes (TF Serving's DT_STRING, the v2 protocol's BYTES), decoded to float32 in
the input's value range (`kgan.serving.b64`).
"""

import dataclasses

import numpy as np

from kgan.inference import inputs as checks
from kgan.serving import b64
from kgan.serving import rest
from kgan.serving.repository import ServingError

DEFAULT = "serving_default"


@dataclasses.dataclass(frozen=True)
class Input:
    """One input of a signature.

    Attributes:
        name: its name in requests.
        dtype: `"float32"`, `"int32"` or `"int64"`.
        shape: the shape with the batch dimension first (`None` for any size);
            `()` for the scalars `n` and `seed` of `sample`.
        role: `"noise"`, `"label"`, `"image"`, `"count"` or `"seed"`.
    """

    name: str
    dtype: str
    shape: tuple
    role: str

    @property
    def takes_encoded_images(self):
        """True if the input also takes encoded PNG/JPEG images (2-D images, 1 or 3 channels)."""
        return self.role == "image" and len(self.shape) == 4 and self.shape[-1] in (1, 3)


def check_signature(spec, signature):
    """Returns `signature` (`""` means `serving_default`) if `spec` has it, or raises a 400."""
    signature = signature or DEFAULT
    if signature not in spec.signatures:
        raise ServingError(
            400, f"Expected signature_name to be one of {list(spec.signatures)}. Received: signature_name={signature!r}"
        )
    return signature


def inputs_of(spec, signature):
    """The `Input`s of `signature`, in the signature's order."""
    known = {t.name: Input(t.name, t.dtype, (None, *t.shape), t.role) for t in spec.inputs}
    known["n"] = Input("n", "int32", (), "count")
    known["seed"] = Input("seed", "int64", (), "seed")
    return [known[name] for name in spec.signatures[signature]]


def check_names(given, signature_inputs, signature):
    """Raises a 400 unless the names `given` are exactly those of the signature."""
    names = [i.name for i in signature_inputs]
    if sorted(given) != sorted(names):
        raise ServingError(400, f"Expected inputs {names} for signature {signature!r}. Received: {sorted(given)}")


def check_outputs(requested, spec):
    """Raises a 400 for a requested output the model does not have; returns the names to answer."""
    names = [t.name for t in spec.outputs]
    for name in requested:
        if name not in names:
            raise ServingError(400, f"Expected outputs among {names}. Received: {name!r}")
    return list(requested) or names


def run(model, signature, arrays, limits):
    """Runs `signature` of `model` (an `ExportedModel`) on `{input name: NumPy array}`.

    Image inputs may be arrays of encoded images (dtype object, one `bytes`
    per example). Invalid values raise `ValueError` (a 400), a batch over
    `limits.max_batch` or an output over `limits.max_output_pixels` a 413, as
    over REST.

    Returns:
        float32 NumPy array: the output, one row per example.
    """
    spec = model.spec
    if signature == "sample":
        n = checks.check_count(_scalar(arrays["n"], "n"))
        limits.check_batch(n)
        labels = arrays.get(spec.label.name) if spec.label is not None else None
        return model.sample(n, _scalar(arrays["seed"], "seed"), labels)
    batched = [t for t in spec.inputs if t.role != "label"]
    limits.check_batch(len(arrays[batched[0].name]) if np.ndim(arrays[batched[0].name]) else 0)
    feeds = {t.name: _decode(arrays[t.name], t) for t in spec.inputs}
    limits.check_output_pixels(rest.output_pixels(feeds, spec))
    return model.run(feeds)


def _scalar(array, name):
    # A scalar: shape () as the SavedModel declares it, or (1,) as many clients send it.
    array = np.asarray(array)
    if array.size != 1 or array.ndim > 1:
        raise ValueError(f"Expected `{name}` to be a scalar, shape () or (1,). Received: {name} of shape {array.shape}")
    return array.reshape(()).item()


def _decode(array, tensor):
    if tensor.role != "image" or np.asarray(array).dtype != object:
        return array
    if array.ndim != 1:
        raise ValueError(
            f"Expected `{tensor.name}` as one encoded image per example, shape (batch,). "
            f"Received: encoded images of shape {array.shape}"
        )
    return b64.decode_encoded(list(array), tensor)
