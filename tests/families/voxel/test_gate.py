"""3D-GAN's discriminator gate: the accuracy on hand-made logits, the skipped step, and resume."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
from harness import FamilyCase
from harness import fit
from harness import full_state
from kgan.families.voxel import gate

GRID = 8
LATENT = 8


def test_batch_accuracy_on_hand_made_logits():
    real = tf.constant([[2.0], [-1.0], [0.5], [3.0]])  # right: 2.0, 0.5, 3.0
    fake = tf.constant([[-1.0], [1.0], [-2.0], [-0.1]])  # right: -1.0, -2.0, -0.1
    assert float(gate.batch_accuracy(real, fake)) == pytest.approx(6 / 8)
    # A logit of exactly 0 (probability 0.5) is right for neither side.
    assert float(gate.batch_accuracy(tf.zeros((3, 1)), tf.zeros((3, 1)))) == 0.0
    assert float(gate.batch_accuracy(tf.constant([1.0, 2.0]), tf.constant([-1.0, -3.0]))) == 1.0


def _adam_and_weight():
    weight = keras.Variable(np.array([1.0, -2.0], "float32"))
    optimizer = keras.optimizers.Adam(0.1)
    optimizer.build([weight])
    return optimizer, weight


def _gated_step(condition, optimizer, weight):
    tf.function(lambda: gate.apply_if(condition, optimizer, [tf.constant([0.5, -0.5])], [weight]))()


def test_apply_if_skips_the_whole_step_or_applies_it_as_apply_does():
    optimizer, weight = _adam_and_weight()
    before = [np.array(v) for v in optimizer.variables]
    _gated_step(tf.constant(False), optimizer, weight)
    np.testing.assert_array_equal(np.asarray(weight), [1.0, -2.0])
    for a, b in zip(before, optimizer.variables):  # step count and Adam's moments untouched
        np.testing.assert_array_equal(a, np.asarray(b))
    _gated_step(tf.constant(True), optimizer, weight)
    reference, reference_weight = _adam_and_weight()
    reference.apply([tf.constant([0.5, -0.5])], [reference_weight])
    np.testing.assert_allclose(np.asarray(weight), np.asarray(reference_weight), rtol=1e-6)
    assert int(optimizer.iterations) == 1
    # Adam's first step moves each weight by the learning rate, against the gradient's sign.
    np.testing.assert_allclose(np.asarray(weight), [0.9, -1.9], rtol=1e-5)


def _mean_discriminator(sign):
    """D(x) = sign * 40 * (mean(x) - 0.75): right on all-ones reals and ~0.5 fakes for sign=+1, wrong for -1."""
    grids = keras.Input((GRID, GRID, GRID, 1), name="images")
    mean = keras.layers.GlobalAveragePooling3D(name="pool")(grids)
    logits = keras.layers.Dense(1, name="logits")(mean)
    d = keras.Model(grids, logits)
    d.get_layer("logits").set_weights([np.array([[40.0 * sign]], "float32"), np.array([-30.0 * sign], "float32")])
    return d


def _gated_gan(sign, threshold=0.8):
    keras.utils.set_random_seed(0)
    g = kgan.models.voxel_generator(LATENT, GRID, base_filters=4)
    gan = kgan.VoxelGAN(g, _mean_discriminator(sign), LATENT, d_accuracy_gate=threshold, seed=0)
    gan.compile()
    return gan


@pytest.mark.parametrize("sign, updated", [(1, False), (-1, True)])
def test_the_compiled_step_updates_d_only_below_the_gate(sign, updated):
    gan = _gated_gan(sign)
    d_before = [np.array(w) for w in gan.discriminator.weights]
    g_before = [np.array(w) for w in gan.generator.trainable_weights]
    ones = np.ones((8, GRID, GRID, GRID, 1), "uint8")  # a G fresh from initialisation makes ~0.5 everywhere
    logs = gan.fit(ones, batch_size=8, epochs=1, verbose=0).history
    assert logs["d_accuracy"] == [1.0 if sign > 0 else 0.0]
    assert logs["d_updated"] == [0.0 if sign > 0 else 1.0]
    assert int(gan.d_optimizer.iterations) == int(updated)
    changed = [not np.array_equal(a, np.asarray(b)) for a, b in zip(d_before, gan.discriminator.weights)]
    assert any(changed) == updated and (all(changed) or not updated)
    assert int(gan.g_optimizer.iterations) == 1  # G is always updated
    assert all(not np.array_equal(a, np.asarray(b)) for a, b in zip(g_before, gan.generator.trainable_weights) if a.ndim > 1)


def _gated_case():
    def make():
        keras.utils.set_random_seed(1)
        g = kgan.models.voxel_generator(LATENT, GRID, 2, base_filters=4, embed_dim=4)
        d = kgan.models.voxel_discriminator(GRID, 2, base_filters=4)
        gan = kgan.VoxelGAN(g, d, LATENT, num_classes=2, d_accuracy_gate=0.55, seed=3)
        gan.compile(d_optimizer=keras.optimizers.Adam(0.01, beta_1=0.5), g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5))
        return gan

    x = (np.random.default_rng(0).random((32, GRID, GRID, GRID, 1)) < 0.3).astype("uint8")
    return FamilyCase("gated", make, (x, (np.arange(32) % 2).astype("int32")), 8, None)


def test_a_gated_run_resumed_from_a_checkpoint_equals_the_uninterrupted_run(tmp_path):
    tf.config.experimental.enable_op_determinism()
    case = _gated_case()
    full = case.make_model()
    history = fit(full, case, epochs=2)
    # The gate both skipped and applied D steps in this run.
    steps = int(full.g_optimizer.iterations)
    assert 0 < int(full.d_optimizer.iterations) < steps == 8
    assert np.isclose(np.mean(history["d_updated"]), int(full.d_optimizer.iterations) / steps)
    cut = case.make_model()
    fit(cut, case, epochs=1, callbacks=[kgan.callbacks.FullStateCheckpoint(str(tmp_path))])
    resumed = case.make_model()
    assert kgan.callbacks.restore_latest(resumed, str(tmp_path)) == 1
    fit(resumed, case, epochs=2, initial_epoch=1)
    expected, actual = full_state(full), full_state(resumed)
    assert actual.keys() == expected.keys()
    for key, value in expected.items():
        np.testing.assert_array_equal(actual[key], value, err_msg=key)


def test_the_gate_is_saved_with_the_model(tmp_path):
    gan = _gated_gan(1, threshold=0.7)
    gan.save(tmp_path / "gated.keras")
    loaded = keras.models.load_model(tmp_path / "gated.keras")
    assert type(loaded) is kgan.VoxelGAN and loaded.d_accuracy_gate == 0.7
    assert "d_updated" in loaded.metric_names()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"d_accuracy_gate": 0.0}, "Expected `d_accuracy_gate` to be None or a number in (0, 1]"),
        ({"d_accuracy_gate": 1.5}, "Received: d_accuracy_gate=1.5"),
        ({"d_accuracy_gate": 0.8, "loss": "wasserstein"}, "Received: loss='wasserstein', d_accuracy_gate=0.8"),
    ],
)
def test_bad_gates_are_refused(kwargs, message):
    g = kgan.models.voxel_generator(LATENT, GRID, base_filters=4)
    d = kgan.models.voxel_discriminator(GRID, base_filters=4, normalization="layer")
    with pytest.raises(ValueError) as error:
        kgan.VoxelGAN(g, d, LATENT, **kwargs)
    assert message in str(error.value)
