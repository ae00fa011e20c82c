"""TrainConfig validation and loading, and `resolve` against the data."""

import dataclasses
import json
import os

import pytest

from kgan import data
from kgan.training import TrainConfig
from kgan.training.run import resolve


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"preset": "nope"}, r"Expected one of \[.*'dcgan_tiny'.*\]. Received: preset='nope'"),
        ({"loss": "nope"}, r"Unknown GAN loss. Expected one of \[.*'hinge'.*\]. Received: loss='nope'"),
        ({"epochs": 0}, r"Expected `epochs` to be a positive integer. Received: epochs=0"),
        ({"batch_size": -1}, r"Expected `batch_size` to be a positive integer"),
        ({"epochs": 2.0}, r"Expected `epochs` to be a positive integer. Received: epochs=2.0"),
        ({"d_steps": True}, r"Expected `d_steps` to be a positive integer"),
        ({"sample_every": 0}, r"`sample_every`"),
        ({"d_learning_rate": 0.0}, r"Expected `d_learning_rate` > 0"),
        ({"channels": 2}, r"Expected `channels` to be 1 or 3. Received: channels=2"),
        (
            {"batch_size": 64, "d_steps": 3},
            r"Expected `batch_size` to be divisible by `d_steps`.*batch_size=64, d_steps=3",
        ),
        ({"latent_dim": 0}, r"Expected `latent_dim` to be None \(the default\) or a positive integer. Received: latent_dim=0"),
        ({"image_size": -8}, r"Expected `image_size` to be None"),
        ({"seed": -1}, r"Expected `seed` to be an integer in \[0, 2\*\*32\). Received: seed=-1"),
        ({"ema_decay": 1.0}, r"Expected `ema_decay` to be None or in \(0, 1\). Received: ema_decay=1.0"),
    ],
)
def test_validate_names_the_bad_field(changes, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**changes).validate()


def test_validate_accepts_defaults_and_returns_self():
    config = TrainConfig(d_steps=2, batch_size=64, ema_decay=None)
    assert config.validate() is config


def test_json_round_trip(tmp_path):
    config = TrainConfig(preset="mlp_small", epochs=3, jit_compile=False, ema_decay=None)
    path = tmp_path / "config.json"
    path.write_text(config.to_json())
    assert TrainConfig.from_json_file(str(path)) == config


def test_from_dict_rejects_unknown_keys():
    with pytest.raises(ValueError, match=r"Unknown config keys \['epoch', 'lr'\]. Expected keys among \[.*'epochs'"):
        TrainConfig.from_dict({"epochs": 3, "epoch": 3, "lr": 0.1})


def test_from_json_file_rejects_invalid_json(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{"epochs": 3,')
    with pytest.raises(ValueError, match="Expected a JSON config file at .*config.json. Received invalid JSON"):
        TrainConfig.from_json_file(str(path))


def test_resolve_digits_defaults():
    config = resolve(TrainConfig(), data.info("digits"))
    assert config.image_size == 16
    assert config.channels == 1
    assert config.conditional is True
    assert config.num_classes == 10
    assert config.latent_dim == 64  # dcgan_small's
    assert config.run_dir.startswith("runs/dcgan_small-digits-")
    assert TrainConfig.from_dict(dataclasses.asdict(config)) == config
    assert json.loads(config.to_json())["num_classes"] == 10


def test_resolve_keeps_explicit_values():
    config = resolve(
        TrainConfig(preset="mlp_small", image_size=8, channels=3, latent_dim=5, run_dir="here"),
        data.info("digits"),
    )
    assert (config.image_size, config.channels, config.latent_dim, config.run_dir) == (8, 3, 5, "here")


def test_resolve_unconditional_drops_classes():
    config = resolve(TrainConfig(conditional=False), data.info("digits"))
    assert config.conditional is False
    assert config.num_classes is None


def test_resolve_npz_uses_native_size(unlabelled_npz):
    config = resolve(TrainConfig(dataset=unlabelled_npz), data.info(unlabelled_npz))
    assert config.image_size == 8
    assert config.conditional is False and config.num_classes is None


def test_conditional_on_unlabelled_data_is_an_error(unlabelled_npz):
    with pytest.raises(ValueError, match="Expected a labelled dataset for a conditional GAN"):
        resolve(TrainConfig(dataset=unlabelled_npz, conditional=True), data.info(unlabelled_npz))


def test_resolve_makes_dataset_paths_absolute_and_keeps_names(digits_npz, monkeypatch, tmp_path):
    info = data.info(digits_npz)
    monkeypatch.chdir(os.path.dirname(digits_npz))
    relative = os.path.basename(digits_npz)
    resolved = resolve(TrainConfig(dataset=relative, run_dir=str(tmp_path / "r")), info)
    assert resolved.dataset == digits_npz
    (tmp_path / "digits").mkdir()  # a folder named like the embedded dataset does not shadow it
    monkeypatch.chdir(tmp_path)
    named = resolve(TrainConfig(dataset="digits", run_dir=str(tmp_path / "r")), data.info("digits"))
    assert named.dataset == "digits"
