"""Exports driven by the spec: image-to-image at open sizes, 3-D volumes, card specs, kgan 0.1 cards."""

import json
import os

import keras
import numpy as np
import onnxruntime as ort
import pytest
import tensorflow as tf

from kgan import export
from kgan import inference
from kgan import specs
from kgan.export import parity
from kgan.inference import philox
from tiny_networks import LATENT_DIM
from tiny_networks import translate_spec
from tiny_networks import translator
from tiny_networks import voxel_generator


@pytest.fixture(scope="module")
def translated(out):
    network = translator()
    return network, export.export_network(network, translate_spec(), out, float16=True)


def _photos(n, height, width, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, height, width, 3)).astype("float32")


def test_translate_export_checks_two_open_sizes(translated):
    _, path = translated
    card = export.read_card(path)
    assert card["task"] == "translate" and card["latent_dim"] is None and card["num_classes"] is None
    assert card["image_shape"] == [None, None, 3] and card["noise"] is None
    assert card["signatures"] == {"serving_default": ["source"], "translate": ["source"]}
    figures = card["parity"]
    assert figures["open_sizes"] == [16, 24]
    for name, bound in [("saved_model", 1e-5), ("onnx", 1e-5), ("onnx_float16", 1e-2)]:
        assert set(figures[name]) == {f"{b}@{s}" for b in (1, 7, 64) for s in (16, 24)}
        assert max(figures[name].values()) <= bound
    assert "sample" not in figures


def test_translate_signatures_and_onnx_take_any_size(translated):
    network, path = translated
    loaded = tf.saved_model.load(path)
    assert set(loaded.signatures) == {"serving_default", "translate"}  # no noise, no `sample`
    session = ort.InferenceSession(os.path.join(path, "model.onnx"), providers=["CPUExecutionProvider"])
    (source,) = session.get_inputs()
    assert source.name == "source" and source.shape == ["batch", "height", "width", 3]
    assert session.get_outputs()[0].shape == ["batch", "out_height", "out_width", 3]
    for height, width in [(8, 8), (20, 12)]:
        photos = _photos(3, height, width)
        expected = np.asarray(network(photos, training=False))
        got = loaded.signatures["translate"](source=tf.constant(photos))["images"].numpy()
        np.testing.assert_allclose(got, expected, atol=1e-5)
        np.testing.assert_allclose(session.run(["images"], {"source": photos})[0], expected, atol=1e-5)


def test_card_and_onnx_metadata_hold_the_spec(translated, out, tiny_generator):
    _, path = translated
    assert specs.from_card(export.read_card(path)) == translate_spec()
    session = ort.InferenceSession(os.path.join(path, "model.onnx"), providers=["CPUExecutionProvider"])
    meta = json.loads(session.get_modelmeta().custom_metadata_map["kgan"])
    assert specs.ModelSpec.from_json(meta["spec"]) == translate_spec() and meta["task"] == "translate"
    generator = tiny_generator("cdcgan")
    card = export.read_card(export.export_generator(generator, out, name="spec_check"))
    assert specs.from_card(card) == specs.noise_to_image(LATENT_DIM, (8, 8, 1), 3)
    assert specs.ModelSpec.from_json(json.loads(json.dumps(card["spec"]))) == specs.from_card(card)


def test_volume_export_parity_and_sample(out):
    network = voxel_generator()
    path = export.export_generator(network, out, float16=True)
    card = export.read_card(path)
    assert card["image_shape"] == [8, 8, 8, 1] and card["parity"]["batches"] == [1, 7, 64]
    assert max(card["parity"]["onnx"].values()) <= 1e-5 and card["parity"]["sample"] <= 1e-5
    sample = tf.saved_model.load(path).signatures["sample"]
    volumes = sample(n=tf.constant(3), seed=tf.constant(5, tf.int64))["images"].numpy()
    expected = network(philox.stateless_normal(3, LATENT_DIM, 5), training=False)
    np.testing.assert_allclose(volumes, np.asarray(expected), atol=1e-5)
    loaded = inference.load(path)
    assert loaded.generate(2, seed=0).shape == (2, 8, 8, 8, 1)
    np.testing.assert_allclose(loaded.sample(3, seed=5), volumes, atol=1e-5)


def test_the_fixtures_would_catch_a_dropped_beta(out, tiny_generator):
    # A fresh batch norm is the identity, so a conversion dropping beta (or the
    # moving mean) would pass parity. The fixtures' statistics are not: the same
    # exported files fail against a copy of the network whose beta is zeroed.
    generator = tiny_generator("dcgan")
    path = export.export_generator(generator, out, name="beta_check")
    spec = specs.from_card(export.read_card(path))
    no_beta = keras.models.clone_model(generator)
    no_beta.set_weights(generator.get_weights())
    for layer in no_beta.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.beta.assign(np.zeros(layer.beta.shape, "float32"))
    z = np.random.default_rng(0).standard_normal((4, LATENT_DIM)).astype("float32")
    assert np.abs(np.asarray(no_beta(z, training=False)) - np.asarray(generator(z, training=False))).max() > 1e-3
    with pytest.raises(export.ParityError, match="saved_model at batch 1"):
        parity.check_parity(no_beta, path, spec)


def test_a_network_must_match_its_spec(tmp_path):
    wrong = specs.ModelSpec("translate", (specs.TensorSpec("photo", (None, None, 3), "float32", "image"),),
                            translate_spec().outputs)
    with pytest.raises(ValueError, match=r"Expected a network with inputs named \['photo'\]"):
        export.export_network(translator(), wrong, tmp_path)
    fixed = specs.ModelSpec("translate", translate_spec().inputs,
                            (specs.TensorSpec("images", (None, None, 1), "float32", "image"),))
    with pytest.raises(ValueError, match="Expected the network's output 'images' to have shape"):
        export.export_network(translator(), fixed, tmp_path)
    with pytest.raises(ValueError, match="Expected `spec` to be a kgan.specs.ModelSpec"):
        export.export_network(translator(), {"task": "translate"}, tmp_path)
    assert os.listdir(tmp_path) == []


def test_a_kgan_0_1_card_still_loads_and_takes_new_versions(tmp_path, tiny_generator):
    generator = tiny_generator("cdcgan")
    first = export.export_generator(generator, tmp_path, name="old")
    card_path = os.path.join(first, "card.json")
    card = json.loads(open(card_path).read())
    for key in ("spec", "task"):  # what kgan 0.1 did not write
        del card[key]
    with open(card_path, "w") as f:
        json.dump(card, f)
    for backend in ("onnx", "saved_model"):
        old = inference.load(first, backend=backend)
        assert old.spec == specs.noise_to_image(LATENT_DIM, (8, 8, 1), 3) and old.task == "generate"
        z = np.random.default_rng(1).standard_normal((4, LATENT_DIM)).astype("float32")
        np.testing.assert_allclose(old(z, [0, 1, 2, 0]), generator([z, np.array([0, 1, 2, 0])]), atol=1e-5)
    second = export.export_generator(generator, tmp_path, name="old")  # same inputs as the 0.1 card's
    assert os.path.basename(second) == "2"
    with pytest.raises(ValueError, match="Expected a new version of .* to take and return what version 2"):
        export.export_network(translator(), translate_spec(), tmp_path, name="old")
