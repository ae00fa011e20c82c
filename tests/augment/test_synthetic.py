import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
from kgan import augment

LATENT_DIM = 8  # of the conftest generators
NUM_CLASSES = 3


def _batches(dataset):
    return [tuple(np.asarray(t) for t in b) if isinstance(b, tuple) else np.asarray(b) for b in dataset]


def test_conditional_shapes_dtypes_and_range(conditional_generator):
    ds = augment.synthetic_dataset(conditional_generator, batch_size=5, seed=0, num_batches=3)
    assert ds.element_spec == (
        tf.TensorSpec((5, 8, 8, 1), tf.float32),
        tf.TensorSpec((5,), tf.int32),
    )
    batches = _batches(ds)
    assert len(batches) == 3
    for images, labels in batches:
        assert images.shape == (5, 8, 8, 1) and images.dtype == np.float32
        assert images.min() >= -1.0 and images.max() <= 1.0
        assert labels.dtype == np.int32 and labels.min() >= 0 and labels.max() < NUM_CLASSES


def test_unconditional_yields_images_only(unconditional_generator):
    ds = augment.synthetic_dataset(unconditional_generator, batch_size=4, seed=0, num_batches=2)
    assert ds.element_spec == tf.TensorSpec((4, 8, 8, 1), tf.float32)
    assert len(_batches(ds)) == 2


def test_output_matches_a_real_format(conditional_generator):
    ds = augment.synthetic_dataset(
        conditional_generator,
        batch_size=4,
        seed=0,
        num_batches=2,
        value_range=(0, 255),
        dtype="uint8",
        image_size=(16, 12),
        channels=3,
    )
    for images, _ in _batches(ds):
        assert images.shape == (4, 16, 12, 3) and images.dtype == np.uint8
    unit = augment.synthetic_dataset(conditional_generator, batch_size=4, seed=0, value_range=(0, 1))
    raw = augment.synthetic_dataset(conditional_generator, batch_size=4, seed=0)
    (unit_images, _), (raw_images, _) = next(iter(unit)), next(iter(raw))
    np.testing.assert_allclose(unit_images, (raw_images + 1) / 2, atol=1e-6)


def test_balanced_labels(conditional_generator):
    ds = augment.synthetic_dataset(conditional_generator, batch_size=6, seed=3, num_batches=4)
    for _, labels in _batches(ds):
        np.testing.assert_array_equal(np.bincount(labels, minlength=NUM_CLASSES), [2, 2, 2])


def test_weighted_labels(conditional_generator):
    ds = augment.synthetic_dataset(
        conditional_generator, batch_size=10, class_weights=[0.2, 0.0, 0.8], seed=0, num_batches=5
    )
    counts = sum(np.bincount(labels, minlength=NUM_CLASSES) for _, labels in _batches(ds))
    np.testing.assert_array_equal(counts, [10, 0, 40])
    ds = augment.synthetic_dataset(conditional_generator, batch_size=4, class_weights={1: 1}, num_batches=2)
    assert all((labels == 1).all() for _, labels in _batches(ds))


def test_seed_determinism(conditional_generator):
    def first_batches(seed):
        return _batches(augment.synthetic_dataset(conditional_generator, batch_size=4, seed=seed, num_batches=2))

    a, b, c = first_batches(7), first_batches(7), first_batches(8)
    for (xa, ya), (xb, yb) in zip(a, b):
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)
    assert not np.array_equal(a[0][0], c[0][0])
    # A seeded dataset repeats itself on every iteration; an unseeded one does not.
    seeded = augment.synthetic_dataset(conditional_generator, batch_size=4, seed=7, num_batches=2)
    np.testing.assert_array_equal(_batches(seeded)[1][0], _batches(seeded)[1][0])
    unseeded = augment.synthetic_dataset(conditional_generator, batch_size=4, num_batches=1)
    assert not np.array_equal(_batches(unseeded)[0][0], _batches(unseeded)[0][0])


