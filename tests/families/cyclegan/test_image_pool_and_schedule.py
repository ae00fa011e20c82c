"""The image pool against the reference implementation's algorithm; `LinearDecay` values and serialization."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
import tiny_cyclegan
from kgan.families.cyclegan import recipe
from kgan.families.cyclegan.image_pool import ImagePool
from kgan.families.cyclegan.schedule import LinearDecay
from kgan.training.config import TrainConfig


def reference_query(pool, size, images, coins, slots):
    """junyanz/pytorch-CycleGAN-and-pix2pix `ImagePool.query`, with its random draws given."""
    out = []
    for image, coin, slot in zip(images, coins, slots):
        if len(pool) < size:
            pool.append(image)
            out.append(image)
        elif coin < 0.5:  # the reference draws p and swaps when p > 0.5: the same probability
            out.append(pool[slot])
            pool[slot] = image
        else:
            out.append(image)
    return np.stack(out)


def test_pool_matches_the_reference_algorithm_over_several_batches():
    rng = np.random.default_rng(0)
    size, shape = 5, (2, 2, 1)
    pool = ImagePool(size, shape)
    reference = []
    for batch in (3, 4, 4, 2):  # fills in the middle of the second batch, then swaps
        images = rng.normal(size=(batch, *shape)).astype("float32")
        coins = rng.uniform(size=batch).astype("float32")
        slots = rng.integers(0, size, batch).astype("int32")
        got = pool.query(tf.constant(images), tf.constant(coins), tf.constant(slots)).numpy()
        np.testing.assert_array_equal(got, reference_query(reference, size, images, coins, slots))
        assert int(pool.count.numpy()) == len(reference)
        np.testing.assert_array_equal(pool.images.numpy()[: len(reference)], np.stack(reference))


def test_a_later_image_of_a_batch_can_return_an_earlier_one():
    pool = ImagePool(1, (1, 1, 1))
    images = tf.constant(np.arange(1, 4, dtype="float32").reshape(3, 1, 1, 1))
    # Image 1 fills the pool; image 2 swaps it out (returns 1); image 3 swaps again and returns 2, stored just before.
    out = pool.query(images, tf.constant([0.9, 0.1, 0.1]), tf.constant([0, 0, 0])).numpy().ravel()
    assert out.tolist() == [1.0, 1.0, 2.0] and pool.images.numpy().ravel().tolist() == [3.0]


def test_pool_of_zero_passes_images_through():
    images = tf.ones((2, 2, 2, 1))
    assert ImagePool(0, (2, 2, 1)).query(images, tf.zeros(2), tf.zeros(2, tf.int32)) is images


def test_linear_decay_values():
    schedule = LinearDecay(2e-4, constant_steps=100, decay_steps=50)
    values = [float(schedule(step)) for step in (0, 99, 100, 110, 125, 149, 150, 400)]
    np.testing.assert_allclose(values, [2e-4, 2e-4, 2e-4, 1.6e-4, 1e-4, 4e-6, 0.0, 0.0], rtol=1e-5, atol=1e-12)
    assert float(LinearDecay(1e-3, 10, 0)(10**6)) == pytest.approx(1e-3)
    with pytest.raises(ValueError, match="decay_steps"):
        LinearDecay(1e-3, 10, -1)


def test_the_pools_and_a_linear_decay_are_saved_in_keras_files(tmp_path):
    """One tiny fit (a step traced once) for both: the filled pools and the optimizers' `LinearDecay`."""
    model = tiny_cyclegan.model(pool_size=4, compile=False)
    model.compile(*(keras.optimizers.Adam(LinearDecay(2e-4, 2, 4), beta_1=0.5) for _ in range(4)))
    data = tiny_cyclegan.domains(8)
    model.fit(data["a"], data["b"], batch_size=4, epochs=2, verbose=0)  # 4 steps: into the decay
    assert int(model.pool_b.count.numpy()) == 4 and set(model.extra_state()) == {"pool_a", "pool_b"}
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    for name in ("pool_a", "pool_b"):
        np.testing.assert_array_equal(getattr(loaded, name).images.numpy(), getattr(model, name).images.numpy())
        assert int(getattr(loaded, name).count.numpy()) == 4
    for name, optimizer in loaded.optimizers.items():
        assert isinstance(optimizer._learning_rate, LinearDecay), name  # where Keras keeps a schedule
        assert int(optimizer.iterations.numpy()) == 4
        assert float(optimizer.learning_rate) == pytest.approx(2e-4 * (1 - 2 / 4))


def test_the_recipe_turns_epochs_into_steps():
    train = TrainConfig(family="cyclegan", epochs=10, batch_size=4,
                        model={"learning_rate": 1e-3, "decay_epochs": 4, "steps_per_epoch": 25})
    schedule = recipe.learning_rate(train)
    assert (schedule.constant_steps, schedule.decay_steps) == (150, 100)
    with pytest.raises(ValueError, match="decay-epochs <= --epochs"):
        TrainConfig(family="cyclegan", epochs=3, model={"decay_epochs": 4}).validate()
    assert isinstance(kgan.CycleGAN, type)
