import json
import os

import numpy as np
import pytest

import kgan
from kgan.metrics import ClassifierExtractor
from kgan.metrics import evaluate
from kgan.metrics.extractors import resize_images

ALL_METRICS = ("fid", "kid", "precision_recall", "inception_score", "per_class_fid", "cas")


@pytest.fixture(scope="module")
def extractor(classifier_path):
    return ClassifierExtractor(classifier_path)


def test_card_has_every_score_and_the_protocol(make_sampler, digits, extractor, tmp_path):
    _, test = digits
    card_path = tmp_path / "card.json"
    card = evaluate(
        make_sampler(noise=0.1), test, extractor, n=300, metrics=ALL_METRICS,
        seed=5, card_path=card_path, kid_subsets=10, cas_epochs=2, split="test",
    )
    expected_scores = {
        "fid", "kid", "kid_std", "precision", "recall", "inception_score",
        "inception_score_std", "per_class_fid", "cas",
    } | {f"per_class_fid_{c}" for c in range(10)}
    assert set(card["scores"]) == expected_scores
    assert all(np.isfinite(v) for v in card["scores"].values())
    assert card["n_fake"] == 300 and card["n_real"] == 300
    assert card["real_subset"] == "300 of 397, drawn at random with the seed"
    assert card["split"] == "test" and card["resize"] == "none"
    assert card["extractor"]["name"] == "classifier:evaluator.keras"
    assert card["extractor"]["weights_sha256"] == extractor.weights_hash
    assert card["seed"] == 5 and card["kgan_version"] == kgan.__version__
    assert card["settings"]["kid"]["num_subsets"] == 10
    assert card["generator"]["num_classes"] == 10
    assert json.loads(card_path.read_text()) == card
    assert os.listdir(tmp_path) == ["card.json"]  # no temporary file left


def test_scores_are_reproducible_and_rank_quality(make_sampler, digits, extractor):
    _, test = digits
    options = dict(n=300, metrics=("fid", "kid", "precision_recall"), kid_subsets=10)
    clean = evaluate(make_sampler(noise=0.05), test, extractor, **options)
    again = evaluate(make_sampler(noise=0.05), test, extractor, **options)
    noisy = evaluate(make_sampler(noise=1.0), test, extractor, **options)
    assert clean["scores"] == again["scores"]
    assert noisy["scores"]["fid"] > 3 * clean["scores"]["fid"]
    assert noisy["scores"]["kid"] > clean["scores"]["kid"]
    assert noisy["scores"]["precision"] < clean["scores"]["precision"]


def test_resize_is_recorded_when_sizes_differ(make_sampler, digits, extractor):
    class Upscaled:
        """16x16 images for an 8x8 classifier: the extractor resizes them."""

        num_classes, latent_dim = None, 8

        def __init__(self, sampler):
            self.sampler = sampler

        def generate(self, n, labels=None, seed=None):
            return resize_images(self.sampler.generate(n, labels, seed), (16, 16)).numpy()

    _, (test_x, _) = digits
    real = resize_images(test_x, (16, 16)).numpy()
    card = evaluate(Upscaled(make_sampler()), real, extractor, n=100, metrics=("fid",))
    assert card["image_shape"] == [16, 16, 1]
    assert card["resize"].startswith("16x16 -> 8x8: tf.image.resize bicubic antialias=True")


def test_named_dataset_through_kgan_data(make_sampler, extractor):
    card = evaluate(make_sampler(), "digits", extractor, n=200, metrics=("fid",))
    assert card["dataset"] == "digits" and card["split"] == "test"
    assert card["n_real"] == 200 and card["scores"]["fid"] >= 0


def test_rejects_unavailable_metrics(make_sampler, digits, projection):
    _, test = digits
    with pytest.raises(ValueError, match="Expected metrics from"):
        evaluate(make_sampler(), test, projection, n=50, metrics=("fid", "lpips"))
    with pytest.raises(ValueError, match="class probabilities"):
        evaluate(make_sampler(), test, projection, n=50, metrics=("inception_score",))
    with pytest.raises(ValueError, match="Expected a conditional sampler"):
        evaluate(make_sampler(conditional=False), test, projection, n=50, metrics=("cas",))
    with pytest.raises(ValueError, match="Expected labelled real data"):
        evaluate(make_sampler(), test[0], projection, n=50, metrics=("per_class_fid",))
