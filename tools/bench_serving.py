"""Benchmark `kgan serve` per protocol: requests/s and latency with the official clients.

1. Export the default digits generator (`kgan train`'s: preset dcgan_small,
   16x16x1, 10 classes; random weights, as speed does not depend on them), or
   use --export PATH.
2. Start `kgan serve` in its own process (REST and gRPC ports, INFO logging as
   in production) and, for each protocol and each number of concurrent
   clients, let every client send the same `serving_default` request
   (--batch latent vectors and labels) for --seconds after a warm-up:
   - tfserving_rest: JSON columnar `:predict` (httpx);
   - tfserving_grpc: `PredictionServiceStub.Predict` (tensorflow-serving-api,
     tensors from `tf.make_tensor_proto`);
   - v2_http: `tritonclient.http` (binary tensor extension, its default);
   - v2_grpc: `tritonclient.grpc`.
   Each client thread has its own connection. Every answer is checked against
   the first one.
3. Print a table (requests/s, images/s, p50/p99 latency) and write JSON.

Machine discipline: takes about a minute; run it under the shared lock.

    flock /tmp/kgan-heavy.lock python tools/bench_serving.py
    python tools/bench_serving.py --clients 1,8,32 --seconds 5 --json tools/figures/bench_serving.json
"""

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

PROTOCOLS = ("tfserving_rest", "tfserving_grpc", "v2_http", "v2_grpc")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__[__doc__.index("Machine discipline") :],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--export", default=None, help="a model folder to serve (default: a fresh digits generator)")
    parser.add_argument("--clients", default="1,8", help="concurrent clients (default: 1,8)")
    parser.add_argument("--protocols", default=",".join(PROTOCOLS), help=f"protocols (default: {','.join(PROTOCOLS)})")
    parser.add_argument("--batch", type=int, default=16, help="images per request (default: 16)")
    parser.add_argument("--seconds", type=float, default=4.0, help="measuring time per cell (default: 4)")
    parser.add_argument("--threads", type=int, default=None, help="onnxruntime intra-op threads of the server")
    parser.add_argument("--json", default="tools/figures/bench_serving.json", help="JSON output ('' for none)")
    return parser.parse_args(argv)


def export_digits(out):
    from kgan import export
    from kgan.models import build

    generator, _ = build("dcgan_small", 16, 1, 10)
    export.export_generator(generator, out, name="digits")
    return os.path.join(out, "digits"), int(generator.count_params())


def start_server(path, threads):
    command = [sys.executable, "-m", "kgan", "serve", path, "--port", "0", "--grpc-port", "0", "--log-level", "info"]
    if threads:
        command += ["--threads", str(threads)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline, grpc_address = time.monotonic() + 180, None
    for line in process.stderr:
        found = re.search(r"gRPC \(TF Serving, KServe v2\) at (\S+)", line)
        grpc_address = found.group(1) if found else grpc_address
        match = re.search(r"serving at (http://\S+)", line)
        if match:
            threading.Thread(target=lambda: [None for _ in process.stderr], daemon=True).start()  # keep draining
            return process, match.group(1), grpc_address
        if time.monotonic() > deadline:
            break
    process.kill()
    raise RuntimeError("kgan serve did not start")


def make_callers(protocol, url, address, name, z, labels):
    """Returns `connect() -> (call() -> images, close())` for one client of `protocol` (`labels` may be None)."""
    if protocol == "tfserving_rest":
        import httpx

        inputs = {"z": z.tolist()} if labels is None else {"z": z.tolist(), "labels": labels.tolist()}
        body = json.dumps({"inputs": inputs}).encode()

        def connect():
            client = httpx.Client(timeout=60)

            def call():
                response = client.post(f"{url}/v1/models/{name}:predict", content=body)
                response.raise_for_status()
                return np.asarray(response.json()["outputs"], "float32")

            return call, client.close

    elif protocol == "tfserving_grpc":
        import grpc
        import tensorflow as tf
        from tensorflow_serving.apis import predict_pb2
        from tensorflow_serving.apis import prediction_service_pb2_grpc

        request = predict_pb2.PredictRequest()
        request.model_spec.name = name
        request.inputs["z"].CopyFrom(tf.make_tensor_proto(z))
        if labels is not None:
            request.inputs["labels"].CopyFrom(tf.make_tensor_proto(labels))

        def connect():
            channel = grpc.insecure_channel(address)
            stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
            return (lambda: tf.make_ndarray(stub.Predict(request, timeout=60).outputs["images"])), channel.close

    else:
        module = __import__("tritonclient.http" if protocol == "v2_http" else "tritonclient.grpc", fromlist=["x"])

        def connect():
            client = module.InferenceServerClient(url.removeprefix("http://") if protocol == "v2_http" else address)
            inputs = [module.InferInput("z", list(z.shape), "FP32")]
            inputs[0].set_data_from_numpy(z)
            if labels is not None:  # an unconditional generator has no labels input
                inputs.append(module.InferInput("labels", [len(z)], "INT32"))
                inputs[1].set_data_from_numpy(labels)
            return (lambda: client.infer(name, inputs).as_numpy("images")), client.close

    return connect


def run_clients(connect, n_clients, seconds, expected):
    per_client = [[] for _ in range(n_clients)]
    errors = []

    def loop(latencies, stop_at):
        call, close = connect()
        try:
            call()  # warm-up: the connection
            while time.perf_counter() < stop_at:
                t0 = time.perf_counter()
                images = call()
                latencies.append(time.perf_counter() - t0)
                if not np.allclose(images, expected, atol=1e-5):
                    errors.append("an answer differs from the first one")
        except Exception as e:  # reported in the table, not hidden
            errors.append(f"{type(e).__name__}: {e}")
        finally:
            close()

    start = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(lat, start + seconds)) for lat in per_client]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latencies = np.concatenate([np.asarray(lat) for lat in per_client])
    return latencies, elapsed, errors


