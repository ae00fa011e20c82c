"""The KServe v2 / Open Inference Protocol over HTTP and gRPC, called with the official `tritonclient`."""

import io
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from PIL import Image
from tritonclient.utils import InferenceServerException

from kgan import inference
from kgan import latent

Z = latent.sample_latent(3, 8, 0)
LABELS = np.array([0, 2, 1], "int32")
MODULES = {"http": httpclient, "grpc": grpcclient}


def _connect(transport, servers):
    target = servers.host_port if transport == "http" else servers.address
    return MODULES[transport].InferenceServerClient(target)


@pytest.fixture(scope="module", params=["http", "grpc"])
def transport(request):
    return request.param


@pytest.fixture(scope="module")
def client(transport, digits_servers):
    client = _connect(transport, digits_servers)
    yield client
    client.close()


@pytest.fixture(scope="module")
def runners(exports):
    return {v: inference.load(exports / "digits" / str(v)) for v in (1, 2)}


def _input(transport, name, value, datatype, binary=True):
    value = np.asarray(value)
    tensor = MODULES[transport].InferInput(name, list(value.shape), datatype)
    if transport == "http":
        tensor.set_data_from_numpy(value, binary_data=binary)
    else:
        tensor.set_data_from_numpy(value)
    return tensor


def _inputs(transport, z=Z, labels=LABELS, binary=True):
    return [_input(transport, "z", z, "FP32", binary), _input(transport, "labels", labels, "INT32", binary)]


def _metadata(client, transport, name, version=""):
    if transport == "http":
        return client.get_model_metadata(name, version)
    return client.get_model_metadata(name, version, as_json=True)


def test_health_and_server_metadata(client, transport):
    assert client.is_server_live() and client.is_server_ready()
    assert client.is_model_ready("digits") and client.is_model_ready("digits", "1")
    assert not client.is_model_ready("other") and not client.is_model_ready("digits", "7")
    server = client.get_server_metadata() if transport == "http" else client.get_server_metadata(as_json=True)
    assert server["name"] == "kgan" and "binary_tensor_data" in server["extensions"]


def test_model_metadata_is_the_triton_config(client, transport, exports):
    metadata = _metadata(client, transport, "digits")
    tensors = metadata["inputs"] + metadata["outputs"]
    shapes = {t["name"]: (t["datatype"], [int(d) for d in t["shape"]]) for t in tensors}
    assert shapes == {"z": ("FP32", [-1, 8]), "labels": ("INT32", [-1, 1]), "images": ("FP32", [-1, 8, 8, 1])}
    assert metadata["versions"] == ["1", "2"] and metadata["platform"] == "onnxruntime_onnx"
    # The names and datatypes Triton reads from the export's config.pbtxt.
    config = (exports / "digits" / "config.pbtxt").read_text()
    for name, (datatype, _) in shapes.items():
        assert f'name: "{name}"\n    data_type: TYPE_{datatype}' in config
    assert _metadata(client, transport, "digits", "1")["name"] == "digits"


def test_infer_equals_kgan_inference(client, transport, runners):
    outputs = [MODULES[transport].InferRequestedOutput("images")]
    result = client.infer("digits", _inputs(transport), outputs=outputs, request_id="r1")
    np.testing.assert_allclose(result.as_numpy("images"), runners[2](Z, LABELS), atol=1e-6)
    assert result.get_response(**({} if transport == "http" else {"as_json": True}))["id"] == "r1"
    # Labels as Triton's config declares them, [n, 1]; the latest version when none is named.
    result = client.infer("digits", _inputs(transport, labels=LABELS[:, None]))
    np.testing.assert_allclose(result.as_numpy("images"), runners[2](Z, LABELS), atol=1e-6)


def test_http_json_tensors_without_the_binary_extension(digits_servers, runners):
    client = httpclient.InferenceServerClient(digits_servers.host_port)
    outputs = [httpclient.InferRequestedOutput("images", binary_data=False)]
    result = client.infer("digits", _inputs("http", binary=False), outputs=outputs)
    np.testing.assert_allclose(result.as_numpy("images"), runners[2](Z, LABELS), atol=1e-6)
    assert "data" in result.get_output("images")  # answered as JSON, not binary
    client.close()


def test_versions_are_addressable(client, transport, runners):
    result = client.infer("digits", _inputs(transport), model_version="1")
    np.testing.assert_allclose(result.as_numpy("images"), runners[1](Z, LABELS), atol=1e-6)


def test_sample_signature_through_a_parameter(client, transport, runners):
    inputs = [
        _input(transport, "n", np.array([4], "int32"), "INT32"),
        _input(transport, "seed", np.array([11], "int64"), "INT64"),
        _input(transport, "labels", np.array([1, 1, 2, 0], "int32"), "INT32"),
    ]
    result = client.infer("digits", inputs, parameters={"signature_name": "sample"})
    np.testing.assert_allclose(result.as_numpy("images"), runners[2].sample(4, 11, [1, 1, 2, 0]), atol=1e-6)


