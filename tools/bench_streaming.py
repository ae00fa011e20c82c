"""Training from an image folder larger than memory: peak memory and images/s, streamed vs held.

Writes a folder of RGB PNG images (digits of scikit-learn, upscaled, tinted
and placed on a gradient, so they compress like real images), then trains the
gan family's `dcgan_small` at 64x64 on it for a fixed number of steps in a
fresh process per case, reporting the process's peak resident memory and the
training images/s:

- `streamed`, the large folder: read from disk every epoch (`--stream on`);
- `streamed`, the small folder, and `in memory` (`--stream off`), the small
  folder (which fits): the reference path on the same data.

    python tools/bench_streaming.py --large 82000 --small 8000 --steps 150 --json out.json
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

CASE = r"""
import json, resource, sys, time
import keras
from kgan import training
args = json.loads(sys.argv[1])

class Stop(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if getattr(self, "done", 0) == 5:
            self.start = time.perf_counter()
        self.done = getattr(self, "done", 0) + 1
        if self.done >= args["steps"] + 6:
            self.seconds = time.perf_counter() - self.start
            self.model.stop_training = True

stop = Stop()
config = training.TrainConfig.from_dict(dict(
    dataset=args["folder"], preset="dcgan_small", image_size=64, epochs=args["epochs"], batch_size=64, stream=args["stream"],
    export=False, run_dir=args["out"], steps_per_execution=1, sample_every=1000, r1_weight=0.0))
training.train(config, verbose=0, extra_callbacks=[stop])
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("RESULT " + json.dumps({"peak_rss_mb": peak_mb, "images_per_s": args["steps"] * 64 / stop.seconds}))
"""


def write_folder(folder, count, size=64, seed=0):
    """`count` 64x64 RGB PNGs in 10 class folders; skips files already there."""
    from PIL import Image
    from sklearn.datasets import load_digits

    digits = load_digits()
    rng = np.random.default_rng(seed)
    ramp = np.linspace(0, 1, size, dtype="float32")
    for c in range(10):
        os.makedirs(os.path.join(folder, str(c)), exist_ok=True)
    for i in range(count):
        label = int(digits.target[i % len(digits.target)])
        path = os.path.join(folder, str(label), f"{i:06d}.png")
        if os.path.exists(path):
            continue
        glyph = np.kron(digits.images[i % len(digits.images)] / 16.0, np.ones((8, 8), "float32"))
        tint = rng.uniform(0.3, 1.0, 3)
        background = rng.uniform(0, 0.4, 3) * ramp[:, None, None]
        image = np.clip(background + glyph[..., None] * tint, 0, 1)
        Image.fromarray((image * 255).astype("uint8")).save(path)


def run_case(folder, stream, steps, out):
    count = sum(len(files) for _, _, files in os.walk(folder))
    epochs = -(-(steps + 6) // (count // 64)) + 1  # enough epochs for the timed steps
    args = {"folder": folder, "stream": stream, "steps": steps, "out": out, "epochs": epochs}
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.run([sys.executable, "-c", CASE, json.dumps(args)], capture_output=True, text=True, env=env)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads([line for line in proc.stdout.splitlines() if line.startswith("RESULT ")][-1][7:])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--large", type=int, default=82_000, help="images in the large folder (82,000 = 4 GB as float32)")
    parser.add_argument("--small", type=int, default=8_000, help="images in the folder that fits in memory")
    parser.add_argument("--steps", type=int, default=150, help="timed training steps per case")
    parser.add_argument("--root", default="/tmp/kgan-bench-streaming", help="where the folders and runs go")
    parser.add_argument("--json", default=None, help="write the results here")
    args = parser.parse_args(argv)

    rows = []
    for name, count in (("small", args.small), ("large", args.large)):
        folder = os.path.join(args.root, f"{name}-{count}")
        start = time.perf_counter()
        write_folder(folder, count)
        print(f"{folder}: {count} images ({count * 64 * 64 * 3 * 4 / 2**30:.2f} GiB as float32), "
              f"written in {time.perf_counter() - start:.0f} s", flush=True)
        modes = ("off", "on") if name == "small" else ("on",)
        for mode in modes:
            out = os.path.join(args.root, f"run-{name}-{mode}-{time.time_ns()}")
            result = run_case(folder, mode, args.steps, out)
            rows.append({"folder": name, "images": count, "float32_gib": count * 64 * 64 * 3 * 4 / 2**30,
                         "path": "in memory" if mode == "off" else "streamed", **result})
            print(rows[-1], flush=True)

    print("\n| folder | images | float32 size | path | peak RSS | images/s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print(f"| {row['folder']} | {row['images']:,} | {row['float32_gib']:.2f} GiB | {row['path']} | "
              f"{row['peak_rss_mb']:,.0f} MB | {row['images_per_s']:,.0f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"steps": args.steps, "rows": rows}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
