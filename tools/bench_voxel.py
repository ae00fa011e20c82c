"""Voxel GAN: the default run's held-out quality next to its variants, and training speed and memory at 32^3 and 64^3.

Quality (`--only quality`). Runs on the same data, networks, batches,
epochs, learning rates and seed:

- `kgan default`: `kgan train --family voxel` with no other flag (the
  `voxel_small` preset: the plain non-saturating update, D updated every
  step, no EMA), or the finished run given with `--run`;
- each variant (`--variant NAME=FLAGS`; by default `VARIANTS`: the default
  with a generator EMA, and with 3D-GAN's discriminator accuracy gate at 0.8
  plus the EMA, the preset's former default): the same command with the
  variant's flags, trained here, or the finished run given with
  `--variant-run NAME=RUN`. Settings a variant would not share with the
  default run (`SHARED_SETTINGS`, `SHARED_MODEL_SETTINGS`) are refused.

A small 3D classifier (`kgan.families.voxel.evaluator`) is trained on the real
training shapes and scores, against the real held-out split (the embedded
shapes' test split, never read by training), `--n-per-class` samples per
class of each row, all with the same noise (`kgan.latent.sample_latent`):

- `real train`: real training shapes (the ceiling);
- `kgan default` and each variant: the runs' conditional generators (the
  EMA when the run has one), and for a run with an EMA also `NAME raw G`,
  its trained generator itself (the EMA's effect; the raw G of a variant
  that differs only by the EMA is the default run's own generator);
- `untrained G`: the default run's generator at its initial weights;
- `class means`: each class' voxelwise majority of its training shapes,
  repeated (the right class on average, no variety).

Scores: class agreement (samples of class c classified as c; the classifier's
held-out accuracy is the ceiling), classes covered (classes receiving at
least 2% of the samples), FID in the classifier's 128-d features against the
held-out shapes, "IoU within class" (mean intersection over union of two
different samples of the same class at occupancy 0.5: 1.0 is one shape per
class, i.e. collapse; compare with the real row) and the mean occupied share
of the grid. A figure shows rendered samples, a row per class: kgan default |
the first variant | real held-out shapes.

Speed (`--only speed`). For each configuration (a `voxel` preset, a grid side
and a batch size) a fresh Python process builds the conditional model as
`kgan train --family voxel` does (8 classes), fits it on a constant batch of
random uint8 0/1 grids for `--warmup` untimed then `--steps` (or the
configuration's own STEPS: a 64^3 step of the paper's networks takes many
seconds on a CPU) timed steps, and
reports training images/s (median step), the process' peak RSS
(`getrusage`; includes TensorFlow itself, about 0.6 GB) and parameters.

Examples:

    flock /tmp/kgan-heavy.lock python tools/bench_voxel.py --run runs/voxel_default \\
        --json tools/figures/bench_voxel.json --figure tools/figures/bench_voxel_samples.png
    python tools/bench_voxel.py --only quality --run runs/voxel_default --variant-run "with EMA=runs/voxel_ema" \\
        --variant "with hinge loss=--loss hinge"
    python tools/bench_voxel.py --only speed --config voxel_small:32:32 --config 3dgan:64:8 --steps 5
    python tools/bench_voxel.py --only quality --epochs 1 --train-flag=--preset=voxel_tiny --n-per-class 20  # smoke run
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

DEFAULT_CONFIGS = ("voxel_small:32:32", "3dgan_32:32:32", "voxel_small:64:16:4", "3dgan:64:8:3")
# Variants of the default run: what the `voxel_small` preset measured against (README, "3D shapes").
VARIANTS = {
    "with EMA": ("--ema-half-life", "5000"),
    "with gate + EMA": ("--d-accuracy-gate", "0.8", "--ema-half-life", "5000"),
}
SHARED_SETTINGS = ("dataset", "split", "epochs", "batch_size", "seed")
SHARED_MODEL_SETTINGS = (
    "preset", "grid_size", "conditional", "latent_dim", "base_filters", "loss", "d_steps", "d_learning_rate",
    "g_learning_rate", "beta_1", "d_normalization", "r1_weight", "gp_weight", "label_smoothing",
)


def _parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="\n\n".join(__doc__.split("\n\n")[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--only", choices=("quality", "speed"), help="run one part (default: both)")
    quality = parser.add_argument_group("quality")
    quality.add_argument("--run", help="the finished default run (default: train it, `kgan train --family voxel`)")
    quality.add_argument(
        "--variant", action="append", default=[], metavar="NAME=FLAGS",
        help="a variant: the default run's settings plus these `kgan train` flags, repeatable (default: "
        + "; ".join(f"{k}={' '.join(v)}" for k, v in VARIANTS.items()) + ")",
    )
    quality.add_argument(
        "--variant-run", action="append", default=[], metavar="NAME=RUN",
        help="a finished run of variant NAME (same shared settings as --run) instead of training it, repeatable",
    )
    quality.add_argument("--work-dir", help="where runs trained here go (default: a temporary folder)")
    quality.add_argument("--epochs", type=int, help="epochs of the runs trained here (default: the family's)")
    quality.add_argument(
        "--train-flag", action="append", default=[], help="extra `kgan train` flag for runs trained here, repeatable"
    )
    quality.add_argument("--n-per-class", type=int, default=100, help="samples per class (default: 100, the held-out size)")
    quality.add_argument("--classifier-epochs", type=int, default=8, help="epochs of the 3D classifier (default: 8)")
    quality.add_argument("--seed", type=int, default=0, help="seed of the classifier and the noise (default: 0)")
    quality.add_argument("--figure", help="write rendered samples (a row per class) to this PNG")
    quality.add_argument("--per-row", type=int, default=5, help="samples per class and model in the figure (default: 5)")
    speed = parser.add_argument_group("speed")
    speed.add_argument(
        "--config", action="append", help="PRESET:GRID:BATCH[:STEPS], repeatable (default: " + ", ".join(DEFAULT_CONFIGS) + ")"
    )
    speed.add_argument("--steps", type=int, default=10, help="timed steps of a configuration without :STEPS (default: 10)")
    speed.add_argument("--warmup", type=int, default=2, help="untimed steps first (default: 2)")
    parser.add_argument("--json", help="write the results to this JSON file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# Quality ------------------------------------------------------------------------------------------


def train_run(out, flags):
    """Runs `kgan train --family voxel FLAGS --out OUT` in a subprocess; returns its wall seconds."""
    argv = [sys.executable, "-m", "kgan", "train", "--family", "voxel", "--out", out, "--quiet", "--no-export", *flags]
    print("training:", " ".join(argv[2:]), flush=True)
    start = time.perf_counter()
    subprocess.run(argv, check=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    return time.perf_counter() - start


def repeat_flags(config):
    """`kgan train` flags that repeat a run's data and training settings, with the gate and the EMA off."""
    model = config.model
    flags = [
        "--dataset", str(config.dataset), "--split", config.split, "--epochs", str(config.epochs),
        "--batch-size", str(config.batch_size), "--seed", str(config.seed), "--preset", model.preset,
        "--grid-size", str(model.grid_size), "--latent-dim", str(model.latent_dim),
        "--base-filters", str(model.base_filters), "--loss", model.loss, "--d-steps", str(model.d_steps),
        "--d-lr", repr(model.d_learning_rate), "--g-lr", repr(model.g_learning_rate), "--beta-1", repr(model.beta_1),
        "--d-normalization", model.d_normalization, "--r1-weight", repr(model.r1_weight),
        "--gp-weight", repr(model.gp_weight), "--label-smoothing", repr(model.label_smoothing),
    ]
    return flags + ["--conditional" if model.conditional else "--unconditional", "--d-accuracy-gate", "0",
                    "--ema-half-life", "0"]


