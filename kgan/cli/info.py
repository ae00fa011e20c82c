"""`kgan info`: what a run, a `.keras` file or an export holds, from its own description."""

import argparse
import json
import os

from kgan.cli import CLIError
from kgan.cli import examples


def add_parser(subparsers):
    p = subparsers.add_parser(
        "info",
        help="describe this machine, or a run, a .keras file or an export",
        description="Without PATH: what kgan sees of this machine (versions, CPU features, threads, GPUs, "
        "whether XLA will be used, the precision `kgan train --precision auto` picks for each family and why, "
        "onnxruntime providers and why a GPU one is not usable, TF_CONFIG). With PATH: what it holds: for a "
        "run, its family, data, precision, progress and exports; for a .keras "
        "file, the model's networks, optimizers and exported inputs/outputs; for an export (saved_models/NAME, "
        "a version folder or an .onnx file), its card: task, named inputs and outputs, parity, source.",
        epilog=examples(
            "kgan info                                      # this machine",
            "kgan info runs/dcgan_small-digits-20261123-101500",
            "kgan info saved_models/digits",
            "kgan info model.keras --json",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("path", metavar="PATH", nargs="?", default=None, help="a run directory, a .keras file, or an export")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(func=run)


def run(args):
    try:
        if args.path is None:
            from kgan import machine

            description = {"kind": "machine", **machine.describe(), "precision": _auto_precision()}
        else:
            description = describe(os.fspath(args.path))
    except (FileNotFoundError, ValueError) as e:
        raise CLIError(str(e)) from e
    if args.json:
        print(json.dumps(description, indent=2, sort_keys=True))
    else:
        print(_text(description))
    return 0


def _auto_precision():
    """`{family: {"policy", "reason"}}`: what `kgan train --precision auto` picks here."""
    from kgan import families
    from kgan.training.config import TrainConfig

    picks = {}
    for family in families.NAMES:
        policy, reason = TrainConfig(family=family).resolve_precision()
        picks[family] = {"policy": policy, "reason": reason}
    return picks


def describe(path):
    """A JSON-able description of PATH (the same facts `--json` prints)."""
    from kgan.inference import layout

    if path.endswith(".onnx") or (os.path.isdir(path) and (layout.is_version_dir(path) or layout.list_versions(path))):
        return _export(path)
    from kgan.training import runs

    if runs.is_run_dir(path):
        return _run(path)
    if os.path.isfile(path) and path.endswith(".keras"):
        return _model(path)
    raise FileNotFoundError(
        f"Expected a run directory, a .keras file, or an export (saved_models/NAME, a version folder or an "
        f".onnx file). Received: {path!r}"
    )


def _export(path):
    from kgan import specs
    from kgan.inference import layout

    version_dir = path if path.endswith(".onnx") else layout.resolve_version_dir(path)
    card = layout.read_card(version_dir)
    if card is None:
        raise FileNotFoundError(f"Expected {layout.CARD} beside the export. Received: none in {version_dir!r}")
    spec = specs.from_card(card)
    versions = layout.list_versions(os.path.dirname(os.path.normpath(version_dir)))
    return {
        "kind": "export",
        "name": card.get("name"),
        "version": card.get("version"),
        "versions": versions,
        "spec": spec.to_json(),
        "weights": card.get("weights"),
        "parity": card.get("parity"),
        "source": card.get("source"),
        "created": card.get("created"),
    }


def _run(path):
    from kgan.training import runs

    config = runs.read_config(path)
    checkpoints = os.path.join(path, runs.CHECKPOINTS)
    finished = _finished_epochs(checkpoints)
    return {
        "kind": "run",
        "family": config.get("family", "gan"),
        "dataset": config.get("dataset"),
        "epochs": {"finished": finished, "total": config.get("epochs")},
        # Runs written before the setting existed trained in float32.
        "precision": config.get("precision", "float32"),
        "model_saved": os.path.isfile(os.path.join(path, runs.MODEL)),
        "exports": runs.exports(path),
        "settings": config.get("model", config),
    }


def _finished_epochs(checkpoints):
    # The checkpoint manager names checkpoints by epoch (ckpt-N); reading the
    # index needs no TensorFlow.
    index = os.path.join(checkpoints, "checkpoint")
    if not os.path.isfile(index):
        return 0
    with open(index) as f:
        for line in f:
            if line.startswith("model_checkpoint_path:"):
                return int(line.rsplit("-", 1)[-1].strip().strip('"'))
    return 0


def _model(path):
    import keras

    model = keras.models.load_model(path)
    spec = model.export_spec() if hasattr(model, "export_spec") else None
    return {
        "kind": "model",
        "class": type(model).__name__,
        "networks": {name: getattr(model, name).count_params() for name in getattr(model, "network_names", ())},
        "averaged": list(getattr(model, "ema_names", ())),
        "optimizers": {name: type(opt).__name__ for name, opt in getattr(model, "optimizers", {}).items()},
        "steps": {name: int(opt.iterations) for name, opt in getattr(model, "optimizers", {}).items()},
        "spec": None if spec is None else spec.to_json(),
    }


def _text(description):
    lines = []
    for key, value in description.items():
        if key == "spec" and value:
            lines.append(f"task: {value['task']}")
            for role in ("inputs", "outputs"):
                for tensor in value[role]:
                    lines.append(f"  {role[:-1]} {tensor['name']}: {tensor['dtype']} {tensor['shape']} ({tensor['role']})")
        elif key == "precision" and isinstance(value, dict):
            lines.append("precision (kgan train --precision auto):")
            lines.extend(f"  {family}: {pick['policy']} ({pick['reason']})" for family, pick in value.items())
        elif isinstance(value, dict):
            lines.append(f"{key}: " + ", ".join(f"{k}={v}" for k, v in value.items()))
        else:
            lines.append(f"{key}: {value}")
    return "\n".join(lines)
