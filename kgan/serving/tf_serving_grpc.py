"""TF Serving's gRPC API: `PredictionService.Predict` and `GetModelMetadata`, `ModelService.GetModelStatus`.

What TF Serving's clients send (the `tensorflow-serving-api` stubs, any
language's stubs of TF Serving's protos), answered as TF Serving does:

- a `ModelSpec` names the model, and a version (`version`), a version label
  (`version_label`, see `ServedModel(labels=...)`; an unknown label is
  INVALID_ARGUMENT, as in TF Serving) or neither (the latest), and a
  `signature_name` (empty: `serving_default`);
- `Predict` takes the signature's inputs as `TensorProto`s of the dtypes the
  metadata declares (image inputs also DT_STRING: one encoded PNG or JPEG per
  example) and answers the output as DT_FLOAT in `tensor_content`;
  `output_filter` may name the output;
- `GetModelMetadata` answers `metadata_field` "signature_def" with the
  `SignatureDefMap` that TF Serving's REST metadata shows;
- `GetModelStatus` lists every version as AVAILABLE (or the one asked for).

Each handler takes the server's state (`models`, `limits`, `pending`), the
parsed request and a `call` record it fills in (model, version) for the
metrics; errors are raised as `ServingError` and answered by
`kgan.serving.grpc_server` with the gRPC status of their HTTP code.
"""

from google.protobuf import json_format

from kgan.serving import rest
from kgan.serving import signatures
from kgan.serving import tensor_proto
from kgan.serving.protos import messages
from kgan.serving.repository import ServingError

PREDICTION_SERVICE = "tensorflow.serving.PredictionService"
MODEL_SERVICE = "tensorflow.serving.ModelService"
PROTOCOL = "tfserving_grpc"
_AVAILABLE = 30  # ModelVersionStatus.State.AVAILABLE


def resolve(state, model_spec, call):
    """`(version, ExportedModel)` of a `ModelSpec`: its version, its version label, or the latest."""
    if not model_spec.name:
        raise ServingError(400, "Expected model_spec.name, the served model's name. Received: an empty name")
    call.model = model_spec.name
    choice = model_spec.WhichOneof("version_choice")
    version = model_spec.version.value if choice == "version" else None
    label = model_spec.version_label if choice == "version_label" else None
    number, model = state.models.get(model_spec.name, version, label)
    call.version = number
    return number, model


def predict(state, request, call):
    number, model = resolve(state, request.model_spec, call)
    spec = model.spec
    signature = signatures.check_signature(spec, request.model_spec.signature_name)
    outputs = signatures.check_outputs(list(request.output_filter), spec)
    expected = signatures.inputs_of(spec, signature)
    signatures.check_names(list(request.inputs), expected, signature)
    with state.pending.slot():
        arrays = {t.name: _array(request.inputs[t.name], t, state.limits) for t in expected}
        with state.pending.running():
            images = signatures.run(model, signature, arrays, state.limits)
    response = messages.PredictResponse()
    _answer_spec(response.model_spec, request.model_spec.name, number, signature)
    for name in outputs:
        response.outputs[name].CopyFrom(tensor_proto.from_numpy(images))
    return response


def metadata(state, request, call):
    number, model = resolve(state, request.model_spec, call)
    fields = list(request.metadata_field)
    if fields != ["signature_def"]:
        raise ServingError(400, f"Expected metadata_field ['signature_def']. Received: {fields}")
    defs = rest.metadata_response(request.model_spec.name, number, model.spec)["metadata"]["signature_def"]
    signature_defs = json_format.ParseDict({"signature_def": defs["signature_def"]}, messages.SignatureDefMap())
    response = messages.GetModelMetadataResponse()
    _answer_spec(response.model_spec, request.model_spec.name, number)
    response.metadata["signature_def"].Pack(signature_defs)
    return response


def status(state, request, call):
    if not request.HasField("model_spec"):
        raise ServingError(400, "Expected a model_spec. Received: none")
    model_spec = request.model_spec
    if model_spec.WhichOneof("version_choice") is not None:
        versions = [resolve(state, model_spec, call)[0]]
    else:
        served = state.models.find(model_spec.name, f"Could not find any versions of model {model_spec.name}")
        call.model = model_spec.name
        versions = list(served.versions)
    response = messages.GetModelStatusResponse()
    for version in sorted(versions, reverse=True):
        entry = response.model_version_status.add(version=version, state=_AVAILABLE)
        entry.status.error_message = ""
    return response


# service -> {method: (request class, handler, method name in the metrics)}
METHODS = {
    PREDICTION_SERVICE: {
        "Predict": (messages.PredictRequest, predict, "predict"),
        "GetModelMetadata": (messages.GetModelMetadataRequest, metadata, "metadata"),
    },
    MODEL_SERVICE: {"GetModelStatus": (messages.GetModelStatusRequest, status, "status")},
}


def _array(proto, tensor, limits):
    kind = tensor_proto.dtype_name(proto.dtype)
    expected = tensor_proto.dtype_of(tensor.dtype)
    if kind != expected and not (kind == "DT_STRING" and tensor.takes_encoded_images):
        also = " or DT_STRING (encoded PNG/JPEG images)" if tensor.takes_encoded_images else ""
        raise ServingError(400, f"Expected `{tensor.name}` of dtype {expected}{also}. Received: {kind}")
    # A tensor cannot hold more elements than a request has bytes, unless one value fills it.
    return tensor_proto.to_numpy(proto, tensor.name, max_elements=limits.max_body_bytes)


def _answer_spec(model_spec, name, version, signature=None):
    model_spec.name = name
    model_spec.version.value = version
    if signature is not None:
        model_spec.signature_name = signature
