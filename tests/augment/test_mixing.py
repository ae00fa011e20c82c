import keras
import numpy as np
import pytest
import tensorflow as tf

from kgan import augment

NUM_CLASSES = 3  # of the conftest generators


def _real(n=40, batch_size=10, labels="int64", drop_remainder=True):
    images = np.full((n, 8, 8, 1), 0.5, "float32")  # synthetic images are never exactly 0.5
    if labels is None:
        ds = tf.data.Dataset.from_tensor_slices(images)
    else:
        y = np.arange(n) % NUM_CLASSES
        y = np.eye(NUM_CLASSES, dtype="float32")[y] if labels == "onehot" else y.astype(labels)
        ds = tf.data.Dataset.from_tensor_slices((images, y))
    return ds.batch(batch_size, drop_remainder=drop_remainder)


def _is_real(images):
    return np.all(np.asarray(images) == 0.5, axis=(1, 2, 3))


def test_exact_share_per_batch_and_labels_kept(conditional_generator):
    synthetic = augment.synthetic_dataset(conditional_generator, batch_size=4, seed=0)
    mixed = augment.mix(_real(), synthetic, 0.2)
    assert mixed.element_spec[1].dtype == tf.int64
    seen_real = 0
    for images, labels in mixed:
        real = _is_real(images)
        assert len(real) == 10 and (~real).sum() == 2
        seen_real += real.sum()
        assert labels.dtype == tf.int64 and np.all((labels >= 0) & (labels < NUM_CLASSES))
    assert seen_real == 40  # every real example once per epoch


def test_synthetic_labels_belong_to_synthetic_images():
    # A generator that draws the class index into the image lets us check the pairing.
    z = keras.Input((8,), name="z")
    labels = keras.Input((), dtype="int32", name="labels")

    def draw_label(y):
        return keras.ops.cast(y, "float32")[:, None, None, None] / 10 * keras.ops.ones((1, 8, 8, 1))

    generator = keras.Model([z, labels], keras.layers.Lambda(draw_label)(labels))
    synthetic = augment.synthetic_dataset(generator, batch_size=3, num_classes=NUM_CLASSES, seed=0)
    for images, labels in augment.mix(_real(), synthetic, 0.5):
        fake = ~_is_real(images)
        np.testing.assert_allclose(np.asarray(images)[fake, 0, 0, 0], np.asarray(labels)[fake] / 10)


def test_one_hot_labels_partial_batch_and_static_shape(conditional_generator):
    synthetic = augment.synthetic_dataset(conditional_generator, batch_size=4, seed=0)
    mixed = augment.mix(_real(n=47, labels="onehot", drop_remainder=False), synthetic, 0.5, batch_size=10)
    sizes = []
    for images, labels in mixed:
        assert labels.shape[1:] == (NUM_CLASSES,) and labels.dtype == tf.float32
        np.testing.assert_allclose(np.sum(labels, axis=1), 1.0)
        sizes.append(((~_is_real(images)).sum(), _is_real(images).sum()))
    # 47 real examples: 9 batches of 5 real + 5 synthetic, then 2 real + 2 synthetic.
    assert sizes == [(5, 5)] * 9 + [(2, 2)]
    dropped = augment.mix(_real(n=43), synthetic, 0.5, drop_remainder=True)
    assert dropped.element_spec[0].shape == (10, 8, 8, 1)
    assert sum(1 for _ in dropped) == 8


def test_fraction_zero_and_one(conditional_generator):
    real = _real()
    synthetic = augment.synthetic_dataset(conditional_generator, batch_size=4, seed=0)
    assert augment.mix(real, synthetic, 0.0) is real
    images, labels = next(iter(augment.mix(real, synthetic, 1.0)))
    assert images.shape == (10, 8, 8, 1) and not _is_real(images).any() and labels.dtype == tf.int64


def test_unlabelled_mix(unconditional_generator):
    synthetic = augment.synthetic_dataset(unconditional_generator, batch_size=5, seed=0)
    images = next(iter(augment.mix(_real(labels=None), synthetic, 0.3)))
    assert (~_is_real(images)).sum() == 3


def test_works_inside_fit(conditional_generator):
    synthetic = augment.synthetic_dataset(conditional_generator, batch_size=8, seed=0)
    classifier = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(NUM_CLASSES)])
    classifier.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = classifier.fit(augment.mix(_real(), synthetic, 0.5), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


@pytest.mark.parametrize("fraction", [-0.1, 1.5, "half", True, None])
def test_fraction_outside_unit_interval(conditional_generator, fraction):
    synthetic = augment.synthetic_dataset(conditional_generator, batch_size=4)
    with pytest.raises(ValueError, match="Expected `synthetic_fraction` to be a number in \\[0, 1\\]"):
        augment.mix(_real(), synthetic, fraction)


def test_mismatches(conditional_generator, unconditional_generator):
    labelled = augment.synthetic_dataset(conditional_generator, batch_size=4)
    with pytest.raises(ValueError, match="both to yield"):
        augment.mix(_real(), augment.synthetic_dataset(unconditional_generator, batch_size=4), 0.5)
    with pytest.raises(ValueError, match="shape and dtype"):
        augment.mix(_real(), augment.synthetic_dataset(conditional_generator, batch_size=4, image_size=16), 0.5)
    with pytest.raises(ValueError, match="shape and dtype"):
        augment.mix(_real(), augment.synthetic_dataset(conditional_generator, batch_size=4, dtype="uint8"), 0.5)
    with pytest.raises(ValueError, match="batch_size"):
        augment.mix(_real(drop_remainder=False), labelled, 0.5)
    with pytest.raises(ValueError, match="round to between 1 and 9"):
        augment.mix(_real(), labelled, 0.01)
    with pytest.raises(ValueError, match="batch the dataset first"):
        augment.mix(_real().unbatch(), labelled, 0.5)


def test_known_sizes(conditional_generator):
    endless = augment.synthetic_dataset(conditional_generator, batch_size=4, seed=0)
    assert endless.cardinality() == tf.data.INFINITE_CARDINALITY
    assert augment.synthetic_dataset(conditional_generator, batch_size=4, num_batches=3).cardinality() == 3
    mixed = augment.mix(_real(n=40), endless, 0.2)  # 40 real examples, 8 per batch
    assert mixed.cardinality() == 5 and sum(1 for _ in mixed) == 5
    mixed = augment.mix(_real(n=40), endless, 0.3)  # 7 real per batch: 5 full batches and 1 partial
    assert mixed.cardinality() == 6 and sum(1 for _ in mixed) == 6
    assert augment.mix(_real(n=40), endless, 0.3, drop_remainder=True).cardinality() == 5
    assert augment.mix(_real(drop_remainder=False), endless, 0.5, batch_size=10).cardinality() < 0
