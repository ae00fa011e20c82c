"""Benchmark inference: Keras predict vs the SavedModel vs onnxruntime, and `kgan serve`.

1. Export a freshly built generator (random weights: speed does not depend on
   them) with `kgan.export.export_generator` into a temporary folder.
2. For each batch size, time one call of each backend after warm-up calls:
   `model.predict(z, batch_size=batch)` (and `predict_on_batch`, which skips
   predict's per-call tf.data setup), the reloaded SavedModel's `generate`
   signature, and `kgan.inference` on onnxruntime (CPU provider, graph
   optimizations on). Report p50/p99 latency and images/s (batch / mean latency).
3. Start `kgan serve` in its own process (REST and gRPC ports) and, for each
   protocol (TF Serving REST and gRPC, KServe v2 over HTTP and gRPC, each
   with its official client: the callers of tools/bench_serving.py), let 1, 8
   and 32 concurrent clients send the same request (--server-batch images);
   report per-request latency p50/p99, requests/s and images/s.

Prints a table and the same numbers as JSON (--json PATH, or '-' for stdout).

    python tools/bench_infer.py
    python tools/bench_infer.py --preset dcgan --image-size 64 --channels 3 --batches 1,64
    python tools/bench_infer.py --threads 1 --clients 1,8 --json bench_infer.json
"""

import argparse
import json
import os
import platform
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__[__doc__.index("    python") :],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--preset", default="dcgan_small", help="kgan.models preset (default: dcgan_small)")
    parser.add_argument("--image-size", type=int, default=28, help="image side (default: 28)")
    parser.add_argument("--channels", type=int, default=1, help="1 or 3 (default: 1)")
    parser.add_argument("--num-classes", type=int, default=None, help="conditional generator with this many classes")
    parser.add_argument("--batches", default="1,64,1024", help="batch sizes (default: 1,64,1024)")
    parser.add_argument("--clients", default="1,8,32", help="concurrent server clients (default: 1,8,32); '' skips")
    protocols = "tfserving_rest,tfserving_grpc,v2_http,v2_grpc"
    parser.add_argument("--protocols", default=protocols, help="server protocols (default: all four)")
    parser.add_argument("--server-batch", type=int, default=16, help="images per server request (default: 16)")
    parser.add_argument("--seconds", type=float, default=2.0, help="time budget per measurement (default: 2)")
    parser.add_argument("--min-calls", type=int, default=5, help="calls per measurement at least (default: 5)")
    parser.add_argument("--threads", type=int, default=None, help="onnxruntime intra-op threads (default: one per core)")
    parser.add_argument("--spinning", action="store_true", help="let onnxruntime's idle threads spin (default: off)")
    parser.add_argument("--json", default=None, help="write the results as JSON here ('-' for stdout)")
    return parser.parse_args(argv)


def time_calls(fn, seconds, min_calls, warmup=3):
    """Latencies (s) of repeated `fn()` calls within a time budget."""
    for _ in range(warmup):
        fn()
    latencies, start = [], time.perf_counter()
    while len(latencies) < min_calls or (time.perf_counter() - start < seconds and len(latencies) < 10000):
        t0 = time.perf_counter()
        fn()
        latencies.append(time.perf_counter() - t0)
    return latencies


def summarize(latencies, images_per_call):
    latencies = np.asarray(latencies)
    return {
        "calls": int(latencies.size),
        "p50_ms": float(np.percentile(latencies, 50) * 1e3),
        "p99_ms": float(np.percentile(latencies, 99) * 1e3),
        "images_per_s": float(images_per_call / latencies.mean()),
    }


def build_and_export(args, out):
    from kgan import export
    from kgan.models import build

    generator, _ = build(args.preset, args.image_size, args.channels, args.num_classes)
    path = export.export_generator(generator, out, name="bench")
    return generator, path


def backends(generator, path, threads, spinning):
    """`{name: fn(z, labels) -> images}` for the three in-process backends."""
    import tensorflow as tf

    from kgan import inference

    signature = tf.saved_model.load(path).signatures["generate"]
    onnx = inference.load(path, providers=["cpu"], batch_size=1 << 20, intra_op_threads=threads, spinning=spinning)

    def keras_predict(z, labels):
        return generator.predict(z if labels is None else [z, labels], batch_size=len(z), verbose=0)

    def keras_predict_on_batch(z, labels):
        return generator.predict_on_batch(z if labels is None else [z, labels])

    def saved_model(z, labels):
        feeds = {"z": tf.constant(z)} if labels is None else {"z": tf.constant(z), "labels": tf.constant(labels)}
        return signature(**feeds)["images"].numpy()

    return {
        "keras_predict": keras_predict,
        "keras_predict_on_batch": keras_predict_on_batch,
        "saved_model": saved_model,
        "onnxruntime": onnx,
    }


