import json

import pytest

import kgan
from kgan.cli import main


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--extractor", "bogus"], "Expected --extractor classifier:PATH"),
        (["--extractor", "inception"], "or inception with --download"),
        (["--extractor", "classifier:missing.keras"], "Received: missing.keras"),
        (["--metrics", "fid,lpips"], "Expected --metrics from"),
        (["--n", "0"], "Expected --n >= 1. Received: 0"),
    ],
)
def test_evaluate_rejects_bad_arguments(capsys, classifier_path, tmp_path, argv, message):
    args = ["evaluate", str(tmp_path), "--dataset", "digits",
            "--extractor", f"classifier:{classifier_path}", *argv]
    code, _, err = run_cli(capsys, *args)
    assert code == 2
    assert message in err and err.startswith("kgan evaluate: error:")


def test_evaluate_rejects_missing_src(capsys, classifier_path, tmp_path):
    code, _, err = run_cli(
        capsys, "evaluate", str(tmp_path / "nope.keras"), "--dataset", "digits",
        "--extractor", f"classifier:{classifier_path}",
    )
    assert code == 2 and "Expected SRC to be an existing" in err


def test_evaluate_requires_dataset(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["evaluate", "run", "--extractor", "classifier:x.keras"])
    assert exit_info.value.code == 2
    assert "--dataset" in capsys.readouterr().err


def test_evaluate_end_to_end(capsys, monkeypatch, make_sampler, classifier_path, tmp_path):
    from kgan.cli import evaluate as evaluate_cli

    # kgan.runs / kgan.inference are other modules' business: stand in for them.
    monkeypatch.setattr(evaluate_cli, "load_sampler", lambda src: make_sampler(noise=0.1))
    out_path = tmp_path / "card.json"
    code, out, _ = run_cli(
        capsys, "evaluate", str(tmp_path), "--dataset", "digits", "--n", "200",
        "--extractor", f"classifier:{classifier_path}", "--metrics", "fid,kid,inception_score",
        "--out", str(out_path),
    )
    assert code == 0
    card = json.loads(out_path.read_text())
    assert card["n_fake"] == 200 and card["split"] == "test" and card["dataset"] == "digits"
    assert card["command"].startswith(f"kgan evaluate {tmp_path} --dataset digits")
    for name in ("fid", "kid", "kid_std", "inception_score", "weights sha256", "resize"):
        assert name in out
    assert f"protocol card: {out_path}" in out


def test_evaluator_train_end_to_end(capsys, tmp_path):
    out_path = tmp_path / "evaluator.keras"
    code, out, _ = run_cli(
        capsys, "evaluator", "train", "--dataset", "digits", "--out", str(out_path),
        "--epochs", "1",
    )
    assert code == 0 and out_path.is_file()
    assert "test accuracy:" in out and "on 359 images" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["evaluator"], "Expected an action"),
        (["evaluator", "train", "--dataset", "digits", "--out", "model.h5"], "end in .keras"),
        (["evaluator", "train", "--dataset", "digits", "--out", "x.keras", "--epochs", "0"],
         "Expected --epochs >= 1"),
    ],
)
def test_evaluator_rejects_bad_arguments(capsys, argv, message):
    code, _, err = run_cli(capsys, *argv)
    assert code == 2 and message in err


@pytest.fixture(scope="module")
def tiny_conditional_gan():
    g = kgan.models.dcgan_generator(8, 8, 1, num_classes=10, base_filters=4)
    d = kgan.models.dcgan_discriminator(8, 1, num_classes=10, base_filters=4)
    gan = kgan.GAN(g, d, 8, num_classes=10, seed=0)
    gan.compile()
    return gan


@pytest.mark.parametrize("kind", ["keras", "onnx"])
def test_evaluate_real_sources(capsys, tmp_path, classifier_path, tiny_conditional_gan, kind):
    # No stand-ins: a .keras file through kgan.runs, an exported ONNX file through kgan.inference.
    gan = tiny_conditional_gan
    if kind == "keras":
        src = str(tmp_path / "gan.keras")
        gan.save(src)
    else:
        version = kgan.export.export_generator(gan.generator, out=str(tmp_path / "sm"), name="g", num_classes=10)
        src = str(tmp_path / "sm" / "g" / "1" / "model.onnx")
        assert str(version).endswith("1")
    out_path = tmp_path / "card.json"
    code, out, err = run_cli(
        capsys, "evaluate", src, "--dataset", "digits", "--n", "100",
        "--extractor", f"classifier:{classifier_path}", "--metrics", "fid,per_class_fid", "--out", str(out_path),
    )
    assert code == 0, err
    card = json.loads(out_path.read_text())
    assert card["n_fake"] == 100 and card["scores"]["fid"] > 0
    assert len([k for k in card["scores"] if k.startswith("per_class_fid_")]) == 10
