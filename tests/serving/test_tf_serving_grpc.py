"""TF Serving's gRPC API, called with the official `tensorflow-serving-api` stubs and TensorFlow's tensor protos."""

import io
from concurrent.futures import ThreadPoolExecutor

import grpc
import numpy as np
import pytest
import tensorflow as tf
from official_clients import tf_serving_apis
from google.protobuf import json_format
from PIL import Image

from kgan import inference
from kgan import latent

predict_pb2, prediction_service_pb2_grpc, get_model_metadata_pb2, get_model_status_pb2, model_service_pb2_grpc = (
    tf_serving_apis()
)

Z = latent.sample_latent(3, 8, 0)
LABELS = np.array([0, 2, 1], "int32")


@pytest.fixture(scope="module")
def channel(digits_servers):
    with grpc.insecure_channel(digits_servers.address) as channel:
        yield channel


@pytest.fixture(scope="module")
def stub(channel):
    return prediction_service_pb2_grpc.PredictionServiceStub(channel)


@pytest.fixture(scope="module")
def runners(exports):
    return {v: inference.load(exports / "digits" / str(v)) for v in (1, 2)}


def _request(signature="", version=None, label=None, **inputs):
    request = predict_pb2.PredictRequest()
    request.model_spec.name = "digits"
    request.model_spec.signature_name = signature
    if version is not None:
        request.model_spec.version.value = version
    if label is not None:
        request.model_spec.version_label = label
    for name, value in inputs.items():
        proto = value if isinstance(value, type(request.inputs[name])) else tf.make_tensor_proto(value)
        request.inputs[name].CopyFrom(proto)
    return request


def _images(response):
    return tf.make_ndarray(response.outputs["images"])


@pytest.mark.parametrize("signature", ["", "serving_default", "generate"])
def test_predict_equals_kgan_inference(stub, runners, signature):
    response = stub.Predict(_request(signature, z=Z, labels=LABELS), timeout=30)
    assert response.outputs["images"].dtype == tf.float32.as_datatype_enum
    np.testing.assert_allclose(_images(response), runners[2](Z, LABELS), atol=1e-6)
    assert response.model_spec.name == "digits" and response.model_spec.version.value == 2
    assert response.model_spec.signature_name == (signature or "serving_default")


def test_sample_signature_draws_the_noise_on_the_server(stub, runners):
    request = _request("sample", n=np.int32(4), seed=np.int64(11), labels=np.array([1, 1, 2, 0], "int32"))
    images = _images(stub.Predict(request, timeout=30))
    np.testing.assert_allclose(images, runners[2].sample(4, seed=11, labels=[1, 1, 2, 0]), atol=1e-6)


def test_values_in_typed_fields_and_a_single_value_filling_the_shape(stub, runners):
    # tf.make_tensor_proto writes Python lists to float_val / int_val, not tensor_content.
    typed = _request(z=tf.make_tensor_proto(Z.tolist(), tf.float32), labels=tf.make_tensor_proto([0, 2, 1], tf.int32))
    np.testing.assert_allclose(_images(stub.Predict(typed)), runners[2](Z, LABELS), atol=1e-6)
    filled = _request(z=tf.make_tensor_proto(0.5, tf.float32, shape=[2, 8]), labels=tf.make_tensor_proto(1, shape=[2]))
    np.testing.assert_allclose(_images(stub.Predict(filled)), runners[2](np.full((2, 8), 0.5, "float32"), 1), atol=1e-6)


def test_versions_and_version_labels(stub, runners):
    v1 = stub.Predict(_request(version=1, z=Z, labels=LABELS))
    stable = stub.Predict(_request(label="stable", z=Z, labels=LABELS))
    np.testing.assert_allclose(_images(v1), runners[1](Z, LABELS), atol=1e-6)
    np.testing.assert_array_equal(_images(stable), _images(v1))
    assert stable.model_spec.version.value == 1


def test_metadata_is_the_signature_def_map(stub, digits_servers):
    import httpx

    request = get_model_metadata_pb2.GetModelMetadataRequest(metadata_field=["signature_def"])
    request.model_spec.name = "digits"
    response = stub.GetModelMetadata(request, timeout=30)
    defs = get_model_metadata_pb2.SignatureDefMap()
    assert response.metadata["signature_def"].Unpack(defs)
    assert set(defs.signature_def) == {"serving_default", "generate", "sample"}
    z = defs.signature_def["serving_default"].inputs["z"]
    assert z.dtype == tf.float32.as_datatype_enum and [d.size for d in z.tensor_shape.dim] == [-1, 8]
    assert defs.signature_def["sample"].inputs["seed"].dtype == tf.int64.as_datatype_enum
    assert response.model_spec.version.value == 2
    # The same signature defs as TF Serving's REST metadata.
    rest = httpx.get(f"{digits_servers.url}/v1/models/digits/metadata").json()["metadata"]["signature_def"]
    expected = json_format.ParseDict({"signature_def": rest["signature_def"]}, get_model_metadata_pb2.SignatureDefMap())
    assert defs == expected


