"""Super-resolution quality and speed: held-out PSNR/SSIM, upscaling throughput, training images/s.

1. Quality. For each scale (x2, x4) a `kgan train --family super_resolution`
   run on the embedded photos (its defaults, or --epochs / --pretrain-epochs),
   or a finished run given with --run. On each held-out photo
   (`kgan.data.photos.HELD_OUT`, never read by training): the photo cropped to
   a multiple of the scale is the original, its antialiased bicubic
   downsampling (`kgan.data.degradation`, as in training) the input, and
   three upscalings are scored against the original:
   - bicubic: `degradation.bicubic_upscale`, the baseline;
   - PSNR model: the run's PSNR-oriented generator (end of pre-training);
   - GAN model: the run's final generator (its moving average).
   PSNR and SSIM on the Y channel with `scale` border pixels shaved, as the
   SR literature reports them (`kgan.families.super_resolution.quality`).
   A figure shows crops side by side: bicubic | PSNR model | GAN model | original.
   With --ablate-anchor, a x4 run of the paper's generator (--no-anchor) with
   the same budget is scored too.
   Also measured: how far `kgan upscale`'s tiles (default tile and overlap)
   are from the whole-image result, in 8-bit levels.
2. Upscaling throughput, output megapixels per second, of the x4 GAN model
   on a 128 x 128 input (batch 1, 512 x 512 output): Keras (the network in a
   `tf.function`), the SavedModel (TensorFlow) and onnxruntime, interleaved
   call by call, median of --steps calls.
3. Training images/s of the x4 default networks, kgan's compiled train step
   (through the train function `fit` calls) against a textbook reference of
   the same networks and update (a `tf.function` with two GradientTapes:
   G on pixel + relativistic GAN loss with D fixed, then D on real and the
   step's fake, the same flips and rotations, Adam, the generator EMA), in
   both phases, interleaved call by call as tools/bench_train.py does.

Examples:

    python tools/bench_super_resolution.py                       # trains x2 and x4 (~25 min on 2 cores)
    python tools/bench_super_resolution.py --run 4=runs/rrdb_x4-sample_photos-RUN --scales 4
    python tools/bench_super_resolution.py --scales 2 --epochs 6 --skip-speed
"""

import argparse
import json
import os
import sys
import time

FIGURE_CROP = 96  # high-resolution side of each crop in the figure


