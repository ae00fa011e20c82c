"""What the translation demos reach on held-out data, against plain baselines, and how fast they train.

Quality (`--only quality`), for each seed, the default runs of
`kgan train --family cyclegan` and `kgan train --family pix2pix` (no other
flag; `--epochs-*` shortens them for a quick look):

- cyclegan (digits <-> digits_on_photos): label preservation. A digit
  classifier trained on real digits only (scikit-learn's SVC on the 8x8
  digits' train split, as tools/check_default_run.py) labels the held-out
  digits_on_photos test images (digits of the test split over held-out
  photos) translated to plain digits (b2a), against the same classifier on
  the untranslated images (the MNIST -> MNIST-M adaptation measure, in the
  direction that needs no target-domain classifier), and on real held-out
  digits as a ceiling. Images are read by the classifier as the digits are:
  grey, area-downsampled to 8x8.
- pix2pix (photo_restoration): L1, PSNR and SSIM (on [0, 1], SSIM with
  TensorFlow's 11x11 Gaussian window) of the restored held-out crops against
  the clean ones, beside the identity (the degraded input itself) and a
  plain L1-only U-Net: the same U-Net (residual output included when the run
  has it), data, jitter, batches, epochs and Adam(2e-4, 0.5), trained on the
  L1 loss alone (no discriminator).

Speed (`--only speed`): training images/s of each demo's networks at the
demo's batch size, kgan's compiled train function (what `fit` calls) against
a textbook `tf.function` step with GradientTapes doing the same update
(pix2pix: one G forward, D on real and fake pairs, then G's GAN + 100 L1
through the updated D; CycleGAN: both generators' adversarial, cycle and
identity terms, then each D on the fakes), timed interleaved call by call
in the same process (median of the timed calls). kgan also does the random
jitter and (CycleGAN) the image pools, which the textbook steps leave out.

    python tools/bench_translation.py --seeds 0 1 --json tools/figures/bench_translation.json --figures tools/figures
    python tools/bench_translation.py --only speed
    python tools/bench_translation.py --only quality --families pix2pix --epochs-pix2pix 2 --seeds 0

`--reuse RUN_DIR ...` evaluates finished default runs of `kgan train --family
pix2pix | cyclegan` (checked to have the default settings of that family and
seed) instead of training them again; their train time is read from the run
(first to last file it wrote: config.json to model.keras).
"""

import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np

FAMILIES = ("pix2pix", "cyclegan")


def _parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="\n\n".join(__doc__.split("\n\n")[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--only", choices=("quality", "speed"), default=None, help="run one part (default: both)")
    parser.add_argument("--families", nargs="+", choices=FAMILIES, default=list(FAMILIES), help="families (default: both)")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1], help="training seeds (default: 0 1)")
    parser.add_argument("--epochs-pix2pix", type=int, default=None, help="epochs of the pix2pix runs (default: the demo's)")
    parser.add_argument("--epochs-cyclegan", type=int, default=None, help="epochs of the CycleGAN runs (default: the demo's)")
    parser.add_argument("--steps", type=int, default=20, help="timed calls per speed variant (default: 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed calls first (default: 3)")
    parser.add_argument("--workdir", default=None, help="where runs are written (default: a temporary folder)")
    parser.add_argument("--figures", default=None, help="write the seed-0 runs' last sample grids here")
    parser.add_argument("--json", default=None, help="write the results to this JSON file")
    parser.add_argument("--reuse", nargs="+", default=[], metavar="RUN_DIR",
                        help="finished default `kgan train` runs to evaluate instead of training them again")
    return parser.parse_args(argv)


# Training the demos -------------------------------------------------------------------------------


def train_demo(family, seed, epochs, workdir):
    """Trains the default run of `family` (no export); returns `(model, run_dir, seconds)`."""
    from kgan import training

    run_dir = os.path.join(workdir, f"{family}-seed{seed}")
    config = training.TrainConfig(family=family, seed=seed, epochs=epochs, run_dir=run_dir, export=False)
    start = time.perf_counter()
    model, run_dir = training.train(config, verbose=0)
    return model, run_dir, time.perf_counter() - start


