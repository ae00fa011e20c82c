"""The distributed test's run: a tiny fit under MirroredStrategy on 2 logical CPUs, in a fresh interpreter.

(test_super_resolution_distributed.py)

Logical devices must be set before TensorFlow starts, hence the subprocess.
It takes several seconds, mostly importing TensorFlow and tracing the step,
so conftest.py starts it as soon as collection ends (when its test is to
run): it runs on the second core while the other tests run in pytest's
process, and the test collects its result (`result()`). Run alone, the test
starts it itself.
"""

import json
import os
import subprocess
import sys
import tempfile
import textwrap

SCRIPT = textwrap.dedent(
    r"""
    import json, sys
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    sys.path[:0] = [sys.argv[1], sys.argv[2]]
    import sr_tiny

    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    pairs = sr_tiny.pairs(16)
    out = {}
    with strategy.scope():
        model = sr_tiny.model(2, pretrain_steps=0, ema_half_life=100)
    history = model.fit(pairs["lr"], pairs["hr"], batch_size=8, epochs=1, verbose=0).history
    out["losses"] = [history["g_loss"][0], history["d_loss"][0]]
    out["steps"] = [int(model.g_optimizer.iterations.numpy()), int(model.d_optimizer.iterations.numpy())]
    with strategy.scope():
        model = sr_tiny.model(2, pretrain_steps=1)
    try:
        model.fit(pairs["lr"], pairs["hr"], batch_size=8, epochs=1, verbose=0)
    except ValueError as e:
        out["error"] = str(e)
    print("RESULT " + json.dumps(out))
    """
)
TIMEOUT = 600  # seconds

_run = {}


def start():
    """Starts the subprocess (once per pytest session)."""
    if "process" not in _run:
        here = os.path.dirname(os.path.abspath(__file__))
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
        _run["stdout"], _run["stderr"] = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")
        _run["process"] = subprocess.Popen(
            [sys.executable, "-c", SCRIPT, here, os.path.dirname(os.path.dirname(here))],
            stdout=_run["stdout"], stderr=_run["stderr"], text=True, env=env,
        )


def result():
    """Waits for the subprocess; returns its `RESULT` dict, or raises AssertionError with its stderr."""
    start()
    _run["process"].wait(timeout=TIMEOUT)
    stdout, stderr = (_read(_run[name]) for name in ("stdout", "stderr"))
    lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, stderr[-3000:]
    return json.loads(lines[-1][len("RESULT "):])


def stop():
    """Ends the subprocess if it still runs (a session that stopped before its test)."""
    process = _run.get("process")
    if process is not None and process.poll() is None:
        process.kill()
        process.wait()


def _read(file):
    file.seek(0)
    return file.read()
