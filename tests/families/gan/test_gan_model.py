"""kgan.GAN: the adversarial train_step, generate, EMA, saving and errors.

Tiny seeded models (8x8 images, latent 8, DCGAN with 4 base filters) keep
every fit to a fraction of a second on a CPU.
"""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
from kgan import losses
from kgan import models

LATENT = 8
SIZE = 8
SHAPE = (SIZE, SIZE, 1)
HISTORY_KEYS = {"d_loss", "g_loss", "d_real", "d_fake"}


# Builders and helpers ----------------------------------------------------------


def tiny_pair(arch="dcgan", num_classes=None, normalization="batch"):
    if arch == "dcgan":
        g = models.dcgan_generator(LATENT, SIZE, 1, num_classes, base_filters=4, embed_dim=4)
        d = models.dcgan_discriminator(SIZE, 1, num_classes, base_filters=4, normalization=normalization)
    else:
        g = models.mlp_generator(LATENT, SHAPE, num_classes, hidden_units=(16,), embed_dim=4)
        d = models.mlp_discriminator(SHAPE, num_classes, hidden_units=(16,), dropout=0.0)
    return g, d


def tiny_gan(arch="dcgan", num_classes=None, seed=0, compile_kwargs=None, normalization="batch", **kwargs):
    keras.utils.set_random_seed(seed)
    g, d = tiny_pair(arch, num_classes, normalization)
    gan = kgan.GAN(g, d, LATENT, num_classes=num_classes, seed=seed, **kwargs)
    gan.compile(**(compile_kwargs or {}))
    return gan


def images(n=32, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, *SHAPE)).astype("float32")


def labels(n=32, num_classes=2):
    return (np.arange(n) % num_classes).astype("int32")


def snapshot(model):
    return [np.array(w) for w in model.trainable_weights]


def all_changed(before, after):
    """Every kernel and embedding (every weight of rank >= 2) moved.

    Biases may legitimately stay put: e.g. D's output bias has zero gradient
    under the Wasserstein loss, mean(fake) - mean(real).
    """
    pairs = [(b, a) for b, a in zip(before, after) if b.ndim >= 2]
    assert pairs
    return all(not np.array_equal(b, a) for b, a in pairs)


def assert_finite_history(history, keys=HISTORY_KEYS):
    assert keys <= set(history)
    for key in keys:
        assert all(math.isfinite(v) for v in history[key]), (key, history[key])


def constant_discriminator(c, kernel=None, num_classes=None):
    """D(x) = <kernel, x> + c, a linear D whose input gradient is `kernel`."""
    inputs = keras.Input(SHAPE, name="images")
    logits = keras.layers.Dense(1, name="logits")(keras.layers.Flatten()(inputs))
    d = keras.Model(inputs, logits)
    w = np.zeros((math.prod(SHAPE), 1), "float32") if kernel is None else kernel.reshape(-1, 1)
    d.get_layer("logits").set_weights([w, np.array([c], "float32")])
    return d


def frozen_d_gan(d, loss, **kwargs):
    """A GAN whose D does not move (SGD with learning rate 0)."""
    keras.utils.set_random_seed(0)
    g, _ = tiny_pair("mlp")
    gan = kgan.GAN(g, d, LATENT, loss=loss, seed=0, **kwargs)
    gan.compile(d_optimizer=keras.optimizers.SGD(0.0), g_optimizer="adam")
    return gan


def log_sigmoid(x):
    return -math.log1p(math.exp(-x))


# One tiny fit per loss and per architecture ------------------------------------


@pytest.mark.parametrize("loss", losses.NAMES)
def test_one_tiny_fit_per_loss(loss):
    # WGAN-GP's per-example penalty needs a D without batch norm.
    normalization = "layer" if loss == "wasserstein" else "batch"
    gan = tiny_gan(loss=loss, normalization=normalization)
    g0, d0 = snapshot(gan.generator), snapshot(gan.discriminator)
    history = gan.fit(images(), batch_size=8, epochs=1, verbose=0, shuffle=False).history
    assert all_changed(g0, snapshot(gan.generator))
    assert all_changed(d0, snapshot(gan.discriminator))
    keys = HISTORY_KEYS | ({"gradient_penalty"} if loss == "wasserstein" else set())
    assert_finite_history(history, keys)
    assert set(history) == keys
    assert int(gan.d_optimizer.iterations) == int(gan.g_optimizer.iterations) == 4
    if losses.get(loss).probability_outputs:  # D's outputs are reported as probabilities
        assert 0.0 < history["d_real"][0] < 1.0 and 0.0 < history["d_fake"][0] < 1.0


