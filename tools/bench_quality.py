"""Time to quality: kgan's GAN against the keras.io GAN, trained for the same wall-clock budgets.

Every contender trains in the same process, interleaved in slices of a few
seconds, so that load from other processes falls on all of them alike. Each
has its own training clock (graph tracing included, scoring excluded) and is
scored when its clock passes each budget. Nothing in either recipe depends on
the budget (no schedule, no decay), so the snapshot at 2 minutes of a run that
goes on to 10 is exactly a 2-minute run.

Contenders:
- kgan: `--kgan "NAME: FLAGS"`, where FLAGS are `kgan train` flags; the model
  is the one `kgan train --dataset DATA FLAGS` builds, fed the same
  epoch-keyed stream (`kgan.data.stream`) and called through the compiled
  train function `fit` calls (`steps_per_execution` steps per call). The
  extra flag `--bf16` builds and trains under Keras' `mixed_bfloat16` policy
  (`--precision mixed_bfloat16`); without it or `--precision`, a contender
  trains in float32, not in what `kgan train`'s `--precision auto` picks.
- keras.io: the GAN of the keras.io guide "Customizing what happens in
  `fit()`" (the custom-train-step GAN), written here from the guide:
  G = Dense(7*7*128) - LeakyReLU(0.2) - Reshape - 2 x [Conv2DTranspose(128, 4,
  stride 2) - LeakyReLU(0.2)] - Conv2D(1, 7, sigmoid) from a 128-d normal z
  (1.34M parameters); D = 2 x [Conv2D(64 then 128, 3, stride 2) -
  LeakyReLU(0.2)] - GlobalMaxPooling2D - Dense(1) (75k parameters). One D
  update on concat(fake, real) with labels 1 (fake) / 0 (real) plus 0.05 x
  U[0, 1) noise, then one G update on fresh z towards label 0 ("real"); binary
  cross-entropy on logits; Adam(3e-4) for both; batch 64; pixels in [0, 1];
  unconditional; one step per call, as its `fit` runs it. It trains on the
  training split only (the guide also adds MNIST's test split, which is held
  out here to score with).

Scores, in the features of a classifier trained on the real training split
(`kgan.metrics.train_classifier` / `ClassifierExtractor`; FID and KID from
`kgan.metrics`, on `--n` generated images against `--n` reference images):
- FID, KID: lower is better (the evaluator's features are not normalised, so
  KID's cubic kernel gives large numbers; compare them within a table);
- confident: share of samples the classifier labels with probability >= 0.9;
- classes: classes holding >= 5% of the samples (by the classifier's label);
- agree: for conditional models, share labelled as the class asked for.
The ceiling ("real held-out") is the same scores for real held-out images:
on MNIST the test split is cut in two (seeded), one half the reference and
the other half scored like a generator; on the digits the train split is the
reference and the test split is scored.

Examples:

    python tools/bench_quality.py --budgets 2 5 10
    python tools/bench_quality.py --budgets 0.2 --n 1000 --evaluator-epochs 1 --json /tmp/q.json
    python tools/bench_quality.py --kgan "default:" --kgan "fast: --r1-interval 16 --reuse-fakes" --no-keras-io
    python tools/bench_quality.py --dataset digits --kgan "default:" --no-keras-io --budgets 1 2

Other tools (bench_faster_steps, bench_little_data, bench_imbalance) import
this module's trainers and scorer.
"""

import argparse
import contextlib
import hashlib
import json
import os
import shlex
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

MNIST = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "mnist.npz"))
FIGURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "figures")
CONFIDENCE = 0.9
CLASS_SHARE = 0.05


# kgan contenders -------------------------------------------------------------------------------


def kgan_config(flags):
    """The resolved `TrainConfig` that `kgan train FLAGS` would run (flags as a list of words)."""
    from kgan.cli import train as train_cli
    from kgan.training import run

    parser = argparse.ArgumentParser(prog="kgan")
    subparsers = parser.add_subparsers()
    train_cli.add_parser(subparsers, flags)
    args = parser.parse_args(["train", *flags])
    return run.resolve(train_cli.config_from_args(args).validate())


