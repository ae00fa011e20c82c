"""Every error path answers `{"error": ...}` with the right status, and the server lives on."""

import json
import threading
import time

import httpx
import numpy as np
import pytest

from kgan import serving
from stand_ins import SlowModel

Z = np.zeros((2, 8)).tolist()
PREDICT = "/v1/models/digits:predict"


def _body(**inputs):
    return {"inputs": inputs}


BAD_REQUESTS = [
    (b"{not json", 400, "malformed JSON"),
    (b"[1, 2]", 400, "Received: list"),
    (b'{"inputs": {"z": [[NaN, 0, 0, 0, 0, 0, 0, 0]], "labels": [0]}}', 400, "malformed JSON"),
    (b"[" * 100000, 413, "request body"),
    (json.dumps({"instances": [], "inputs": {}}), 400, "exactly one of 'instances'"),
    (json.dumps({"signature_name": "train"}), 400, "signature_name to be one of"),
    (json.dumps({"instances": []}), 400, "non-empty list"),
    (json.dumps({"instances": [Z[0]]}), 400, "object with keys ['z', 'labels']"),
    (json.dumps({"instances": [{"z": Z[0], "labels": 0}, {"z": Z[1]}]}), 400, "the same keys"),
    (json.dumps(_body(z=Z)), 400, "Expected inputs ['z', 'labels']"),
    (json.dumps(_body(z=Z, labels=[0, 1], extra=1)), 400, "Expected inputs ['z', 'labels']"),
    (json.dumps(_body(z=[[0.0] * 7] * 2, labels=[0, 1])), 400, r"Expected `z` of shape (batch, 8)"),
    (json.dumps(_body(z=[[0.0] * 8, [0.0] * 7], labels=[0, 1])), 400, "rectangular"),
    (json.dumps(_body(z=[["a"] * 8] * 2, labels=[0, 1])), 400, "hold numbers"),
    (json.dumps(_body(z=[[1e39] * 8] * 2, labels=[0, 1])), 400, "finite values"),
    (json.dumps(_body(z=Z, labels=[0, 3])), 400, "Expected labels in [0, 3)"),
    (json.dumps(_body(z=Z, labels=[0.5, 1])), 400, "an int or 2 integers"),
    (json.dumps(_body(z=Z, labels=["a", "b"])), 400, "hold integers"),
    (json.dumps(_body(z=Z, labels=[0])), 400, "an int or 2 integers"),
    (json.dumps(_body(z=[[0.0] * 8] * 33, labels=[0] * 33)), 413, "at most 32 images"),
    (json.dumps({"signature_name": "sample", "instances": [{"n": 1, "seed": 0}]}), 400, "columnar format"),
    (json.dumps({"signature_name": "sample", **_body(n=-1, seed=0, labels=[])}), 400, "non-negative integer"),
    (json.dumps({"signature_name": "sample", **_body(n=2.5, seed=0, labels=[])}), 400, "non-negative integer"),
    (json.dumps({"signature_name": "sample", **_body(n=2, seed="x", labels=[0, 1])}), 400, "`seed` to be an integer"),
    (json.dumps({"signature_name": "sample", **_body(n=2, seed=2**63, labels=[0, 1])}), 400, "int64"),
    (json.dumps({"signature_name": "sample", **_body(n=10**12, seed=0, labels=[])}), 413, "at most 32 images"),
]


@pytest.mark.parametrize("body, status, message", BAD_REQUESTS)
def test_bad_predict_requests(digits, body, status, message):
    response = digits.post(PREDICT, content=body)
    assert response.status_code == status
    assert message in response.json()["error"]


def test_oversized_body_without_content_length_is_refused(digits):
    def chunks():
        for _ in range(100):
            yield b" " * 1024

    response = digits.post(PREDICT, content=chunks())  # chunked transfer encoding
    assert response.status_code == 413 and "request body" in response.json()["error"]


@pytest.mark.parametrize(
    "method, path, status, message",
    [
        ("GET", "/v1/models/other", 404, "Servable not found for request: Latest(other)"),
        ("GET", "/v1/models/digits/versions/7", 404, "Specific(digits, 7)"),
        ("POST", "/v1/models/digits/versions/7:predict", 404, "Specific(digits, 7)"),
        ("GET", "/v1/models/digits/versions/one", 400, "integer model version"),
        ("GET", "/v1/models/digits/labels/stable", 400, "Unrecognized servable version label: stable"),
        ("GET", "/v1/models/digits/labels/stable/metadata", 400, "Unrecognized servable version label: stable"),
        ("GET", "/v2/health", 404, "Not Found"),
        ("PUT", "/v1/models/digits", 405, "Method Not Allowed"),
        ("GET", PREDICT, 404, "Latest(digits:predict)"),
        ("GET", "/v1/models/digits/grid.png?n=0", 400, "`n` >= 1"),
        ("GET", "/v1/models/digits/grid.png?n=x", 400, "`n` to be an integer"),
        ("GET", "/v1/models/digits/grid.png?n=4&labels=a", 400, "labels"),
        ("GET", "/v1/models/digits/grid.png?n=4&labels=5", 400, "Expected labels in [0, 3)"),
        ("GET", "/v1/models/digits/grid.png?n=100000", 413, "at most 32 images"),
    ],
)
def test_bad_routes_and_queries(digits, method, path, status, message):
    response = digits.request(method, path)
    assert response.status_code == status
    assert message in response.json()["error"]


def test_server_survives_all_of_the_above(digits):
    assert digits.get("/v1/models/digits").status_code == 200


def test_a_failing_model_answers_500_and_the_server_lives_on(caplog):
    caplog.set_level("INFO", logger="kgan.serving")
    model = serving.ServedModel("fake", {1: SlowModel(fail=True)})
    with serving.running(serving.create_app(model)) as url:
        response = httpx.post(f"{url}/v1/models/fake:predict", json={"instances": [[0.0, 0.0]]})
        assert response.status_code == 500
        assert response.json() == {"error": "Inference failed: RuntimeError: model exploded"}
        assert httpx.get(f"{url}/v1/models/fake").status_code == 200
    assert any("POST /v1/models/fake:predict 500" in r.getMessage() for r in caplog.records)


def test_too_many_pending_requests_get_503():
    model = serving.ServedModel("fake", {1: SlowModel(delay=1.0)})
    app = serving.create_app(model, serving.Limits(max_concurrency=1, max_pending=1))
    with serving.running(app) as url:
        first = {}
        thread = threading.Thread(
            target=lambda: first.update(r=httpx.post(f"{url}/v1/models/fake:predict", json={"inputs": [[0, 0]]}))
        )
        thread.start()
        deadline = time.monotonic() + 10
        while app.state.pending.count == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        second = httpx.post(f"{url}/v1/models/fake:predict", json={"inputs": [[0, 0]]})
        thread.join(10)
    assert second.status_code == 503 and "pending requests" in second.json()["error"]
    assert first["r"].status_code == 200


def test_requests_are_logged(digits, caplog):
    caplog.set_level("INFO", logger="kgan.serving")
    digits.get("/v1/models/digits")
    deadline = time.monotonic() + 5
    while not any("GET /v1/models/digits 200" in r.getMessage() for r in caplog.records):
        assert time.monotonic() < deadline, [r.getMessage() for r in caplog.records]
        time.sleep(0.01)
