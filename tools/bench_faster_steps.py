"""Faster steps: lazy R1, one generator forward per step, and bfloat16, for speed and for quality.

Variants (each a set of `kgan train` flags on top of the run's own; `--bf16`
builds and trains under Keras' `mixed_bfloat16` policy):

    baseline          R1 every D step, two G forwards per step, float32 (today's default)
    lazy R1           --r1-interval 16 (R1 every 16 D steps, weighted by 16; StyleGAN2's Adam adjustment)
    reuse fakes       --reuse-fakes (the D phase's fakes are scored for G through the updated D)
    bf16              --bf16
    lazy + reuse      both
    lazy+reuse+bf16   all three
    lazy R1 k=4, reuse + bf16, lazy4+reuse+bf16   (not run by default)

Parts (`--parts`):
- `speed`: steps/s of every variant on the default run's networks (digits,
  16 px, dcgan_small, conditional, batch 64, 8 steps per call) and on MNIST
  at 28 px, measured interleaved call by call in one process (median call
  time after warm-up), as a ratio to the baseline.
- `speed_keras_io`: the same on the keras.io custom-train-step guide's MNIST
  networks (G 1.34M, D 75k parameters; tools/bench_quality.py), unconditional,
  batch 64, one step per call: kgan's update with each variant's options
  (R1 weight 0.2, Adam(2e-4, 0.5) as kgan's defaults) next to the guide's own
  update (one D step on concat(fake, real), no penalty) as the textbook
  reference; ratios are to kgan's baseline.
- `default_run`: the default `kgan train` run (150 epochs of the digits =
  3,300 steps), every variant trained interleaved to the same step count,
  for each seed; scores: `tools/check_default_run.py`'s (an SVC on the real
  8x8 digits: agreement with the requested class, classes present,
  within-class diversity fake / real) and the evaluator's (FID, confident
  share; see tools/bench_quality.py), and the training seconds.
- `mnist_budget`: every variant on MNIST at 28 px (`kgan train --dataset
  mnist.npz`) for the same wall-clock budget, interleaved; the evaluator's
  scores at the end.

Examples:

    python tools/bench_faster_steps.py
    python tools/bench_faster_steps.py --parts speed --speed-calls 10
    python tools/bench_faster_steps.py --parts default_run --seeds 0 1 --epochs 150
    python tools/bench_faster_steps.py --parts mnist_budget --budget-minutes 4
    python tools/bench_faster_steps.py --parts speed_keras_io --speed-calls 8 --warmup-calls 2 \\
        --json tools/figures/bench_faster_steps_keras_io.json
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_quality as bq  # noqa: E402

VARIANTS = {
    "baseline": "",
    "lazy R1": "--r1-interval 16",
    "reuse fakes": "--reuse-fakes",
    "bf16": "--bf16",
    "lazy + reuse": "--r1-interval 16 --reuse-fakes",
    "lazy+reuse+bf16": "--r1-interval 16 --reuse-fakes --bf16",
    "lazy R1 k=4": "--r1-interval 4",
    "reuse + bf16": "--reuse-fakes --bf16",
    "lazy4+reuse+bf16": "--r1-interval 4 --reuse-fakes --bf16",
}
DEFAULT_VARIANTS = list(VARIANTS)[:6]
PARTS = ("speed", "default_run", "mnist_budget", "speed_keras_io")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__[__doc__.index("Variants") :],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS[:3]),
                        help="parts to run (default: speed default_run mnist_budget)")
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=DEFAULT_VARIANTS,
                        help="variants to run, the first is the baseline (default: the first six)")
    parser.add_argument("--mnist", default=bq.MNIST, help=f"MNIST .npz (default: {bq.MNIST})")
    parser.add_argument("--speed-calls", type=int, default=25, help="timed calls per variant (default: 25)")
    parser.add_argument("--warmup-calls", type=int, default=3, help="untimed calls first (default: 3)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1], help="default_run seeds (default: 0 1)")
    parser.add_argument("--epochs", type=int, default=150, help="default_run epochs (default: 150, kgan train's)")
    parser.add_argument("--budget-minutes", type=float, default=4.0, help="mnist_budget minutes (default: 4)")
    parser.add_argument("--n", type=int, default=5000, help="generated images per MNIST score (default: 5000)")
    parser.add_argument("--cache-dir", default="/tmp/kgan-bench", help="where evaluators are cached")
    parser.add_argument("--evaluator-epochs", type=int, default=None, help="evaluator epochs (default: tools/bench_quality.py's)")
    parser.add_argument("--json", default=os.path.join(bq.FIGURES, "bench_faster_steps.json"))
    parser.add_argument("--figures", default=bq.FIGURES, help="where the sample grids go")
    return parser.parse_args(argv)


def log(*a):
    print(*a, flush=True)


def trainers_for(base_flags, variants, examples=None):
    return [bq.KganTrainer(name, base_flags + " " + VARIANTS[name], examples) for name in variants]


# speed -----------------------------------------------------------------------------------------


def measure_speed(trainers, calls, warmup):
    """Median seconds per step of each trainer, its calls interleaved with the others'."""
    for trainer in trainers:
        for _ in range(warmup):
            trainer.call()
    times = {t.name: [] for t in trainers}
    for _ in range(calls):
        for trainer in trainers:
            times[trainer.name].append(trainer.call() / trainer.steps_per_call)
    return {name: statistics.median(t) for name, t in times.items()}