@contextlib.contextmanager
def dtype_policy(name):
    """Keras' global dtype policy set to `name` (None: unchanged) for the block."""
    import keras

    if name is None:
        yield
        return
    previous = keras.config.dtype_policy().name
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def block(outputs):
    """Waits for a train function's outputs; returns them as floats (Keras may wrap them in an Optional)."""
    import tensorflow as tf

    if isinstance(outputs, tf.experimental.Optional):
        outputs = outputs.get_value()
    return {k: float(np.asarray(v)) for k, v in outputs.items()} if isinstance(outputs, dict) else outputs


class Trainer:
    """A model trained call by call, with its own clock (seconds spent in its train calls) and step count."""

    kind = "trainer"
    steps_per_call = 1
    policy = None

    def __init__(self, name):
        self.name = name
        self.seconds = 0.0
        self.steps = 0
        self.calls = 0
        self.first_call_seconds = None
        self.logs = {}

    def call(self):
        start = time.perf_counter()
        with dtype_policy(self.policy):
            self.logs = block(self.train_function(self.iterator))
        elapsed = time.perf_counter() - start
        if self.calls == 0:
            self.first_call_seconds = elapsed
        self.calls += 1
        self.seconds += elapsed
        self.steps += self.steps_per_call
        return elapsed

    def train_until(self, seconds=None, steps=None):
        """Trains until its clock reaches `seconds` or its step count reaches `steps`."""
        while (seconds is not None and self.seconds < seconds) or (steps is not None and self.steps < steps):
            self.call()

    def grid(self, seed=7):
        """100 samples as a uint8 grid: one row per class for conditional models."""
        from kgan import images

        conditional = getattr(self.sampler, "num_classes", None)
        labels = np.repeat(np.arange(10), 10) if conditional else None
        with dtype_policy(self.policy):
            samples = self.sampler.generate(100, labels=labels, seed=seed)
        return images.make_grid(samples, rows=10, scale=2)

    def describe(self):
        return {"kind": self.kind, "steps_per_call": self.steps_per_call, "policy": self.policy or "float32"}


class KganTrainer(Trainer):
    """The model `kgan train FLAGS` builds, trained on `examples` (default: what `kgan train` loads).

    Args:
        name: the contender's name.
        flags: `kgan train` flags (a string or a list of words), plus `--bf16`.
        examples: `(images, labels)` or `images` in [-1, 1], or None for the
            config's dataset as `kgan train` loads it.
    """

    kind = "kgan"

    def __init__(self, name, flags, examples=None):
        from kgan import families
        from kgan.data import stream
        from kgan.training import run

        super().__init__(name)
        words = shlex.split(flags) if isinstance(flags, str) else list(flags)
        self.bf16 = "--bf16" in words
        self.flags = [w for w in words if w != "--bf16"]
        # Pinned: the recorded float32 contenders must stay float32 on a machine where `auto` picks bfloat16.
        given = any(w == "--precision" or w.startswith("--precision=") for w in self.flags)
        pinned = [] if given else ["--precision", "mixed_bfloat16" if self.bf16 else "float32"]
        self.config = kgan_config(self.flags + pinned)
        self.policy = self.config.precision
        with dtype_policy(self.policy):
            self.model = run.build(self.config)
        if examples is None:
            examples, _ = families.recipe(self.config.family).load_data(self.config)
        self.num_examples = len(examples[0] if isinstance(examples, tuple) else examples)
        dataset, _ = stream.repeated(examples, self.config.batch_size, self.config.seed)
        self.iterator = iter(dataset)
        self.steps_per_call = self.config.steps_per_execution
        self.batch_size = self.config.batch_size
        with dtype_policy(self.policy):
            self.model.make_train_function()
        self.train_function = self.model.train_function

    @property
    def sampler(self):
        return self.model

    def describe(self):
        import dataclasses

        return {
            **super().describe(),
            "flags": " ".join(self.flags + (["--bf16"] if self.bf16 else [])),
            "examples": self.num_examples,
            "config": {k: v for k, v in dataclasses.asdict(self.config).items() if k not in ("run_dir",)},
        }


