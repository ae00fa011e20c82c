"""Steady-state GAN training throughput: kgan.GAN against a textbook reference.

For one G/D pair this measures images/s of
- `kgan`: `kgan.GAN`'s train step, through the compiled train function that
  `fit` calls once per batch (`make_train_function`), jit off and on;
- `reference`: the same networks and the same alternating update written the
  textbook way (the TF/keras.io DCGAN examples): a `tf.function` with two
  GradientTapes, G called inside D's tape, separate D calls on the real and
  on the fake batch, Adam(2e-4, beta_1=0.5), non-saturating BCE loss, called
  as `train_step(next(batches))`;
and prints the ratio kgan / reference, the FLOPs per image, and the share of
this machine's float32 matmul peak (measured in the same run).

FLOPs per image are counted analytically from the layers (2 x multiply-adds
of Dense, Conv2D, Conv2DTranspose; normalization, activations and the
optimizer are ignored) for one training step per real image:

    D step: G forward + D forward and backward on real and fake
            = G + 2 x 3 D
    G step: G forward and backward + D forward and input-backward
            = 3 G + 2 D
    total   = 4 G + 8 D        (G, D: forward FLOPs for one image)

`--profiler-flops` adds the TF profiler's count for the reference step's
graph, which also counts elementwise ops (batch norm, activations, Adam).

Timing: after `--warmup` untimed calls (tracing, XLA compilation, caches),
the variants run interleaved, one call each in turn, so that load from other
processes on a shared machine falls on all of them alike; a variant's time
per step is the median of its `--steps` timed calls. The data is one constant
synthetic batch, so input pipelines do not count.

Examples:

    python tools/bench_train.py --preset dcgan_small --image-size 28 --channels 1
    python tools/bench_train.py --preset dcgan_tiny --batch-size 32 --steps-per-execution 8 --json out.json
    python tools/bench_train.py --module my_models.py:build --batch-size 64
    python tools/bench_train.py --preset dcgan_small --conditional --no-jit

Any Keras G/D pair is pluggable: from Python call
`benchmark(generator, discriminator, latent_dim, batch_size, ...)`, or pass
`--module path/to/file.py:function` (or `package.module:function`) where the
function returns `(generator, discriminator, latent_dim)`.
"""

import argparse
import importlib
import importlib.util
import json
import os
import sys
import time