def _parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="\n\n".join(__doc__.split("\n\n")[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--scales", type=int, nargs="+", default=[2, 4], choices=(2, 4), help="scales to score")
    parser.add_argument("--run", action="append", default=[], metavar="SCALE=RUN", help="use a finished run for a scale")
    parser.add_argument("--epochs", type=int, default=None, help="epochs of the runs it trains (default: the family's)")
    parser.add_argument("--pretrain-epochs", type=int, default=None, help="pre-training epochs (default: the family's)")
    parser.add_argument("--workdir", default="/tmp/kgan_bench_sr", help="runs and exports it makes")
    parser.add_argument("--skip-speed", action="store_true", help="skip the throughput and training-speed parts")
    parser.add_argument(
        "--ablate-anchor", action="store_true", help="also train and score a x4 run without the anchor (--no-anchor)"
    )
    parser.add_argument("--steps", type=int, default=20, help="timed calls per variant (default: 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed calls first (default: 3)")
    parser.add_argument("--figure", default="tools/figures/super_resolution.png", help="figure of crops")
    parser.add_argument("--json", default="tools/figures/super_resolution.json", help="results file")
    return parser.parse_args(argv)


# 1. Quality ----------------------------------------------------------------------------------


def trained_run(scale, args, runs, name=None, **settings):
    """A finished run for `scale`: given with --run, or trained now (timed)."""
    from kgan import training

    if scale in runs and not settings:
        return runs[scale], None
    run_dir = os.path.join(args.workdir, name or f"x{scale}")
    model = {"scale": scale, **settings}
    if args.pretrain_epochs is not None:
        model["pretrain_epochs"] = args.pretrain_epochs
    config = training.TrainConfig(
        family="super_resolution", epochs=args.epochs, run_dir=run_dir,
        export_dir=os.path.join(args.workdir, "saved_models"), model=model,
    )
    start = time.perf_counter()
    training.train(config, verbose=0)
    return run_dir, time.perf_counter() - start


def score(run_dir, scale):
    """PSNR / SSIM of bicubic, the PSNR model and the GAN model on every held-out photo."""
    import numpy as np

    from kgan import images
    from kgan import training
    from kgan.data import degradation
    from kgan.data import photos
    from kgan.families.super_resolution import quality

    model = training.load_model(run_dir)
    if model.scale != scale:
        raise ValueError(f"Expected a x{scale} run. Received: {run_dir} of scale {model.scale}")
    rows, crops = [], []
    for name in photos.HELD_OUT:
        original = degradation.modcrop(photos.load(name), scale)
        lr = degradation.downsample(original, scale)
        x = lr[None].astype("float32") / 127.5 - 1.0
        results = {
            "bicubic": degradation.bicubic_upscale(lr, scale),
            "psnr_model": images.to_uint8(model.upscale(x, psnr=True)[0]),
            "gan_model": images.to_uint8(model.upscale(x)[0]),
        }
        row = {"image": name, "size": list(original.shape[:2])}
        for method, result in results.items():
            row[method] = {
                "psnr": quality.psnr(result, original, border=scale),
                "ssim": quality.ssim(result, original, border=scale),
            }
        rows.append(row)
        crops.append([results["bicubic"], results["psnr_model"], results["gan_model"], original])
    methods = ("bicubic", "psnr_model", "gan_model")
    mean = {m: {k: float(np.mean([r[m][k] for r in rows])) for k in ("psnr", "ssim")} for m in methods}
    config = training.read_config(run_dir)
    return {
        "scale": scale,
        "run": os.path.abspath(run_dir),
        "config": {"epochs": config.epochs, "pretrain_epochs": config.model.pretrain_epochs,
                   "pretrain_steps": config.model.pretrain_steps, "crops": config.model.crops,
                   "batch_size": config.batch_size, "patch_size": config.model.patch_size},
        "images": rows,
        "mean": mean,
        "psnr_gain_over_bicubic_db": mean["psnr_model"]["psnr"] - mean["bicubic"]["psnr"],
        "tiling": tiling_gap(model, scale),
    }, crops


def tiling_gap(model, scale):
    """`kgan upscale`'s tiles against the whole-image result, in 8-bit levels (default tile and overlap)."""
    import numpy as np

    from kgan.data import degradation
    from kgan.data import photos
    from kgan.families.super_resolution import tiling

    lr = degradation.downsample(degradation.modcrop(photos.load(photos.HELD_OUT[0]), scale), scale)
    x = lr.astype("float32") / 127.5 - 1.0
    network = model.export_network()
    run = lambda batch: network(batch, training=False).numpy()  # noqa: E731
    # Small tiles so that this photo has seams at every scale.
    tile, overlap = 64, tiling.DEFAULT_OVERLAP
    tiled = tiling.upscale(run, x, scale, tile=tile, overlap=overlap, dtype="uint8")
    whole = tiling.upscale(run, x, scale, tile=None, dtype="uint8")
    diff = np.abs(tiled.astype(int) - whole)
    return {"tile": tile, "overlap": overlap, "max_levels": int(diff.max()),
            "fraction_of_values_differing": float((diff > 0).mean())}


def figure(crops_by_scale, path):
    """Rows of crops: bicubic | PSNR model | GAN model | original, per held-out photo and scale."""
    import numpy as np

    from kgan import images

    tiles = []
    for scale, crops in crops_by_scale.items():
        for row in crops:
            height, width = row[-1].shape[:2]
            top, left = (height - FIGURE_CROP) // 2, (width - FIGURE_CROP) // 2
            tiles += [image[top : top + FIGURE_CROP, left : left + FIGURE_CROP] for image in row]
    grid = images.make_grid(np.stack(tiles), rows=len(tiles) // 4, padding=2, scale=2)
    images.save_png(np.concatenate([_header(grid.shape[1], FIGURE_CROP * 2 + 2), grid]), path)
    return path


def _header(width, column):
    """A white strip naming the four columns."""
    import numpy as np
    from PIL import Image
    from PIL import ImageDraw

    strip = Image.new("RGB", (width, 16), "white")
    draw = ImageDraw.Draw(strip)
    for i, title in enumerate(("bicubic", "PSNR model", "GAN model", "original")):
        draw.text((2 + i * column + 4, 2), title, fill="black")
    return np.asarray(strip)


# 2. Upscaling throughput -------------------------------------------------------------------------


def throughput(run_dir, exports, args, size=128):
    """Output megapixels/s of the x4 GAN model: Keras, SavedModel, onnxruntime."""
    import numpy as np
    import tensorflow as tf

    from kgan import inference
    from kgan import training

    model = training.load_model(run_dir)
    network = model.export_network()
    x = np.random.default_rng(0).uniform(-1, 1, (1, size, size, model.channels)).astype("float32")
    keras_fn = tf.function(lambda t: network(t, training=False), input_signature=[tf.TensorSpec((None, None, None, model.channels))])
    saved = inference.load(exports, backend="saved_model")
    onnx = inference.load(exports, backend="onnx")
    variants = {
        "keras": lambda: keras_fn(x).numpy(),
        "saved_model": lambda: saved.upscale(x),
        "onnxruntime": lambda: onnx.upscale(x),
    }
    seconds = interleaved(variants, args.steps, args.warmup)
    megapixels = size * size * model.scale**2 / 1e6
    return {
        "input": [size, size], "output_megapixels": megapixels,
        "results": {name: {"ms_per_call": 1000 * s, "megapixels_per_second": megapixels / s} for name, s in seconds.items()},
    }


def interleaved(variants, steps, warmup):
    """Median seconds per call of each variant, called one after another in turn."""
    times = {name: [] for name in variants}
    for call in range(warmup + steps):
        for name, fn in variants.items():
            start = time.perf_counter()
            fn()
            if call >= warmup:
                times[name].append(time.perf_counter() - start)
    return {name: sorted(t)[len(t) // 2] for name, t in times.items()}


# 3. Training images/s --------------------------------------------------------------------------------


def training_speed(args):
    """kgan's compiled step against the textbook reference, in each phase, x4 default networks."""
    import numpy as np
    import tensorflow as tf

    from kgan.data import degradation
    from kgan.families.super_resolution import config as config_lib
    from kgan.training.config import TrainConfig

    defaults = config_lib.Config()
    batch_size = config_lib.DEFAULTS["batch_size"]
    patch = config_lib.PATCH_SIZES[defaults.scale]
    rng = np.random.default_rng(0)
    hr = rng.integers(0, 256, (batch_size, patch, patch, 3), dtype="uint8")
    batch = (degradation.downsample(hr, defaults.scale), hr)
    dataset = tf.data.Dataset.from_tensors(batch).repeat()
    results = []
    for phase, pretrain_steps in (("pre-training", 10**9), ("gan", 0)):
        train = TrainConfig(family="super_resolution", epochs=1, batch_size=batch_size, steps_per_execution=1,
                            model={"pretrain_steps": pretrain_steps, "pretrain_epochs": 0, "patch_size": patch,
                                   "channels": 3, "pixel_weight": 1.0, "perceptual_weight": 0.0, "gan_weight": 5e-3})
        variants = {}
        for spe in (1, 8):
            model = _build(train, spe)
            model.make_train_function()
            iterator = iter(dataset)
            variants[f"kgan spe={spe}"] = (lambda m=model, it=iterator: _block(m.train_function(it)), spe)
        reference = reference_step(_build(train, 1), gan=phase == "gan")
        iterator = iter(dataset)
        variants["reference"] = (lambda it=iterator: _block(reference(next(it))), 1)
        seconds = interleaved({k: fn for k, (fn, _) in variants.items()}, args.steps, args.warmup)
        per_step = {k: seconds[k] / spe for k, (_, spe) in variants.items()}
        for name, sec in per_step.items():
            results.append({"phase": phase, "implementation": name, "ms_per_step": 1000 * sec,
                            "images_per_second": batch_size / sec, "speedup_vs_reference": per_step["reference"] / sec})
    return {"batch_size": batch_size, "patch_size": patch, "scale": defaults.scale, "results": results}


def _build(train, steps_per_execution):
    import dataclasses

    import keras

    from kgan.families.super_resolution import recipe

    keras.utils.set_random_seed(0)
    return recipe.build(dataclasses.replace(train, steps_per_execution=steps_per_execution))


def _block(outputs):
    import numpy as np
    import tensorflow as tf

    if isinstance(outputs, tf.experimental.Optional):
        outputs = outputs.get_value()
    tf.nest.map_structure(np.asarray, outputs)


def reference_step(model, gan):
    """The textbook update of `model`'s networks, written out: two tapes, Adam, flips, EMA."""
    import keras
    import tensorflow as tf

    from kgan.data import patches
    from kgan.families.super_resolution import losses

    g, d, average = model.generator, model.discriminator, model.ema_generator
    g_opt = keras.optimizers.Adam(1e-4 if gan else 2e-4, beta_1=0.9, beta_2=0.99)
    d_opt = keras.optimizers.Adam(1e-4, beta_1=0.9, beta_2=0.99)
    half_life = model.ema_schedule.half_life

    @tf.function
    def step(batch):
        lr = tf.cast(batch[0], tf.float32) / 127.5 - 1.0
        hr = tf.cast(batch[1], tf.float32) / 127.5 - 1.0
        codes = tf.random.uniform([tf.shape(lr)[0]], 0, 8, tf.int32)
        lr, hr = patches.dihedral(lr, codes), patches.dihedral(hr, codes)
        with tf.GradientTape() as tape:
            sr = g(lr, training=True)
            g_loss = tf.reduce_mean(tf.abs(sr - hr)) / 2.0
            if gan:
                adversarial = losses.relativistic_average_generator_loss(d(hr, training=True), d(sr, training=True))
                g_loss = g_loss + 5e-3 * adversarial
        g_opt.apply_gradients(zip(tape.gradient(g_loss, g.trainable_variables), g.trainable_variables))
        if gan:
            with tf.GradientTape() as tape:
                d_loss = losses.relativistic_average_discriminator_loss(d(hr, training=True), d(tf.stop_gradient(sr), training=True))
            d_opt.apply_gradients(zip(tape.gradient(d_loss, d.trainable_variables), d.trainable_variables))
        decay = 0.5 ** (tf.cast(tf.shape(lr)[0], tf.float32) / half_life)
        for a, w in zip(average.weights, g.weights):
            a.assign(decay * a + (1.0 - decay) * w)
        return g_loss

    return step


# Report ------------------------------------------------------------------------------------------------


def format_quality(report):
    lines = [f"{'scale':<6}{'image':<11}{'bicubic':>16}{'PSNR model':>16}{'GAN model':>16}   (PSNR dB / SSIM, Y, border = scale)"]
    for result in report["quality"]:
        for row in [*result["images"], {"image": "mean", **result["mean"]}]:
            cells = "".join(f"{row[m]['psnr']:>9.2f} / {row[m]['ssim']:.3f}" for m in ("bicubic", "psnr_model", "gan_model"))
            lines.append(f"x{result['scale']:<5}{row['image']:<11}{cells}")
        lines.append(f"x{result['scale']}: PSNR model - bicubic = {result['psnr_gain_over_bicubic_db']:+.2f} dB; "
                     f"tiles vs whole image: max {result['tiling']['max_levels']} levels")
    return "\n".join(lines)


def format_speed(report):
    lines = []
    if "throughput" in report:
        t = report["throughput"]
        lines.append(f"upscaling x4, {t['input'][0]}x{t['input'][1]} -> {t['output_megapixels']:.3f} MP, batch 1:")
        lines += [f"  {name:<12}{r['ms_per_call']:>9.1f} ms{r['megapixels_per_second']:>9.2f} MP/s" for name, r in t["results"].items()]
    if "training" in report:
        lines.append(f"training, x4 default networks, batch {report['training']['batch_size']}:")
        lines += [f"  {r['phase']:<13}{r['implementation']:<13}{r['ms_per_step']:>9.1f} ms/step{r['images_per_second']:>9.1f} img/s"
                  f"{r['speedup_vs_reference']:>7.2f} x ref" for r in report["training"]["results"]]
    return "\n".join(lines)


def main(argv=None):
    args = _parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    from kgan.training import runs as runs_lib

    runs = {int(k): v for k, v in (item.split("=", 1) for item in args.run)}
    report = {"quality": [], "tensorflow": tf.__version__, "keras": keras.__version__, "cpu_count": os.cpu_count()}
    crops = {}
    for scale in args.scales:
        run_dir, seconds = trained_run(scale, args, runs)
        result, crops[scale] = score(run_dir, scale)
        result["training_seconds"] = seconds
        report["quality"].append(result)
        print(format_quality({"quality": [result]}), flush=True)
    report["figure"] = figure(crops, args.figure)
    if args.ablate_anchor:
        run_dir, seconds = trained_run(4, args, runs, name="x4_no_anchor", anchor=False)
        result, _ = score(run_dir, 4)
        report["anchor_ablation"] = {**result, "training_seconds": seconds}
        print("without the anchor:\n" + format_quality({"quality": [result]}), flush=True)
    if not args.skip_speed and 4 in args.scales:
        run_dir = runs.get(4, os.path.join(args.workdir, "x4"))
        exports = [r["path"] for r in runs_lib.exports(run_dir) if "-psnr" not in os.path.basename(os.path.dirname(r["path"]))]
        # exports.json holds paths as `kgan train` was given them: relative to where it ran, maybe.
        export = next(p for p in (exports[-1], os.path.join(os.path.dirname(os.path.abspath(run_dir)), exports[-1]))
                      if os.path.isdir(p))
        report["throughput"] = throughput(run_dir, export, args)
        report["training"] = training_speed(args)
        print(format_speed(report))
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(report, f, indent=2)
    print(f"wrote {args.json} and {report['figure']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