@pytest.mark.parametrize("arch", ["mlp", "dcgan"])
@pytest.mark.parametrize("num_classes", [None, 3])
def test_one_tiny_fit_per_architecture(arch, num_classes):
    gan = tiny_gan(arch, num_classes)
    g0, d0 = snapshot(gan.generator), snapshot(gan.discriminator)
    x = images(24)
    ds = tf.data.Dataset.from_tensor_slices(x if num_classes is None else (x, labels(24, num_classes)))
    history = gan.fit(ds.batch(8, drop_remainder=True), epochs=2, verbose=0, shuffle=False).history
    assert all_changed(g0, snapshot(gan.generator))
    assert all_changed(d0, snapshot(gan.discriminator))
    assert_finite_history(history)
    assert len(history["d_loss"]) == 2
    assert int(gan.g_optimizer.iterations) == 6


def test_fit_on_numpy_images_and_labels():
    gan = tiny_gan("mlp", num_classes=2)
    history = gan.fit(images(16), labels(16), batch_size=8, epochs=1, verbose=0).history
    assert_finite_history(history)


# The numbers in the history ---------------------------------------------------------

C = 0.7


@pytest.mark.parametrize(
    "loss,d_loss,g_loss,d_out",
    [
        ("minimax", -log_sigmoid(C) - log_sigmoid(-C), log_sigmoid(-C), 1 / (1 + math.exp(-C))),
        ("non_saturating", -log_sigmoid(C) - log_sigmoid(-C), -log_sigmoid(C), 1 / (1 + math.exp(-C))),
        # D(x) = c has zero input gradient, so the gradient penalty is (0 - 1)^2 = 1, weighted 10.
        ("wasserstein", C - C + 10.0 * 1.0, -C, C),
        ("hinge", (1 - C) + (1 + C), -C, C),
        ("least_squares", 0.5 * (C - 1) ** 2 + 0.5 * C**2, 0.5 * (C - 1) ** 2, C),
    ],
)
def test_history_values_with_a_constant_discriminator(loss, d_loss, g_loss, d_out):
    gan = frozen_d_gan(constant_discriminator(C), loss)
    history = gan.fit(images(16), batch_size=8, epochs=1, verbose=0).history
    assert history["d_loss"][0] == pytest.approx(d_loss, rel=1e-5)
    assert history["g_loss"][0] == pytest.approx(g_loss, rel=1e-5)
    assert history["d_real"][0] == pytest.approx(d_out, rel=1e-5)
    assert history["d_fake"][0] == pytest.approx(d_out, rel=1e-5)
    if loss == "wasserstein":
        assert history["gradient_penalty"][0] == pytest.approx(1.0, rel=1e-5)


@pytest.mark.parametrize("loss", ["non_saturating", "least_squares"])
def test_label_smoothing_changes_d_loss_by_the_hand_computed_amount(loss):
    s = 0.2
    gan = frozen_d_gan(constant_discriminator(C), loss, label_smoothing=s)
    history = gan.fit(images(16), batch_size=8, epochs=1, verbose=0).history
    if loss == "non_saturating":
        expected = -((1 - s) * log_sigmoid(C) + s * log_sigmoid(-C)) - log_sigmoid(-C)
    else:
        expected = 0.5 * (C - (1 - s)) ** 2 + 0.5 * C**2
    assert history["d_loss"][0] == pytest.approx(expected, rel=1e-5)


def test_d_real_is_d_of_the_real_batch():
    w = np.random.default_rng(5).normal(0, 0.3, SHAPE).astype("float32")
    gan = frozen_d_gan(constant_discriminator(0.1, kernel=w), "non_saturating")
    x = images(8)
    history = gan.fit(x, batch_size=8, epochs=1, verbose=0, shuffle=False).history
    logits = x.reshape(8, -1) @ w.reshape(-1) + 0.1
    assert history["d_real"][0] == pytest.approx(np.mean(1 / (1 + np.exp(-logits))), rel=1e-5)


