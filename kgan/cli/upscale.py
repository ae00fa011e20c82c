"""`kgan upscale`: image files of any size through a super-resolution model, in overlapping tiles."""

import argparse
import os
import sys

from kgan.cli import CLIError
from kgan.cli import examples

# Image files a folder INPUT contributes (kgan.data's, without importing TensorFlow).
EXTENSIONS = (".png", ".jpg", ".jpeg")


def add_parser(subparsers):
    from kgan.families.super_resolution import tiling

    p = subparsers.add_parser(
        "upscale",
        help="upscale image files with a super-resolution run, .keras file or export",
        description=(
            "Upscale an image file, or every PNG/JPEG file of a folder (and its subfolders), by the model's "
            "scale, and write each result as a PNG under the same name in OUT. Images of any size are upscaled "
            f"in windows of at most --tile low-resolution pixels (default {tiling.DEFAULT_TILE}) that overlap "
            f"by --overlap pixels (default {tiling.DEFAULT_OVERLAP}), so memory stays bounded; the tiles match "
            "the whole-image result wherever the overlap covers the network's receptive field (--tile 0: one "
            "window). MODEL is a run directory or .keras file (the GAN generator, or the PSNR-oriented one "
            "with --psnr), or an export (a SavedModel folder, saved_models/NAME, NAME-psnr, or an .onnx file). "
            "A file that does not decode is reported and skipped; the exit code is then 1."
        ),
        epilog=examples(
            "kgan upscale runs/rrdb_x4-sample_photos-RUN photo.jpg --out photo_x4.png",
            "kgan upscale saved_models/rrdb_x4-sample_photos-RUN photos/ --out big/",
            "kgan upscale saved_models/NAME-psnr/1/model.onnx scan.png --out scan_x4.png --tile 256",
            "kgan upscale model.keras photos/ --out big/ --psnr",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("model", metavar="MODEL", help="run directory, .keras file, SavedModel/model folder or .onnx file")
    p.add_argument("input", metavar="INPUT", help="an image file, or a folder of image files")
    p.add_argument("--out", required=True, help="output PNG (for a file INPUT) or folder (names kept, as .png)")
    p.add_argument("--tile", type=int, default=tiling.DEFAULT_TILE, help="largest window side in input pixels (0: whole images)")
    p.add_argument("--overlap", type=int, default=tiling.DEFAULT_OVERLAP, help="context pixels around each tile")
    p.add_argument("--psnr", action="store_true", help="run or .keras: the PSNR-oriented generator instead of the GAN one")
    p.add_argument("--backend", choices=("onnx", "saved_model"), default=None, help="export backend (default: onnx)")
    p.set_defaults(func=run)


def run(args):
    from kgan.families.super_resolution import tiling

    if args.tile < 0 or args.overlap < 0 or (args.tile and args.tile - 2 * args.overlap < 1):
        raise CLIError(
            f"--tile and --overlap expect 0 <= overlap <= (tile - 1) // 2, or --tile 0. Received: --tile {args.tile} "
            f"--overlap {args.overlap}"
        )
    if not os.path.exists(args.input):
        raise CLIError(f"INPUT not found: {args.input}")
    jobs = _jobs(args.input, args.out)
    upscale, spec = _upscaler(args.model, args.psnr, args.backend)
    channels, value_range = spec.input("image").shape[-1], spec.input("image").value_range or (-1.0, 1.0)
    failed = 0
    for source, target in jobs:
        try:
            image = _decode(source, channels, value_range)
        except Exception as e:  # any decoding failure: report, go on with the others
            if len(jobs) == 1:
                raise CLIError(f"Could not read image file {source}: {e}") from None
            print(f"kgan upscale: skipped {source}: does not decode ({e})", file=sys.stderr)
            failed += 1
            continue
        pixels = tiling.upscale(
            upscale, image, spec.scale, args.tile or None, args.overlap, dtype="uint8", value_range=value_range
        )
        _save(pixels, target)
    print(f"upscaled {len(jobs) - failed} image(s) x{spec.scale} to {args.out}" + (f"; {failed} skipped" if failed else ""))
    return 1 if failed else 0


def _jobs(source, out):
    """`[(input path, output path)]`: a file to `out` (or into it, if a folder), a folder's files into `out`."""
    if os.path.isfile(source):
        target = os.path.join(out, _png_name(os.path.basename(source))) if os.path.isdir(out) else out
        if not target.lower().endswith(".png"):
            raise CLIError(f"--out expects a .png file name (or a folder). Received: {out!r}")
        return [(source, target)]
    jobs = []
    for root, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and name.lower().endswith(EXTENSIONS):
                path = os.path.join(root, name)
                jobs.append((path, os.path.join(out, _png_name(os.path.relpath(path, source)))))
    if not jobs:
        raise CLIError(f"Expected PNG or JPEG files in {source}. Received: none")
    return jobs


def _png_name(path):
    return os.path.splitext(path)[0] + ".png"


def _upscaler(path, psnr, backend):
    """`(fn(float batch) -> float batch, spec)` for a run, a .keras file or an export."""
    from kgan.training import runs

    if (os.path.isfile(path) and path.endswith(".keras")) or runs.is_run_dir(path):
        if backend is not None:
            raise CLIError(f"--backend applies to an export. Received: --backend {backend} with {path}")
        return _keras_upscaler(path, psnr)
    from kgan import inference

    if psnr:
        raise CLIError(
            "--psnr applies to a run or .keras file; an export holds one generator (export NAME-psnr is the "
            f"PSNR-oriented one). Received: --psnr with {path}"
        )
    try:
        model = inference.load(path, backend=backend, batch_size=1)
    except (FileNotFoundError, ValueError) as e:
        raise CLIError(str(e)) from None
    _check_task(model.spec, path)
    return model.upscale, model.spec


def _keras_upscaler(path, psnr):
    from kgan.training import loading

    try:
        model = loading.load_model(path)
    except (FileNotFoundError, ValueError) as e:
        raise CLIError(str(e)) from None
    spec = model.export_spec()
    _check_task(spec, path)
    network = model.psnr_network() if psnr else model.export_network()

    def upscale(images):
        return network(images, training=False).numpy()

    return upscale, spec


def _check_task(spec, path):
    if spec.task != "upscale":
        raise CLIError(
            f"kgan upscale needs a super-resolution model (task 'upscale'); {path} is a {spec.task!r} model "
            f"(use `kgan {'sample' if spec.task == 'generate' else spec.task}` instead)"
        )


def _decode(path, channels, value_range):
    """An image file as float32 `(H, W, channels)` in `value_range`."""
    import numpy as np
    from PIL import Image

    with Image.open(path) as image:
        pixels = np.asarray(image.convert("L" if channels == 1 else "RGB"), dtype="float32")
    pixels = pixels.reshape(*pixels.shape[:2], channels)
    low, high = value_range
    return pixels * np.float32((high - low) / 255.0) + np.float32(low)


def _save(array, path):
    from PIL import Image

    from kgan import atomic

    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with atomic.temporary_path(path, ".png") as temp:
        Image.fromarray(array[..., 0] if array.shape[-1] == 1 else array).save(temp, format="PNG")
