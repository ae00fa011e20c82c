"""Rebuilds the pretrained exports in saved_models/ from scratch and checks them against their cards.

Each preset of `PRESETS` is a `kgan train` command with a fixed seed (and
TensorFlow's deterministic kernels) and a checker that scores the exported
model on held-out data. For each preset this tool:

1. trains it from scratch into a temporary root (or --out): the run in
   OUT/runs/NAME, its exports in OUT/saved_models/ (a family may export
   several parts: NAME-a2b and NAME-b2a, or NAME and NAME-psnr);
2. scores the preset's exports (`Preset.folders`, the ones committed) with
   its checker and writes the scores, the command and the tolerances into
   each one's card.json;
3. compares the scores with those of the committed card
   (saved_models/FOLDER/VERSION/card.json): each must be within the preset's
   tolerance (an absolute difference), else the row says "differs";
4. with --replace, installs each rebuilt folder as saved_models/FOLDER (the
   old one is removed; the swap is two renames).

It prints a table and writes JSON (--json). The exit status is 1 if a
rebuilt preset differs from its committed card.

Checkers:
- digits: tools/check_default_run.py's measure on the export (onnxruntime):
  1,000 samples (classes 0-9 in turn, noise seed 123) labelled by an SVC
  trained on the real digits' train split (98.6% on the held-out test
  split): how often the label is the class asked for, how many classes
  hold at least 2% of the samples, and the within-class diversity (mean
  pairwise distance of fakes over that of real digits).
- digits_cyclegan: tools/bench_translation.py's reader (the same SVC) on
  held-out images (the test splits): digits_on_photos translated to digits
  by the b2a export, plain digits sent to photos and back (a2b then b2a),
  next to the untranslated photos and the plain digits themselves.
- sr_x4: mean PSNR / SSIM (luminance, border shaved as the SR papers do) of
  the x4 export on the three held-out photos through `kgan upscale`'s tiles,
  next to bicubic on the same images.

Examples:

    python tools/train_presets.py --list
    python tools/train_presets.py                      # rebuild and check every preset (~15 min on 2 cores)
    python tools/train_presets.py --only digits --out /tmp/presets --replace
"""

import argparse
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SAVED_MODELS = os.path.join(REPO, "saved_models")
DEFAULT_JSON = os.path.join(HERE, "figures", "train_presets.json")


@dataclasses.dataclass(frozen=True)
class Preset:
    """A committed export: how to train it, how to score it, how close a rebuild must score.

    Attributes:
        name: the folder in saved_models/ (the served model name).
        train_args: `kgan train` arguments (without --out/--export-dir/--export-name/--quiet).
        checker: a key of `CHECKERS`.
        tolerances: `{score: largest absolute difference}` between a rebuild and the card.
        about: one line for the table and the README.
        exports: the export folders of the run that are committed and scored (default: `(name,)`).
    """

    name: str
    train_args: tuple
    checker: str
    tolerances: dict
    about: str
    exports: tuple = ()

    @property
    def folders(self):
        return self.exports or (self.name,)

    def train_command(self):
        return ["kgan", "train", *self.train_args, "--export-name", self.name]


