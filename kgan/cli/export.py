"""`kgan export`: a checked SavedModel + ONNX version folder for TF Serving and Triton."""

import argparse
import os
import shlex
import sys

from kgan.cli import CLIError
from kgan.cli import examples


def add_parser(subparsers):
    p = subparsers.add_parser(
        "export",
        help="export a generator to SavedModel + ONNX (TF Serving, Triton, onnxruntime)",
        description=(
            "Write OUT/NAME/VERSION/ with a SavedModel (signatures serving_default, generate, "
            "sample), model.onnx and card.json, plus OUT/NAME/config.pbtxt for Triton. The "
            "files are checked against the Keras generator at batch 1, 7 and 64 (max abs "
            "error <= 1e-5) before the version folder appears; a failed check leaves nothing. "
            "The EMA generator is exported when the run has one."
        ),
        epilog=examples(
            "kgan export runs/digits                      # saved_models/digits/1",
            "kgan export runs/digits --name digits --version 3 --float16",
            "kgan export model.keras --out /srv/models --opset 17",
            "tensorflow_model_server --rest_api_port=8501 --model_name=digits "
            "--model_base_path=$PWD/saved_models/digits",
            "tritonserver --model-repository=$PWD/saved_models",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("src", metavar="SRC", help="a run directory or a .keras file")
    p.add_argument("--out", default="saved_models", help="export root, a Triton model repository (default: saved_models)")
    p.add_argument("--name", default=None, help="model name (default: the run folder's or .keras file's name)")
    p.add_argument("--version", type=int, default=None, help="version number (default: the next free one)")
    p.add_argument("--opset", type=int, default=None, help="ONNX opset (default: 17)")
    p.add_argument("--float16", action="store_true", help="also write model_fp16.onnx for GPUs (checked to 1e-2)")
    p.add_argument("--max-batch-size", type=int, default=256, help="Triton max_batch_size (default: 256)")
    p.set_defaults(func=run)


def run(args):
    from kgan import export
    from kgan.training import loading
    from kgan.training import runs

    if not os.path.exists(args.src):
        raise CLIError(f"SRC not found: {args.src}")
    options = {"float16": args.float16, "max_batch_size": args.max_batch_size}
    if args.opset is not None:
        options["opset"] = args.opset
    command = shlex.join(["kgan", *sys.argv[1:]]) if sys.argv[1:2] == ["export"] else None
    try:
        model = loading.load_model(args.src)
        name = args.name or runs.default_name(args.src)
        paths = [
            export.export_model(
                model,
                args.out,
                name + (f"-{part}" if part else ""),
                args.version,
                source=os.path.abspath(args.src),
                command=command,
                card_extra=runs.run_details(args.src),
                part=part,
                **options,
            )
            for part in model.export_parts()
        ]
    except (FileNotFoundError, FileExistsError, ValueError, export.ParityError) as e:
        raise CLIError(str(e)) from e
    for path in paths:
        _report(path, export.read_card(path))
    return 0


def _report(path, card):
    from kgan import specs

    parity = card["parity"]
    worst = {
        name: max(parity[name].values())
        for name in ("saved_model", "onnx", "onnx_float16")
        if name in parity
    }
    spec = specs.from_card(card)
    inputs = ", ".join(f"{t.name} {t.dtype}{list(t.shape)} ({t.role})" for t in spec.inputs)
    print(f"exported {card['name']} version {card['version']} to {path}")
    print(f"  task {spec.task}: {inputs} -> {spec.output.name} {list(spec.output.shape)}; "
          f"weights={card['weights']} opset={card['onnx']['opset']}")
    sample = f", sample {parity['sample']:.2g}" if "sample" in parity else ""
    print("  max abs error vs Keras (worst over the checked batches and sizes): "
          + ", ".join(f"{name} {value:.2g}" for name, value in worst.items()) + sample)
    if "trained_precision" in parity:
        trained = parity["trained_precision"]
        print(f"  trained in {', '.join(trained['policies'])}, exported in float32: max abs difference "
              f"{max(trained['max_abs_difference'].values()):.2g} from the trained network")
    print(f"  files: {', '.join(sorted(os.listdir(path)))}")
