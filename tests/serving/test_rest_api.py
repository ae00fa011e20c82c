"""TF Serving's REST API over real HTTP on loopback: formats, versions, metadata, PNG."""

import io
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PIL import Image

from kgan import inference
from kgan import latent

Z = latent.sample_latent(3, 8, 0)
LABELS = [0, 2, 1]


def _runner(exports, version):
    return inference.load(exports / "digits" / str(version))


def test_model_status_lists_every_version(digits):
    status = digits.get("/v1/models/digits").json()["model_version_status"]
    assert [(s["version"], s["state"], s["status"]["error_code"]) for s in status] == [
        ("2", "AVAILABLE", "OK"),
        ("1", "AVAILABLE", "OK"),
    ]
    one = digits.get("/v1/models/digits/versions/1").json()["model_version_status"]
    assert [s["version"] for s in one] == ["1"]


def test_metadata_describes_the_three_signatures(digits):
    body = digits.get("/v1/models/digits/metadata").json()
    assert body["model_spec"] == {"name": "digits", "signature_name": "", "version": "2"}
    defs = body["metadata"]["signature_def"]["signature_def"]
    assert set(defs) == {"serving_default", "generate", "sample"}
    z = defs["serving_default"]["inputs"]["z"]
    assert z["dtype"] == "DT_FLOAT" and [d["size"] for d in z["tensor_shape"]["dim"]] == ["-1", "8"]
    assert set(defs["sample"]["inputs"]) == {"n", "seed", "labels"}
    assert defs["sample"]["inputs"]["seed"]["dtype"] == "DT_INT64"
    images = defs["generate"]["outputs"]["images"]
    assert [d["size"] for d in images["tensor_shape"]["dim"]] == ["-1", "8", "8", "1"]
    assert digits.get("/v1/models/digits/versions/1/metadata").json()["model_spec"]["version"] == "1"


def test_row_and_columnar_formats_answer_the_same_images(digits, exports):
    rows = [{"z": z.tolist(), "labels": label} for z, label in zip(Z, LABELS)]
    row = digits.post("/v1/models/digits:predict", json={"instances": rows})
    columnar = digits.post("/v1/models/digits:predict", json={"inputs": {"z": Z.tolist(), "labels": LABELS}})
    assert row.status_code == columnar.status_code == 200
    predictions, outputs = np.array(row.json()["predictions"]), np.array(columnar.json()["outputs"])
    assert predictions.shape == (3, 8, 8, 1)
    np.testing.assert_array_equal(predictions, outputs)
    np.testing.assert_allclose(predictions, _runner(exports, 2)(Z, LABELS), atol=1e-6)


def test_versions_are_addressable(digits, exports):
    body = {"signature_name": "generate", "inputs": {"z": Z.tolist(), "labels": LABELS}}
    v1 = np.array(digits.post("/v1/models/digits/versions/1:predict", json=body).json()["outputs"])
    v2 = np.array(digits.post("/v1/models/digits/versions/2:predict", json=body).json()["outputs"])
    np.testing.assert_allclose(v1, _runner(exports, 1)(Z, LABELS), atol=1e-6)
    assert not np.allclose(v1, v2)


def test_sample_signature_is_seeded_on_the_server(digits, exports):
    body = {"signature_name": "sample", "inputs": {"n": 4, "seed": 11, "labels": [1, 1, 2, 0]}}
    first = np.array(digits.post("/v1/models/digits:predict", json=body).json()["outputs"])
    again = np.array(digits.post("/v1/models/digits:predict", json=body).json()["outputs"])
    np.testing.assert_array_equal(first, again)
    np.testing.assert_allclose(first, _runner(exports, 2).sample(4, seed=11, labels=[1, 1, 2, 0]), atol=1e-6)


def test_one_input_signature_takes_bare_values(noise):
    bare_rows = noise.post("/v1/models/noise:predict", json={"instances": Z.tolist()})
    named_rows = noise.post("/v1/models/noise:predict", json={"instances": [{"z": z} for z in Z.tolist()]})
    bare_columns = noise.post("/v1/models/noise:predict", json={"inputs": Z.tolist()})
    a = np.array(bare_rows.json()["predictions"])
    np.testing.assert_array_equal(a, np.array(named_rows.json()["predictions"]))
    np.testing.assert_array_equal(a, np.array(bare_columns.json()["outputs"]))
    sample = noise.post("/v1/models/noise:predict", json={"signature_name": "sample", "inputs": {"n": 2, "seed": 0}})
    assert np.array(sample.json()["outputs"]).shape == (2, 8, 8, 1)


def test_png_grid(digits, exports):
    response = digits.get("/v1/models/digits/grid.png", params={"n": 6, "seed": 3, "rows": 2, "scale": 2})
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    grid = np.asarray(Image.open(io.BytesIO(response.content)))
    assert grid.shape == (2 * 17 + 1, 3 * 17 + 1)  # 8 px tiles scaled x2, 1 px padding
    version_1 = digits.get("/v1/models/digits/versions/1/grid.png", params={"n": 6, "seed": 3, "labels": "1"})
    assert version_1.status_code == 200 and version_1.content != response.content


def test_concurrent_requests_each_get_their_own_answer(digits, exports):
    runner = _runner(exports, 2)

    def ask(seed):
        body = {"signature_name": "sample", "inputs": {"n": 2, "seed": seed, "labels": [seed % 3] * 2}}
        return seed, np.array(digits.post("/v1/models/digits:predict", json=body).json()["outputs"])

    with ThreadPoolExecutor(32) as pool:
        answers = list(pool.map(ask, range(32)))
    for seed, images in answers:
        np.testing.assert_allclose(images, runner.sample(2, seed=seed, labels=seed % 3), atol=1e-6)


def test_saved_model_backend_answers_like_onnx(digits, exports):
    import httpx

    from kgan import serving

    model = serving.load_model(exports / "digits", versions=[2], backend="saved_model")
    assert isinstance(model.versions[2], inference.SavedModelGenerator)
    body = {"signature_name": "sample", "inputs": {"n": 3, "seed": 5, "labels": LABELS}}
    with serving.running(serving.create_app(model)) as url:
        saved = httpx.post(f"{url}/v1/models/digits:predict", json=body, timeout=30).json()["outputs"]
    onnx = digits.post("/v1/models/digits:predict", json=body).json()["outputs"]
    np.testing.assert_allclose(np.array(saved), np.array(onnx), atol=1e-5)