def check_comparable(default, other, name):
    """Raises ValueError unless run `other` (variant `name`) shares the default run's data and training settings."""
    differences = [
        key for key in SHARED_SETTINGS if getattr(default, key) != getattr(other, key)
    ] + [key for key in SHARED_MODEL_SETTINGS if getattr(default.model, key) != getattr(other.model, key)]
    if differences:
        raise ValueError(
            f"Expected the run of variant {name!r} to share the default run's settings. Received: different {differences}"
        )


def variant_runs(args, config, work_dir, seconds):
    """`{name: run folder}` of each variant: given with --variant-run, or trained here from the default's settings."""
    from kgan.training import run as run_lib

    variants = dict(item.split("=", 1) for item in args.variant) if args.variant else {
        k: " ".join(v) for k, v in VARIANTS.items()}
    given = dict(item.split("=", 1) for item in args.variant_run)
    unknown = sorted(set(given) - set(variants))
    if unknown:
        raise SystemExit(f"Expected --variant-run names among {sorted(variants)}. Received: {unknown}")
    runs = {}
    for index, (name, flags) in enumerate(variants.items()):
        runs[name] = given.get(name) or os.path.join(work_dir, f"voxel_variant{index}")
        if name not in given:
            seconds[f"{name}_train"] = train_run(runs[name], repeat_flags(config) + flags.split())
        check_comparable(config, run_lib.read_config(runs[name]), name)
    return runs


