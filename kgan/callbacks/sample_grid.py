"""`SampleGrid`: a PNG of what the model makes from fixed inputs after every N epochs."""

import os

import keras

from kgan import checks
from kgan import images
from kgan.callbacks import tensorboard


class SampleGrid(keras.callbacks.Callback):
    """Writes a grid of the model's samples from fixed inputs as a PNG.

    The model draws the grid (`model.preview`) from inputs fixed once per run
    (`model.preview_inputs`), so the grids of successive epochs show the same
    latent points, or the same held-out examples, as training moves them. A
    conditional GAN gets one row per class; an image-to-image model shows its
    `examples` beside what it makes of them.

    Args:
        directory: where `epoch_0001.png`, ... are written.
        num_samples: samples in the grid of an unconditional GAN.
        per_class: columns per class row for a conditional GAN.
        every_n_epochs: write after every N-th epoch.
        seed: seed of the fixed noise.
        scale: integer upscaling of each tile in the PNG.
        tensorboard_dir: if set, the grid is also logged to TensorBoard as
            the image summary `samples`.
        examples: a batch of fixed inputs for models that transform data
            (e.g. held-out source images), or None.
    """

    def __init__(
        self,
        directory,
        num_samples=64,
        per_class=10,
        every_n_epochs=1,
        seed=0,
        scale=1,
        tensorboard_dir=None,
        examples=None,
    ):
        super().__init__()
        checks.positive_int("every_n_epochs", every_n_epochs)
        self.directory = directory
        self.num_samples = num_samples
        self.per_class = per_class
        self.every_n_epochs = every_n_epochs
        self.seed = seed
        self.scale = scale
        self.tensorboard_dir = tensorboard_dir
        self.examples = examples
        self._writer = None
        self.last_path = None

    def on_train_begin(self, logs=None):
        self._inputs = self.model.preview_inputs(
            self.seed, examples=self.examples, num_samples=self.num_samples, per_class=self.per_class
        )
        if self.tensorboard_dir and self._writer is None:
            import tensorflow as tf

            self._writer = tf.summary.create_file_writer(self.tensorboard_dir)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs:
            return
        grid = self.model.preview(self._inputs, scale=self.scale)
        self.last_path = os.path.join(self.directory, f"epoch_{epoch + 1:04d}.png")
        images.save_png(grid, self.last_path)
        if self._writer is not None:
            with self._writer.as_default():
                tensorboard.write_image("samples", grid, step=epoch + 1)
            self._writer.flush()