def test_penalties_of_a_linear_discriminator_are_tracked_exactly():
    # D(x) = <w, x>: grad_x D = w, so R1 = ||w||^2 and GP = (||w|| - 1)^2.
    w = np.random.default_rng(6).normal(0, 0.2, SHAPE).astype("float32")
    norm2 = float(np.sum(w.astype("float64") ** 2))
    gan = frozen_d_gan(constant_discriminator(0.0, kernel=w), "wasserstein", r1_weight=0.5)
    history = gan.fit(images(16), batch_size=8, epochs=1, verbose=0).history
    assert history["r1_penalty"][0] == pytest.approx(norm2, rel=1e-5)
    assert history["gradient_penalty"][0] == pytest.approx((math.sqrt(norm2) - 1) ** 2, rel=1e-5)


def test_r1_and_label_smoothing_in_a_real_fit():
    gan = tiny_gan(r1_weight=1.0, label_smoothing=0.1)
    d0 = snapshot(gan.discriminator)
    history = gan.fit(images(16), batch_size=8, epochs=1, verbose=0).history
    assert_finite_history(history, HISTORY_KEYS | {"r1_penalty"})
    assert history["r1_penalty"][0] > 0
    assert "gradient_penalty" not in history
    assert all_changed(d0, snapshot(gan.discriminator))


def test_gp_weight_zero_disables_the_penalty():
    gan = tiny_gan(loss="wasserstein", gp_weight=0.0)
    history = gan.fit(images(16), batch_size=8, epochs=1, verbose=0).history
    assert "gradient_penalty" not in history
    assert gan.gp_weight == 0.0 and tiny_gan(loss="hinge").gp_weight == 0.0
    assert tiny_gan(loss="wasserstein").gp_weight == 10.0


def test_d_steps_two_updates_d_twice_per_g_update():
    gan = tiny_gan(d_steps=2)
    history = gan.fit(images(32), batch_size=8, epochs=1, verbose=0).history
    assert int(gan.g_optimizer.iterations) == 4
    assert int(gan.d_optimizer.iterations) == 8
    assert_finite_history(history)


# Conditional GANs -----------------------------------------------------------------


def test_conditional_generate_depends_on_labels():
    gan = tiny_gan(num_classes=3)
    a0 = gan.generate(4, labels=0, seed=1)
    a1 = gan.generate(4, labels=1, seed=1)
    assert np.abs(a0 - a1).max() > 1e-4
    np.testing.assert_array_equal(a0, gan.generate(4, labels=[0, 0, 0, 0], seed=1))
    # Without labels the classes cycle: 0, 1, 2, 0, ...
    cycled = gan.generate(4, seed=1)
    np.testing.assert_array_equal(cycled, gan.generate(4, labels=np.array([0, 1, 2, 0]), seed=1))


def test_conditional_gan_learns_to_follow_the_label():
    # Class 0 is the all -0.8 image, class 1 the all +0.8 one; after ~128
    # steps the generated mean pixel follows the requested label.
    keras.utils.set_random_seed(0)
    g = models.mlp_generator(LATENT, SHAPE, num_classes=2, hidden_units=(32,), embed_dim=4)
    d = models.mlp_discriminator(SHAPE, num_classes=2, hidden_units=(32,), dropout=0.0)
    gan = kgan.GAN(g, d, LATENT, num_classes=2, seed=0)
    opt = lambda: keras.optimizers.Adam(2e-3, beta_1=0.5)  # noqa: E731
    gan.compile(d_optimizer=opt(), g_optimizer=opt())
    y = labels(2048, 2)
    x = np.where(y == 0, -0.8, 0.8).astype("float32")[:, None, None, None] * np.ones(SHAPE, "float32")
    gan.fit(x, y, batch_size=32, epochs=2, verbose=0, shuffle=False)
    mean0 = gan.generate(64, labels=0, seed=1).mean()
    mean1 = gan.generate(64, labels=1, seed=1).mean()
    assert mean0 < -0.5 and mean1 > 0.5, (mean0, mean1)


def test_conditional_gan_requires_labels_in_the_data():
    gan = tiny_gan(num_classes=2)
    with pytest.raises(ValueError, match=r"expects \(images, labels\) batches"):
        gan.fit(images(8), batch_size=8, epochs=1, verbose=0)


# generate ---------------------------------------------------------------------------


