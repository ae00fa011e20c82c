"""`kgan train --precision`: printed with its reason, stored, kept by --resume, exported in float32; `kgan info`."""

import json
import os

import keras
import numpy as np
import pytest

from kgan import inference
from kgan import machine
from kgan.export import read_card
from kgan.training import runs

TINY = ("--preset", "dcgan_tiny", "--image-size", "8", "--batch-size", "32", "--quiet")


@pytest.fixture
def cpu(monkeypatch):
    """`cpu(flags)`: the CPU `--precision auto` sees (no GPU)."""

    def set_machine(flags):
        monkeypatch.setattr(machine, "cpu_flags", lambda: frozenset(flags))
        monkeypatch.setattr(machine, "gpu_compute_capabilities", lambda: [])

    return set_machine


def test_bfloat16_run_resumes_in_bfloat16_and_exports_float32(run_kgan, cpu, cli_digits_npz, tmp_path):
    run_dir, exports = str(tmp_path / "run"), str(tmp_path / "saved_models")
    result = run_kgan("train", "--family", "gan", "--dataset", cli_digits_npz, *TINY, "--epochs", "1",
                      "--precision", "mixed_bfloat16", "--out", run_dir, "--export-dir", exports)
    assert result.code == 0, result
    assert result.out.startswith("precision: mixed_bfloat16 (--precision mixed_bfloat16)\n")
    assert runs.read_config(run_dir)["precision"] == "mixed_bfloat16"

    cpu({"avx2"})  # `auto` would pick float32 here: the run keeps its own policy
    result = run_kgan("train", "--resume", run_dir, "--epochs", "2", "--quiet")
    assert result.code == 0, result
    assert result.out.startswith("precision: mixed_bfloat16 (the run's, from its config.json)\n")
    gan = keras.models.load_model(os.path.join(run_dir, runs.MODEL))
    assert gan.generator.get_layer("project").compute_dtype == "bfloat16"
    assert int(gan.g_optimizer.iterations) == 2 * 128 // 32

    assert [record["epoch"] for record in runs.exports(run_dir)] == [1, 2]
    for record in runs.exports(run_dir):
        parity = read_card(record["path"])["parity"]
        assert max(parity["onnx"].values()) <= 1e-5 and max(parity["saved_model"].values()) <= 1e-5
        assert parity["trained_precision"]["policies"] == ["mixed_bfloat16"]
        assert 0 < max(parity["trained_precision"]["max_abs_difference"].values()) < 0.1
    model = inference.load(runs.exports(run_dir)[-1]["path"])  # onnxruntime
    images = model.generate(4, labels=[0, 1, 2, 3], seed=0)
    assert images.dtype == np.float32 and images.shape == (4, 8, 8, 1)

    info = json.loads(run_kgan("info", run_dir, "--json").out)
    assert info["precision"] == "mixed_bfloat16"
    result = run_kgan("export", run_dir, "--out", tmp_path / "again")  # loads model.keras under float32
    assert result.code == 0, result
    assert "  trained in mixed_bfloat16, exported in float32: max abs difference " in result.out


@pytest.mark.parametrize("flags,expected", [({"avx512_bf16"}, "mixed_bfloat16"), ({"avx2"}, "float32")])
def test_auto_is_resolved_in_the_dry_run(run_kgan, cpu, flags, expected):
    cpu(flags)
    result = run_kgan("train", "--dry-run")
    assert result.code == 0, result
    assert json.loads(result.out)["precision"] == expected


def test_bad_precision_is_a_usage_error(run_kgan):
    result = run_kgan("train", "--precision", "bf16", "--dry-run")
    assert result.code == 2
    assert "--precision: invalid choice: 'bf16'" in result.err


def test_info_says_what_auto_picks_per_family(run_kgan, cpu):
    cpu({"avx512_bf16"})
    info = json.loads(run_kgan("info", "--json").out)
    assert info["precision"]["gan"] == {
        "policy": "mixed_bfloat16",
        "reason": "auto for the gan family: no GPU, and the CPU has native bfloat16 (avx512_bf16)",
    }
    assert info["precision"]["pix2pix"]["policy"] == "float32"
    assert "precision (kgan train --precision auto):\n  gan: mixed_bfloat16 (auto for the gan family" in run_kgan("info").out
