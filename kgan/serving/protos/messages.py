"""The message classes, loaded from `descriptors.binpb` into kgan's own pool (see the package docstring)."""

from google.protobuf import any_pb2
from google.protobuf import descriptor_pb2
from google.protobuf import descriptor_pool
from google.protobuf import message_factory
from google.protobuf import wrappers_pb2

from kgan.serving.protos import DESCRIPTORS

POOL = descriptor_pool.DescriptorPool()


def _load():
    for module in (any_pb2, wrappers_pb2):  # the runtime's own copies of protobuf's files
        POOL.AddSerializedFile(module.DESCRIPTOR.serialized_pb)
    with open(DESCRIPTORS, "rb") as f:
        compiled = descriptor_pb2.FileDescriptorSet.FromString(f.read())
    for file in compiled.file:
        POOL.AddSerializedFile(file.SerializeToString())


def message(full_name):
    """The message class of `full_name` (e.g. `"tensorflow.TensorProto"`) in kgan's pool."""
    return message_factory.GetMessageClass(POOL.FindMessageTypeByName(full_name))


_load()

# TensorFlow and TF Serving
TensorProto = message("tensorflow.TensorProto")
TensorShapeProto = message("tensorflow.TensorShapeProto")
SignatureDef = message("tensorflow.SignatureDef")
ModelSpec = message("tensorflow.serving.ModelSpec")
PredictRequest = message("tensorflow.serving.PredictRequest")
PredictResponse = message("tensorflow.serving.PredictResponse")
SignatureDefMap = message("tensorflow.serving.SignatureDefMap")
GetModelMetadataRequest = message("tensorflow.serving.GetModelMetadataRequest")
GetModelMetadataResponse = message("tensorflow.serving.GetModelMetadataResponse")
GetModelStatusRequest = message("tensorflow.serving.GetModelStatusRequest")
GetModelStatusResponse = message("tensorflow.serving.GetModelStatusResponse")
ModelVersionStatus = message("tensorflow.serving.ModelVersionStatus")
DATA_TYPES = POOL.FindEnumTypeByName("tensorflow.DataType")

# KServe v2 / Open Inference Protocol
ServerLiveRequest = message("inference.ServerLiveRequest")
ServerLiveResponse = message("inference.ServerLiveResponse")
ServerReadyRequest = message("inference.ServerReadyRequest")
ServerReadyResponse = message("inference.ServerReadyResponse")
ModelReadyRequest = message("inference.ModelReadyRequest")
ModelReadyResponse = message("inference.ModelReadyResponse")
ServerMetadataRequest = message("inference.ServerMetadataRequest")
ServerMetadataResponse = message("inference.ServerMetadataResponse")
ModelMetadataRequest = message("inference.ModelMetadataRequest")
ModelMetadataResponse = message("inference.ModelMetadataResponse")
ModelInferRequest = message("inference.ModelInferRequest")
ModelInferResponse = message("inference.ModelInferResponse")
