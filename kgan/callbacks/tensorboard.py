"""TensorBoard records written with TensorFlow alone.

`tf.summary.scalar` and `tf.summary.image` live in the `tensorboard` package,
which TensorFlow does not install (and `keras.callbacks.TensorBoard` needs
them). The records themselves are plain `tf.summary.write` calls with the
plugin's metadata, so kgan writes them directly: every run's scalars and
sample grids appear under `tensorboard --logdir runs` once TensorBoard is
installed to view them (`pip install tensorboard`).
"""

import keras
import tensorflow as tf
from tensorflow.core.framework import summary_pb2


def _metadata(plugin):
    return summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name=plugin))


def write_scalar(tag, value, step):
    """A scalar summary (TensorBoard's "scalars" plugin) in the default writer."""
    tf.summary.write(tag, tf.constant(float(value), tf.float32), step=step, metadata=_metadata("scalars"))


def write_image(tag, image, step):
    """A uint8 `(H, W, C)` image summary (the "images" plugin: `[width, height, png]`)."""
    height, width = image.shape[:2]
    png = tf.image.encode_png(image)
    tensor = tf.stack([tf.as_string(width), tf.as_string(height), png])
    tf.summary.write(tag, tensor, step=step, metadata=_metadata("images"))


class ScalarLog(keras.callbacks.Callback):
    """Writes every epoch's logs (losses, D outputs, penalties, metrics) as TensorBoard scalars.

    Args:
        directory: the log directory (kgan train uses `RUN/tensorboard`).
    """

    def __init__(self, directory):
        super().__init__()
        self.directory = directory
        self._writer = None

    def on_train_begin(self, logs=None):
        if self._writer is None:
            self._writer = tf.summary.create_file_writer(self.directory)

    def on_epoch_end(self, epoch, logs=None):
        with self._writer.as_default():
            for name, value in (logs or {}).items():
                write_scalar(f"epoch_{name}", value, step=epoch + 1)
        self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None
