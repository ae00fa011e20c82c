"""Synthetic data that helps: topping up rare classes with a conditional GAN, against oversampling and class weights.

Setup, for each seed:
1. MNIST's training split with `--rare` classes (default 2 5 7 9) cut to
   `--keep` (default 1%) of their images, drawn with the seed.
2. Conditional GANs (`kgan train` recipe on MNIST, 28 px, plus `--gan-flags`)
   trained on that whole imbalanced set for `--gan-steps` steps each, one per
   `--gans` entry, interleaved in one process:
   - `plain`: the set as it is (with the defaults the four rare classes are
     0.6% of it, so G is asked for them that rarely too);
   - `diffaugment`, `ada`: with discriminator augmentation;
   - `balanced`, `balanced+diffaugment`, `balanced+ada`: each batch drawn
     class-balanced (the rare images repeated, as oversampling does for the
     classifier), so D and G see every class equally often.
3. The same small CNN (same initial weights, `--clf-steps` steps of batch 64,
   Adam 1e-3) trained on:
   - real only: the imbalanced set;
   - oversampling: class-balanced batches of the real images;
   - class weights: the imbalanced set, each example weighted by
     N / (classes * its class's count);
   - GAN top-up (GAN): `kgan.augment.mix(real, kgan.augment.synthetic_dataset(
     gan, class_weights=deficits), f)`, where a class's deficit is what it
     lacks to the largest class's count (mostly the rare classes'), and f the
     share that makes the classes balanced (~40%: the rare classes are then
     nearly all synthetic);
   - GAN half top-up + class weights (GAN): half that synthetic share, and
     each example weighted so the classes weigh the same;
   - GAN top-up + oversampling (GAN): class-balanced real batches, of which
     the rare classes' half is replaced by synthetic images
     (f = rare classes / classes / 2).
4. Scores on the whole (nearly balanced) MNIST test split: balanced accuracy
   (mean per-class recall), the rare classes' mean recall, accuracy. Also the
   GANs' own quality per class, by the evaluator of tools/bench_quality.py:
   the share of samples of each class it labels as that class.

Examples:

    python tools/bench_imbalance.py
    python tools/bench_imbalance.py --seeds 0 --gans plain balanced+diffaugment --gan-steps 300 --clf-steps 100
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import bench_quality as bq  # noqa: E402

GANS = {
    "plain": (False, ""),
    "diffaugment": (False, "--augment diffaugment"),
    "ada": (False, "--augment ada --ada-speed 50000"),
    "balanced": (True, ""),
    "balanced+diffaugment": (True, "--augment diffaugment"),
    "balanced+ada": (True, "--augment ada --ada-speed 50000"),
}
TOP_UPS = ("top-up", "half top-up + class weights", "top-up + oversampling")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="\n\n".join(__doc__.split("\n\n")[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--mnist", default=bq.MNIST, help=f"MNIST .npz (default: {bq.MNIST})")
    parser.add_argument("--rare", type=int, nargs="+", default=[2, 5, 7, 9], help="the rare classes (default: 2 5 7 9)")
    parser.add_argument("--keep", type=float, default=0.01, help="share of the rare classes' images kept (default: 0.01)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--gans", nargs="+", choices=list(GANS), default=["plain", "diffaugment", "ada", "balanced+diffaugment"])
    parser.add_argument("--gan-flags", default="", help="kgan train flags of every GAN (default: none)")
    parser.add_argument("--gan-steps", type=int, default=5000, help="GAN training steps (default: 5000)")
    parser.add_argument("--top-ups", nargs="+", choices=TOP_UPS, default=list(TOP_UPS))
    parser.add_argument("--clf-steps", type=int, default=1500, help="classifier training steps (default: 1500)")
    parser.add_argument("--cache-dir", default="/tmp/kgan-bench", help="where evaluators are cached")
    parser.add_argument("--evaluator-epochs", type=int, default=None, help="evaluator epochs (default: tools/bench_quality.py's)")
    parser.add_argument("--json", default=os.path.join(bq.FIGURES, "bench_imbalance.json"))
    parser.add_argument("--figures", default=bq.FIGURES, help="where the sample grids go")
    return parser.parse_args(argv)


def log(*a):
    print(*a, flush=True)


# Data ------------------------------------------------------------------------------------------


def imbalanced_subset(labels, rare, keep, seed):
    """Indices of the training set with each rare class cut to `keep` of its images."""
    rng = np.random.default_rng(seed)
    chosen = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        if c in rare:
            members = rng.choice(members, max(1, round(keep * len(members))), replace=False)
        chosen.append(members)
    return np.sort(np.concatenate(chosen))


def balanced_resample(labels, seed):
    """Indices with every class repeated (whole passes, then a random remainder) to the largest class's count."""
    rng = np.random.default_rng(seed)
    counts = np.bincount(labels)
    out = []
    for c in np.flatnonzero(counts):
        members = np.flatnonzero(labels == c)
        reps, rest = divmod(counts.max(), len(members))
        out.append(np.concatenate([np.tile(members, reps), rng.choice(members, rest, replace=False)]))
    return rng.permutation(np.concatenate(out))