def reused_run(family, seed, epochs, run_dirs):
    """`(model, run_dir, seconds)` of the run in `run_dirs` that is the default run of `family` and `seed`, or None.

    Raises ValueError for a run of that family and seed whose settings are not
    the defaults (it would not measure the demo).
    """
    import dataclasses

    from kgan import training
    from kgan.training import run
    from kgan.training import runs

    for run_dir in run_dirs:
        stored = training.read_config(run_dir)
        if (stored.family, stored.seed) != (family, seed):
            continue
        default = run.resolve(training.TrainConfig(family=family, seed=seed, epochs=epochs, run_dir=run_dir))
        ignored = ("run_dir", "export", "export_dir", "export_name")
        # Compared as config.json holds them (tuples become lists there).
        default, stored_values = (json.loads(json.dumps(dataclasses.asdict(c))) for c in (default, stored))
        differs = {name for name, value in default.items() if name not in ignored and stored_values[name] != value}
        if differs:
            raise ValueError(
                f"Expected --reuse runs with the default settings of {family} seed {seed}. Received: {run_dir} "
                f"differs in {sorted(differs)}"
            )
        model, epoch = training.restore(run_dir)
        if epoch != stored.epochs:
            raise ValueError(f"Expected a finished run ({stored.epochs} epochs). Received: {run_dir} at epoch {epoch}")
        start, end = (os.path.getmtime(os.path.join(run_dir, name)) for name in (runs.CONFIG, runs.MODEL))
        return model, run_dir, end - start
    return None


def last_grid(run_dir):
    samples = os.path.join(run_dir, "samples")
    return os.path.join(samples, sorted(os.listdir(samples))[-1])


# CycleGAN: label preservation -----------------------------------------------------------------


def digit_classifier():
    """SVC on the real 8x8 digits' train split (tools/check_default_run.py); returns `(predict, test accuracy)`."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import check_default_run

    clf, accuracy = check_default_run.real_digit_classifier()
    return (lambda images: clf.predict(digit_features(images))), accuracy


def digit_features(images):
    """float [-1, 1] `(n, s, s, c)` -> the digits' features: grey, area-downsampled to 8x8, in [0, 16]."""
    import tensorflow as tf

    grey = np.mean(np.asarray(images, "float32"), axis=-1, keepdims=True)
    small = tf.image.resize(grey, (8, 8), method="area", antialias=True).numpy()
    return ((small[..., 0] + 1.0) * 8.0).reshape(len(images), 64)


def cyclegan_quality(model, predict):
    from kgan.data import digits_on_photos

    size = model.image_size
    photos_x, labels = digits_on_photos.load("test", size)
    plain_x, plain_labels = digits_on_photos.plain_digits("test", size)

    def accuracy(images, truth):
        return float(np.mean(predict(images) == truth))

    return {
        "real_digits": accuracy(plain_x, plain_labels),
        "untranslated": accuracy(photos_x, labels),
        "translated_b2a": accuracy(model.translate(photos_x, "b2a"), labels),
        "test_images": int(len(labels)),
    }


# pix2pix: restoration ------------------------------------------------------------------------


def restoration_scores(output, target):
    """Mean L1 on [-1, 1], and mean per-image PSNR (dB) and SSIM on [0, 1]."""
    import tensorflow as tf

    out01, tgt01 = (np.clip((np.asarray(x, "float32") + 1) / 2, 0, 1) for x in (output, target))
    mse = np.mean((out01 - tgt01) ** 2, axis=(1, 2, 3))
    return {
        "l1": float(np.mean(np.abs(np.asarray(output) - np.asarray(target)))),
        "psnr": float(np.mean(10 * np.log10(1.0 / np.maximum(mse, 1e-10)))),
        "ssim": float(np.mean(tf.image.ssim(tf.constant(out01), tf.constant(tgt01), max_val=1.0).numpy())),
    }