def test_model_status(channel):
    status = model_service_pb2_grpc.ModelServiceStub(channel)
    every = status.GetModelStatus(get_model_status_pb2.GetModelStatusRequest(model_spec={"name": "digits"}))
    available = get_model_status_pb2.ModelVersionStatus.AVAILABLE
    assert [(s.version, s.state, s.status.error_code) for s in every.model_version_status] == [
        (2, available, 0), (1, available, 0)
    ]
    spec = {"name": "digits", "version": {"value": 1}}
    one = status.GetModelStatus(get_model_status_pb2.GetModelStatusRequest(model_spec=spec))
    assert [s.version for s in one.model_version_status] == [1]
    with pytest.raises(grpc.RpcError) as error:
        status.GetModelStatus(get_model_status_pb2.GetModelStatusRequest(model_spec={"name": "other"}))
    assert error.value.code() == grpc.StatusCode.NOT_FOUND
    assert "Could not find any versions of model other" in error.value.details()


Z2 = np.zeros((2, 8), "float32")
L2 = np.array([0, 1], "int32")
BAD_PREDICTS = [
    (dict(signature="train", z=Z2, labels=L2), "INVALID_ARGUMENT", "Expected signature_name to be one of"),
    (dict(z=Z2), "INVALID_ARGUMENT", "Expected inputs ['z', 'labels'] for signature 'serving_default'"),
    (dict(z=Z2, labels=L2, extra=L2), "INVALID_ARGUMENT", "Expected inputs ['z', 'labels']"),
    (dict(z=Z2.astype("float64"), labels=L2), "INVALID_ARGUMENT", "`z` of dtype DT_FLOAT. Received: DT_DOUBLE"),
    (dict(z=Z2, labels=L2.astype("int64")), "INVALID_ARGUMENT", "`labels` of dtype DT_INT32. Received: DT_INT64"),
    (dict(z=np.zeros((2, 7), "float32"), labels=L2), "INVALID_ARGUMENT", "Expected `z` of shape (batch, 8)"),
    (dict(z=np.full((2, 8), np.nan, "float32"), labels=L2), "INVALID_ARGUMENT", "finite values"),
    (dict(z=Z2, labels=np.array([0, 3], "int32")), "INVALID_ARGUMENT", "Expected labels in [0, 3)"),
    (dict(z=Z2, labels=np.array([b"a", b"b"])), "INVALID_ARGUMENT", "`labels` of dtype DT_INT32. Received: DT_STRING"),
    (dict(z=np.zeros((33, 8), "float32"), labels=np.zeros(33, "int32")), "RESOURCE_EXHAUSTED", "at most 32 images"),
    (dict(signature="sample", n=np.int32(10**6), seed=np.int64(0), labels=L2), "RESOURCE_EXHAUSTED", "at most 32"),
    (dict(signature="sample", n=np.int32(-1), seed=np.int64(0), labels=L2), "INVALID_ARGUMENT", "non-negative integer"),
    (dict(signature="sample", n=np.array([2, 2], "int32"), seed=np.int64(0), labels=L2), "INVALID_ARGUMENT",
     "`n` to be a scalar"),
    (dict(version=7, z=Z2, labels=L2), "NOT_FOUND", "Servable not found for request: Specific(digits, 7)"),
    (dict(label="canary", z=Z2, labels=L2), "INVALID_ARGUMENT", "Unrecognized servable version label: canary"),
]


@pytest.mark.parametrize("request_args, code, message", BAD_PREDICTS)
def test_bad_predict_requests(stub, request_args, code, message):
    with pytest.raises(grpc.RpcError) as error:
        stub.Predict(_request(**request_args), timeout=30)
    assert error.value.code().name == code
    assert message in error.value.details()