def balanced_weights(shares):
    """Per-class weights that make classes with these expected shares weigh the same."""
    shares = np.asarray(shares, "float64")
    return (1.0 / (len(shares) * shares)).astype("float32")


# Classifier streams -----------------------------------------------------------------------------


def natural_stream(x, y, seed, batch=64):
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((x, y.astype("int32")))
    return ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True).repeat().batch(batch, drop_remainder=True)


def oversampled_stream(x, y, seed, batch=64, class_weights=None):
    """Class-balanced batches: each example's class drawn uniformly (or by `class_weights`), then an image of it."""
    import tensorflow as tf

    per_class, weights = [], []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        ds = tf.data.Dataset.from_tensor_slices((x[idx], y[idx].astype("int32")))
        per_class.append(ds.shuffle(len(idx), seed=seed + int(c), reshuffle_each_iteration=True).repeat())
        weights.append(1.0 if class_weights is None else float(class_weights[c]))
    weights = (np.array(weights) / np.sum(weights)).tolist()
    mixed = tf.data.Dataset.sample_from_datasets(per_class, weights=weights, seed=seed)
    return mixed.batch(batch, drop_remainder=True)


def with_weights(dataset, weights):
    import tensorflow as tf

    table = tf.constant(weights)
    return dataset.map(lambda images, labels: (images, labels, tf.gather(table, labels)))


def synthetic_stream(gan, rare_deficits, seed, batch=64):
    import kgan

    return kgan.augment.synthetic_dataset(gan, batch_size=batch, class_weights=rare_deficits, seed=seed)


def classifier_streams(x, y, gans, seed, top_ups):
    """`{variant: tf.data stream}` of every classifier variant."""
    import kgan

    counts = np.bincount(y, minlength=10).astype("float64")
    shares = counts / counts.sum()
    deficits = counts.max() - counts
    full = deficits.sum() / (counts.sum() + deficits.sum())
    streams = {
        "real only": natural_stream(x, y, seed),
        "oversampling": oversampled_stream(x, y, seed),
        "class weights": with_weights(natural_stream(x, y, seed), balanced_weights(shares)),
    }
    rare = deficits > 0.5 * counts.max()
    for name, gan in gans.items():
        synthetic = synthetic_stream(gan, deficits.tolist(), seed)
        if "top-up" in top_ups:
            streams[f"GAN top-up ({name})"] = kgan.augment.mix(natural_stream(x, y, seed), synthetic, round(full, 3))
        if "half top-up + class weights" in top_ups:
            half = 0.5 * deficits.sum() / (counts.sum() + 0.5 * deficits.sum())
            mixed_shares = (counts + 0.5 * deficits) / (counts.sum() + 0.5 * deficits.sum())
            stream = kgan.augment.mix(natural_stream(x, y, seed), synthetic, round(half, 3))
            streams[f"GAN half top-up + class weights ({name})"] = with_weights(stream, balanced_weights(mixed_shares))
        if "top-up + oversampling" in top_ups:
            # Real batches drawn with the rare classes at half weight, then that half filled with synthetic
            # images of them: every class at 1/10 of each batch, a rare class's half real and half synthetic.
            rare_only = synthetic_stream(gan, np.where(rare, 1.0, 0.0).tolist(), seed)
            fraction = rare.sum() / len(counts) / 2
            real = oversampled_stream(x, y, seed, class_weights=np.where(rare, 0.5, 1.0))
            streams[f"GAN top-up + oversampling ({name})"] = kgan.augment.mix(real, rare_only, fraction)
    return streams


def train_classifier(stream, image_shape, seed, steps):
    import keras

    import augment_benchmark

    model = augment_benchmark.build_classifier(image_shape, 10, seed)
    model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy")
    model.fit(stream, steps_per_epoch=steps, epochs=1, verbose=0)
    return model


def classifier_scores(model, x_test, y_test, rare):
    predicted = np.argmax(model.predict(x_test, batch_size=1000, verbose=0), axis=1)
    recall = np.array([np.mean(predicted[y_test == c] == c) for c in range(10)])
    return {
        "balanced_accuracy": float(recall.mean()),
        "rare_recall": float(recall[list(rare)].mean()),
        "accuracy": float(np.mean(predicted == y_test)),
        "recall": recall.tolist(),
    }


# GANs ------------------------------------------------------------------------------------------


