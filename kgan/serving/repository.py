"""The served models: each a name and its loaded versions; several by name in one server.

`ServedModels` is what TF Serving's model server config is: the models of one
server, looked up by name (`ServedModels.get`, the one place every protocol
asks). `load_models("saved_models")` serves every model folder of an export
root, `load_model("saved_models/NAME")` one.
"""

import os

from kgan import inference
from kgan.inference import layout


class ServingError(Exception):
    """An error answered as `{"error": message}` with an HTTP status code."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class ServedModel:
    """A model name and its versions, each a `kgan.inference.ExportedModel`.

    Args:
        name: the name clients use in `/v1/models/NAME`.
        versions: `{version number: ExportedModel}`; all must take and return
            the same named tensors (the inputs and outputs of their specs).
        labels: `{label: version number}`, TF Serving's version labels
            (`"stable"`, `"canary"`): a request may name a label instead of a
            version. Each must point to a served version, as in TF Serving.
    """

    def __init__(self, name, versions, labels=None):
        if not versions:
            raise ValueError(f"Expected at least one version to serve. Received: versions={versions!r}")
        described = {(m.spec.inputs, m.spec.outputs) for m in versions.values()}
        if len(described) > 1:
            raise ValueError(
                "Expected every version to take and return the same named tensors (inputs and "
                f"outputs of their specs). Received: {sorted(described, key=str)}"
            )
        self.name = name
        self.versions = dict(sorted(versions.items()))
        self.labels = _check_labels(dict(labels or {}), self.versions, name)

    @property
    def latest(self):
        return max(self.versions)

    def get(self, name, version=None, label=None):
        """Returns `(version, model)`; raises a 404 `ServingError` if not served.

        A `label` (TF Serving's version label) stands for its version; an
        unknown one is a 400, as TF Serving answers it.
        """
        if label is not None:
            if version is not None:
                raise ServingError(400, f"Expected a version or a version label. Received: both ({version}, {label!r})")
            if label not in self.labels or name != self.name:
                raise ServingError(400, f"Unrecognized servable version label: {label}")
            version = self.labels[label]
        if version is None:
            if name == self.name:
                return self.latest, self.versions[self.latest]
            raise ServingError(404, f"Servable not found for request: Latest({name})")
        if name == self.name and version in self.versions:
            return version, self.versions[version]
        raise ServingError(404, f"Servable not found for request: Specific({name}, {version})")


class ServedModels:
    """The models of one server by name, as TF Serving's model server config.

    Args:
        models: `ServedModel`s with distinct names (one or more).

    ```python
    models = kgan.serving.load_models("saved_models")   # each saved_models/NAME/ as NAME
    version, exported = models.get("maps")              # the latest version of maps
    try:
        models.get("cats")
    except kgan.serving.ServingError as e:              # 404: ... Latest(cats) (served models: digits, maps, ...)
        assert e.status == 404 and "digits, maps" in e.message
    app = kgan.serving.create_app(models)               # /v1/models/digits, /v1/models/maps, ...
    ```
    """

    def __init__(self, models):
        models = list(models)
        names = [m.name for m in models]
        if not models or len(set(names)) != len(names):
            raise ValueError(f"Expected one or more models with distinct names. Received: names {names}")
        self.models = {m.name: m for m in sorted(models, key=lambda m: m.name)}

    @property
    def names(self):
        return list(self.models)

    def __iter__(self):
        return iter(self.models.values())

    def find(self, name, missing=None):
        """The `ServedModel` called `name`; a 404 `ServingError` naming the served models if none.

        `missing` is the start of that error's message (TF Serving's wording of the request).
        """
        if name in self.models:
            return self.models[name]
        missing = missing or f"Servable not found for request: Latest({name})"
        raise ServingError(404, f"{missing} (served models: {', '.join(self.names)})")

    def get(self, name, version=None, label=None):
        """`(version, ExportedModel)` of model `name`, as `ServedModel.get`; a 404 for an unknown name."""
        missing = None if version is None else f"Servable not found for request: Specific({name}, {version})"
        return self.find(name, missing).get(name, version, label)


def _check_labels(labels, versions, name):
    for label, version in labels.items():
        if not isinstance(label, str) or not label or label.isdigit():
            raise ValueError(f"Expected version labels to be non-numeric names like 'stable'. Received: {label!r}")
        if version not in versions:
            raise ValueError(
                f"Expected each version label to point to a served version of {name} {sorted(versions)}. "
                f"Received: {label}={version}"
            )
    return labels


def load_model(path, name=None, versions=None, backend="onnx", labels=None, **load_kwargs):
    """Loads an export for serving.

    Args:
        path: a model folder (`saved_models/NAME`, every version is loaded), a
            version folder (`saved_models/NAME/N`), or an `.onnx` file.
        name: the served name; defaults to the model folder's name.
        versions: version numbers to load from a model folder; None for all.
        backend: `"onnx"` (onnxruntime) or `"saved_model"` (TensorFlow).
        labels: `{label: version}`, TF Serving's version labels (see `ServedModel`).
        **load_kwargs: passed to `kgan.inference.load` (providers, batch_size, ...).
    """
    path = os.path.abspath(os.fspath(path))
    found = _find_versions(path)
    if versions is not None:
        missing = sorted(set(versions) - set(found))
        if missing:
            raise FileNotFoundError(
                f"Expected versions {sorted(versions)} under {path}. Received: {missing} missing "
                f"(found {sorted(found)})"
            )
        found = {v: found[v] for v in versions}
    if os.path.isfile(path):
        loaded = {v: inference.load(p, **load_kwargs) for v, p in found.items()}
    else:
        loaded = {v: inference.load(p, backend=backend, **load_kwargs) for v, p in found.items()}
    return ServedModel(name or _default_name(path), loaded, labels)


def load_models(root, backend="onnx", **load_kwargs):
    """Loads every model folder of an export root (`saved_models/NAME/VERSION/`) as `ServedModels`.

    Each model is served under its folder's name with all its versions;
    children that hold no versions (files, hidden staging folders) are skipped.

    Args:
        root: the export root, e.g. `"saved_models"`.
        backend, **load_kwargs: as for `load_model`.

    Raises:
        FileNotFoundError: if `root` holds no model folder.
    """
    root = os.path.abspath(os.fspath(root))
    folders = model_folders(root)
    if not folders:
        raise FileNotFoundError(
            "Expected an export root holding model folders NAME/VERSION/ (saved_model.pb or "
            f"{layout.ONNX}). Received: none under {root!r}"
        )
    return ServedModels(load_model(folder, backend=backend, **load_kwargs) for folder in folders)


def model_folders(path):
    """The model folders (with numeric versions) directly under `path`, sorted; empty unless `path` is a root.

    A model or version folder is not a root, even if a child looks like a model.
    """
    if not os.path.isdir(path) or layout.is_version_dir(path) or layout.list_versions(path):
        return []
    children = (os.path.join(path, name) for name in sorted(os.listdir(path)) if not name.startswith("."))
    return [child for child in children if layout.list_versions(child)]


def _find_versions(path):
    """`{version: path}` for a model folder, a version folder or an .onnx file."""
    if os.path.isfile(path) or layout.is_version_dir(path):
        folder = os.path.basename(os.path.dirname(path) if os.path.isfile(path) else path)
        return {int(folder) if layout.is_version_name(folder) else 1: path}
    found = {v: os.path.join(path, str(v)) for v in layout.list_versions(path)}
    if not found:
        layout.resolve_version_dir(path)  # raises the layout's FileNotFoundError
    return found


def _default_name(path):
    parent, base = os.path.split(path)
    if os.path.isfile(path):
        folder = os.path.basename(parent)
        if layout.is_version_name(folder):
            return os.path.basename(os.path.dirname(parent))
        return os.path.splitext(base)[0]
    if layout.is_version_name(base) and layout.is_version_dir(path):
        return os.path.basename(parent)
    return base