PRESETS = {
    "digits": Preset(
        name="digits",
        train_args=("--family", "gan", "--dataset", "digits", "--seed", "0", "--deterministic"),
        checker="digits",
        # A rebuild on this machine repeats the run bit for bit (deterministic kernels); other CPUs round
        # differently, and a GAN run amplifies that: these bounds are about 5 binomial standard errors of
        # the 1,000-sample agreement and the run-to-run spread of the diversity ratio.
        tolerances={"agreement_with_requested_class": 0.03, "classes_covered": 0, "diversity_ratio": 0.05},
        about="conditional DCGAN (kgan train defaults) on the embedded 8x8 digits, 16x16 output",
    ),
    "digits_cyclegan": Preset(
        name="digits_cyclegan",
        # The demo's networks with 2 residual blocks instead of 6: a third of the weights (the pair
        # weighs ~4 MB, not ~9), and a faster run.
        train_args=("--family", "cyclegan", "--num-blocks", "2", "--seed", "0", "--deterministic"),
        checker="digits_cyclegan",
        # ~4 binomial standard errors of an accuracy near 0.5 on the test split (other CPUs round differently).
        tolerances={"translated_b2a": 0.1, "cycle_a2b_b2a": 0.1},
        about="CycleGAN digits <-> digits_on_photos (the embedded demo, 2 residual blocks), 32x32, both directions",
        exports=("digits_cyclegan-a2b", "digits_cyclegan-b2a"),
    ),
    "sr_x4": Preset(
        name="sr_x4",
        # One RRDB instead of the demo's two: half the weights. Only the PSNR-oriented generator is committed:
        # at this training budget the x4 GAN generator scores below bicubic (README, super-resolution).
        train_args=("--family", "super_resolution", "--scale", "4", "--blocks", "1", "--seed", "0", "--deterministic"),
        checker="sr_x4",
        tolerances={"psnr_gain_over_bicubic_db": 0.1, "ssim_gain_over_bicubic": 0.01},
        about="x4 super-resolution (PSNR-oriented RRDB network, 1 block, 32 filters) on the embedded photos",
        exports=("sr_x4-psnr",),
    ),
}


def score_digits(exports, n=1000, seed=123):
    """tools/check_default_run.py's scores of an exported conditional digits generator (onnxruntime)."""
    sys.path.insert(0, HERE)
    import check_default_run as check

    from kgan import inference

    model = inference.load(exports["digits"], backend="onnx")
    labels = np.arange(n) % model.num_classes
    samples = model.generate(n, seed=seed, labels=labels)
    classifier, real_accuracy = check.real_digit_classifier()
    features = check.to_digit_features(samples)
    predicted = classifier.predict(features)
    histogram = np.bincount(predicted, minlength=10)
    return {
        "agreement_with_requested_class": float((predicted == labels).mean()),
        "classes_covered": int((histogram >= n * 0.02).sum()),
        "diversity_ratio": check.diversity_ratio(features, predicted),
        "classifier_real_test_accuracy": real_accuracy,
        "n": n,
        "seed": seed,
    }


def score_digits_cyclegan(exports):
    """The digit reader's accuracy on held-out images translated by the exported pair (onnxruntime)."""
    sys.path.insert(0, HERE)
    import bench_translation

    from kgan import inference
    from kgan.data import digits_on_photos
    from kgan.inference import layout

    a2b, b2a = (inference.load(exports[f"digits_cyclegan-{d}"], backend="onnx") for d in ("a2b", "b2a"))
    predict, reader_accuracy = bench_translation.digit_classifier()
    # The exports take any size; the pair was trained at the card's image size.
    size = layout.read_card(exports["digits_cyclegan-a2b"])["training_config"]["model"]["image_size"]
    photos, labels = digits_on_photos.load("test", size)
    plain, plain_labels = digits_on_photos.plain_digits("test", size)

    def accuracy(images, truth):
        return float(np.mean(predict(images) == truth))

    return {
        "translated_b2a": accuracy(b2a.translate(photos), labels),
        "cycle_a2b_b2a": accuracy(b2a.translate(a2b.translate(plain)), plain_labels),
        "untranslated_photos": accuracy(photos, labels),
        "plain_digits": accuracy(plain, plain_labels),
        "reader_real_test_accuracy": reader_accuracy,
        "test_images": int(len(labels)),
    }


