"""Benchmark kgan.metrics: extractor throughput and metric time vs sample count.

1. Throughput: feed random images in [-1, 1] through an extractor in batches
   (after one warm-up batch) and report images per second.
2. Metric time: time FID, KID, precision/recall and the Inception Score on
   random features (and probabilities) for each sample count.

Prints a table and writes the results as JSON. Nothing is downloaded.
On a shared, loaded machine OpenBLAS threads contend: OPENBLAS_NUM_THREADS=1
can make the eigen-decompositions of FID several times faster.

    python tools/bench_metrics.py
    python tools/bench_metrics.py --extractor classifier:evaluator.keras --images 2000
    python tools/bench_metrics.py --extractor inception-random --image-size 32 --images 64 \\
        --counts 1000,5000 --dim 2048 --out bench_inception.json
"""

import argparse
import json
import os
import platform
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import kgan  # noqa: E402
from kgan import metrics  # noqa: E402
from kgan import atomic  # noqa: E402
from kgan.metrics.hashing import weights_sha256  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--extractor", default="classifier-untrained",
        help="classifier-untrained (default; built in memory), classifier:PATH, "
        "inception:PATH, or inception-random (InceptionV3 with random weights)",
    )
    parser.add_argument("--image-size", type=int, default=8, help="input image side (default: 8)")
    parser.add_argument(
        "--channels", type=int, choices=(1, 3), default=1, help="input channels (default: 1)"
    )
    parser.add_argument(
        "--images", type=int, default=1000, help="images for the throughput run (default: 1000)"
    )
    parser.add_argument("--batch-size", type=int, default=100, help="batch size (default: 100)")
    parser.add_argument(
        "--counts", default="500,1000,2000",
        help="sample counts for metric timing (default: 500,1000,2000)",
    )
    parser.add_argument(
        "--dim", type=int, default=128, help="feature dimension for metric timing (default: 128)"
    )
    parser.add_argument("--kid-subsets", type=int, default=100, help="KID subsets (default: 100)")
    parser.add_argument(
        "--out", default="bench_metrics.json", help="JSON output (default: bench_metrics.json)"
    )
    args = parser.parse_args(argv)
    try:
        args.counts = [int(c) for c in args.counts.split(",")]
    except ValueError:
        parser.error(f"Expected --counts as comma-separated integers. Received: {args.counts!r}")
    if min(args.counts) < 10 or args.images < 1 or args.dim < 1:
        parser.error("Expected --counts >= 10, --images >= 1 and --dim >= 1.")
    return args


def build_extractor(spec, image_shape, batch_size):
    if spec == "classifier-untrained":
        model = metrics.build_classifier(image_shape, 10, seed=0)
        return metrics.KerasExtractor(
            model, "classifier(untrained)", weights_sha256(model), batch_size=batch_size
        )
    if spec == "inception-random":
        return metrics.InceptionExtractor(weights=None, batch_size=batch_size)
    kind, _, path = spec.partition(":")
    if kind == "classifier" and path:
        return metrics.ClassifierExtractor(path, batch_size=batch_size)
    if kind == "inception" and path:
        include_top = "notop" not in os.path.basename(path)
        return metrics.InceptionExtractor(path, include_top=include_top, batch_size=batch_size)
    raise SystemExit(
        "Expected --extractor classifier-untrained, classifier:PATH, inception:PATH "
        f"or inception-random. Received: {spec!r}"
    )


def bench_extractor(extractor, image_shape, n, batch_size):
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, size=(batch_size,) + image_shape).astype(np.float32)
    extractor(images)  # warm-up: tracing and the first resize
    start = time.perf_counter()
    done = 0
    while done < n:
        count = min(batch_size, n - done)
        extractor(images[:count])
        done += count
    seconds = time.perf_counter() - start
    return {"images": n, "seconds": seconds, "images_per_second": n / seconds}


def bench_metrics(counts, dim, kid_subsets):
    rng = np.random.default_rng(0)
    rows = []
    for n in counts:
        real, fake = rng.normal(size=(n, dim)), rng.normal(size=(n, dim)) + 0.1
        logits = rng.normal(size=(n, 10))
        probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        timings = {
            "fid": lambda: metrics.frechet_distance(real, fake),
            "kid": lambda: metrics.kernel_inception_distance(
                real, fake, kid_subsets, 1000, seed=0
            ),
            "precision_recall": lambda: metrics.precision_recall(real, fake, k=3),
            "inception_score": lambda: metrics.inception_score(probs, splits=10),
        }
        row = {"n": n, "dim": dim}
        for name, compute in timings.items():
            start = time.perf_counter()
            compute()
            row[f"{name}_seconds"] = time.perf_counter() - start
        rows.append(row)
    return rows


def print_tables(throughput, rows, extractor_name):
    print(f"extractor {extractor_name}: {throughput['images_per_second']:.1f} images/s "
          f"({throughput['images']} images in {throughput['seconds']:.2f} s)")
    names = [key for key in rows[0] if key.endswith("_seconds")]
    header = ["n", "dim"] + [name.removesuffix("_seconds") + " (s)" for name in names]
    widths = [max(len(h), 8) for h in header]
    print("  ".join(h.rjust(w) for h, w in zip(header, widths)))
    for row in rows:
        cells = [str(row["n"]), str(row["dim"])] + [f"{row[name]:.3f}" for name in names]
        print("  ".join(c.rjust(w) for c, w in zip(cells, widths)))


def main(argv=None):
    args = parse_args(argv)
    image_shape = (args.image_size, args.image_size, args.channels)
    extractor = build_extractor(args.extractor, image_shape, args.batch_size)
    throughput = bench_extractor(extractor, image_shape, args.images, args.batch_size)
    rows = bench_metrics(args.counts, args.dim, args.kid_subsets)
    print_tables(throughput, rows, extractor.name)
    atomic.write_json(
        args.out,
        {
            "kgan_version": kgan.__version__,
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
            "extractor": {
                "name": extractor.name,
                "weights_sha256": extractor.weights_hash,
                "image_shape": list(image_shape),
                "batch_size": args.batch_size,
            },
            "throughput": throughput,
            "metric_seconds": rows,
            "kid_subsets": args.kid_subsets,
        },
    )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
