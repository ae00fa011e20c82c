"""kgan.export: parity, signatures, ONNX shape, card and Triton config per family."""

import json
import os

import numpy as np
import onnxruntime as ort
import pytest
import tensorflow as tf
from kgan import export
from kgan.inference import philox

FAMILIES = ("mlp", "dcgan", "cdcgan")
LATENT_DIM = 8
NUM_CLASSES = 3


@pytest.fixture(scope="module", params=FAMILIES)
def exported(request, out, tiny_generator):
    generator = tiny_generator(request.param)
    path = export.export_generator(generator, out, float16=True, source="test")
    return generator, path


def _inputs(generator, batch, seed=0):
    rng = np.random.default_rng(seed)
    feeds = {"z": rng.standard_normal((batch, LATENT_DIM)).astype("float32")}
    if len(generator.inputs) == 2:
        feeds["labels"] = rng.integers(0, NUM_CLASSES, batch).astype("int32")
    return feeds


def _keras(generator, feeds):
    inputs = [feeds["z"], feeds["labels"]] if "labels" in feeds else feeds["z"]
    return np.asarray(generator(inputs, training=False))


def test_version_folder_holds_savedmodel_onnx_and_card(exported):
    generator, path = exported
    assert os.path.basename(path) == "1"
    files = set(os.listdir(path))
    assert {"saved_model.pb", "variables", "model.onnx", "model_fp16.onnx", "card.json"} <= files
    assert not [f for f in os.listdir(os.path.dirname(path)) if f.startswith(".tmp")]


def test_card_records_shapes_source_and_parity(exported):
    generator, path = exported
    card = export.read_card(path)
    assert card["name"] == generator.name and card["version"] == 1
    assert card["latent_dim"] == LATENT_DIM
    assert tuple(card["image_shape"]) == tuple(generator.outputs[0].shape[1:])
    assert card["num_classes"] == (NUM_CLASSES if generator.name == "cdcgan" else None)
    assert card["value_range"] == [-1.0, 1.0] and card["onnx"]["opset"] == export.DEFAULT_OPSET
    assert card["source"] == "test"
    parity = card["parity"]
    assert parity["batches"] == [1, 7, 64]
    for name, bound in [("saved_model", 1e-5), ("onnx", 1e-5), ("onnx_float16", 1e-2)]:
        assert set(parity[name]) == {"1", "7", "64"}
        assert max(parity[name].values()) <= bound
    assert parity["sample"] <= 1e-5


def test_savedmodel_stores_each_weight_once(exported):
    # keras-team/keras#23553: tracking the network besides the endpoints stores every weight twice.
    generator, path = exported
    stored = tf.train.list_variables(os.path.join(path, "variables", "variables"))
    assert sum(int(np.prod(shape)) for name, shape in stored if shape) == generator.count_params()


@pytest.mark.parametrize("batch", [1, 5])
def test_reloaded_signatures_match_keras(exported, batch):
    generator, path = exported
    loaded = tf.saved_model.load(path)
    assert {"serving_default", "generate", "sample"} <= set(loaded.signatures)
    feeds = _inputs(generator, batch, seed=batch)
    expected = _keras(generator, feeds)
    for name in ("serving_default", "generate"):
        out = loaded.signatures[name](**{k: tf.constant(v) for k, v in feeds.items()})
        np.testing.assert_allclose(out["images"].numpy(), expected, atol=1e-5)


def test_sample_signature_is_seeded_in_the_graph(exported):
    generator, path = exported
    sample = tf.saved_model.load(path).signatures["sample"]
    conditional = len(generator.inputs) == 2

    def call(seed):
        args = {"n": tf.constant(4), "seed": tf.constant(seed, tf.int64)}
        if conditional:
            args["labels"] = tf.constant([0, 1, 2, 0], tf.int32)
        return sample(**args)["images"].numpy()

    first = call(7)
    np.testing.assert_array_equal(first, call(7))
    assert not np.allclose(first, call(8))
    feeds = {"z": philox.stateless_normal(4, LATENT_DIM, 7)}
    if conditional:
        feeds["labels"] = np.array([0, 1, 2, 0], "int32")
    np.testing.assert_allclose(first, _keras(generator, feeds), atol=1e-5)


def test_onnx_has_named_inputs_dynamic_batch_and_metadata(exported):
    generator, path = exported
    session = ort.InferenceSession(os.path.join(path, "model.onnx"), providers=["CPUExecutionProvider"])
    inputs = {i.name: i for i in session.get_inputs()}
    expected_names = ["z", "labels"] if len(generator.inputs) == 2 else ["z"]
    assert list(inputs) == expected_names
    assert inputs["z"].shape == ["batch", LATENT_DIM] and inputs["z"].type == "tensor(float)"
    (output,) = session.get_outputs()
    assert output.name == "images" and output.shape == ["batch", *generator.outputs[0].shape[1:]]
    meta = json.loads(session.get_modelmeta().custom_metadata_map["kgan"])
    assert meta["latent_dim"] == LATENT_DIM and meta["opset"] == export.DEFAULT_OPSET
    for batch in (3, 33):
        feeds = _inputs(generator, batch, seed=batch)
        np.testing.assert_allclose(session.run(["images"], feeds)[0], _keras(generator, feeds), atol=1e-5)


def test_float16_onnx_keeps_float32_io_within_its_bound(exported):
    generator, path = exported
    session = ort.InferenceSession(os.path.join(path, "model_fp16.onnx"), providers=["CPUExecutionProvider"])
    assert session.get_inputs()[0].type == "tensor(float)"
    assert session.get_outputs()[0].type == "tensor(float)"
    feeds = _inputs(generator, 9)
    out = session.run(["images"], feeds)[0]
    assert out.dtype == np.float32
    assert np.abs(out - _keras(generator, feeds)).max() <= export.FLOAT16_TOLERANCE