def score_sr_x4(exports):
    """PSNR / SSIM of the exported x4 model (onnxruntime, `kgan upscale`'s tiles) and of bicubic."""
    from kgan import inference
    from kgan.data import degradation
    from kgan.data import photos
    from kgan.families.super_resolution import quality
    from kgan.families.super_resolution import tiling

    model = inference.load(exports["sr_x4-psnr"], backend="onnx", batch_size=1)
    scale = model.spec.scale
    low, high = model.spec.input("image").value_range or (-1.0, 1.0)
    per_image = {}
    for name in photos.HELD_OUT:
        original = degradation.modcrop(photos.load(name), scale)
        lr = degradation.downsample(original, scale)
        results = {
            "bicubic": degradation.bicubic_upscale(lr, scale),
            "model": tiling.upscale(model.upscale, low + lr.astype("float32") * ((high - low) / 255.0), scale,
                                    dtype="uint8", value_range=(low, high)),
        }
        per_image[name] = {
            method: {"psnr": quality.psnr(result, original, border=scale),
                     "ssim": quality.ssim(result, original, border=scale)}
            for method, result in results.items()
        }
    mean = {method: {k: float(np.mean([row[method][k] for row in per_image.values()])) for k in ("psnr", "ssim")}
            for method in ("bicubic", "model")}
    return {
        "psnr_gain_over_bicubic_db": mean["model"]["psnr"] - mean["bicubic"]["psnr"],
        "ssim_gain_over_bicubic": mean["model"]["ssim"] - mean["bicubic"]["ssim"],
        "mean": mean,
        "per_image": per_image,
        "scale": scale,
    }


CHECKERS = {"digits": score_digits, "digits_cyclegan": score_digits_cyclegan, "sr_x4": score_sr_x4}


def committed_folders():
    """`{export folder: its preset}` for every folder the presets commit."""
    return {folder: preset for preset in PRESETS.values() for folder in preset.folders}


def compare(scores, committed, tolerances):
    """Rows `(score, rebuilt, committed, difference, tolerance, ok)` and whether all are within tolerance.

    A score missing from the committed card (or no card: `committed` None)
    fails its row: a rebuild can only be checked against numbers on record.
    """
    rows = []
    for key, tolerance in tolerances.items():
        old = None if committed is None else committed.get(key)
        new = scores.get(key)
        if old is None or new is None:
            rows.append((key, new, old, None, tolerance, False))
            continue
        difference = abs(float(new) - float(old))
        rows.append((key, new, old, difference, tolerance, difference <= tolerance + 1e-12))
    return rows, all(row[-1] for row in rows)


def committed_card(saved_models, name):
    """The card of the latest committed version of export folder `name`, or None."""
    from kgan.inference import layout

    folder = os.path.join(saved_models, name)
    versions = layout.list_versions(folder)
    return None if not versions else layout.read_card(os.path.join(folder, str(versions[-1])))


def rebuild(preset, out):
    """Trains `preset` into `out`; returns `({folder: version folder}, seconds)` of its committed exports."""
    run_dir = os.path.join(out, "runs", preset.name)
    root = os.path.join(out, "saved_models")
    if os.path.exists(run_dir) or any(os.path.exists(os.path.join(root, f)) for f in preset.folders):
        raise SystemExit(f"Expected a fresh output folder for {preset.name}. Received: {run_dir} or its export exists")
    command = [sys.executable, "-m", "kgan", "train", *preset.train_args, "--quiet",
               "--out", run_dir, "--export-dir", root, "--export-name", preset.name]
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=REPO)
    seconds = time.perf_counter() - start
    return {folder: os.path.join(root, folder, "1") for folder in preset.folders}, seconds


def write_scores(export_dir, preset, scores, seconds):
    """Records the scores and how to rebuild them in the export's card.json."""
    from kgan import atomic
    from kgan.export import card as card_lib

    card = card_lib.read_card(export_dir)
    card["command"] = " ".join(preset.train_command())
    card["source"] = f"a kgan train run (tools/train_presets.py --only {preset.name}); not committed"
    card["scores"] = {key: scores[key] for key in preset.tolerances}
    card["preset"] = {
        "rebuild": f"python tools/train_presets.py --only {preset.name}",
        "checker": preset.checker,
        "checker_details": {k: v for k, v in scores.items() if k not in preset.tolerances},
        "tolerances": preset.tolerances,
        "train_seconds": round(seconds, 1),
        "about": preset.about,
    }
    atomic.write_json(os.path.join(export_dir, card_lib.layout.CARD), card)
    return card


