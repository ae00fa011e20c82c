"""The KServe v2 / Open Inference Protocol over HTTP, on the REST port.

| route                                              | answer                                 |
| -------------------------------------------------- | -------------------------------------- |
| `GET  /v2`                                         | server name, version, extensions       |
| `GET  /v2/health/live`, `/v2/health/ready`         | `{"live": true}`, `{"ready": true}`    |
| `GET  /v2/models/NAME[/versions/V]`                | model metadata (`kgan.serving.v2`)     |
| `GET  /v2/models/NAME[/versions/V]/ready`          | `{"name": ..., "ready": true}`         |
| `POST /v2/models/NAME[/versions/V]/infer`          | the outputs                            |

Infer requests are JSON (`{"inputs": [{"name", "datatype", "shape", "data"}],
"outputs": [{"name"}], "parameters": {...}}`), or Triton's binary tensor
extension, which `tritonclient` uses by default: the JSON header, then the raw
bytes of inputs that give `"parameters": {"binary_data_size": k}`, with the
header's length in the `Inference-Header-Content-Length` header. Outputs are
answered as binary when the request asks for it (`binary_data_output`, or an
output's `binary_data`), else as flat JSON lists. Errors are `{"error": message}`
with TF Serving REST's status codes (400, 404, 413, 503, 500).
"""

import functools

from fastapi import Request
from fastapi import Response

from kgan.serving import handling
from kgan.serving import metrics
from kgan.serving import rest
from kgan.serving import signatures
from kgan.serving import v2
from kgan.serving.repository import ServingError

HEADER_LENGTH = "Inference-Header-Content-Length"
PROTOCOL = "v2_http"


def add_routes(app):
    """Adds the v2 routes to `app`; returns `{endpoint: (protocol, method)}` for the metrics."""
    named = {}

    def add(path, endpoint, method, http_method="GET"):
        app.add_api_route(path, endpoint, methods=[http_method])
        named[endpoint] = (PROTOCOL, method)

    add("/v2", _server_metadata, "server_metadata")
    add("/v2/health/live", _live, "live")
    add("/v2/health/ready", _ready, "ready")
    for prefix in ("/v2/models/{name}", "/v2/models/{name}/versions/{version}"):
        add(prefix, _model_metadata, "metadata")
        add(prefix + "/ready", _model_ready, "model_ready")
        add(prefix + "/infer", _infer, "infer", "POST")
    return named


async def _server_metadata(request: Request):
    return _json(v2.server_metadata())


async def _live(request: Request):
    return _json({"live": True})


async def _ready(request: Request):
    return _json({"ready": True})


async def _model_metadata(request: Request):
    name, version = _route(request)
    served = request.app.state.models
    number, model = v2.resolve(served, name, version)
    metrics.record_version(request, number)
    return _json(v2.model_metadata(served, name, model))


async def _model_ready(request: Request):
    name, version = _route(request)
    number, _ = v2.resolve(request.app.state.models, name, version)  # a 404 if not served
    metrics.record_version(request, number)
    return _json({"name": name, "ready": True})


async def _infer(request: Request):
    name, version = _route(request)
    state = request.app.state
    number, model = v2.resolve(state.models, name, version)
    metrics.record_version(request, number)
    raw = await handling.read_body(request, state.limits.max_body_bytes)
    header_length = request.headers.get(HEADER_LENGTH)
    answer = functools.partial(_answer, state, name, number, model, raw, header_length)
    content, headers = await handling.infer(state, answer)
    media_type = "application/octet-stream" if HEADER_LENGTH in headers else "application/json"
    return Response(content, headers=headers, media_type=media_type)


def _answer(state, name, number, model, raw, header_length):
    """In a worker thread: parse, infer, encode. Returns `(body, headers)`."""
    header, binary = _split(raw, header_length)
    body = rest.parse_json(header)
    spec = model.spec
    signature = signatures.check_signature(spec, v2.signature_of(_parameters(body, "request")))
    tensors = _inputs(body, binary, state.limits.max_body_bytes)
    requested = _requested(body, spec)
    images = v2.infer(model, signature, tensors, state.limits)
    return _response(body, name, number, requested, images)


