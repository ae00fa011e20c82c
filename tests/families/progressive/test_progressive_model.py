"""`kgan.ProgressiveGAN`: the schedule under fit, fade-in maths, the step's gradient, drift, preview, errors."""

import json
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
import progressive_cases as cases
from harness import fit
from harness import FamilyCase
from kgan.models import progressive_layers as pl


class BatchLog(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.rows = []

    def on_train_batch_end(self, batch, logs=None):
        self.rows.append((float(logs["resolution"]), float(logs["alpha"])))


def _case(model_fn, n, num_classes=None, batch_size=8):
    return FamilyCase("case", model_fn, cases.examples(n, num_classes), batch_size, None)


def test_fit_visits_every_phase_with_the_hand_computed_alpha():
    # S = 8, F = 16, batches of 8: the step at n images shown trains at
    #   n=0: 4x4 | 8: fade 8x8, alpha 0 | 16: alpha 0.5 | 24: 8x8 | 32: fade 16x16, alpha 0 | 40: alpha 0.5 | 48, 56: 16x16
    # Compiled: the level and alpha come from the image count inside the traced step. Without the
    # penalty, whose double backward pass only lengthens the trace (the compiled step with it: the
    # contract's .keras continuation, the CLI run, the MirroredStrategy run).
    gan = cases.model(fade_images=16, stabilize_images=8, run_eagerly=False, gp_weight=0.0)
    log = BatchLog()
    fit(gan, _case(None, 32), epochs=2, callbacks=[log])
    assert log.rows == [(4, 1.0), (8, 0.0), (8, 0.5), (8, 1.0), (16, 0.0), (16, 0.5), (16, 1.0), (16, 1.0)]
    assert int(gan.images_seen.numpy()) == 64
    assert gan.growth() == {
        "resolution": 16, "alpha": 1.0, "phase": "stabilize 16x16", "images_seen": 64,
        "final_resolution": 16, "images_to_full_resolution": 48, "complete": True,
    }


def test_blocks_of_later_resolutions_do_not_change_before_their_phase():
    gan = cases.model(fade_images=8, stabilize_images=10**6)  # 4x4 all along
    names = {"generator": ["g_block_8x8", "g_block_16x16", "to_rgb_8x8", "to_rgb_16x16"],
             "discriminator": ["d_block_8x8", "d_block_16x16", "from_rgb_8x8", "from_rgb_16x16"]}
    trained = {"generator": ["g_stem_4x4", "to_rgb_4x4"], "discriminator": ["from_rgb_4x4", "d_head_4x4"]}

    def weights(net, layer):
        return [np.array(w) for w in getattr(gan, net).get_layer(layer).weights]

    before = {(n, l): weights(n, l) for n in names for l in names[n] + trained[n]}
    fit(gan, _case(None, 24), epochs=1)
    for net in names:
        for layer in names[net]:  # zero gradients and Adam's beta_1 = 0: exactly unchanged
            for a, b in zip(before[net, layer], weights(net, layer)):
                np.testing.assert_array_equal(a, b, err_msg=layer)
        for layer in trained[net]:
            assert any(not np.array_equal(a, b) for a, b in zip(before[net, layer], weights(net, layer))), layer


def _block_mean(x, factor):
    n, h, w, c = x.shape
    return x.reshape(n, h // factor, factor, w // factor, factor, c).mean(axis=(2, 4))


def test_reals_are_downsampled_and_faded_like_the_paper():
    gan = cases.model()
    real = np.random.default_rng(0).uniform(-1, 1, (2, 16, 16, 1)).astype("float32")
    np.testing.assert_allclose(gan.reals_at(real, 0, 1.0), _block_mean(real, 4), atol=1e-6)
    x8 = _block_mean(real, 2)
    low = np.repeat(np.repeat(_block_mean(x8, 2), 2, axis=1), 2, axis=2)
    np.testing.assert_allclose(gan.reals_at(real, 1, 0.25), low + 0.25 * (x8 - low), atol=1e-6)
    np.testing.assert_allclose(gan.reals_at(real, 2, 1.0), real, atol=1e-6)


def test_generator_fade_blends_the_upsampled_previous_level():
    g, _ = cases.networks(3)
    z = kgan.latent.sample_latent(4, cases.LATENT, seed=0)
    labels = np.array([0, 1, 2, 0], "int32")
    outputs = [np.asarray(o) for o in g([z, labels])]  # every level's to_rgb, stable
    levels = kgan.models.GeneratorLevels(g)
    up = np.repeat(np.repeat(outputs[1], 2, axis=1), 2, axis=2)
    np.testing.assert_allclose(levels([z, labels], 2, 0.3), 0.7 * up + 0.3 * outputs[2], atol=1e-5)
    np.testing.assert_allclose(levels([z, labels], 1, 1.0), outputs[1], atol=1e-6)
    exported = levels.network(2, 0.3)
    np.testing.assert_allclose(exported([z, labels]), np.clip(0.7 * up + 0.3 * outputs[2], -1, 1), atol=1e-5)
    assert exported.output.shape[1:] == (16, 16, 1)


def test_discriminator_fade_blends_from_rgb_of_the_downsampled_images():
    _, d = cases.networks()
    levels = kgan.models.DiscriminatorLevels(d)
    images = np.random.default_rng(0).uniform(-1, 1, (4, 8, 8, 1)).astype("float32")
    from_rgb_4, from_rgb_8 = d.get_layer("from_rgb_4x4"), d.get_layer("from_rgb_8x8")
    block, stddev, head = d.get_layer("d_block_8x8"), d.get_layer("minibatch_stddev"), d.get_layer("d_head_4x4")
    h = 0.6 * from_rgb_4(pl.downsample(images)) + 0.4 * block(from_rgb_8(images))
    np.testing.assert_allclose(levels(images, None, 1, 0.4), head(stddev(h)), atol=1e-5)
    # Stable levels are the container's own outputs.
    container = d([pl.downsample(images), tf.constant(images), tf.zeros((4, 16, 16, 1))])
    np.testing.assert_allclose(levels(images, None, 1, 1.0), container[1], atol=1e-6)


def test_the_step_applies_exactly_the_current_levels_gradient():
    """A compiled D phase with SGD(1) moves D by minus its gradient at the current level (and alpha).

    One trace of the phase (a switch over both levels of an 8 px model) serves
    two calls: fading in 8x8 at alpha 0.25, where every D layer has a gradient,
    then at 4x4, where the 8x8 block and its from_rgb get none and must stay
    exactly as they are.
    """
    gan = cases.model(3, fade_images=16, stabilize_images=8, compile=False, size=8)
    gan.compile(d_optimizer=keras.optimizers.SGD(1.0), g_optimizer=keras.optimizers.SGD(1.0))
    phase = tf.function(gan.discriminator_phase)
    x, y = cases.examples(8, 3, size=8)
    variables = gan.discriminator.trainable_variables
    for images_seen, level, alpha in ((12, 1, 0.25), (0, 0, 1.0)):
        gan.images_seen.assign(images_seen)
        assert gan.position() == (level, alpha)
        batch = {"images": tf.constant(x), "labels": tf.constant(y), "level": tf.constant(level), "alpha": tf.constant(alpha)}
        seed_state = np.array(gan.seed_generator.state)
        with tf.GradientTape() as tape:
            z, mix = gan.noise(8), gan.uniform(tf.constant([8, 1, 1, 1]))
            loss, _ = gan._critic_terms(level, batch["images"], batch["labels"], z, mix, alpha)
        grads = tape.gradient(loss, variables)
        before = [np.array(v) for v in variables]
        expected = [b - (0.0 if g is None else np.asarray(tf.convert_to_tensor(g))) for b, g in zip(before, grads)]
        gan.seed_generator.state.assign(seed_state)
        phase(batch)
        for v, e in zip(variables, expected):
            np.testing.assert_allclose(np.asarray(v), e, atol=2e-5, err_msg=f"{v.path} at level {level}")
        unused = [(v, b) for v, b, g in zip(variables, before, grads) if g is None]
        new_level = [gan.discriminator.get_layer(name).trainable_variables for name in ("from_rgb_8x8", "d_block_8x8")]
        assert {id(v) for v, _ in unused} == ({id(v) for vs in new_level for v in vs} if level == 0 else set())
        for v, b in unused:
            np.testing.assert_array_equal(np.asarray(v), b, err_msg=f"{v.path} at level {level}")


def test_drift_term_adds_epsilon_times_the_mean_squared_real_score():
    gan = cases.model(3, gp_weight=0.0, drift_weight=0.001)
    x, y = cases.examples(8, 3)
    z, mix = gan.noise(8), gan.uniform(tf.constant([8, 1, 1, 1]))
    loss, terms = gan._critic_terms(1, tf.constant(x), tf.constant(y), z, mix, 0.5)
    real = gan.reals_at(x, 1, 0.5)
    scores = np.asarray(kgan.models.DiscriminatorLevels(gan.discriminator)(real, y, 1, 0.5, training=True))
    assert float(terms["drift"]) == pytest.approx(float(np.mean(scores**2)), rel=1e-5)
    assert float(terms["d_real"]) == pytest.approx(float(scores.mean()), rel=1e-5, abs=1e-7)
    assert float(loss) == pytest.approx(float(terms["d_fake"] - terms["d_real"] + 0.001 * terms["drift"]), rel=1e-5, abs=1e-7)
    gan_no_drift = cases.model(3, gp_weight=0.0, drift_weight=0.0)
    assert "drift" not in gan_no_drift.metric_names()


def test_preview_shows_the_current_resolution_upscaled():
    gan = cases.model(3)
    inputs = gan.preview_inputs(0, per_class=4)
    grid = gan.preview(inputs, scale=2)  # 4x4 samples shown as 16x16 tiles, doubled
    assert grid.shape == (3 * 33 + 1, 4 * 33 + 1, 1)
    tile = grid[1:33, 1:33, 0]
    assert (tile.reshape(4, 8, 4, 8) == tile[::8, ::8][:, None, :, None]).all()  # 8x8 blocks of one value


def test_components_can_be_switched_off():
    gan = cases.model(pixel_norm=False, minibatch_stddev=False, equalized=False, gp_weight=0.0, drift_weight=0.0, ema_half_life=None)
    layers = [l for n in ("generator", "discriminator") for l in getattr(gan, n)._flatten_layers(include_self=False)]
    assert not any(isinstance(l, (pl.PixelNormalization, pl.MinibatchStdDev)) for l in layers)
    assert all(not l.equalized for l in layers if isinstance(l, (pl.EqualizedDense, pl.EqualizedConv2D)))
    assert gan.metric_names() == ["d_loss", "g_loss", "d_real", "d_fake"] and gan.ema_names == ()
    history = fit(gan, _case(None, 24), epochs=1)
    assert all(math.isfinite(v) for values in history.values() for v in values)


def test_compile_defaults_to_the_papers_adam():
    gan = cases.model(compile=False)
    gan.compile()
    for optimizer in (gan.d_optimizer, gan.g_optimizer):
        assert isinstance(optimizer, keras.optimizers.Adam)
        config = optimizer.get_config()
        assert (config["learning_rate"], config["beta_1"], config["beta_2"], config["epsilon"]) == (
            pytest.approx(1e-3), 0.0, pytest.approx(0.99), pytest.approx(1e-8)
        )
    assert gan.d_optimizer is not gan.g_optimizer


def test_bad_inputs_are_refused():
    gan = cases.model()
    with pytest.raises(ValueError, match=r"Expected real images of shape \(batch, 16, 16, 1\).*Received: \(8, 8, 8, 1\)"):
        gan.fit(np.zeros((8, 8, 8, 1), "float32"), batch_size=8, verbose=0)
    g, _ = cases.networks(size=16)
    _, d8 = cases.networks(size=8)
    with pytest.raises(ValueError, match="same resolutions"):
        kgan.ProgressiveGAN(g, d8)
    _, d3 = cases.networks(3)
    with pytest.raises(ValueError, match="same classes"):
        kgan.ProgressiveGAN(g, d3)
    dcgan = kgan.models.dcgan_generator(8, 16, 1, base_filters=4)
    with pytest.raises(ValueError, match="built by kgan.models.progressive_generator"):
        kgan.ProgressiveGAN(dcgan, d3)
    conditional = cases.model(3)
    with pytest.raises(ValueError, match="expects \\(images, labels\\) batches"):
        conditional.fit(np.zeros((8, 16, 16, 1), "float32"), batch_size=8, verbose=0)


def test_mixed_float16_fit(monkeypatch):
    keras.config.set_dtype_policy("mixed_float16")
    try:
        # S = 8, F = 16 and batches of 16: the steps see 0 (4x4), 16 (fade in 8x8, alpha 1/2),
        # 32 (fade in 16x16, alpha 0) images, so float16 runs through every level and both fades.
        gan = cases.model(2, fade_images=16, stabilize_images=8)
        assert gan.generator.get_layer("g_block_8x8").get_layer("conv0").compute_dtype == "float16"
        assert isinstance(gan.d_optimizer, keras.optimizers.LossScaleOptimizer)
        history = fit(gan, _case(None, 48, 2, batch_size=16), epochs=1)
        assert history["resolution"] == [16.0] and gan.position() == (2, 1.0)
        assert all(math.isfinite(v) for values in history.values() for v in values)
        images = gan.generate(3, seed=0)
        assert images.dtype == np.float32 and images.shape == (3, 16, 16, 1) and np.abs(images).max() <= 1.0
    finally:
        keras.config.set_dtype_policy("float32")


def test_config_round_trip():
    gan = cases.model(3, fade_images=5, stabilize_images=7, gp_weight=5.0, drift_weight=0.01)
    config = json.loads(json.dumps(keras.saving.serialize_keras_object(gan)))
    copy = keras.saving.deserialize_keras_object(config)
    assert (copy.schedule, copy.gp_weight, copy.drift_weight, copy.num_classes, copy.latent_dim) == (
        gan.schedule, 5.0, 0.01, 3, cases.LATENT
    )
