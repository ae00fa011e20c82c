"""kgan.GAN under tf.distribute.MirroredStrategy on 2 logical CPU devices.

Logical devices must be configured before TensorFlow initializes, which the
pytest process has long done; so the checks run in a fresh interpreter
(`SCRIPT`, started when collection ends: `BACKGROUND`, tests/background.py)
that prints its measurements as JSON, and the tests below assert on them.
"""

import textwrap

import numpy as np
import pytest
from background import MIRRORED_PREAMBLE
from background import BackgroundScript

SCRIPT = MIRRORED_PREAMBLE + textwrap.dedent(
    r"""
    from kgan import compilation
    from kgan import models

    # 1. Two logical CPUs and the strategy over them: MIRRORED_PREAMBLE.
    out = {"replicas": strategy.num_replicas_in_sync}


    # 2. Noise: every replica draws its own.
    with strategy.scope():
        keras.utils.set_random_seed(0)
        g = models.dcgan_generator(8, 8, 1, num_classes=2, base_filters=4, embed_dim=4)
        d = models.dcgan_discriminator(8, 1, num_classes=2, base_filters=4)
        gan = kgan.GAN(g, d, 8, num_classes=2, ema_decay=0.9, r1_weight=0.1, seed=0)
        gan.compile()
        out["jit_compile"] = gan.jit_compile
        out["auto_with_a_gpu_under_strategy"] = compilation.resolve_jit_compile("auto", gpus=1)


    @tf.function
    def draw():
        return strategy.run(lambda: gan.noise(4))


    first = [np.asarray(v) for v in strategy.experimental_local_results(draw())]
    second = [np.asarray(v) for v in strategy.experimental_local_results(draw())]
    out["noise"] = [first[0].tolist(), first[1].tolist(), second[0].tolist()]

    # 3. fit with EMA (and R1, and labels) on the mirrored model.
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (32, 8, 8, 1)).astype("float32")
    y = (np.arange(32) % 2).astype("int32")
    g_before = [np.array(w) for w in gan.generator.trainable_weights]
    d_before = [np.array(w) for w in gan.discriminator.trainable_weights]
    history = gan.fit(
        tf.data.Dataset.from_tensor_slices((x, y)).batch(8, drop_remainder=True), epochs=1, verbose=0
    ).history
    out["fit"] = {
        "history": history,
        "g_iterations": int(gan.g_optimizer.iterations.numpy()),
        "d_iterations": int(gan.d_optimizer.iterations.numpy()),
        "g_changed": all(
            not np.array_equal(a, np.asarray(b)) for a, b in zip(g_before, gan.generator.trainable_weights)
        ),
        "d_changed": all(
            not np.array_equal(a, np.asarray(b))
            for a, b in zip(d_before, gan.discriminator.trainable_weights)
            if a.ndim >= 2
        ),
        "ema_differs": all(
            not np.allclose(np.asarray(e), np.asarray(w))
            for e, w in zip(gan.ema_generator.weights, gan.generator.weights)
            if w.trainable and len(w.shape) >= 2
        ),
        # Trained variables, optimizer state, EMA and the noise seed must
        # agree on every replica after the steps. (Batch-norm moving
        # statistics are per replica in Keras 3: aggregation "none".)
        "replicas_agree": replicas_agree(
            gan.generator.trainable_weights
            + gan.discriminator.trainable_weights
            + [e for e, w in zip(gan.ema_generator.weights, gan.generator.weights) if w.trainable]
            + gan.d_optimizer.variables
            + gan.g_optimizer.variables
            + [gan.seed_generator.state]
        ),
        "sample_shape": list(gan.generate(3, seed=0).shape),
    }

    # 4. Loss scaling by the global batch, computed by hand.
    # G(z) = b (a zero kernel: constant images, independent of z); D(x) = <w, x> + c;
    # Wasserstein loss without penalty; SGD(1) for both nets. One step on a global
    # batch of 8 real images X:
    #   d_loss = <w, b> - <w, mean(X)>     -> grad_w = b - mean(X), so w1 = w0 - (b - mean(X))
    #   g_loss = -<w1, b> - c              -> grad_b = -w1,         so b1 = b0 + w1
    SHAPE, P, LATENT, BATCH = (4, 4, 1), 16, 3, 8
    # Replica 0 gets the first 4 images, replica 1 the last 4: very different means.
    X = np.concatenate([rng.uniform(-1, 0, (4, *SHAPE)), rng.uniform(0, 1, (4, *SHAPE))]).astype("float32")
    w0 = rng.normal(0, 0.5, (P, 1)).astype("float32")
    b0 = rng.normal(0, 0.5, (P,)).astype("float32")


    def linear_gan():
        z = keras.Input((LATENT,), name="z")
        h = keras.layers.Dense(P, name="dense")(z)
        g = keras.Model(z, keras.layers.Reshape(SHAPE)(h))
        g.get_layer("dense").set_weights([np.zeros((LATENT, P), "float32"), b0])
        images = keras.Input(SHAPE, name="images")
        logits = keras.layers.Dense(1, name="logits")(keras.layers.Flatten()(images))
        d = keras.Model(images, logits)
        d.get_layer("logits").set_weights([w0, np.array([0.3], "float32")])
        gan = kgan.GAN(g, d, LATENT, loss="wasserstein", gp_weight=0.0, seed=0)
        gan.compile(d_optimizer=keras.optimizers.SGD(1.0), g_optimizer=keras.optimizers.SGD(1.0))
        return gan


    def one_step(gan):
        ds = tf.data.Dataset.from_tensor_slices(X).batch(BATCH, drop_remainder=True)
        history = gan.fit(ds, epochs=1, verbose=0).history
        return {
            "w": gan.discriminator.get_layer("logits").get_weights()[0].ravel().tolist(),
            "b": gan.generator.get_layer("dense").get_weights()[1].tolist(),
            "d_loss": history["d_loss"][0],
            "g_loss": history["g_loss"][0],
        }


    out["scaling"] = {"X": X.tolist(), "w0": w0.ravel().tolist(), "b0": b0.tolist(), "c": 0.3}
    out["scaling"]["single"] = one_step(linear_gan())
    with strategy.scope():
        mirrored = linear_gan()
    out["scaling"]["mirrored"] = one_step(mirrored)
    # The same step without the division by the number of replicas, to show
    # the test above would catch it.
    kgan.base.AdversarialModel.per_replica = lambda self, loss: loss
    with strategy.scope():
        unscaled = linear_gan()
    out["scaling"]["unscaled"] = one_step(unscaled)
    print("RESULT " + json.dumps(out))
    """
)


