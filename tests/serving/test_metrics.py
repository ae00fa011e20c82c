"""Prometheus metrics: requests, errors and latency per model and protocol, read with prometheus-client's parser."""

import grpc
import httpx
import numpy as np
import pytest
import tritonclient.grpc as grpcclient
from prometheus_client.parser import text_string_to_metric_families

from kgan import serving


@pytest.fixture()
def fresh(exports):
    """A server of its own, so the counts start at zero."""
    app = serving.create_app(serving.load_model(exports / "noise"), serving.Limits(max_batch=4))
    with serving.running(app) as url, serving.running_grpc(app) as address:
        yield url, address


def _samples(url, path="/metrics"):
    response = httpx.get(url + path)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def _value(samples, name, **labels):
    return sum(value for found, value in samples.get(name, []) if all(found.get(k) == v for k, v in labels.items()))


def test_requests_errors_and_latency_per_model_and_protocol(fresh):
    url, address = fresh
    body = {"signature_name": "sample", "inputs": {"n": 2, "seed": 0}}
    for _ in range(3):
        assert httpx.post(f"{url}/v1/models/noise:predict", json=body).status_code == 200
    assert httpx.post(f"{url}/v1/models/noise:predict", json={"inputs": {"n": 9}}).status_code == 400
    assert httpx.get(f"{url}/v1/models/other").status_code == 404
    assert httpx.get(f"{url}/v2/models/noise/ready").status_code == 200
    client = grpcclient.InferenceServerClient(address)
    n = grpcclient.InferInput("n", [1], "INT32")
    n.set_data_from_numpy(np.array([2], "int32"))
    seed = grpcclient.InferInput("seed", [1], "INT64")
    seed.set_data_from_numpy(np.array([0], "int64"))
    client.infer("noise", [n, seed], parameters={"signature_name": "sample"})
    n.set_data_from_numpy(np.array([5], "int32"))  # over max_batch: RESOURCE_EXHAUSTED
    with pytest.raises(Exception):
        client.infer("noise", [n, seed], parameters={"signature_name": "sample"})
    client.close()
    with grpc.insecure_channel(address) as channel:  # TF Serving's status, for a model not served
        with pytest.raises(grpc.RpcError):
            channel.unary_unary("/tensorflow.serving.ModelService/GetModelStatus")(b"\n\x07\n\x05other")

    samples = _samples(url)
    requests = "kgan_requests_total"
    assert _value(samples, requests, model="noise", protocol="tfserving_rest", method="predict", code="200") == 3
    assert _value(samples, requests, model="noise", version="1", protocol="tfserving_rest", code="200") == 3
    assert _value(samples, "kgan_request_errors_total", model="noise", protocol="tfserving_rest", code="400") == 1
    assert _value(samples, "kgan_request_errors_total", model="", protocol="tfserving_rest", code="404") == 1
    assert _value(samples, requests, model="noise", protocol="v2_http", method="model_ready") == 1
    assert _value(samples, requests, model="noise", protocol="v2_grpc", method="infer", code="OK") == 1
    assert _value(samples, "kgan_request_errors_total", protocol="v2_grpc", code="RESOURCE_EXHAUSTED") == 1
    assert _value(samples, "kgan_request_errors_total", model="", protocol="tfserving_grpc", code="NOT_FOUND") == 1
    latency = "kgan_request_duration_seconds_count"
    assert _value(samples, latency, model="noise", protocol="tfserving_rest", method="predict") == 4
    assert _value(samples, "kgan_request_duration_seconds_bucket", model="noise", protocol="v2_grpc", le="+Inf") == 2
    assert _value(samples, "kgan_pending_requests") == 0
    assert "process_cpu_seconds_total" in samples
    # TF Serving's path answers the same metrics; scraping is not counted as a request.
    again = _samples(url, "/monitoring/prometheus/metrics")
    assert _value(again, requests, protocol="tfserving_rest", method="predict", code="200") == 3
