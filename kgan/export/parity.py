"""The export check: reloaded files must reproduce the Keras network.

Fresh random inputs, drawn per role of the spec (noise ~ N(0, 1); labels
uniform in `[0, num_classes)`; images uniform in their value range), go
through the Keras network, the reloaded SavedModel (`tf.saved_model.load`,
signatures `serving_default` and the task's) and the ONNX model in onnxruntime
(CPU), at batch 1, 7 and 64 (16 when an image is larger than 64 px). Sizes the
spec leaves open (a fully convolutional network's height and width) are tried
at 16 and 24. The max abs difference must be at most 1e-5 in float32. A spec
with noise also has a `sample` signature: it must give the same images twice
for a seed, and match the network on `kgan.inference.philox` noise, the NumPy
copy of its RNG used by `kgan serve` and `kgan.inference`.

A network trained under a mixed policy is exported as a float32 copy
(`kgan.export.precision`), which these checks compare against;
`precision_difference` measures how far the trained network's own outputs
are from it, on the same kind of inputs (a record, not a check).

The float16 ONNX is held to 1e-2: float16 keeps 11 significant bits (a step
of 2^-10, about 1e-3, just below 1.0), and rounding compounds over the layers.
"""

import os

import numpy as np
import tensorflow as tf

from kgan.export import networks
from kgan.export import precision
from kgan.inference import layout
from kgan.inference import philox

TOLERANCE = 1e-5
FLOAT16_TOLERANCE = 1e-2
BATCHES = (1, 7, 64)
LARGE_BATCHES = (1, 7, 16)
LARGE = 64  # px: images with a larger side are checked at LARGE_BATCHES
OPEN_SIZES = (16, 24)
SAMPLE_N = 7


class ParityError(RuntimeError):
    """An exported file does not reproduce the Keras network."""


def check_parity(network, folder, spec, float16=False, seed=0):
    """Measures the exported files in `folder` against `network`.

    Returns:
        The figures for the card: max abs errors per backend and trial, keyed
        by the batch size (`"7"`), or by batch size and the size given to the
        open dimensions (`"7@24"`) when the spec has any.

    Raises:
        ParityError: if any figure exceeds its tolerance.
    """
    rng = np.random.default_rng(seed)
    saved = tf.saved_model.load(folder)
    sessions = {"onnx": _session(os.path.join(folder, layout.ONNX))}
    if float16:
        sessions["onnx_float16"] = _session(os.path.join(folder, layout.ONNX_FLOAT16))
    errors = {name: {} for name in ["saved_model", *sessions]}
    output = spec.output.name
    for key, feeds in _trials(rng, spec):
        expected = _keras(network, feeds)
        errors["saved_model"][key] = max(
            _error(expected, saved.signatures[name](**_tensors(feeds))[output].numpy())
            for name in ("serving_default", spec.task)
        )
        for name, session in sessions.items():
            errors[name][key] = _error(expected, session.run([output], feeds)[0])
    figures = {"tolerance": TOLERANCE, "batches": list(batches(spec)), **errors}
    if _has_open_sizes(spec):
        figures["open_sizes"] = list(OPEN_SIZES)
    if spec.noise is not None:
        figures["sample"] = _sample_error(network, saved, spec, rng)
    if float16:
        figures["float16_tolerance"] = FLOAT16_TOLERANCE
    _raise_on_failure(figures)
    return figures


def precision_difference(trained, network, spec, seed=0):
    """How far `trained` (under a mixed policy) is from its float32 copy `network`.

    Returns:
        `{"policies": [...], "max_abs_difference": {trial: error}}`, the
        trials keyed as `check_parity`'s.
    """
    rng = np.random.default_rng(seed)
    differences = {key: _error(_keras(network, feeds), _keras(trained, feeds)) for key, feeds in _trials(rng, spec)}
    return {"policies": precision.reduced_policies(trained), "max_abs_difference": differences}


def batches(spec):
    """The batch sizes checked: fewer large images per batch, to stay fast."""
    sizes = [d for t in (*spec.inputs, *spec.outputs) if t.role == "image" for d in t.shape[:-1] if d is not None]
    return LARGE_BATCHES if sizes and max(sizes) > LARGE else BATCHES


def random_inputs(rng, spec, batch, open_size=None):
    """`{input name: array}` of `batch` random examples per role; `open_size` fills `None` sizes."""
    feeds = {}
    for tensor in spec.inputs:
        shape = (batch, *(open_size if d is None else d for d in tensor.shape))
        if tensor.role == "label":
            feeds[tensor.name] = rng.integers(0, tensor.num_classes, shape).astype(tensor.dtype)
        elif tensor.role == "image":
            low, high = tensor.value_range or (-1.0, 1.0)
            feeds[tensor.name] = rng.uniform(low, high, shape).astype(tensor.dtype)
        else:
            feeds[tensor.name] = rng.standard_normal(shape).astype(tensor.dtype)
    return feeds


def _trials(rng, spec):
    sizes = OPEN_SIZES if _has_open_sizes(spec) else (None,)
    for size in sizes:
        for batch in batches(spec):
            yield (str(batch) if size is None else f"{batch}@{size}"), random_inputs(rng, spec, batch, size)


def _has_open_sizes(spec):
    return any(d is None for t in spec.inputs for d in t.shape)


def _session(path):
    import onnxruntime as ort

    return ort.InferenceSession(path, providers=["CPUExecutionProvider"])


def _keras(network, feeds):
    return np.asarray(network(networks.arrange(network, feeds), training=False), dtype="float32")


def _tensors(feeds):
    return {name: tf.constant(value) for name, value in feeds.items()}


def _error(expected, actual):
    actual = np.asarray(actual)
    if actual.shape != expected.shape:
        return float("inf")
    return float(np.max(np.abs(actual.astype("float32") - expected)))


def _sample_error(network, saved, spec, rng):
    # Reproducible per seed, and equal to the network on the NumPy Philox noise.
    seed = int(rng.integers(0, 2**62))
    feeds = random_inputs(rng, spec, SAMPLE_N, OPEN_SIZES[0])
    args = {name: tf.constant(value) for name, value in feeds.items() if name != spec.noise.name}
    args.update(n=tf.constant(SAMPLE_N), seed=tf.constant(seed, tf.int64))
    first = saved.signatures["sample"](**args)[spec.output.name].numpy()
    second = saved.signatures["sample"](**args)[spec.output.name].numpy()
    feeds[spec.noise.name] = philox.stateless_normal(SAMPLE_N, spec.latent_dim, seed)
    repeat = 0.0 if np.array_equal(first, second) else float("inf")
    return max(repeat, _error(_keras(network, feeds), first))


def _raise_on_failure(figures):
    failures = []
    for name in ("saved_model", "onnx", "onnx_float16"):
        bound = FLOAT16_TOLERANCE if name == "onnx_float16" else TOLERANCE
        for trial, error in figures.get(name, {}).items():
            if not error <= bound:
                failures.append(f"{name} at batch {trial}: max abs error {error:.3g} > {bound:g}")
    if not figures.get("sample", 0.0) <= TOLERANCE:
        failures.append(f"sample signature: max abs error {figures['sample']:.3g} > {TOLERANCE:g}")
    if failures:
        raise ParityError(
            "Expected the exported files to reproduce the Keras network. Received: " + "; ".join(failures)
        )
