"""Does GAN augmentation help a small classifier? A measured answer.

For each number of labels per class and each seed:
1. draw a class-stratified labelled subset of the real training split;
2. train a small CNN classifier on the subset alone ("real only");
3. train a conditional GAN (kgan.GAN, generator EMA on) on that subset only;
4. train the same classifier (same initial weights, same number of steps)
   on batches mixing real and synthetic examples (`kgan.augment.mix`), for
   each variant: raw or EMA generator, synthetic share, rejection of samples
   the real-only classifier does not recognise as their class, truncation;
   and on synthetic data alone (the "classification accuracy score" of
   Ravuri & Vinyals 2019, a measure of the GAN, not a way to augment).
Every classifier is scored on the held-out real test split. The table shows
mean and standard deviation over seeds, and the mean paired difference to
"real only" (same subset, same initial weights).

Examples:

    python tools/augment_benchmark.py                       # digits, 3 seeds
    python tools/augment_benchmark.py --labels-per-class 10 --seeds 0 --gan-steps 300
    python tools/augment_benchmark.py --image-size 16 --gan-flags "--augment diffaugment"
    python tools/augment_benchmark.py --dataset /work/shared/data/mnist.npz \\
        --labels-per-class 10 100 --gan-steps 2000 --json mnist.json
"""

import argparse
import json
import os
import sys
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import kgan  # noqa: E402
from kgan import augment  # noqa: E402

# tf.data inputs are shuffled by the pipeline; Keras' reminder is noise here.
warnings.filterwarnings("ignore", message=".*shuffle=True.*")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__[__doc__.index("Examples:") :],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    data = parser.add_argument_group("data")
    data.add_argument("--dataset", default="digits", help='kgan.data source: "digits" (default) or an .npz path')
    data.add_argument("--image-size", type=int, default=None, help="resize images to this side (default: native)")
    data.add_argument("--labels-per-class", type=int, nargs="+", default=[10, 50, 100])
    data.add_argument("--max-test-examples", type=int, default=None, help="cap the test split (default: all)")
    data.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    gan = parser.add_argument_group("GAN")
    gan.add_argument(
        "--gan-preset", default="mlp_small",
        help="kgan.models preset (default: mlp_small; at 8x8 px it beat dcgan_small on the GAN score)",
    )
    gan.add_argument("--gan-loss", default="non_saturating")
    gan.add_argument("--gan-steps", type=int, default=3000, help="GAN training steps per subset")
    gan.add_argument("--gan-batch-size", type=int, default=32)
    gan.add_argument("--ema-decay", type=float, default=0.999)
    gan.add_argument(
        "--gan-flags", default=None,
        help="build the GAN as `kgan train FLAGS` does (e.g. \"--augment diffaugment\"; its batch size and EMA), "
        "instead of --gan-preset/--gan-loss/--gan-batch-size/--ema-decay",
    )
    clf = parser.add_argument_group("classifier")
    clf.add_argument("--clf-steps", type=int, default=800, help="classifier training steps (every variant)")
    clf.add_argument("--clf-batch-size", type=int, default=64)
    clf.add_argument("--clf-learning-rate", type=float, default=1e-3)
    var = parser.add_argument_group("variants")
    var.add_argument("--fractions", type=float, nargs="+", default=[0.25, 0.5], help="synthetic shares per batch")
    var.add_argument("--min-confidence", type=float, default=0.9, help="rejection threshold (0 disables)")
    var.add_argument("--truncation", type=float, default=1.0, help="truncation threshold (0 disables)")
    var.add_argument("--no-raw-generator", action="store_true", help="skip the non-EMA generator variants")
    var.add_argument("--no-synthetic-only", action="store_true", help="skip the synthetic-only score")
    out = parser.add_argument_group("output")
    out.add_argument("--json", default="augment_benchmark.json", help="where to write the results")
    out.add_argument("--quiet", action="store_true")
    return parser.parse_args(argv)


# Data -------------------------------------------------------------------------


