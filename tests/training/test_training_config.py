"""TrainConfig: validation, the family's settings, JSON (nested and kgan 0.1 flat), and resolve."""

import dataclasses
import json
import os

import pytest

from kgan.families.gan.config import Config as GANConfig
from kgan.training import TrainConfig
from kgan.training.run import resolve


def flat(**values):
    return TrainConfig.from_dict(values)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"preset": "nope"}, r"Expected one of \[.*'dcgan_tiny'.*\]. Received: preset='nope'"),
        ({"loss": "nope"}, r"Expected `loss` to be one of \[.*'hinge'.*\]. Received: loss='nope'"),
        ({"epochs": 0}, r"Expected `epochs` to be None or an integer >= 1. Received: epochs=0"),
        ({"batch_size": -1}, r"Expected `batch_size` to be None or an integer >= 1"),
        ({"epochs": 2.0}, r"Expected `epochs` to be None or an integer >= 1. Received: epochs=2.0"),
        ({"d_steps": True}, r"Expected `d_steps` to be an integer >= 1"),
        ({"sample_every": 0}, r"`sample_every`"),
        ({"d_learning_rate": 0.0}, r"Expected `d_learning_rate` to be a number in \(0"),
        ({"channels": 2}, r"Expected `channels` to be None, 1 or 3. Received: channels=2"),
        (
            {"batch_size": 64, "d_steps": 3},
            r"Expected `batch_size` to be divisible by `d_steps`.*batch_size=64, d_steps=3",
        ),
        ({"latent_dim": 0}, r"Expected `latent_dim` to be None or an integer >= 1. Received: latent_dim=0"),
        ({"image_size": -8}, r"Expected `image_size` to be None or an integer >= 1"),
        ({"seed": -1}, r"Expected `seed` to be an integer >= 0. Received: seed=-1"),
        ({"seed": 2**32}, r"Expected `seed` to be an integer in \[0, 2\*\*32\)"),
        ({"ema_decay": 1.0, "ema_half_life": None}, r"Expected `ema_decay` to be None or a number in \(0, 1\). Received: ema_decay=1.0"),
        ({"ema_decay": 0.9, "ema_half_life": 100.0}, r"Expected at most one of `ema_decay` and `ema_half_life`"),
        ({"jit_compile": "yes"}, r'Expected `jit_compile` to be "auto", True or False'),
    ],
)
def test_validate_names_the_bad_field(changes, message):
    with pytest.raises(ValueError, match=message):
        flat(**changes).validate()


def test_unknown_family_is_refused():
    with pytest.raises(ValueError, match=r"Unknown GAN family. Expected one of \['gan'.*Received: family='gam'"):
        TrainConfig(family="gam")


def test_validate_accepts_defaults_and_returns_self():
    config = TrainConfig(batch_size=64, model=GANConfig(d_steps=2))
    assert config.validate() is config
    assert isinstance(TrainConfig().model, GANConfig)


def test_json_round_trip(tmp_path):
    config = TrainConfig(epochs=3, jit_compile=False, model=GANConfig(preset="mlp_small", ema_half_life=None))
    path = tmp_path / "config.json"
    path.write_text(config.to_json())
    assert json.loads(path.read_text())["model"]["preset"] == "mlp_small"
    assert TrainConfig.from_json_file(str(path)) == config


def test_kgan_0_1_flat_config_json_still_reads():
    legacy = {"dataset": "digits", "preset": "dcgan_small", "epochs": 150, "ema_decay": 0.999, "r1_weight": 0.2,
              "batch_size": 64, "seed": 0, "steps_per_execution": 8}
    config = TrainConfig.from_dict(legacy).validate()
    assert config.family == "gan" and config.model.ema_decay == 0.999 and config.model.ema_half_life is None
    assert config.epochs == 150 and config.model.preset == "dcgan_small"


def test_from_dict_rejects_unknown_keys():
    with pytest.raises(ValueError, match=r"Unknown config keys \['epoch', 'lr'\]. Expected keys among \[.*'epochs'"):
        TrainConfig.from_dict({"epochs": 3, "epoch": 3, "lr": 0.1})
    with pytest.raises(ValueError, match=r"Unknown gan config keys \['lr'\]"):
        TrainConfig.from_dict({"epochs": 3, "model": {"lr": 0.1}})


def test_from_json_file_rejects_invalid_json(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{"epochs": 3,')
    with pytest.raises(ValueError, match="Expected a JSON config file at .*config.json. Received invalid JSON"):
        TrainConfig.from_json_file(str(path))


def test_resolve_digits_defaults():
    config = resolve(TrainConfig())
    assert (config.dataset, config.epochs, config.batch_size) == ("digits", 150, 64)  # the family's defaults
    model = config.model
    assert model.image_size == 16
    assert model.channels == 1
    assert model.conditional is True
    assert model.num_classes == 10
    assert model.latent_dim == 64  # dcgan_small's
    assert config.run_dir.startswith("runs/dcgan_small-digits-")
    assert TrainConfig.from_dict(dataclasses.asdict(config)) == config
    assert json.loads(config.to_json())["model"]["num_classes"] == 10


def test_resolve_keeps_explicit_values():
    config = resolve(flat(preset="mlp_small", image_size=8, channels=3, latent_dim=5, run_dir="here", epochs=2))
    model = config.model
    assert (model.image_size, model.channels, model.latent_dim, config.run_dir, config.epochs) == (8, 3, 5, "here", 2)


def test_resolve_unconditional_drops_classes():
    config = resolve(flat(conditional=False))
    assert config.model.conditional is False
    assert config.model.num_classes is None


def test_resolve_npz_uses_native_size(unlabelled_npz):
    config = resolve(flat(dataset=unlabelled_npz))
    assert config.model.image_size == 8
    assert config.model.conditional is False and config.model.num_classes is None
    assert os.path.basename(config.run_dir).startswith("dcgan_small-unlabelled-")


def test_conditional_on_unlabelled_data_is_an_error(unlabelled_npz):
    with pytest.raises(ValueError, match="Expected a labelled dataset for a conditional GAN"):
        resolve(flat(dataset=unlabelled_npz, conditional=True))


def test_resolve_makes_dataset_paths_absolute_and_keeps_names(digits_npz, monkeypatch, tmp_path):
    monkeypatch.chdir(os.path.dirname(digits_npz))
    relative = os.path.basename(digits_npz)
    resolved = resolve(flat(dataset=relative, run_dir=str(tmp_path / "r")))
    assert resolved.dataset == digits_npz
    (tmp_path / "digits").mkdir()  # a folder named like the embedded dataset does not shadow it
    monkeypatch.chdir(tmp_path)
    named = resolve(flat(dataset="digits", run_dir=str(tmp_path / "r")))
    assert named.dataset == "digits"
