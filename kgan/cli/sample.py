"""`kgan sample`: image grids or files from a trained run, model file or export."""

import argparse
import os

from kgan.cli import CLIError
from kgan.cli import examples


def add_parser(subparsers):
    p = subparsers.add_parser(
        "sample",
        help="write samples from a run, a .keras file or an exported model",
        description="Generate images as one PNG grid (--out) or individual PNGs (--individual DIR). "
        "Latent points come from --n/--seed, one per seed (--seeds), or an interpolation (--interpolate).",
        epilog=examples(
            "kgan sample runs/RUN --n 64 --seed 0 --out grid.png",
            "kgan sample runs/RUN --seeds 0-15 --labels 7 --out sevens.png",
            "kgan sample model.keras --interpolate 1 2 --steps 10 --method slerp --out walk.png",
            "kgan sample saved_models/digits/1/model.onnx --n 100 --individual samples/",
            "kgan sample runs/VOXEL_RUN --n 16 --mesh meshes/     # 3D shapes as .obj and .ply",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("src", help="run directory, .keras file, SavedModel folder or .onnx file")
    p.add_argument("--n", type=int, default=64, help="number of samples (with --seed)")
    p.add_argument("--seed", type=int, default=0, help="noise seed for --n samples")
    p.add_argument("--seeds", default=None, help="one sample per seed: '0-15' or '1,5,9'")
    p.add_argument("--interpolate", nargs=2, type=int, metavar=("SEED_A", "SEED_B"), help="walk between two seeds' latent points")
    p.add_argument("--steps", type=int, default=8, help="interpolation steps")
    p.add_argument("--method", choices=("slerp", "lerp"), default="slerp", help="interpolation method")
    p.add_argument("--labels", default=None, help="class label(s) for a conditional model: '3' or '0,1,2' (cycled); default: all classes in turn, and an --interpolate walk once per class")
    p.add_argument("--rows", type=int, default=None, help="grid rows (default: one per class, or square)")
    p.add_argument("--scale", type=int, default=None, help="integer upscaling of each tile (default: to ~64 px)")
    p.add_argument("--out", default="samples.png", help="grid PNG path")
    p.add_argument("--individual", metavar="DIR", default=None, help="write one PNG per sample into DIR instead of a grid")
    p.add_argument("--mesh", metavar="DIR", default=None, help="voxel models: write each shape as a mesh (marching cubes), DIR/NNNNN.obj and .ply")
    p.set_defaults(func=run)


def parse_seeds(text):
    """Parses '0-15' or '1,5,9' (or a mix, '0-3,7') into a list of ints."""
    seeds = []
    try:
        for part in text.split(","):
            if "-" in part.strip()[1:]:
                lo, hi = part.split("-", 1)
                lo, hi = int(lo), int(hi)
                if hi < lo:
                    raise ValueError
                seeds.extend(range(lo, hi + 1))
            else:
                seeds.append(int(part))
    except ValueError:
        raise CLIError(f"--seeds expects e.g. '0-15' or '1,5,9'. Received: {text!r}") from None
    return seeds


def parse_labels(text, n):
    from kgan import labels

    try:
        return labels.parse(text, n).astype("int32")
    except ValueError as e:
        raise CLIError(str(e)) from None


def latent_points(args, latent_dim):
    """The z batch the arguments ask for."""
    import numpy as np

    from kgan import latent

    seeds = args.interpolate or (parse_seeds(args.seeds) if args.seeds else [args.seed])
    if min(seeds) < 0:  # numpy's generators take no negative seeds
        raise CLIError(f"--seed, --seeds and --interpolate expect non-negative integers. Received: {min(seeds)}")
    if args.interpolate:
        if args.steps < 2:
            raise CLIError(f"--steps expects an integer >= 2. Received: {args.steps}")
        a, b = (latent.sample_latent(1, latent_dim, s)[0] for s in seeds)
        return (latent.slerp if args.method == "slerp" else latent.lerp)(a, b, args.steps)
    if args.seeds:
        return np.concatenate([latent.sample_latent(1, latent_dim, s) for s in seeds])
    if args.n < 1:
        raise CLIError(f"--n expects a positive integer. Received: {args.n}")
    return latent.sample_latent(args.n, latent_dim, args.seed)


def run(args):
    import numpy as np

    from kgan import images
    from kgan.training import loading

    try:
        sampler = loading.load_sampler(args.src)
    except (FileNotFoundError, ValueError) as e:
        raise CLIError(str(e)) from e
    task = getattr(getattr(sampler, "spec", None), "task", "generate")
    if task != "generate":
        raise CLIError(
            f"kgan sample draws images from noise; {args.src} is a {task!r} model "
            f"(use `kgan {task}` on your images instead)"
        )
    z = latent_points(args, sampler.latent_dim)
    labels = None
    rows = args.rows
    if sampler.num_classes is not None:
        if args.labels:
            labels = parse_labels(args.labels, len(z))
        elif args.interpolate:  # the same walk once per class, one row each
            labels = np.repeat(np.arange(sampler.num_classes, dtype="int32"), len(z))
            z = np.tile(z, (sampler.num_classes, 1))
            rows = rows or sampler.num_classes
        else:  # one block (a grid row) per class
            per_class = -(-len(z) // sampler.num_classes)
            labels = np.repeat(np.arange(sampler.num_classes, dtype="int32"), per_class)[: len(z)]
        if labels.min() < 0 or labels.max() >= sampler.num_classes:
            raise CLIError(f"--labels expects classes in [0, {sampler.num_classes}). Received: {args.labels!r}")
    elif args.labels:
        raise CLIError(f"--labels given, but {args.src} is an unconditional model")
    samples = np.asarray(sampler(z, labels))
    output = getattr(getattr(sampler, "spec", None), "output", None)
    value_range = getattr(output, "value_range", None) or (-1.0, 1.0)
    if args.mesh:
        return write_meshes(samples, value_range, args)
    if samples.ndim == 5:  # volumes: shaded renders of their surfaces (kgan.rendering)
        from kgan import rendering

        samples = rendering.render_volumes(samples, value_range=value_range)
    scale = args.scale or max(1, 64 // samples.shape[1])
    if args.individual:
        for i, image in enumerate(samples):
            images.save_png(images.make_grid(image[None], padding=0, scale=scale), os.path.join(args.individual, f"{i:05d}.png"))
        print(f"wrote {len(samples)} images to {args.individual}")
        return 0
    if rows is None and labels is not None and not (args.interpolate or args.seeds or args.labels):
        rows = min(sampler.num_classes, len(z))
    images.save_png(images.make_grid(samples, rows=rows, scale=scale), args.out)
    print(f"wrote {args.out}")
    return 0


def write_meshes(samples, value_range, args):
    """`--mesh DIR`: each volume as `DIR/NNNNN.obj` and `.ply` (`kgan.meshes`)."""
    from kgan import meshes

    if samples.ndim != 5:
        raise CLIError(
            f"--mesh writes the surfaces of 3-D shapes; {args.src} makes 2-D images of shape {samples.shape[1:]} "
            "(use --out or --individual)"
        )
    _, empty = meshes.write_volumes(samples, args.mesh, value_range)
    note = f" ({len(empty)} without a surface: {empty[:10]})" if empty else ""
    print(f"wrote {len(samples)} meshes (.obj and .ply) to {args.mesh}{note}")
    return 0