def train_l1_unet(train, seed):
    """The L1-only baseline: the run's U-Net, data, jitter and schedule, without the discriminator."""
    import keras
    import tensorflow as tf

    from kgan.data import jitter
    from kgan.data import stream
    from kgan.families.pix2pix import recipe
    from kgan.models import unet

    config = train.model
    keras.utils.set_random_seed(seed)
    generator = unet.unet_generator(
        config.source_channels, config.target_channels, image_size=config.image_size, depth=config.depth,
        base_filters=config.base_filters, dropout=config.dropout, normalization=config.normalization,
        residual=bool(config.residual),
    )
    optimizer = keras.optimizers.Adam(config.learning_rate, beta_1=config.beta_1)
    rng = keras.random.SeedGenerator(seed)

    @tf.function
    def step(source, target):
        source, target = jitter.random_jitter(
            [source, target], config.image_size, lambda shape: keras.random.uniform(shape, seed=rng)
        )
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.abs(target - generator(source, training=True)))
        optimizer.apply(tape.gradient(loss, generator.trainable_variables), generator.trainable_variables)
        return loss

    (source, target), _ = recipe.load_data(train)
    for epoch in range(train.epochs):
        dataset, _ = stream.epoch_keyed((source, target), train.batch_size, seed, initial_epoch=epoch)
        for s, t in dataset:
            step(s, t)
    return generator


def pix2pix_quality(model, run_dir, seed):
    from kgan import training
    from kgan.data import photo_restoration
    from kgan.models import translation

    train = training.read_config(run_dir)
    source, target = photo_restoration.load("test", model.image_size)
    start = time.perf_counter()
    baseline = train_l1_unet(train, seed)
    seconds = time.perf_counter() - start
    return {
        "identity": restoration_scores(source, target),
        "l1_only_unet": restoration_scores(translation.translate(baseline, source), target),
        "pix2pix": restoration_scores(model.translate(source), target),
        "l1_only_unet_seconds": seconds,
        "test_pairs": int(len(source)),
    }


# Speed -------------------------------------------------------------------------------------------