def load_data(args):
    x_train, y_train, info = kgan.data.load_arrays(args.dataset, split="train", image_size=args.image_size)
    x_test, y_test, _ = kgan.data.load_arrays(
        args.dataset, split="test", image_size=args.image_size, max_examples=args.max_test_examples,
        shuffle=args.max_test_examples is not None, seed=0,
    )
    if y_train is None:
        raise ValueError(f"Expected a labelled dataset. Received: dataset={args.dataset!r} without labels")
    num_classes = int(max(y_train.max(), y_test.max())) + 1
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test, "num_classes": num_classes}


def stratified_subset(labels, per_class, seed):
    """Indices of `per_class` examples of each class, drawn with `seed`."""
    rng = np.random.default_rng(seed)
    chosen = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        if len(members) < per_class:
            raise ValueError(f"Class {c} has only {len(members)} training examples. Received: per_class={per_class}")
        chosen.append(rng.choice(members, per_class, replace=False))
    return np.sort(np.concatenate(chosen))


def real_stream(x, y, batch_size, seed):
    """Endless, reshuffled batches of the labelled subset (static batch size)."""
    ds = tf.data.Dataset.from_tensor_slices((x, y.astype("int32")))
    ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True).repeat()
    return ds.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


# Models -------------------------------------------------------------------------


