"""Keras callbacks for GAN training: sample grids, full-state checkpoints, metrics, TensorBoard.

Generator EMA is a `kgan.GAN(ema_decay=...)` option rather than a callback:
it runs inside the compiled train step and is saved with the model.
"""

from kgan.callbacks.checkpoint import FullStateCheckpoint
from kgan.callbacks.checkpoint import make_checkpoint
from kgan.callbacks.checkpoint import restore_latest
from kgan.callbacks.metrics import MetricsCallback
from kgan.callbacks.sample_grid import SampleGrid
from kgan.callbacks.tensorboard import ScalarLog