def speed(family, steps, warmup):
    """images/s of kgan's train function and of the textbook step, on the demo's networks and batch.

    kgan runs as `kgan train` builds it (8 steps per compiled call) and with
    one step per call; it is fed batches at the load size (286/256 of the
    image size), which its jitter crops, the textbook step batches at the
    image size.
    """
    import dataclasses

    import tensorflow as tf

    from kgan import training
    from kgan.data import jitter
    from kgan.training import run

    config = run.resolve(training.TrainConfig(family=family, run_dir=tempfile.mkdtemp(), export=False))
    batch, size, load = config.batch_size, config.model.image_size, jitter.load_size(config.model.image_size)
    channels = _channels(family, config.model)
    rng = np.random.default_rng(0)
    data = {key: rng.uniform(-1, 1, (batch, load, load, c)).astype("float32") for key, c in channels.items()}
    small = {key: tf.constant(value[:, :size, :size]) for key, value in data.items()}
    models = {spe: run.build(dataclasses.replace(config, steps_per_execution=spe)) for spe in (8, 1)}
    reference = (pix2pix_reference if family == "pix2pix" else cyclegan_reference)(models[1])
    runners = {f"kgan_spe{spe}": _kgan_runner(model, data, spe) for spe, model in models.items()}
    runners["reference"] = (lambda: _block(reference(small))), 1
    times = {name: [] for name in runners}
    for call in range(warmup + steps):
        for name, (fn, per_call) in runners.items():
            start = time.perf_counter()
            fn()
            if call >= warmup:
                times[name].append((time.perf_counter() - start) / per_call)
    results = {}
    for name, values in times.items():
        median = sorted(values)[len(values) // 2]
        results[name] = {"ms_per_step": 1000 * median, "images_per_second": batch / median}
    for name in runners:
        results[name]["vs_reference"] = results[name]["images_per_second"] / results["reference"]["images_per_second"]
    return {"variants": results, "batch_size": batch, "image_size": size, "steps": steps, "warmup": warmup}


def _channels(family, config):
    if family == "pix2pix":
        return {"source": config.source_channels, "target": config.target_channels}
    return {"a": config.a_channels, "b": config.b_channels}


def _kgan_runner(model, data, steps_per_execution):
    """`(run, steps per call)`: `run()` is one call of the compiled train function `fit` calls."""
    import tensorflow as tf

    model.make_train_function()
    iterator = iter(tf.data.Dataset.from_tensors(data).repeat())
    return (lambda: _block(model.train_function(iterator))), steps_per_execution


def _block(outputs):
    import tensorflow as tf

    if isinstance(outputs, tf.experimental.Optional):
        outputs = outputs.get_value()
    tf.nest.map_structure(np.asarray, outputs)


def pix2pix_reference(model):
    """The textbook step (TF's pix2pix tutorial, with the reference's D-then-G order) on copies of the networks."""
    import keras
    import tensorflow as tf

    g, d = (keras.models.clone_model(n) for n in (model.generator, model.discriminator))
    g_opt, d_opt = (keras.optimizers.Adam(2e-4, beta_1=0.5) for _ in range(2))
    bce = keras.losses.BinaryCrossentropy(from_logits=True)

    @tf.function
    def step(batch):
        source, target = batch["source"], batch["target"]
        with tf.GradientTape() as g_tape:
            fake = g(source, training=True)
        with tf.GradientTape() as d_tape:
            real_logits = d({"source": source, "images": target}, training=True)
            fake_logits = d({"source": source, "images": tf.stop_gradient(fake)}, training=True)
            d_loss = 0.5 * (bce(tf.ones_like(real_logits), real_logits) + bce(tf.zeros_like(fake_logits), fake_logits))
        d_opt.apply_gradients(zip(d_tape.gradient(d_loss, d.trainable_variables), d.trainable_variables))
        with g_tape:
            logits = d({"source": source, "images": fake}, training=True)
            g_loss = bce(tf.ones_like(logits), logits) + 100.0 * tf.reduce_mean(tf.abs(target - fake))
        g_opt.apply_gradients(zip(g_tape.gradient(g_loss, g.trainable_variables), g.trainable_variables))
        return d_loss, g_loss

    return step


def cyclegan_reference(model):
    """The textbook step (keras.io's CycleGAN example, in the reference's G-then-D order) on copies of the networks."""
    import keras
    import tensorflow as tf

    g_ab, g_ba, d_a, d_b = (keras.models.clone_model(getattr(model, n)) for n in
                            ("generator_ab", "generator_ba", "discriminator_a", "discriminator_b"))
    opts = [keras.optimizers.Adam(2e-4, beta_1=0.5) for _ in range(4)]
    mse = keras.losses.MeanSquaredError()
    mae = keras.losses.MeanAbsoluteError()

    @tf.function
    def step(batch):
        a, b = batch["a"], batch["b"]
        with tf.GradientTape(persistent=True) as tape:
            fake_b, fake_a = g_ab(a, training=True), g_ba(b, training=True)
            logits_b, logits_a = d_b(fake_b, training=True), d_a(fake_a, training=True)
            adversarial = mse(tf.ones_like(logits_b), logits_b) + mse(tf.ones_like(logits_a), logits_a)
            cycle = mae(a, g_ba(fake_b, training=True)) + mae(b, g_ab(fake_a, training=True))
            identity = mae(b, g_ab(b, training=True)) + mae(a, g_ba(a, training=True))
            g_loss = adversarial + 10.0 * cycle + 5.0 * identity
        for net, opt in ((g_ab, opts[0]), (g_ba, opts[1])):
            opt.apply_gradients(zip(tape.gradient(g_loss, net.trainable_variables), net.trainable_variables))
        del tape
        for net, opt, real, fake in ((d_a, opts[2], a, fake_a), (d_b, opts[3], b, fake_b)):
            with tf.GradientTape() as d_tape:
                real_logits, fake_logits = net(real, training=True), net(fake, training=True)
                d_loss = 0.5 * (mse(tf.ones_like(real_logits), real_logits) + mse(tf.zeros_like(fake_logits), fake_logits))
            opt.apply_gradients(zip(d_tape.gradient(d_loss, net.trainable_variables), net.trainable_variables))
        return g_loss

    return step


# Report -----------------------------------------------------------------------------------------


def summary(values):
    values = np.asarray(values, "float64")
    return {"mean": float(values.mean()), "std": float(values.std(ddof=1)) if len(values) > 1 else 0.0,
            "values": values.tolist()}


def _minutes(runs):
    return ", ".join(f"{r['seconds'] / 60:.1f}" for r in runs)


def format_tables(report):
    lines = []
    if "cyclegan" in report.get("quality", {}):
        runs = report["quality"]["cyclegan"]["runs"]
        lines.append("cyclegan: digit classifier (trained on real digits only) on held-out images, % correct")
        lines.append(f"{'images':<44}{'mean':>8}{'std':>7}   per seed")
        for key, label in (("real_digits", "real digits (ceiling)"),
                           ("untranslated", "digits_on_photos, untranslated"),
                           ("translated_b2a", "digits_on_photos translated to digits (b2a)")):
            s = summary([100 * r[key] for r in runs])
            lines.append(f"{label:<44}{s['mean']:>8.1f}{s['std']:>7.1f}   {', '.join(f'{v:.1f}' for v in s['values'])}")
        lines.append(f"train time per run: {_minutes(runs)} min")
    if "pix2pix" in report.get("quality", {}):
        runs = report["quality"]["pix2pix"]["runs"]
        lines.append("pix2pix: photo_restoration held-out crops (mean over seeds; std)")
        lines.append(f"{'output':<22}{'L1':>14}{'PSNR (dB)':>16}{'SSIM':>16}")
        for key in ("identity", "l1_only_unet", "pix2pix"):
            cells = []
            for metric, fmt in (("l1", "{:.4f}"), ("psnr", "{:.2f}"), ("ssim", "{:.3f}")):
                s = summary([r[key][metric] for r in runs])
                cells.append((fmt + " ± " + fmt).format(s["mean"], s["std"]))
            lines.append(f"{key:<22}" + "".join(f"{c:>16}" for c in cells))
        lines.append(f"train time per run: {_minutes(runs)} min (pix2pix)")
    for family, result in report.get("speed", {}).items():
        lines.append(f"{family} training speed (batch {result['batch_size']}, {result['image_size']} px, demo networks)")
        for name, row in result["variants"].items():
            lines.append(f"  {name:<12}{row['ms_per_step']:>9.1f} ms/step{row['images_per_second']:>9.1f} images/s"
                         f"{row['vs_reference']:>7.2f} x reference")
    return "\n".join(lines)


def main(argv=None):
    args = _parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    workdir = args.workdir or tempfile.mkdtemp(prefix="bench_translation_")
    report = {"seeds": args.seeds, "tensorflow": tf.__version__, "keras": keras.__version__,
              "cpu_count": os.cpu_count(), "quality": {}, "speed": {}}
    # Every family's first seed first (a bad setting shows early), then the others, then speed;
    # the JSON is rewritten after each result.
    if args.only in (None, "quality"):
        for seed in args.seeds:
            for family in args.families:
                runs = report["quality"].setdefault(family, {"runs": []})["runs"]
                runs.append(_quality_run(family, seed, args, workdir, report))
                _write(report, args.json)
    if args.only in (None, "speed"):
        for family in args.families:
            report["speed"][family] = speed(family, args.steps, args.warmup)
            _write(report, args.json)
    print(format_tables(report))
    if args.json:
        print(f"wrote {args.json}")
    return 0


def _quality_run(family, seed, args, workdir, report):
    epochs = args.epochs_pix2pix if family == "pix2pix" else args.epochs_cyclegan
    reused = reused_run(family, seed, epochs, args.reuse)
    model, run_dir, seconds = reused or train_demo(family, seed, epochs, workdir)
    if family == "cyclegan":
        predict, report["classifier_test_accuracy"] = digit_classifier()
        scores = cyclegan_quality(model, predict)
    else:
        scores = pix2pix_quality(model, run_dir, seed)
    result = {"seed": seed, "seconds": seconds, "epochs": epochs or _default_epochs(family), **scores,
              "run": run_dir if reused else None}
    print(f"{family} seed {seed}: {json.dumps(result)}", flush=True)
    if args.figures and seed == args.seeds[0]:
        import shutil

        os.makedirs(args.figures, exist_ok=True)
        shutil.copy(last_grid(run_dir), os.path.join(args.figures, f"{family}_demo.png"))
    return result


def _default_epochs(family):
    from kgan import families

    return families.config_module(family).DEFAULTS["epochs"]


def _write(report, path):
    if path:
        from kgan import atomic

        atomic.write_json(path, report)


if __name__ == "__main__":
    sys.exit(main())