Z2 = np.zeros((2, 8), "float32")
L2 = np.array([0, 1], "int32")
BAD = [
    (dict(inputs=[("z", Z2, "FP32")]), "400", "INVALID_ARGUMENT", "Expected inputs ['z', 'labels'] for signature"),
    (dict(inputs=[("z", Z2.astype("float64"), "FP64"), ("labels", L2, "INT32")]), "400", "INVALID_ARGUMENT",
     "Expected `z` of datatype FP32. Received: 'FP64'"),
    (dict(inputs=[("z", Z2, "FP32"), ("labels", L2.astype("int64"), "INT64")]), "400", "INVALID_ARGUMENT",
     "Expected `labels` of datatype INT32. Received: 'INT64'"),
    (dict(inputs=[("z", np.zeros((2, 7), "float32"), "FP32"), ("labels", L2, "INT32")]), "400", "INVALID_ARGUMENT",
     "Expected `z` of shape (batch, 8)"),
    (dict(inputs=[("z", Z2, "FP32"), ("labels", np.array([0, 3], "int32"), "INT32")]), "400", "INVALID_ARGUMENT",
     "Expected labels in [0, 3)"),
    (dict(inputs=[("z", np.zeros((33, 8), "float32"), "FP32"), ("labels", np.zeros(33, "int32"), "INT32")]), "413",
     "RESOURCE_EXHAUSTED", "at most 32 images"),
    (dict(inputs=[("z", Z2, "FP32"), ("labels", L2, "INT32")], parameters={"signature_name": "train"}), "400",
     "INVALID_ARGUMENT", "Expected signature_name to be one of"),
    (dict(inputs=[("z", Z2, "FP32"), ("labels", L2, "INT32")], outputs=["masks"]), "400", "INVALID_ARGUMENT",
     "Expected outputs among ['images']. Received: 'masks'"),
    (dict(inputs=[("z", Z2, "FP32"), ("labels", L2, "INT32")], model_version="7"), "404", "NOT_FOUND",
     "Servable not found for request: Specific(digits, 7)"),
    (dict(inputs=[("z", Z2, "FP32"), ("labels", L2, "INT32")], model_name="other"), "404", "NOT_FOUND",
     "Servable not found for request: Latest(other)"),
    (dict(inputs=[("z", Z2, "FP32"), ("labels", L2, "INT32")], model_version="one"), "400", "INVALID_ARGUMENT",
     "Expected an integer model version"),
]


@pytest.mark.parametrize("args, http_status, grpc_status, message", BAD)
def test_bad_infer_requests(client, transport, args, http_status, grpc_status, message):
    module = MODULES[transport]
    inputs = [_input(transport, *entry) for entry in args["inputs"]]
    outputs = [module.InferRequestedOutput(name) for name in args.get("outputs", [])] or None
    with pytest.raises(InferenceServerException) as error:
        client.infer(args.get("model_name", "digits"), inputs, model_version=args.get("model_version", ""),
                     outputs=outputs, parameters=args.get("parameters"))
    expected = http_status if transport == "http" else f"StatusCode.{grpc_status}"
    assert (error.value.status(), message in error.value.message()) == (expected, True), error.value.message()


_BINARY_HEADER = b'{"inputs": [{"name": "z", "datatype": "FP32", "shape": [1], "parameters": {"binary_data_size": 4}}]}'


@pytest.mark.parametrize(
    "body, headers, message",
    [
        (b"{not json", {}, "malformed JSON"),
        (b'{"inputs": {}}', {}, "Expected 'inputs' to be a non-empty list of tensor objects"),
        (b'{"inputs": [{"name": "z", "datatype": "FP32", "shape": [2, 8]}]}', {}, "'data' list or a binary_data_size"),
        (b'{"inputs": [{"name": "z", "datatype": "FP32", "shape": [2, 8], "data": [1, 2]}]}', {}, "16 elements"),
        (b'{"inputs": [{"name": "z", "datatype": "FP32", "shape": [2, -8], "data": []}]}', {}, "sizes >= 0"),
        (b'{"inputs": [{"name": "z", "datatype": "FP32", "shape": [1], "data": ["a"]}]}', {}, "Expected FP32 numbers"),
        (b'{"inputs": [{"name": "z", "datatype": "COMPLEX", "shape": [1], "data": [1]}]}', {}, "'datatype' among"),
        (_BINARY_HEADER + b"\0" * 8, {"Inference-Header-Content-Length": str(len(_BINARY_HEADER))},
         "Expected 4 bytes of binary tensor data. Received: 8"),
        (b"{}", {"Inference-Header-Content-Length": "99"}, "Inference-Header-Content-Length"),
    ],
)
def test_malformed_http_bodies_get_400(digits_servers, body, headers, message):
    response = httpx.post(f"{digits_servers.url}/v2/models/digits/infer", content=body, headers=headers)
    assert response.status_code == 400 and message in response.json()["error"], response.text


