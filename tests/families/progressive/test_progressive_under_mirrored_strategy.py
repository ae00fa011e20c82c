"""`kgan.ProgressiveGAN` under MirroredStrategy on 2 logical CPUs (in a fresh interpreter, as tests/test_distribute.py).

An 8 px (4 -> 8) model: the 4 -> 8 -> 16 schedule under fit is
test_progressive_model.py::test_fit_visits_every_phase_with_the_hand_computed_alpha.
The interpreter spends ~15 s importing TensorFlow and tracing the replicated
step, mostly on one core; tests/conftest.py starts it as soon as collection ends
(`BACKGROUND`, tests/background.py), so it runs beside the folder's other tests, and
this file's name sorts it last, so its tests usually find the result ready.
"""

import textwrap

import numpy as np
import pytest
from background import MIRRORED_PREAMBLE
from background import BackgroundScript

SCRIPT = MIRRORED_PREAMBLE + textwrap.dedent(
    r"""
    with strategy.scope():
        keras.utils.set_random_seed(0)
        g = kgan.models.progressive_generator(8, 8, 1, 2, max_filters=8, filter_base=64, embed_dim=4)
        d = kgan.models.progressive_discriminator(8, 1, 2, max_filters=8, filter_base=64)
        gan = kgan.ProgressiveGAN(g, d, fade_images=16, stabilize_images=8, ema_half_life=100, seed=0)
        gan.compile()

    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (32, 8, 8, 1)).astype("float32")
    y = (np.arange(32) % 2).astype("int32")
    before = [np.array(w) for w in gan.generator.trainable_weights + gan.discriminator.trainable_weights]
    rows = []
    log = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: rows.append([float(logs["resolution"]), float(logs["alpha"])])
    )
    # Global batches of 8 (4 per replica): 4 steps, 8 images each.
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(8, drop_remainder=True)
    history = gan.fit(dataset, epochs=1, verbose=0, callbacks=[log]).history
    weights = gan.generator.trainable_weights + gan.discriminator.trainable_weights
    out = {
        "replicas": strategy.num_replicas_in_sync,
        "jit_compile": gan.jit_compile,
        "history": history,
        "rows": rows,
        "images_seen": per_replica_values(gan.images_seen)[0].tolist(),
        "images_seen_agree": len({int(v) for v in per_replica_values(gan.images_seen)}) == 1,
        "growth": gan.growth(),
        "iterations": [int(gan.d_optimizer.iterations.numpy()), int(gan.g_optimizer.iterations.numpy())],
        "changed": sum(not np.array_equal(a, np.asarray(b)) for a, b in zip(before, weights)),
        "replicas_agree": replicas_agree(
            weights + gan.ema_generator.trainable_weights + gan.d_optimizer.variables + gan.g_optimizer.variables
        ),
        "sample_shape": list(gan.generate(3, seed=0).shape),
    }
    print("RESULT " + json.dumps(out))
    """
)


BACKGROUND = BackgroundScript(SCRIPT)


@pytest.fixture(scope="module")
def result():
    return BACKGROUND.result()


def test_fit_under_mirrored_strategy_counts_the_global_batch(result):
    assert result["replicas"] == 2 and result["jit_compile"] is False
    # Each step counts its global batch of 8 once (not once per replica):
    # steps at 0, 8, 16, 24 images -> 4x4, fade 8x8 (alpha 0, 0.5), 8x8.
    assert result["rows"] == [[4.0, 1.0], [8.0, 0.0], [8.0, 0.5], [8.0, 1.0]]
    assert result["images_seen"] == 32 and result["images_seen_agree"]
    assert result["growth"]["resolution"] == 8 and result["growth"]["alpha"] == 1.0 and result["growth"]["complete"]
    assert result["iterations"] == [4, 4]


def test_replicas_agree_and_train(result):
    assert result["replicas_agree"]
    assert result["changed"] > 0
    for key, values in result["history"].items():
        assert np.all(np.isfinite(values)), key
    assert result["sample_shape"] == [3, 8, 8, 1]