def test_generate_shape_dtype_range_and_seed():
    gan = tiny_gan()
    out = gan.generate(5, seed=3)
    assert out.shape == (5, *SHAPE) and out.dtype == np.float32
    assert out.min() >= -1.0 and out.max() <= 1.0
    np.testing.assert_array_equal(out, gan.generate(5, seed=3))
    assert not np.array_equal(out, gan.generate(5, seed=4))
    # Same noise convention as kgan.latent, and inference mode for batch norm.
    z = kgan.latent.sample_latent(5, LATENT, 3)
    np.testing.assert_allclose(out, np.asarray(gan.generator(z, training=False)), atol=1e-6)
    # Chunking does not change the result.
    np.testing.assert_allclose(gan.generate(5, seed=3, batch_size=2), out, atol=1e-6)
    assert gan.generate(0).shape == (0, *SHAPE)
    assert gan.image_shape == SHAPE


def test_generate_label_errors():
    with pytest.raises(ValueError, match="unconditional.*Received: labels=0"):
        tiny_gan().generate(2, labels=0)
    gan = tiny_gan(num_classes=3)
    with pytest.raises(ValueError, match=r"Expected labels in \[0, 3\). Received: labels from 0 to 3"):
        gan.generate(2, labels=[0, 3])
    with pytest.raises(ValueError, match=r"Expected labels in \[0, 3\). Received: labels from -1"):
        gan.generate(2, labels=-1)
    with pytest.raises(ValueError, match=r"Expected `labels` to be an int or 2 integers"):
        gan.generate(2, labels=[0, 1, 2])
    with pytest.raises(ValueError, match=r"Expected `labels` to be an int or 2 integers"):
        gan.generate(2, labels=[0.0, 1.0])


# Generator EMA ----------------------------------------------------------------------


def test_ema_follows_the_documented_update_and_generate_uses_it():
    gan = tiny_gan(ema_decay=0.5)
    assert gan.sampling_generator is gan.ema_generator
    for e, g in zip(gan.ema_generator.weights, gan.generator.weights):
        np.testing.assert_array_equal(np.asarray(e), np.asarray(g))  # starts as a copy of G
    before = [np.array(w) for w in gan.generator.weights]
    gan.fit(images(8), batch_size=8, epochs=1, verbose=0)
    # t = 1 G step: decay = min(0.5, (1 + t) / (10 + t)) = 2/11.
    decay = 2.0 / 11.0
    for e, g, g0 in zip(gan.ema_generator.weights, gan.generator.weights, before):
        if g.trainable:
            expected = decay * g0 + (1 - decay) * np.asarray(g)
            np.testing.assert_allclose(np.asarray(e), expected, rtol=1e-5, atol=1e-7)
            assert not np.allclose(np.asarray(e), np.asarray(g))
        else:  # batch-norm statistics are copied
            np.testing.assert_array_equal(np.asarray(e), np.asarray(g))
    z = kgan.latent.sample_latent(4, LATENT, 0)
    out = gan.generate(4, seed=0)
    np.testing.assert_allclose(out, np.asarray(gan.ema_generator(z, training=False)), atol=1e-6)
    assert not np.allclose(out, np.asarray(gan.generator(z, training=False)), atol=1e-5)
    assert not gan.ema_generator.trainable_weights  # never trained directly


def test_no_ema_samples_from_the_generator():
    gan = tiny_gan()
    assert gan.ema_generator is None and gan.sampling_generator is gan.generator


# Saving -----------------------------------------------------------------------------


def _optimizer_state(opt):
    return [np.array(v) for v in opt.variables]


def test_save_load_round_trip_continues_training(tmp_path):
    gan = tiny_gan(num_classes=2, ema_decay=0.9, loss="least_squares", d_steps=2)
    gan.fit(images(16), labels(16), batch_size=8, epochs=1, verbose=0)
    path = tmp_path / "gan.keras"
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, kgan.GAN)
    assert (loaded.loss_pair.name, loaded.d_steps, loaded.num_classes, loaded.ema_decay) == (
        "least_squares", 2, 2, 0.9
    )
    assert int(loaded.d_optimizer.iterations) == int(gan.d_optimizer.iterations) == 4
    assert int(loaded.g_optimizer.iterations) == int(gan.g_optimizer.iterations) == 2
    for name in ("d_optimizer", "g_optimizer"):
        a, b = _optimizer_state(getattr(gan, name)), _optimizer_state(getattr(loaded, name))
        assert len(a) == len(b) > 1
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)
    for net in ("generator", "discriminator", "ema_generator"):
        for x, y in zip(getattr(gan, net).weights, getattr(loaded, net).weights):
            np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
    np.testing.assert_array_equal(gan.generate(4, seed=0), loaded.generate(4, seed=0))
    # It continues training with both optimizers' state.
    g0 = snapshot(loaded.generator)
    history = loaded.fit(images(16), labels(16), batch_size=8, epochs=1, verbose=0).history
    assert_finite_history(history)
    assert int(loaded.d_optimizer.iterations) == 8 and int(loaded.g_optimizer.iterations) == 4
    assert all_changed(g0, snapshot(loaded.generator))