def test_oversized_requests_are_refused(client, transport, digits_servers):
    big = _inputs(transport, z=np.zeros((3000, 8), "float32"), labels=np.zeros(3000, "int32"))  # > 64 KB
    with pytest.raises(InferenceServerException) as error:
        client.infer("digits", big)
    assert error.value.status() == ("413" if transport == "http" else "StatusCode.RESOURCE_EXHAUSTED")
    if transport == "grpc":
        with grpcclient.grpc.insecure_channel(digits_servers.address) as channel:
            raw = channel.unary_unary("/inference.GRPCInferenceService/ModelInfer")
            with pytest.raises(grpcclient.grpc.RpcError) as broken:
                raw(b"\xff\xff garbage", timeout=30)
        assert broken.value.code().name == "INVALID_ARGUMENT"
        assert "Expected a serialized inference.ModelInferRequest" in broken.value.details()
    # ... and the server lives on.
    assert client.infer("digits", _inputs(transport)).as_numpy("images").shape == (3, 8, 8, 1)


def test_typed_grpc_contents(digits_servers, runners):
    # Clients other than tritonclient may send each input's elements in its typed `contents`.
    from kgan.serving.protos import messages

    request = messages.ModelInferRequest(model_name="digits")
    z = request.inputs.add(name="z", datatype="FP32", shape=[3, 8])
    z.contents.fp32_contents.extend(Z.ravel().tolist())
    labels = request.inputs.add(name="labels", datatype="INT32", shape=[3])
    labels.contents.int_contents.extend(LABELS.tolist())
    with grpcclient.grpc.insecure_channel(digits_servers.address) as channel:
        call = channel.unary_unary("/inference.GRPCInferenceService/ModelInfer")
        response = messages.ModelInferResponse.FromString(call(request.SerializeToString(), timeout=30))
    images = np.frombuffer(response.raw_output_contents[0], "<f4").reshape(list(response.outputs[0].shape))
    np.testing.assert_allclose(images, runners[2](Z, LABELS), atol=1e-6)


def test_32_concurrent_clients_each_get_their_own_answer(transport, digits_servers, runners):
    def ask(seed):
        client = _connect(transport, digits_servers)  # tritonclient's clients are not shared across threads
        try:
            z = latent.sample_latent(2, 8, seed)
            result = client.infer("digits", _inputs(transport, z=z, labels=np.full(2, seed % 3, "int32")))
            return z, seed, result.as_numpy("images")
        finally:
            client.close()

    with ThreadPoolExecutor(32) as pool:
        answers = list(pool.map(ask, range(32)))
    for z, seed, images in answers:
        np.testing.assert_allclose(images, runners[2](z, seed % 3), atol=1e-6)


def _png(pixels, format="PNG"):
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=format)
    return buffer.getvalue()


@pytest.mark.parametrize("format", ["PNG", "JPEG"])
def test_image_to_image_takes_floats_or_encoded_images(transport, maps_servers, exports, format):
    runner = inference.load(exports / "maps")
    pixels = np.random.default_rng(1).integers(0, 256, (2, 8, 12, 3)).astype("uint8")
    encoded = np.array([_png(p, format) for p in pixels], dtype=object)
    floats = np.stack([np.asarray(Image.open(io.BytesIO(e))) for e in encoded]).astype("float32") / 127.5 - 1.0
    client = _connect(transport, maps_servers)
    try:
        metadata = _metadata(client, transport, "maps")
        assert [(t["name"], [int(d) for d in t["shape"]]) for t in metadata["inputs"]] == [("source", [-1, -1, -1, 3])]
        as_floats = client.infer("maps", [_input(transport, "source", floats, "FP32")]).as_numpy("images")
        as_bytes = client.infer("maps", [_input(transport, "source", encoded, "BYTES")]).as_numpy("images")
        np.testing.assert_allclose(as_floats, runner.translate(floats), atol=1e-6)
        np.testing.assert_allclose(as_bytes, runner.translate(floats), atol=1e-5)
        with pytest.raises(InferenceServerException) as error:
            client.infer("maps", [_input(transport, "source", np.array([b"not an image"], dtype=object), "BYTES")])
        assert "Expected `source` image 0 as PNG or JPEG" in error.value.message()
    finally:
        client.close()


def test_json_bytes_are_base64(maps_servers, exports):
    import base64

    pixels = np.random.default_rng(2).integers(0, 256, (1, 8, 8, 3)).astype("uint8")
    body = {"inputs": [{"name": "source", "datatype": "BYTES", "shape": [1],
                        "data": [base64.b64encode(_png(pixels[0])).decode()]}]}
    answer = httpx.post(f"{maps_servers.url}/v2/models/maps/infer", json=body).json()
    output = answer["outputs"][0]
    images = np.array(output["data"], "float32").reshape(output["shape"])
    expected = inference.load(exports / "maps").translate(pixels.astype("float32") / 127.5 - 1.0)
    np.testing.assert_allclose(images, expected, atol=1e-5)
    assert answer["model_name"] == "maps" and answer["model_version"] == "1"
