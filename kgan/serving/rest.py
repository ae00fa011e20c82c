"""TF Serving's REST API format: predict requests, responses, status, metadata.

Signatures and their inputs come from the served model's `kgan.specs.ModelSpec`
(`spec.signatures`): `serving_default` and the task's (`generate`,
`translate` or `upscale`) take the spec's named inputs; `sample` (models with
a noise input) takes `n`, `seed` and the other inputs, and draws the noise on
the server.

A predict body names a `signature_name` (default `serving_default`) and holds
either `instances` (row format: one entry per example, an object of named
inputs or, for a one-input signature, the bare value) or `inputs` (columnar:
an object of batched inputs, or the bare value for a one-input signature).
Row requests are answered with `{"predictions": [...]}`, columnar ones with
`{"outputs": ...}`; the only output (`images`) is given unnamed, as TF Serving does.

Images, as inputs and outputs:
- an image input takes nested lists of floats in its value range, or TF
  Serving's binary objects: one `{"b64": "<base64 PNG or JPEG>"}` per
  example, decoded to floats in the value range (`kgan.serving.b64`);
- `"output_format": "png"` in the body answers each output image as
  `{"b64": "<base64 PNG>"}` instead of nested lists (`"json"`, the default).

```json
{"instances": [{"b64": "iVBORw0KGgo..."}], "output_format": "png"}
-> {"predictions": [{"b64": "iVBORw0KGgo..."}]}
```

Volumes (a voxel GAN's occupancy grids): `"output_format": "obj"` or `"ply"`
answers each shape as its mesh file (marching cubes, `kgan.meshes`),
base64-encoded the same way; `"json"` gives the grids as nested lists.
"""

import dataclasses
import json

import numpy as np

from kgan.inference import inputs as checks
from kgan.serving import b64
from kgan.serving.repository import ServingError

OUTPUT_FORMATS = ("json", "png", "obj", "ply")
MESH_FORMATS = ("obj", "ply")
_FORMATS = {"instances": "row", "inputs": "columnar"}
_DTYPES = {"float32": "DT_FLOAT", "int32": "DT_INT32", "int64": "DT_INT64"}
_SAMPLE_ARGS = {"n": ("DT_INT32", []), "seed": ("DT_INT64", [])}


@dataclasses.dataclass
class PredictRequest:
    signature: str
    format: str  # "row" or "columnar"
    values: dict  # input name -> JSON value (batched)
    output_format: str = "json"


def parse_json(raw):
    """Decodes a request body to a JSON object, or raises a 400."""
    try:
        body = _loads(raw)
    except (ValueError, RecursionError) as e:
        raise ServingError(400, f"Expected a JSON object in the request body. Received: malformed JSON ({e})") from None
    if not isinstance(body, dict):
        raise ServingError(400, f"Expected a JSON object in the request body. Received: {type(body).__name__}")
    return body


def parse_predict(body, spec):
    """Reads a predict body for a model with `spec` into a `PredictRequest`, or raises a 400."""
    signatures = spec.signatures
    signature = body.get("signature_name", "serving_default")
    if signature not in signatures:
        raise ServingError(
            400, f"Expected signature_name to be one of {list(signatures)}. Received: signature_name={signature!r}"
        )
    output_format = _output_format(body, spec)
    present = [key for key in _FORMATS if key in body]
    if len(present) != 1:
        raise ServingError(
            400, f"Expected exactly one of 'instances' (row format) or 'inputs' (columnar). Received: {present}"
        )
    names = signatures[signature]
    if present[0] == "instances":
        values = _rows_to_columns(body["instances"], names, signature)
    else:
        values = _columns(body["inputs"], names)
    _check_names(values, names, signature)
    return PredictRequest(signature, _FORMATS[present[0]], values, output_format)


def _output_format(body, spec):
    output_format = body.get("output_format", "json")
    if output_format not in OUTPUT_FORMATS:
        raise ServingError(
            400,
            f"Expected output_format to be one of {list(OUTPUT_FORMATS)}. Received: output_format={output_format!r}",
        )
    if output_format == "png" and not b64.can_encode(spec.output):
        raise ServingError(
            400,
            "Expected output_format 'json' for a model whose output is not a 2-D image with 1 or 3 "
            f"channels. Received: output_format='png' for output of shape {spec.output.shape}",
        )
    if output_format in MESH_FORMATS and not b64.can_mesh(spec.output):
        raise ServingError(
            400,
            "Expected output_format 'json' or 'png' for a model whose output is not a volume (x, y, z, 1). "
            f"Received: output_format={output_format!r} for output of shape {spec.output.shape}",
        )
    return output_format


def _rows_to_columns(instances, names, signature):
    if signature == "sample":
        raise ServingError(
            400,
            "Expected the columnar format for signature 'sample', whose n and seed are scalars: "
            '{"signature_name": "sample", "inputs": {"n": 4, "seed": 0}}. Received: instances',
        )
    if not isinstance(instances, list) or not instances:
        raise ServingError(400, f"Expected 'instances' to be a non-empty list. Received: {_describe(instances)}")
    # An object of named inputs, unless it is a binary value {"b64": ...}.
    named = [isinstance(row, dict) and not b64.is_b64(row) for row in instances]
    if not all(named):
        if len(names) == 1 and not any(named):
            return {names[0]: instances}
        raise ServingError(
            400, f"Expected each instance to be an object with keys {names}. Received: {_describe(instances[0])}"
        )
    keys = {tuple(sorted(row)) for row in instances}
    if len(keys) != 1:
        raise ServingError(400, f"Expected every instance to have the same keys {names}. Received: {sorted(keys)}")
    return {key: [row[key] for row in instances] for key in instances[0]}


