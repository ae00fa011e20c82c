"""Test scripts that need a fresh interpreter, started early and read when their test comes.

Some checks must run in a process of their own (e.g. `MirroredStrategy` on
two logical CPUs, which must be configured before TensorFlow starts). Such a
process spends ~15-20 s importing TensorFlow and tracing, mostly on one core.
A test module declares it as `BACKGROUND = BackgroundScript(SCRIPT, ...)`;
tests/conftest.py starts every selected module's script when collection
ends, so it runs beside the tests before it, and stops those left running
when the session ends. The module's tests read `BACKGROUND.result()`: the
dict the script printed last as a `RESULT {json}` line. Run alone, a test
starts the script itself.
"""

import json
import os
import subprocess
import sys
import tempfile
import textwrap

# The start of a MirroredStrategy script: two logical CPUs (set before anything initialises TensorFlow's
# runtime), the strategy over them, and helpers to read a mirrored variable's value on each replica.
MIRRORED_PREAMBLE = textwrap.dedent(
    r"""
    import json

    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

    import keras
    import numpy as np

    import kgan

    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])


    def per_replica_values(variable):
        value = getattr(variable, "value", variable)
        return [np.asarray(v) for v in getattr(value, "values", [value])]


    def replicas_agree(variables):
        return all(all(np.array_equal(vals[0], v) for v in vals[1:]) for vals in map(per_replica_values, variables))
    """
)


class BackgroundScript:
    """A Python script run once per session in a fresh interpreter.

    Args:
        script: the source, run with `python -c`.
        args: its command-line arguments (`sys.argv[1:]`).
        pythonpath: folders put in front of `PYTHONPATH`.
        timeout: seconds `result()` waits before it kills the script.
    """

    def __init__(self, script, args=(), pythonpath=(), timeout=600):
        self.script, self.args, self.pythonpath, self.timeout = script, list(args), list(pythonpath), timeout
        self._process = self._stdout = self._stderr = None

    def start(self):
        """Starts the script unless it has started; output goes to temporary files (a full pipe would stall it)."""
        if self._process is None:
            path = os.pathsep.join(self.pythonpath + [os.environ.get("PYTHONPATH", "")])
            env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="", PYTHONPATH=path)
            self._stdout, self._stderr = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")
            self._process = subprocess.Popen(
                [sys.executable, "-c", self.script, *self.args],
                stdout=self._stdout, stderr=self._stderr, text=True, env=env,
            )

    def result(self):
        """Waits for the script; returns its last `RESULT` dict, or fails with the end of its output."""
        self.start()
        try:
            returncode = self._process.wait(timeout=self.timeout)
        finally:
            self.stop()
        out, err = (_read(file) for file in (self._stdout, self._stderr))
        lines = [line for line in out.splitlines() if line.startswith("RESULT ")]
        assert returncode == 0 and lines, f"script failed:\n{out[-3000:]}\n{err[-6000:]}"
        return json.loads(lines[-1][len("RESULT ") :])

    def stop(self):
        """Ends the script if it still runs (e.g. the session ended before its tests)."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()


def _read(file):
    file.seek(0)
    return file.read()
