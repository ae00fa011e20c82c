"""kgan.inference.layout: which folders TF Serving and Triton both read as versions."""

import pytest

from kgan.inference import layout


def test_versions_are_numeric_folders_without_leading_zero(tmp_path):
    for name in ("1", "2", "10", "0", "03", ".tmp-4-ab12cd34", "latest"):
        (tmp_path / name).mkdir()
    (tmp_path / "7").write_text("a file, not a version")
    (tmp_path / "config.pbtxt").write_text("")
    assert layout.list_versions(tmp_path) == [1, 2, 10]
    assert layout.list_versions(tmp_path / "missing") == []


def test_resolve_version_dir(tmp_path):
    (tmp_path / "3").mkdir()
    (tmp_path / "3" / "model.onnx").write_bytes(b"")
    (tmp_path / "12").mkdir()
    (tmp_path / "12" / "saved_model.pb").write_bytes(b"")
    assert layout.resolve_version_dir(str(tmp_path)).endswith("12")
    assert layout.resolve_version_dir(str(tmp_path / "3")) == str(tmp_path / "3")
    with pytest.raises(FileNotFoundError, match="Expected an exported model"):
        layout.resolve_version_dir(str(tmp_path / "nothing"))
    assert layout.read_card(str(tmp_path / "3")) is None
