import hashlib

import numpy as np
import pytest

from kgan.metrics import ClassifierExtractor
from kgan.metrics import FeatureExtractor
from kgan.metrics import InceptionExtractor
from kgan.metrics.extractors import resize_images
from kgan.metrics.hashing import weights_sha256


def test_resize_matches_clean_fid_pil_float_bicubic():
    # clean-fid resizes each channel as a float32 PIL image ("F" mode) with
    # BICUBIC and clips to [0, 255]; in [-1, 1] that is the same up to scale.
    from PIL import Image

    rng = np.random.default_rng(0)
    for source, target in ((28, 299), (64, 21)):
        image = rng.uniform(-1, 1, size=(source, source)).astype(np.float32)
        pil = Image.fromarray((image + 1) * 127.5, mode="F")
        expected = np.asarray(pil.resize((target, target), Image.BICUBIC)) / 127.5 - 1
        resized = resize_images(image[None, :, :, None], (target, target)).numpy()
        np.testing.assert_allclose(
            resized[0, :, :, 0], np.clip(expected, -1, 1), atol=2e-5
        )


def test_classifier_extractor(classifier_path, digits):
    _, (test_x, test_y) = digits
    extractor = ClassifierExtractor(classifier_path)
    assert isinstance(extractor, FeatureExtractor)
    features, probs = extractor.features_and_probabilities(test_x)
    assert features.shape == (len(test_x), 128) and features.dtype == np.float32
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(extractor(test_x[:5]), features[:5], rtol=1e-5, atol=1e-6)
    # Trained 3 epochs on 1400 digits, it recognises held-out digits.
    accuracy = np.mean(probs.argmax(axis=1) == test_y)
    assert accuracy > 0.7, accuracy
    assert extractor.weights_hash == hashlib.sha256(classifier_path.read_bytes()).hexdigest()
    assert extractor.name == "classifier:evaluator.keras"
    assert extractor.num_classes == 10 and extractor.input_size == (8, 8)


def test_classifier_extractor_resizes_other_sizes(classifier_path, digits):
    _, (test_x, _) = digits
    extractor = ClassifierExtractor(classifier_path)
    large = resize_images(test_x[:4], (16, 16)).numpy()
    expected = extractor(resize_images(large, (8, 8)).numpy())
    np.testing.assert_allclose(extractor(large), expected, rtol=1e-5, atol=1e-5)


def test_classifier_extractor_rejects_missing_file(tmp_path):
    with pytest.raises(ValueError, match="Received: path="):
        ClassifierExtractor(tmp_path / "missing.keras")


def test_inception_code_path_with_random_weights():
    # The InceptionV3 ImageNet weights are not on this machine and tests never
    # download: this runs the real code path (gray -> RGB, float bicubic
    # resize 8x8 -> 299x299, pool features and softmax) with RANDOM weights,
    # so only shapes, probabilities and hashing are checked, not values.
    with pytest.warns(UserWarning, match="random weights"):
        extractor = InceptionExtractor(weights=None)
    images = np.random.default_rng(0).uniform(-1, 1, size=(2, 8, 8, 1)).astype(np.float32)
    features, probs = extractor.features_and_probabilities(images)
    assert features.shape == (2, 2048) and probs.shape == (2, 1000)
    assert np.all(np.isfinite(features)) and np.all(features >= 0)  # post-ReLU pool
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    assert extractor.input_size == (299, 299)
    assert "random weights" in extractor.name
    assert extractor.weights_hash == weights_sha256(extractor.model)


def test_inception_weights_must_be_a_local_file(tmp_path):
    with pytest.raises(ValueError, match="Received: weights='imagenet'"):
        InceptionExtractor(weights="imagenet")
    with pytest.raises(ValueError, match="Expected `weights` to be the path"):
        InceptionExtractor(weights=str(tmp_path / "missing.h5"))