BACKGROUND = BackgroundScript(SCRIPT)


@pytest.fixture(scope="module")
def result():
    return BACKGROUND.result()


def test_two_replicas_and_no_xla(result):
    assert result["replicas"] == 2
    assert result["jit_compile"] is False
    # "auto" is off under a strategy even when a GPU is there.
    assert result["auto_with_a_gpu_under_strategy"] is False


def test_noise_differs_per_replica(result):
    replica0, replica1, replica0_next = (np.array(n) for n in result["noise"])
    assert replica0.shape == (4, 8)
    assert not np.allclose(replica0, replica1)
    assert not np.allclose(replica0, replica0_next)  # and per step


def test_fit_with_ema(result):
    fit = result["fit"]
    for key in ("d_loss", "g_loss", "d_real", "d_fake", "r1_penalty"):
        assert np.all(np.isfinite(fit["history"][key])), key
    assert fit["g_iterations"] == 4 and fit["d_iterations"] == 4
    assert fit["g_changed"] and fit["d_changed"] and fit["ema_differs"]
    assert fit["replicas_agree"]
    assert fit["sample_shape"] == [3, 8, 8, 1]


def _expected(scaling):
    X = np.array(scaling["X"], "float64").reshape(8, -1)
    w0, b0, c = np.array(scaling["w0"]), np.array(scaling["b0"]), scaling["c"]
    w1 = w0 - (b0 - X.mean(0))
    b1 = b0 + w1
    d_loss = w0 @ b0 - w0 @ X.mean(0)
    g_loss = -(w1 @ b0) - c
    return w1, b1, d_loss, g_loss


def test_losses_are_scaled_by_the_global_batch(result):
    scaling = result["scaling"]
    w1, b1, d_loss, g_loss = _expected(scaling)
    for run in ("single", "mirrored"):
        np.testing.assert_allclose(scaling[run]["w"], w1, atol=1e-5, err_msg=run)
        np.testing.assert_allclose(scaling[run]["b"], b1, atol=1e-5, err_msg=run)
        assert scaling[run]["d_loss"] == pytest.approx(d_loss, abs=1e-5), run
        assert scaling[run]["g_loss"] == pytest.approx(g_loss, abs=1e-5), run
    np.testing.assert_allclose(scaling["mirrored"]["w"], scaling["single"]["w"], atol=1e-6)


def test_without_the_division_the_update_doubles(result):
    scaling = result["scaling"]
    w0 = np.array(scaling["w0"])
    w1, _, _, _ = _expected(scaling)
    unscaled_step = np.array(scaling["unscaled"]["w"]) - w0
    np.testing.assert_allclose(unscaled_step, 2 * (w1 - w0), atol=1e-5)
    assert not np.allclose(scaling["unscaled"]["w"], w1, atol=1e-3)
