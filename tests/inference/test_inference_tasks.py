"""kgan.inference beyond noise: `translate`, `run`, task checks, and specs read from ONNX graphs."""

import shutil

import numpy as np
import onnx
import pytest

from kgan import inference
from kgan import specs


def _photos(n, height, width, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, height, width, 3)).astype("float32")


@pytest.mark.parametrize("backend", ["onnx", "saved_model"])
def test_translate_matches_keras_at_any_size(exports, backend):
    network, model_dir = exports["maps"]
    model = inference.load(model_dir, backend=backend, batch_size=2)
    assert model.task == "translate" and model.backend == backend
    assert [t.name for t in model.spec.inputs] == ["source"] and model.image_shape == (None, None, 3)
    assert model.latent_dim is None and model.num_classes is None
    for height, width in [(16, 16), (24, 8)]:
        photos = _photos(5, height, width)  # 5 > batch_size: three backend calls
        out = model.translate(photos)
        assert out.shape == (5, height, width, 3) and out.dtype == np.float32
        np.testing.assert_allclose(out, np.asarray(network(photos, training=False)), atol=1e-5)
        np.testing.assert_array_equal(model.run({"source": photos}), out)
    pixels = model.translate(_photos(2, 8, 8), dtype="uint8")
    assert pixels.dtype == np.uint8 and pixels.shape == (2, 8, 8, 3)
    assert model.translate(np.zeros((0, 12, 8, 3), "float32")).shape == (0, 12, 8, 3)


def test_image_inputs_are_validated(exports):
    model = inference.load(exports["maps"][1])
    for bad, message in [
        (np.zeros((2, 8, 8, 1), "float32"), r"Expected `source` of shape \(batch, any, any, 3\). Received: .*8, 1\)"),
        (np.zeros((8, 8, 3), "float32"), r"Expected `source` of shape \(batch, any, any, 3\)"),
        (np.full((1, 8, 8, 3), 255, "uint8"), "Expected `source` as float images in"),
        (np.full((1, 8, 8, 3), 200.0), r"Expected `source` in the value range \[-1, 1\]. Received: values from 200"),
        (np.full((1, 8, 8, 3), np.nan), "Expected finite values in `source`"),
    ]:
        with pytest.raises(ValueError, match=message):
            model.translate(bad)
    with pytest.raises(ValueError, match=r"Expected inputs \['source'\]. Received: \['photo'\]"):
        model.run({"photo": _photos(1, 8, 8)})


def test_task_methods_check_the_task(exports):
    translator = inference.load(exports["maps"][1])
    generator = inference.load(exports["cdcgan"][1])
    with pytest.raises(ValueError, match="Expected a model that generates from noise .* Received: a model of task 'tr"):
        translator.generate(2, seed=0)
    with pytest.raises(ValueError, match="generates from noise"):
        translator.sample(2, seed=0)
    with pytest.raises(ValueError, match=r"Expected a model of task 'upscale' for `upscale\(\)`. .*use translate\(\)"):
        translator.upscale(_photos(1, 8, 8))
    with pytest.raises(ValueError, match=r"Expected a model of task 'translate' .*use generate\(\), sample\(\)"):
        generator.translate(_photos(1, 8, 8))
    assert isinstance(generator, inference.ExportedGenerator) and isinstance(translator, inference.ExportedModel)


def test_run_is_the_generic_path(exports):
    generator = inference.load(exports["cdcgan"][1])
    z = np.random.default_rng(0).standard_normal((4, 8)).astype("float32")
    np.testing.assert_array_equal(generator.run({"z": z, "labels": [0, 1, 2, 0]}), generator(z, [0, 1, 2, 0]))
    np.testing.assert_array_equal(generator.run({"z": z, "labels": None}), generator(z))
    with pytest.raises(ValueError, match=r"Expected inputs \['z', 'labels'\]. Received: \['z'\]"):
        generator.run({"z": z})


def _strip_metadata(source, target):
    model = onnx.load(source)
    del model.metadata_props[:]
    onnx.save(model, target)


def test_a_bare_onnx_file_describes_itself(exports, tmp_path):
    maps_dir = exports["maps"][1] / "1"
    shutil.copy(maps_dir / "model.onnx", tmp_path / "maps.onnx")
    alone = inference.load(tmp_path / "maps.onnx")
    assert alone.card is None and alone.spec == inference.load(maps_dir).spec  # from its metadata
    # Without kgan's metadata: roles read from the graph's shapes and dtypes.
    _strip_metadata(maps_dir / "model.onnx", tmp_path / "plain.onnx")
    plain = inference.load(tmp_path / "plain.onnx")
    assert plain.task == "translate" and plain.spec.input("image").shape == (None, None, 3)
    photos = _photos(2, 16, 16)
    np.testing.assert_array_equal(plain.translate(photos), alone.translate(photos))
    _strip_metadata(exports["mlp"][1] / "1" / "model.onnx", tmp_path / "noise.onnx")
    assert inference.load(tmp_path / "noise.onnx").spec == specs.noise_to_image(8, (8, 8, 1))
    _strip_metadata(exports["cdcgan"][1] / "1" / "model.onnx", tmp_path / "conditional.onnx")
    with pytest.raises(ValueError, match="Expected the number of classes of this conditional model"):
        inference.load(tmp_path / "conditional.onnx")
