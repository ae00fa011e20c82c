"""`kgan serve saved_models`: every model of an export root, by name, on every protocol.

The root is the session's `exports` (conftest): `digits` (a conditional DCGAN,
versions 1 and 2), `noise` (an unconditional MLP generator) and `maps` (an
image translator). Each protocol reaches each model by its name and answers
what that model's own export computes; an unknown name is a 404 / NOT_FOUND
that lists the served names.
"""

import argparse
import io

import grpc
import httpx
import numpy as np
import pytest
import tensorflow as tf
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from official_clients import tf_serving_apis
from PIL import Image
from prometheus_client.parser import text_string_to_metric_families
from tritonclient.utils import InferenceServerException

from kgan import inference
from kgan import latent
from kgan import serving
from kgan.cli import CLIError
from kgan.cli import serve as serve_cli

predict_pb2, prediction_service_pb2_grpc, _, get_model_status_pb2, model_service_pb2_grpc = tf_serving_apis()

NAMES = ["digits", "maps", "noise"]
SERVED = "(served models: digits, maps, noise)"
Z = latent.sample_latent(2, 8, 0)
LABELS = np.array([2, 0], "int32")
SOURCE = np.linspace(-1, 1, 2 * 4 * 6 * 3, dtype="float32").reshape(2, 4, 6, 3)
# Each model's serving_default inputs, by name.
INPUTS = {"digits": {"z": Z, "labels": LABELS}, "noise": {"z": Z}, "maps": {"source": SOURCE}}


@pytest.fixture(scope="module")
def servers(exports):
    """Every model of the root over every protocol."""
    app = serving.create_app(serving.load_models(exports))
    with serving.running(app) as url, serving.running_grpc(app) as address:
        yield url, address


@pytest.fixture(scope="module")
def rest(servers):
    with httpx.Client(base_url=servers[0], timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def expected(exports):
    """What each model's latest export computes on INPUTS, through kgan.inference."""
    runners = {name: inference.load(exports / name) for name in NAMES}
    return {
        "digits": runners["digits"](Z, LABELS),
        "noise": runners["noise"](Z),
        "maps": runners["maps"].translate(SOURCE),
    }


def test_load_models_finds_every_model_folder(exports):
    models = serving.load_models(exports)
    assert models.names == NAMES
    assert list(models.find("digits").versions) == [1, 2]
    assert serving.repository.model_folders(exports) == [str(exports / name) for name in NAMES]
    # A model folder or a version folder is one model, not a root.
    assert serving.repository.model_folders(exports / "digits") == []
    assert serving.repository.model_folders(exports / "digits" / "1") == []


def test_load_models_refuses_a_folder_without_models(tmp_path):
    (tmp_path / "README.md").write_text("no models here")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="Expected an export root holding model folders"):
        serving.load_models(tmp_path)


def test_names_must_be_distinct(exports):
    digits = serving.load_model(exports / "digits")
    with pytest.raises(ValueError, match="distinct names"):
        serving.ServedModels([digits, digits])


def test_tf_serving_rest_reaches_each_model(rest, expected):
    for name in NAMES:
        status = rest.get(f"/v1/models/{name}").json()
        versions = [s["version"] for s in status["model_version_status"]]
        assert versions == (["2", "1"] if name == "digits" else ["1"]), name
        metadata = rest.get(f"/v1/models/{name}/metadata").json()
        assert metadata["model_spec"]["name"] == name
        inputs = {key: value.tolist() for key, value in INPUTS[name].items()}
        answer = rest.post(f"/v1/models/{name}:predict", json={"inputs": inputs})
        assert answer.status_code == 200, answer.text
        np.testing.assert_allclose(np.array(answer.json()["outputs"]), expected[name], atol=1e-6, err_msg=name)


def test_one_model_of_a_root_is_the_same_as_served_alone(exports, rest):
    alone = serving.create_app(serving.load_model(exports / "digits"))
    with serving.running(alone) as url:
        body = {"signature_name": "sample", "inputs": {"n": 3, "seed": 5, "labels": [0, 1, 2]}}
        single = httpx.post(f"{url}/v1/models/digits/versions/1:predict", json=body).json()
    assert rest.post("/v1/models/digits/versions/1:predict", json=body).json() == single


@pytest.mark.parametrize(
    "method, path, message",
    [
        ("GET", "/v1/models/cats", f"Servable not found for request: Latest(cats) {SERVED}"),
        ("GET", "/v1/models/cats/versions/1/metadata", f"Servable not found for request: Specific(cats, 1) {SERVED}"),
        ("POST", "/v1/models/cats:predict", f"Latest(cats) {SERVED}"),
        ("GET", "/v1/models/cats/grid.png", f"Latest(cats) {SERVED}"),
        ("GET", "/v2/models/cats", f"Latest(cats) {SERVED}"),
        ("POST", "/v2/models/cats/infer", f"Latest(cats) {SERVED}"),
        ("GET", "/v1/models/noise/versions/2", "Specific(noise, 2)"),  # a known name: the model's own 404
    ],
)
def test_unknown_names_are_404s_listing_the_served_models(rest, method, path, message):
    response = rest.request(method, path, json={} if method == "POST" else None)
    assert response.status_code == 404
    assert message in response.json()["error"]


def test_grid_png_of_each_generator(rest):
    for name in ("digits", "noise"):
        response = rest.get(f"/v1/models/{name}/grid.png?n=4&seed=1")
        assert response.status_code == 200 and response.headers["content-type"] == "image/png"
        assert Image.open(io.BytesIO(response.content)).size[0] > 8
    assert "task 'generate'" in rest.get("/v1/models/maps/grid.png").json()["error"]


