"""Little data: FID with no discriminator augmentation, DiffAugment and ADA, on small training sets.

For each training set and seed, the same `kgan train` recipe (`--flags`, on
top of the dataset's defaults) is trained three times, once per `--augment`
setting, interleaved in one process, for the same number of steps; each is
scored every `--score-every` steps in the features of a classifier trained on
the dataset's full training split (see tools/bench_quality.py):

- `mnist:N`: a class-stratified random subset of N MNIST training images
  (drawn with the seed), 28 px; scored against 5,000 MNIST test images, with
  the other 5,000 as the real ceiling;
- `digits`: the embedded 1,438 digits at 16 px (the default run's data);
  scored against that training split, with the 359 test digits as the real
  ceiling.

The table shows the mean and standard deviation over seeds of the final FID
and of the best FID seen at any scoring step (the run a user would keep with
`MetricsCallback(filepath=...)`), and ADA's final p.

Examples:

    python tools/bench_little_data.py
    python tools/bench_little_data.py --datasets digits --digits-seeds 0 1 2 3
    python tools/bench_little_data.py --datasets mnist:1000 --mnist-seeds 0 --steps 400 --score-every 200
    python tools/bench_little_data.py --resume     # run only the groups the --json file lacks
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import bench_quality as bq  # noqa: E402

AUGMENTS = ("none", "diffaugment", "ada")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="\n\n".join(__doc__.split("\n\n")[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--datasets", nargs="+", default=["mnist:1000", "mnist:5000", "digits"])
    parser.add_argument("--augments", nargs="+", choices=AUGMENTS, default=list(AUGMENTS))
    parser.add_argument("--mnist-seeds", type=int, nargs="+", default=[0, 1], help="seeds of the MNIST subsets (default: 0 1)")
    parser.add_argument("--digits-seeds", type=int, nargs="+", default=[0, 1, 2], help="seeds on the digits (default: 0 1 2)")
    parser.add_argument("--flags", default="", help="kgan train flags shared by every run (default: none)")
    parser.add_argument("--ada-flags", default="--ada-speed 50000",
                        help="extra flags of the ADA runs (default: --ada-speed 50000: p can go 0 -> 1 in 50k images)")
    parser.add_argument("--steps", type=int, default=None, help="train steps (default: 3,000 on MNIST subsets, 3,300 on digits)")
    parser.add_argument("--score-every", type=int, default=1000, help="score every N steps (default: 1000)")
    parser.add_argument("--mnist", default=bq.MNIST, help=f"MNIST .npz (default: {bq.MNIST})")
    parser.add_argument("--n", type=int, default=5000, help="generated images per MNIST score (default: 5000)")
    parser.add_argument("--cache-dir", default="/tmp/kgan-bench", help="where evaluators are cached")
    parser.add_argument("--evaluator-epochs", type=int, default=None, help="evaluator epochs (default: tools/bench_quality.py's)")
    parser.add_argument("--json", default=os.path.join(bq.FIGURES, "bench_little_data.json"))
    parser.add_argument("--figures", default=bq.FIGURES, help="where the sample grids go")
    parser.add_argument("--resume", action="store_true",
                        help="keep the (training set, seed) groups already in --json (and its training sets not in "
                        "--datasets) and run only the others (same settings assumed: the file keeps every argv)")
    return parser.parse_args(argv)


def log(*a):
    print(*a, flush=True)


def seeds(spec, args):
    return args.digits_seeds if spec == "digits" else args.mnist_seeds


def stratified_subset(labels, total, seed):
    """Indices of `total` examples, the same number of each class (+1 for the first classes)."""
    rng = np.random.default_rng(seed)
    classes = np.unique(labels)
    per_class = [total // len(classes) + (i < total % len(classes)) for i in range(len(classes))]
    chosen = [rng.choice(np.flatnonzero(labels == c), k, replace=False) for c, k in zip(classes, per_class)]
    return np.sort(np.concatenate(chosen))


def setting(spec, args, cache):
    """`(flags, dataset dict, scorer, default steps, subset function)` for a `--datasets` entry."""
    if spec == "digits":
        key = "digits"
        flags, steps = "", 3300
    elif spec.startswith("mnist:"):
        key = "mnist"
        flags, steps = f"--dataset {args.mnist}", 3000
    else:
        raise ValueError(f"Expected datasets 'digits' or 'mnist:N'. Received: {spec!r}")
    if key not in cache:
        dataset = bq.load_dataset("digits" if key == "digits" else args.mnist)
        extractor, accuracy = bq.evaluator(dataset, args.cache_dir, args.evaluator_epochs, log=log)
        reference, ceiling = bq.real_split(dataset)
        cache[key] = (dataset, bq.Scorer(extractor, reference, ceiling, n=args.n), accuracy)
    dataset, scorer, accuracy = cache[key]
    return flags, dataset, scorer, accuracy, args.steps or steps


def run_group(spec, seed, args, cache, grids):
    flags, dataset, scorer, _, steps = setting(spec, args, cache)
    x, y = dataset["x_train"], dataset["y_train"]
    if spec.startswith("mnist:"):
        index = stratified_subset(y, int(spec.split(":")[1]), seed)
        x, y = x[index], y[index]
    trainers = []
    for augment in args.augments:
        extra = f"--augment {augment}" + (f" {args.ada_flags}" if augment == "ada" else "")
        trainers.append(bq.KganTrainer(augment, f"{flags} --seed {seed} {args.flags} {extra}", (x, y)))
    history = {t.name: [] for t in trainers}

    def on_checkpoint(trainer, step):
        scores = bq.trainer_scores(scorer, trainer)
        entry = {"steps": trainer.steps, "seconds": round(trainer.seconds, 1), "scores": scores}
        if trainer.model.adaptive:
            entry["ada_p"] = float(trainer.model.ada_p.numpy())
        history[trainer.name].append(entry)
        log(f"{spec} seed {seed} {trainer.name} step {trainer.steps}: FID {scores['fid']:.2f}"
            + (f", p {entry['ada_p']:.3f}" if "ada_p" in entry else ""))
        # The grids come from the first group this invocation trains of each training set.
        if step == steps and grids.setdefault(spec, {}).get("seed", seed) == seed:
            grids[spec]["seed"] = seed
            grids[spec].setdefault("panels", []).append((trainer.grid(), f"{spec} seed {seed}, {trainer.name}"))

    checkpoints = sorted(set(list(range(args.score_every, steps, args.score_every)) + [steps]))
    bq.race(trainers, checkpoints, on_checkpoint, by="steps")
    return {"examples": len(x), "steps": steps, "history": history}


def summarize(results, args):
    rows, summary = [], {}
    for spec, by_seed in results.items():
        summary[spec] = {}
        for augment in args.augments:
            final = [by_seed[s]["history"][augment][-1]["scores"]["fid"] for s in by_seed]
            best = [min(h["scores"]["fid"] for h in by_seed[s]["history"][augment]) for s in by_seed]
            confident = [by_seed[s]["history"][augment][-1]["scores"]["confident"] for s in by_seed]
            p = [by_seed[s]["history"][augment][-1].get("ada_p") for s in by_seed]
            summary[spec][augment] = {
                "final_fid": final, "best_fid": best, "final_confident": confident,
                "final_fid_mean": float(np.mean(final)), "final_fid_std": float(np.std(final)),
                "best_fid_mean": float(np.mean(best)), "best_fid_std": float(np.std(best)),
                "ada_p": p if augment == "ada" else None,
            }
            rows.append([
                spec, augment, len(by_seed),
                f"{np.mean(final):.2f} ± {np.std(final):.2f}",
                f"{np.mean(best):.2f} ± {np.std(best):.2f}",
                f"{100 * np.mean(confident):.1f}",
                ", ".join(f"{v:.2f}" for v in p) if augment == "ada" else "-",
            ])
    table = bq.format_table(["training set", "augment", "seeds", "final FID", "best FID", "confident %", "ADA p"], rows)
    return summary, table


def previous_groups(path):
    """`(results, argvs)` of an earlier --json file: `{spec: {seed: group}}` (seeds as ints) and its argv list."""
    if not os.path.exists(path):
        return {}, []
    with open(path) as f:
        previous = json.load(f)
    results = {spec: {int(seed): group for seed, group in by_seed.items()} for spec, by_seed in previous.get("results", {}).items()}
    argvs = previous.get("argvs", [previous["argv"]] if "argv" in previous else [])
    return results, argvs


def main(argv=None):
    args = parse_args(argv)
    started = time.time()
    cache, results, grids = {}, {}, {}
    argv = sys.argv[1:] if argv is None else list(argv)
    previous, argvs = previous_groups(args.json) if args.resume else ({}, [])
    payload = {"tool": "tools/bench_little_data.py", "argv": argv, "argvs": argvs + [argv], "resumed": []}
    # Training sets of the file that this invocation does not name are kept whole.
    datasets = args.datasets + [spec for spec in previous if spec not in args.datasets]
    for spec in datasets:
        results[spec] = {}
        for seed in seeds(spec, args) if spec in args.datasets else sorted(previous[spec]):
            if seed in previous.get(spec, {}):
                results[spec][seed] = previous[spec][seed]
                payload["resumed"].append(f"{spec} seed {seed}")
                log(f"{spec} seed {seed}: kept from {args.json}")
                continue
            results[spec][seed] = run_group(spec, seed, args, cache, grids)
            payload["results"] = results
            bq.write_json(args.json, payload)
        if spec in grids:
            panels = grids[spec]["panels"]
            bq.side_by_side([g for g, _ in panels], [t for _, t in panels],
                            os.path.join(args.figures, f"bench_little_data_{spec.replace(':', '')}.png"))
    payload["results"] = results
    summary, table = summarize(results, args)
    for spec in datasets:  # the ceiling also of training sets whose groups were all kept (cached per dataset)
        setting(spec, args, cache)
    ceilings = {k: {"fid": v[1].ceiling["fid"], "confident": v[1].ceiling["confident"],
                    "evaluator_test_accuracy": v[2], "n_fake": v[1].n} for k, v in cache.items()}
    ceiling_rows = [[f"real held-out ({k})", f"{c['fid']:.2f}", f"{100 * c['confident']:.1f}"] for k, c in ceilings.items()]
    print(bq.format_table(["ceiling", "FID", "confident %"], ceiling_rows))
    print(table)
    payload.update(summary=summary, real_held_out=ceilings, table=table, seconds=round(time.time() - started, 1))
    bq.write_json(args.json, payload)
    print(f"wrote {args.json}")
    return payload


if __name__ == "__main__":
    main()