def _columns(columns, names):
    if isinstance(columns, dict) and not b64.is_b64(columns):
        return dict(columns)
    if len(names) == 1:
        return {names[0]: columns}
    raise ServingError(400, f"Expected 'inputs' to be an object with keys {names}. Received: {_describe(columns)}")


def _check_names(values, names, signature):
    if sorted(values) != sorted(names):
        raise ServingError(
            400, f"Expected inputs {names} for signature {signature!r}. Received: {sorted(values)}"
        )


def batch_size_of(request, spec):
    """The number of images a request asks for (before full validation)."""
    if request.signature == "sample":
        return checks.check_count(request.values["n"])
    batched = [t.name for t in spec.inputs if t.role != "label"] or [t.name for t in spec.inputs]
    value = request.values[batched[0]]
    return len(value) if isinstance(value, list) else 0


def run_predict(model, request, limits=None):
    """Runs a request on an `ExportedModel`; invalid values raise `ValueError` (a 400).

    With `limits` (a `kgan.serving.Limits`), a model with image inputs whose
    output would exceed `limits.max_output_pixels` gets a 413 before it runs.
    """
    values, spec = request.values, model.spec
    if request.signature == "sample":
        labels = values.get(spec.label.name) if spec.label is not None else None
        return model.sample(checks.check_count(values["n"]), values["seed"], labels)
    feeds = {t.name: _decode(values[t.name], t) for t in spec.inputs}
    if limits is not None:
        limits.check_output_pixels(output_pixels(feeds, spec))
    return model.run(feeds)


def output_pixels(feeds, spec):
    """Examples x height x width of the output a request asks for (0 when the inputs do not tell)."""
    image = spec.input("image")
    if image is None:
        return 0
    shape = _leading_shape(feeds[image.name])
    if len(shape) != 1 + len(image.shape):
        return 0  # `model.run` refuses it with the expected shape
    scale = spec.scale or 1
    spatial = [d if d is not None else shape[1 + i] * scale for i, d in enumerate(spec.output.shape[:-1])]
    return int(np.prod([shape[0], *spatial]))


def _leading_shape(value):
    # The shape along the first entries of nested lists (cheap; `model.run` checks the rest).
    if isinstance(value, np.ndarray):
        return value.shape
    shape = []
    while isinstance(value, list):
        shape.append(len(value))
        if not value:
            break
        value = value[0]
    return tuple(shape)


def _decode(value, tensor):
    return b64.decode_images(value, tensor) if tensor.role == "image" else value


def predict_response(images, request, spec):
    key = "predictions" if request.format == "row" else "outputs"
    if request.output_format == "png":
        return {key: b64.encode_png(images, spec.output.value_range)}
    if request.output_format in MESH_FORMATS:
        return {key: b64.encode_meshes(images, spec.output.value_range or (0.0, 1.0), request.output_format)}
    return {key: images}


def status_response(versions):
    """`GET /v1/models/NAME[/versions/V]`: every listed version is AVAILABLE."""
    return {
        "model_version_status": [
            {"version": str(v), "state": "AVAILABLE", "status": {"error_code": "OK", "error_message": ""}}
            for v in sorted(versions, reverse=True)
        ]
    }


def metadata_response(name, version, spec):
    """`GET /v1/models/NAME[/versions/V]/metadata`: the signature defs of `spec`."""
    defs = {signature: _signature_def(signature, spec) for signature in spec.signatures}
    return {
        "model_spec": {"name": name, "signature_name": "", "version": str(version)},
        "metadata": {
            "signature_def": {
                "@type": "type.googleapis.com/tensorflow.serving.SignatureDefMap",
                "signature_def": defs,
            }
        },
    }


def _signature_def(signature, spec):
    tensors = {t.name: (_DTYPES[t.dtype], _dims(t)) for t in spec.inputs}
    tensors.update(_SAMPLE_ARGS)
    names = spec.signatures[signature]
    return {
        "inputs": {name: _tensor_info(*tensors[name], f"{signature}_{name}:0") for name in names},
        "outputs": {
            t.name: _tensor_info(_DTYPES[t.dtype], _dims(t), "StatefulPartitionedCall:0") for t in spec.outputs
        },
        "method_name": "tensorflow/serving/predict",
    }


def _dims(tensor):
    return [-1, *(-1 if d is None else d for d in tensor.shape)]


def _tensor_info(dtype, dims, name):
    shape = {"dim": [{"size": str(d), "name": ""} for d in dims], "unknown_rank": False}
    return {"dtype": dtype, "tensor_shape": shape, "name": name}


def _describe(value):
    return f"{type(value).__name__} {json.dumps(value)[:60]}"


def _loads(raw):
    try:
        import orjson
    except ImportError:
        return json.loads(raw, parse_constant=_reject_constant)
    return orjson.loads(raw)


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def dumps(body):
    """Encodes a response body; NumPy arrays are written directly."""
    try:
        import orjson
    except ImportError:
        return json.dumps(body, default=lambda a: a.tolist()).encode()
    return orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY)
