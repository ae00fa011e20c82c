"""kgan.losses against values computed by hand with numpy."""

import numpy as np
import pytest
import tensorflow as tf

from kgan import losses

REAL = np.array([2.0, -1.0, 0.5, 0.0], "float32")
FAKE = np.array([-3.0, 0.0, 1.5, -0.25], "float32")


def log_sigmoid(x):
    # log(1 / (1 + exp(-x))), written out.
    return -np.log1p(np.exp(-np.asarray(x, "float64")))


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, "float64")))


def value(x):
    return float(np.asarray(x))


# Log-loss GANs --------------------------------------------------------------


def test_log_sigmoid_helper_is_log_of_sigmoid():
    np.testing.assert_allclose(log_sigmoid(REAL), np.log(sigmoid(REAL)), rtol=1e-12)


def test_minimax_discriminator_loss():
    expected = -np.mean(np.log(sigmoid(REAL))) - np.mean(np.log(1.0 - sigmoid(FAKE)))
    assert value(losses.minimax_discriminator_loss(REAL, FAKE)) == pytest.approx(expected, rel=1e-6)


def test_minimax_discriminator_loss_at_zero_logits_is_two_log_two():
    zeros = np.zeros(5, "float32")
    assert value(losses.minimax_discriminator_loss(zeros, zeros)) == pytest.approx(2 * np.log(2), rel=1e-6)


def test_minimax_discriminator_loss_one_sided_label_smoothing():
    s = 0.1
    real_term = -np.mean((1 - s) * np.log(sigmoid(REAL)) + s * np.log(1 - sigmoid(REAL)))
    fake_term = -np.mean(np.log(1 - sigmoid(FAKE)))  # fake targets stay 0
    got = value(losses.minimax_discriminator_loss(REAL, FAKE, label_smoothing=s))
    assert got == pytest.approx(real_term + fake_term, rel=1e-6)
    assert got != pytest.approx(value(losses.minimax_discriminator_loss(REAL, FAKE)))


def test_label_smoothing_leaves_fake_term_alone():
    # With real logits fixed, smoothing changes the loss by the same amount
    # whatever the fake logits are: only the real term is smoothed.
    a = value(losses.minimax_discriminator_loss(REAL, FAKE, 0.2)) - value(
        losses.minimax_discriminator_loss(REAL, FAKE)
    )
    b = value(losses.minimax_discriminator_loss(REAL, FAKE + 3.0, 0.2)) - value(
        losses.minimax_discriminator_loss(REAL, FAKE + 3.0)
    )
    assert a == pytest.approx(b, abs=1e-6)


def test_minimax_generator_loss():
    expected = np.mean(np.log(1.0 - sigmoid(FAKE)))
    assert value(losses.minimax_generator_loss(FAKE)) == pytest.approx(expected, rel=1e-6)


def test_non_saturating_generator_loss():
    expected = -np.mean(np.log(sigmoid(FAKE)))
    assert value(losses.non_saturating_generator_loss(FAKE)) == pytest.approx(expected, rel=1e-6)


def test_log_losses_are_stable_for_large_logits():
    big = np.array([100.0, 80.0], "float32")
    assert value(losses.minimax_discriminator_loss(big, -big)) == pytest.approx(0.0, abs=1e-6)
    # log D(G(z)) with D(G(z)) ~ exp(-100): -log D = 100, no inf.
    assert value(losses.non_saturating_generator_loss(-big)) == pytest.approx(90.0, rel=1e-5)
    assert value(losses.minimax_generator_loss(big)) == pytest.approx(-90.0, rel=1e-5)