def within_class_iou(volumes, labels, threshold=0.5):
    """Mean intersection over union of two different samples of the same class, over all such pairs."""
    import numpy as np

    ious = []
    for c in np.unique(labels):
        occupied = (np.asarray(volumes[labels == c]).reshape(np.sum(labels == c), -1) >= threshold).astype("float32")
        if len(occupied) < 2:
            continue
        intersection = occupied @ occupied.T
        sizes = occupied.sum(1)
        union = sizes[:, None] + sizes[None, :] - intersection
        iou = np.where(union > 0, intersection / np.maximum(union, 1), 1.0)
        pairs = ~np.eye(len(occupied), dtype=bool)
        ious.append(iou[pairs].mean())
    return float(np.mean(ious))


def last_history(run_dir):
    """The last row of a run's history.csv as a dict of floats ({} without one)."""
    import csv

    path = os.path.join(run_dir, "history.csv")
    if not os.path.isfile(path):
        return {}
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    values = {}
    for key, value in (rows[-1].items() if rows else ()):
        try:
            values[key] = float(value)
        except (TypeError, ValueError):  # "NA" for a metric not logged that epoch
            continue
    return values


def quality(args, work_dir):
    import numpy as np

    from kgan import data
    from kgan import latent
    from kgan.families.voxel import evaluator
    from kgan.training import run as run_lib

    seconds = {}
    run = args.run
    if run is None:
        run = os.path.join(work_dir, "voxel_default")
        flags = (["--epochs", str(args.epochs)] if args.epochs else []) + args.train_flag
        seconds["default_train"] = train_run(run, flags)
    config = run_lib.read_config(run)
    if not config.model.conditional:
        raise SystemExit("bench_voxel.py scores conditional runs (class agreement needs labels)")
    variants = variant_runs(args, config, work_dir, seconds)

    start = time.perf_counter()
    grid, classes = config.model.grid_size, config.model.num_classes
    train_x, train_y, _ = data.load_voxels(config.dataset, split="train", grid_size=grid)
    test_x, test_y, info = data.load_voxels(config.dataset, split="test", grid_size=grid)
    classifier = evaluator.train_classifier(train_x, train_y, epochs=args.classifier_epochs, seed=args.seed)
    extractor = evaluator.VolumeExtractor(classifier)
    real_features, real_probabilities = extractor(test_x)
    accuracy = evaluator.class_agreement(real_probabilities, test_y)

    n = args.n_per_class
    labels = np.repeat(np.arange(classes), n).astype("int32")
    rng = np.random.default_rng(args.seed)
    picks = np.concatenate([rng.choice(np.flatnonzero(train_y == c), n, replace=False) for c in range(classes)])
    means = np.stack([train_x[train_y == c].mean(0) >= 0.5 for c in range(classes)]).astype("float32")
    untrained = run_lib.build(config)  # seeded as the run was: the weights its training started from
    z = latent.sample_latent(len(labels), config.model.latent_dim, args.seed)
    runs = {"kgan default": run, **variants}
    rows = {
        "real train": train_x[picks].astype("float32"),
        **{key: value for name, path in runs.items() for key, value in _run_rows(name, path, labels, z, args.seed)},
        "untrained G": np.asarray(untrained.sampling_network("generator").predict([z, labels], verbose=0)),
        "class means": means[labels],
    }
    results = {}
    for name, volumes in rows.items():
        results[name] = evaluator.scores(volumes, labels, real_features, extractor)
        results[name]["iou_within_class"] = within_class_iou(volumes, labels)
        results[name]["occupied_share"] = float(np.mean(volumes >= 0.5))
    seconds["scoring"] = time.perf_counter() - start

    print(f"\n3D classifier: {accuracy:.3f} accuracy on {len(test_y)} held-out shapes ({info.name}, {grid}^3)")
    width = max(map(len, results))
    print(f"{'':<{width}} {'agreement':>9} {'covered':>8} {'FID':>9} {'IoU within class':>17} {'occupied':>9}")
    for name, r in results.items():
        print(
            f"{name:<{width}} {r['class_agreement']:>9.3f} {r['classes_covered']:>6}/{classes} {r['fid']:>9.2f} "
            f"{r['iou_within_class']:>17.3f} {r['occupied_share']:>9.3f}"
        )
    names = info.class_names or tuple(str(c) for c in range(classes))
    print("\nagreement per class: " + " ".join(f"{c:>8}" for c in names))
    for name in [n for n in results if n not in ("real train", "untrained G", "class means")]:
        print(f"{name:<20} " + " ".join(f"{a:>8.2f}" for a in results[name]["per_class_agreement"]))
    if args.figure:
        write_figure(args.figure, rows, list(runs)[:2], test_x, test_y, classes, n, args.per_row)
    histories = {name: last_history(path) for name, path in runs.items()}
    for name, history in histories.items():
        shown = {k: round(v, 3) for k, v in history.items() if k in ("d_accuracy", "d_updated", "d_loss", "g_loss")}
        print(f"last epoch of {name}: {shown}")
    return {
        "runs": {name: os.path.abspath(path) for name, path in runs.items()},
        "variants": dict(item.split("=", 1) for item in args.variant) if args.variant else VARIANTS,
        "dataset": info.name,
        "grid_size": grid,
        "class_names": list(names),
        "epochs": config.epochs,
        "samples_per_class": n,
        "classifier": {"epochs": args.classifier_epochs, "held_out_accuracy": accuracy, "seed": args.seed},
        "results": results,
        "last_epoch": histories,
        "seconds": seconds,
    }


