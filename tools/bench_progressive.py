"""Progressive growing (`--family progressive`) against kgan's DCGAN and against no growing, at the same wall-clock budget.

Three contenders, in one process, on the same training images:

- progressive: the model `kgan train --family progressive` builds
  (conditional, default settings), growing 4x4 -> final size;
- fixed: the same model and settings trained at the final size from the
  first step (its image count starts where growth would be complete), i.e.
  the same networks, losses and optimizers without growing;
- DCGAN: the model `kgan train --family gan` builds (conditional, default
  settings) at the same size, the baseline the issue names.

They train interleaved in slices of a few seconds in one
process (`tools/bench_quality.py`'s race, so load from other processes falls
on both alike), each with its own clock (graph tracing included, scoring
excluded), and scored when the clock reaches the budget:

- data: `--dataset mnist`: MNIST's 60,000 training digits padded to 32x32
  (28 px with two rows and columns of background on each side), from
  `../shared/data/mnist.npz` (a benchmark file; kgan itself never reads it);
  `--dataset digits`: the embedded 8x8 digits upsampled to 16x16, as
  `kgan train` uses them. DCGAN gets `--image-size` of the same size.
- the growth schedule: the progressive GAN's phases must fit the budget. The
  tool first measures its training images/s in every phase (a model of the
  same settings, a few compiled calls per phase after a warm-up call), then
  gives every phase the same number of images P, as `kgan train` does by
  default, with P chosen so that 4x4, every fade-in and every stable phase
  and two more shares at the final resolution fill the budget: growth
  completes at about 2/3 of the images. Those per-phase images/s are the
  "training images/s per resolution stage" table.
- scores (`tools/bench_quality.py`'s `Scorer`), in the features of a
  classifier trained on the real training split (`kgan.metrics.train_classifier`,
  what `kgan evaluator train` makes): FID and KID against real held-out
  images; confident: share of samples the classifier labels with probability
  >= 0.9; classes: classes holding >= 5% of the samples; agree: share
  labelled as the class asked for. Samples are compared with held-out real
  images: MNIST: one half of its test split, the other half being the
  "real" row (the ceiling); digits: the embedded test split (359 digits,
  never trained on), the "real" row being the training split's digits.
- figures: the progressive GAN's sample grid at the end of every stage (its
  current resolution, shown upsampled to the final one), then both models'
  final grids and real digits, one row per class.

Examples:

    python tools/bench_progressive.py --dataset digits --budget 5 --json tools/figures/bench_progressive_digits.json
    python tools/bench_progressive.py --dataset mnist --budget 10 --n 5000 --json tools/figures/bench_progressive_mnist.json
    python tools/bench_progressive.py --dataset digits --budget 1 --n 500 --evaluator-epochs 2   # a smoke run
    python tools/bench_progressive.py --dataset digits --score-run runs/RUN --json tools/figures/F.json

`--score-run RUN` trains nothing: it scores a finished `kgan train` run (or
.keras file), e.g. the default run `kgan train --family progressive`, with
the same evaluator and held-out reference, and prints its row next to the
real one (a few seconds once the evaluator is cached).

Run it under the shared lock (`flock /tmp/kgan-heavy.lock ...`): it takes
about three times the budget (twice with `--no-fixed`) plus the
evaluator's training.
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import bench_quality as bq  # noqa: E402

MNIST = bq.MNIST
FIGURES = bq.FIGURES


def _parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="\n\n".join(__doc__.split("\n\n")[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--dataset", choices=("digits", "mnist"), default="digits", help="default: digits")
    parser.add_argument("--mnist", default=MNIST, help=f"MNIST .npz (default: {MNIST})")
    parser.add_argument("--budget", type=float, default=5.0, help="training minutes per model (default: 5)")
    parser.add_argument("--n", type=int, default=None, help="generated images per score (default: the held-out count)")
    parser.add_argument("--evaluator-epochs", type=int, default=None, help="evaluator training epochs (default: bench_quality's)")
    parser.add_argument("--cache-dir", default=os.path.expanduser("~/.cache/kgan-bench"), help="where evaluators are cached")
    parser.add_argument("--progressive", default="", help="extra `kgan train --family progressive` flags")
    parser.add_argument("--gan", default="", help="extra `kgan train --family gan` flags")
    parser.add_argument("--probe-calls", type=int, default=4, help="timed compiled calls per phase (default: 4)")
    parser.add_argument("--slice", type=float, default=5.0, help="seconds per turn in the race (default: 5)")
    parser.add_argument("--score-run", metavar="RUN", help="only score this run folder or .keras file (no training)")
    parser.add_argument("--no-fixed", action="store_true", help="leave out the fixed-size (no growing) contender")
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--figure", help="write the sample grids here (default: next to --json, .png)")
    return parser.parse_args(argv)


# Data -------------------------------------------------------------------------------------------


def load(name, mnist_path):
    """`{"name", "x_train", "y_train", "x_test", "y_test"}` in [-1, 1] at the benchmark's size."""
    if name == "digits":
        return bq.load_dataset("digits")
    from kgan.families.progressive.recipe import pad_to

    with np.load(mnist_path) as data:
        arrays = {key: data[key] for key in ("x_train", "y_train", "x_test", "y_test")}
    dataset = {"name": "mnist32"}
    for split in ("train", "test"):
        x = arrays[f"x_{split}"].astype("float32")[..., None] / 127.5 - 1.0
        dataset[f"x_{split}"] = pad_to(x, 32)
        dataset[f"y_{split}"] = arrays[f"y_{split}"].astype("int32")
    return dataset


