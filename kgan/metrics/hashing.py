"""SHA-256 digests that identify an extractor's weights in a protocol card."""

import hashlib

import numpy as np

CHUNK_BYTES = 1 << 20


def file_sha256(path):
    """Returns the hex SHA-256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def weights_sha256(model):
    """Returns the hex SHA-256 of a Keras model's weight values.

    Each weight contributes its shape and its values as little-endian float32,
    in `model.weights` order; used when the weights do not come from a file
    (e.g. random initialisation).
    """
    digest = hashlib.sha256()
    for weight in model.weights:
        values = np.asarray(weight.numpy(), dtype="<f4")
        digest.update(str(values.shape).encode())
        digest.update(np.ascontiguousarray(values).tobytes())
    return digest.hexdigest()