def _split(raw, header_length):
    if header_length is None:
        return raw, b""
    if not header_length.isdigit() or int(header_length) > len(raw):
        raise ServingError(
            400,
            f"Expected {HEADER_LENGTH} to be the length of the JSON header, at most the body's {len(raw)} bytes. "
            f"Received: {header_length!r}",
        )
    return raw[: int(header_length)], raw[int(header_length) :]


def _parameters(entry, what):
    parameters = entry.get("parameters", {})
    if not isinstance(parameters, dict):
        raise ServingError(400, f"Expected the {what}'s 'parameters' to be an object. Received: {parameters!r}")
    return parameters


def _inputs(body, binary, max_elements):
    """`{name: (datatype, array)}` from the request's `inputs`, JSON `data` or binary parts."""
    entries = body.get("inputs")
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        raise ServingError(
            400, f"Expected 'inputs' to be a non-empty list of tensor objects. Received: {_describe(entries)}"
        )
    tensors, offset = {}, 0
    for entry in entries:
        name, datatype = entry.get("name"), entry.get("datatype")
        if not isinstance(name, str) or datatype not in v2._NUMPY:
            raise ServingError(
                400,
                f"Expected each input to have a 'name' and a 'datatype' among {sorted(v2._NUMPY)}. "
                f"Received: name={name!r}, datatype={datatype!r}",
            )
        if name in tensors:
            raise ServingError(400, f"Expected each input once. Received: {name!r} twice")
        shape = v2.check_shape(name, entry.get("shape"), max_elements)
        size = _parameters(entry, f"input {name!r}").get("binary_data_size")
        if size is not None:
            if not isinstance(size, int) or size < 0 or offset + size > len(binary):
                raise ServingError(
                    400,
                    f"Expected binary_data_size of `{name}` within the {len(binary)} binary bytes. Received: {size!r}",
                )
            tensors[name] = (datatype, v2.from_raw(binary[offset : offset + size], datatype, shape, name))
            offset += size
        elif isinstance(entry.get("data"), list):
            tensors[name] = (datatype, v2.from_values(entry["data"], datatype, shape, name, base64_bytes=True))
        else:
            raise ServingError(
                400,
                f"Expected `{name}` to hold a 'data' list or a binary_data_size. "
                f"Received: {_describe(entry.get('data'))}",
            )
    if offset != len(binary):
        raise ServingError(400, f"Expected {offset} bytes of binary tensor data. Received: {len(binary)}")
    return tensors


def _requested(body, spec):
    """`{output name: binary?}` of the outputs to answer."""
    binary = _parameters(body, "request").get("binary_data_output", False) is True
    entries = body.get("outputs", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ServingError(400, f"Expected 'outputs' to be a list of objects. Received: {_describe(entries)}")
    names = signatures.check_outputs([e.get("name") for e in entries], spec)
    flags = {e.get("name"): _parameters(e, "output").get("binary_data", binary) is True for e in entries}
    return {name: flags.get(name, binary) for name in names}


def _response(body, name, number, requested, images):
    outputs, chunks = [], []
    for output, datatype, shape, array in v2.output_tensors(images, list(requested)):
        entry = {"name": output, "datatype": datatype, "shape": shape}
        if requested[output]:
            data = array.astype("<f4").tobytes()
            entry["parameters"] = {"binary_data_size": len(data)}
            chunks.append(data)
        else:
            entry["data"] = array.ravel()
        outputs.append(entry)
    answer = {"model_name": name, "model_version": str(number), "outputs": outputs}
    if isinstance(body.get("id"), str) and body["id"]:
        answer["id"] = body["id"]
    header = rest.dumps(answer)
    if not chunks:
        return header, {}
    return header + b"".join(chunks), {HEADER_LENGTH: str(len(header))}


def _describe(value):
    text = rest.dumps(value).decode()
    return f"{type(value).__name__} {text[:60]}"


def _route(request):
    params = request.path_params
    return params["name"], params.get("version")


def _json(body, status=200):
    return Response(rest.dumps(body), status_code=status, media_type="application/json")
