"""Atomic file writes: a reader (or a resumed run) never sees half a file.

Each writer writes a temporary file in the destination's folder and renames
it over the destination with `os.replace`, which is atomic on POSIX and
Windows when both paths are on the same filesystem.
"""

import contextlib
import json
import os


@contextlib.contextmanager
def temporary_path(path, suffix=""):
    """Yields a temp path beside `path`; renames it to `path` on success.

    `suffix` is kept at the end of the temp name, for writers (Keras) that
    pick the format from it. On an exception the temp file is removed.
    """
    path = os.fspath(path)
    directory, name = os.path.split(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    temp = os.path.join(directory, f".{name}.{os.getpid()}.tmp{suffix}")
    try:
        yield temp
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)


def write_text(path, text):
    """Writes `text` to `path` atomically; returns `path`."""
    with temporary_path(path) as temp:
        with open(temp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
    return os.fspath(path)


def write_json(path, data, sort_keys=False):
    """Writes `data` as indented JSON to `path` atomically; returns `path`."""
    return write_text(path, json.dumps(data, indent=2, sort_keys=sort_keys) + "\n")


def save_model(model, path):
    """Saves a Keras model (`.keras`) or its weights (`.weights.h5`) atomically."""
    path = os.fspath(path)
    if path.endswith(".weights.h5"):
        suffix, save = ".weights.h5", model.save_weights
    elif path.endswith(".keras"):
        suffix, save = ".keras", model.save
    else:
        raise ValueError(
            f"Expected a model path ending in `.keras` or `.weights.h5`. Received: path={path!r}"
        )
    with temporary_path(path, suffix) as temp:
        save(temp)
    return path
