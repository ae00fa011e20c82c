"""The run directory written by `kgan train`, and loading models from it.

```
RUN/
  config.json        the resolved TrainConfig
  samples/           epoch_0001.png, ... (SampleGrid)
  checkpoints/       full training state (FullStateCheckpoint)
  tensorboard/       scalars and sample grids (`tensorboard --logdir runs`)
  history.csv        per-epoch logs (keras.callbacks.CSVLogger)
  model.keras        the trained model, written at the end
  exports.json       the versions this run exported, by epoch
```
"""

import json
import os

from kgan import atomic

CONFIG = "config.json"
MODEL = "model.keras"
SAMPLES = "samples"
CHECKPOINTS = "checkpoints"
TENSORBOARD = "tensorboard"
HISTORY = "history.csv"
EXPORTS = "exports.json"


def is_run_dir(path):
    return os.path.isdir(path) and os.path.isfile(os.path.join(path, CONFIG))


def read_config(run_dir):
    """Returns the run's config.json as a dict."""
    path = os.path.join(run_dir, CONFIG)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"Expected a kgan run directory holding {CONFIG}. Received: {run_dir!r} (no {CONFIG})"
        )
    with open(path) as f:
        return json.load(f)


def write_json(path, values):
    """Writes `values` as JSON atomically (temp file, then rename)."""
    return atomic.write_json(path, values, sort_keys=True)


def truncate_history(run_dir, epochs):
    """Keeps the rows of history.csv for the first `epochs` epochs (before a resume appends)."""
    path = os.path.join(run_dir, HISTORY)
    if not os.path.isfile(path):
        return
    with open(path) as f:
        lines = f.read().splitlines(keepends=True)
    if not lines:
        return
    # CSVLogger's first column is the 0-based epoch.
    kept = [lines[0]] + [line for line in lines[1:] if line.split(",", 1)[0].isdigit() and int(line.split(",", 1)[0]) < epochs]
    if len(kept) != len(lines):
        atomic.write_text(path, "".join(kept))


def exports(run_dir):
    """The exports a run has made: a list of `{"epoch", "path"}`."""
    path = os.path.join(run_dir, EXPORTS)
    if not os.path.isfile(path):
        return []
    with open(path) as f:
        return json.load(f)


def record_export(run_dir, epoch, path):
    write_json(os.path.join(run_dir, EXPORTS), [*exports(run_dir), {"epoch": epoch, "path": path}])


def run_details(src):
    """What an export's card records about the run it came from."""
    src = os.fspath(src)
    if not is_run_dir(src):
        return {"training_config": None, "metrics": None}
    metrics_path = os.path.join(src, "evaluation.json")
    metrics = None
    if os.path.isfile(metrics_path):
        with open(metrics_path) as f:
            metrics = json.load(f)
    return {"training_config": read_config(src), "metrics": metrics}


def default_name(src):
    """`runs/digits` -> `digits`; `models/digits.keras` -> `digits`."""
    base = os.path.basename(os.path.normpath(os.fspath(src)))
    return base[: -len(".keras")] if base.endswith(".keras") else base
