"""The 3D evaluator: class agreement and classes covered on hand-made probabilities; FID in its features."""

import numpy as np
import pytest

from kgan.data import shapes
from kgan.families.voxel import evaluator


def test_class_agreement_and_classes_covered_on_hand_made_probabilities():
    probabilities = np.eye(4)[[0, 0, 1, 3, 3, 3, 3, 3]]  # argmax: 0 0 1 3 3 3 3 3
    # Right at 0, 2, 3, 5, 6, 7; wrong at 1 (0 for 1) and 4 (3 for 2).
    assert evaluator.class_agreement(probabilities, [0, 1, 1, 3, 2, 3, 3, 3]) == pytest.approx(6 / 8)
    # Uniform share: 8 / 4 = 2 samples; min_share 0.5 -> classes with >= 1 sample.
    assert evaluator.classes_covered(probabilities, 4, min_share=0.5) == [0, 1, 3]
    assert evaluator.classes_covered(probabilities, 4, min_share=1.0) == [0, 3]


def test_a_classifier_of_the_shapes_and_its_scores():
    x, y = shapes.generate("train", 16, per_class=24)
    classifier = evaluator.train_classifier(x, y, epochs=10, batch_size=16, seed=0)
    held_out, held_out_labels = shapes.generate("test", 16, per_class=6)
    extractor = evaluator.VolumeExtractor(classifier, batch_size=20)
    features, probabilities = extractor(held_out)
    assert features.shape == (48, 128) and probabilities.shape == (48, 8)
    np.testing.assert_allclose(probabilities.sum(1), 1.0, rtol=1e-5)
    # Chance is 1/8. Ten epochs on 192 shapes reach 0.5-0.8 here, by thread scheduling (CI once saw 0.5).
    assert evaluator.class_agreement(probabilities, held_out_labels) > 0.35
    real = evaluator.scores(held_out, held_out_labels, features, extractor)
    assert real["fid"] == pytest.approx(0.0, abs=1e-3) and real["class_agreement"] > 0.35
    # One class only, all labelled as made for class 0: low agreement, one class covered, a large FID.
    boxes = np.repeat(x[:1], 48, axis=0)
    collapsed = evaluator.scores(boxes, np.zeros(48, int), features, extractor)
    assert collapsed["classes_covered"] == 1 and collapsed["fid"] > 10 * max(real["fid"], 1.0)
    assert collapsed["per_class_agreement"][1] is None
