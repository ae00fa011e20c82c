"""The distributed test's run: a tiny fit under MirroredStrategy on 2 logical CPUs, in a fresh interpreter.

(test_super_resolution_distributed.py)

Logical devices must be set before TensorFlow starts, hence the subprocess.
It takes several seconds, mostly importing TensorFlow and tracing the step,
so it is a `background.BackgroundScript` that tests/conftest.py starts as
soon as collection ends (when its test is to run).
"""

import os
import textwrap

from background import BackgroundScript

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

_HERE = os.path.dirname(os.path.abspath(__file__))
BACKGROUND = BackgroundScript(SCRIPT, args=[_HERE, os.path.dirname(os.path.dirname(_HERE))])
