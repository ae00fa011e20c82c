"""The run-level precision: resolved per family and machine, stored in config.json, applied only while building and training.

The machine is monkeypatched (`kgan.machine`), so what `auto` picks here does
not depend on this machine's CPU.
"""

import dataclasses
import os

import keras
import pytest

from kgan import families
from kgan import machine
from kgan import training
from kgan.training import runs

BF16_CPU = frozenset({"avx2", "avx512_bf16"})
PLAIN_CPU = frozenset({"avx2"})


@pytest.fixture
def cpu(monkeypatch):
    """`cpu(flags, gpus=())`: the machine `auto` sees."""

    def set_machine(flags, gpus=()):
        monkeypatch.setattr(machine, "cpu_flags", lambda: frozenset(flags))
        monkeypatch.setattr(machine, "gpu_compute_capabilities", lambda: list(gpus))

    return set_machine


@pytest.fixture
def caller_policy():
    """`caller_policy(name)` sets the global policy a Python caller has; float32 is restored after the test."""
    try:
        yield keras.config.set_dtype_policy
    finally:
        keras.config.set_dtype_policy("float32")


def tiny(digits_npz, tmp_path, **values):
    return training.TrainConfig.from_dict(dict(
        dataset=digits_npz, preset="dcgan_tiny", image_size=8, epochs=1, batch_size=32, export=False,
        run_dir=str(tmp_path / "run"), **values,
    ))


def layer_dtypes(model):
    """The compute dtypes of the layers that compute (not inputs) and are not kept in float32 on purpose."""
    kept = ("images", "logits", "projection", "conditional_logits")
    return {layer.compute_dtype for net in (model.generator, model.discriminator) for layer in net.layers
            if not isinstance(layer, keras.layers.InputLayer) and layer.name not in kept}


def test_only_the_gan_family_opts_in(cpu):
    cpu(BF16_CPU)
    picks = {name: training.TrainConfig(family=name).resolve_precision()[0] for name in families.NAMES}
    assert picks == {name: "mixed_bfloat16" if name == "gan" else "float32" for name in families.NAMES}
    cpu(PLAIN_CPU, gpus=[(8, 0)])
    picks = {name: training.TrainConfig(family=name).resolve_precision()[0] for name in families.NAMES}
    assert picks == {name: "mixed_float16" if name == "gan" else "float32" for name in families.NAMES}
    cpu(PLAIN_CPU)
    assert {training.TrainConfig(family=name).resolve_precision()[0] for name in families.NAMES} == {"float32"}


def test_an_explicit_precision_is_any_familys(cpu):
    cpu(PLAIN_CPU)
    config = training.TrainConfig(family="pix2pix", precision="mixed_bfloat16")
    assert config.resolve_precision() == ("mixed_bfloat16", "--precision mixed_bfloat16")


def test_resolve_stores_the_policy_auto_picks(cpu, digits_npz, tmp_path):
    cpu(BF16_CPU)
    assert training.resolve(tiny(digits_npz, tmp_path)).precision == "mixed_bfloat16"
    cpu(PLAIN_CPU)
    assert training.resolve(tiny(digits_npz, tmp_path)).precision == "float32"
    assert training.resolve(tiny(digits_npz, tmp_path, precision="mixed_float16")).precision == "mixed_float16"


def test_config_json_round_trip(digits_npz, tmp_path):
    config = tiny(digits_npz, tmp_path, precision="mixed_bfloat16")
    assert training.TrainConfig.from_dict(dataclasses.asdict(config)) == config
    os.makedirs(config.run_dir)
    runs.write_json(os.path.join(config.run_dir, runs.CONFIG), dataclasses.asdict(config))
    assert training.read_config(config.run_dir).precision == "mixed_bfloat16"


def test_a_run_written_before_the_setting_reads_as_float32(cpu, digits_npz, tmp_path):
    cpu(BF16_CPU)  # where `auto` would pick bfloat16: the old run trained in float32 all the same
    values = dataclasses.asdict(tiny(digits_npz, tmp_path))
    del values["precision"]
    os.makedirs(values["run_dir"])
    runs.write_json(os.path.join(values["run_dir"], runs.CONFIG), values)
    assert training.read_config(values["run_dir"]).precision == "float32"


@pytest.mark.parametrize("bad", ["bf16", "float16", "Auto", None])
def test_bad_precision_is_refused(bad, digits_npz, tmp_path):
    with pytest.raises(ValueError, match=r"Expected `precision` to be one of \['auto', 'float32', 'mixed_bfloat16', "
                                         r"'mixed_float16'\]. Received: precision="):
        tiny(digits_npz, tmp_path, precision=bad).validate()


def test_build_applies_the_runs_policy_and_restores_the_callers(caller_policy, digits_npz, tmp_path):
    caller_policy("mixed_float16")
    gan = training.build(training.resolve(tiny(digits_npz, tmp_path, precision="mixed_bfloat16")))
    assert keras.config.dtype_policy().name == "mixed_float16"
    assert layer_dtypes(gan) == {"bfloat16"}
    assert gan.generator.get_layer("images").compute_dtype == "float32"
    assert not isinstance(gan.g_optimizer, keras.optimizers.LossScaleOptimizer)  # no loss scaling for bfloat16

    caller_policy("mixed_bfloat16")
    gan = training.build(training.resolve(tiny(digits_npz, tmp_path, precision="float32")))
    assert keras.config.dtype_policy().name == "mixed_bfloat16"
    assert layer_dtypes(gan) == {"float32"}

    caller_policy("float32")
    gan = training.build(training.resolve(tiny(digits_npz, tmp_path, precision="mixed_float16")))
    assert keras.config.dtype_policy().name == "float32"
    assert layer_dtypes(gan) == {"float16"}
    assert isinstance(gan.g_optimizer, keras.optimizers.LossScaleOptimizer)  # compile saw the run's policy


def test_train_and_resume_keep_the_runs_policy(caller_policy, cpu, digits_npz, tmp_path):
    cpu(BF16_CPU)
    caller_policy("float32")
    gan, run_dir = training.train(tiny(digits_npz, tmp_path), verbose=0)
    assert keras.config.dtype_policy().name == "float32"
    assert runs.read_config(run_dir)["precision"] == "mixed_bfloat16" and layer_dtypes(gan) == {"bfloat16"}
    cpu(PLAIN_CPU)  # `auto` would now pick float32: the run keeps what it started with
    resumed, _ = training.resume(run_dir, verbose=0, epochs=2)
    assert keras.config.dtype_policy().name == "float32"
    assert layer_dtypes(resumed) == {"bfloat16"} and int(resumed.g_optimizer.iterations) == 2 * 128 // 32
    loaded = training.load_model(run_dir)  # under the caller's float32 policy
    assert layer_dtypes(loaded) == {"bfloat16"}
    assert loaded.generate(3, seed=0).dtype == "float32"
