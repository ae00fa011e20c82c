"""The protocol card: every score, and exactly how it was made.

Reported GAN scores differ with the extractor, its weights, the resizing, the
sample counts and the real split. The card records all of them next to the
numbers, so two scores can be compared only when their protocols agree.
"""

import datetime
import platform
import sys

from kgan.metrics.class_agreement import MIN_SHARE
from kgan.metrics.extractors.resize import RESIZE_METHOD


def protocol_card(evaluation, scores, sampler, real_description, n_real, image_shape, seconds=None):
    """Returns a JSON-ready dict describing one evaluation.

    Args:
        evaluation: The `kgan.metrics.Evaluation` that made the scores.
        scores: `{score name: float}`.
        sampler: The scored sampler.
        real_description: `{"source", "split", "num_classes", "subset"}`.
        n_real: Number of real images used.
        image_shape: `(H, W, C)` of the generated images, or `(D, H, W, 1)`
            of generated volumes.
        seconds: Wall time of the evaluation, if measured.
    """
    import kgan

    extractor = evaluation.extractor
    return {
        "kgan_version": kgan.__version__,
        "scores": {name: float(value) for name, value in scores.items()},
        "metrics": list(evaluation.metrics),
        "n_fake": evaluation.n,
        "n_real": int(n_real),
        "dataset": real_description["source"],
        "split": real_description["split"],
        "real_subset": real_description.get("subset"),
        "image_shape": [int(d) for d in image_shape],
        "samples": sample_description(image_shape),
        "resize": resize_description(extractor, image_shape),
        "extractor": {
            "name": getattr(extractor, "name", type(extractor).__name__),
            "weights_sha256": getattr(extractor, "weights_hash", None),
            "input_size": _list_or_none(getattr(extractor, "input_size", None)),
            "feature_dim": getattr(extractor, "feature_dim", None),
        },
        "generator": {
            "type": type(sampler).__name__,
            "num_classes": _int_or_none(getattr(sampler, "num_classes", None)),
            "latent_dim": _int_or_none(getattr(sampler, "latent_dim", None)),
        },
        "seed": _int_or_none(evaluation.seed),
        "batch_size": evaluation.batch_size,
        "settings": _settings(evaluation, n_real),
        "seconds": None if seconds is None else round(float(seconds), 3),
        "created_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "versions": _versions(),
    }


def sample_description(image_shape):
    """What was compared: images in [-1, 1] or volumes (occupancy grids) in [0, 1]."""
    if len(image_shape) == 4:
        return "volumes (occupancy grids) in [0, 1], " + "x".join(str(int(d)) for d in image_shape[:3])
    return "images in [-1, 1], " + "x".join(str(int(d)) for d in image_shape[:2])


def resize_description(extractor, image_shape):
    """Says whether and how images were resized for the extractor (volumes never are)."""
    size = getattr(extractor, "input_size", None)
    spatial = tuple(int(d) for d in image_shape[:-1])
    if len(spatial) == 3:
        return "none (volumes are not resized)"
    if size is None:
        return "unknown (extractor has no input_size)"
    if tuple(size) == spatial:
        return "none"
    height, width = spatial
    method = getattr(extractor, "resize_method", RESIZE_METHOD)
    return f"{height}x{width} -> {size[0]}x{size[1]}: {method}"


def _settings(evaluation, n_real):
    settings = {}
    if "kid" in evaluation.metrics:
        settings["kid"] = {
            "num_subsets": evaluation.kid_subsets,
            "subset_size": min(evaluation.kid_subset_size, evaluation.n, int(n_real)),
            "kernel": "(x.y/d + 1)^3, unbiased MMD^2",
        }
    if "precision_recall" in evaluation.metrics:
        settings["precision_recall"] = {"k": evaluation.k}
    if "inception_score" in evaluation.metrics:
        settings["inception_score"] = {"splits": min(10, evaluation.n)}
    if "cas" in evaluation.metrics:
        settings["cas"] = {"epochs": evaluation.cas_epochs, "n_train": evaluation.n}
    if "classes_covered" in evaluation.metrics:
        settings["classes_covered"] = {"min_share": MIN_SHARE, "of": "a uniform share of the samples"}
    return settings


def _versions():
    versions = {"python": platform.python_version()}
    for name in ("numpy", "scipy", "tensorflow", "keras"):
        module = sys.modules.get(name)
        if module is not None:
            versions[name] = getattr(module, "__version__", None)
    return versions


def _int_or_none(value):
    return None if value is None else int(value)


def _list_or_none(value):
    return None if value is None else [int(v) for v in value]