def bench_backends(args, generator, path):
    from kgan import latent

    results = []
    for name, fn in backends(generator, path, args.threads, args.spinning).items():
        for batch in [int(b) for b in args.batches.split(",")]:
            z = latent.sample_latent(batch, generator.inputs[0].shape[1], 0)
            labels = None if args.num_classes is None else (np.arange(batch) % args.num_classes).astype("int32")
            row = summarize(time_calls(lambda: fn(z, labels), args.seconds, args.min_calls), batch)
            results.append({"backend": name, "batch": batch, **row})
            print(f"  {name:<22} batch {batch:>5}: p50 {row['p50_ms']:9.3f} ms", file=sys.stderr)
    return results


def bench_server(args, generator):
    """One row per (protocol, clients): `kgan serve` answering the official clients."""
    import bench_serving  # tools/, beside this script
    from kgan import latent

    clients = [int(c) for c in args.clients.split(",") if c.strip()]
    if not clients:
        return []
    z = latent.sample_latent(args.server_batch, generator.inputs[0].shape[1], 0)
    labels = None if args.num_classes is None else (np.arange(args.server_batch) % args.num_classes).astype("int32")
    expected = np.asarray(generator.predict_on_batch([z, labels] if labels is not None else z))
    process, url, address = bench_serving.start_server(os.path.dirname(args.path), args.threads)
    rows = []
    try:
        for protocol in args.protocols.split(","):
            connect = bench_serving.make_callers(protocol, url, address, "bench", z, labels)
            for n in clients:
                latencies, elapsed, errors = bench_serving.run_clients(connect, n, args.seconds * 2, expected)
                rows.append(_server_row(protocol, n, args.server_batch, latencies, elapsed, errors))
    finally:
        process.terminate()
        process.wait(30)
    return rows


def _server_row(protocol, n_clients, batch, latencies, elapsed, errors):
    row = {
        "backend": f"serve:{protocol}",
        "clients": n_clients,
        "batch": batch,
        "requests": int(latencies.size),
        "p50_ms": float(np.percentile(latencies, 50) * 1e3) if latencies.size else float("nan"),
        "p99_ms": float(np.percentile(latencies, 99) * 1e3) if latencies.size else float("nan"),
        "requests_per_s": float(latencies.size / elapsed),
        "images_per_s": float(latencies.size * batch / elapsed),
        "errors": sorted(set(errors)),
    }
    print(f"  {protocol:<15} {n_clients:>3} clients: p50 {row['p50_ms']:9.3f} ms", file=sys.stderr)
    return row


def speedups(results, baseline):
    """onnxruntime's speed over `baseline` at each batch (images/s ratio)."""
    rate = {(r["backend"], r["batch"]): r["images_per_s"] for r in results}
    return {
        str(batch): rate[("onnxruntime", batch)] / rate[(baseline, batch)]
        for (name, batch) in rate
        if name == "onnxruntime" and (baseline, batch) in rate
    }


def print_table(report):
    print(f"model: {report['model']}")
    print(f"{'backend':<22} {'batch':>6} {'clients':>7} {'p50 ms':>10} {'p99 ms':>10} {'images/s':>12}  errors")
    for r in report["backends"] + report["server"]:
        clients = r.get("clients", "")
        timing = f"{r['p50_ms']:>10.3f} {r['p99_ms']:>10.3f} {r['images_per_s']:>12.1f}"
        print(f"{r['backend']:<22} {r['batch']:>6} {clients:>7} {timing}  {len(r.get('errors', []))}")
    for baseline in ("keras_predict", "keras_predict_on_batch"):
        for batch, ratio in report[f"onnxruntime_speedup_vs_{baseline}"].items():
            print(f"onnxruntime vs {baseline} at batch {batch}: {ratio:.1f}x")


def main(argv=None):
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kgan-bench-") as out:
        generator, args.path = build_and_export(args, out)
        print(f"exported {args.path}; timing backends", file=sys.stderr)
        results = bench_backends(args, generator, args.path)
        server = bench_server(args, generator)
    report = {
        "model": {
            "preset": args.preset,
            "image_size": args.image_size,
            "channels": args.channels,
            "num_classes": args.num_classes,
            "parameters": int(generator.count_params()),
        },
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "onnxruntime_threads": args.threads,
        "onnxruntime_spinning": args.spinning,
        "backends": results,
        "server": server,
        "onnxruntime_speedup_vs_keras_predict": speedups(results, "keras_predict"),
        "onnxruntime_speedup_vs_keras_predict_on_batch": speedups(results, "keras_predict_on_batch"),
    }
    print_table(report)
    if args.json == "-":
        print(json.dumps(report, indent=2))
    elif args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
