"""`kgan serve` with an exported upscaler: PNG in and out as TF Serving's b64, and 4xx for bad requests."""

import base64
import io

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

import kgan
import sr_tiny

URL = "/v1/models/sr:predict"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    # An x4 model: the x4 export (with its parity check) and serving that the contract's x4 case leaves to
    # --runslow.
    model = sr_tiny.model(scale=4, ema_half_life=100)
    folder = kgan.export.export_model(model, tmp_path_factory.mktemp("serve") / "saved_models", "sr")
    return model, folder


def _client(folder, **limits):
    return TestClient(kgan.serving.create_app(kgan.serving.load_model(folder), kgan.serving.Limits(**limits)))


def _png(pixels):
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return {"b64": base64.b64encode(buffer.getvalue()).decode("ascii")}


def _decoded(item):
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(item["b64"]))))


def test_b64_png_round_trip(exported):
    model, folder = exported
    pixels = np.random.default_rng(0).integers(0, 256, (2, 9, 13, 3), dtype="uint8")
    body = {"instances": [_png(p) for p in pixels], "output_format": "png", "signature_name": "upscale"}
    response = _client(folder).post(URL, json=body)
    assert response.status_code == 200, response.text
    results = [_decoded(item) for item in response.json()["predictions"]]
    expected = kgan.inference.inputs.to_uint8(model.upscale(pixels / 127.5 - 1.0), (-1.0, 1.0))
    assert [r.shape for r in results] == [(36, 52, 3)] * 2
    assert np.abs(np.stack(results).astype(int) - expected).max() <= 1  # PNG decode/rounding apart, equal


def test_float_arrays_answer_float_arrays(exported):
    model, folder = exported
    x = sr_tiny.lr_images(n=1)
    response = _client(folder).post(URL, json={"inputs": {"images_lr": x.tolist()}})
    assert response.status_code == 200, response.text
    np.testing.assert_allclose(np.asarray(response.json()["outputs"]), model.upscale(x), atol=1e-5)


@pytest.mark.parametrize(
    "instances, status, message",
    [
        ([{"b64": base64.b64encode(b"not an image").decode()}], 400, "as base64 PNG or JPEG"),
        ([{"b64": "@@@"}], 400, "as base64 PNG or JPEG"),
        ([[[[2.0, 0.0, 0.0]]]], 400, "in the value range"),
        ([[[[0.0, 0.0]]]], 400, "of shape (batch, any, any, 3)"),
    ],
)
def test_bad_images_get_a_400(exported, instances, status, message):
    response = _client(exported[1]).post(URL, json={"instances": instances})
    assert response.status_code == status, response.text
    assert message in response.json()["error"]


def test_images_of_two_sizes_in_one_request_get_a_400(exported):
    pixels = np.zeros((8, 8, 3), "uint8")
    response = _client(exported[1]).post(URL, json={"instances": [_png(pixels), _png(pixels[:4])]})
    assert response.status_code == 400 and "of one size" in response.json()["error"]


def test_too_large_outputs_and_bodies_get_a_413(exported):
    folder = exported[1]
    pixels = np.zeros((2, 10, 10, 3), "uint8")  # x4: 2 x 40 x 40 = 3200 output pixels
    body = {"instances": [_png(p) for p in pixels], "output_format": "png"}
    assert _client(folder, max_output_pixels=3200).post(URL, json=body).status_code == 200
    response = _client(folder, max_output_pixels=3199).post(URL, json=body)
    assert response.status_code == 413
    assert "Expected at most 3199 output pixels per request. Received: a request for 3200" in response.json()["error"]
    response = _client(folder, max_body_bytes=100).post(URL, json=body)
    assert response.status_code == 413 and "request body of at most 100 bytes" in response.json()["error"]