def build_classifier(image_shape, num_classes, seed):
    """A small CNN: 3x3 convolutions, stride-2 downsampling to <= 4 px, dropout."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(image_shape)
    x = keras.layers.Conv2D(32, 3, padding="same", activation="relu")(inputs)
    size, filters = image_shape[0], 64
    while size > 4:
        x = keras.layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu")(x)
        size, filters = (size + 1) // 2, min(filters * 2, 128)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dropout(0.5)(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def train_classifier(dataset, data, args, seed):
    model = build_classifier(data["x_train"].shape[1:], data["num_classes"], seed)
    model.compile(
        keras.optimizers.Adam(args.clf_learning_rate),
        "sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(dataset, steps_per_epoch=args.clf_steps, epochs=1, verbose=0)
    return model


def accuracy(model, data):
    probabilities = model.predict(data["x_test"], batch_size=512, verbose=0)
    return float(np.mean(np.argmax(probabilities, axis=1) == data["y_test"]))


def train_gan(x, y, data, args, seed):
    if args.gan_flags is not None:
        return train_recipe_gan(x, y, args, seed)
    keras.utils.set_random_seed(seed)
    g, d = kgan.models.build(
        args.gan_preset, image_size=x.shape[1], channels=x.shape[3], num_classes=data["num_classes"]
    )
    gan = kgan.GAN(
        g, d, latent_dim=int(g.inputs[0].shape[-1]), loss=args.gan_loss,
        num_classes=data["num_classes"], ema_decay=args.ema_decay, seed=seed,
    )
    gan.compile()
    gan.fit(real_stream(x, y, args.gan_batch_size, seed), steps_per_epoch=args.gan_steps, epochs=1, verbose=0)
    return gan


def train_recipe_gan(x, y, args, seed):
    """The GAN `kgan train --dataset DATA --image-size S --seed SEED FLAGS` builds, trained on the subset."""
    import shlex

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from bench_quality import kgan_config
    from kgan.training import run

    flags = ["--dataset", args.dataset, "--image-size", str(x.shape[1]), "--seed", str(seed), *shlex.split(args.gan_flags)]
    config = kgan_config(flags)
    gan = run.build(config)
    gan.fit(real_stream(x, y, config.batch_size, seed), steps_per_epoch=args.gan_steps, epochs=1, verbose=0)
    return gan


# One subset ---------------------------------------------------------------------


def variants(args):
    """`(name, generator, fraction, filters)`; generator is "raw" or "ema"."""
    out = []
    for fraction in args.fractions:
        if not args.no_raw_generator:
            out.append((f"+ GAN (raw G), {fraction:.0%} synthetic", "raw", fraction, {}))
        out.append((f"+ GAN (EMA G), {fraction:.0%} synthetic", "ema", fraction, {}))
        if args.min_confidence > 0:
            out.append((
                f"+ GAN (EMA G), {fraction:.0%}, reject conf < {args.min_confidence:g}",
                "ema", fraction, {"reject": args.min_confidence},
            ))
        if args.truncation > 0:
            out.append((
                f"+ GAN (EMA G), {fraction:.0%}, truncation {args.truncation:g}",
                "ema", fraction, {"truncation": args.truncation},
            ))
    if not args.no_synthetic_only:
        out.append(("synthetic only (EMA G): GAN score", "ema", 1.0, {}))
    return out


def run_subset(data, per_class, seed, args, log):
    indices = stratified_subset(data["y_train"], per_class, seed)
    x, y = data["x_train"][indices], data["y_train"][indices]
    clf_seed = 1000 + seed  # every variant starts from the same classifier weights
    results = {}
    start = time.time()
    baseline = train_classifier(real_stream(x, y, args.clf_batch_size, seed), data, args, clf_seed)
    results["real only"] = accuracy(baseline, data)
    log(f"  real only: {results['real only']:.4f} ({time.time() - start:.0f}s)")
    start = time.time()
    gan = train_gan(x, y, data, args, seed)
    log(f"  GAN trained in {time.time() - start:.0f}s")
    generators = {"raw": gan.generator, "ema": gan.sampling_generator}
    notes = {
        "ema_agreement": agreement(gan.sampling_generator, baseline, seed),
        "ema_nearest_neighbour_ratio": nearest_neighbour_ratio(gan.sampling_generator, x, data["x_test"], seed),
    }
    log(
        f"  EMA samples: the real-only classifier agrees with their label on {notes['ema_agreement']:.1%}; "
        f"distance to the nearest subset image is {notes['ema_nearest_neighbour_ratio']:.2f}x that of test images"
    )
    for name, which, fraction, options in variants(args):
        start = time.time()
        accept = None
        if "reject" in options:
            accept = CountingFilter(augment.confidence_filter(baseline, min_confidence=options["reject"]))
        synthetic = augment.synthetic_dataset(
            generators[which], batch_size=args.clf_batch_size, seed=seed,
            truncation=options.get("truncation"), accept=accept, max_rounds=200,
        )
        mixed = augment.mix(real_stream(x, y, args.clf_batch_size, seed), synthetic, fraction)
        try:
            model = train_classifier(mixed, data, args, clf_seed)
            results[name] = accuracy(model, data)
        except (tf.errors.OpError, RuntimeError) as error:
            # Rejection can starve a class the GAN never renders convincingly.
            results[name] = float("nan")
            lines = str(error).splitlines()
            notes[name] = next((l for l in lines if "rejected" in l), lines[0])[:300]
        if accept is not None:
            notes[f"{name}: acceptance rate"] = round(accept.rate, 3)
        log(f"  {name}: {results[name]:.4f} ({time.time() - start:.0f}s)", notes.get(name, ""))
    return results, notes


def agreement(generator, classifier, seed, n=1000):
    """Share of generated samples that `classifier` assigns to their requested class."""
    images, labels = next(iter(augment.synthetic_dataset(generator, batch_size=n, seed=seed + 12345)))
    predicted = np.argmax(classifier.predict(images.numpy(), batch_size=512, verbose=0), axis=1)
    return round(float(np.mean(predicted == labels.numpy())), 4)


def nearest_neighbour_ratio(generator, x_subset, x_test, seed, n=1000):
    """Median distance from generated images to their nearest subset image,
    divided by the same median for held-out real images.

    About 1: samples are as novel as new real images; much less than 1: the
    GAN reproduces its training images (memorisation).
    """
    images, _ = next(iter(augment.synthetic_dataset(generator, batch_size=n, seed=seed + 54321)))
    train = x_subset.reshape(len(x_subset), -1).astype("float64")

    def median_nearest(queries):
        queries = queries.reshape(len(queries), -1).astype("float64")
        squared = (queries**2).sum(1)[:, None] + (train**2).sum(1)[None, :] - 2 * queries @ train.T
        return float(np.median(np.sqrt(np.maximum(squared.min(axis=1), 0.0))))

    return round(median_nearest(images.numpy()) / median_nearest(x_test[:n]), 3)


class CountingFilter:
    """Wraps an `accept` function and counts how many samples it passes."""

    def __init__(self, accept):
        self.accept, self.seen, self.passed = accept, 0, 0

    def __call__(self, images, labels):
        kept = np.asarray(self.accept(images, labels))
        self.seen, self.passed = self.seen + kept.size, self.passed + int(kept.sum())
        return kept

    @property
    def rate(self):
        return self.passed / max(self.seen, 1)


# Report -------------------------------------------------------------------------


def summarize(raw, args):
    """Mean/std over seeds, and the paired difference to "real only"."""
    summary = {}
    for per_class, by_seed in raw.items():
        names = list(next(iter(by_seed.values())))
        base = np.array([by_seed[s]["real only"] for s in by_seed])
        rows = {}
        for name in names:
            accs = np.array([by_seed[s][name] for s in by_seed])
            ok = ~np.isnan(accs)  # NaN: the run failed (see "notes")
            accs_ok, delta = accs[ok], (accs - base)[ok]
            rows[name] = {
                "accuracies": [None if np.isnan(a) else a for a in accs.tolist()],
                "failed": int((~ok).sum()),
                "mean": float(accs_ok.mean()) if ok.any() else None,
                "std": float(accs_ok.std(ddof=1)) if ok.sum() > 1 else 0.0,
                "delta_mean": float(delta.mean()) if ok.any() else None,
                "delta_std": float(delta.std(ddof=1)) if ok.sum() > 1 else 0.0,
            }
        summary[per_class] = rows
    return summary


def format_table(summary, args):
    columns = list(summary)
    names = list(summary[columns[0]])
    header = ["variant"] + [f"{c} labels/class" for c in columns]
    lines = []
    for name in names:
        cells = [name]
        for c in columns:
            row = summary[c][name]
            if row["mean"] is None:
                cells.append("failed")
                continue
            cell = f"{100 * row['mean']:.1f} ± {100 * row['std']:.1f}"
            if name != "real only":
                cell += f" ({100 * row['delta_mean']:+.1f})"
            if row["failed"]:
                cell += f" [{row['failed']} failed]"
            cells.append(cell)
        lines.append(cells)
    widths = [max(len(r[i]) for r in [header] + lines) for i in range(len(header))]
    fmt = lambda r: "| " + " | ".join(v.ljust(w) for v, w in zip(r, widths)) + " |"  # noqa: E731
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([fmt(header), rule] + [fmt(r) for r in lines])


def main(argv=None):
    args = parse_args(argv)
    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, flush=True))
    data = load_data(args)
    log(
        f"{args.dataset}: {len(data['x_train'])} train / {len(data['x_test'])} test images of shape "
        f"{data['x_train'].shape[1:]}, {data['num_classes']} classes"
    )
    started = time.time()
    raw, notes = {}, {}
    for per_class in args.labels_per_class:
        raw[per_class] = {}
        for seed in args.seeds:
            log(f"{per_class} labels/class, seed {seed}")
            raw[per_class][seed], subset_notes = run_subset(data, per_class, seed, args, log)
            notes[f"{per_class}/{seed}"] = subset_notes
    summary = summarize(raw, args)
    table = format_table(summary, args)
    print(
        f"\nTest accuracy (%) on {len(data['x_test'])} held-out real {args.dataset} images: mean ± std over "
        f"seeds {args.seeds}; (paired difference to real only)."
    )
    print(table)
    result = {
        "config": vars(args),
        "dataset_sizes": {"train": len(data["x_train"]), "test": len(data["x_test"])},
        "seconds": round(time.time() - started, 1),
        "summary": {str(k): v for k, v in summary.items()},
        "notes": notes,
        "table": table,
    }
    with open(args.json, "w") as f:
        json.dump(result, f, indent=2)
    log(f"\nwrote {args.json} ({result['seconds']:.0f}s)")
    return result


if __name__ == "__main__":
    sys.exit(main() and 0)
