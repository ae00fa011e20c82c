"""The `kgan` command line: one module per subcommand.

Each subcommand module defines `add_parser(subparsers)` (which registers its
arguments and sets `func`; it may also take `argv` when its options depend on
them) and a `run(args)` function that returns an exit code.
"""

import argparse
import importlib
import inspect
import os
import sys

from kgan import __version__

# Subcommand name -> module under kgan.cli. Modules import TensorFlow lazily
# inside `run`, so `kgan --help` answers at once.
SUBCOMMANDS = ("train", "sample", "export", "serve", "evaluate", "evaluator", "info", "data", "translate", "upscale")


class CLIError(Exception):
    """A user error: printed as `kgan <cmd>: error: ...` with exit code 2."""


def build_parser(argv=()):
    """The `kgan` parser; `argv` lets a subcommand shape its options (e.g. `--family`)."""
    parser = argparse.ArgumentParser(
        prog="kgan",
        description="Train, sample, export, serve and evaluate GANs built on Keras.",
        epilog="Run `kgan COMMAND --help` for a command's options and examples.\n\n"
        + examples(
            "kgan train                                  # DCGAN on the embedded digits",
            "kgan train --dataset data.npz --epochs 50 --out runs/mine",
            "kgan train --resume runs/mine               # continue an interrupted run",
            "kgan sample runs/mine --n 64 --out grid.png",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"kgan {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f"kgan.cli.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"kgan.cli.{name}":
                continue  # subcommand not installed in this build
            raise
        if "argv" in inspect.signature(module.add_parser).parameters:
            module.add_parser(subparsers, argv=argv)
        else:
            module.add_parser(subparsers)
    return parser


def main(argv=None):
    # TensorFlow's C++ start-up chatter hides the CLI's own output.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args) or 0
    except CLIError as e:
        print(f"kgan {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"kgan {args.command}: interrupted", file=sys.stderr)
        return 130


def examples(*lines):
    """Formats an argparse epilog of usage examples."""
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)