def test_broken_tensors_and_model_specs(stub):
    broken = _request(z=Z2, labels=L2)
    broken.inputs["z"].tensor_content = b"\0" * 12  # 3 floats for a (2, 8) tensor
    unknown_rank = _request(z=Z2, labels=L2)
    unknown_rank.inputs["z"].tensor_shape.unknown_rank = True
    huge = _request(z=tf.make_tensor_proto(0.0, tf.float32, shape=[2**40, 8]), labels=L2)  # one value fills the shape
    nameless = _request(z=Z2, labels=L2)
    nameless.model_spec.name = ""
    other = _request(z=Z2, labels=L2)
    other.model_spec.name = "other"
    cases = [
        (broken, "INVALID_ARGUMENT", "Expected 64 bytes of tensor_content for `z`"),
        (unknown_rank, "INVALID_ARGUMENT", "Expected `z` with a known shape"),
        (huge, "INVALID_ARGUMENT", "elements in `z`"),
        (nameless, "INVALID_ARGUMENT", "Expected model_spec.name"),
        (other, "NOT_FOUND", "Servable not found for request: Latest(other)"),
    ]
    for request, code, message in cases:
        with pytest.raises(grpc.RpcError) as error:
            stub.Predict(request, timeout=30)
        assert (error.value.code().name, message in error.value.details()) == (code, True), error.value.details()


def test_metadata_needs_signature_def_field(stub):
    request = get_model_metadata_pb2.GetModelMetadataRequest(metadata_field=["other"])
    request.model_spec.name = "digits"
    with pytest.raises(grpc.RpcError) as error:
        stub.GetModelMetadata(request)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "Expected metadata_field ['signature_def']. Received: ['other']" in error.value.details()


def test_malformed_and_oversized_messages_are_refused(channel, stub):
    raw = channel.unary_unary("/tensorflow.serving.PredictionService/Predict")
    with pytest.raises(grpc.RpcError) as error:
        raw(b"\xff\xff\xff not a protobuf", timeout=30)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "Expected a serialized tensorflow.serving.PredictRequest" in error.value.details()
    big = _request(z=np.zeros((3000, 8), "float32"), labels=np.zeros(3000, "int32"))  # 108 KB > the 64 KB limit
    with pytest.raises(grpc.RpcError) as error:
        stub.Predict(big, timeout=30)
    assert error.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    with pytest.raises(grpc.RpcError) as error:
        channel.unary_unary("/tensorflow.serving.PredictionService/Classify")(b"", timeout=30)
    assert error.value.code() == grpc.StatusCode.UNIMPLEMENTED
    # ... and the server lives on.
    assert _images(stub.Predict(_request(z=Z, labels=LABELS), timeout=30)).shape == (3, 8, 8, 1)


def test_32_concurrent_clients_each_get_their_own_answer(digits_servers, runners):
    def ask(seed):
        with grpc.insecure_channel(digits_servers.address) as channel:
            stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
            request = _request("sample", n=np.int32(2), seed=np.int64(seed), labels=np.full(2, seed % 3, "int32"))
            return seed, _images(stub.Predict(request, timeout=60))

    with ThreadPoolExecutor(32) as pool:
        answers = list(pool.map(ask, range(32)))
    for seed, images in answers:
        np.testing.assert_allclose(images, runners[2].sample(2, seed=seed, labels=seed % 3), atol=1e-6)


def _png(pixels, format="PNG"):
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=format)
    return buffer.getvalue()


@pytest.mark.parametrize("format", ["PNG", "JPEG"])
def test_image_to_image_takes_floats_or_encoded_images(maps_servers, exports, format):
    runner = inference.load(exports / "maps")
    pixels = np.random.default_rng(0).integers(0, 256, (3, 16, 8, 3)).astype("uint8")
    encoded = [_png(p, format) for p in pixels]
    decoded = np.stack([np.asarray(Image.open(io.BytesIO(e))) for e in encoded])  # JPEG is lossy
    floats = decoded.astype("float32") / 127.5 - 1.0
    with grpc.insecure_channel(maps_servers.address) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)

        def ask(value, signature="translate"):
            request = predict_pb2.PredictRequest()
            request.model_spec.name, request.model_spec.signature_name = "maps", signature
            request.inputs["source"].CopyFrom(tf.make_tensor_proto(value))
            return _images(stub.Predict(request, timeout=30))

        np.testing.assert_allclose(ask(floats), runner.translate(floats), atol=1e-6)
        np.testing.assert_allclose(ask(encoded), runner.translate(floats), atol=1e-5)  # DT_STRING
        with pytest.raises(grpc.RpcError) as error:
            ask([b"not an image"])
        assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "Expected `source` image 0 as PNG or JPEG" in error.value.details()
        with pytest.raises(grpc.RpcError) as error:
            ask(floats, signature="sample")
        assert "Expected signature_name to be one of ['serving_default', 'translate']" in error.value.details()
