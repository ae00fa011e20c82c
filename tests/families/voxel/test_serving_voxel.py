"""`kgan serve` for a voxel GAN: grids as arrays, meshes on request (`output_format` obj / ply), rendered grid.png."""

import base64
import io

import keras
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

import kgan
from kgan import latent
from kgan import meshes
from kgan import rendering

LATENT = 8
GRID = 8


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    keras.utils.set_random_seed(0)
    g = kgan.models.voxel_generator(LATENT, GRID, 2, base_filters=4, embed_dim=4)
    d = kgan.models.voxel_discriminator(GRID, 2, base_filters=4)
    g.get_layer("to_occupancy").bias.assign(np.array([0.3], "float32"))  # shapes with a surface
    gan = kgan.VoxelGAN(g, d, LATENT, num_classes=2, seed=0)
    gan.compile()
    folder = kgan.export.export_model(gan, tmp_path_factory.mktemp("export") / "saved_models", "shapes")
    client = TestClient(kgan.serving.create_app(kgan.serving.load_model(folder)))
    return gan, client


def _body(n, **extra):
    z = latent.sample_latent(n, LATENT, seed=1)
    return {"inputs": {"z": z.tolist(), "labels": [1] * n}, **extra}, z


def test_predict_answers_grids_as_arrays(served):
    gan, client = served
    body, z = _body(2)
    response = client.post("/v1/models/shapes:predict", json=body)
    assert response.status_code == 200, response.text
    grids = np.asarray(response.json()["outputs"])
    assert grids.shape == (2, GRID, GRID, GRID, 1)
    np.testing.assert_allclose(grids, gan.export_network()([z, np.array([1, 1], "int32")]), atol=1e-5)


@pytest.mark.parametrize("fmt", ["obj", "ply"])
def test_predict_answers_meshes_on_request(served, fmt):
    gan, client = served
    body, z = _body(2, output_format=fmt)
    response = client.post("/v1/models/shapes:predict", json=body)
    assert response.status_code == 200, response.text
    answers = response.json()["outputs"]
    volumes = np.asarray(gan.export_network()([z, np.array([1, 1], "int32")]))
    for answer, volume in zip(answers, volumes, strict=True):
        text = base64.b64decode(answer["b64"]).decode()
        mesh = meshes.volume_to_mesh(volume)
        assert not mesh.empty
        # The text differs in the last digits of the vertices at most (onnxruntime vs Keras): compare counts.
        if fmt == "obj":
            counts = (text.count("\nv "), text.count("\nf "))
        else:
            counts = tuple(int(line.split()[2]) for line in text.splitlines() if line.startswith("element "))
        assert counts == (len(mesh.vertices), len(mesh.faces))


def test_png_is_refused_for_volumes_and_meshes_for_images(served, tmp_path):
    _, client = served
    body, _ = _body(1, output_format="png")
    response = client.post("/v1/models/shapes:predict", json=body)
    assert response.status_code == 400
    assert "Expected output_format 'json' for a model whose output is not a 2-D image" in response.json()["error"]
    g = kgan.models.dcgan_generator(LATENT, 8, 1, base_filters=4)
    folder = kgan.export.export_generator(g, tmp_path / "saved_models", "flat")
    flat = TestClient(kgan.serving.create_app(kgan.serving.load_model(folder)))
    response = flat.post("/v1/models/flat:predict", json={"inputs": {"z": [[0.0] * LATENT]}, "output_format": "obj"})
    assert response.status_code == 400
    assert "Expected output_format 'json' or 'png' for a model whose output is not a volume" in response.json()["error"]


def test_grid_png_shows_rendered_shapes(served):
    gan, client = served
    response = client.get("/v1/models/shapes/grid.png?n=4&seed=3&labels=0&rows=2")
    assert response.status_code == 200, response.text
    grid = np.asarray(Image.open(io.BytesIO(response.content)))
    expected = rendering.render_grid(gan.generate(4, labels=0, seed=3), rows=2)
    assert grid.shape == expected.shape == (2 * 65 + 1, 2 * 65 + 1, 3)
    # Renders of ONNX outputs and of Keras outputs agree but for the rare pixel a 1e-6 difference flips.
    assert np.mean(grid != expected) < 0.01