def speed_part(args):
    mnist = bq.load_dataset(args.mnist)
    setups = {
        "digits 16 px (default run)": ("--seed 0", None),
        "MNIST 28 px": (f"--dataset {args.mnist} --seed 0", (mnist["x_train"], mnist["y_train"])),
    }
    out, rows = {}, []
    for setup, (flags, examples) in setups.items():
        trainers = trainers_for(flags, args.variants, examples)
        seconds = measure_speed(trainers, args.speed_calls, args.warmup_calls)
        base = seconds[args.variants[0]]
        out[setup] = {}
        for name in args.variants:
            out[setup][name] = {"ms_per_step": 1000 * seconds[name], "steps_per_second": 1 / seconds[name],
                                "speedup": base / seconds[name]}
            rows.append([setup, name, f"{1000 * seconds[name]:.2f}", f"{1 / seconds[name]:.1f}", f"{base / seconds[name]:.2f}"])
            log(f"{setup}, {name}: {1000 * seconds[name]:.2f} ms/step")
        del trainers
    table = bq.format_table(["networks", "variant", "ms/step", "steps/s", "speed vs baseline"], rows)
    return out, table


class NetworksTrainer(bq.Trainer):
    """kgan.GAN on given networks (unconditional), with a variant's `--r1-interval/--reuse-fakes/--bf16` options."""

    kind = "kgan"

    def __init__(self, name, networks, latent_dim, images, flags, seed=0):
        import keras

        import kgan
        from kgan.base import penalties
        from kgan.data import stream

        super().__init__(name)
        options = variant_options(flags)
        self.policy = "mixed_bfloat16" if options["bf16"] else "float32"
        keras.utils.set_random_seed(seed)
        with bq.dtype_policy(self.policy):
            generator, discriminator = networks(latent_dim)
            self.model = kgan.GAN(generator, discriminator, latent_dim, r1_weight=0.2, seed=seed,
                                  r1_interval=options["r1_interval"], reuse_fakes=options["reuse_fakes"])
            d_rate, d_beta_1, d_beta_2 = penalties.lazy_adam(2e-4, 0.5, 0.999, options["r1_interval"])
            self.model.compile(d_optimizer=keras.optimizers.Adam(d_rate, beta_1=d_beta_1, beta_2=d_beta_2),
                               g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5), steps_per_execution=1)
            dataset, _ = stream.repeated(images, 64, seed)
            self.iterator = iter(dataset)
            self.model.make_train_function()
        self.train_function = self.model.train_function


