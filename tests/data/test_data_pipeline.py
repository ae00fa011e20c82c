import numpy as np
import pytest
import tensorflow as tf

import kgan
from kgan.data import pipeline


def test_centre_crop_square():
    image = tf.reshape(tf.range(2 * 6, dtype=tf.float32), (2, 6, 1))
    cropped = pipeline.center_crop_square(image)
    np.testing.assert_array_equal(cropped[..., 0], [[2, 3], [8, 9]])
    tall = pipeline.center_crop_square(tf.reshape(image, (6, 2, 1)))
    np.testing.assert_array_equal(tall[..., 0], [[4, 5], [6, 7]])


def test_channel_conversion():
    rgb = tf.constant([[[1.0, -1.0, -1.0]]])  # one pure red pixel
    gray = pipeline.preprocess(rgb, (1, 1, 3), channels=1)
    # ITU-R 601 luma: 0.2989 r + 0.5870 g + 0.1140 b.
    np.testing.assert_allclose(gray.numpy(), [[[0.2989 - 0.5870 - 0.1140]]], atol=1e-3)
    back = pipeline.preprocess(tf.constant([[[0.25]]]), (1, 1, 1), channels=3)
    np.testing.assert_array_equal(back.numpy(), [[[0.25, 0.25, 0.25]]])


def test_resize_keeps_range_and_constants():
    image = tf.fill((8, 8, 1), 0.5)
    resized = pipeline.preprocess(image, (8, 8, 1), image_size=3)
    assert resized.shape == (3, 3, 1)
    np.testing.assert_allclose(resized.numpy(), 0.5, atol=1e-6)
    checker = tf.constant(np.indices((8, 8)).sum(0) % 2 * 2.0 - 1.0, tf.float32)[..., None]
    up = pipeline.preprocess(checker, (8, 8, 1), image_size=21)
    assert up.numpy().min() >= -1.0 and up.numpy().max() <= 1.0


def test_digits_resize_and_rgb():
    x, _, info = kgan.data.load_arrays("digits", split="test", image_size=16, channels=3)
    assert x.shape == (359, 16, 16, 3) and info.image_shape == (16, 16, 3)
    np.testing.assert_array_equal(x[..., 0], x[..., 2])
    assert x.min() >= -1.0 and x.max() <= 1.0


def first_labels(**kwargs):
    return next(iter(kgan.data.load("digits", batch_size=64, **kwargs)))[1].numpy()


def test_seeded_shuffle_is_reproducible():
    np.testing.assert_array_equal(first_labels(seed=1), first_labels(seed=1))
    assert not np.array_equal(first_labels(seed=1), first_labels(seed=2))
    # Epochs differ from each other, but reproducibly.
    def two_epochs(seed):
        ds = kgan.data.load("digits", split="test", batch_size=359, seed=seed)
        return [labels.numpy() for _, labels in ds.repeat(2)]

    first, second = two_epochs(3)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(np.concatenate(two_epochs(3)), np.concatenate([first, second]))


def test_unshuffled_order_matches_load_arrays():
    _, y, _ = kgan.data.load_arrays("digits")
    np.testing.assert_array_equal(first_labels(shuffle=False), y[:64])


def test_drop_remainder_static_batch_and_repeat():
    ds = kgan.data.load("digits", batch_size=100, labels=False, seed=0)
    assert ds.element_spec.shape == (100, 8, 8, 1)
    assert int(ds.cardinality()) == 1438 // 100
    forever = kgan.data.load("digits", batch_size=100, repeat=True, cache=False)
    assert forever.cardinality() == tf.data.INFINITE_CARDINALITY
    assert len(list(forever.take(20))) == 20  # more than one epoch (14 batches)


def test_batch_size_equal_to_split_is_allowed():
    ds = kgan.data.load("digits", split="test", batch_size=359)
    assert int(ds.cardinality()) == 1
    with pytest.raises(ValueError, match=r"Received: batch_size=360"):
        kgan.data.load("digits", split="test", batch_size=360)
