"""The export check: reloaded files must reproduce the Keras generator.

Fresh random inputs at batch 1, 7 and 64 go through the Keras generator, the
reloaded SavedModel (`tf.saved_model.load`, signatures `serving_default` and
`generate`) and the ONNX model in onnxruntime (CPU). The max abs difference
must be at most 1e-5 in float32. The `sample` signature must give the same
images twice for a seed, and match the generator on `kgan.inference.philox`
noise, the NumPy copy of its RNG used by `kgan serve` and `kgan.inference`.

The float16 ONNX is held to 1e-2: float16 keeps 11 significant bits (a step
of 2^-10, about 1e-3, just below 1.0), and rounding compounds over the layers.
"""

import os

import numpy as np
import tensorflow as tf

from kgan.inference import layout
from kgan.inference import philox

TOLERANCE = 1e-5
FLOAT16_TOLERANCE = 1e-2
BATCHES = (1, 7, 64)
SAMPLE_N = 7


class ParityError(RuntimeError):
    """An exported file does not reproduce the Keras generator."""


def check_parity(generator, folder, spec, float16=False, seed=0):
    """Measures the exported files in `folder` against `generator`.

    Returns:
        The figures for the card: max abs errors per backend and batch size.

    Raises:
        ParityError: if any figure exceeds its tolerance.
    """
    rng = np.random.default_rng(seed)
    saved = tf.saved_model.load(folder)
    sessions = {"onnx": _session(os.path.join(folder, layout.ONNX))}
    if float16:
        sessions["onnx_float16"] = _session(os.path.join(folder, layout.ONNX_FLOAT16))
    errors = {name: {} for name in ["saved_model", *sessions]}
    for batch in BATCHES:
        feeds = _random_inputs(rng, batch, spec)
        expected = _keras(generator, feeds)
        errors["saved_model"][str(batch)] = max(
            _error(expected, saved.signatures[name](**_tensors(feeds))["images"].numpy())
            for name in ("serving_default", "generate")
        )
        for name, session in sessions.items():
            errors[name][str(batch)] = _error(expected, session.run(["images"], feeds)[0])
    figures = {"tolerance": TOLERANCE, "batches": list(BATCHES), **errors}
    figures["sample"] = _sample_error(generator, saved, spec, rng)
    if float16:
        figures["float16_tolerance"] = FLOAT16_TOLERANCE
    _raise_on_failure(figures)
    return figures


def _session(path):
    import onnxruntime as ort

    return ort.InferenceSession(path, providers=["CPUExecutionProvider"])


def _random_inputs(rng, batch, spec):
    feeds = {"z": rng.standard_normal((batch, spec.latent_dim)).astype("float32")}
    if spec.conditional:
        feeds["labels"] = rng.integers(0, spec.num_classes, batch).astype("int32")
    return feeds


def _keras(generator, feeds):
    inputs = [feeds["z"], feeds["labels"]] if "labels" in feeds else feeds["z"]
    return np.asarray(generator(inputs, training=False), dtype="float32")


def _tensors(feeds):
    return {name: tf.constant(value) for name, value in feeds.items()}


def _error(expected, actual):
    actual = np.asarray(actual)
    if actual.shape != expected.shape:
        return float("inf")
    return float(np.max(np.abs(actual.astype("float32") - expected)))


def _sample_error(generator, saved, spec, rng):
    # Reproducible per seed, and equal to the generator on the NumPy Philox noise.
    seed = int(rng.integers(0, 2**62))
    feeds = _random_inputs(rng, SAMPLE_N, spec)
    args = {"n": tf.constant(SAMPLE_N), "seed": tf.constant(seed, tf.int64)}
    if spec.conditional:
        args["labels"] = tf.constant(feeds["labels"])
    first = saved.signatures["sample"](**args)["images"].numpy()
    second = saved.signatures["sample"](**args)["images"].numpy()
    feeds["z"] = philox.stateless_normal(SAMPLE_N, spec.latent_dim, seed)
    repeat = 0.0 if np.array_equal(first, second) else float("inf")
    return max(repeat, _error(_keras(generator, feeds), first))


def _raise_on_failure(figures):
    failures = []
    for name in ("saved_model", "onnx", "onnx_float16"):
        bound = FLOAT16_TOLERANCE if name == "onnx_float16" else TOLERANCE
        for batch, error in figures.get(name, {}).items():
            if not error <= bound:
                failures.append(f"{name} at batch {batch}: max abs error {error:.3g} > {bound:g}")
    if not figures["sample"] <= TOLERANCE:
        failures.append(f"sample signature: max abs error {figures['sample']:.3g} > {TOLERANCE:g}")
    if failures:
        raise ParityError(
            "Expected the exported files to reproduce the Keras generator. Received: "
            + "; ".join(failures)
        )
