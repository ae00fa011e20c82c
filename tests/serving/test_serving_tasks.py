"""An image-to-image model over REST: names from its spec, nested lists, b64 PNG/JPEG in, PNG out."""

import base64
import io

import numpy as np
import pytest
from PIL import Image

from kgan import inference
from kgan import specs
from kgan.serving import b64

PREDICT = "/v1/models/maps:predict"


def _pixels(n, height, width, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (n, height, width, 3)).astype("uint8")


def _encode(pixels, format="PNG"):
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=format)
    return {"b64": base64.b64encode(buffer.getvalue()).decode("ascii")}


def _truncated_png():
    data = base64.b64decode(_encode(_pixels(1, 8, 8)[0])["b64"])
    return {"b64": base64.b64encode(data[: len(data) // 2]).decode("ascii")}


def _decode(value):
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(value["b64"]))))


def _floats(pixels):
    return (pixels.astype("float32") / 127.5 - 1.0).astype("float32")


@pytest.fixture(scope="module")
def runner(exports):
    return inference.load(exports / "maps")


def test_metadata_names_come_from_the_spec(maps):
    defs = maps.get("/v1/models/maps/metadata").json()["metadata"]["signature_def"]["signature_def"]
    assert set(defs) == {"serving_default", "translate"}
    source = defs["translate"]["inputs"]["source"]
    assert source["dtype"] == "DT_FLOAT" and [d["size"] for d in source["tensor_shape"]["dim"]] == ["-1"] * 3 + ["3"]
    assert list(defs["serving_default"]["outputs"]) == ["images"]


def test_nested_lists_in_row_and_columnar_formats(maps, runner):
    photos = _floats(_pixels(2, 8, 12))
    row = maps.post(PREDICT, json={"instances": [{"source": p} for p in photos.tolist()]})
    bare = maps.post(PREDICT, json={"signature_name": "translate", "instances": photos.tolist()})
    columnar = maps.post(PREDICT, json={"inputs": {"source": photos.tolist()}})
    assert row.status_code == bare.status_code == columnar.status_code == 200
    expected = runner.translate(photos)
    np.testing.assert_allclose(np.array(row.json()["predictions"]), expected, atol=1e-6)
    np.testing.assert_array_equal(np.array(bare.json()["predictions"]), np.array(row.json()["predictions"]))
    np.testing.assert_array_equal(np.array(columnar.json()["outputs"]), np.array(row.json()["predictions"]))


@pytest.mark.parametrize("format", ["PNG", "JPEG"])
def test_b64_images_in_and_png_out(maps, runner, format):
    pixels = _pixels(3, 16, 8)
    sent = [_encode(p, format) for p in pixels]
    decoded = np.stack([_decode(s) for s in sent])  # what the server sees (JPEG is lossy)
    expected = runner.translate(_floats(decoded))
    for body in (
        {"instances": sent},  # one-input signature: bare b64 values as rows
        {"instances": [{"source": s} for s in sent]},
        {"inputs": {"source": sent}},
    ):
        response = maps.post(PREDICT, json=body)
        assert response.status_code == 200, response.text
        answer = response.json()
        np.testing.assert_allclose(np.array(answer.get("predictions", answer.get("outputs"))), expected, atol=1e-5)
    png = maps.post(PREDICT, json={"inputs": {"source": sent}, "output_format": "png"}).json()["outputs"]
    assert len(png) == 3 and all(list(item) == ["b64"] for item in png)
    expected_png = runner.translate(_floats(decoded), "uint8")
    np.testing.assert_array_equal(np.stack([_decode(item) for item in png]), expected_png)


@pytest.mark.parametrize(
    "body, message",
    [
        ({"instances": [{"b64": "not base64!"}]}, "Expected `source` image 0 as base64 PNG or JPEG"),
        ({"instances": [{"b64": base64.b64encode(b"GIF89a garbage").decode()}]}, "does not decode"),
        ({"instances": [_encode(_pixels(1, 8, 8)[0]), _truncated_png()]}, "image 1 as base64 PNG or JPEG"),
        ({"instances": [_encode(_pixels(1, 8, 8)[0]), _encode(_pixels(1, 16, 8)[0])]}, "images of one size"),
        ({"inputs": {"source": [_encode(_pixels(1, 8, 8)[0]), [[[0.0] * 3]]]}}, "not a mix"),
        ({"inputs": {"source": [[[[0.0] * 1] * 8] * 8]}}, r"Expected `source` of shape (batch, any, any, 3)"),
        ({"inputs": {"source": [[[[300.0] * 3] * 8] * 8]}}, "value range [-1, 1]"),
        ({"inputs": {"source": [[[[0.0] * 3] * 8] * 8]}, "output_format": "gif"}, "output_format to be one of"),
        ({"signature_name": "sample", "inputs": {"n": 1, "seed": 0}}, "signature_name to be one of"),
        ({"inputs": {"z": [[0.0] * 8]}}, "Expected inputs ['source']"),
    ],
)
def test_bad_image_requests_get_400(maps, body, message):
    response = maps.post(PREDICT, json=body)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_decoded_pixels_per_request_are_bounded(maps, monkeypatch):
    # Checked from the headers, before any image is decoded.
    monkeypatch.setattr(b64, "MAX_PIXELS", 100)
    body = {"instances": [_encode(p) for p in _pixels(2, 8, 8)]}
    response = maps.post(PREDICT, json=body)
    assert response.status_code == 400
    assert response.json()["error"] == "Expected at most 100 pixels of `source` per request. Received: 128"


def test_grid_is_for_generators_only(maps, noise):
    response = maps.get("/v1/models/maps/grid.png")
    assert response.status_code == 404 and "task 'generate'" in response.json()["error"]
    assert noise.get("/v1/models/noise/grid.png").status_code == 200


def test_generators_answer_png_too(noise, exports):
    body = {"signature_name": "sample", "inputs": {"n": 2, "seed": 4}, "output_format": "png"}
    png = noise.post("/v1/models/noise:predict", json=body).json()["outputs"]
    expected = inference.load(exports / "noise").sample(2, seed=4, dtype="uint8")
    np.testing.assert_array_equal(np.stack([_decode(item) for item in png])[..., None], expected)


def test_png_output_needs_2d_images():
    volume = specs.noise_to_image(8, (4, 4, 4, 1))
    assert not b64.can_encode(volume.output) and b64.can_encode(specs.noise_to_image(8, (8, 8, 1)).output)
    with pytest.raises(ValueError, match="not a 2-D image"):
        b64.decode_images([_encode(_pixels(1, 4, 4)[0])], volume.output)
