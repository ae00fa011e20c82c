"""The KServe v2 / Open Inference Protocol, whatever the transport: metadata, tensors, inference.

Triton, KServe and Seldon speak this protocol over HTTP (`kgan.serving.v2_http`)
and gRPC (`kgan.serving.v2_grpc`). A model's inputs and outputs are those of
its export's spec, named and typed as Triton reads them from the export's
`config.pbtxt` (`kgan.export.triton`): datatypes FP32, INT32 or INT64, the
batch dimension first as -1, sizes the spec leaves open as -1, and a label (an
input with no dimension but the batch) as `[-1, 1]`; labels of shape `[n]` are
taken too. Image inputs also take BYTES: one encoded PNG or JPEG per example,
shape `[n]` (in JSON, base64 strings). Versions are the export's version
numbers as strings; an empty version means the latest.

The protocol has one set of inputs per model: `serving_default`'s. The request
parameter `signature_name` picks another signature of the export, such as
`sample`, whose inputs are `n` (INT32, shape `[1]`), `seed` (INT64, `[1]`) and
the labels of a conditional model:

```python
import tritonclient.http as httpclient

app = kgan.serving.create_app(kgan.serving.load_model("saved_models/digits"))
with kgan.serving.running(app) as url:
    client = httpclient.InferenceServerClient(url.removeprefix("http://"))
    inputs = []
    for name, value, datatype in [("n", [4], "INT32"), ("seed", [0], "INT64"), ("labels", [0, 1, 2, 3], "INT32")]:
        inputs.append(httpclient.InferInput(name, [len(value)], datatype))
        inputs[-1].set_data_from_numpy(np.array(value, datatype.lower()))
    result = client.infer("digits", inputs, parameters={"signature_name": "sample"})
    images = result.as_numpy("images")                   # (4, 8, 8, 1), as generator.sample(4, 0, labels)
```
"""

import base64
import math
import struct
from importlib import metadata as package_metadata

import numpy as np

from kgan.serving import signatures
from kgan.serving.handling import parse_version
from kgan.serving.repository import ServingError

DATATYPES = {"float32": "FP32", "int32": "INT32", "int64": "INT64"}
# Every datatype of the protocol, read as NumPy; only those of a model's inputs are accepted.
_NUMPY = {
    "BOOL": "?", "UINT8": "<u1", "UINT16": "<u2", "UINT32": "<u4", "UINT64": "<u8", "INT8": "<i1",
    "INT16": "<i2", "INT32": "<i4", "INT64": "<i8", "FP16": "<f2", "FP32": "<f4", "FP64": "<f8", "BYTES": object,
}
PLATFORMS = {"onnx": "onnxruntime_onnx", "saved_model": "tensorflow_savedmodel"}
EXTENSIONS = ("binary_tensor_data",)


def server_metadata():
    """`GET /v2` / `ServerMetadata`: the server's name, version and protocol extensions."""
    try:
        version = package_metadata.version("kgan")
    except package_metadata.PackageNotFoundError:
        version = ""
    return {"name": "kgan", "version": version, "extensions": list(EXTENSIONS)}


def resolve(served, name, version):
    """`(version number, ExportedModel)` of model `name` in `served` (`ServedModels`); version "" is the latest."""
    return served.get(name, parse_version(version or None))


def model_metadata(served, name, model):
    """`GET /v2/models/NAME[/versions/V]` / `ModelMetadata`, from the model's spec."""
    spec = model.spec
    return {
        "name": name,
        "versions": [str(v) for v in served.find(name).versions],
        "platform": PLATFORMS.get(model.backend, model.backend or ""),
        "inputs": [_tensor(t.name, t.dtype, t.shape) for t in spec.inputs],
        "outputs": [_tensor(t.name, t.dtype, t.shape) for t in spec.outputs],
    }


def _tensor(name, dtype, shape):
    dims = [-1 if d is None else d for d in shape] or [1]  # a batch-only input: dims [1], as config.pbtxt
    return {"name": name, "datatype": DATATYPES[dtype], "shape": [-1, *dims]}


def signature_of(parameters):
    """The signature a request names with its `signature_name` parameter (default `serving_default`)."""
    value = (parameters or {}).get("signature_name", signatures.DEFAULT)
    if not isinstance(value, str):
        raise ServingError(400, f"Expected the parameter signature_name to be a string. Received: {value!r}")
    return value