def main(argv=None):
    args = parse_args(argv)
    clients = [int(c) for c in args.clients.split(",") if c.strip()]
    protocols = [p for p in args.protocols.split(",") if p.strip()]
    unknown = sorted(set(protocols) - set(PROTOCOLS))
    if unknown:
        raise SystemExit(f"Expected protocols among {PROTOCOLS}. Received: {unknown}")
    with tempfile.TemporaryDirectory(prefix="kgan-bench-serving-") as out:
        path, parameters = (args.export, None) if args.export else export_digits(out)
        name = os.path.basename(os.path.normpath(path))
        from kgan import inference
        from kgan import latent

        model = inference.load(path)
        z = latent.sample_latent(args.batch, model.latent_dim, 0)
        labels = (np.arange(args.batch) % (model.num_classes or 1)).astype("int32")
        expected = model(z, labels)
        process, url, address = start_server(path, args.threads)
        rows = []
        try:
            for protocol in protocols:
                connect = make_callers(protocol, url, address, name, z, labels)
                for n in clients:
                    latencies, elapsed, errors = run_clients(connect, n, args.seconds, expected)
                    rows.append({
                        "protocol": protocol, "clients": n, "batch": args.batch, "requests": int(latencies.size),
                        "requests_per_s": latencies.size / elapsed,
                        "images_per_s": latencies.size * args.batch / elapsed,
                        "p50_ms": float(np.percentile(latencies, 50) * 1e3) if latencies.size else None,
                        "p99_ms": float(np.percentile(latencies, 99) * 1e3) if latencies.size else None,
                        "errors": sorted(set(errors)),
                    })
                    print(f"  {protocol:<15} {n:>3} clients: {rows[-1]['requests_per_s']:8.1f} req/s", file=sys.stderr)
        finally:
            process.terminate()
            process.wait(30)
    report = {
        "model": {"export": args.export or "digits (dcgan_small, 16x16x1, 10 classes)", "parameters": parameters,
                  "latent_dim": model.latent_dim},
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "seconds_per_cell": args.seconds,
        "results": rows,
    }
    print(f"{'protocol':<16} {'clients':>7} {'req/s':>9} {'images/s':>10} {'p50 ms':>9} {'p99 ms':>9}  errors")
    for r in rows:
        timing = f"{r['p50_ms']:>9.2f} {r['p99_ms']:>9.2f}" if r["requests"] else f"{'-':>9} {'-':>9}"
        print(f"{r['protocol']:<16} {r['clients']:>7} {r['requests_per_s']:>9.1f} {r['images_per_s']:>10.1f} "
              f"{timing}  {len(r['errors'])}")
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
        print(f"wrote {args.json}", file=sys.stderr)
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
