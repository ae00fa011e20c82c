"""The committed exports in saved_models/ work on a fresh clone, with no training.

For each folder the presets of tools/train_presets.py commit (the folders
the .gitignore admits): the export loads through `kgan.inference` (onnxruntime)
and TensorFlow's SavedModel loader and both answer the same on fixed inputs;
the card's declared inputs and outputs are those of the ONNX graph and of the
SavedModel's signatures; the card's scores are those of the committed files (per preset);
`kgan sample saved_models/digits`, `kgan translate saved_models/digits_cyclegan-b2a`
and `kgan upscale saved_models/sr_x4-psnr` write images; `kgan serve saved_models`
answers a request for every model. A committed preset that is missing fails
here: these files are what a clone has.
"""

import os
import shutil
import sys

import numpy as np
import onnx
import pytest
import tensorflow as tf
from fastapi.testclient import TestClient
from PIL import Image

from kgan import cli
from kgan import inference
from kgan import latent
from kgan import serving
from kgan.inference import layout

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tools"))

import train_presets  # noqa: E402

SAVED_MODELS = os.path.join(REPO, "saved_models")
FOLDERS = train_presets.committed_folders()
NAMES = sorted(FOLDERS)
ONNX_TYPES = {onnx.TensorProto.FLOAT: "float32", onnx.TensorProto.INT32: "int32", onnx.TensorProto.INT64: "int64"}
N = 6


def _version_dir(name):
    folder = os.path.join(SAVED_MODELS, name)
    versions = layout.list_versions(folder)
    assert versions, f"Expected the committed preset {folder}/VERSION/. Received: none (see tools/train_presets.py)"
    return os.path.join(folder, str(versions[-1]))


def _card(name):
    return layout.read_card(_version_dir(name))


def _fixed_inputs(spec):
    """Fixed inputs for every tensor of a spec: seeded noise, the classes in turn, a smooth test image."""
    feeds = {}
    for tensor in spec.inputs:
        if tensor.role == "noise":
            feeds[tensor.name] = latent.sample_latent(N, tensor.shape[0], 0)
        elif tensor.role == "label":
            feeds[tensor.name] = (np.arange(N) % tensor.num_classes).astype("int32")
        else:  # an image: any size where the spec leaves it open
            h, w, c = (d or 12 for d in tensor.shape)
            low, high = tensor.value_range or (-1.0, 1.0)
            ramp = np.linspace(0.0, 1.0, N * h * w * c, dtype="float32").reshape(N, h, w, c)
            feeds[tensor.name] = (low + (high - low) * np.sin(7.0 * ramp) ** 2).astype("float32")
    return feeds


@pytest.fixture(scope="module", params=NAMES)
def name(request):
    return request.param


def test_gitignore_admits_exactly_the_presets():
    with open(os.path.join(REPO, ".gitignore")) as f:
        admitted = sorted(line.strip()[len("!/saved_models/"):].strip("/") for line in f
                          if line.startswith("!/saved_models/") and line.strip().endswith("/"))
    assert admitted == NAMES


def test_card_records_command_version_and_scores(name):
    card, preset = _card(name), FOLDERS[name]
    assert card["name"] == name
    assert card["command"] == " ".join(preset.train_command())
    assert card["packages"]["kgan"]
    assert set(card["scores"]) == set(preset.tolerances)
    assert card["preset"]["rebuild"] == f"python tools/train_presets.py --only {preset.name}"


def test_onnx_and_saved_model_agree_on_fixed_inputs(name):
    folder = _version_dir(name)
    exported = inference.load(folder, backend="onnx")
    feeds = _fixed_inputs(exported.spec)
    through_onnx = exported.run(feeds)
    loaded = tf.saved_model.load(folder)
    outputs = loaded.signatures["serving_default"](**{k: tf.constant(v) for k, v in feeds.items()})
    (output,) = exported.spec.outputs
    through_tf = outputs[output.name].numpy()
    assert through_onnx.shape == through_tf.shape == (N, *[d or s for d, s in zip(output.shape, through_tf.shape[1:])])
    np.testing.assert_allclose(through_onnx, through_tf, atol=1e-5)
    through_tf_backend = inference.load(folder, backend="saved_model").run(feeds)
    np.testing.assert_allclose(through_tf_backend, through_tf, atol=1e-6)
    assert np.ptp(through_onnx) > 0.5, "a trained generator's outputs are not constant"


def _shape(dims):
    return [None if d.dim_param or not d.dim_value else d.dim_value for d in dims]


