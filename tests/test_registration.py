"""`import kgan` registers every family's classes with Keras, in a fresh script.

Each case runs in a new interpreter: this test process has imported
everything already, which would hide a missing registration.
"""

import json
import os
import subprocess
import sys

import pytest

LEGACY = os.path.join(os.path.dirname(__file__), "fixtures", "legacy", "gan_v0_1_conditional_ema.keras")

LOAD = (
    "m = keras.models.load_model({path!r})\n"
    "print('RESULT ' + json.dumps([type(m).__name__, int(m.g_optimizer.iterations)]))\n"
)


def run(code):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT "):])


@pytest.mark.parametrize(
    "imports",
    [
        "import json, kgan, keras",  # kgan first, Keras later: the finder registers
        "import json, keras, kgan",  # Keras first: registered at `import kgan`
        "import json, kgan; from kgan import losses; import keras",  # a kgan module loads Keras first
        "import json, kgan.base.model, keras",  # the base loads Keras while half-initialised
    ],
)
def test_load_model_after_import_kgan(imports):
    assert run(imports + "\n" + LOAD.format(path=LEGACY)) == ["GAN", 4]


def test_import_kgan_does_not_load_tensorflow():
    code = "import sys, json, kgan\nprint('RESULT ' + json.dumps('tensorflow' in sys.modules or 'keras' in sys.modules))\n"
    assert run(code) is False
