"""The export card: `card.json` in each version folder.

It says what the model takes and returns (its `kgan.specs.ModelSpec` under
"spec"), which files hold it, where it came from, and how closely the files
reproduce the Keras network. `kgan.inference` and `kgan serve` read it
(`kgan.specs.from_card`, which also reads kgan 0.1's cards); so can a person.
"""

import datetime
import importlib.metadata
import json
import os

from kgan.inference import layout

FORMAT = "kgan-export/1"
NOISE = {
    "generate": "z = kgan.latent.sample_latent(n, latent_dim, seed): "
    "numpy.random.default_rng(seed).standard_normal((n, latent_dim)), float32",
    "sample": "tf.random.stateless_normal((n, latent_dim), seed=[seed, 0], alg='philox'), "
    "reproduced in NumPy by kgan.inference.philox",
}
_PACKAGES = ("kgan", "tensorflow", "keras", "tf2onnx", "onnx", "onnxruntime", "onnxconverter-common")


def make_card(name, version, spec, opset, parity, float16=False, source=None, weights=None,
              command=None, max_batch_size=None):
    """Returns the card as a dict (see the module docstring).

    `spec` is the export's `kgan.specs.ModelSpec`, written whole under "spec";
    the keys of kgan 0.1's cards (`latent_dim`, `image_shape`, `num_classes`,
    ...) stay for older readers, null where a task has no such thing.
    """
    return {
        "format": FORMAT,
        "name": name,
        "version": version,
        "task": spec.task,
        "spec": spec.to_json(),
        "latent_dim": spec.latent_dim,
        "image_shape": list(spec.image_shape),
        "num_classes": spec.num_classes,
        "value_range": list(spec.output.value_range or (-1.0, 1.0)),
        "dtype": "float32",
        "signatures": spec.signatures,
        "noise": NOISE if spec.noise is not None else None,
        "files": {
            "saved_model": layout.SAVED_MODEL,
            "onnx": layout.ONNX,
            "onnx_float16": layout.ONNX_FLOAT16 if float16 else None,
            "triton_config": os.path.join("..", layout.TRITON_CONFIG),
        },
        "onnx": {"opset": opset, "batch_dim": "batch", "triton_max_batch_size": max_batch_size},
        "parity": parity,
        "source": source,
        "weights": weights,
        "command": command,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "packages": _versions(),
    }


def write_card(folder, card):
    path = os.path.join(folder, layout.CARD)
    with open(path, "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    return path


def read_card(path):
    """Reads the card of a version folder (or of the folder holding the file `path`)."""
    card = layout.read_card(os.fspath(path))
    if card is None:
        raise FileNotFoundError(f"Expected {layout.CARD} in {path}. Received: no such file")
    return card


def _versions():
    versions = {package: _version_of(package) for package in _PACKAGES}
    versions["tensorflow"] = versions["tensorflow"] or _version_of("tensorflow-cpu")
    return versions


def _version_of(package):
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None