def _run_rows(name, run, labels, z, seed):
    """Rows of a run: its sampling generator (the EMA when it has one) and then its raw generator."""
    import numpy as np

    from kgan.training import loading

    model = loading.load_model(run)
    yield name, model.generate(len(labels), labels=labels, seed=seed)
    if model.ema_names:
        yield f"{name} raw G", np.asarray(model.generator.predict([z, labels], batch_size=256, verbose=0))


def write_figure(path, rows, names, test_x, test_y, classes, n, k):
    """Rendered samples, a row per class: the rows `names` (kgan default, a variant) | real held-out shapes."""
    import numpy as np

    from kgan import images
    from kgan import rendering

    panels = []
    for name in names:
        shown = np.concatenate([rows[name][c * n : c * n + k] for c in range(classes)])
        panels.append(rendering.render_grid(shown, rows=classes, size=48))
    real = np.concatenate([test_x[test_y == c][:k] for c in range(classes)])
    panels.append(rendering.render_grid(real, rows=classes, size=48))
    gap = np.full((panels[0].shape[0], 12, 3), 255, "uint8")
    images.save_png(np.concatenate([x for panel in panels for x in (panel, gap)][:-1], axis=1), path)
    print(f"wrote {path} ({' | '.join([*names, 'real held-out shapes'])}; a row per class)")


