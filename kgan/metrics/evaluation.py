"""`evaluate`: score a generator against real data and write a protocol card.

Steps:
1. Generate `n` images (or volumes) batch by batch (balanced labels if
   conditional) and keep only their features (and class probabilities for
   the IS, class agreement and classes covered).
2. Load the real split at the generated image shape (a voxel source at the
   generated grid size), take `n_real` of it (a seeded random subset if the
   split is larger), and extract features.
3. Compute the requested metrics; CAS trains a classifier on new samples.
4. Describe how the numbers were made in a protocol card (`card.py`).
"""

import time

import numpy as np

from kgan import atomic
from kgan.metrics.card import protocol_card
from kgan.metrics.class_agreement import agreement_scores
from kgan.metrics.class_agreement import classes_covered
from kgan.metrics.classification_accuracy_score import classification_accuracy_score
from kgan.metrics.extractors.protocol import has_probabilities
from kgan.metrics.features import extract
from kgan.metrics.fid import frechet_distance
from kgan.metrics.inception_score import inception_score
from kgan.metrics.kid import kernel_inception_distance
from kgan.metrics.per_class_fid import per_class_fid
from kgan.metrics.precision_recall import precision_recall
from kgan.metrics.real_data import load_real
from kgan import checks

METRICS = (
    "fid", "kid", "precision_recall", "inception_score", "per_class_fid", "cas", "class_agreement",
    "classes_covered",
)
DEFAULT_METRICS = ("fid", "kid", "precision_recall")
CONDITIONAL_METRICS = ("per_class_fid", "cas", "class_agreement")
PROBABILITY_METRICS = ("inception_score", "class_agreement", "classes_covered")
# The scores each metric adds (per_class_fid also adds "per_class_fid_<c>",
# class_agreement "class_agreement_<c>").
SCORES = {
    "fid": ("fid",),
    "kid": ("kid", "kid_std"),
    "precision_recall": ("precision", "recall"),
    "inception_score": ("inception_score", "inception_score_std"),
    "per_class_fid": ("per_class_fid",),
    "cas": ("cas",),
    "class_agreement": ("class_agreement", "real_class_agreement"),
    "classes_covered": ("classes_covered",),
}


def evaluate(
    sampler,
    real_source,
    extractor,
    n=10000,
    metrics=DEFAULT_METRICS,
    seed=0,
    card_path=None,
    **options,
):
    """Scores a generator and returns its protocol card.

    Args:
        sampler: Anything with `generate(n, labels=None, seed=None)`,
            `num_classes` and `latent_dim`: a `kgan.GAN`, a loaded run, an
            exported model from `kgan.inference.load`. A voxel generator
            (`kgan.VoxelGAN`, its export) gives volumes `(n, D, H, W, 1)` in
            [0, 1]: they are scored the same way, with a volume classifier.
        real_source: A `kgan.data` source name or path (`"digits"`,
            `"mnist.npz"`, ...), a voxel source (`"shapes"`, an `.npz` of
            grids, a folder of `.binvox` files; read at the generated grid
            size), or real images `(n, H, W, C)` in [-1, 1] (volumes
            `(n, D, H, W, 1)` in [0, 1]), or `(images, labels)`.
        extractor: A feature extractor, e.g. `ClassifierExtractor(path)` or
            `InceptionExtractor(weights_path)`.
        n: Number of generated images.
        metrics: Names from `"fid"`, `"kid"`, `"precision_recall"`,
            `"inception_score"` and `"classes_covered"` (need extractor
            probabilities), `"per_class_fid"`, `"cas"` and
            `"class_agreement"` (need a conditional sampler and labelled
            real data; class agreement also the extractor's probabilities
            over the sampler's classes).
        seed: Seed for the generated images, the real subset, KID subsets and
            CAS training.
        card_path: If set, the card is also written there as JSON, atomically.
        **options: Further `Evaluation` arguments: `n_real`, `split`,
            `batch_size`, `kid_subsets`, `kid_subset_size`, `k`, `cas_epochs`.

    Returns:
        The protocol card, a JSON-ready dict; `card["scores"]` maps score
        names (`"fid"`, `"kid"`, `"kid_std"`, `"precision"`, `"recall"`,
        `"inception_score"`, `"inception_score_std"`, `"per_class_fid"` with
        `"per_class_fid_<c>"`, `"cas"`, `"class_agreement"` with
        `"class_agreement_<c>"` and `"real_class_agreement"` (the same on
        the real examples: the ceiling), `"classes_covered"`) to floats.

    Example:

    >>> extractor = kgan.metrics.ClassifierExtractor("evaluator.keras")
    >>> card = kgan.metrics.evaluate(gan, "digits", extractor, n=2000, card_path="card.json")
    >>> sorted(card["scores"]), card["n_fake"], card["split"]
    (['fid', 'kid', 'kid_std', 'precision', 'recall'], 2000, 'test')
    """
    evaluation = Evaluation(real_source, extractor, metrics, n=n, seed=seed, **options)
    start = time.perf_counter()
    scores = evaluation.scores(sampler)
    card = evaluation.card(scores, sampler, seconds=time.perf_counter() - start)
    if card_path is not None:
        atomic.write_json(card_path, card)
    return card


