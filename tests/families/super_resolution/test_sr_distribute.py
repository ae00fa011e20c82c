"""`kgan.SuperResolutionGAN` under tf.distribute.MirroredStrategy on 2 logical CPUs (a fresh interpreter).

GAN training from the start distributes; a run with PSNR pre-training is
refused with a clear error, because D's update sits inside a `tf.cond` and
Keras' optimizers cannot synchronise replicas there.
"""

import json
import os
import subprocess
import sys
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


def test_gan_training_distributes_and_two_phases_are_refused():
    here = os.path.dirname(__file__)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run([sys.executable, "-c", SCRIPT, here, os.path.dirname(os.path.dirname(here))],
                          capture_output=True, text=True, env=env, timeout=600)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, done.stderr[-3000:]
    out = json.loads(lines[-1][len("RESULT "):])
    assert out["steps"] == [2, 2] and all(v == v and v > 0 for v in out["losses"])
    assert "Expected one replica for a run with PSNR pre-training" in out["error"]
