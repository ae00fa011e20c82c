"""`kgan evaluator`: train the domain classifier that `kgan evaluate` uses."""

import argparse
import os

from kgan.cli import CLIError
from kgan.cli import examples


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "evaluator",
        help="Train a domain classifier for offline FID/KID/IS.",
        description=(
            "Manage evaluator networks: small classifiers trained on a labelled "
            "dataset whose penultimate layer gives features and whose softmax gives "
            "class probabilities. Use one with `kgan evaluate --extractor classifier:PATH`. "
            "Voxel data trains a 3D classifier of volumes, for voxel generators."
        ),
        epilog=examples(
            "kgan evaluator train --dataset digits --out evaluator.keras",
            "kgan evaluator train --dataset mnist.npz --image-size 32 --epochs 5 "
            "--out mnist32.keras",
            "kgan evaluator train --dataset shapes --grid-size 32 --epochs 8 --out shapes_eval.keras",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    train = actions.add_parser(
        "train",
        help="Train a classifier and save it as a .keras file.",
        description=(
            "Train the evaluator classifier on a labelled dataset and save it. Voxel data "
            "(the embedded 'shapes', an .npz whose grids are (N, n, n, n) or (N, n, n, n, 1), "
            "a folder of .binvox / .obj / .off / .stl files: what `kgan train --family voxel` "
            "reads) trains a 3D classifier of volumes; any other dataset a 2D image classifier. "
            "`kgan evaluate` tells the two apart by the saved model's input rank."
        ),
        epilog=examples(
            "kgan evaluator train --dataset digits --out evaluator.keras --epochs 20",
            "kgan evaluator train --dataset shapes --grid-size 32 --epochs 8 --out shapes_eval.keras",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    train.add_argument(
        "--dataset", required=True,
        help="labelled data: 'digits', an .npz file, a folder of class subfolders; "
        "or voxel data: 'shapes', an .npz of grids, a folder of .binvox/mesh files",
    )
    train.add_argument("--out", required=True, help="output .keras file")
    train.add_argument("--split", default="train", help="split to train on (default: train)")
    train.add_argument("--epochs", type=int, default=10, help="training epochs (default: 10)")
    train.add_argument("--batch-size", type=int, default=64, help="batch size (default: 64)")
    train.add_argument(
        "--image-size", "--grid-size", dest="image_size", type=int, default=None,
        help="resize to this side: a square image's, or a voxel grid's; match the "
        "generator's output (default: the native size; 32 for voxel data without one)",
    )
    train.add_argument(
        "--channels", type=int, choices=(1, 3), default=None,
        help="convert images to 1 or 3 channels (not for voxel data)",
    )
    train.add_argument("--seed", type=int, default=0, help="seed (default: 0)")
    parser.set_defaults(func=run)


def run(args):
    if args.action != "train":
        raise CLIError("Expected an action: `kgan evaluator train ...`. Received: none")
    if not args.out.endswith(".keras"):
        raise CLIError(f"Expected --out to end in .keras. Received: {args.out}")
    out_dir = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(out_dir):
        raise CLIError(f"Expected --out in an existing directory. Received: {args.out}")
    for name, flag in (("epochs", "--epochs"), ("batch_size", "--batch-size"),
                       ("image_size", "--image-size (--grid-size)")):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise CLIError(f"Expected {flag} >= 1. Received: {value}")

    from kgan import metrics as kgan_metrics
    from kgan.metrics.classifier import classifier_accuracy
    from kgan.metrics.hashing import file_sha256
    from kgan.metrics.real_data import load_real

    try:
        model = kgan_metrics.train_classifier(
            args.dataset, path=args.out, split=args.split, epochs=args.epochs,
            batch_size=args.batch_size, image_size=args.image_size,
            channels=args.channels, seed=args.seed, verbose=2,
        )
    except (ValueError, FileNotFoundError, ModuleNotFoundError) as e:  # the last: meshes without trimesh
        raise CLIError(str(e)) from None
    print(f"saved {args.out} (sha256 {file_sha256(args.out)})")
    try:
        images, labels, _ = load_real(args.dataset, "test", model.input_shape[1:])
    except (ValueError, FileNotFoundError) as e:
        print(f"no test accuracy: {e}")
        return 0
    if labels is not None:
        accuracy = classifier_accuracy(model, images, labels)
        kind = "volumes" if images.ndim == 5 else "images"
        print(f"test accuracy: {accuracy:.4f} on {len(labels)} {kind}")
    return 0
