"""`kgan.VoxelGAN` with its gate under MirroredStrategy (2 logical CPUs) and under mixed precision.

Logical devices must be set before TensorFlow initialises, so the strategy
check runs in a fresh interpreter that prints its measurements as JSON,
started when collection ends (`BACKGROUND`, tests/background.py).
"""

import math
import textwrap

import keras
import numpy as np
import pytest
from background import MIRRORED_PREAMBLE
from background import BackgroundScript

import kgan

SCRIPT = MIRRORED_PREAMBLE + textwrap.dedent(
    r"""
    out = {}
    rng = np.random.default_rng(0)
    x = (rng.random((32, 8, 8, 8, 1)) < 0.3).astype("uint8")
    y = (np.arange(32) % 2).astype("int32")
    with strategy.scope():
        keras.utils.set_random_seed(0)
        g = kgan.models.voxel_generator(8, 8, 2, base_filters=4, embed_dim=4)
        d = kgan.models.voxel_discriminator(8, 2, base_filters=4, normalization="layer")
        gan = kgan.VoxelGAN(g, d, 8, num_classes=2, d_accuracy_gate=0.55, r1_weight=0.1, ema_half_life=100, seed=0)
        gan.compile(d_optimizer=keras.optimizers.Adam(0.01, beta_1=0.5))
    history = gan.fit(
        tf.data.Dataset.from_tensor_slices((x, y)).batch(8, drop_remainder=True), epochs=2, verbose=0
    ).history
    out["d_updated"] = history["d_updated"]
    out["d_iterations"] = int(gan.d_optimizer.iterations.numpy())
    out["g_iterations"] = int(gan.g_optimizer.iterations.numpy())
    out["replicas_agree"] = replicas_agree(
        gan.generator.trainable_weights + gan.discriminator.trainable_weights
        + gan.d_optimizer.variables + gan.g_optimizer.variables
    )
    out["finite"] = all(np.isfinite(v).all() for v in history.values())
    print("RESULT " + json.dumps(out))
    """
)


BACKGROUND = BackgroundScript(SCRIPT)


@pytest.fixture(scope="module")
def mirrored():
    return BACKGROUND.result()


def test_the_gate_under_mirrored_strategy_keeps_replicas_in_step(mirrored):
    assert mirrored["finite"] and mirrored["replicas_agree"]
    assert mirrored["g_iterations"] == 8  # 2 epochs of 4 global batches
    # D's step count is the number of steps the (replica-averaged) gate let through.
    assert mirrored["d_iterations"] == round(sum(mirrored["d_updated"]) * 4)
    assert 0 < mirrored["d_iterations"] < 8


@pytest.fixture
def float16():
    keras.config.set_dtype_policy("mixed_float16")
    try:
        yield
    finally:
        keras.config.set_dtype_policy("float32")


def test_a_gated_fit_under_mixed_float16(float16):
    keras.utils.set_random_seed(0)
    g = kgan.models.voxel_generator(8, 8, 2, base_filters=4, embed_dim=4)
    d = kgan.models.voxel_discriminator(8, 2, base_filters=4)
    assert g.get_layer("to_occupancy").compute_dtype == "float16"
    gan = kgan.VoxelGAN(g, d, 8, num_classes=2, d_accuracy_gate=0.8, seed=0)
    gan.compile()
    assert isinstance(gan.d_optimizer, keras.optimizers.LossScaleOptimizer)
    x = (np.random.default_rng(0).random((16, 8, 8, 8, 1)) < 0.3).astype("uint8")
    history = gan.fit(x, (np.arange(16) % 2).astype("int32"), batch_size=8, epochs=1, verbose=0).history
    assert all(math.isfinite(v) for values in history.values() for v in values)
    assert gan.generate(2, seed=0).dtype == "float32"
    assert int(gan.g_optimizer.iterations) == 2