# The keras.io contender ----------------------------------------------------------------------------


def keras_io_networks(latent_dim=128):
    """The keras.io custom-train-step guide's MNIST generator and discriminator."""
    import keras
    from keras import layers

    discriminator = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(64, (3, 3), strides=(2, 2), padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(128, (3, 3), strides=(2, 2), padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.GlobalMaxPooling2D(),
            layers.Dense(1),
        ],
        name="discriminator",
    )
    generator = keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(7 * 7 * 128),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Reshape((7, 7, 128)),
            layers.Conv2DTranspose(128, (4, 4), strides=(2, 2), padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(128, (4, 4), strides=(2, 2), padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(1, (7, 7), padding="same", activation="sigmoid"),
        ],
        name="generator",
    )
    return generator, discriminator


def keras_io_gan_class():
    """The guide's `GAN(keras.Model)` with its `train_step` (defined lazily: Keras is imported inside)."""
    import keras
    import tensorflow as tf
    from keras import ops

    class KerasIOGAN(keras.Model):
        def __init__(self, discriminator, generator, latent_dim, seed=None):
            super().__init__()
            self.discriminator = discriminator
            self.generator = generator
            self.latent_dim = latent_dim
            self.seed_generator = keras.random.SeedGenerator(seed)

        def compile(self, d_optimizer, g_optimizer, loss_fn):
            super().compile()
            self.d_optimizer = d_optimizer
            self.g_optimizer = g_optimizer
            self.loss_fn = loss_fn
            self.d_loss_metric = keras.metrics.Mean(name="d_loss")
            self.g_loss_metric = keras.metrics.Mean(name="g_loss")

        def train_step(self, real_images):
            if isinstance(real_images, tuple):
                real_images = real_images[0]
            batch_size = ops.shape(real_images)[0]
            z = keras.random.normal(shape=(batch_size, self.latent_dim), seed=self.seed_generator)
            generated_images = self.generator(z)
            combined_images = ops.concatenate([generated_images, real_images], axis=0)
            labels = ops.concatenate([ops.ones((batch_size, 1)), ops.zeros((batch_size, 1))], axis=0)
            labels += 0.05 * keras.random.uniform(ops.shape(labels), seed=self.seed_generator)
            with tf.GradientTape() as tape:
                d_loss = self.loss_fn(labels, self.discriminator(combined_images))
            grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
            self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
            z = keras.random.normal(shape=(batch_size, self.latent_dim), seed=self.seed_generator)
            misleading_labels = ops.zeros((batch_size, 1))
            with tf.GradientTape() as tape:
                g_loss = self.loss_fn(misleading_labels, self.discriminator(self.generator(z)))
            grads = tape.gradient(g_loss, self.generator.trainable_weights)
            self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
            self.d_loss_metric.update_state(d_loss)
            self.g_loss_metric.update_state(g_loss)
            return {"d_loss": self.d_loss_metric.result(), "g_loss": self.g_loss_metric.result()}

    return KerasIOGAN


class KerasIOSampler:
    """`generate(n, seed=...)` for the guide's generator, mapped from [0, 1] to kgan's [-1, 1]."""

    num_classes = None

    def __init__(self, generator, latent_dim):
        self.generator = generator
        self.latent_dim = latent_dim

    def generate(self, n, labels=None, seed=None, batch_size=500):
        from kgan import latent

        z = latent.sample_latent(n, self.latent_dim, seed)
        out = [np.asarray(self.generator(z[i : i + batch_size], training=False)) for i in range(0, n, batch_size)]
        return (np.concatenate(out) * 2.0 - 1.0).astype("float32")


