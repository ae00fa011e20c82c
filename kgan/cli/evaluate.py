"""`kgan evaluate`: score a generator and write its protocol card."""

import argparse
import os

from kgan.cli import CLIError
from kgan.cli import examples
from kgan.metrics.evaluation import METRICS as METRIC_NAMES


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "evaluate",
        help="Score a generator (FID, KID, precision/recall, IS, CAS, class agreement).",
        description=(
            "Generate N images from SRC, compare their features with real images, "
            "print a table of scores and write a JSON protocol card recording how "
            "they were made (extractor and weights hash, sample counts, split, "
            "resizing, seed, kgan version). A voxel generator's volumes are compared "
            "with real voxel data read at their grid size, through a volume classifier "
            "(`kgan evaluator train` on voxel data); volumes are never resized."
        ),
        epilog=examples(
            "kgan evaluator train --dataset digits --out evaluator.keras",
            "kgan evaluate runs/dcgan --dataset digits --extractor classifier:evaluator.keras",
            "kgan evaluate gen.keras --dataset mnist.npz --n 10000 "
            "--extractor inception:inception_v3.h5 --out card.json",
            "kgan evaluate saved_models/digits/1 --dataset digits "
            "--extractor classifier:evaluator.keras --metrics fid,kid,per_class_fid,cas",
            "kgan evaluator train --dataset shapes --grid-size 32 --out shapes_eval.keras",
            "kgan evaluate runs/voxel_small-shapes-RUN --dataset shapes --n 800 "
            "--extractor classifier:shapes_eval.keras "
            "--metrics fid,kid,precision_recall,per_class_fid,cas,class_agreement,classes_covered",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "src", metavar="SRC",
        help="a run directory, a .keras file, an exported SavedModel directory "
        "or an .onnx file",
    )
    parser.add_argument(
        "--dataset", required=True,
        help="real data: 'digits', an .npz file, an image folder, a TFDS name; for "
        "volumes: 'shapes', an .npz of grids, a folder of .binvox/mesh files",
    )
    parser.add_argument("--split", default="test", help="real data split (default: test)")
    parser.add_argument(
        "--n", type=int, default=10000, help="generated images or volumes (default: 10000)"
    )
    parser.add_argument(
        "--n-real", type=int, default=None, help="real examples (default: min(n, split size))"
    )
    parser.add_argument(
        "--extractor", required=True,
        help="classifier:PATH (a `kgan evaluator` .keras file, of images or volumes), inception:PATH "
        "(Keras InceptionV3 .h5 weights; '_notop' files give no IS), "
        "or inception with --download",
    )
    parser.add_argument(
        "--download", action="store_true",
        help="download the Keras InceptionV3 ImageNet weights (needs the network)",
    )
    parser.add_argument(
        "--metrics", default="fid,kid,precision_recall",
        help="comma-separated, from: " + ", ".join(METRIC_NAMES)
        + " (class_agreement: of a conditional generator, with the classifier's real "
        "accuracy as real_class_agreement)",
    )
    parser.add_argument(
        "--batch-size", type=int, default=100, help="images per batch (default: 100)"
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of noise, real subset, KID subsets (default: 0)"
    )
    parser.add_argument(
        "--out", default="evaluation.json", help="protocol card path (default: evaluation.json)"
    )
    parser.set_defaults(func=run)


def run(args):
    metrics = parse_metrics(args.metrics)
    kind, path = parse_extractor(args.extractor, args.download)
    check_arguments(args)

    from kgan import metrics as kgan_metrics
    from kgan import atomic

    sampler = load_sampler(args.src)
    try:
        extractor = build_extractor(kind, path, args.download)
        card = kgan_metrics.evaluate(
            sampler, args.dataset, extractor, n=args.n, metrics=metrics, seed=args.seed,
            n_real=args.n_real, split=args.split, batch_size=args.batch_size,
        )
    except (ValueError, OSError, ModuleNotFoundError) as e:  # the last: mesh folders without trimesh
        raise CLIError(str(e)) from None
    card["generator"]["source"] = os.path.abspath(args.src)
    card["command"] = command_line(args)
    atomic.write_json(args.out, card)
    print(format_table(card))
    print(f"protocol card: {args.out}")
    return 0


def check_arguments(args):
    for flag, value in (("--n", args.n), ("--batch-size", args.batch_size),
                        ("--n-real", args.n_real)):
        if value is not None and value < 1:
            raise CLIError(f"Expected {flag} >= 1. Received: {value}")
    if not os.path.exists(args.src):
        raise CLIError(
            "Expected SRC to be an existing run, .keras, SavedModel or .onnx path. "
            f"Received: {args.src}"
        )
    if not os.path.isdir(os.path.dirname(os.path.abspath(args.out))):
        raise CLIError(f"Expected --out in an existing directory. Received: {args.out}")


def parse_metrics(text):
    metrics = tuple(m.strip() for m in text.split(",") if m.strip())
    unknown = [m for m in metrics if m not in METRIC_NAMES]
    if unknown or not metrics:
        raise CLIError(f"Expected --metrics from {', '.join(METRIC_NAMES)}. Received: {text!r}")
    return metrics


def parse_extractor(spec, download):
    """Returns `(kind, path)` from `classifier:PATH`, `inception:PATH` or `inception`."""
    kind, _, path = spec.partition(":")
    if kind == "inception" and not path and download:
        return kind, None
    if kind not in ("classifier", "inception") or not path:
        raise CLIError(
            "Expected --extractor classifier:PATH, inception:PATH, or inception "
            f"with --download. Received: {spec!r}"
        )
    if not os.path.isfile(path):
        raise CLIError(f"Expected the --extractor file to exist. Received: {path}")
    return kind, path


def build_extractor(kind, path, download):
    from kgan import metrics as kgan_metrics

    if kind == "classifier":
        return kgan_metrics.ClassifierExtractor(path)
    include_top = path is None or "notop" not in os.path.basename(path)
    return kgan_metrics.InceptionExtractor(path, include_top=include_top, download=download)


def load_sampler(src):
    """Loads SRC (a run, a .keras file or an exported model) as a sampler."""
    from kgan.training import loading

    try:
        return loading.load_sampler(src)
    except (ValueError, OSError) as e:
        raise CLIError(f"Could not load {src}: {e}") from None


def format_table(card):
    """Returns the scores and the main protocol fields as an aligned table."""
    rows = [(name, f"{value:.6g}") for name, value in card["scores"].items()]
    rows += [
        ("n_fake / n_real", f"{card['n_fake']} / {card['n_real']}"),
        ("dataset", f"{card['dataset']} ({card['split']})"),
        ("samples", card["samples"]),
        ("extractor", card["extractor"]["name"]),
        ("weights sha256", card["extractor"]["weights_sha256"][:16] + "..."),
        ("resize", card["resize"]),
        ("seed", str(card["seed"])),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def command_line(args):
    """Returns the equivalent `kgan evaluate` command, for the card."""
    parts = ["kgan evaluate", args.src, "--dataset", args.dataset, "--split", args.split,
             "--n", str(args.n), "--extractor", args.extractor, "--metrics", args.metrics,
             "--batch-size", str(args.batch_size), "--seed", str(args.seed)]
    if args.n_real is not None:
        parts += ["--n-real", str(args.n_real)]
    if args.download:
        parts.append("--download")
    return " ".join(parts)