class Evaluation:
    """Scores samplers against one real split with one extractor.

    The real features are extracted at the first `scores` call and reused,
    so scoring the same generator every few epochs (`MetricsCallback`) pays
    for the real data once.

    Args:
        real_source, extractor, metrics, n, seed: As in `evaluate`.
        n_real: Number of real images; `None` for `min(n, split size)`.
        split: Split of a named real source (default `"test"`).
        batch_size: Images per generation and extraction batch.
        kid_subsets: KID's `num_subsets`.
        kid_subset_size: KID's `subset_size`.
        k: Neighbourhood size of precision/recall.
        cas_epochs: Training epochs of the CAS classifier (trained on `n`
            generated images).
    """

    def __init__(
        self,
        real_source,
        extractor,
        metrics=DEFAULT_METRICS,
        n=10000,
        n_real=None,
        split=None,
        seed=0,
        batch_size=100,
        kid_subsets=100,
        kid_subset_size=1000,
        k=3,
        cas_epochs=10,
    ):
        self.real_source = real_source
        self.extractor = extractor
        self.metrics = check_metrics(metrics, extractor)
        self.n = checks.positive_int("n", n)
        self.n_real = None if n_real is None else checks.positive_int("n_real", n_real)
        self.split = split
        self.seed = seed
        self.batch_size = checks.positive_int("batch_size", batch_size)
        self.kid_subsets = checks.positive_int("kid_subsets", kid_subsets)
        self.kid_subset_size = checks.integer("kid_subset_size", kid_subset_size, minimum=2)
        self.k = checks.positive_int("k", k)
        self.cas_epochs = checks.positive_int("cas_epochs", cas_epochs)
        self._real = None  # (Extracted, images or None, description)
        self._image_shape = None

    def scores(self, sampler):
        """Returns `{score name: float}` for `sampler`."""
        self._check_sampler(sampler)
        fake = extract(
            sampler,
            self.extractor,
            self.n,
            self.batch_size,
            seed=self.seed,
            probabilities=any(m in PROBABILITY_METRICS for m in self.metrics),
        )
        real, real_images, _ = self._real_features(fake.image_shape)
        scores = self._feature_scores(real, fake)
        scores.update(self._class_scores(real, fake))
        if "cas" in self.metrics:
            scores["cas"] = classification_accuracy_score(
                sampler, real_images, real.labels, n=self.n, epochs=self.cas_epochs,
                batch_size=min(self.batch_size, 128), seed=self.seed,
            )
        return scores

    def card(self, scores, sampler, seconds=None):
        """Returns the protocol card for `scores` (see `card.protocol_card`)."""
        if self._real is None:
            raise ValueError("Expected `scores(sampler)` to run before `card`.")
        real, _, description = self._real
        return protocol_card(
            self, scores, sampler, real_description=description,
            n_real=len(real.features), image_shape=self._image_shape, seconds=seconds,
        )

    def _check_sampler(self, sampler):
        if not callable(getattr(sampler, "generate", None)):
            raise ValueError(
                "Expected a sampler with a `generate(n, labels=None, seed=None)` "
                f"method. Received: sampler of type {type(sampler).__name__}"
            )
        wanted = [m for m in self.metrics if m in CONDITIONAL_METRICS]
        num_classes = getattr(sampler, "num_classes", None)
        if wanted and not num_classes:
            raise ValueError(
                f"Expected a conditional sampler (num_classes set) for metrics "
                f"{wanted}. Received: sampler.num_classes={num_classes!r}"
            )
        classes = getattr(self.extractor, "num_classes", None)
        if "class_agreement" in self.metrics and classes != num_classes:
            raise ValueError(
                f"Expected an extractor classifying the sampler's {num_classes} classes for "
                f"class agreement. Received: extractor {getattr(self.extractor, 'name', self.extractor)!r} "
                f"with num_classes={classes!r}"
            )

    def _real_features(self, image_shape):
        if self._real is None:
            self._image_shape = image_shape
            self._real = self._extract_real(image_shape)
        return self._real

    def _extract_real(self, image_shape):
        images, labels, description = load_real(self.real_source, self.split, image_shape)
        count = self.n_real or min(self.n, len(images))
        description["subset"] = (
            "all" if count == len(images)
            else f"{count} of {len(images)}, drawn at random with the seed"
        )
        images, labels = _subset(images, labels, count, self.seed)
        if labels is None and any(m in CONDITIONAL_METRICS for m in self.metrics):
            raise ValueError(
                "Expected labelled real data for per-class FID, CAS and class agreement. "
                f"Received: real_source={description['source']!r} without labels"
            )
        source = images if labels is None else (images, labels)
        real = extract(
            source, self.extractor, batch_size=self.batch_size,
            probabilities="class_agreement" in self.metrics,
        )
        keep_images = images if "cas" in self.metrics else None
        return real, keep_images, description

    def _feature_scores(self, real, fake):
        scores = {}
        if "fid" in self.metrics:
            scores["fid"] = frechet_distance(real.features, fake.features)
        if "kid" in self.metrics:
            scores["kid"], scores["kid_std"] = kernel_inception_distance(
                real.features, fake.features, self.kid_subsets, self.kid_subset_size, self.seed
            )
        if "precision_recall" in self.metrics:
            scores["precision"], scores["recall"] = precision_recall(
                real.features, fake.features, k=self.k
            )
        if "inception_score" in self.metrics:
            scores["inception_score"], scores["inception_score_std"] = inception_score(
                fake.probabilities, splits=min(10, len(fake.probabilities))
            )
        if "per_class_fid" in self.metrics:
            by_class = per_class_fid(real.features, real.labels, fake.features, fake.labels)
            scores["per_class_fid"] = float(np.mean(list(by_class.values())))
            scores.update({f"per_class_fid_{c}": v for c, v in by_class.items()})
        return scores

    def _class_scores(self, real, fake):
        """What the extractor's classifier says of the samples: class agreement, classes covered."""
        scores = {}
        if "class_agreement" in self.metrics:
            scores.update(agreement_scores(fake.probabilities, fake.labels, real.probabilities, real.labels))
        if "classes_covered" in self.metrics:
            scores["classes_covered"] = len(classes_covered(fake.probabilities, fake.probabilities.shape[1]))
        return scores


def check_metrics(metrics, extractor):
    """Returns `metrics` as a tuple of known names, or raises `ValueError`."""
    if isinstance(metrics, str):
        metrics = (metrics,)
    metrics = tuple(metrics)
    unknown = [m for m in metrics if m not in METRICS]
    if unknown or not metrics:
        raise ValueError(
            f"Expected metrics from {METRICS}. Received: metrics={metrics!r}"
        )
    wanted = [m for m in metrics if m in PROBABILITY_METRICS]
    if wanted and not has_probabilities(extractor):
        raise ValueError(
            f"Expected an extractor with class probabilities for metrics {wanted} (the Inception "
            f"Score, class agreement, classes covered). Received: extractor={getattr(extractor, 'name', extractor)!r}"
        )
    return metrics


def _subset(images, labels, count, seed):
    """The first `count` examples if that is all, else a seeded random subset."""
    if count > len(images):
        raise ValueError(
            f"Expected n_real <= {len(images)}, the real split's size. "
            f"Received: n_real={count}"
        )
    if count == len(images):
        return images, labels
    index = np.sort(np.random.default_rng(seed).choice(len(images), count, replace=False))
    return images[index], None if labels is None else labels[index]
