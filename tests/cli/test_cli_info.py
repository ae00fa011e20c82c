"""`kgan info`: a run, a .keras file and an export described from their own records."""

import json
import os

from kgan import export


def test_info_of_a_run(run_kgan, cli_run):
    _, run_dir = cli_run
    result = run_kgan("info", run_dir, "--json")
    assert result.code == 0, result
    info = json.loads(result.out)
    assert info["kind"] == "run" and info["family"] == "gan"
    assert info["epochs"] == {"finished": 2, "total": 2}
    assert info["model_saved"] is True and info["settings"]["preset"] == "dcgan_tiny"


def test_info_of_a_keras_file_and_its_export(run_kgan, cli_run, tmp_path):
    import keras

    _, run_dir = cli_run
    path = os.path.join(run_dir, "model.keras")
    info = json.loads(run_kgan("info", path, "--json").out)
    assert info["class"] == "GAN" and set(info["networks"]) == {"generator", "discriminator"}
    assert info["steps"] == {"generator": 4, "discriminator": 4}
    assert [t["name"] for t in info["spec"]["inputs"]] == ["z", "labels"]
    folder = export.export_model(keras.models.load_model(path), tmp_path, "digits")
    text = run_kgan("info", os.path.dirname(folder))
    assert text.code == 0, text
    assert "task: generate" in text.out and "input z: float32 [16] (noise)" in text.out
    assert "input labels: int32 [] (label)" in text.out and "versions: [1]" in text.out


def test_info_of_something_else_is_a_usage_error(run_kgan, tmp_path):
    result = run_kgan("info", tmp_path)
    assert result.code == 2 and "Expected a run directory, a .keras file, or an export" in result.err


def test_info_of_this_machine(run_kgan):
    result = run_kgan("info", "--json")
    assert result.code == 0, result
    info = json.loads(result.out)
    assert info["kind"] == "machine" and info["gpus"] == [] and info["xla"] is False  # a CPU-only machine
    versions = info["versions"]
    assert (versions.get("tensorflow") or versions.get("tensorflow-cpu")).startswith("2.21")
    assert info["onnxruntime"]["chosen"] == ["CPUExecutionProvider"]
    assert info["cpu"]["cores"] >= 1 and "avx2" in info["cpu"]["features"]
    assert info["mixed_precision"] == "float32" and info["tf_config"] is None
    assert "cpu:" in run_kgan("info").out
