"""CycleGAN and pix2pix under tf.distribute.MirroredStrategy on 2 logical CPUs (in a fresh interpreter).

Checks that training runs, that every replica ends with the same weights and
optimizer state, that each replica keeps its own image pool (its own fakes),
and that a full-state checkpoint stores the first replica's pool.
"""

import os
import textwrap

import pytest
from background import MIRRORED_PREAMBLE
from background import BackgroundScript

SCRIPT = MIRRORED_PREAMBLE + textwrap.dedent(
    r"""
    import os, sys, tempfile

    sys.path.insert(0, sys.argv[1])
    import tiny_cyclegan


    out = {}
    with strategy.scope():
        model = tiny_cyclegan.model(pool_size=6, ema_half_life=None)
    data = tiny_cyclegan.domains(16)
    dataset = tf.data.Dataset.from_tensor_slices((data["a"], data["b"])).batch(8, drop_remainder=True)
    history = model.fit(dataset, epochs=1, verbose=0).history
    trained = [w for name in model.network_names for w in getattr(model, name).trainable_weights]
    optimizer_state = [v for opt in model.optimizers.values() for v in opt.variables]
    pools = per_replica_values(model.pool_a.images)
    out["cyclegan"] = {
        "finite": all(np.isfinite(v).all() for v in history.values()),
        "iterations": [int(opt.iterations.numpy()) for opt in model.optimizers.values()],
        "weights_agree": replicas_agree(trained) and replicas_agree(optimizer_state),
        "pool_replicas": len(pools),
        "pools_differ": not np.array_equal(pools[0], pools[1]),
        "counts": [int(c) for c in per_replica_values(model.pool_a.count)],
    }
    directory = tempfile.mkdtemp()
    checkpoint = tf.train.Checkpoint(**model.checkpoint_parts())
    path = checkpoint.save(os.path.join(directory, "ckpt"))
    with strategy.scope():
        restored = tiny_cyclegan.model(pool_size=6, ema_half_life=None)
    tf.train.Checkpoint(**restored.checkpoint_parts()).restore(path).assert_existing_objects_matched()
    restored_pools = per_replica_values(restored.pool_a.images)
    out["cyclegan"]["restored_first_replica_pool"] = all(np.array_equal(p, pools[0]) for p in restored_pools)

    sys.path.insert(0, sys.argv[2])
    import tiny_pix2pix

    with strategy.scope():
        pix2pix = tiny_pix2pix.model("instance", ema_half_life=20)
    source, target = tiny_pix2pix.pairs(16)
    history = pix2pix.fit(source, target, batch_size=8, epochs=1, verbose=0).history
    out["pix2pix"] = {
        "finite": all(np.isfinite(v).all() for v in history.values()),
        "weights_agree": replicas_agree(pix2pix.generator.trainable_weights + pix2pix.discriminator.trainable_weights
                               + pix2pix.ema_generator.trainable_weights + [pix2pix.seed_generator.state]),
        "iterations": [int(opt.iterations.numpy()) for opt in pix2pix.optimizers.values()],
    }
    print("RESULT " + json.dumps(out))
    """
)


_HERE = os.path.dirname(os.path.abspath(__file__))
# Started by tests/conftest.py when these tests are selected, so that its ~20 s (a second TensorFlow, tracing a
# step per replica) overlap the tests that run before these.
BACKGROUND = BackgroundScript(
    SCRIPT,
    args=[_HERE, os.path.join(os.path.dirname(_HERE), "pix2pix")],
    pythonpath=[os.path.dirname(os.path.dirname(_HERE))],
    timeout=900,
)


@pytest.fixture(scope="module")
def result():
    return BACKGROUND.result()


def test_cyclegan_trains_with_equal_weights_and_a_pool_per_replica(result):
    cyclegan = result["cyclegan"]
    assert cyclegan["finite"] and cyclegan["iterations"] == [2, 2, 2, 2]
    assert cyclegan["weights_agree"]
    # Each replica pooled its own 4 + 4 fakes: two pools, different contents, 6 images each.
    assert cyclegan["pool_replicas"] == 2 and cyclegan["pools_differ"] and cyclegan["counts"] == [6, 6]
    assert cyclegan["restored_first_replica_pool"]


def test_pix2pix_trains_with_equal_weights(result):
    pix2pix = result["pix2pix"]
    assert pix2pix["finite"] and pix2pix["weights_agree"] and pix2pix["iterations"] == [2, 2]
