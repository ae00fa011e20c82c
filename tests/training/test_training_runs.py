"""kgan.training.runs: loading a model or a sampler from a run directory or a .keras file."""

import os
import shutil

import numpy as np
import pytest

import kgan
from kgan import latent
from kgan.training import loading
from kgan.training import runs
from kgan import training


def flat_config(**values):
    """A TrainConfig from flat settings (family settings beside the run's)."""
    return training.TrainConfig.from_dict(values)


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory, digits_npz):
    """A finished 2-epoch conditional dcgan_tiny run: `(gan, run_dir)`."""
    config = flat_config(
        dataset=digits_npz, preset="dcgan_tiny", image_size=8, epochs=2, batch_size=64,
        export=False, run_dir=str(tmp_path_factory.mktemp("runs") / "run"),
    )
    return training.train(config, verbose=0)


def assert_same_gan(loaded, trained):
    assert isinstance(loaded, kgan.GAN)
    assert (loaded.latent_dim, loaded.num_classes, loaded.image_shape) == (16, 10, (8, 8, 1))
    for name in ("generator", "discriminator", "ema_generator"):
        for a, b in zip(getattr(loaded, name).weights, getattr(trained, name).weights, strict=True):
            np.testing.assert_array_equal(np.array(a), np.array(b), err_msg=f"{name} {a.path}")
    for name in ("d_optimizer", "g_optimizer"):
        for a, b in zip(getattr(loaded, name).variables, getattr(trained, name).variables, strict=True):
            np.testing.assert_array_equal(np.array(a), np.array(b), err_msg=f"{name} {a.path}")
    assert int(loaded.g_optimizer.iterations.numpy()) == 4  # 2 epochs of 128 // 64 = 2 steps
    np.testing.assert_array_equal(loaded.generate(4, seed=1), trained.generate(4, seed=1))


def test_run_dir_layout(finished_run):
    _, run_dir = finished_run
    assert sorted(os.listdir(run_dir)) == ["checkpoints", "config.json", "history.csv", "model.keras", "samples", "tensorboard"]
    assert runs.is_run_dir(run_dir)
    assert runs.read_config(run_dir)["model"]["num_classes"] == 10


def test_load_model_from_run_dir(finished_run):
    trained, run_dir = finished_run
    assert_same_gan(loading.load_model(run_dir), trained)


def test_load_model_from_keras_file(finished_run):
    trained, run_dir = finished_run
    assert_same_gan(loading.load_model(os.path.join(run_dir, runs.MODEL)), trained)


def test_load_model_from_unfinished_run_uses_the_checkpoint(finished_run, tmp_path):
    trained, run_dir = finished_run
    unfinished = str(tmp_path / "unfinished")
    shutil.copytree(run_dir, unfinished)
    os.remove(os.path.join(unfinished, runs.MODEL))
    assert_same_gan(loading.load_model(unfinished), trained)


def test_load_model_from_run_without_model_or_checkpoint_is_an_error(finished_run, tmp_path):
    _, run_dir = finished_run
    empty = tmp_path / "started"
    empty.mkdir()
    shutil.copy(os.path.join(run_dir, runs.CONFIG), empty)
    with pytest.raises(FileNotFoundError, match="Expected a run with model.keras or a checkpoint"):
        loading.load_model(str(empty))


@pytest.mark.parametrize("name", ["not_a_run", "missing.keras", "missing"])
def test_load_model_from_non_run_is_an_error(tmp_path, name):
    (tmp_path / "not_a_run").mkdir()
    (tmp_path / "not_a_run" / "notes.txt").write_text("hi")
    with pytest.raises(FileNotFoundError, match=r"Expected a kgan run directory \(with config.json\) or a .keras file"):
        loading.load_model(str(tmp_path / name))


def test_read_config_of_non_run_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="Expected a kgan run directory holding config.json"):
        runs.read_config(str(tmp_path))


def test_load_sampler_matches_the_sampling_generator(finished_run):
    trained, run_dir = finished_run
    sampler = loading.load_sampler(run_dir)
    assert (sampler.latent_dim, sampler.num_classes) == (16, 10)
    z = latent.sample_latent(5, 16, seed=3)
    labels = np.array([0, 1, 2, 3, 9], "int32")
    images = sampler(z, labels)
    assert images.shape == (5, 8, 8, 1) and images.dtype == np.float32
    assert images.min() >= -1 and images.max() <= 1
    expected = trained.export_network().predict_on_batch([z, labels])
    np.testing.assert_allclose(images, expected, atol=1e-6)
    # The label changes the image.
    assert not np.allclose(sampler(z[:1], labels[:1]), sampler(z[:1], labels[4:5]))


def test_write_json_is_atomic(tmp_path):
    path = str(tmp_path / "x.json")
    runs.write_json(path, {"b": 1, "a": [1, 2]})
    assert os.listdir(tmp_path) == ["x.json"]
    with open(path) as f:
        assert f.read() == '{\n  "a": [\n    1,\n    2\n  ],\n  "b": 1\n}\n'
