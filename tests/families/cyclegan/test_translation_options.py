"""The base's options on both translation families: XLA (jit_compile=True) and mixed precision."""

import keras
import numpy as np
import pytest

import tiny_cyclegan
import tiny_pix2pix


def _fit(family, **compile_options):
    if family == "cyclegan":
        model = tiny_cyclegan.model(compile=False)
        model.compile(**compile_options)
        data = tiny_cyclegan.domains(8)
        return model, model.fit(data["a"], data["b"], batch_size=4, epochs=1, verbose=0).history
    model = tiny_pix2pix.model(compile=False, ema_half_life=20)
    model.compile(**compile_options)
    source, target = tiny_pix2pix.pairs(8)
    return model, model.fit(source, target, batch_size=4, epochs=1, verbose=0).history


@pytest.fixture
def without_op_determinism():
    """Keras falls back from XLA when op determinism is on, which the contract's resume checks turn on for the
    whole process; off for this test, then as it was."""
    from tensorflow.python.framework import config

    enabled = config.is_op_determinism_enabled()
    config.disable_op_determinism()
    yield
    if enabled:
        config.enable_op_determinism()


@pytest.mark.slow  # XLA compiles the step for minutes on a CPU; the same fit without XLA is in the contract tests
@pytest.mark.parametrize("family", ["pix2pix", "cyclegan"])
def test_xla(family, without_op_determinism):
    model, history = _fit(family, jit_compile=True)
    assert model.jit_compile is True
    assert all(np.isfinite(v).all() for v in history.values())


@pytest.fixture
def mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_float16")
    yield
    keras.mixed_precision.set_global_policy("float32")


@pytest.mark.parametrize("family", ["pix2pix", "cyclegan"])
def test_mixed_precision(family, mixed_precision):
    model, history = _fit(family)
    assert all(isinstance(opt, keras.optimizers.LossScaleOptimizer) for opt in model.optimizers.values())
    assert all(np.isfinite(v).all() for v in history.values())
    network, _ = next(iter(model.export_parts().values()))
    out = network(np.zeros((1, tiny_pix2pix.SIZE, tiny_pix2pix.SIZE, 3), "float32"))
    assert out.dtype == "float32"  # tanh kept in float32