def reference_and_ceiling(dataset):
    """`(reference, ceiling)`: held-out real images samples are compared with, and real images scored alike.

    MNIST: the two halves of its test split (`bench_quality.real_split`).
    Digits: the test split is the reference (held out from training and
    from the evaluator), and the training split is scored as the real row.
    """
    if dataset["name"] != "digits":
        return bq.real_split(dataset)
    return (dataset["x_test"], dataset["y_test"]), (dataset["x_train"], dataset["y_train"])


# The progressive contenders ------------------------------------------------------------------------


class StagedTrainer(bq.KganTrainer):
    """A progressive `KganTrainer` that keeps a sample grid at the end of every stage."""

    kind = "kgan progressive"

    def __init__(self, name, flags, examples, final_size):
        super().__init__(name, flags, examples)
        self.final_size = final_size
        self.phase = self.model.growth()["phase"]
        self.stages = []

    def call(self):
        elapsed = super().call()
        growth = self.model.growth()
        if growth["phase"] != self.phase:  # a stage ended during this call
            self.stages.append(
                {"stage": self.phase, "seconds": round(self.seconds, 1), "images": growth["images_seen"], "grid": self.grid()}
            )
            self.phase = growth["phase"]
        return elapsed

    def grid(self, seed=7):
        """100 samples at the current resolution, upsampled to the final one, one row per class."""
        from kgan import images

        samples = self.model.generate(100, labels=np.repeat(np.arange(10), 10), seed=seed)
        factor = self.final_size // samples.shape[1]
        return images.make_grid(samples.repeat(factor, axis=1).repeat(factor, axis=2), rows=10, scale=2)


def fixed_size(trainer):
    """Makes a progressive trainer's model train at its final size from the next step on (no growing)."""
    model = trainer.model
    model.images_seen.assign(model.schedule.images_to_full_resolution)
    assert model.growth()["complete"], model.growth()
    return trainer


def _stage_flags(dataset_arg, size, extra, fade, stabilize):
    return (
        f"--family progressive --dataset {dataset_arg} --image-size {size} --fade-images {fade} "
        f"--stabilize-images {stabilize} {extra}"
    )


