"""`kgan evaluator train` on voxel data and `kgan evaluate` of voxel generators (.keras, SavedModel, ONNX)."""

import json
import math
import pathlib

import keras
import numpy as np
import pytest

import kgan
from kgan.cli import main
from kgan.data import shapes
from kgan.metrics import ClassifierExtractor

GRID = 16
CLASSES = len(shapes.CLASS_NAMES)
ALL = "fid,kid,precision_recall,per_class_fid,cas,class_agreement,classes_covered"


def run_cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def shapes_npz(tmp_path_factory):
    """A tiny labelled subset of the shapes with a held-out split, as an .npz of grids."""
    x, y = shapes.generate("train", GRID, per_class=8)
    x_test, y_test = shapes.generate("test", GRID, per_class=4)
    path = tmp_path_factory.mktemp("data") / "shapes_subset.npz"
    np.savez(path, x_train=x, y_train=y, x_test=x_test, y_test=y_test)
    return path


@pytest.fixture(scope="module")
def evaluator(shapes_npz, tmp_path_factory):
    """`kgan evaluator train` on the subset: a 16^3 volume classifier."""
    path = tmp_path_factory.mktemp("evaluator") / "shapes_eval.keras"
    code = main(["evaluator", "train", "--dataset", str(shapes_npz), "--epochs", "1", "--out", str(path)])
    assert code == 0
    return path


@pytest.fixture(scope="module")
def voxel_sources(tmp_path_factory):
    """A tiny conditional voxel generator as a .keras file, an exported SavedModel version and its ONNX file."""
    keras.utils.set_random_seed(0)
    g = kgan.models.voxel_generator(8, GRID, CLASSES, base_filters=4, embed_dim=4)
    d = kgan.models.voxel_discriminator(GRID, CLASSES, base_filters=4)
    g.get_layer("to_occupancy").bias.assign(np.array([0.3], "float32"))  # shapes with some occupied voxels
    gan = kgan.VoxelGAN(g, d, 8, num_classes=CLASSES, seed=0)
    gan.compile()
    folder = tmp_path_factory.mktemp("voxel")
    gan.save(folder / "voxel.keras")
    version = pathlib.Path(kgan.export.export_model(gan, folder / "saved_models", "shapes"))
    return {"keras": folder / "voxel.keras", "savedmodel": version, "onnx": version / "model.onnx"}


def test_evaluator_train_on_voxel_data_writes_a_volume_classifier(capsys, evaluator, shapes_npz, tmp_path):
    extractor = ClassifierExtractor(evaluator)
    assert extractor.volumes and extractor.input_size == (GRID, GRID, GRID) and extractor.num_classes == CLASSES
    assert keras.saving.load_model(evaluator).input_shape == (None, GRID, GRID, GRID, 1)
    # --grid-size resamples the grids (16 -> 8 by block majority); the test split is scored at that size.
    out_path = tmp_path / "small.keras"
    code, out, err = run_cli(
        capsys, "evaluator", "train", "--dataset", shapes_npz, "--grid-size", 8, "--epochs", 1, "--out", out_path
    )
    assert code == 0, err
    assert keras.saving.load_model(out_path).input_shape == (None, 8, 8, 8, 1)
    assert "test accuracy:" in out and f"on {4 * CLASSES} volumes" in out


def test_evaluate_a_voxel_generator_from_every_source(capsys, evaluator, voxel_sources, tmp_path):
    cards = {}
    for kind, src in voxel_sources.items():
        out_path = tmp_path / f"{kind}.json"
        code, out, err = run_cli(
            capsys, "evaluate", src, "--dataset", "shapes", "--n", 48, "--extractor", f"classifier:{evaluator}",
            "--metrics", ALL, "--out", out_path,
        )
        assert code == 0, err
        assert "class_agreement" in out and "none (volumes are not resized)" in out
        cards[kind] = json.loads(out_path.read_text())
    card = cards["keras"]
    scores = card["scores"]
    assert all(math.isfinite(v) for v in scores.values()) and scores["fid"] >= 0
    for name in ("class_agreement", "real_class_agreement", "cas", "precision", "recall"):
        assert 0 <= scores[name] <= 1, name
    assert 1 <= scores["classes_covered"] <= CLASSES
    assert len([k for k in scores if k.startswith("per_class_fid_")]) == CLASSES
    assert card["dataset"] == "shapes" and card["split"] == "test" and card["n_real"] == 48
    assert card["real_subset"] == "48 of 800, drawn at random with the seed"
    assert card["image_shape"] == [GRID, GRID, GRID, 1] and card["samples"].startswith("volumes")
    # The same seeded noise through the same weights: the exports score as the .keras file does.
    for kind in ("savedmodel", "onnx"):
        for name, value in scores.items():
            assert cards[kind]["scores"][name] == pytest.approx(value, rel=1e-3, abs=1e-4), (kind, name)


def test_evaluate_refuses_an_image_classifier_for_volumes(capsys, voxel_sources, tmp_path):
    image_classifier = tmp_path / "digits.keras"
    kgan.metrics.build_classifier((8, 8, 1), 10, seed=0).save(image_classifier)
    code, _, err = run_cli(
        capsys, "evaluate", voxel_sources["keras"], "--dataset", "shapes", "--n", 8,
        "--extractor", f"classifier:{image_classifier}", "--metrics", "fid", "--out", tmp_path / "card.json",
    )
    assert code == 2
    assert "Expected a non-empty batch of images (n, height, width, channels)" in err
    assert "Received: volumes of shape (8, 16, 16, 16, 1)" in err


def test_evaluator_train_refuses_channels_for_voxel_data(capsys, shapes_npz, tmp_path):
    code, _, err = run_cli(
        capsys, "evaluator", "train", "--dataset", shapes_npz, "--channels", 3, "--out", tmp_path / "x.keras"
    )
    assert code == 2 and "Expected no channel conversion for voxel data" in err
    code, _, err = run_cli(
        capsys, "evaluator", "train", "--dataset", shapes_npz, "--grid-size", 0, "--out", tmp_path / "x.keras"
    )
    assert code == 2 and "Expected --image-size (--grid-size) >= 1. Received: 0" in err
