"""`kgan train`: train a model of any family and export it.

Its options are the settings of `kgan.training.TrainConfig` and of the chosen
family's `Config` (`kgan train --family NAME --help` lists that family's).
"""

import argparse
import json
import os

from kgan.cli import CLIError
from kgan.cli import examples
from kgan.cli import flags

DEFAULT_FAMILY = "gan"


def add_parser(subparsers, argv=()):
    from kgan import families
    from kgan.training.config import TrainConfig

    family = _family_in(argv)
    module = families.config_module(family if family in families.NAMES else DEFAULT_FAMILY)
    p = subparsers.add_parser(
        "train",
        help="train a GAN (default: conditional DCGAN on the embedded digits)",
        description="Train a GAN with model.fit. Writes RUN/config.json, a sample grid every epoch, "
        "full-state checkpoints, TensorBoard logs, RUN/model.keras, and exports the model to saved_models/. "
        "Family options below are those of --family " + (family or DEFAULT_FAMILY) + "; "
        "`kgan train --family NAME --help` lists another family's.",
        epilog=examples(
            "kgan train                                  # DCGAN on the embedded 8x8 digits, ~2 min on 2 CPUs",
            "kgan train --dry-run                        # print the resolved config and exit",
            "kgan train --dataset data.npz --preset dcgan --image-size 32 --epochs 50",
            "kgan train --dataset ./images --unconditional --loss hinge",
            "kgan train --dataset mnist --data-dir ~/tensorflow_datasets --image-size 28",
            "kgan train --loss wasserstein --d-steps 5 --batch-size 320",
            "kgan train --precision float32                # not the bfloat16 / float16 `auto` may pick",
            "kgan train --resume runs/dcgan_small-digits-20261123-101500",
            "kgan train --resume runs/dcgan_small-digits-20261123-101500 --epochs 300   # extend a run",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    flags.add_settings(p, TrainConfig, "run")
    flags.add_settings(p, module.Config, f"family {family or DEFAULT_FAMILY} ({module.DESCRIPTION})")
    p.add_argument("--resume", metavar="RUN", default=None, help="continue the interrupted run in RUN (only --epochs may change, to extend it)")
    p.add_argument("--dry-run", action="store_true", help="print the resolved config and exit")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _family_in(argv):
    """The value of --family in `argv`, or None (the parser's options depend on it)."""
    argv = list(argv or ())
    for i, word in enumerate(argv):
        if word == "--family" and i + 1 < len(argv):
            return argv[i + 1]
        if word.startswith("--family="):
            return word.split("=", 1)[1]
    return None


def config_from_args(args):
    """The `TrainConfig` the flags describe (unset settings keep their defaults)."""
    from kgan import families
    from kgan.training.config import TrainConfig

    common = flags.given(args, TrainConfig)
    family = common.get("family", DEFAULT_FAMILY)
    model = flags.given(args, families.config_module(family).Config)
    return TrainConfig(**common, model=families.config_module(family).Config(**model))


def _check_resume_flags(args):
    from kgan import families
    from kgan.training.config import TrainConfig

    common = flags.given(args, TrainConfig)
    family = families.config_module(common.get("family", DEFAULT_FAMILY)).Config
    refused = [flags.flag_of(TrainConfig, name) for name in common if name != "epochs"]
    refused += [flags.flag_of(family, name) for name in flags.given(args, family)]
    if refused:
        raise CLIError(
            "--resume continues a run with the settings in its config.json; only --epochs may change "
            f"(to extend it). Received: {', '.join(sorted(refused))}"
        )
    return common.get("epochs")


def run(args):
    from kgan import training
    from kgan.training import runs

    verbose = 0 if args.quiet else "auto"
    try:
        if args.resume:
            epochs = _check_resume_flags(args)
            if not runs.is_run_dir(args.resume):
                raise CLIError(f"--resume expects a run directory holding config.json. Received: {args.resume!r}")
            if args.dry_run:
                print(json.dumps(runs.read_config(args.resume), indent=2, sort_keys=True))
                return 0
            print(f"precision: {training.read_config(args.resume).precision} (the run's, from its config.json)")
            _, run_dir = training.resume(args.resume, verbose=verbose, epochs=epochs)
        else:
            config = config_from_args(args).validate()
            if args.dry_run:
                print(training.resolve(config).to_json())
                return 0
            print("precision: {} ({})".format(*config.resolve_precision()))
            _, run_dir = training.train(config, verbose=verbose)
    except (ValueError, FileNotFoundError, FileExistsError) as e:
        raise CLIError(str(e)) from e
    print(f"run directory: {run_dir}")
    records = runs.exports(run_dir)
    for record in records:
        if record["epoch"] == records[-1]["epoch"]:
            print(f"exported model: {record['path']} (serve it with `kgan serve {os.path.dirname(record['path'])}`)")
    return 0