def probe(dataset_arg, size, extra, examples, calls, log=print):
    """Images/s of the progressive GAN in every phase, and its first (tracing) call's seconds."""
    huge = 10**9
    trainer = bq.KganTrainer("probe", _stage_flags(dataset_arg, size, extra, huge, huge), examples)
    schedule, model = trainer.model.schedule, trainer.model
    images_per_call = trainer.batch_size * trainer.steps_per_call
    rates = []
    trainer.call()
    first_call = trainer.first_call_seconds
    for start, phase in schedule.phase_starts():
        model.images_seen.assign(start + huge // 4)  # well inside the phase
        trainer.call()  # warm-up
        begin = time.perf_counter()
        for _ in range(calls):
            trainer.call()
        rate = calls * images_per_call / (time.perf_counter() - begin)
        rates.append({"stage": phase, "images_per_second": round(rate, 1)})
        log(f"  {phase:18s} {rate:8.0f} images/s")
    return rates, first_call


def phase_images(rates, budget_seconds, batch_images):
    """Images per phase P so that one share per phase and two more at the final resolution fill the budget."""
    seconds_per_share = sum(1.0 / r["images_per_second"] for r in rates) + 1.0 / rates[-1]["images_per_second"]
    images = budget_seconds / seconds_per_share
    return max(batch_images, int(images // batch_images) * batch_images)


# The benchmark -------------------------------------------------------------------------------------


def main(argv=None):
    args = _parse_args(argv)
    log = lambda *a: print(*a, flush=True)  # noqa: E731
    dataset = load(args.dataset, args.mnist)
    size = dataset["x_train"].shape[1]
    dataset_arg = "digits" if args.dataset == "digits" else args.mnist
    examples = (dataset["x_train"], dataset["y_train"])
    log(f"data: {dataset['name']}, {len(examples[0])} training images of {size}x{size}")

    extractor, evaluator_accuracy = bq.evaluator(dataset, args.cache_dir, args.evaluator_epochs, log=log)
    log(f"evaluator: test accuracy {evaluator_accuracy:.4f}")
    reference, ceiling = reference_and_ceiling(dataset)
    scorer = bq.Scorer(extractor, reference, ceiling, n=args.n)

    if args.score_run:
        return score_run(args, dataset, scorer, evaluator_accuracy, log)

    log("training images/s per stage (progressive):")
    rates, first_call = probe(dataset_arg, size, args.progressive, examples, args.probe_calls, log)
    budget = args.budget * 60.0
    batch = bq.kgan_config(["--family", "progressive", "--dataset", dataset_arg]).batch_size
    images = phase_images(rates, max(budget - first_call, budget / 2), batch)
    log(f"images per phase: {images} (first call {first_call:.1f}s)")

    progressive = StagedTrainer(
        "progressive", _stage_flags(dataset_arg, size, args.progressive, images, images), examples, size
    )
    dcgan = bq.KganTrainer("dcgan", f"--family gan --dataset {dataset_arg} --image-size {size} {args.gan}", examples)
    trainers = [progressive, dcgan]
    if not args.no_fixed:
        flags = _stage_flags(dataset_arg, size, args.progressive, images, images)
        trainers.insert(1, fixed_size(bq.KganTrainer("fixed", flags, examples)))
    scores = {}

    def on_checkpoint(trainer, _):
        with bq.dtype_policy(trainer.policy):
            scores[trainer.name] = {
                **scorer.score(trainer.sampler),
                "seconds": round(trainer.seconds, 1),
                "steps": trainer.steps,
                "images": trainer.steps * trainer.batch_size,
                "images_per_second": round(trainer.steps * trainer.batch_size / trainer.seconds, 1),
            }
        log(f"{trainer.name}: {json.dumps({k: v for k, v in scores[trainer.name].items() if k != 'histogram'})}")

    start = time.time()
    bq.race(trainers, [budget], on_checkpoint, slice_seconds=args.slice, log=log)
    growth = progressive.model.growth()
    final = {t.name: t.grid() for t in trainers}
    result = {
        "dataset": dataset["name"],
        "image_size": size,
        "budget_minutes": args.budget,
        "wall_seconds": round(time.time() - start, 1),
        "evaluator_test_accuracy": evaluator_accuracy,
        "scorer": scorer.describe(),
        "ceiling": scorer.ceiling,
        "stage_images_per_second": rates,
        "images_per_phase": images,
        "growth_at_budget": growth,
        "stages": [{k: v for k, v in s.items() if k != "grid"} for s in progressive.stages],
        "scores": scores,
        "contenders": {t.name: t.describe() for t in trainers},
    }
    if args.json:  # first, so a failure below loses no measurement
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    print()
    print(table(result))
    print()
    print(stage_table(result))
    figure = args.figure or (os.path.splitext(args.json)[0] + ".png" if args.json else None)
    if figure:
        grids = [s["grid"] for s in progressive.stages] + [final[t.name] for t in trainers]
        names = {"progressive": "progressive, final", "fixed": "no growing", "dcgan": "DCGAN"}
        titles = [f"end of {s['stage']}" for s in progressive.stages] + [names[t.name] for t in trainers]
        grids.append(bq.real_grid(*ceiling))
        titles.append("real")
        bq.side_by_side(grids, titles, figure)
        print(f"figure: {figure}")
    return 0


def score_run(args, dataset, scorer, evaluator_accuracy, log):
    """Scores a finished run's model (its EMA generator at its current resolution) against the held-out reference."""
    from kgan.training import loading

    model = loading.load_model(args.score_run)
    scores = scorer.score(model)
    growth = model.growth() if hasattr(model, "growth") else None
    result = {
        "dataset": dataset["name"],
        "source": args.score_run,
        "evaluator_test_accuracy": evaluator_accuracy,
        "scorer": scorer.describe(),
        "ceiling": scorer.ceiling,
        "growth": growth,
        "scores": scores,
    }
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    c = scorer.ceiling
    rows = [
        [args.score_run, f"{scores['fid']:.2f}", f"{scores['kid']:.3g}", f"{100 * scores['confident']:.1f}%",
         scores["classes"], f"{100 * scores.get('agree', float('nan')):.1f}%"],
        ["real", f"{c['fid']:.2f}", f"{c['kid']:.3g}", f"{100 * c['confident']:.1f}%", c["classes"], ""],
    ]
    print(bq.format_table(["model", "FID", "KID", "confident", "classes", "agree"], rows))
    log(f"growth: {growth}")
    return 0


def table(result):
    rows = []
    labels = {
        "progressive": "progressive (ProGAN)",
        "fixed": "same model, no growing",
        "dcgan": "DCGAN (`--family gan`)",
    }
    for name, label in labels.items():
        if name not in result["scores"]:
            continue
        s = result["scores"][name]
        rows.append([
            label, f"{s['images']:,}", f"{s['images_per_second']:,.0f}", f"{s['fid']:.2f}", f"{s['kid']:.3g}",
            f"{100 * s['confident']:.1f}%", s["classes"], f"{100 * s.get('agree', float('nan')):.1f}%",
        ])
    c = result["ceiling"]
    real = "real (train split)" if result["dataset"] == "digits" else "real (held-out half)"
    rows.append([real, "", "", f"{c['fid']:.2f}", f"{c['kid']:.3g}", f"{100 * c['confident']:.1f}%", c["classes"], ""])
    header = ["model", "images trained", "images/s", "FID", "KID", "confident", "classes", "agree"]
    return bq.format_table(header, rows)


def stage_table(result):
    rows = [[r["stage"], f"{r['images_per_second']:,.0f}"] for r in result["stage_images_per_second"]]
    size = f"{result['image_size']}x{result['image_size']}"
    for name, label in (("fixed", f"no growing, {size} (race average)"), ("dcgan", f"DCGAN at {size} (race average)")):
        if name in result["scores"]:
            rows.append([label, f"{result['scores'][name]['images_per_second']:,.0f}"])
    return bq.format_table(["stage", "training images/s"], rows)


if __name__ == "__main__":
    sys.exit(main())
