"""`kgan.augment` inside `fit` under a MirroredStrategy with two replicas.

Runs in a subprocess: logical CPU devices must be configured before
TensorFlow initialises, which the rest of the test session has done.
"""

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import keras
    import numpy as np
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

    import kgan
    from kgan import augment

    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        keras.utils.set_random_seed(0)
        generator = kgan.models.dcgan_generator(
            latent_dim=8, image_size=8, channels=1, num_classes=3, base_filters=4
        )
        classifier = keras.Sequential([
            keras.Input((8, 8, 1)),
            augment.SyntheticReplacement(generator, fraction=0.25, seed=0),
            keras.layers.Flatten(),
            keras.layers.Dense(3),
        ])
        classifier.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x = np.random.default_rng(0).uniform(-1, 1, (64, 8, 8, 1)).astype("float32")
    real = tf.data.Dataset.from_tensor_slices((x, np.arange(64) % 3)).batch(16, drop_remainder=True)
    synthetic = augment.synthetic_dataset(generator, batch_size=8, seed=0)
    history = classifier.fit(augment.mix(real, synthetic, 0.5), epochs=2, verbose=0)
    assert strategy.num_replicas_in_sync == 2
    assert all(np.isfinite(history.history["loss"])), history.history
    classifier.fit(synthetic, steps_per_epoch=3, epochs=1, verbose=0)

    # An exported SavedModel: as a dataset source and inside the layer.
    import tempfile
    folder = kgan.export.export_generator(generator, out=tempfile.mkdtemp(), name="tiny")
    with strategy.scope():
        classifier = keras.Sequential([
            keras.Input((8, 8, 1)),
            augment.SyntheticReplacement(folder, fraction=0.25, seed=0),
            keras.layers.Flatten(),
            keras.layers.Dense(3),
        ])
        classifier.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    synthetic = augment.synthetic_dataset(folder, batch_size=8, seed=0)
    history = classifier.fit(augment.mix(real, synthetic, 0.5), epochs=1, verbose=0)
    assert all(np.isfinite(history.history["loss"])), history.history
    print("OK", strategy.num_replicas_in_sync)
    """
)


def test_fit_under_mirrored_strategy():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0 and "OK 2" in result.stdout, result.stderr[-3000:]