class KerasIOTrainer(Trainer):
    """The keras.io guide's GAN on `images` (kgan's [-1, 1], rescaled to the guide's [0, 1])."""

    kind = "keras.io"
    latent_dim = 128
    batch_size = 64

    def __init__(self, name, images, seed=0):
        import keras

        from kgan.data import stream

        super().__init__(name)
        keras.utils.set_random_seed(seed)
        generator, discriminator = keras_io_networks(self.latent_dim)
        self.model = keras_io_gan_class()(discriminator, generator, self.latent_dim, seed=seed)
        self.model.compile(
            d_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
            g_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
            loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
        )
        self.model.d_optimizer.build(discriminator.trainable_variables)
        self.model.g_optimizer.build(generator.trainable_variables)
        self.num_examples = len(images)
        dataset, _ = stream.repeated(((images + 1.0) / 2.0).astype("float32"), self.batch_size, seed)
        self.iterator = iter(dataset)
        self.model.make_train_function()
        self.train_function = self.model.train_function
        self.sampler = KerasIOSampler(generator, self.latent_dim)

    def describe(self):
        return {
            **super().describe(),
            "examples": self.num_examples,
            "generator_parameters": self.model.generator.count_params(),
            "discriminator_parameters": self.model.discriminator.count_params(),
        }


# Scores ---------------------------------------------------------------------------------------


