"""Atomic writes: a reader never sees a half-written card or checkpoint.

Each writer writes a temporary file in the destination's directory and then
renames it over the destination with `os.replace`, which is atomic on POSIX
and Windows when both paths are on the same filesystem.
"""

import json
import os


def write_json_atomic(data, path):
    """Writes `data` as indented JSON to `path` atomically; returns `path`."""
    path = os.fspath(path)
    temp = _temp_path(path, ".json")
    try:
        with open(temp, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, sort_keys=False)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)
    return path


def save_model_atomic(model, path):
    """Saves a Keras model (`.keras`) or its weights (`.weights.h5`) atomically."""
    path = os.fspath(path)
    if path.endswith(".weights.h5"):
        temp = _temp_path(path, ".weights.h5")
        save = model.save_weights
    elif path.endswith(".keras"):
        temp = _temp_path(path, ".keras")
        save = model.save
    else:
        raise ValueError(
            "Expected a model path ending in `.keras` or `.weights.h5`. "
            f"Received: path={path!r}"
        )
    try:
        save(temp)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)
    return path


def _temp_path(path, suffix):
    # Keras infers the format from the suffix, so keep it at the end.
    directory, name = os.path.split(os.path.abspath(path))
    return os.path.join(directory, f".{name}.{os.getpid()}.tmp{suffix}")