def test_config_round_trip():
    gan = tiny_gan(loss="hinge", r1_weight=0.25, ema_decay=0.99, seed=7)
    config = gan.get_config()
    clone = kgan.GAN.from_config(config)
    for key in ("latent_dim", "loss", "d_steps", "gp_weight", "r1_weight", "label_smoothing", "num_classes", "ema_decay", "seed"):
        assert clone.get_config()[key] == config[key], key
    assert gan.get_compile_config()["jit_compile"] == "auto"


# Seeding --------------------------------------------------------------------------


def _seeded_run(seed):
    gan = tiny_gan(seed=seed, ema_decay=0.9)
    gan.fit(images(32), batch_size=8, epochs=1, verbose=0, shuffle=False)
    return [np.asarray(w) for w in gan.weights]


def test_same_seed_gives_identical_weights():
    a, b = _seeded_run(0), _seeded_run(0)
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    c = _seeded_run(1)
    assert any(not np.array_equal(x, y) for x, y in zip(a, c))


def test_noise_differs_between_draws():
    gan = tiny_gan()
    z1, z2 = np.asarray(gan.noise(4)), np.asarray(gan.noise(4))
    assert z1.shape == (4, LATENT) and not np.allclose(z1, z2)
    assert abs(z1.std() - 1.0) < 0.6


# Compilation ------------------------------------------------------------------------


def test_compile_defaults():
    gan = tiny_gan()
    assert gan.jit_compile is False  # "auto" on a CPU
    for opt in (gan.d_optimizer, gan.g_optimizer):
        assert isinstance(opt, keras.optimizers.Adam)
        assert float(opt.learning_rate) == pytest.approx(2e-4) and opt.beta_1 == pytest.approx(0.5)
    assert gan.d_optimizer is not gan.g_optimizer


# Errors -------------------------------------------------------------------------------


def test_constructor_errors():
    g, d = tiny_pair()
    cg, cd = tiny_pair(num_classes=2)
    cases = [
        (dict(generator=cg, discriminator=d), "Expected the generator to take 1 input"),
        (dict(generator=g, discriminator=d, num_classes=2), "Expected the generator to take 2 input"),
        (dict(generator=cg, discriminator=d, num_classes=2), "Expected the discriminator to take 2 input"),
        (dict(generator="g", discriminator=d), "Expected `generator` to be a keras.Model"),
        (dict(generator=g, discriminator=d, d_steps=0), "Received: d_steps=0"),
        (dict(generator=g, discriminator=d, d_steps=1.5), "Received: d_steps=1.5"),
        (dict(generator=g, discriminator=d, ema_decay=1.5), "Received: ema_decay=1.5"),
        (dict(generator=g, discriminator=d, ema_decay=0.0), "Received: ema_decay=0.0"),
        (dict(generator=g, discriminator=d, loss="hinge", label_smoothing=0.1), "'hinge' loss has no real/fake targets"),
        (dict(generator=g, discriminator=d, loss="wasserstein", label_smoothing=0.1), "Received: label_smoothing=0.1"),
        (dict(generator=g, discriminator=d, label_smoothing=1.0), r"Expected `label_smoothing` to be a number in \[0, 1\)"),
        (dict(generator=g, discriminator=d, r1_weight=-1.0), "Received: r1_weight=-1.0"),
        (dict(generator=g, discriminator=d, loss="wgan"), "Unknown GAN loss"),
    ]
    for kwargs, match in cases:
        kwargs.setdefault("latent_dim", LATENT)
        with pytest.raises(ValueError, match=match):
            kgan.GAN(**kwargs)
    for latent_dim in (0, -3, 2.0):
        with pytest.raises(ValueError, match="Received: latent_dim="):
            kgan.GAN(g, d, latent_dim)


def test_compile_errors():
    gan = tiny_gan()
    with pytest.raises(ValueError, match="Received: jit_compile='yes'"):
        gan.compile(jit_compile="yes")
