"""`kgan data convert`: a dataset as sharded TFRecords, for fast repeated training from disk."""

import argparse

from kgan.cli import CLIError
from kgan.cli import examples


def add_parser(subparsers):
    p = subparsers.add_parser(
        "data",
        help="convert a dataset to sharded TFRecords (kgan data convert SRC OUT)",
        description="Data utilities. `convert` writes any source kgan reads (an image folder, a .npz "
        "file, 'digits', a TFDS name) to OUT as PNG-encoded TFRecord shards with kgan_dataset.json; "
        "`kgan train --dataset OUT` then streams it from disk in an order keyed by (seed, epoch).",
        epilog=examples(
            "kgan data convert photos/ photos_tfrecords --shards 16",
            "kgan data convert mnist.npz mnist_tfrecords --split train",
            "kgan train --dataset photos_tfrecords --image-size 64",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    convert = actions.add_parser("convert", help="write SRC as sharded TFRecords in OUT")
    convert.add_argument("src", metavar="SRC", help="an image folder, a .npz file, 'digits' or a TFDS name")
    convert.add_argument("out", metavar="OUT", help="a new folder for the shards")
    convert.add_argument("--split", default="train", help="the split to convert (default: train)")
    convert.add_argument("--shards", type=int, default=8, help="number of TFRecord files (default: 8)")
    convert.add_argument("--on-error", choices=("skip", "raise"), default="skip", help="corrupt images: skip or stop")
    p.set_defaults(func=run)


def run(args):
    if args.action != "convert":
        raise CLIError("Expected an action: `kgan data convert SRC OUT`. Received: none")
    from kgan import data

    try:
        info = data.to_tfrecord(args.src, args.out, split=args.split, shards=args.shards, on_error=args.on_error)
    except (ValueError, FileNotFoundError, FileExistsError) as e:
        raise CLIError(str(e)) from e
    print(f"wrote {info['num_examples']} examples in {len(info['shards'])} shards to {args.out} "
          f"(shape {tuple(info['native_shape'])}, classes {info['num_classes']})")
    return 0
