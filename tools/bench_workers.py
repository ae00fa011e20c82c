"""Steps/s of `kgan train` with one process, and with two worker processes on loopback.

Each case is a fresh process (two for the workers, each with its own
TF_CONFIG, as on two machines) training the default `dcgan_small` on the
embedded digits for a fixed number of epochs with the same global batch;
the time of the epochs after the first (tracing) is reported. On one
machine the two workers share its cores and talk over loopback, so this
measures the cost of the multi-worker path, not a speed-up.

    python tools/bench_workers.py --epochs 4 --json out.json
"""

import argparse
import json
import os
import socket
import subprocess
import sys

CASE = r"""
import json, os, sys, time
args = json.loads(sys.argv[1])
if args.get("ports"):
    cluster = {"worker": [f"localhost:{p}" for p in args["ports"]]}
    os.environ["TF_CONFIG"] = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": args["index"]}})
import keras
from kgan import training

class Clock(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 1:
            self.start = time.perf_counter()
    def on_train_end(self, logs=None):
        self.seconds = time.perf_counter() - self.start

clock = Clock()
config = training.TrainConfig.from_dict(dict(epochs=args["epochs"], batch_size=64, export=False,
    run_dir=args["out"], strategy=args["strategy"], steps_per_execution=1, sample_every=1000))
model, _ = training.train(config, verbose=0, extra_callbacks=[clock])
steps = (args["epochs"] - 1) * (1438 // 64)
print("RESULT " + json.dumps({"steps_per_s": steps / clock.seconds}))
"""


def free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def launch(args):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    return subprocess.Popen([sys.executable, "-c", CASE, json.dumps(args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def result(process):
    out, err = process.communicate()
    if process.returncode:
        raise RuntimeError(err[-3000:])
    return json.loads([line for line in out.splitlines() if line.startswith("RESULT ")][-1][7:])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=4, help="epochs per case (the first is not timed)")
    parser.add_argument("--root", default="/tmp/kgan-bench-workers", help="where the runs go")
    parser.add_argument("--json", default=None, help="write the results here")
    args = parser.parse_args(argv)
    common = {"epochs": args.epochs}
    one = result(launch({**common, "out": os.path.join(args.root, f"one-{os.getpid()}"), "strategy": "none"}))
    ports = free_ports(2)
    out = os.path.join(args.root, f"two-{os.getpid()}")
    workers = [launch({**common, "out": out, "strategy": "auto", "ports": ports, "index": i}) for i in range(2)]
    two = [result(w) for w in workers]
    rows = [("1 process", one["steps_per_s"]), ("2 workers on loopback", two[0]["steps_per_s"])]
    print("| case | global steps/s (batch 64) | vs 1 process |")
    print("| --- | --- | --- |")
    for name, rate in rows:
        print(f"| {name} | {rate:.1f} | {rate / one['steps_per_s']:.2f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"epochs": args.epochs, "rows": [{"case": n, "steps_per_s": r} for n, r in rows]}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
