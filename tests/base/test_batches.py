"""Batches: dicts or tuples, every label format refused or read right, d_steps slices."""

import numpy as np
import pytest
import tensorflow as tf

from kgan.base import batches

from tiny_models import gan
from tiny_models import images


def test_tuples_and_tensors_become_named_dicts():
    x, y = tf.zeros((2, 3)), tf.ones((2,))
    assert set(batches.as_dict((x, y), ("images", "labels"))) == {"images", "labels"}
    assert set(batches.as_dict(x, ("images", "labels"))) == {"images"}
    assert set(batches.as_dict({"images": x}, ("images", "labels"))) == {"images"}
    with pytest.raises(ValueError, match=r"Expected batch entries among \['images', 'labels'\]. Received: unknown entries \['source'\]"):
        batches.as_dict({"source": x}, ("images", "labels"))
    with pytest.raises(ValueError, match="at most 2 parts"):
        batches.as_dict((x, y, y), ("images", "labels"))


@pytest.mark.parametrize(
    "labels",
    [np.array([2, 0, 1]), np.array([[2], [0], [1]]), np.eye(3, dtype="float32")[[2, 0, 1]], np.eye(3, dtype="int64")[[2, 0, 1]]],
)
def test_class_indices_from_every_accepted_format(labels):
    np.testing.assert_array_equal(batches.class_indices(labels, 3).numpy(), [2, 0, 1])


@pytest.mark.parametrize(
    "labels,shape",
    [(np.array([2.0, 0.0, 1.0]), r"\(3,\) and dtype float"), (np.zeros((3, 4)), r"\(3, 4\)"), (np.zeros((3, 1, 1), "int32"), r"\(3, 1, 1\)")],
)
def test_class_indices_refuses_the_rest(labels, shape):
    with pytest.raises(ValueError, match="Expected labels as integers.*Received: labels of shape " + shape):
        batches.class_indices(labels, 3)


def test_fit_with_one_hot_labels_equals_fit_with_integer_labels():
    # kgan 0.1 reshaped one-hot (B, C) labels to B * C garbage indices.
    y = np.arange(16) % 3
    one_hot, integer = gan(num_classes=3), gan(num_classes=3)
    one_hot.fit(images(16), np.eye(3, dtype="float32")[y], batch_size=8, epochs=1, verbose=0, shuffle=False)
    integer.fit(images(16), y.astype("int32"), batch_size=8, epochs=1, verbose=0, shuffle=False)
    for a, b in zip(one_hot.generator.weights, integer.generator.weights):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-6)


def test_fit_refuses_float_label_vectors():
    model = gan(num_classes=3)
    with pytest.raises(ValueError, match="Expected labels as integers"):
        model.fit(images(8), np.zeros(8, "float32"), batch_size=8, epochs=1, verbose=0)


@pytest.mark.parametrize("batch", [3, 5])
def test_d_steps_refuses_batches_it_cannot_split(batch):
    # kgan 0.1 trained on NaN with batch < d_steps, and dropped batch % d_steps examples.
    model = gan(d_steps=4)
    with pytest.raises(ValueError, match=f"multiple of d_steps=4.*Received: a batch of {batch}"):
        model.fit(images(batch), batch_size=batch, epochs=1, verbose=0)
    assert all(np.isfinite(np.asarray(w)).all() for w in model.weights)


def test_d_steps_with_a_dynamic_batch_size_is_checked_when_the_step_runs():
    model = gan(d_steps=2)
    ds = tf.data.Dataset.from_tensor_slices(images(3)).batch(3)  # unknown static batch size
    with pytest.raises(tf.errors.InvalidArgumentError, match="multiple of d_steps=2"):
        model.fit(ds, epochs=1, verbose=0)


def test_d_steps_slices_the_batch():
    model = gan(d_steps=2)
    model.fit(images(16), batch_size=8, epochs=1, verbose=0)
    assert int(model.d_optimizer.iterations) == 4 and int(model.g_optimizer.iterations) == 2
