"""Where an export's files sit: one folder that TF Serving and Triton both accept.

```
saved_models/                 Triton: --model-repository=/abs/saved_models
  NAME/                       TF Serving: --model_base_path=/abs/saved_models/NAME
    config.pbtxt              Triton's entry for NAME: onnxruntime_onnx, model.onnx
    1/                        a version: both servers read numeric folders only
      saved_model.pb          the SavedModel (TF Serving, tf.saved_model.load)
      variables/
      model.onnx              the ONNX model (Triton, onnxruntime)
      model_fp16.onnx         optional float16 ONNX for GPUs
      card.json               what was exported, from where, and its parity figures
    2/ ...
```

TF Serving skips children of the base path that do not parse as an integer
(config.pbtxt, temporary folders) and ignores extra files in a version folder.
Triton skips version folders that are not numeric or start with "0", and its
ONNX backend loads only `default_model_filename` from a version folder. An
export is staged in a hidden sibling folder and renamed into place, so neither
server ever sees a half-written version.
"""

import json
import os

SAVED_MODEL = "saved_model.pb"
ONNX = "model.onnx"
ONNX_FLOAT16 = "model_fp16.onnx"
CARD = "card.json"
TRITON_CONFIG = "config.pbtxt"


def is_version_name(name):
    """True for a folder name both servers read as a version: digits, no leading 0."""
    return name.isdigit() and not name.startswith("0")


def list_versions(model_dir):
    """Returns the sorted integer versions under `model_dir` (empty if none)."""
    if not os.path.isdir(model_dir):
        return []
    return sorted(
        int(name)
        for name in os.listdir(model_dir)
        if is_version_name(name) and os.path.isdir(os.path.join(model_dir, name))
    )


def is_version_dir(path):
    """True if `path` holds an exported version (a SavedModel or a model.onnx)."""
    return os.path.isfile(os.path.join(path, SAVED_MODEL)) or os.path.isfile(os.path.join(path, ONNX))


def resolve_version_dir(path):
    """Returns the version folder for a version folder or a model folder (its latest).

    Raises:
        FileNotFoundError: if `path` is neither.
    """
    if is_version_dir(path):
        return path
    versions = list_versions(path)
    if versions:
        return os.path.join(path, str(versions[-1]))
    raise FileNotFoundError(
        "Expected an exported model: a version folder (with saved_model.pb or "
        f"{ONNX}), a model folder with numeric versions, or an .onnx file. Received: path={path!r}"
    )


def read_card(path):
    """The `card.json` of a version folder, or of the folder holding the file `path`; None if absent."""
    folder = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    card_path = os.path.join(folder, CARD)
    if not os.path.isfile(card_path):
        return None
    with open(card_path) as f:
        return json.load(f)
