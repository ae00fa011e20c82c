"""SampleGrid: fixed-noise PNG grids after every N epochs, optionally to TensorBoard."""

import glob
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import kgan
from kgan import callbacks
from kgan.models import presets

LATENT_DIM = 8
SIZE = 8


def tiny_models():
    """A G and D without batch norm, so a frozen G is exactly constant."""
    z = keras.Input((LATENT_DIM,), name="z")
    x = keras.layers.Dense(SIZE * SIZE)(z)
    x = keras.layers.Reshape((SIZE, SIZE, 1))(x)
    g = keras.Model(z, keras.layers.Activation("tanh")(x))
    images = keras.Input((SIZE, SIZE, 1))
    d = keras.Model(images, keras.layers.Dense(1)(keras.layers.Flatten()(images)))
    return g, d


def tiny_gan(g_learning_rate=1e-2):
    g, d = tiny_models()
    gan = kgan.GAN(g, d, LATENT_DIM, seed=0)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(1e-2),
        g_optimizer=keras.optimizers.Adam(g_learning_rate),
        jit_compile=False,
    )
    return gan


def real_images(n=32):
    return np.random.default_rng(0).uniform(-1, 1, (n, SIZE, SIZE, 1)).astype("float32")


def read_png(path):
    with Image.open(path) as im:
        return np.asarray(im)


def test_writes_one_png_per_epoch_with_the_grid_size(tmp_path):
    gan = tiny_gan()
    grid = callbacks.SampleGrid(str(tmp_path), num_samples=6, scale=2)
    gan.fit(real_images(), batch_size=16, epochs=3, verbose=0, callbacks=[grid])
    assert sorted(os.listdir(tmp_path)) == ["epoch_0001.png", "epoch_0002.png", "epoch_0003.png"]
    assert grid.last_path == str(tmp_path / "epoch_0003.png")
    # 6 samples -> floor(sqrt(6)) = 2 rows of 3; tiles 16 px (scale 2) and 1 px padding.
    assert read_png(grid.last_path).shape == (2 * 17 + 1, 3 * 17 + 1)


def test_conditional_gan_gets_one_row_per_class(tmp_path):
    g, d = presets.build("dcgan_tiny", SIZE, 1, num_classes=3)
    gan = kgan.GAN(g, d, presets.get_preset("dcgan_tiny").latent_dim, num_classes=3, seed=0)
    gan.compile(jit_compile=False)
    grid = callbacks.SampleGrid(str(tmp_path), per_class=4)
    labels = np.arange(32) % 3
    gan.fit(real_images(), labels, batch_size=16, epochs=1, verbose=0, callbacks=[grid])
    # 3 classes x 4 per class: 3 rows, 4 columns of 8 px tiles.
    assert read_png(tmp_path / "epoch_0001.png").shape == (3 * 9 + 1, 4 * 9 + 1)
    np.testing.assert_array_equal(grid._inputs["labels"], [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])


def test_noise_is_fixed_across_epochs(tmp_path):
    # With G's learning rate 0 the generator never changes, so any difference
    # between two epochs' grids would come from redrawn noise.
    frozen = tiny_gan(g_learning_rate=0.0)
    g_before = [w.copy() for w in frozen.generator.get_weights()]
    frozen_dir = tmp_path / "frozen"
    frozen.fit(real_images(), batch_size=16, epochs=2, verbose=0,
               callbacks=[callbacks.SampleGrid(str(frozen_dir), num_samples=9)])
    for before, after in zip(g_before, frozen.generator.get_weights()):
        np.testing.assert_array_equal(before, after)
    first, second = read_png(frozen_dir / "epoch_0001.png"), read_png(frozen_dir / "epoch_0002.png")
    np.testing.assert_array_equal(first, second)
    assert first.std() > 0  # not a blank image

    # Control: a generator that trains does change the grid.
    trained_dir = tmp_path / "trained"
    tiny_gan(g_learning_rate=0.05).fit(
        real_images(), batch_size=16, epochs=2, verbose=0,
        callbacks=[callbacks.SampleGrid(str(trained_dir), num_samples=9)],
    )
    assert not np.array_equal(read_png(trained_dir / "epoch_0001.png"), read_png(trained_dir / "epoch_0002.png"))


def test_same_seed_gives_same_noise_and_other_seed_differs(tmp_path):
    gan = tiny_gan(g_learning_rate=0.0)
    grids = [callbacks.SampleGrid(str(tmp_path / f"g{i}"), num_samples=4, seed=s) for i, s in enumerate((3, 3, 4))]
    gan.fit(real_images(), batch_size=16, epochs=1, verbose=0, callbacks=grids)
    a, b, c = (read_png(tmp_path / f"g{i}" / "epoch_0001.png") for i in range(3))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_every_n_epochs(tmp_path):
    gan = tiny_gan()
    gan.fit(real_images(), batch_size=16, epochs=5, verbose=0,
            callbacks=[callbacks.SampleGrid(str(tmp_path), num_samples=4, every_n_epochs=2)])
    assert sorted(os.listdir(tmp_path)) == ["epoch_0002.png", "epoch_0004.png"]


def test_every_n_epochs_must_be_positive(tmp_path):
    with pytest.raises(ValueError, match="every_n_epochs"):
        callbacks.SampleGrid(str(tmp_path), every_n_epochs=0)


def test_tensorboard_image_summary(tmp_path):
    gan = tiny_gan()
    tb_dir = tmp_path / "tb"
    gan.fit(real_images(), batch_size=16, epochs=2, verbose=0,
            callbacks=[callbacks.SampleGrid(str(tmp_path / "png"), num_samples=4, tensorboard_dir=str(tb_dir))])
    event_files = glob.glob(str(tb_dir / "events.out.tfevents.*"))
    assert len(event_files) == 1
    steps = []
    for event in tf.compat.v1.train.summary_iterator(event_files[0]):
        for value in event.summary.value:
            if value.tag == "samples":
                assert value.metadata.plugin_data.plugin_name == "images"
                steps.append(event.step)
                image = tf.image.decode_png(tf.make_ndarray(value.tensor)[2]).numpy()
    assert steps == [1, 2]
    # TensorBoard's image record: [width, height, png].
    assert tf.make_ndarray(value.tensor)[:2].tolist() == [b"19", b"19"]  # 2x2 tiles of 8 px, 1 px padding
    # The logged image is the epoch-2 grid PNG.
    np.testing.assert_array_equal(image[..., 0], read_png(tmp_path / "png" / "epoch_0002.png"))