def _parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="\n\n".join(__doc__.split("\n\n")[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--preset", default="dcgan_small", help="a kgan.models preset (default: dcgan_small)")
    parser.add_argument("--image-size", type=int, default=28, help="square image side (default: 28)")
    parser.add_argument("--channels", type=int, default=1, choices=(1, 3), help="1 or 3 (default: 1)")
    parser.add_argument("--batch-size", type=int, default=64, help="real images per step (default: 64)")
    parser.add_argument("--steps", type=int, default=30, help="timed calls per variant (default: 30)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed calls first (default: 5)")
    parser.add_argument("--conditional", action="store_true", help="class-conditional models (10 classes)")
    parser.add_argument("--num-classes", type=int, default=10, help="classes with --conditional (default: 10)")
    parser.add_argument("--module", help="path.py:function or package.module:function returning (G, D, latent_dim)")
    parser.add_argument("--no-jit", action="store_true", help="skip the jit_compile=True variants")
    parser.add_argument(
        "--steps-per-execution", type=int, default=1, help="also time kgan with compile(steps_per_execution=N)"
    )
    parser.add_argument("--threads", type=int, default=0, help="TF intra-op threads (0: TF's default)")
    parser.add_argument("--profiler-flops", action="store_true", help="also count FLOPs with the TF profiler")
    parser.add_argument("--json", help="write the results to this JSON file")
    return parser.parse_args(argv)


# Networks -------------------------------------------------------------------------------


def load_module_function(spec):
    """Returns the function named by `path.py:function` or `package.module:function`."""
    if ":" not in spec:
        raise ValueError(f"Expected --module as path.py:function or module:function. Received: {spec!r}")
    where, name = spec.rsplit(":", 1)
    if where.endswith(".py") or os.path.sep in where:
        module_spec = importlib.util.spec_from_file_location("bench_user_module", where)
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
    else:
        module = importlib.import_module(where)
    return getattr(module, name)


# FLOPs -----------------------------------------------------------------------------------


def forward_flops(model):
    """Forward FLOPs for one example: 2 x the multiply-adds of Dense and conv layers."""
    import keras

    macs = 0
    for layer in _leaf_layers(model):
        if isinstance(layer, keras.layers.Dense):
            in_shape = layer.input.shape
            positions = 1
            for d in in_shape[1:-1]:
                positions *= d
            macs += positions * in_shape[-1] * layer.units
        elif isinstance(layer, keras.layers.Conv2DTranspose):
            _, h, w, cin = layer.input.shape
            kh, kw = layer.kernel_size
            macs += h * w * kh * kw * cin * layer.filters
        elif isinstance(layer, keras.layers.Conv2D):
            _, h, w, cout = layer.output.shape
            kh, kw = layer.kernel_size
            cin = layer.input.shape[-1]
            macs += h * w * kh * kw * cin * cout // layer.groups
    return 2 * macs


def _leaf_layers(model):
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _leaf_layers(layer)
        else:
            yield layer


def train_flops_per_image(generator, discriminator):
    g, d = forward_flops(generator), forward_flops(discriminator)
    return {"generator_forward": g, "discriminator_forward": d, "train_step_per_image": 4 * g + 8 * d}


def profiler_flops(concrete_function):
    """FLOPs of a concrete function's graph counted by the TF (v1) profiler."""
    from tensorflow.python.profiler import model_analyzer
    from tensorflow.python.profiler import option_builder

    opts = option_builder.ProfileOptionBuilder(option_builder.ProfileOptionBuilder.float_operation())
    opts = opts.with_empty_output().build()
    return model_analyzer.profile(graph=concrete_function.graph, options=opts).total_float_ops


def matmul_peak_gflops(n=2048, repeats=5):
    """Best float32 GFLOP/s of an n x n matmul on this machine, now."""
    import tensorflow as tf

    a = tf.random.normal((n, n))
    b = tf.random.normal((n, n))
    matmul = tf.function(lambda x, y: tf.reduce_sum(tf.matmul(x, y)))
    matmul(a, b).numpy()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        matmul(a, b).numpy()
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


# The two implementations --------------------------------------------------------------------


def _real_batch(batch_size, image_shape, num_classes):
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (batch_size, *image_shape)).astype("float32")
    if num_classes is None:
        return tf.data.Dataset.from_tensors(images).repeat()
    labels = rng.integers(0, num_classes, batch_size).astype("int32")
    return tf.data.Dataset.from_tensors((images, labels)).repeat()


def _block(outputs):
    """Waits for a step's outputs (Keras wraps them in a tf Optional)."""
    import numpy as np
    import tensorflow as tf

    if isinstance(outputs, tf.experimental.Optional):
        outputs = outputs.get_value()
    tf.nest.map_structure(np.asarray, outputs)


def kgan_runner(generator, discriminator, latent_dim, batch_size, num_classes, jit, steps_per_execution=1):
    """Returns `(run, steps_per_call)`: `run()` does one call of the compiled
    train function that `fit` calls per batch (`steps_per_execution` steps)."""
    import kgan

    gan = kgan.GAN(generator, discriminator, latent_dim, num_classes=num_classes, seed=0)
    gan.compile(jit_compile=jit, steps_per_execution=steps_per_execution)
    gan.make_train_function()
    iterator = iter(_real_batch(batch_size, tuple(generator.outputs[0].shape[1:]), num_classes))
    return (lambda: _block(gan.train_function(iterator))), steps_per_execution


def reference_runner(generator, discriminator, latent_dim, batch_size, num_classes, jit):
    """Returns `(run, 1, train_step)` for the textbook loop `train_step(next(batches))`."""
    train_step = reference_train_step(generator, discriminator, latent_dim, num_classes, jit)
    iterator = iter(_real_batch(batch_size, tuple(generator.outputs[0].shape[1:]), num_classes))
    return (lambda: _block(train_step(next(iterator)))), 1, train_step


def reference_train_step(generator, discriminator, latent_dim, num_classes, jit):
    """The textbook alternating update (TF DCGAN tutorial / keras.io style)."""
    import keras
    import tensorflow as tf

    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    d_optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5)
    g_optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5)

    def g_in(z, labels):
        return z if num_classes is None else [z, labels]

    def d_in(x, labels):
        return x if num_classes is None else [x, labels]

    @tf.function(jit_compile=jit)
    def train_step(batch):
        real, labels = (batch, None) if num_classes is None else batch
        batch_size = tf.shape(real)[0]
        # Discriminator: G inside the tape, D called on real and on fake.
        z = tf.random.normal((batch_size, latent_dim))
        with tf.GradientTape() as d_tape:
            fake = generator(g_in(z, labels), training=True)
            real_logits = discriminator(d_in(real, labels), training=True)
            fake_logits = discriminator(d_in(fake, labels), training=True)
            d_loss = bce(tf.ones_like(real_logits), real_logits) + bce(tf.zeros_like(fake_logits), fake_logits)
        grads = d_tape.gradient(d_loss, discriminator.trainable_variables)
        d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))
        # Generator: fresh noise, non-saturating loss.
        z = tf.random.normal((batch_size, latent_dim))
        with tf.GradientTape() as g_tape:
            fake_logits = discriminator(d_in(generator(g_in(z, labels), training=True), labels), training=True)
            g_loss = bce(tf.ones_like(fake_logits), fake_logits)
        grads = g_tape.gradient(g_loss, generator.trainable_variables)
        g_optimizer.apply_gradients(zip(grads, generator.trainable_variables))
        return d_loss, g_loss

    return train_step


