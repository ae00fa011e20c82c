"""Discriminator augmentation (DiffAugment, ADA) in `fit` under MirroredStrategy and under mixed_bfloat16.

Runs in a subprocess: logical CPU devices must be configured before
TensorFlow initialises, which the rest of the test session has done.
"""

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import numpy as np
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

    import keras
    import kgan
    from kgan.base import augmentation

    x = np.random.default_rng(0).uniform(-1, 1, (64, 8, 8, 1)).astype("float32")
    y = np.arange(64) % 10
    data = lambda: tf.data.Dataset.from_tensor_slices((x, y)).batch(16, drop_remainder=True)

    def build(augment):
        keras.utils.set_random_seed(0)
        g, d = kgan.models.build("dcgan_tiny", image_size=8, channels=1, num_classes=10)
        gan = kgan.GAN(g, d, 16, num_classes=10, seed=0, augment=augment)
        gan.compile(d_optimizer=keras.optimizers.Adam(2e-4), g_optimizer=keras.optimizers.Adam(2e-4))
        return gan

    def ada():
        # D(real)'s mean sign is always below a target of 0.999, so p falls by 16 images x 1 / 1600
        # = 0.01 at every D step of a global batch of 16: 0.5 - 8 x 0.01 after 8 steps.
        return augmentation.AdaptiveAugment(target=0.999, interval=1, speed_images=1600, initial_p=0.5)

    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    assert strategy.num_replicas_in_sync == 2
    for name, make in (("diffaugment", augmentation.DiffAugment), ("ada", ada)):
        with strategy.scope():
            gan = build(make())
        history = gan.fit(data(), epochs=2, verbose=0).history
        assert all(np.isfinite(v[-1]) for v in history.values()), (name, history)
        if name == "ada":
            np.testing.assert_allclose(float(gan.ada_p.numpy()), 0.42, atol=1e-6)
            # The logged ada_p is the epoch's mean: (0.45 + 0.44 + 0.43 + 0.42) / 4.
            np.testing.assert_allclose(history["ada_p"][-1], 0.435, atol=1e-6)
    keras.config.set_dtype_policy("mixed_bfloat16")
    for name, make in (("diffaugment", augmentation.DiffAugment), ("ada", ada)):
        gan = build(make())
        assert gan.generator.get_layer("to_rgb").compute_dtype == "bfloat16"
        history = gan.fit(data(), epochs=2, verbose=0).history
        assert all(np.isfinite(v[-1]) for v in history.values()), (name, history)
        if name == "ada":
            np.testing.assert_allclose(float(gan.ada_p.numpy()), 0.42, atol=1e-6)
    print("ok")
    """
)


def test_discriminator_augmentation_trains_under_mirrored_strategy_and_mixed_bfloat16():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")
