"""TensorBoard records: every epoch's scalars and the sample grids, readable back."""

import glob
import os

import numpy as np
import pytest
import tensorflow as tf
from tensorflow.core.util import event_pb2

import kgan
from tiny_models import gan
from tiny_models import images


def read_events(directory):
    """`[(tag, plugin, step, value)]` from every event file under `directory`."""
    found = []
    for path in sorted(glob.glob(os.path.join(directory, "events.out.tfevents.*"))):
        for raw in tf.data.TFRecordDataset(path):
            event = event_pb2.Event.FromString(raw.numpy())
            for value in event.summary.value:
                tensor = tf.make_ndarray(value.tensor)
                found.append((value.tag, value.metadata.plugin_data.plugin_name, event.step, tensor))
    return found


def test_scalars_and_grids_are_written_for_tensorboard(tmp_path):
    model = gan(num_classes=2)
    logdir = str(tmp_path / "tensorboard")
    callbacks = [
        kgan.callbacks.SampleGrid(str(tmp_path / "samples"), per_class=3, tensorboard_dir=logdir),
        kgan.callbacks.ScalarLog(logdir),
    ]
    x, y = images(16), (np.arange(16) % 2).astype("int32")
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=callbacks).history
    events = read_events(logdir)
    scalars = {(tag, step): float(value) for tag, plugin, step, value in events if plugin == "scalars"}
    for name in ("d_loss", "g_loss", "d_real", "d_fake"):
        for epoch in (0, 1):
            assert scalars[(f"epoch_{name}", epoch + 1)] == pytest.approx(history[name][epoch], rel=1e-6)
    grids = [(step, value) for tag, plugin, step, value in events if plugin == "images" and tag == "samples"]
    assert [step for step, _ in grids] == [1, 2]
    width, height, png = grids[-1][1]
    decoded = tf.io.decode_png(png).numpy()
    assert decoded.shape[:2] == (int(height), int(width))
    saved = tf.io.decode_png(tf.io.read_file(str(tmp_path / "samples" / "epoch_0002.png"))).numpy()
    np.testing.assert_array_equal(decoded[..., : saved.shape[-1]], saved)
