"""One set of limits for every protocol: pending requests are counted across REST and gRPC; failures are INTERNAL."""

import threading
import time

import grpc
import httpx
import numpy as np
import pytest
import tritonclient.grpc as grpcclient
from tritonclient.utils import InferenceServerException

from kgan import serving
from stand_ins import SlowModel


def _infer(address):
    client = grpcclient.InferenceServerClient(address)
    z = grpcclient.InferInput("z", [1, 2], "FP32")
    z.set_data_from_numpy(np.zeros((1, 2), "float32"))
    try:
        return client.infer("fake", [z]).as_numpy("images")
    finally:
        client.close()


def test_pending_requests_are_counted_across_protocols():
    limits = serving.Limits(max_concurrency=1, max_pending=1)
    app = serving.create_app(serving.ServedModel("fake", {1: SlowModel(delay=1.0)}), limits)
    with serving.running(app) as url, serving.running_grpc(app) as address:
        first = {}
        thread = threading.Thread(
            target=lambda: first.update(r=httpx.post(f"{url}/v1/models/fake:predict", json={"inputs": [[0, 0]]}))
        )
        thread.start()
        deadline = time.monotonic() + 10
        while app.state.pending.count == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        with pytest.raises(InferenceServerException) as error:
            _infer(address)
        assert error.value.status() == "StatusCode.UNAVAILABLE"
        assert "Expected at most 1 pending requests" in error.value.message()
        thread.join(10)
        assert first["r"].status_code == 200
        assert _infer(address).shape == (1, 1, 1, 1)  # free again


def test_a_failing_model_is_internal_and_the_server_lives_on(caplog):
    caplog.set_level("INFO", logger="kgan.serving")
    app = serving.create_app(serving.ServedModel("fake", {1: SlowModel(fail=True)}))
    with serving.running_grpc(app) as address:
        with pytest.raises(InferenceServerException) as error:
            _infer(address)
        assert error.value.status() == "StatusCode.INTERNAL"
        assert error.value.message() == "Inference failed: RuntimeError: model exploded"
        assert grpcclient.InferenceServerClient(address).is_server_live()
    assert any("/inference.GRPCInferenceService/ModelInfer INTERNAL" in r.getMessage() for r in caplog.records)


def test_a_port_in_use_is_an_error(digits_servers):
    port = int(digits_servers.address.rsplit(":", 1)[1])
    with pytest.raises(OSError, match=f"127.0.0.1:{port}"):
        serving.create_grpc_server(digits_servers.app, "127.0.0.1", port)
    assert grpcclient.InferenceServerClient(digits_servers.address).is_server_live()  # the first one is untouched


def test_output_pixels_are_limited_on_every_protocol(exports):
    import tensorflow as tf
    from official_clients import tf_serving_apis

    predict_pb2, prediction_service_pb2_grpc, *_ = tf_serving_apis()

    app = serving.create_app(serving.load_model(exports / "maps"), serving.Limits(max_output_pixels=100))
    photos = np.zeros((2, 8, 8, 3), "float32")  # 128 output pixels
    with serving.running(app) as url, serving.running_grpc(app) as address:
        rest = httpx.post(f"{url}/v1/models/maps:predict", json={"inputs": photos.tolist()})
        assert rest.status_code == 413 and "at most 100 output pixels" in rest.json()["error"]
        source = grpcclient.InferInput("source", list(photos.shape), "FP32")
        source.set_data_from_numpy(photos)
        client = grpcclient.InferenceServerClient(address)
        with pytest.raises(InferenceServerException) as error:
            client.infer("maps", [source])
        assert error.value.status() == "StatusCode.RESOURCE_EXHAUSTED"
        assert "at most 100 output pixels" in error.value.message()
        request = predict_pb2.PredictRequest()
        request.model_spec.name = "maps"
        request.inputs["source"].CopyFrom(tf.make_tensor_proto(photos))
        with grpc.insecure_channel(address) as channel:
            with pytest.raises(grpc.RpcError) as error:
                prediction_service_pb2_grpc.PredictionServiceStub(channel).Predict(request, timeout=30)
        assert error.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        source = grpcclient.InferInput("source", [1, 8, 8, 3], "FP32")  # 64 output pixels: within the limit
        source.set_data_from_numpy(photos[:1])
        assert client.infer("maps", [source]).as_numpy("images").shape == (1, 8, 8, 3)
        client.close()