def variant_options(flags):
    """`{"r1_interval", "reuse_fakes", "bf16"}` of a variant's flags (only those three are understood)."""
    words = flags.split()
    options = {"r1_interval": 1, "reuse_fakes": "--reuse-fakes" in words, "bf16": "--bf16" in words}
    if "--r1-interval" in words:
        options["r1_interval"] = int(words[words.index("--r1-interval") + 1])
    unknown = [w for w in words if w.startswith("--") and w not in ("--r1-interval", "--reuse-fakes", "--bf16")]
    if unknown:
        raise ValueError(f"Expected variants of --r1-interval, --reuse-fakes and --bf16. Received: {unknown}")
    return options


def speed_keras_io_part(args):
    mnist = bq.load_dataset(args.mnist)
    images = mnist["x_train"]
    trainers = [NetworksTrainer(name, bq.keras_io_networks, 128, images, VARIANTS[name]) for name in args.variants]
    trainers.append(bq.KerasIOTrainer("keras.io update (reference)", images))
    seconds = measure_speed(trainers, args.speed_calls, args.warmup_calls)
    base = seconds[args.variants[0]]
    out, rows = {}, []
    for trainer in trainers:
        value = seconds[trainer.name]
        out[trainer.name] = {"ms_per_step": 1000 * value, "steps_per_second": 1 / value, "speedup": base / value}
        rows.append(["keras.io networks 28 px", trainer.name, f"{1000 * value:.1f}", f"{1 / value:.2f}", f"{base / value:.2f}"])
        log(f"keras.io networks, {trainer.name}: {1000 * value:.1f} ms/step")
    table = bq.format_table(["networks", "variant", "ms/step", "steps/s", "speed vs kgan baseline"], rows)
    return out, table


# default run -----------------------------------------------------------------------------------


