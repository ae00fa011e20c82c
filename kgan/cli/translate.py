"""`kgan translate`: image files through an image-to-image model (pix2pix, CycleGAN), names kept."""

import argparse
import os
import sys

from kgan.cli import CLIError
from kgan.cli import examples

DIRECTIONS = ("a2b", "b2a")


def add_parser(subparsers):
    p = subparsers.add_parser(
        "translate",
        help="translate image files with a pix2pix or CycleGAN run, .keras file or export",
        description=(
            "Translate an image file, or every PNG/JPEG file of a folder (and its subfolders), with an "
            "image-to-image model, and write each result under the same name (and format) in OUT. "
            "Images keep their size (the networks are fully convolutional) unless --size is given, and "
            "are converted to the channels the model takes. MODEL is a run directory or .keras file "
            "(a CycleGAN translates A -> B, or B -> A with --direction b2a; A is the first-named domain), "
            "or an export (a SavedModel folder, saved_models/NAME or an .onnx file; a CycleGAN exports "
            "NAME-a2b and NAME-b2a). A file that does not decode is reported and skipped; the exit code "
            "is then 1."
        ),
        epilog=examples(
            "kgan translate runs/pix2pix-photo_restoration-RUN degraded/ --out restored/",
            "kgan translate runs/cyclegan-digits-digits_on_photos-RUN photos/ --direction b2a --out plain/",
            "kgan translate saved_models/maps-a2b photo.jpg --out map.jpg",
            "kgan translate model.keras scans/ --size 256 --out out/",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("model", metavar="MODEL", help="run directory, .keras file, SavedModel/model folder or .onnx file")
    p.add_argument("input", metavar="INPUT", help="an image file, or a folder of image files")
    p.add_argument("--out", required=True, help="output file (for a file INPUT) or folder (names kept)")
    p.add_argument("--direction", choices=DIRECTIONS, default=None, help="CycleGAN run or .keras: a2b (default) or b2a")
    p.add_argument("--size", type=int, default=None, help="resize each image to SIZE x SIZE first (default: keep its size)")
    p.set_defaults(func=run)


def run(args):
    import numpy as np

    from kgan.data import image_files

    if args.size is not None and args.size < 1:
        raise CLIError(f"--size expects a positive integer. Received: {args.size}")
    if not os.path.exists(args.input):
        raise CLIError(f"INPUT not found: {args.input}")
    jobs = _jobs(args.input, args.out)
    translate, spec = _translator(args.model, args.direction)
    channels = spec.input("image").shape[-1]
    failed = 0
    for source, target in jobs:
        try:
            image = image_files.decode(source)
        except Exception as e:  # any decoding failure: report, go on with the others
            if len(jobs) == 1:
                raise CLIError(f"Could not read image file {source}: {e}") from None
            print(f"kgan translate: skipped {source}: does not decode ({e})", file=sys.stderr)
            failed += 1
            continue
        image = image_files.with_channels(image, channels)
        if args.size is not None:
            image = image_files.to_square(image, args.size)
        out = translate(image_files.to_float(image)[None])[0]
        _save(np.clip(np.rint((out + 1.0) * 127.5), 0, 255).astype("uint8"), target)
    print(f"translated {len(jobs) - failed} image(s) to {args.out}" + (f"; {failed} skipped" if failed else ""))
    return 1 if failed else 0


def _jobs(source, out):
    """`[(input path, output path)]`: a file to `out` (or into it, if a folder), a folder's files into `out`."""
    from kgan.data import folder

    if os.path.isfile(source):
        target = os.path.join(out, os.path.basename(source)) if os.path.isdir(out) else out
        if not target.lower().endswith(folder.EXTENSIONS):
            raise CLIError(f"--out expects a .png or .jpg file name (or a folder). Received: {out!r}")
        return [(source, target)]
    jobs = []
    for root, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and name.lower().endswith(folder.EXTENSIONS):
                path = os.path.join(root, name)
                jobs.append((path, os.path.join(out, os.path.relpath(path, source))))
    if not jobs:
        raise CLIError(f"Expected PNG or JPEG files in {source}. Received: none")
    return jobs


def _translator(path, direction):
    """`(fn(float images) -> float images, spec)` for a run, a .keras file or an export."""
    from kgan.training import runs

    if os.path.isfile(path) and path.endswith(".keras") or runs.is_run_dir(path):
        return _keras_translator(path, direction)
    from kgan import inference

    if direction is not None:
        raise CLIError(
            "--direction applies to a CycleGAN run or .keras file; an export holds one direction "
            f"(NAME-a2b or NAME-b2a). Received: --direction {direction} with {path}"
        )
    try:
        model = inference.load(path)
    except (FileNotFoundError, ValueError) as e:
        raise CLIError(str(e)) from None
    _check_task(model.spec, path)
    return model.translate, model.spec


def _keras_translator(path, direction):
    from kgan.models import translation
    from kgan.training import loading

    try:
        parts = loading.load_model(path).export_parts()
    except (FileNotFoundError, ValueError) as e:
        raise CLIError(str(e)) from None
    if set(parts) == {""}:
        if direction is not None:
            raise CLIError(
                f"--direction applies to a CycleGAN; {path} translates one way. Received: --direction {direction}"
            )
        network, spec = parts[""]
    elif set(DIRECTIONS) <= set(parts):
        network, spec = parts[direction or "a2b"]
    else:
        raise CLIError(f"Expected a model that translates images. Received: {path} with parts {sorted(parts)}")
    _check_task(spec, path)
    return (lambda images: translation.translate(network, images)), spec


def _check_task(spec, path):
    if spec.task != "translate":
        raise CLIError(
            f"kgan translate needs an image-to-image model (task 'translate'); {path} is a {spec.task!r} model "
            f"(use `kgan {'sample' if spec.task == 'generate' else spec.task}` instead)"
        )


def _save(array, path):
    from PIL import Image

    from kgan import atomic

    image = Image.fromarray(array[..., 0] if array.shape[-1] == 1 else array)
    fmt = "PNG" if path.lower().endswith(".png") else "JPEG"
    with atomic.temporary_path(path, os.path.splitext(path)[1]) as temp:
        image.save(temp, format=fmt, **({"quality": 95} if fmt == "JPEG" else {}))
