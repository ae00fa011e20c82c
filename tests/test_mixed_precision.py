"""Mixed precision (float32 logits and images, loss scaling) and XLA selection.

The dtype policy is global: the `policy` fixture sets it for one test and
always restores float32.
"""

import math

import keras
import numpy as np
import pytest

import kgan
from kgan import compilation
from kgan import models


@pytest.fixture
def policy(request):
    keras.config.set_dtype_policy(request.param)
    try:
        yield request.param
    finally:
        keras.config.set_dtype_policy("float32")


def _tiny(num_classes=None, normalization="batch"):
    g = models.dcgan_generator(8, 8, 1, num_classes, base_filters=4, embed_dim=4)
    d = models.dcgan_discriminator(8, 1, num_classes, base_filters=4, normalization=normalization)
    return g, d


@pytest.mark.parametrize("policy", ["mixed_float16"], indirect=True)
@pytest.mark.parametrize("num_classes", [None, 2])
def test_models_compute_in_float16_and_output_float32(policy, num_classes):
    keras.utils.set_random_seed(0)
    g, d = _tiny(num_classes)
    mg = models.mlp_generator(8, (8, 8, 1), num_classes, hidden_units=(8,))
    md = models.mlp_discriminator((8, 8, 1), num_classes, hidden_units=(8,))
    assert g.get_layer("to_rgb").compute_dtype == "float16"
    assert d.get_layer("down_0").compute_dtype == "float16"
    assert g.get_layer("project").kernel.dtype == "float32"  # variables stay float32
    z = np.random.default_rng(0).standard_normal((3, 8)).astype("float32")
    y = np.array([0, 1, 1], "int32")
    for gen, disc in ((g, d), (mg, md)):
        images = gen(z if num_classes is None else [z, y])
        assert images.dtype == "float32"
        logits = disc(images if num_classes is None else [np.asarray(images), y])
        assert logits.dtype == "float32" and tuple(logits.shape) == (3, 1)


@pytest.mark.parametrize("policy", ["mixed_float16"], indirect=True)
def test_compile_wraps_optimizers_in_loss_scale_optimizer(policy):
    g, d = _tiny()
    gan = kgan.GAN(g, d, 8, seed=0)
    gan.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer="adam")
    for opt in (gan.d_optimizer, gan.g_optimizer):
        assert isinstance(opt, keras.optimizers.LossScaleOptimizer)
    assert isinstance(gan.d_optimizer.inner_optimizer, keras.optimizers.SGD)
    assert isinstance(gan.g_optimizer.inner_optimizer, keras.optimizers.Adam)
    # An optimizer that is already wrapped is not wrapped twice.
    wrapped = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.1))
    assert compilation.get_optimizer(wrapped) is wrapped


@pytest.mark.parametrize("policy", ["mixed_float16"], indirect=True)
@pytest.mark.parametrize("loss", ["non_saturating", "wasserstein"])
def test_tiny_fit_under_mixed_float16(policy, loss):
    keras.utils.set_random_seed(0)
    g, d = _tiny(2, normalization="layer" if loss == "wasserstein" else "batch")
    gan = kgan.GAN(g, d, 8, loss=loss, num_classes=2, ema_decay=0.9, r1_weight=0.1, seed=0)
    gan.compile()
    before = [np.array(w) for w in g.trainable_weights + d.trainable_weights]
    x = np.random.default_rng(0).uniform(-1, 1, (16, 8, 8, 1)).astype("float32")
    y = (np.arange(16) % 2).astype("int32")
    history = gan.fit(x, y, batch_size=8, epochs=1, verbose=0).history
    for key, values in history.items():
        assert all(math.isfinite(v) for v in values), key
    assert {"d_loss", "g_loss", "d_real", "d_fake", "r1_penalty"} <= set(history)
    after = [np.asarray(w) for w in g.trainable_weights + d.trainable_weights]
    assert sum(not np.array_equal(a, b) for a, b in zip(before, after)) > len(before) // 2
    out = gan.generate(3, seed=0)
    assert out.dtype == np.float32 and np.all(np.abs(out) <= 1.0)


@pytest.mark.parametrize("policy", ["mixed_bfloat16"], indirect=True)
def test_bfloat16_needs_no_loss_scaling(policy):
    assert not isinstance(compilation.get_optimizer("adam"), keras.optimizers.LossScaleOptimizer)


def test_float32_policy_is_restored_and_unwrapped():
    assert keras.config.dtype_policy().name == "float32"
    assert not isinstance(compilation.get_optimizer("adam"), keras.optimizers.LossScaleOptimizer)


# XLA selection ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "jit_compile,gpus,distributed,expected",
    [
        ("auto", 0, False, False),
        ("auto", 1, False, True),
        ("auto", 4, False, True),
        ("auto", 1, True, False),
        ("auto", 0, True, False),
        (True, 0, False, True),
        (True, 1, True, True),
        (False, 1, False, False),
        (False, 0, True, False),
    ],
)
def test_resolve_jit_compile_truth_table(jit_compile, gpus, distributed, expected):
    assert compilation.resolve_jit_compile(jit_compile, gpus=gpus, distributed=distributed) is expected


def test_resolve_jit_compile_detects_this_cpu_machine():
    assert compilation.resolve_jit_compile("auto") is False


@pytest.mark.parametrize("bad", ["xla", "on", 1, 0, None, "Auto"])
def test_resolve_jit_compile_bad_value(bad):
    with pytest.raises(ValueError, match=r'Expected `jit_compile` to be "auto", True or False. Received: jit_compile='):
        compilation.resolve_jit_compile(bad)
