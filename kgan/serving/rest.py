"""TF Serving's REST API format: predict requests, responses, status, metadata.

A predict body names a `signature_name` (default `serving_default`) and holds
either `instances` (row format: one entry per example, an object of named
inputs or, for a one-input signature, the bare value) or `inputs` (columnar:
an object of batched inputs, or the bare value for a one-input signature).
Row requests are answered with `{"predictions": [...]}`, columnar ones with
`{"outputs": ...}`; the only output, `images`, is given unnamed, as TF Serving does.
"""

import dataclasses
import json

from kgan.inference import inputs as checks
from kgan.serving.repository import ServingError

SIGNATURES = ("serving_default", "generate", "sample")
_FORMATS = {"instances": "row", "inputs": "columnar"}


@dataclasses.dataclass
class PredictRequest:
    signature: str
    format: str  # "row" or "columnar"
    values: dict  # input name -> JSON value (batched)


def input_names(signature, conditional):
    if signature == "sample":
        return ["n", "seed", "labels"] if conditional else ["n", "seed"]
    return ["z", "labels"] if conditional else ["z"]


def parse_json(raw):
    """Decodes a request body to a JSON object, or raises a 400."""
    try:
        body = _loads(raw)
    except (ValueError, RecursionError) as e:
        raise ServingError(400, f"Expected a JSON object in the request body. Received: malformed JSON ({e})") from None
    if not isinstance(body, dict):
        raise ServingError(400, f"Expected a JSON object in the request body. Received: {type(body).__name__}")
    return body


def parse_predict(body, conditional):
    """Reads a predict body into a `PredictRequest`, or raises a 400."""
    signature = body.get("signature_name", "serving_default")
    if signature not in SIGNATURES:
        raise ServingError(
            400, f"Expected signature_name to be one of {list(SIGNATURES)}. Received: signature_name={signature!r}"
        )
    present = [key for key in _FORMATS if key in body]
    if len(present) != 1:
        raise ServingError(
            400, f"Expected exactly one of 'instances' (row format) or 'inputs' (columnar). Received: {present}"
        )
    names = input_names(signature, conditional)
    if present[0] == "instances":
        values = _rows_to_columns(body["instances"], names, signature)
    else:
        values = _columns(body["inputs"], names)
    _check_names(values, names, signature)
    return PredictRequest(signature, _FORMATS[present[0]], values)


def _rows_to_columns(instances, names, signature):
    if signature == "sample":
        raise ServingError(
            400,
            "Expected the columnar format for signature 'sample', whose n and seed are scalars: "
            '{"signature_name": "sample", "inputs": {"n": 4, "seed": 0}}. Received: instances',
        )
    if not isinstance(instances, list) or not instances:
        raise ServingError(400, f"Expected 'instances' to be a non-empty list. Received: {_describe(instances)}")
    if not all(isinstance(row, dict) for row in instances):
        if len(names) == 1 and not any(isinstance(row, dict) for row in instances):
            return {names[0]: instances}
        raise ServingError(
            400, f"Expected each instance to be an object with keys {names}. Received: {_describe(instances[0])}"
        )
    keys = {tuple(sorted(row)) for row in instances}
    if len(keys) != 1:
        raise ServingError(400, f"Expected every instance to have the same keys {names}. Received: {sorted(keys)}")
    return {key: [row[key] for row in instances] for key in instances[0]}


def _columns(columns, names):
    if isinstance(columns, dict):
        return dict(columns)
    if len(names) == 1:
        return {names[0]: columns}
    raise ServingError(400, f"Expected 'inputs' to be an object with keys {names}. Received: {_describe(columns)}")


def _check_names(values, names, signature):
    if sorted(values) != sorted(names):
        raise ServingError(
            400, f"Expected inputs {names} for signature {signature!r}. Received: {sorted(values)}"
        )


def batch_size_of(request):
    """The number of images a request asks for (before full validation)."""
    if request.signature == "sample":
        return checks.check_count(request.values["n"])
    z = request.values["z"]
    return len(z) if isinstance(z, list) else 0


def run_predict(generator, request):
    """Runs a validated request; invalid values raise `ValueError` (a 400)."""
    values = request.values
    if request.signature == "sample":
        return generator.sample(checks.check_count(values["n"]), values["seed"], values.get("labels"))
    return generator(values["z"], values.get("labels"))


def predict_response(images, request):
    key = "predictions" if request.format == "row" else "outputs"
    return {key: images}


def status_response(versions):
    """`GET /v1/models/NAME[/versions/V]`: every listed version is AVAILABLE."""
    return {
        "model_version_status": [
            {"version": str(v), "state": "AVAILABLE", "status": {"error_code": "OK", "error_message": ""}}
            for v in sorted(versions, reverse=True)
        ]
    }


def metadata_response(name, version, generator):
    """`GET /v1/models/NAME[/versions/V]/metadata`: the three signature defs."""
    defs = {sig: _signature_def(sig, generator) for sig in SIGNATURES}
    return {
        "model_spec": {"name": name, "signature_name": "", "version": str(version)},
        "metadata": {
            "signature_def": {
                "@type": "type.googleapis.com/tensorflow.serving.SignatureDefMap",
                "signature_def": defs,
            }
        },
    }


def _signature_def(signature, generator):
    specs = {
        "z": ("DT_FLOAT", [-1, generator.latent_dim]),
        "labels": ("DT_INT32", [-1]),
        "n": ("DT_INT32", []),
        "seed": ("DT_INT64", []),
    }
    names = input_names(signature, generator.conditional)
    return {
        "inputs": {name: _tensor_info(*specs[name], f"{signature}_{name}:0") for name in names},
        "outputs": {"images": _tensor_info("DT_FLOAT", [-1, *generator.image_shape], "StatefulPartitionedCall:0")},
        "method_name": "tensorflow/serving/predict",
    }


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