def default_run_part(args):
    import numpy as np

    import check_default_run as cdr

    dataset = bq.load_dataset("digits")
    extractor, accuracy = bq.evaluator(dataset, args.cache_dir, args.evaluator_epochs, log=log)
    reference, ceiling = bq.real_split(dataset)
    scorer = bq.Scorer(extractor, reference, ceiling)
    svc, svc_accuracy = cdr.real_digit_classifier()
    steps = args.epochs * (len(dataset["x_train"]) // 64)
    results = {name: [] for name in args.variants}

    def on_done(trainer, _):
        scores = bq.trainer_scores(scorer, trainer)
        labels = np.arange(1000) % 10
        with bq.dtype_policy(trainer.policy):
            samples = trainer.model.generate(1000, labels=labels, seed=123)
        predicted = svc.predict(cdr.to_digit_features(samples))
        histogram = np.bincount(predicted, minlength=10)
        scores.update(
            svc_agreement=float(np.mean(predicted == labels)),
            svc_classes=int((histogram >= 20).sum()),
            diversity=cdr.diversity_ratio(cdr.to_digit_features(samples), predicted),
        )
        results[trainer.name].append({"seed": trainer.config.seed, "steps": trainer.steps,
                                      "seconds": round(trainer.seconds, 1), "scores": scores})
        log(f"default run, {trainer.name}, seed {trainer.config.seed}: {trainer.seconds:.0f}s, FID {scores['fid']:.2f}, "
            f"agreement {scores['svc_agreement']:.3f}, diversity {scores['diversity']:.2f}")
        grids.append((trainer.grid(), f"{trainer.name}, seed {trainer.config.seed}"))

    grids = []
    for seed in args.seeds:
        trainers = trainers_for(f"--seed {seed}", args.variants)
        # Steps are whole calls of 8: 3,300 steps run as 413 calls (3,304 steps).
        bq.race(trainers, [steps], on_done, by="steps")
        del trainers
    panels = [(bq.real_grid(*ceiling), "real test digits")] + grids[: len(args.variants)]
    bq.side_by_side([g for g, _ in panels], [t for _, t in panels],
                    os.path.join(args.figures, "bench_faster_steps_default_run.png"))
    rows = [["real held-out (test split)", "-", *bq.score_cells(scorer.ceiling), "-", "-"]]
    summary = {}
    for name, runs in results.items():
        mean = lambda key: float(np.mean([r["scores"][key] for r in runs]))  # noqa: E731
        spread = lambda key: float(np.std([r["scores"][key] for r in runs]))  # noqa: E731
        seconds = float(np.mean([r["seconds"] for r in runs]))
        summary[name] = {"seconds": seconds, **{k: mean(k) for k in ("fid", "kid", "confident", "agree", "svc_agreement", "diversity")},
                         "fid_std": spread("fid"), "diversity_std": spread("diversity")}
        rows.append([name, f"{seconds:.0f}", f"{mean('fid'):.2f} ± {spread('fid'):.2f}", f"{mean('kid'):.3g}",
                     f"{100 * mean('confident'):.1f}", f"{min(r['scores']['classes'] for r in runs)}",
                     f"{100 * mean('agree'):.1f}", f"{100 * mean('svc_agreement'):.1f}",
                     f"{mean('diversity'):.2f} ± {spread('diversity'):.2f}"])
    table = bq.format_table(["variant", "train s", "FID", "KID", "confident %", "classes (min)", "agree %",
                             "SVC agree %", "diversity"], rows)
    return {"evaluator_test_accuracy": accuracy, "svc_test_accuracy": svc_accuracy, "steps": steps,
            "real_held_out": scorer.ceiling, "runs": results, "summary": summary}, table


# MNIST at a budget -----------------------------------------------------------------------------


def mnist_budget_part(args):
    dataset = bq.load_dataset(args.mnist)
    extractor, accuracy = bq.evaluator(dataset, args.cache_dir, args.evaluator_epochs, log=log)
    reference, ceiling = bq.real_split(dataset)
    scorer = bq.Scorer(extractor, reference, ceiling, n=args.n)
    examples = (dataset["x_train"], dataset["y_train"])
    trainers = trainers_for(f"--dataset {args.mnist} --seed 0", args.variants, examples)
    results, grids = {}, []

    def on_budget(trainer, _):
        scores = bq.trainer_scores(scorer, trainer)
        results[trainer.name] = {"steps": trainer.steps, "seconds": round(trainer.seconds, 1), "scores": scores}
        grids.append((trainer.grid(), trainer.name))
        log(f"MNIST {args.budget_minutes:g} min, {trainer.name}: {trainer.steps} steps, FID {scores['fid']:.2f}")

    bq.race(trainers, [60 * args.budget_minutes], on_budget, by="seconds")
    panels = [(bq.real_grid(*ceiling), "real held-out")] + grids
    bq.side_by_side([g for g, _ in panels], [t for _, t in panels],
                    os.path.join(args.figures, "bench_faster_steps_mnist.png"))
    rows = [["real held-out", "-", *bq.score_cells(scorer.ceiling)]]
    rows += [[name, r["steps"], *bq.score_cells(r["scores"])] for name, r in results.items()]
    table = bq.format_table(["variant", "steps", "FID", "KID", "confident %", "classes", "agree %"], rows)
    return {"evaluator_test_accuracy": accuracy, "budget_minutes": args.budget_minutes,
            "real_held_out": scorer.ceiling, "results": results}, table


def main(argv=None):
    args = parse_args(argv)
    started = time.time()
    payload = {"tool": "tools/bench_faster_steps.py", "argv": sys.argv[1:] if argv is None else list(argv),
               "variants": {name: VARIANTS[name] for name in args.variants}}
    parts = {"speed": speed_part, "default_run": default_run_part, "mnist_budget": mnist_budget_part,
             "speed_keras_io": speed_keras_io_part}
    tables = []
    for part in args.parts:
        result, table = parts[part](args)
        payload[part] = {**result, "table": table}
        tables.append(f"{part}:\n{table}")
        print(f"\n{part}:\n{table}\n", flush=True)
        payload["seconds"] = round(time.time() - started, 1)
        bq.write_json(args.json, payload)
    print("\n\n".join(tables))
    print(f"wrote {args.json}")
    return payload


if __name__ == "__main__":
    main()