def install(model_dir, saved_models, name):
    """Replaces saved_models/NAME by `model_dir` (a copy staged beside it, then two renames)."""
    target = os.path.join(saved_models, name)
    staged = os.path.join(saved_models, f".{name}.new")
    old = os.path.join(saved_models, f".{name}.old")
    for path in (staged, old):
        shutil.rmtree(path, ignore_errors=True)
    shutil.copytree(model_dir, staged)
    if os.path.exists(target):
        os.rename(target, old)
    os.rename(staged, target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def folder_bytes(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(path) for f in files)


def run_preset(preset, out, saved_models, replace):
    exports, seconds = rebuild(preset, out)
    scores = CHECKERS[preset.checker](exports)
    for export_dir in exports.values():
        write_scores(export_dir, preset, scores, seconds)
    committed = committed_card(saved_models, preset.folders[0])
    rows, ok = compare(scores, None if committed is None else committed.get("scores"), preset.tolerances)
    model_dirs = {folder: os.path.dirname(export_dir) for folder, export_dir in exports.items()}
    result = {
        "name": preset.name,
        "status": "ok" if ok else ("no committed card" if committed is None else "differs"),
        "train_seconds": round(seconds, 1),
        "exports": exports,
        "export_bytes": sum(folder_bytes(d) for d in model_dirs.values()),
        "scores": scores,
        "committed_scores": None if committed is None else committed.get("scores"),
        "comparison": [dict(zip(("score", "rebuilt", "committed", "difference", "tolerance", "ok"), r)) for r in rows],
    }
    if replace:
        result["installed"] = [install(d, saved_models, folder) for folder, d in model_dirs.items()]
    return result


def table(results):
    lines = [f"{'preset':16} {'score':32} {'rebuilt':>9} {'committed':>9} {'diff':>7} {'tol':>6}  status"]
    for result in results:
        for row in result.get("comparison", []):
            key, new, old, difference, tolerance, ok = (row[k] for k in (
                "score", "rebuilt", "committed", "difference", "tolerance", "ok"))
            lines.append(
                f"{result['name']:16} {key:32} {_num(new):>9} {_num(old):>9} {_num(difference):>7} "
                f"{_num(tolerance):>6}  {'ok' if ok else result['status']}"
            )
        if "train_seconds" in result:
            lines.append(f"{result['name']:16} {'train seconds / export MB':32} {result['train_seconds']:>9} "
                         f"{result['export_bytes'] / 2**20:>9.2f}")
    return "\n".join(lines)


def _num(value):
    if value is None:
        return "-"
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog="\n\n".join(__doc__.split("\n\n")[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--only", nargs="+", choices=sorted(PRESETS), default=None, help="presets to rebuild")
    parser.add_argument("--out", default=None, help="where runs and exports go (default: a temporary folder)")
    parser.add_argument("--saved-models", default=SAVED_MODELS,
                        help="the committed export root (default: saved_models)")
    parser.add_argument("--replace", action="store_true", help="install each rebuilt export into --saved-models")
    parser.add_argument("--json", default=DEFAULT_JSON, help=f"write the results here (default: {DEFAULT_JSON})")
    parser.add_argument("--list", action="store_true", help="print the presets and exit")
    args = parser.parse_args(argv)
    if args.list:
        for preset in PRESETS.values():
            print(f"{preset.name:16} {' '.join(preset.train_command())}\n{'':16} {preset.about}")
        return 0
    out = args.out or tempfile.mkdtemp(prefix="kgan-presets-")
    results = [run_preset(PRESETS[name], out, args.saved_models, args.replace) for name in args.only or PRESETS]
    print(table(results))
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump({"out": out, "results": results}, f, indent=2)
            f.write("\n")
    return 0 if all(r["status"] == "ok" or (args.replace and r["status"] == "no committed card")
                    for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