def test_card_inputs_and_outputs_are_the_files(name):
    folder = _version_dir(name)
    spec = _card(name)["spec"]
    declared = {
        "inputs": {t["name"]: (t["dtype"], [None, *t["shape"]]) for t in spec["inputs"]},
        "outputs": {t["name"]: (t["dtype"], [None, *t["shape"]]) for t in spec["outputs"]},
    }
    graph = onnx.load(os.path.join(folder, layout.ONNX)).graph
    in_onnx = {
        kind: {t.name: (ONNX_TYPES[t.type.tensor_type.elem_type], _shape(t.type.tensor_type.shape.dim))
               for t in tensors}
        for kind, tensors in (("inputs", graph.input), ("outputs", graph.output))
    }
    assert in_onnx == declared
    signature = tf.saved_model.load(folder).signatures["serving_default"]
    in_saved_model = {
        "inputs": {k: (v.dtype.name, v.shape.as_list()) for k, v in signature.structured_input_signature[1].items()},
        "outputs": {k: (v.dtype.name, v.shape.as_list()) for k, v in signature.structured_outputs.items()},
    }
    assert in_saved_model == declared
    loaded = tf.saved_model.load(folder)
    for signature_name, inputs in _card(name)["signatures"].items():
        assert sorted(loaded.signatures[signature_name].structured_input_signature[1]) == sorted(inputs)


@pytest.mark.parametrize("preset", sorted(train_presets.PRESETS))
def test_card_scores_are_those_of_the_committed_files(preset):
    preset = train_presets.PRESETS[preset]
    scores = train_presets.CHECKERS[preset.checker]({folder: _version_dir(folder) for folder in preset.folders})
    card = _card(preset.folders[0])
    assert all(_card(folder)["scores"] == card["scores"] for folder in preset.folders)
    # The same files and checker on another CPU: a sample or two may be labelled otherwise.
    tight = {key: 0.002 if isinstance(tolerance, float) else 0 for key, tolerance in preset.tolerances.items()}
    rows, ok = train_presets.compare(scores, card["scores"], tight)
    assert ok, rows


def test_kgan_sample_writes_a_grid(tmp_path):
    out = tmp_path / "grid.png"
    args = ["sample", os.path.join(SAVED_MODELS, "digits"), "--n", "20", "--seed", "3", "--out", str(out)]
    assert cli.main(args) == 0
    grid = np.asarray(Image.open(out))
    assert grid.ndim >= 2 and grid.shape[0] >= 16 * 2 and grid.std() > 10


def _test_image(path, size, channels=3):
    ramp = np.linspace(0.0, 1.0, size * size * channels).reshape(size, size, channels)
    Image.fromarray((255 * np.sin(9.0 * ramp) ** 2).astype("uint8")).save(path)


def test_kgan_translate_and_upscale_run_the_presets(tmp_path):
    _test_image(tmp_path / "photo.png", 32)
    translate = ["translate", os.path.join(SAVED_MODELS, "digits_cyclegan-b2a"), str(tmp_path / "photo.png"),
                 "--out", str(tmp_path / "digit.png")]
    assert cli.main(translate) == 0
    assert np.asarray(Image.open(tmp_path / "digit.png")).shape[:2] == (32, 32)
    upscale = ["upscale", os.path.join(SAVED_MODELS, "sr_x4-psnr"), str(tmp_path / "photo.png"),
               "--out", str(tmp_path / "big.png")]
    assert cli.main(upscale) == 0
    big = np.asarray(Image.open(tmp_path / "big.png"))
    assert big.shape == (128, 128, 3) and big.std() > 10


def test_kgan_serve_saved_models_answers_each_model(tmp_path):
    # A clone's saved_models/ holds the committed presets (a checkout may hold other exports too).
    root = tmp_path / "saved_models"
    for preset in NAMES:
        shutil.copytree(os.path.join(SAVED_MODELS, preset), root / preset)
    models = serving.load_models(root)
    assert models.names == NAMES
    with TestClient(serving.create_app(models)) as client:
        assert [m["name"] for m in client.get("/ui/models").json()["models"]] == NAMES
        for preset in NAMES:
            spec = models.find(preset).versions[models.find(preset).latest].spec
            feeds = {k: v[:2].tolist() for k, v in _fixed_inputs(spec).items()}
            answer = client.post(f"/v1/models/{preset}:predict", json={"inputs": feeds})
            assert answer.status_code == 200, answer.text
            assert np.array(answer.json()["outputs"]).shape[0] == 2
