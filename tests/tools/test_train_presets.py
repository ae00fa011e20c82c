"""tools/train_presets.py without training: the comparison with a card, and the whole flow on a fake rebuild."""

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "tools")))

import train_presets  # noqa: E402

TOLERANCES = {"agreement_with_requested_class": 0.03, "classes_covered": 0, "diversity_ratio": 0.05}
COMMITTED = {"agreement_with_requested_class": 0.95, "classes_covered": 10, "diversity_ratio": 0.60}


def test_scores_within_tolerance_pass():
    rebuilt = {"agreement_with_requested_class": 0.97, "classes_covered": 10, "diversity_ratio": 0.55}
    rows, ok = train_presets.compare(rebuilt, COMMITTED, TOLERANCES)
    assert ok
    assert [(r[0], round(r[3], 6), r[5]) for r in rows] == [
        ("agreement_with_requested_class", 0.02, True), ("classes_covered", 0.0, True), ("diversity_ratio", 0.05, True)
    ]


@pytest.mark.parametrize("key, value", [("agreement_with_requested_class", 0.91), ("classes_covered", 9),
                                        ("diversity_ratio", 0.66)])
def test_one_score_beyond_tolerance_fails_its_row(key, value):
    rows, ok = train_presets.compare({**COMMITTED, key: value}, COMMITTED, TOLERANCES)
    assert not ok
    assert [r[0] for r in rows if not r[5]] == [key]


def test_no_card_or_a_missing_score_fails():
    rows, ok = train_presets.compare(COMMITTED, None, TOLERANCES)
    assert not ok and all(r[2] is None and not r[5] for r in rows)
    partial = {k: v for k, v in COMMITTED.items() if k != "diversity_ratio"}
    rows, ok = train_presets.compare(COMMITTED, partial, TOLERANCES)
    assert not ok and [r[0] for r in rows if not r[5]] == ["diversity_ratio"]


def _fake_export(root, name, version, scores=None):
    folder = root / name / str(version)
    folder.mkdir(parents=True)
    (folder / "model.onnx").write_bytes(b"onnx")
    card = {"name": name, "version": version, "command": "kgan train ...", "packages": {"kgan": "0.1.0"}}
    if scores is not None:
        card["scores"] = scores
    (folder / "card.json").write_text(json.dumps(card))
    return folder


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """A preset `fake` exporting two committed parts, whose checker returns `scores[0]`, and a committed root."""
    committed = tmp_path / "saved_models"
    for folder in ("fake-a", "fake-b"):
        _fake_export(committed, folder, 1, {**COMMITTED, "diversity_ratio": 0.1})  # an older version
        _fake_export(committed, folder, 2, COMMITTED)
    out = tmp_path / "out"
    preset = train_presets.Preset("fake", ("--family", "gan", "--seed", "0"), "fake", TOLERANCES, "a fake preset",
                                  exports=("fake-a", "fake-b"))
    scores, checked = [dict(COMMITTED, n=1000)], []

    def rebuild(preset, out_dir):
        # The run also writes a part that is not committed.
        _fake_export(out / "saved_models", "fake-extra", 1)
        return {f: str(_fake_export(out / "saved_models", f, 1)) for f in preset.folders}, 42.0

    def checker(exports):
        checked.append(exports)
        return scores[0]

    monkeypatch.setattr(train_presets, "PRESETS", {"fake": preset})
    monkeypatch.setattr(train_presets, "CHECKERS", {"fake": checker})
    monkeypatch.setattr(train_presets, "rebuild", rebuild)
    return committed, out, scores, checked


def test_a_rebuild_scoring_like_its_card_passes_and_is_recorded(fake, tmp_path, capsys):
    committed, out, _, checked = fake
    report = tmp_path / "report.json"
    assert train_presets.main(["--out", str(out), "--saved-models", str(committed), "--json", str(report)]) == 0
    table = capsys.readouterr().out
    assert "fake             agreement_with_requested_class" in table
    results = json.loads(report.read_text())["results"]
    assert [(r["name"], r["status"]) for r in results] == [("fake", "ok")]
    assert [sorted(c) for c in checked] == [["fake-a", "fake-b"]]  # one checker call sees both parts
    for folder in ("fake-a", "fake-b"):
        card = json.loads((out / "saved_models" / folder / "1" / "card.json").read_text())
        assert card["command"] == "kgan train --family gan --seed 0 --export-name fake"
        assert card["scores"] == COMMITTED and card["preset"]["train_seconds"] == 42.0
        assert card["preset"]["checker_details"] == {"n": 1000}
        # Without --replace the committed export is untouched.
        assert json.loads((committed / folder / "2" / "card.json").read_text())["scores"] == COMMITTED


def test_a_rebuild_that_differs_fails_and_replace_installs_it(fake, tmp_path):
    committed, out, scores, _ = fake
    scores[0] = {**COMMITTED, "agreement_with_requested_class": 0.5}
    args = ["--out", str(out), "--saved-models", str(committed), "--json", str(tmp_path / "r.json")]
    assert train_presets.main([*args, "--replace"]) == 1
    assert sorted(os.listdir(committed)) == ["fake-a", "fake-b"]  # staging folders are gone, the extra part not installed
    for folder in ("fake-a", "fake-b"):
        assert sorted(os.listdir(committed / folder)) == ["1"]
        installed = json.loads((committed / folder / "1" / "card.json").read_text())
        assert installed["scores"]["agreement_with_requested_class"] == 0.5