# Speed --------------------------------------------------------------------------------------------


def measure(preset, grid_size, batch_size, steps, warmup):
    """Builds, fits and times one configuration in this process; returns a dict."""
    import resource

    import keras
    import numpy as np

    from kgan.families.voxel import config as voxel_config
    from kgan.families.voxel import recipe
    from kgan.training.config import TrainConfig

    model_config = voxel_config.Config(preset=preset, grid_size=grid_size)
    train = TrainConfig(family="voxel", batch_size=batch_size, steps_per_execution=1, model=model_config)
    info = type("Info", (), {"num_classes": 8})()
    train.model = recipe.resolve(train, info)
    model = recipe.build(train)
    rng = np.random.default_rng(0)
    grids = (rng.random((batch_size, grid_size, grid_size, grid_size, 1)) < 0.1).astype("uint8")
    labels = (np.arange(batch_size) % 8).astype("int32")
    times = []

    class Clock(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            self.start = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            times.append(time.perf_counter() - self.start)

    x = np.repeat(grids, warmup + steps, axis=0)
    y = np.tile(labels, warmup + steps)
    model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0, callbacks=[Clock()])
    median = float(np.median(times[warmup:]))
    return {
        "preset": preset,
        "grid_size": grid_size,
        "batch_size": batch_size,
        "images_per_s": batch_size / median,
        "seconds_per_step": median,
        "timed_steps": steps,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "g_params": model.generator.count_params(),
        "d_params": model.discriminator.count_params(),
        "d_normalization": train.model.d_normalization,
        "loss": train.model.loss,
        "d_accuracy_gate": train.model.d_accuracy_gate,
    }


def _run_worker(config, steps, warmup):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    argv = [sys.executable, __file__, "--worker", config, "--steps", str(steps), "--warmup", str(warmup)]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env)
    if proc.returncode:
        raise RuntimeError(f"{config} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def speed_table(rows):
    head = f"{'preset':<12} {'grid':>5} {'batch':>5} {'images/s':>9} {'s/step':>7} {'peak RSS MB':>11} {'G params':>10} {'D params':>10}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['preset']:<12} {r['grid_size']:>4}^3 {r['batch_size']:>5} {r['images_per_s']:>9.1f} "
            f"{r['seconds_per_step']:>7.3f} {r['peak_rss_mb']:>11.0f} {r['g_params']:>10,} {r['d_params']:>10,}"
        )
    return "\n".join(lines)


def speed(args):
    rows = []
    for config in args.config or DEFAULT_CONFIGS:
        preset, grid, batch, *steps = config.split(":")
        rows.append(_run_worker(f"{preset}:{grid}:{batch}", int(steps[0]) if steps else args.steps, args.warmup))
        print(f"measured {config}", flush=True)
    print("\n" + speed_table(rows))
    return {"steps": args.steps, "warmup": args.warmup, "results": rows}


def main(argv=None):
    args = _parse_args(argv)
    if args.worker:
        preset, grid, batch = args.worker.split(":")
        print(json.dumps(measure(preset, int(grid), int(batch), args.steps, args.warmup)))
        return 0
    import platform

    result = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform()}, "command": sys.argv}
    with tempfile.TemporaryDirectory() as temp:
        if args.only in (None, "quality"):
            result["quality"] = quality(args, args.work_dir or temp)
    if args.only in (None, "speed"):
        result["speed"] = speed(args)
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
