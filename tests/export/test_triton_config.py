"""config.pbtxt: parsed against the fields of Triton's ModelConfig protobuf.

The descriptor below copies the names, numbers and types of the ModelConfig
fields kgan writes from Triton's model_config.proto (triton-inference-server/
common), so a misspelt field, a wrong nesting or an unknown enum value fails
to parse here as it would in Triton.
"""

import pytest
from google.protobuf import descriptor_pb2
from google.protobuf import descriptor_pool
from google.protobuf import message_factory
from google.protobuf import text_format

from kgan import specs
from kgan.export import triton

F = descriptor_pb2.FieldDescriptorProto


def _model_config_class():
    file = descriptor_pb2.FileDescriptorProto(name="kgan_test_model_config.proto", package="inference", syntax="proto3")
    data_type = file.enum_type.add(name="DataType")
    for number, name in enumerate(["TYPE_INVALID", "TYPE_BOOL", "TYPE_UINT8", "TYPE_UINT16", "TYPE_UINT32",
                                   "TYPE_UINT64", "TYPE_INT8", "TYPE_INT16", "TYPE_INT32", "TYPE_INT64",
                                   "TYPE_FP16", "TYPE_FP32", "TYPE_FP64", "TYPE_STRING", "TYPE_BF16"]):
        data_type.value.add(name=name, number=number)

    def message(name, fields):
        m = file.message_type.add(name=name)
        for field_name, number, kind, label, type_name in fields:
            m.field.add(name=field_name, number=number, type=kind, label=label, type_name=type_name)

    one, many = F.LABEL_OPTIONAL, F.LABEL_REPEATED
    message("ModelTensorReshape", [("shape", 1, F.TYPE_INT64, many, None)])
    message("ModelDynamicBatching", [])
    tensor = [("name", 1, F.TYPE_STRING, one, None), ("data_type", 2, F.TYPE_ENUM, one, ".inference.DataType")]
    message("ModelInput", tensor + [("dims", 4, F.TYPE_INT64, many, None),
                                    ("reshape", 5, F.TYPE_MESSAGE, one, ".inference.ModelTensorReshape")])
    message("ModelOutput", tensor + [("dims", 3, F.TYPE_INT64, many, None),
                                     ("reshape", 5, F.TYPE_MESSAGE, one, ".inference.ModelTensorReshape")])
    message("ModelConfig", [
        ("name", 1, F.TYPE_STRING, one, None),
        ("platform", 2, F.TYPE_STRING, one, None),
        ("max_batch_size", 4, F.TYPE_INT32, one, None),
        ("input", 5, F.TYPE_MESSAGE, many, ".inference.ModelInput"),
        ("output", 6, F.TYPE_MESSAGE, many, ".inference.ModelOutput"),
        ("default_model_filename", 8, F.TYPE_STRING, one, None),
        ("dynamic_batching", 11, F.TYPE_MESSAGE, one, ".inference.ModelDynamicBatching"),
    ])
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("inference.ModelConfig"))


ModelConfig = _model_config_class()


def _parse(text):
    return text_format.Parse(text, ModelConfig())


def test_conditional_config_declares_onnx_platform_and_batch_only_labels():
    config = _parse(triton.triton_config("digits", specs.noise_to_image(64, (28, 28, 1), 10), max_batch_size=128))
    assert config.name == "digits" and config.platform == "onnxruntime_onnx"
    assert config.default_model_filename == "model.onnx" and config.max_batch_size == 128
    z, labels = config.input
    assert (z.name, list(z.dims), z.data_type) == ("z", [64], 11)  # TYPE_FP32
    assert (labels.name, list(labels.dims), labels.data_type) == ("labels", [1], 8)  # TYPE_INT32
    assert labels.HasField("reshape") and list(labels.reshape.shape) == []
    (images,) = config.output
    assert (images.name, list(images.dims)) == ("images", [28, 28, 1])
    assert config.HasField("dynamic_batching")


def test_unconditional_config_has_only_z():
    config = _parse(triton.triton_config("faces", specs.noise_to_image(100, (64, 64, 3))))
    assert [i.name for i in config.input] == ["z"]
    assert config.max_batch_size == triton.DEFAULT_MAX_BATCH_SIZE


def test_translate_config_has_open_sizes_and_no_reshape():
    image = specs.TensorSpec("source", (None, None, 3), "float32", "image", value_range=(-1.0, 1.0))
    output = specs.TensorSpec("images", (None, None, 3), "float32", "image", value_range=(-1.0, 1.0))
    config = _parse(triton.triton_config("maps", specs.ModelSpec("translate", (image,), (output,))))
    (source,) = config.input
    assert (source.name, list(source.dims), source.data_type) == ("source", [-1, -1, 3], 11)
    assert not source.HasField("reshape")
    (images,) = config.output
    assert (images.name, list(images.dims), images.data_type) == ("images", [-1, -1, 3], 11)


def test_volume_config_has_four_dims():
    config = _parse(triton.triton_config("voxels", specs.noise_to_image(8, (8, 8, 8, 1))))
    assert list(config.output[0].dims) == [8, 8, 8, 1]


def test_the_schema_check_catches_a_wrong_field():
    with pytest.raises(text_format.ParseError):
        _parse(triton.triton_config("x", specs.noise_to_image(8, (8, 8, 1))).replace("dims", "shape"))


def test_export_writes_config_beside_the_versions(out, tiny_generator):
    from kgan import export

    export.export_generator(tiny_generator("cdcgan"), out, name="triton_check")
    config = _parse((out / "triton_check" / "config.pbtxt").read_text())
    assert config.name == "triton_check" and [i.name for i in config.input] == ["z", "labels"]
    assert list(config.output[0].dims) == [8, 8, 1]