def _v2_inputs(module, name):
    tensors = []
    for key, value in INPUTS[name].items():
        datatype = "INT32" if value.dtype == np.int32 else "FP32"
        tensors.append(module.InferInput(key, list(value.shape), datatype))
        tensors[-1].set_data_from_numpy(value)
    return tensors


@pytest.mark.parametrize("module", [httpclient, grpcclient], ids=["http", "grpc"])
def test_kserve_v2_reaches_each_model(servers, expected, module):
    url, address = servers
    client = module.InferenceServerClient(url.removeprefix("http://") if module is httpclient else address)
    try:
        for name in NAMES:
            assert client.is_model_ready(name)
            metadata = client.get_model_metadata(name) if module is httpclient else client.get_model_metadata(
                name, as_json=True
            )
            assert metadata["name"] == name
            assert metadata["versions"] == (["1", "2"] if name == "digits" else ["1"])
            result = client.infer(name, _v2_inputs(module, name))
            np.testing.assert_allclose(result.as_numpy("images"), expected[name], atol=1e-6, err_msg=name)
        assert not client.is_model_ready("cats")
        with pytest.raises(InferenceServerException, match=r"Latest\(cats\) \(served models: digits, maps, noise\)"):
            client.infer("cats", _v2_inputs(module, "noise"))
    finally:
        client.close()


def _predict_request(name, **inputs):
    request = predict_pb2.PredictRequest()
    request.model_spec.name = name
    for key, value in inputs.items():
        request.inputs[key].CopyFrom(tf.make_tensor_proto(value))
    return request


def test_tf_serving_grpc_reaches_each_model(servers, expected):
    with grpc.insecure_channel(servers[1]) as channel:
        predict = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        status = model_service_pb2_grpc.ModelServiceStub(channel)
        for name in NAMES:
            response = predict.Predict(_predict_request(name, **INPUTS[name]), timeout=30)
            assert response.model_spec.name == name
            np.testing.assert_allclose(tf.make_ndarray(response.outputs["images"]), expected[name], atol=1e-6)
            every = status.GetModelStatus(get_model_status_pb2.GetModelStatusRequest(model_spec={"name": name}))
            assert [s.version for s in every.model_version_status] == ([2, 1] if name == "digits" else [1])
        with pytest.raises(grpc.RpcError) as error:
            predict.Predict(_predict_request("cats", z=Z), timeout=30)
        assert error.value.code() == grpc.StatusCode.NOT_FOUND
        assert error.value.details() == f"Servable not found for request: Latest(cats) {SERVED}"
        with pytest.raises(grpc.RpcError) as error:
            status.GetModelStatus(get_model_status_pb2.GetModelStatusRequest(model_spec={"name": "cats"}))
        assert error.value.code() == grpc.StatusCode.NOT_FOUND
        assert error.value.details() == f"Could not find any versions of model cats {SERVED}"


def test_ui_lists_every_model(rest):
    models = rest.get("/ui/models").json()["models"]
    assert [m["name"] for m in models] == NAMES
    assert [m["spec"]["task"] for m in models] == ["generate", "translate", "generate"]
    assert models[0]["versions"] == [1, 2]
    assert rest.get("/").status_code == 200


def test_metrics_count_each_model_by_name(exports):
    app = serving.create_app(serving.load_models(exports))
    with serving.running(app) as url:
        for name in NAMES:
            httpx.get(f"{url}/v1/models/{name}/metadata")
        httpx.get(f"{url}/v1/models/cats")
        text = httpx.get(f"{url}/metrics").text
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "kgan_requests_total":
                labels = sample.labels
                found[labels["model"], labels["version"], labels["method"], labels["code"]] = sample.value
    assert found == {
        ("digits", "2", "metadata", "200"): 1.0,
        ("maps", "1", "metadata", "200"): 1.0,
        ("noise", "1", "metadata", "200"): 1.0,
        ("", "", "status", "404"): 1.0,  # an unknown name does not grow the label set
    }


def _args(path, **flags):
    parser = argparse.ArgumentParser()
    serve_cli.add_parser(parser.add_subparsers())
    return parser.parse_args(["serve", str(path), *[f"--{k.replace('_', '-')}={v}" for k, v in flags.items()]])


@pytest.mark.parametrize("flag", [{"name": "x"}, {"versions": "1"}, {"version_labels": "stable=1"}])
def test_cli_refuses_one_models_options_for_a_root(exports, flag):
    with pytest.raises(CLIError, match="with one model folder"):
        serve_cli.run(_args(exports, **flag))


def test_cli_serves_every_model_of_a_root(exports):
    import signal
    import sys

    from test_serving_shutdown import _finish
    from test_serving_shutdown import _start

    process, url, lines, seen = _start(
        [sys.executable, "-m", "kgan", "serve", str(exports), "--port", "0", "--grpc-port", "0"]
    )
    try:
        for name in NAMES:
            assert httpx.get(f"{url}/v1/models/{name}/metadata", timeout=10).status_code == 200
        assert httpx.get(f"{url}/v1/models/cats", timeout=10).status_code == 404
    finally:
        process.send_signal(signal.SIGTERM)
    log = _finish(process, lines, seen)
    assert "model digits, versions 1, 2" in log and "model maps, versions 1" in log and "model noise" in log
