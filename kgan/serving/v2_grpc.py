"""The KServe v2 / Open Inference Protocol over gRPC: `inference.GRPCInferenceService`.

ServerLive, ServerReady, ServerMetadata, ModelReady, ModelMetadata and
ModelInfer, as Triton answers them (`tritonclient.grpc` works unchanged).
Inputs come as `raw_input_contents` (what `tritonclient` sends: one little-endian
buffer per input, in order) or in each input's typed `contents`; the outputs
are answered in `raw_output_contents`, as Triton does. Names, datatypes,
shapes, versions and the `signature_name` parameter are those of
`kgan.serving.v2`. Handlers take the server's state, the parsed request and a
`call` record for the metrics (see `kgan.serving.grpc_server`).
"""

from kgan.serving import signatures
from kgan.serving import v2
from kgan.serving.protos import messages
from kgan.serving.repository import ServingError

SERVICE = "inference.GRPCInferenceService"
PROTOCOL = "v2_grpc"
# The typed field of each datatype a kgan input takes.
_CONTENTS = {"FP32": "fp32_contents", "INT32": "int_contents", "INT64": "int64_contents", "BYTES": "bytes_contents"}


def server_live(state, request, call):
    return messages.ServerLiveResponse(live=True)


def server_ready(state, request, call):
    return messages.ServerReadyResponse(ready=True)


def server_metadata(state, request, call):
    return messages.ServerMetadataResponse(**v2.server_metadata())


def model_ready(state, request, call):
    # Not an error, as Triton answers: a model that is not served is not ready.
    try:
        _resolve(state, request.name, request.version, call)
    except ServingError as e:
        if e.status != 404:
            raise
        return messages.ModelReadyResponse(ready=False)
    return messages.ModelReadyResponse(ready=True)


def model_metadata(state, request, call):
    _, model = _resolve(state, request.name, request.version, call)
    response = messages.ModelMetadataResponse()
    for key, value in v2.model_metadata(state.models, request.name, model).items():
        if key in ("inputs", "outputs"):
            getattr(response, key).extend(messages.ModelMetadataResponse.TensorMetadata(**t) for t in value)
        elif key == "versions":
            response.versions.extend(value)
        else:
            setattr(response, key, value)
    return response


def model_infer(state, request, call):
    number, model = _resolve(state, request.model_name, request.model_version, call)
    spec = model.spec
    signature = signatures.check_signature(spec, v2.signature_of(_parameters(request.parameters)))
    requested = signatures.check_outputs([output.name for output in request.outputs], spec)
    with state.pending.slot():
        tensors = _inputs(request, state.limits.max_body_bytes)
        with state.pending.running():
            images = v2.infer(model, signature, tensors, state.limits)
    response = messages.ModelInferResponse(model_name=request.model_name, model_version=str(number), id=request.id)
    for name, datatype, shape, array in v2.output_tensors(images, requested):
        response.outputs.add(name=name, datatype=datatype, shape=shape)
        response.raw_output_contents.append(array.astype("<f4").tobytes())
    return response


METHODS = {
    SERVICE: {
        "ServerLive": (messages.ServerLiveRequest, server_live, "live"),
        "ServerReady": (messages.ServerReadyRequest, server_ready, "ready"),
        "ServerMetadata": (messages.ServerMetadataRequest, server_metadata, "server_metadata"),
        "ModelReady": (messages.ModelReadyRequest, model_ready, "model_ready"),
        "ModelMetadata": (messages.ModelMetadataRequest, model_metadata, "metadata"),
        "ModelInfer": (messages.ModelInferRequest, model_infer, "infer"),
    }
}


def _resolve(state, name, version, call):
    call.model = name
    number, model = v2.resolve(state.models, name, version)
    call.version = number
    return number, model


def _parameters(parameters):
    """InferParameter map -> `{key: Python value}`."""
    return {
        key: getattr(value, value.WhichOneof("parameter_choice") or "string_param") for key, value in parameters.items()
    }


def _inputs(request, max_elements):
    raw = list(request.raw_input_contents)
    if raw and len(raw) != len(request.inputs):
        raise ServingError(
            400, f"Expected one raw_input_contents per input ({len(request.inputs)}). Received: {len(raw)}"
        )
    tensors = {}
    for index, entry in enumerate(request.inputs):
        name, datatype = entry.name, entry.datatype
        if datatype not in v2._NUMPY:
            raise ServingError(
                400, f"Expected the datatype of `{name}` among {sorted(v2._NUMPY)}. Received: {datatype!r}"
            )
        if name in tensors:
            raise ServingError(400, f"Expected each input once. Received: {name!r} twice")
        shape = v2.check_shape(name, list(entry.shape), max_elements)
        if raw:
            tensors[name] = (datatype, v2.from_raw(raw[index], datatype, shape, name))
        elif datatype in _CONTENTS:
            values = getattr(entry.contents, _CONTENTS[datatype])
            tensors[name] = (datatype, v2.from_values(values, datatype, shape, name))
        else:  # a datatype no kgan input takes: refused by name below, with the expected one
            tensors[name] = (datatype, None)
    return tensors