def load_dataset(name, image_size=None):
    """`{"x_train", "y_train", "x_test", "y_test"}` in [-1, 1] with a channel axis."""
    from kgan import data

    size = image_size or (16 if name == "digits" else None)
    x_train, y_train, _ = data.load_arrays(name, split="train", image_size=size)
    x_test, y_test, _ = data.load_arrays(name, split="test", image_size=size)
    return {"name": name, "x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def evaluator(dataset, cache_dir, epochs=None, log=print):
    """The classifier trained on the real training split (`kgan.metrics.train_classifier`), cached by content.

    `epochs=None`: enough epochs for about 300,000 examples, at least 5.
    """
    import keras

    from kgan import metrics

    x, y = dataset["x_train"], dataset["y_train"]
    epochs = epochs or max(5, round(300_000 / len(x)))
    key = hashlib.sha256(x.tobytes() + y.tobytes() + str(epochs).encode()).hexdigest()[:12]
    path = os.path.join(cache_dir, f"evaluator-{os.path.basename(dataset['name'])}-{x.shape[1]}px-{key}.keras")
    if not os.path.exists(path):
        os.makedirs(cache_dir, exist_ok=True)
        start = time.time()
        metrics.train_classifier((x, y), path=path, epochs=epochs, seed=0)
        log(f"trained the evaluator ({epochs} epochs on {len(x)} images) in {time.time() - start:.0f}s: {path}")
    model = keras.saving.load_model(path, compile=False)
    accuracy = float(np.mean(np.argmax(model.predict(dataset["x_test"], batch_size=500, verbose=0), 1) == dataset["y_test"]))
    return metrics.ClassifierExtractor(path, batch_size=500), accuracy


def real_split(dataset, seed=0):
    """`(reference, ceiling)`, each `(images, labels)`: test halves (MNIST), or train and test (digits)."""
    if dataset["name"] == "digits":
        return (dataset["x_train"], dataset["y_train"]), (dataset["x_test"], dataset["y_test"])
    order = np.random.default_rng(seed).permutation(len(dataset["x_test"]))
    half = len(order) // 2
    a, b = np.sort(order[:half]), np.sort(order[half:])
    x, y = dataset["x_test"], dataset["y_test"]
    return (x[a], y[a]), (x[b], y[b])


class Scorer:
    """FID, KID, confident share, classes covered (and agreement) in an evaluator's features.

    Args:
        extractor: a `kgan.metrics.ClassifierExtractor`.
        reference: real `(images, labels)` the samples are compared with.
        ceiling: real held-out `(images, labels)`, scored like a generator.
        n: generated images per score (default: as many as the ceiling has).
        seed: seed of the generated noise and labels and of KID's subsets.
        kid_subsets: subsets KID averages over (100, as the paper's code).
    """

    def __init__(self, extractor, reference, ceiling, n=None, seed=0, kid_subsets=100):
        from kgan import metrics

        self.extractor = extractor
        self.seed = seed
        self.kid_subsets = kid_subsets
        self.n = min(n or len(ceiling[0]), len(ceiling[0]))
        self.reference = metrics.extract(reference[0], extractor, batch_size=500).features
        self.n_reference = len(self.reference)
        self.ceiling = self.score(ceiling)

    def score(self, source, policy=None):
        """Scores a sampler (`generate(n, labels, seed)`) or real `(images, labels)`."""
        from kgan import metrics

        start = time.perf_counter()
        if isinstance(source, tuple):
            source = (source[0][: self.n], source[1][: self.n])
        with dtype_policy(policy):
            fake = metrics.extract(source, self.extractor, n=self.n, batch_size=500, seed=self.seed, probabilities=True)
        fid = metrics.frechet_distance(self.reference, fake.features)
        kid, kid_std = metrics.kernel_inception_distance(
            self.reference, fake.features, num_subsets=self.kid_subsets, subset_size=min(1000, self.n), seed=self.seed
        )
        predicted = np.argmax(fake.probabilities, axis=1)
        histogram = np.bincount(predicted, minlength=fake.probabilities.shape[1])
        scores = {
            "fid": fid,
            "kid": kid,
            "kid_std": kid_std,
            "confident": float(np.mean(fake.probabilities.max(axis=1) >= CONFIDENCE)),
            "classes": int(np.sum(histogram >= CLASS_SHARE * self.n)),
            "histogram": histogram.tolist(),
            "score_seconds": round(time.perf_counter() - start, 2),
        }
        if fake.labels is not None:
            scores["agree"] = float(np.mean(predicted == fake.labels))
        return scores

    def describe(self):
        return {
            "extractor": self.extractor.name,
            "extractor_sha256": self.extractor.weights_hash,
            "n_fake": self.n,
            "n_reference": self.n_reference,
            "confidence_threshold": CONFIDENCE,
            "class_share": CLASS_SHARE,
        }


# The race --------------------------------------------------------------------------------------


def race(trainers, checkpoints, on_checkpoint, by="seconds", slice_seconds=5.0, log=print):
    """Trains `trainers` interleaved to each checkpoint in turn, calling `on_checkpoint(trainer, checkpoint)`.

    `by="seconds"`: checkpoints are training-clock seconds, and trainers take
    turns of `slice_seconds`; `by="steps"`: checkpoints are step counts, and
    turns last `slice_seconds` of the trainer's clock or until the checkpoint.
    """
    for checkpoint in sorted(checkpoints):
        while any(_behind(t, checkpoint, by) for t in trainers):
            for trainer in trainers:
                if not _behind(trainer, checkpoint, by):
                    continue
                turn_end = trainer.seconds + slice_seconds
                while _behind(trainer, checkpoint, by) and trainer.seconds < turn_end:
                    trainer.call()
        for trainer in trainers:
            on_checkpoint(trainer, checkpoint)


def _behind(trainer, checkpoint, by):
    return (trainer.seconds if by == "seconds" else trainer.steps) < checkpoint


# Output ----------------------------------------------------------------------------------------


def side_by_side(grids, titles, path):
    """Writes grids next to each other with a title above each (PIL's built-in font)."""
    from PIL import Image, ImageDraw

    from kgan import images

    gap, header = 12, 16
    height = max(g.shape[0] for g in grids) + header
    width = sum(g.shape[1] for g in grids) + gap * (len(grids) - 1)
    canvas = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(canvas)
    x = 0
    for grid, title in zip(grids, titles):
        canvas.paste(Image.fromarray(grid[..., 0] if grid.shape[-1] == 1 else grid.mean(-1).astype("uint8")), (x, header))
        draw.text((x + 2, 2), title, fill=0)
        x += grid.shape[1] + gap
    images.save_png(np.asarray(canvas)[..., None], path)
    return path


def real_grid(images, labels, per_class=10):
    """`per_class` real images of each class, one row per class, as a uint8 grid like `Trainer.grid`'s."""
    from kgan import images as images_lib

    rows = [images[np.flatnonzero(labels == c)[:per_class]] for c in range(10)]
    return images_lib.make_grid(np.concatenate(rows), rows=10, scale=2)


def format_table(header, rows):
    """A Markdown table."""
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(v.ljust(w) for v, w in zip(r, widths)) + " |"  # noqa: E731
    return "\n".join([line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(r) for r in cells[1:]])


def score_cells(scores):
    """FID, KID x 1000, confident %, classes, agree % as table cells."""
    agree = f"{100 * scores['agree']:.1f}" if "agree" in scores else "-"
    return [
        f"{scores['fid']:.2f}",
        f"{scores['kid']:.3g}",
        f"{100 * scores['confident']:.1f}",
        str(scores["classes"]),
        agree,
    ]


def write_json(path, payload):
    from kgan import atomic

    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    atomic.write_json(path, payload)


# Main ------------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__[__doc__.index("Contenders:") :],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--dataset", default=MNIST, help=f"an .npz (x_train/y_train/x_test/y_test) or 'digits' (default: {MNIST})")
    parser.add_argument("--budgets", type=float, nargs="+", default=[2, 5, 10], help="minutes of training (default: 2 5 10)")
    parser.add_argument(
        "--kgan", action="append", metavar="'NAME: FLAGS'",
        help="a kgan contender: a name and its `kgan train` flags (repeatable; default: 'kgan default:')",
    )
    parser.add_argument("--no-keras-io", action="store_true", help="leave out the keras.io GAN")
    parser.add_argument("--seed", type=int, default=0, help="seed of every contender (default: 0)")
    parser.add_argument("--n", type=int, default=5000, help="generated images per score (default: 5000)")
    parser.add_argument("--slice-seconds", type=float, default=5.0, help="length of a training turn (default: 5)")
    parser.add_argument(
        "--evaluator-epochs", type=int, default=None,
        help="epochs of the evaluator classifier (default: about 300,000 examples, at least 5)",
    )
    parser.add_argument("--cache-dir", default="/tmp/kgan-bench", help="where evaluators are cached")
    parser.add_argument("--figures", default=FIGURES, help="where the sample grids go")
    parser.add_argument("--prefix", default="bench_quality", help="file name prefix of the grids")
    parser.add_argument("--json", default=os.path.join(FIGURES, "bench_quality.json"), help="results file")
    return parser.parse_args(argv)


def contender_flags(args, flags):
    base = ["--dataset", args.dataset, "--seed", str(args.seed)]
    return base + shlex.split(flags)


def main(argv=None):
    args = parse_args(argv)
    log = lambda *a: print(*a, flush=True)  # noqa: E731
    started = time.time()
    dataset = load_dataset(args.dataset)
    extractor, accuracy = evaluator(dataset, args.cache_dir, args.evaluator_epochs, log)
    reference, ceiling = real_split(dataset, args.seed)
    scorer = Scorer(extractor, reference, ceiling, n=args.n, seed=args.seed)
    log(f"evaluator test accuracy {accuracy:.4f}; real held-out: FID {scorer.ceiling['fid']:.2f}, "
        f"confident {scorer.ceiling['confident']:.3f}, classes {scorer.ceiling['classes']}")

    specs = args.kgan or ["kgan default:"]
    trainers = []
    for spec in specs:
        name, _, flags = spec.partition(":")
        trainers.append(KganTrainer(name.strip(), contender_flags(args, flags)))
    if not args.no_keras_io:
        if dataset["x_train"].shape[1:] != (28, 28, 1):
            raise ValueError(f"Expected 28x28x1 images for the keras.io GAN. Received: {dataset['x_train'].shape[1:]}")
        trainers.append(KerasIOTrainer("keras.io GAN", dataset["x_train"], seed=args.seed))

    results = {t.name: {"describe": t.describe(), "budgets": {}} for t in trainers}
    grids = {}

    def on_budget(trainer, seconds):
        scores = trainer_scores(scorer, trainer)
        minutes = seconds / 60
        results[trainer.name]["budgets"][f"{minutes:g}"] = {
            "steps": trainer.steps,
            "seconds": round(trainer.seconds, 1),
            "first_call_seconds": round(trainer.first_call_seconds, 1),
            "steps_per_second": round(trainer.steps / trainer.seconds, 2),
            "scores": scores,
            "logs": trainer.logs,
        }
        grids.setdefault(minutes, []).append((trainer.grid(), f"{trainer.name}, {minutes:g} min"))
        log(f"[{time.time() - started:6.0f}s] {trainer.name} at {minutes:g} min: {trainer.steps} steps, "
            f"FID {scores['fid']:.2f}, confident {scores['confident']:.3f}, classes {scores['classes']}")
        if len(grids[minutes]) == len(trainers):
            path = os.path.join(args.figures, f"{args.prefix}_{minutes:g}min.png")
            panels = [(real_grid(*ceiling), "real held-out")] + grids[minutes]
            side_by_side([g for g, _ in panels], [t for _, t in panels], path)

    race(trainers, [60 * b for b in args.budgets], on_budget, by="seconds", slice_seconds=args.slice_seconds)

    rows = [["real held-out", "-", "-", *score_cells(scorer.ceiling)]]
    for minutes in sorted(args.budgets):
        for trainer in trainers:
            r = results[trainer.name]["budgets"][f"{minutes:g}"]
            rows.append([f"{trainer.name}, {minutes:g} min", r["steps"], f"{r['steps_per_second']:.1f}", *score_cells(r["scores"])])
    table = format_table(["contender", "steps", "steps/s", "FID", "KID", "confident %", "classes", "agree %"], rows)
    print(table)
    payload = {
        "tool": "tools/bench_quality.py",
        "argv": sys.argv[1:] if argv is None else list(argv),
        "dataset": args.dataset,
        "train_examples": len(dataset["x_train"]),
        "evaluator_test_accuracy": accuracy,
        "scorer": scorer.describe(),
        "real_held_out": scorer.ceiling,
        "results": results,
        "goals": goals(results, scorer.ceiling, trainers),
        "table": table,
        "seconds": round(time.time() - started, 1),
    }
    write_json(args.json, payload)
    print(json.dumps(payload["goals"], indent=2))
    print(f"wrote {args.json}")
    return payload


def trainer_scores(scorer, trainer):
    return scorer.score(trainer.sampler, policy=trainer.policy)


def goals(results, ceiling, trainers):
    """The issue's goals for each kgan contender at its largest budget of at most 10 minutes."""
    out = {}
    keras_io = next((t.name for t in trainers if t.kind == "keras.io"), None)
    for trainer in trainers:
        if trainer.kind != "kgan":
            continue
        budgets = {float(b): r for b, r in results[trainer.name]["budgets"].items()}
        within = [b for b in budgets if b <= 10] or [min(budgets)]
        last = budgets[max(within)]["scores"]
        goal = {
            "budget_minutes": max(within),
            "fid_over_real": last["fid"] / ceiling["fid"],
            "fid_within_3x_real": last["fid"] <= 3 * ceiling["fid"],
            "confident_gap_points": 100 * (ceiling["confident"] - last["confident"]),
            "confident_within_5_points": ceiling["confident"] - last["confident"] <= 0.05,
            "every_class_covered": last["classes"] == len(ceiling["histogram"]),
        }
        if keras_io:
            ref = {float(b): r["scores"] for b, r in results[keras_io]["budgets"].items()}
            goal["fid_ratio_keras_io_over_kgan"] = {f"{b:g}": ref[b]["fid"] / budgets[b]["scores"]["fid"] for b in sorted(budgets)}
        out[trainer.name] = goal
    return out


if __name__ == "__main__":
    main()
