"""Exported generators as sources: a SavedModel folder and an ONNX file."""

import os

import numpy as np
import pytest

from kgan import augment
from kgan import export
from kgan import inference


@pytest.fixture(scope="module")
def exported(conditional_generator, tmp_path_factory):
    root = tmp_path_factory.mktemp("saved_models")
    return export.export_generator(conditional_generator, out=str(root), name="tiny")


def _first_batch(source, **kwargs):
    images, labels = next(iter(augment.synthetic_dataset(source, batch_size=6, seed=3, **kwargs)))
    return images.numpy(), labels.numpy()


def test_saved_model_folder(conditional_generator, exported):
    expected_images, expected_labels = _first_batch(conditional_generator)
    for folder in (exported, os.path.dirname(exported)):  # version folder, model folder
        images, labels = _first_batch(folder)
        np.testing.assert_array_equal(labels, expected_labels)
        np.testing.assert_allclose(images, expected_images, atol=1e-5)
    sampler = augment.as_sampler(exported)
    assert sampler.model.backend == "saved_model" and sampler.num_classes == 3


def test_onnx_file(conditional_generator, exported):
    expected_images, _ = _first_batch(conditional_generator, value_range=(0, 1), image_size=16)
    path = os.path.join(exported, "model.onnx")
    images, labels = _first_batch(path, value_range=(0, 1), image_size=16)
    assert images.shape == (6, 16, 16, 1) and labels.dtype == np.int32
    np.testing.assert_allclose(images, expected_images, atol=1e-5)
    assert augment.as_sampler(path).model.backend == "onnx"


def test_loaded_inference_model_and_checks(exported):
    model = inference.load(exported)
    images, labels = _first_batch(model, class_weights=[0, 0, 1])
    assert (labels == 2).all()
    with pytest.raises(ValueError, match="match the generator's 3 classes"):
        augment.synthetic_dataset(model, batch_size=4, num_classes=10)
    with pytest.raises(ValueError, match="ONNX generator cannot run inside a Keras model"):
        augment.SyntheticReplacement(os.path.join(exported, "model.onnx"), fraction=0.5)


def test_bad_paths(tmp_path):
    text = tmp_path / "generator.txt"
    text.write_text("not a model")
    with pytest.raises(FileNotFoundError, match="SavedModel folder .* or an .onnx file"):
        augment.synthetic_dataset(str(text), batch_size=4)


def test_replacement_layer_from_a_saved_model(exported, tmp_path):
    import keras

    layer = augment.SyntheticReplacement(exported, fraction=0.5, value_range=(0, 1), seed=0)
    images = np.full((4, 8, 8, 1), 2.0, "float32")
    np.testing.assert_array_equal(layer(images), images)
    out = np.asarray(layer(images, training=True))
    replaced = ~np.all(out == 2.0, axis=(1, 2, 3))
    assert replaced.sum() == 2 and 0.0 <= out[replaced].min() and out[replaced].max() <= 1.0
    model = keras.Sequential([keras.Input((8, 8, 1)), layer, keras.layers.Flatten(), keras.layers.Dense(3)])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(np.zeros((8, 8, 8, 1), "float32"), np.arange(8) % 3, batch_size=4, verbose=0)
    model.save(tmp_path / "classifier.keras")
    restored = keras.models.load_model(tmp_path / "classifier.keras")
    assert restored.layers[0].saved_model_path == exported
