"""kgan.inference.load: one object over the SavedModel and the ONNX file."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from kgan import images
from kgan import inference
from kgan import latent


def _keras(generator, z, labels=None):
    return np.asarray(generator(z if labels is None else [z, labels], training=False))


@pytest.mark.parametrize("family", ["cdcgan", "mlp"])
def test_savedmodel_and_onnx_give_the_same_images_for_a_seed(exports, family):
    generator, model_dir = exports[family]
    onnx_gen = inference.load(model_dir)
    saved_gen = inference.load(model_dir, backend="saved_model")
    assert isinstance(onnx_gen, inference.OnnxGenerator) and onnx_gen.providers == ["CPUExecutionProvider"]
    assert isinstance(saved_gen, inference.SavedModelGenerator)
    np.testing.assert_allclose(onnx_gen.generate(9, seed=4), saved_gen.generate(9, seed=4), atol=1e-5)
    np.testing.assert_allclose(onnx_gen.sample(9, seed=4), saved_gen.sample(9, seed=4), atol=1e-5)
    # generate() is GAN.generate's convention: sample_latent noise, labels cycling the classes.
    z = latent.sample_latent(9, 8, 4)
    labels = None if onnx_gen.num_classes is None else np.arange(9) % 3
    np.testing.assert_allclose(onnx_gen.generate(9, seed=4), _keras(generator, z, labels), atol=1e-5)


def test_sample_matches_the_savedmodel_sample_signature(exports):
    _, model_dir = exports["cdcgan"]
    signature = tf.saved_model.load(str(model_dir / "1")).signatures["sample"]
    expected = signature(n=tf.constant(6), seed=tf.constant(-12, tf.int64), labels=tf.constant([2] * 6))
    got = inference.load(model_dir).sample(6, seed=-12, labels=2)
    np.testing.assert_allclose(got, expected["images"].numpy(), atol=1e-5)


def test_call_batches_large_n_and_converts_to_uint8(exports):
    generator, model_dir = exports["cdcgan"]
    small = inference.load(model_dir, batch_size=4)
    z = latent.sample_latent(10, 8, 0)
    labels = np.array([0, 1, 2, 2, 1, 0, 0, 1, 2, 2])
    out = small(z, labels)
    assert out.shape == (10, 8, 8, 1) and out.dtype == np.float32
    np.testing.assert_allclose(out, _keras(generator, z, labels), atol=1e-5)
    pixels = small(z, labels, dtype="uint8")
    assert pixels.dtype == np.uint8
    np.testing.assert_array_equal(pixels, images.to_uint8(out))
    assert small(np.zeros((0, 8), "float32")).shape == (0, 8, 8, 1)


def test_labels_default_broadcast_and_validation(exports):
    gen = inference.load(exports["cdcgan"][1])
    z = latent.sample_latent(4, 8, 1)
    np.testing.assert_array_equal(gen(z), gen(z, [0, 1, 2, 0]))
    np.testing.assert_array_equal(gen(z, 1), gen(z, [1, 1, 1, 1]))
    with pytest.raises(ValueError, match=r"Expected labels in \[0, 3\). Received: labels from 0 to 3"):
        gen(z, [0, 1, 2, 3])
    with pytest.raises(ValueError, match="Expected `labels` to be an int or 4 integers"):
        gen(z, [0, 1])
    # kgan.labels.resolve's rules, as in GAN.generate: one-hot rows too, never fractions.
    np.testing.assert_array_equal(gen(z, np.eye(3)[[0, 1, 2, 0]]), gen(z, [0, 1, 2, 0]))
    with pytest.raises(ValueError, match=r"Expected `labels` to be an int or 4 integers.*dtype float64"):
        gen(z, [0.5, 1, 2, 0])
    with pytest.raises(ValueError, match="Expected `labels` to hold integers"):
        gen(z, ["a", "b", "c", "d"])
    with pytest.raises(ValueError, match="unconditional and takes no labels"):
        inference.load(exports["mlp"][1])(z, [0, 1, 2, 0])


def test_io_binding_path_gives_the_same_images(exports):
    model_dir = exports["cdcgan"][1]
    bound = inference.load(model_dir, io_binding=True, intra_op_threads=1)
    assert bound.io_binding
    np.testing.assert_array_equal(bound.generate(5, seed=2), inference.load(model_dir).generate(5, seed=2))


def test_load_resolves_files_folders_and_float16(exports, tmp_path):
    _, model_dir = exports["cdcgan"]
    version_dir = model_dir / "1"
    for path in (model_dir, version_dir, version_dir / "model.onnx"):
        assert inference.load(path).path == str(version_dir / "model.onnx")
    half = inference.load(version_dir / "model_fp16.onnx")
    assert np.abs(half.generate(4, seed=0) - inference.load(version_dir).generate(4, seed=0)).max() < 1e-2
    # A bare .onnx file, away from its card, describes itself through its metadata.
    shutil.copy(version_dir / "model.onnx", tmp_path / "alone.onnx")
    alone = inference.load(tmp_path / "alone.onnx")
    assert (alone.latent_dim, alone.num_classes, alone.image_shape, alone.card) == (8, 3, (8, 8, 1), None)


def test_load_errors(exports, tmp_path):
    with pytest.raises(FileNotFoundError, match="Expected an exported model"):
        inference.load(tmp_path)
    with pytest.raises(ValueError, match="Expected `backend` to be one of"):
        inference.load(exports["mlp"][1], backend="torch")
    with pytest.raises(ValueError, match="Expected a SavedModel folder"):
        inference.load(exports["mlp"][1] / "1" / "model.onnx", backend="saved_model")
    with pytest.raises(ValueError, match="Expected providers offered by this onnxruntime build"):
        inference.load(exports["mlp"][1], providers=["NoSuchExecutionProvider"])
    with pytest.raises(ValueError, match="Expected `batch_size` to be a positive integer"):
        inference.load(exports["mlp"][1], batch_size=0)
    gen = inference.load(exports["mlp"][1])
    for bad, message in [
        (np.zeros((2, 7)), r"Expected `z` of shape \(batch, 8\)"),
        (np.full((1, 8), np.nan), "Expected finite values in `z`"),
        ([[1.0] * 8, [1.0] * 7], "Expected `z` to be a rectangular array"),
        ([["a"] * 8], "Expected `z` to hold numbers"),
    ]:
        with pytest.raises(ValueError, match=message):
            gen(bad)
    with pytest.raises(ValueError, match="Expected `dtype` to be one of"):
        gen.generate(2, dtype="float16")
    with pytest.raises(ValueError, match="Expected `n` to be a non-negative integer"):
        gen.sample(-1, seed=0)


def test_inference_needs_neither_keras_nor_tensorflow(exports):
    code = (
        "import sys, json; import numpy as np; from kgan import inference\n"
        f"g = inference.load({str(exports['cdcgan'][1])!r})\n"
        "x = g.generate(3, seed=1, dtype='uint8'); s = g.sample(2, seed=5)\n"
        f"t = inference.load({str(exports['maps'][1])!r}).translate(np.zeros((2, 8, 12, 3), 'float32'))\n"
        "heavy = [m for m in ('tensorflow', 'keras', 'kgan.models', 'kgan.families') if m in sys.modules]\n"
        "print(json.dumps([list(x.shape), list(s.shape), list(t.shape), heavy]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [[3, 8, 8, 1], [2, 8, 8, 1], [2, 8, 12, 3], []]


def test_card_is_available_on_the_loaded_object(exports):
    gen = inference.load(exports["cdcgan"][1])
    assert gen.card["name"] == "cdcgan" and gen.card["onnx"]["opset"] == 17
    assert os.path.basename(gen.path) == "model.onnx"
