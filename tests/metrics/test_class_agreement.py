"""Class agreement and classes covered: by hand, and through `evaluate` for a 2-D conditional generator."""

import numpy as np
import pytest

from kgan.metrics import ClassifierExtractor
from kgan.metrics import class_agreement
from kgan.metrics import classes_covered
from kgan.metrics import evaluate
from kgan.metrics.class_agreement import agreement_scores
from kgan.metrics.class_agreement import per_class_agreement

PROBABILITIES = np.eye(4)[[0, 0, 1, 3, 3, 3, 3, 3]]  # argmax: 0 0 1 3 3 3 3 3
LABELS = [0, 1, 1, 3, 2, 3, 3, 3]  # right at 0, 2, 3, 5, 6, 7; wrong at 1 (0 for 1) and 4 (3 for 2)


def test_agreement_and_coverage_by_hand():
    assert class_agreement(PROBABILITIES, LABELS) == pytest.approx(6 / 8)
    assert per_class_agreement(PROBABILITIES, LABELS, 5) == [1.0, 0.5, 0.0, 1.0, None]
    # Uniform share: 8 / 4 = 2 samples; min_share 0.5 -> classes with >= 1 sample.
    assert classes_covered(PROBABILITIES, 4, min_share=0.5) == [0, 1, 3]
    assert classes_covered(PROBABILITIES, 4, min_share=1.0) == [0, 3]
    scores = agreement_scores(PROBABILITIES, LABELS, np.eye(4)[[0, 1, 2, 2]], [0, 1, 2, 3])
    assert scores == {
        "class_agreement": 0.75, "real_class_agreement": 0.75,
        "class_agreement_0": 1.0, "class_agreement_1": 0.5, "class_agreement_2": 0.0, "class_agreement_3": 1.0,
    }
    with pytest.raises(ValueError, match="one label per row"):
        class_agreement(PROBABILITIES, LABELS[:3])


def test_evaluate_reports_agreement_of_a_conditional_image_generator(make_sampler, digits, classifier_path):
    _, test = digits
    extractor = ClassifierExtractor(classifier_path)
    options = dict(n=300, metrics=("class_agreement", "classes_covered"))
    faithful = evaluate(make_sampler(), test, extractor, **options)["scores"]
    shifted = evaluate(make_sampler(label_shift=1), test, extractor, **options)["scores"]
    # Real training digits of the asked class: about the classifier's own accuracy.
    assert faithful["class_agreement"] > 0.7 and faithful["real_class_agreement"] > 0.7
    assert abs(faithful["class_agreement"] - faithful["real_class_agreement"]) < 0.15
    # Digits of the next class: the classifier disagrees, though every class is still there.
    assert shifted["class_agreement"] < 0.15
    assert faithful["classes_covered"] == shifted["classes_covered"] == 10
    assert len([k for k in faithful if k.startswith("class_agreement_")]) == 10


def test_agreement_needs_probabilities_and_a_conditional_sampler(make_sampler, digits, projection, classifier_path):
    _, test = digits
    with pytest.raises(ValueError, match=r"class probabilities for metrics \['classes_covered'\]"):
        evaluate(make_sampler(), test, projection, n=50, metrics=("classes_covered",))
    extractor = ClassifierExtractor(classifier_path)
    with pytest.raises(ValueError, match="Expected a conditional sampler"):
        evaluate(make_sampler(conditional=False), test, extractor, n=50, metrics=("class_agreement",))
    # Classes covered needs no conditioning.
    unconditional = evaluate(make_sampler(conditional=False), test, extractor, n=50, metrics=("classes_covered",))
    assert 1 <= unconditional["scores"]["classes_covered"] <= 10