def train_gans(x, y, args, seed, extractor, grids):
    trainers = []
    for name in args.gans:
        balanced, flags = GANS[name]
        examples = (x, y)
        if balanced:
            index = balanced_resample(y, seed)
            examples = (x[index], y[index])
        trainers.append(bq.KganTrainer(name, f"--dataset {args.mnist} --seed {seed} {args.gan_flags} {flags}", examples))
    quality = {}

    def on_done(trainer, _):
        labels = np.repeat(np.arange(10), 200)
        with bq.dtype_policy(trainer.policy):
            samples = trainer.model.generate(len(labels), labels=labels, seed=seed + 99)
        predicted = np.argmax(extractor.probabilities(samples), axis=1)
        per_class = [float(np.mean(predicted[labels == c] == c)) for c in range(10)]
        quality[trainer.name] = {"steps": trainer.steps, "seconds": round(trainer.seconds, 1), "per_class_agree": per_class,
                                 "rare_agree": float(np.mean([per_class[c] for c in args.rare])),
                                 "common_agree": float(np.mean([per_class[c] for c in range(10) if c not in args.rare]))}
        log(f"seed {seed} GAN {trainer.name}: {trainer.steps} steps in {trainer.seconds:.0f}s, evaluator agrees on "
            f"rare {quality[trainer.name]['rare_agree']:.3f}, common {quality[trainer.name]['common_agree']:.3f}")
        if seed == args.seeds[0]:
            grids.append((trainer.grid(), trainer.name))

    bq.race(trainers, [args.gan_steps], on_done, by="steps")
    return {t.name: t.model for t in trainers}, quality


# Main ------------------------------------------------------------------------------------------


def summarize(raw):
    names = list(next(iter(raw.values()))["classifiers"])
    rows, summary = [], {}
    base = np.array([raw[s]["classifiers"]["real only"]["balanced_accuracy"] for s in raw])
    for name in names:
        values = {k: np.array([raw[s]["classifiers"][name][k] for s in raw]) for k in ("balanced_accuracy", "rare_recall", "accuracy")}
        summary[name] = {k: {"mean": float(v.mean()), "std": float(v.std()), "values": v.tolist()} for k, v in values.items()}
        rows.append([
            name,
            f"{100 * values['balanced_accuracy'].mean():.1f} ± {100 * values['balanced_accuracy'].std():.1f}",
            f"{100 * values['rare_recall'].mean():.1f} ± {100 * values['rare_recall'].std():.1f}",
            f"{100 * values['accuracy'].mean():.1f}",
            f"{100 * (values['balanced_accuracy'] - base).mean():+.1f}",
        ])
    table = bq.format_table(["training data", "balanced acc. %", "rare-class recall %", "accuracy %", "vs real only"], rows)
    return summary, table


def gan_table(raw, args):
    rows = []
    for name in args.gans:
        rare = [raw[s]["gans"][name]["rare_agree"] for s in raw]
        common = [raw[s]["gans"][name]["common_agree"] for s in raw]
        rows.append([name, f"{100 * np.mean(rare):.1f} ± {100 * np.std(rare):.1f}", f"{100 * np.mean(common):.1f} ± {100 * np.std(common):.1f}"])
    return bq.format_table(["GAN", "rare classes: evaluator agrees %", "common classes: evaluator agrees %"], rows)


def main(argv=None):
    args = parse_args(argv)
    started = time.time()
    dataset = bq.load_dataset(args.mnist)
    extractor, accuracy = bq.evaluator(dataset, args.cache_dir, args.evaluator_epochs, log=log)
    payload = {"tool": "tools/bench_imbalance.py", "argv": sys.argv[1:] if argv is None else list(argv),
               "rare": args.rare, "keep": args.keep, "evaluator_test_accuracy": accuracy, "seeds": {}}
    grids = []
    for seed in args.seeds:
        index = imbalanced_subset(dataset["y_train"], args.rare, args.keep, seed)
        x, y = dataset["x_train"][index], dataset["y_train"][index]
        log(f"seed {seed}: {len(x)} training images, per class {np.bincount(y).tolist()}")
        gans, quality = train_gans(x, y, args, seed, extractor, grids)
        classifiers = {}
        for name, stream in classifier_streams(x, y, gans, seed, args.top_ups).items():
            start = time.time()
            model = train_classifier(stream, x.shape[1:], 1000 + seed, args.clf_steps)
            classifiers[name] = classifier_scores(model, dataset["x_test"], dataset["y_test"], args.rare)
            log(f"seed {seed} {name}: balanced {classifiers[name]['balanced_accuracy']:.4f}, "
                f"rare recall {classifiers[name]['rare_recall']:.4f} ({time.time() - start:.0f}s)")
        payload["seeds"][seed] = {"class_counts": np.bincount(y).tolist(), "gans": quality, "classifiers": classifiers}
        bq.write_json(args.json, payload)
        if seed == args.seeds[0]:
            bq.side_by_side([g for g, _ in grids], [t for _, t in grids], os.path.join(args.figures, "bench_imbalance_gans.png"))
    summary, table = summarize(payload["seeds"])
    gans = gan_table(payload["seeds"], args)
    print(gans)
    print(table)
    payload.update(summary=summary, table=table, gan_table=gans, seconds=round(time.time() - started, 1))
    bq.write_json(args.json, payload)
    print(f"wrote {args.json}")
    return payload


if __name__ == "__main__":
    main()
