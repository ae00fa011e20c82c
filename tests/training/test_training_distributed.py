"""Multi-worker training: two worker processes on loopback, against one process with two replicas.

Each worker runs `kgan.training.train` with its own TF_CONFIG, as every
worker runs the same `kgan train` command. The reference is one process
with two logical CPUs under MirroredStrategy: the same replicas, the same
global batches, the same per-replica noise. Batch-norm moving statistics
stay per replica in Keras 3, so the comparison is on trainable weights
(and the chief's statistics, which are replica 0's).
"""

import json
import os
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

from data_files import write_digits_npz

SCRIPT = r"""
import json, os, sys
args = json.loads(sys.argv[1])
if args.get("logical_cpus"):
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * args["logical_cpus"])
if args.get("ports"):
    cluster = {"worker": [f"localhost:{p}" for p in args["ports"]]}
    os.environ["TF_CONFIG"] = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": args["index"]}})
import keras
from kgan import training

class Die(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == args.get("die_after"):
            os._exit(3)

config = training.TrainConfig.from_dict(dict(
    dataset=args["data"], preset="dcgan_tiny", image_size=8, epochs=args["epochs"], batch_size=16,
    export=False, run_dir=args["out"], deterministic=True, steps_per_execution=1, strategy=args["strategy"]))
model, _ = training.train(config, verbose=0, extra_callbacks=[Die()])
weights = {w.path: keras.ops.convert_to_numpy(w).tolist() for w in model.generator.weights}
print("RESULT " + json.dumps({"weights": weights, "steps": int(model.g_optimizer.iterations.numpy())}))
"""


def free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def start(args, tmp_path):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    log = open(tmp_path / f"log-{time.monotonic_ns()}.txt", "w")
    return subprocess.Popen([sys.executable, "-c", SCRIPT, json.dumps(args)], stdout=subprocess.PIPE, stderr=log, text=True, env=env)


def result(process, timeout=240):
    out, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, f"exit {process.returncode}: {out[-2000:]}"
    return json.loads([line for line in out.splitlines() if line.startswith("RESULT ")][-1][len("RESULT "):])


def workers(tmp_path, data, out, epochs, die_after=None):
    ports = free_ports(2)
    common = {"data": data, "out": out, "epochs": epochs, "strategy": "auto", "ports": ports}
    return [start({**common, "index": i, "die_after": die_after if i == 1 else None}, tmp_path) for i in range(2)]


def reference(tmp_path, data, epochs):
    args = {"data": data, "out": str(tmp_path / f"reference{epochs}"), "epochs": epochs, "strategy": "mirrored", "logical_cpus": 2}
    return result(start(args, tmp_path))


def trainable(weights):
    # Batch-norm moving statistics are per replica; compare everything else.
    return {k: v for k, v in weights.items() if "moving" not in k}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return write_digits_npz(tmp_path_factory.mktemp("mw") / "digits.npz", n=64)


@pytest.mark.slow  # the always-on test below covers the same claims, with a restart
def test_two_workers_train_as_one_process_with_two_replicas(tmp_path, data):
    out = str(tmp_path / "run")
    first, second = (result(p) for p in workers(tmp_path, data, out, epochs=2))
    assert first["steps"] == second["steps"] == 8  # 64 examples / global batch 16, 2 epochs
    assert trainable(first["weights"]) == trainable(second["weights"])  # the workers agree exactly
    expected = reference(tmp_path, data, epochs=2)
    for key, value in expected["weights"].items():
        np.testing.assert_allclose(first["weights"][key], value, atol=1e-6, err_msg=key)
    assert sorted(os.listdir(out)) == ["checkpoints", "config.json", "history.csv", "model.keras", "samples", "tensorboard"]
    with open(os.path.join(out, "history.csv")) as f:
        assert len(f.read().splitlines()) == 3  # the chief alone wrote it


def test_a_run_whose_worker_died_resumes_when_the_workers_start_again(tmp_path, data):
    out = str(tmp_path / "run")
    chief, dying = workers(tmp_path, data, out, epochs=4, die_after=2)
    dying.wait(timeout=240)
    assert dying.returncode == 3
    index = os.path.join(out, "checkpoints", "checkpoint")
    deadline = time.monotonic() + 120
    while not (os.path.isfile(index) and "ckpt-2" in open(index).read()) and time.monotonic() < deadline:
        time.sleep(0.5)
    chief.kill()  # the job restarts every worker, as a cluster manager would
    chief.wait()
    restarted = [result(p) for p in workers(tmp_path, data, out, epochs=4)]
    assert restarted[0]["steps"] == restarted[1]["steps"] == 16
    assert trainable(restarted[0]["weights"]) == trainable(restarted[1]["weights"])  # the workers agree exactly
    expected = reference(tmp_path, data, epochs=4)
    for key, value in trainable(expected["weights"]).items():
        np.testing.assert_allclose(restarted[0]["weights"][key], value, atol=1e-6, err_msg=key)
    with open(os.path.join(out, "history.csv")) as f:
        assert [line.split(",")[0] for line in f.read().splitlines()[1:]] == ["0", "1", "2", "3"]