def test_minimax_generator_saturates_where_non_saturating_does_not():
    # The reason for the non-saturating form: when D confidently rejects the
    # fakes (logit -> -inf) the minimax gradient vanishes.
    logits = tf.constant([-8.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(logits)
        mm = losses.minimax_generator_loss(logits)
        ns = losses.non_saturating_generator_loss(logits)
    g_mm = value(tape.gradient(mm, logits)[0])
    g_ns = value(tape.gradient(ns, logits)[0])
    # d/dl log(1 - sigmoid(l)) = -sigmoid(l); d/dl -log sigmoid(l) = -(1 - sigmoid(l))
    assert g_mm == pytest.approx(-sigmoid(-8.0), rel=1e-4)
    assert g_ns == pytest.approx(-(1.0 - sigmoid(-8.0)), rel=1e-4)
    assert abs(g_ns) > 1000 * abs(g_mm)


def test_logit_shapes_batch_by_one_and_flat_agree():
    col = losses.minimax_discriminator_loss(REAL[:, None], FAKE[:, None])
    flat = losses.minimax_discriminator_loss(REAL, FAKE)
    assert value(col) == pytest.approx(value(flat), rel=1e-7)


def test_float16_logits_give_float32_loss():
    loss = losses.minimax_discriminator_loss(tf.constant(REAL, tf.float16), tf.constant(FAKE, tf.float16))
    assert loss.dtype == tf.float32


# Wasserstein, hinge, least squares -----------------------------------------


def test_wasserstein_losses():
    assert value(losses.wasserstein_discriminator_loss(REAL, FAKE)) == pytest.approx(
        FAKE.mean() - REAL.mean(), rel=1e-6
    )
    assert value(losses.wasserstein_generator_loss(FAKE)) == pytest.approx(-FAKE.mean(), rel=1e-6)


def test_hinge_losses():
    expected = np.mean(np.maximum(0.0, 1.0 - REAL)) + np.mean(np.maximum(0.0, 1.0 + FAKE))
    # by hand: relu(1 - [2, -1, .5, 0]) = [0, 2, .5, 1] -> .875;
    #          relu(1 + [-3, 0, 1.5, -.25]) = [0, 1, 2.5, .75] -> 1.0625
    assert expected == pytest.approx(0.875 + 1.0625)
    assert value(losses.hinge_discriminator_loss(REAL, FAKE)) == pytest.approx(expected, rel=1e-6)
    assert value(losses.hinge_generator_loss(FAKE)) == pytest.approx(-FAKE.mean(), rel=1e-6)


def test_least_squares_losses():
    expected = 0.5 * np.mean((REAL - 1.0) ** 2) + 0.5 * np.mean(FAKE**2)
    assert value(losses.least_squares_discriminator_loss(REAL, FAKE)) == pytest.approx(expected, rel=1e-6)
    smoothed = 0.5 * np.mean((REAL - 0.9) ** 2) + 0.5 * np.mean(FAKE**2)
    got = losses.least_squares_discriminator_loss(REAL, FAKE, label_smoothing=0.1)
    assert value(got) == pytest.approx(smoothed, rel=1e-6)
    assert value(losses.least_squares_generator_loss(FAKE)) == pytest.approx(
        0.5 * np.mean((FAKE - 1.0) ** 2), rel=1e-6
    )


# Penalties -------------------------------------------------------------------

W = np.random.default_rng(0).normal(size=(1, 4, 4, 2)).astype("float32")


def linear_critic(images, training=True):
    """D(x) = sum(w * x): its input gradient is w for every x."""
    return tf.reduce_sum(images * W, axis=[1, 2, 3])[:, None]


def quadratic_critic(images, training=True):
    """D(x) = 0.5 * ||x||^2: its input gradient is x itself."""
    return 0.5 * tf.reduce_sum(tf.square(images), axis=[1, 2, 3])


def _batch(seed, n=3):
    return np.random.default_rng(seed).normal(size=(n, 4, 4, 2)).astype("float32")


def test_gradient_penalty_of_linear_critic():
    real, fake = _batch(1), _batch(2)
    alpha = np.array([0.0, 0.3, 1.0], "float32").reshape(3, 1, 1, 1)
    expected = (np.linalg.norm(W) - 1.0) ** 2
    got = losses.gradient_penalty(linear_critic, real, fake, alpha)
    assert value(got) == pytest.approx(expected, rel=1e-5)


def test_gradient_penalty_is_zero_for_unit_norm_gradient():
    w_unit = W / np.linalg.norm(W)
    critic = lambda x, training=True: tf.reduce_sum(x * w_unit, axis=[1, 2, 3])  # noqa: E731
    assert value(losses.gradient_penalty(critic, _batch(1), _batch(2), 0.5)) == pytest.approx(0.0, abs=1e-6)


def test_gradient_penalty_interpolates_with_one_alpha_per_example():
    real, fake = _batch(1), _batch(2)
    alpha = np.array([0.0, 0.3, 1.0], "float32").reshape(3, 1, 1, 1)
    x_hat = alpha * real + (1 - alpha) * fake
    norms = np.linalg.norm(x_hat.reshape(3, -1), axis=1)
    expected = np.mean((norms - 1.0) ** 2)
    got = losses.gradient_penalty(quadratic_critic, real, fake, alpha)
    assert value(got) == pytest.approx(expected, rel=1e-5)
    # alpha = 1 is the real image, alpha = 0 the fake one.
    ends = losses.gradient_penalty(quadratic_critic, real[:1], fake[:1], np.ones((1, 1, 1, 1), "float32"))
    assert value(ends) == pytest.approx((np.linalg.norm(real[0]) - 1) ** 2, rel=1e-5)


def test_gradient_penalty_passes_labels_to_a_conditional_critic():
    w = np.stack([W[0], 3.0 * W[0]])  # class 1's gradient is 3x class 0's

    def critic(inputs, training=True):
        images, labels = inputs
        return tf.reduce_sum(images * tf.gather(w, labels), axis=[1, 2, 3])

    labels = np.array([0, 1, 1], "int32")
    n = np.linalg.norm(W)
    expected = np.mean([(n - 1) ** 2, (3 * n - 1) ** 2, (3 * n - 1) ** 2])
    got = losses.gradient_penalty(critic, _batch(1), _batch(2), 0.5, labels=labels)
    assert value(got) == pytest.approx(expected, rel=1e-5)


def test_r1_penalty_of_linear_critic_is_squared_weight_norm():
    got = losses.r1_penalty(linear_critic, _batch(3))
    assert value(got) == pytest.approx(float(np.sum(W.astype("float64") ** 2)), rel=1e-5)


def test_r1_penalty_of_quadratic_critic_is_mean_squared_input_norm():
    real = _batch(4)
    expected = np.mean(np.sum(real.reshape(3, -1).astype("float64") ** 2, axis=1))
    assert value(losses.r1_penalty(quadratic_critic, real)) == pytest.approx(expected, rel=1e-5)


def test_penalties_are_differentiable_wrt_critic_weights():
    # The penalty must feed gradients back into D's weights (double backprop).
    w = tf.Variable(W)
    critic = lambda x, training=True: tf.reduce_sum(x * w, axis=[1, 2, 3])  # noqa: E731
    with tf.GradientTape() as tape:
        r1 = losses.r1_penalty(critic, _batch(3))
    # d/dw ||w||^2 = 2w
    np.testing.assert_allclose(tape.gradient(r1, w).numpy(), 2 * W, rtol=1e-5)
    with tf.GradientTape() as tape:
        gp = losses.gradient_penalty(critic, _batch(1), _batch(2), 0.5)
    # d/dw (||w|| - 1)^2 = 2 (||w|| - 1) w / ||w||
    n = np.linalg.norm(W)
    np.testing.assert_allclose(tape.gradient(gp, w).numpy(), 2 * (n - 1) * W / n, rtol=1e-4)


# The registry ------------------------------------------------------------------


def test_names_and_pairs():
    assert set(losses.NAMES) == {"minimax", "non_saturating", "wasserstein", "hinge", "least_squares"}
    assert losses.get("minimax").generator is losses.minimax_generator_loss
    assert losses.get("non_saturating").generator is losses.non_saturating_generator_loss
    assert losses.get("non_saturating").discriminator is losses.minimax_discriminator_loss
    assert losses.get("wasserstein").discriminator is losses.wasserstein_discriminator_loss
    assert losses.get("hinge").discriminator is losses.hinge_discriminator_loss
    assert losses.get("least_squares").generator is losses.least_squares_generator_loss
    for name in losses.NAMES:
        assert losses.get(name).name == name


def test_flags():
    assert losses.get("minimax").probability_outputs
    assert losses.get("non_saturating").probability_outputs
    assert not losses.get("wasserstein").probability_outputs
    assert not losses.get("hinge").supports_label_smoothing
    assert not losses.get("wasserstein").supports_label_smoothing
    assert losses.get("least_squares").supports_label_smoothing


def test_get_passes_a_ganloss_through():
    custom = losses.GANLoss("custom", losses.hinge_generator_loss, losses.hinge_discriminator_loss, False, False)
    assert losses.get(custom) is custom


@pytest.mark.parametrize("bad", ["wgan", "", None, 3, "Minimax"])
def test_get_unknown_raises(bad):
    with pytest.raises(ValueError, match=r"Unknown GAN loss.*Expected one of.*Received: loss="):
        losses.get(bad)


# Custom loss pairs save and load ------------------------------------------------


CUSTOM_LOSS_SCRIPT = r"""
import json, sys
import keras, numpy as np, tensorflow as tf
import kgan

@keras.saving.register_keras_serializable(package="user")
def softplus_d(real_logits, fake_logits):
    return tf.reduce_mean(tf.nn.softplus(-real_logits)) + tf.reduce_mean(tf.nn.softplus(fake_logits))

@keras.saving.register_keras_serializable(package="user")
def softplus_g(fake_logits):
    return tf.reduce_mean(tf.nn.softplus(-fake_logits))

loss = kgan.losses.GANLoss("softplus", softplus_g, softplus_d, True, False)
path = sys.argv[1]
if sys.argv[2] == "save":
    keras.utils.set_random_seed(0)
    g = kgan.models.mlp_generator(4, (4, 4, 1), hidden_units=(8,))
    d = kgan.models.mlp_discriminator((4, 4, 1), hidden_units=(8,))
    gan = kgan.GAN(g, d, 4, loss=loss)
    gan.compile()
    gan.fit(np.zeros((8, 4, 4, 1), "float32"), batch_size=4, epochs=1, verbose=0)
    gan.save(path)
else:
    gan = keras.models.load_model(path)
    print("RESULT " + json.dumps([gan.loss_pair.name, gan.loss_pair.generator is softplus_g]))
"""


def test_a_custom_registered_loss_saves_and_loads_in_a_fresh_process(tmp_path):
    import json
    import os
    import subprocess
    import sys

    script = tmp_path / "custom_loss.py"
    script.write_text(CUSTOM_LOSS_SCRIPT)
    path = str(tmp_path / "custom.keras")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    for mode in ("save", "load"):
        proc = subprocess.run([sys.executable, str(script), path, mode], capture_output=True, text=True, env=env, timeout=180)
        assert proc.returncode == 0, proc.stderr[-3000:]
    result = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")][-1]
    assert json.loads(result[len("RESULT "):]) == ["softplus", True]


def test_an_unregistered_custom_loss_refuses_to_save(tmp_path):
    import keras

    import kgan
    from tiny_models import dcgan_pair

    loss = kgan.losses.GANLoss("mine", lambda f: -tf.reduce_mean(f), lambda r, f: tf.reduce_mean(f - r), False, False)
    g, d = dcgan_pair()
    gan = kgan.GAN(g, d, 8, loss=loss)
    with pytest.raises(ValueError, match="to be registered with @keras.saving.register_keras_serializable"):
        gan.save(tmp_path / "x.keras")
    assert kgan.losses.serialize(kgan.losses.get("hinge")) == "hinge"
