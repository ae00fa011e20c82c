"""kgan's protos are wire-compatible with the official ones, and descriptors.binpb is compiled from them."""

import pytest
from official_clients import tf_serving_apis
from google.protobuf import descriptor_pb2

from kgan.serving import protos
from kgan.serving.protos import compile as protos_compile
from kgan.serving.protos import messages

predict_pb2, _, get_model_metadata_pb2, get_model_status_pb2, _ = tf_serving_apis()


def _official():
    import tritonclient.grpc.service_pb2 as triton
    from tensorflow.core.framework import tensor_pb2
    from tensorflow.core.framework import tensor_shape_pb2
    from tensorflow.core.protobuf import meta_graph_pb2
    from tensorflow_serving.apis import model_pb2

    return {
        "tensorflow.TensorProto": tensor_pb2.TensorProto,
        "tensorflow.TensorShapeProto": tensor_shape_pb2.TensorShapeProto,
        "tensorflow.SignatureDef": meta_graph_pb2.SignatureDef,
        "tensorflow.serving.ModelSpec": model_pb2.ModelSpec,
        "tensorflow.serving.PredictRequest": predict_pb2.PredictRequest,
        "tensorflow.serving.PredictResponse": predict_pb2.PredictResponse,
        "tensorflow.serving.SignatureDefMap": get_model_metadata_pb2.SignatureDefMap,
        "tensorflow.serving.GetModelMetadataRequest": get_model_metadata_pb2.GetModelMetadataRequest,
        "tensorflow.serving.GetModelMetadataResponse": get_model_metadata_pb2.GetModelMetadataResponse,
        "tensorflow.serving.GetModelStatusRequest": get_model_status_pb2.GetModelStatusRequest,
        "tensorflow.serving.GetModelStatusResponse": get_model_status_pb2.GetModelStatusResponse,
        "tensorflow.serving.ModelVersionStatus": get_model_status_pb2.ModelVersionStatus,
        **{
            f"inference.{name}": getattr(triton, name)
            for name in (
                "ServerLiveRequest", "ServerLiveResponse", "ServerReadyRequest", "ServerReadyResponse",
                "ModelReadyRequest", "ModelReadyResponse", "ServerMetadataRequest", "ServerMetadataResponse",
                "ModelMetadataRequest", "ModelMetadataResponse", "ModelInferRequest", "ModelInferResponse",
                "InferParameter", "InferTensorContents",
            )
        },
    }


def _fields(descriptor):
    """`{number: (name, type, repeated, type name)}` of a message and its nested messages, by path."""
    found = {}

    def walk(d, path):
        for f in d.fields:
            kind = f.message_type.full_name if f.message_type else f.enum_type.full_name if f.enum_type else ""
            found[(path, f.number)] = (f.name, f.type, f.is_repeated, kind)
            if f.message_type is not None and f.message_type.full_name.startswith(d.full_name + "."):
                walk(f.message_type, f"{path}.{f.name}")

    walk(descriptor, descriptor.full_name)
    return found


@pytest.mark.parametrize("full_name", sorted(_official()))
def test_every_kgan_field_is_the_official_one(full_name):
    ours = _fields(messages.POOL.FindMessageTypeByName(full_name))
    official = _fields(_official()[full_name].DESCRIPTOR)
    assert ours or not official, full_name  # only the empty requests have no fields
    for key, field in ours.items():
        assert official.get(key) == field, (key, field, official.get(key))


def test_enum_values_are_the_official_ones():
    from tensorflow.core.framework import types_pb2

    ours = messages.DATA_TYPES
    assert {v.name: v.number for v in ours.values}.items() <= {
        v.name: v.number for v in types_pb2.DataType.DESCRIPTOR.values
    }.items()
    states = messages.ModelVersionStatus.DESCRIPTOR.enum_types_by_name["State"]
    official = get_model_status_pb2.ModelVersionStatus.State.DESCRIPTOR
    assert [(v.name, v.number) for v in states.values] == [(v.name, v.number) for v in official.values]


def test_messages_round_trip_through_the_official_classes():
    import numpy as np
    import tensorflow as tf

    from kgan.serving import tensor_proto

    ours = messages.PredictRequest()
    ours.model_spec.name, ours.model_spec.version_label = "digits", "stable"
    ours.inputs["z"].CopyFrom(tensor_proto.from_numpy(np.arange(6, dtype="float32").reshape(2, 3)))
    official = predict_pb2.PredictRequest.FromString(ours.SerializeToString())
    assert official.model_spec.version_label == "stable"
    np.testing.assert_array_equal(tf.make_ndarray(official.inputs["z"]), np.arange(6).reshape(2, 3))
    back = messages.PredictRequest.FromString(official.SerializeToString())
    assert back == ours


def test_descriptors_are_compiled_from_the_proto_files():
    compiled = descriptor_pb2.FileDescriptorSet.FromString(protos_compile.compile_descriptors())
    with open(protos.DESCRIPTORS, "rb") as f:
        shipped = descriptor_pb2.FileDescriptorSet.FromString(f.read())
    assert shipped == compiled, "run: python tools/build_serving_protos.py"
    assert [f.name.rsplit("/", 1)[-1] for f in shipped.file] == list(protos.SOURCES)