# The benchmark --------------------------------------------------------------------------------


def benchmark(
    generator,
    discriminator,
    latent_dim,
    batch_size,
    steps=30,
    warmup=5,
    num_classes=None,
    jit=(False, True),
    steps_per_execution=1,
    peak_gflops=None,
    count_profiler_flops=False,
):
    """Times kgan and the reference on one G/D pair; returns a results dict.

    The variants run interleaved, one call each in turn, so that load from
    other processes falls on all of them alike; each variant's time per step
    is the median of its timed calls (divided by the steps per call).

    Args:
        generator, discriminator: Keras models (conditional ones take labels
            as a second input; then pass `num_classes`).
        latent_dim: size of z.
        batch_size: real images per step.
        steps, warmup: timed and untimed calls per variant.
        num_classes: classes of a conditional pair, or None.
        jit: the jit_compile settings to time.
        steps_per_execution: kgan's `compile(steps_per_execution=...)`;
            values above 1 add a kgan row with it.
        peak_gflops: the machine's matmul GFLOP/s; measured when None.
        count_profiler_flops: also count the reference step's FLOPs with the
            TF profiler (a cross-check of the analytic count).
    """
    flops = train_flops_per_image(generator, discriminator)
    if peak_gflops is None:
        peak_gflops = matmul_peak_gflops()
    args = (generator, discriminator, latent_dim, batch_size, num_classes)
    runners = {}
    reference_fn = None
    for jit_compile in jit:
        run, per_call, reference_fn = reference_runner(*args, jit_compile)
        runners[("reference", jit_compile, 1)] = (run, per_call)
        runners[("kgan", jit_compile, 1)] = kgan_runner(*args, jit_compile)
        if steps_per_execution > 1:
            runners[("kgan", jit_compile, steps_per_execution)] = kgan_runner(*args, jit_compile, steps_per_execution)
    times = {key: [] for key in runners}
    for call in range(warmup + steps):
        for key, (run, per_call) in runners.items():
            start = time.perf_counter()
            run()
            if call >= warmup:
                times[key].append((time.perf_counter() - start) / per_call)
    if count_profiler_flops and reference_fn is not None:
        batch = next(iter(_real_batch(batch_size, tuple(generator.outputs[0].shape[1:]), num_classes)))
        step_flops = profiler_flops(reference_fn.get_concrete_function(batch))
        flops["profiler_reference_step_per_image"] = step_flops / batch_size
    seconds = {key: sorted(t)[len(t) // 2] for key, t in times.items()}
    rows = []
    for (name, jit_compile, spe), sec in seconds.items():
        images_per_second = batch_size / sec
        gflops = images_per_second * flops["train_step_per_image"] / 1e9
        rows.append(
            {
                "implementation": name,
                "jit_compile": jit_compile,
                "steps_per_execution": spe,
                "ms_per_step": 1000 * sec,
                "ms_per_step_quartiles": [1000 * _quantile(times[(name, jit_compile, spe)], q) for q in (0.25, 0.75)],
                "images_per_second": images_per_second,
                "gflops": gflops,
                "fraction_of_matmul_peak": gflops / peak_gflops,
                "speedup_vs_reference": seconds[("reference", jit_compile, 1)] / sec,
            }
        )
    return {
        "batch_size": batch_size,
        "steps": steps,
        "warmup": warmup,
        "num_classes": num_classes,
        "flops_per_image": flops,
        "flops_method": "analytic: 2 x MACs of Dense/Conv2D/Conv2DTranspose; train step = 4 G + 8 D forward",
        "timing_method": "variants interleaved call by call; median of timed calls; kgan timed through "
        "the compiled train function that fit calls per batch",
        "matmul_peak_gflops": peak_gflops,
        "results": rows,
    }


def _quantile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def format_table(report):
    lines = [
        f"{'implementation':<15}{'jit':<6}{'spe':>4}{'ms/step':>9}{'images/s':>11}{'GFLOP/s':>9}{'% peak':>8}{'x ref':>7}",
    ]
    for row in report["results"]:
        lines.append(
            f"{row['implementation']:<15}{str(row['jit_compile']):<6}{row['steps_per_execution']:>4}{row['ms_per_step']:>9.2f}"
            f"{row['images_per_second']:>11.0f}{row['gflops']:>9.2f}"
            f"{100 * row['fraction_of_matmul_peak']:>7.1f}%{row['speedup_vs_reference']:>7.2f}"
        )
    f = report["flops_per_image"]
    lines.append(
        f"FLOPs per image per train step: {f['train_step_per_image'] / 1e6:.2f} M "
        f"(G fwd {f['generator_forward'] / 1e6:.2f} M, D fwd {f['discriminator_forward'] / 1e6:.2f} M; "
        f"{report['flops_method']})"
    )
    if "profiler_reference_step_per_image" in f:
        lines.append(f"TF profiler, reference step graph: {f['profiler_reference_step_per_image'] / 1e6:.2f} M per image")
    lines.append(f"float32 matmul peak measured now: {report['matmul_peak_gflops']:.1f} GFLOP/s")
    return "\n".join(lines)


def main(argv=None):
    args = _parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    import keras

    from kgan import models

    keras.utils.set_random_seed(0)
    num_classes = args.num_classes if args.conditional else None
    if args.module:
        generator, discriminator, latent_dim = load_module_function(args.module)()
        source = args.module
    else:
        generator, discriminator = models.build(args.preset, args.image_size, args.channels, num_classes)
        latent_dim = generator.inputs[0].shape[-1]
        source = f"preset {args.preset}, {args.image_size}x{args.image_size}x{args.channels}"
    report = benchmark(
        generator,
        discriminator,
        latent_dim,
        args.batch_size,
        steps=args.steps,
        warmup=args.warmup,
        num_classes=num_classes,
        jit=(False,) if args.no_jit else (False, True),
        steps_per_execution=args.steps_per_execution,
        count_profiler_flops=args.profiler_flops,
    )
    report["models"] = source
    report["tensorflow"] = tf.__version__
    report["keras"] = keras.__version__
    report["cpu_count"] = os.cpu_count()
    print(f"{source}, batch {args.batch_size}, conditional={args.conditional}, {args.steps} timed steps")
    print(format_table(report))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