def check_shape(name, shape, max_elements):
    """Returns `shape` as a tuple of sizes; a 400 for negative or non-integer sizes, or too many elements."""
    if not isinstance(shape, (list, tuple)) or not all(isinstance(d, int) and not isinstance(d, bool) for d in shape):
        raise ServingError(400, f"Expected the shape of `{name}` as a list of integers. Received: {shape!r}")
    if any(d < 0 for d in shape):
        raise ServingError(400, f"Expected the shape of `{name}` with sizes >= 0. Received: {list(shape)}")
    if math.prod(shape) > max_elements:
        raise ServingError(400, f"Expected at most {max_elements} elements in `{name}`. Received: shape {list(shape)}")
    return tuple(shape)


def check_datatype(tensor, datatype):
    """Raises a 400 unless `datatype` is the one of the signature's input `tensor` (or BYTES for images)."""
    expected = DATATYPES[tensor.dtype]
    if datatype == expected or (datatype == "BYTES" and tensor.takes_encoded_images):
        return
    also = " or BYTES (encoded PNG/JPEG images)" if tensor.takes_encoded_images else ""
    raise ServingError(400, f"Expected `{tensor.name}` of datatype {expected}{also}. Received: {datatype!r}")


def from_raw(data, datatype, shape, name):
    """An array from raw little-endian bytes (BYTES: each element a 4-byte length, then its bytes)."""
    count = math.prod(shape)
    if datatype == "BYTES":
        return _objects(_split_bytes(data, count, name)).reshape(shape)
    itemsize = np.dtype(_NUMPY[datatype]).itemsize
    if len(data) != count * itemsize:
        raise ServingError(
            400,
            f"Expected {count * itemsize} bytes of {datatype} data for `{name}` of shape {list(shape)}. "
            f"Received: {len(data)} bytes",
        )
    return np.frombuffer(data, _NUMPY[datatype]).astype(_NUMPY[datatype][1:]).reshape(shape)


def from_values(values, datatype, shape, name, base64_bytes=False):
    """An array from listed elements (flat or nested, row-major), checked against the datatype and shape.

    Args:
        base64_bytes: BYTES elements are base64 strings (JSON) rather than bytes.
    """
    count = math.prod(shape)
    if datatype == "BYTES":
        items = list(np.asarray(values, dtype=object).ravel()) if len(values) else []
        if base64_bytes:
            items = [_b64(item, name, i) for i, item in enumerate(items)]
        elif not all(isinstance(item, bytes) for item in items):
            raise ServingError(400, f"Expected BYTES elements of `{name}` as bytes. Received: other values")
        array = _objects(items)
    else:
        try:
            array = np.asarray(values)
        except ValueError:
            raise ServingError(400, f"Expected `{name}` to be a rectangular array. Received: ragged lists") from None
        kinds = "b" if datatype == "BOOL" else "iuf" if datatype.startswith("FP") else "iu"  # numbers it takes
        if array.size and array.dtype.kind not in kinds:
            raise ServingError(400, f"Expected {datatype} numbers in `{name}`. Received: values of dtype {array.dtype}")
        with np.errstate(over="ignore", invalid="ignore"):
            array = array.astype(_NUMPY[datatype][1:])
    if array.size != count:
        raise ServingError(
            400, f"Expected {count} elements in `{name}` of shape {list(shape)}. Received: {array.size}"
        )
    return array.reshape(shape)


def infer(model, signature, tensors, limits):
    """Runs `signature` on `{input name: (datatype, array)}` after checking names and datatypes."""
    expected = signatures.inputs_of(model.spec, signature)
    signatures.check_names(list(tensors), expected, signature)
    for tensor in expected:
        check_datatype(tensor, tensors[tensor.name][0])
    return signatures.run(model, signature, {name: array for name, (_, array) in tensors.items()}, limits)


def output_tensors(images, requested):
    """`[(name, datatype, shape, float32 array)]` of the outputs `requested` (kgan models have one)."""
    return [(name, "FP32", list(images.shape), images) for name in requested]


def _objects(items):
    array = np.empty(len(items), dtype=object)  # a 1-D array of bytes objects, whatever their lengths
    array[:] = items
    return array


def _split_bytes(data, count, name):
    items, offset = [], 0
    while offset < len(data):
        if offset + 4 > len(data):
            break
        (length,) = struct.unpack_from("<I", data, offset)
        if offset + 4 + length > len(data):
            break
        items.append(bytes(data[offset + 4 : offset + 4 + length]))
        offset += 4 + length
    if offset != len(data) or len(items) != count:
        raise ServingError(
            400,
            f"Expected {count} BYTES elements in `{name}`, each a 4-byte little-endian length and its bytes. "
            f"Received: {len(data)} bytes that do not split so",
        )
    return items


def _b64(item, name, index):
    try:
        return base64.b64decode(item, validate=True)
    except (ValueError, TypeError):
        raise ServingError(
            400, f"Expected BYTES element {index} of `{name}` as a base64 string in JSON. Received: {str(item)[:40]!r}"
        ) from None
