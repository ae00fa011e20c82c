"""The CycleGAN objective by hand: LSGAN, cycle and identity terms, on constant networks."""

import keras
import numpy as np
import pytest

import kgan
from kgan.families.cyclegan import losses


def test_least_squares_terms():
    real = np.array([[[[1.5], [0.0]]]], "float32")
    fake = np.array([[[[0.5], [-1.0]]]], "float32")
    expected_d = 0.5 * (np.mean((real - 1) ** 2) + np.mean(fake**2))
    assert float(losses.discriminator_loss(real, fake)) == pytest.approx(expected_d)
    assert float(losses.adversarial_loss(fake)) == pytest.approx(np.mean((fake - 1) ** 2))  # no 1/2: the reference's MSE


def test_cycle_and_identity_are_mean_absolute_differences():
    x = np.array([[[[1.0, 0.0]]], [[[-1.0, 0.5]]]], "float32")
    y = np.array([[[[0.0, 0.0]]], [[[-0.5, 1.0]]]], "float32")
    assert float(losses.cycle_loss(x, y)) == pytest.approx((1 + 0 + 0.5 + 0.5) / 4)
    assert float(losses.identity_loss(x, y)) == float(losses.cycle_loss(x, y))


def _constant(value, name, out_channels=1, in_channels=1, tanh=True):
    """A network whose output is `value` (tanh'ed for a generator) everywhere: zero kernel, bias `value`."""
    source = keras.Input((None, None, in_channels), name="source" if tanh else "images")
    conv = keras.layers.Conv2D(out_channels, 1, name="conv")
    x = conv(source)
    out = keras.layers.Activation("tanh", name="images")(x) if tanh else x
    model = keras.Model(source, out, name=name)
    conv.set_weights([np.zeros((1, 1, in_channels, out_channels), "float32"), np.full((out_channels,), value, "float32")])
    return model


@pytest.mark.parametrize("identity_weight", [None, 0.0, 2.0])
def test_one_step_of_constant_networks_reports_the_hand_computed_losses(identity_weight):
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (4, 3, 3, 1)).astype("float32")
    b = rng.uniform(-1, 1, (4, 3, 3, 1)).astype("float32")
    p, q, da, db = 0.4, -0.7, 0.3, -0.2  # G_ab(x) = tanh(p), G_ba(x) = tanh(q), D_a = da, D_b = db
    model = kgan.CycleGAN(
        _constant(p, "generator_ab"), _constant(q, "generator_ba"),
        _constant(da, "discriminator_a", tanh=False), _constant(db, "discriminator_b", tanh=False),
        image_size=3, cycle_weight=10.0, identity_weight=identity_weight, pool_size=0, jitter=False, seed=0,
    )
    model.compile(*(keras.optimizers.SGD(0.0) for _ in range(4)))
    logs = {k: v[0] for k, v in model.fit(a, b, batch_size=4, epochs=1, verbose=0).history.items()}
    fake_b, fake_a = np.tanh(p), np.tanh(q)
    cycle = np.mean(np.abs(a - fake_a)) + np.mean(np.abs(b - fake_b))  # F(G(a)) = tanh(q), G(F(b)) = tanh(p)
    identity = np.mean(np.abs(b - fake_b)) + np.mean(np.abs(a - fake_a))  # G_ab(b) = tanh(p), G_ba(a) = tanh(q)
    weight = 5.0 if identity_weight is None else identity_weight  # default: half the cycle weight
    assert model.identity_weight == weight
    np.testing.assert_allclose(logs["g_ab_adversarial"], (db - 1) ** 2, rtol=1e-5)
    np.testing.assert_allclose(logs["g_ba_adversarial"], (da - 1) ** 2, rtol=1e-5)
    np.testing.assert_allclose(logs["cycle_loss"], cycle, rtol=1e-5)
    g_loss = (db - 1) ** 2 + (da - 1) ** 2 + 10 * cycle + weight * identity
    np.testing.assert_allclose(logs["g_loss"], g_loss, rtol=1e-5)
    assert ("identity_loss" in logs) == bool(weight)
    if weight:
        np.testing.assert_allclose(logs["identity_loss"], identity, rtol=1e-5)
    np.testing.assert_allclose(logs["d_a_loss"], 0.5 * ((da - 1) ** 2 + da**2), rtol=1e-5)
    np.testing.assert_allclose(logs["d_b_loss"], 0.5 * ((db - 1) ** 2 + db**2), rtol=1e-5)


def test_one_sgd_step_moves_the_generator_bias_down_the_hand_computed_gradient():
    rng = np.random.default_rng(1)
    a = rng.uniform(-1, 1, (2, 2, 2, 1)).astype("float32")
    b = rng.uniform(-1, 1, (2, 2, 2, 1)).astype("float32")
    p, q = 0.4, -0.7
    # D_b(x) = w x + c: G_ab's adversarial term depends on its output.
    images = keras.Input((None, None, 1), name="images")
    conv = keras.layers.Conv2D(1, 1)
    d_b = keras.Model(images, conv(images), name="discriminator_b")
    w, c = 1.5, 0.1
    conv.set_weights([np.full((1, 1, 1, 1), w, "float32"), np.array([c], "float32")])
    model = kgan.CycleGAN(
        _constant(p, "generator_ab"), _constant(q, "generator_ba"), _constant(0.0, "discriminator_a", tanh=False), d_b,
        image_size=2, identity_weight=0.0, pool_size=0, jitter=False, seed=0,
    )
    model.compile(keras.optimizers.SGD(0.1), *(keras.optimizers.SGD(0.0) for _ in range(3)))
    model.fit(a, b, batch_size=2, epochs=1, verbose=0)
    fake_b = np.tanh(p)
    # d/dp of (w tanh(p) + c - 1)^2 + 10 mean|b - tanh(p)| (G_ab's own cycle term: G(F(b)) = tanh(p)).
    grad = (2 * (w * fake_b + c - 1) * w + 10 * np.mean(np.sign(fake_b - b))) * (1 - fake_b**2)
    new_p = model.generator_ab.get_layer("conv").get_weights()[1][0]
    np.testing.assert_allclose(new_p, p - 0.1 * grad, rtol=1e-5)


def test_networks_that_do_not_fit_together_are_refused():
    g1, g3 = _constant(0.0, "g", 1, 1), _constant(0.0, "g3", 3, 1)  # 1 -> 1 and 1 -> 3 channels
    d1 = _constant(0.0, "d", tanh=False)
    with pytest.raises(ValueError, match="generator_ba input to have 3 channels"):
        kgan.CycleGAN(g3, g1, d1, d1, image_size=4)
    g31 = _constant(0.0, "g31", 1, 3)
    d3 = _constant(0.0, "d3", in_channels=3, tanh=False)
    with pytest.raises(ValueError, match="same channels for the identity terms"):
        kgan.CycleGAN(g3, g31, d1, d3, image_size=4, identity_weight=1.0)
    model = kgan.CycleGAN(g3, g31, d1, d3, image_size=4)  # identity off by default when channels differ
    assert model.identity_weight == 0.0
    with pytest.raises(ValueError, match="direction"):
        model.translate(np.zeros((1, 4, 4, 1), "float32"), direction="sideways")
    with pytest.raises(ValueError, match=r"expects \(a, b\) batches"):
        model.prepare_batch({"a": np.zeros((1, 4, 4, 1), "float32")})
