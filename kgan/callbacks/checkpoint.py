"""Full-state checkpoints: everything an exact resume needs.

A `.keras` file stores weights and optimizer state but not the state of
`SeedGenerator`s (the model's noise and every dropout layer's), so it cannot
resume a run exactly. `FullStateCheckpoint` writes a `tf.train.Checkpoint`
of everything the model's `checkpoint_parts()` names (every network and
moving average, every optimizer, every RNG state, family state such as an
augmentation probability) and the epoch counter.
"""

import keras
import tensorflow as tf

from kgan import checks


def make_checkpoint(model, epoch):
    """Returns a `tf.train.Checkpoint` of a kgan model's full training state.

    It holds what the model lists in `checkpoint_parts()` (every network and
    average, every optimizer, every RNG state, family state) and the epoch.

    Args:
        model: a compiled kgan model (`kgan.GAN` or another family).
        epoch: an int64 `tf.Variable` holding the number of finished epochs.
    """
    if not getattr(model, "compiled", False):
        raise ValueError("Expected a compiled model (call model.compile() first). Received: an uncompiled model")
    return tf.train.Checkpoint(**model.checkpoint_parts(), epoch=epoch)


def restore_latest(model, directory):
    """Restores the newest checkpoint in `directory` into `model`.

    Returns:
        The number of epochs the checkpoint had finished, or 0 when the
        directory holds none.
    """
    epoch = tf.Variable(0, dtype=tf.int64)
    path = tf.train.latest_checkpoint(directory)
    if path is None:
        return 0
    make_checkpoint(model, epoch).restore(path).assert_existing_objects_matched()
    return int(epoch.numpy())


class FullStateCheckpoint(keras.callbacks.Callback):
    """Saves the model's full training state every N epochs.

    Pair it with `restore_latest` and `fit(initial_epoch=...)` to resume.
    `tf.train.CheckpointManager` writes the index file last, so a run
    killed during a save still resumes from the previous checkpoint.

    Args:
        directory: checkpoint directory.
        every_n_epochs: save after every N-th epoch (and always after the last).
        max_to_keep: checkpoints kept on disk.
    """

    def __init__(self, directory, every_n_epochs=1, max_to_keep=2):
        super().__init__()
        checks.positive_int("every_n_epochs", every_n_epochs)
        self.directory = directory
        self.every_n_epochs = every_n_epochs
        self.max_to_keep = max_to_keep
        self._manager = None

    def on_train_begin(self, logs=None):
        self._epoch = tf.Variable(0, dtype=tf.int64)
        checkpoint = make_checkpoint(self.model, self._epoch)
        self._manager = tf.train.CheckpointManager(checkpoint, self.directory, self.max_to_keep)

    def on_epoch_end(self, epoch, logs=None):
        last = self.params.get("epochs") == epoch + 1
        if (epoch + 1) % self.every_n_epochs == 0 or last:
            self._epoch.assign(epoch + 1)
            self._manager.save(checkpoint_number=epoch + 1)