def test_gan_source_uses_the_ema_generator():
    keras.utils.set_random_seed(0)
    g, d = kgan.models.build("dcgan_tiny", image_size=8, channels=1, num_classes=NUM_CLASSES)
    gan = kgan.GAN(g, d, latent_dim=16, num_classes=NUM_CLASSES, ema_decay=0.9)
    gan.ema_generator.set_weights([w * 0.5 for w in gan.ema_generator.get_weights()])

    def first(source):
        return next(iter(augment.synthetic_dataset(source, batch_size=4, seed=0)))[0].numpy()

    np.testing.assert_array_equal(first(gan), first(gan.ema_generator))
    assert not np.allclose(first(gan), first(gan.generator))


def test_truncation_and_rejection_keep_labels(conditional_generator):
    calls = []

    def accept(images, labels):
        calls.append(len(labels))
        return np.asarray(labels) != 2 if len(calls) == 1 else np.ones(len(labels), bool)

    ds = augment.synthetic_dataset(
        conditional_generator, batch_size=6, seed=0, num_batches=1, truncation=0.5, accept=accept
    )
    images, labels = _batches(ds)[0]
    np.testing.assert_array_equal(np.bincount(labels, minlength=3), [2, 2, 2])
    assert calls == [6, 2]  # the two rejected class-2 samples were redrawn once
    never = augment.synthetic_dataset(
        conditional_generator, batch_size=2, num_batches=1, max_rounds=2, accept=lambda x, y: np.zeros(len(y), bool)
    )
    with pytest.raises(Exception, match="still rejected 2 of 2 samples"):
        _batches(never)


def test_confidence_filter():
    classifier = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(3)])
    classifier.set_weights([np.zeros((64, 3)), np.array([5.0, 0.0, 0.0])])
    accept = augment.confidence_filter(classifier, min_confidence=0.9, from_logits=True)
    np.testing.assert_array_equal(accept(np.zeros((3, 8, 8, 1)), np.array([0, 1, 2])), [True, False, False])


def test_works_inside_fit(conditional_generator):
    ds = augment.synthetic_dataset(conditional_generator, batch_size=8, seed=0)
    classifier = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(NUM_CLASSES)])
    classifier.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = classifier.fit(ds, steps_per_epoch=3, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"num_classes": 5}, "match the generator's 3 classes"),
        ({"num_classes": 1}, "num_classes"),
        ({"class_weights": [1, 1]}, "one weight per class"),
        ({"class_weights": [-1, 1, 1]}, "non-negative"),
        ({"batch_size": 0}, "batch_size"),
        ({"seed": -1}, "seed"),
        ({"truncation": 0}, "truncation"),
        ({"num_batches": 0}, "num_batches"),
        ({"value_range": (1, 1)}, "value_range"),
        ({"dtype": "string"}, "dtype"),
    ],
)
def test_bad_arguments(conditional_generator, kwargs, message):
    kwargs = {"batch_size": 4, **kwargs}
    with pytest.raises(ValueError, match=message):
        augment.synthetic_dataset(conditional_generator, **kwargs)


def test_labels_from_an_unconditional_generator(unconditional_generator):
    with pytest.raises(ValueError, match="unconditional generator.*Received: num_classes=3"):
        augment.synthetic_dataset(unconditional_generator, batch_size=4, num_classes=3)
    with pytest.raises(ValueError, match="unconditional generator.*Received: class_weights"):
        augment.synthetic_dataset(unconditional_generator, batch_size=4, class_weights=[1, 1])


def test_unknown_generator_kinds(tmp_path):
    with pytest.raises(ValueError, match="Expected `generator` to be"):
        augment.synthetic_dataset(object(), batch_size=4)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        augment.synthetic_dataset(str(tmp_path / "missing"), batch_size=4)


def test_conditional_model_without_readable_classes():
    z = keras.Input((LATENT_DIM,), name="z")
    labels = keras.Input((), dtype="int32", name="labels")
    x = keras.layers.Concatenate()([z, keras.layers.Embedding(4, 2)(labels)])
    images = keras.layers.Reshape((2, 2, 3))(keras.layers.Dense(12, activation="tanh")(x))
    model = keras.Model([z, labels], images)
    with pytest.raises(ValueError, match="Expected `num_classes` to be given"):
        augment.synthetic_dataset(model, batch_size=4)
    ds = augment.synthetic_dataset(model, batch_size=4, num_classes=4, num_batches=1)
    assert _batches(ds)[0][0].shape == (4, 2, 2, 3)
