import numpy as np
import pytest

from kgan.callbacks.metrics import MetricsCallback


def tiny_model():
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def fit(model, callbacks, epochs):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 4)), rng.normal(size=(32, 1))
    return model.fit(x, y, epochs=epochs, batch_size=16, verbose=0, callbacks=callbacks)


def test_scores_reach_history_and_later_callbacks_and_best_is_saved(
    make_sampler, digits, projection, tmp_path
):
    import keras

    _, test = digits
    # One generate call per evaluation (n == batch_size): noisy, clean, noisy.
    sampler = make_sampler(noise=[1.0, 0.05, 0.5])
    callback = MetricsCallback(
        test, projection, metrics=("fid", "kid"), n=200, batch_size=200, kid_subsets=5,
        sampler=sampler, monitor="fid", mode="min", filepath=tmp_path / "best.keras",
    )
    # TensorBoard (not installed here) reads `logs` like this later callback.
    seen = []
    later = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: seen.append(logs.get("fid"))
    )
    history = fit(tiny_model(), [callback, later], epochs=3)
    fids = history.history["fid"]
    assert len(fids) == 3 and len(history.history["kid_std"]) == 3
    assert fids[1] < fids[2] < fids[0]
    assert callback.best_epoch == 1 and callback.best == fids[1]
    assert keras.saving.load_model(tmp_path / "best.keras").count_params() == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.keras", "best.keras.best.json"]  # no temp files
    assert seen == fids


def test_every_n_epochs(make_sampler, digits, projection):
    _, test = digits
    sampler = make_sampler()
    callback = MetricsCallback(
        test, projection, metrics=("fid",), n=100, every_n_epochs=2, sampler=sampler
    )
    history = fit(tiny_model(), [callback], epochs=5)
    assert len(history.history["fid"]) == 2  # after epochs 2 and 4
    assert len(history.history["loss"]) == 5
    assert sampler.requested == [100, 100]


def test_rejects_bad_arguments(digits, projection):
    _, test = digits
    with pytest.raises(ValueError, match="Received: mode='lowest'"):
        MetricsCallback(test, projection, monitor="fid", mode="lowest")
    with pytest.raises(ValueError, match="Received: monitor=None"):
        MetricsCallback(test, projection, filepath="best.keras")
    with pytest.raises(ValueError, match="Received: monitor='is'"):
        MetricsCallback(test, projection, metrics=("fid",), monitor="is")


def test_scores_the_gan_being_trained(digits, projection, tmp_path):
    import kgan

    (images, labels), test = digits
    generator = kgan.models.mlp_generator(16, (8, 8, 1), num_classes=10, hidden_units=(32,))
    discriminator = kgan.models.mlp_discriminator((8, 8, 1), num_classes=10, hidden_units=(32,))
    gan = kgan.GAN(generator, discriminator, latent_dim=16, num_classes=10, seed=0)
    gan.compile()
    callback = MetricsCallback(
        test, projection, metrics=("fid", "per_class_fid"), n=100, monitor="fid",
        filepath=tmp_path / "best.keras",
    )
    history = gan.fit(images[:128], labels[:128], batch_size=64, epochs=1, verbose=0,
                      callbacks=[callback])
    assert np.isfinite(history.history["fid"][0])
    assert "per_class_fid_9" in history.history
    assert (tmp_path / "best.keras").is_file()


def test_the_best_score_survives_a_resume(make_sampler, digits, projection, tmp_path):
    # A new callback (as a resumed run makes) must not overwrite a better
    # model with a worse one: the best score is kept beside the model file.
    _, test = digits
    options = dict(metrics=("fid",), n=200, batch_size=200, monitor="fid", filepath=tmp_path / "best.keras")
    first = MetricsCallback(test, projection, sampler=make_sampler(noise=[0.05]), **options)
    fit(tiny_model(), [first], epochs=1)
    saved = (tmp_path / "best.keras").read_bytes()
    resumed = MetricsCallback(test, projection, sampler=make_sampler(noise=[1.0, 0.01]), **options)
    history = fit(tiny_model(), [resumed], epochs=2)
    worse, better = history.history["fid"]
    assert worse > first.best > better
    assert resumed.best == better and resumed.best_epoch == 1
    assert (tmp_path / "best.keras").read_bytes() != saved  # replaced only by the better score
    state = MetricsCallback.read_state(tmp_path / "best.keras")
    assert state == {"monitor": "fid", "mode": "min", "best": better, "best_epoch": 1}


def test_after_a_worse_epoch_the_best_file_is_untouched(make_sampler, digits, projection, tmp_path):
    _, test = digits
    options = dict(metrics=("fid",), n=200, batch_size=200, monitor="fid", filepath=tmp_path / "best.keras")
    fit(tiny_model(), [MetricsCallback(test, projection, sampler=make_sampler(noise=[0.05]), **options)], epochs=1)
    saved = (tmp_path / "best.keras").read_bytes()
    fit(tiny_model(), [MetricsCallback(test, projection, sampler=make_sampler(noise=[1.0]), **options)], epochs=1)
    assert (tmp_path / "best.keras").read_bytes() == saved
