"""kgan.metrics on volumes: a 3D classifier of the shapes, its features, the scores, and mismatches refused."""

import numpy as np
import pytest

import kgan
from kgan.data import binvox
from kgan.data import shapes
from kgan.metrics import ClassifierExtractor
from kgan.metrics import evaluate
from kgan.metrics import real_volumes
from kgan.metrics.real_data import load_real

GRID = 16
CLASSES = len(shapes.CLASS_NAMES)


@pytest.fixture(scope="module")
def held_out():
    return shapes.generate("test", GRID, per_class=6)  # 48 volumes, uint8 0/1


@pytest.fixture(scope="module")
def volume_classifier(tmp_path_factory):
    """A 3D classifier trained a little on 128 training shapes (about 0.6 held-out accuracy), saved as .keras."""
    path = tmp_path_factory.mktemp("volumes") / "shapes_eval.keras"
    train = shapes.generate("train", GRID, per_class=16)
    model = kgan.metrics.train_classifier(train, path=path, epochs=8, batch_size=16, seed=0)
    return model, path


class HeldOutSampler:
    """A conditional 'generator' that returns the real held-out volumes, each once.

    The k-th request for class c gets the k-th held-out volume of class c: asked
    for every class as often as the held-out set has it, it returns exactly that set.
    """

    latent_dim = 8
    num_classes = CLASSES

    def __init__(self, volumes, labels):
        self.volumes, self.labels = volumes, labels
        self.served = np.zeros(CLASSES, int)

    def generate(self, n, labels=None, seed=None):
        picks = []
        for label in labels:
            picks.append(np.flatnonzero(self.labels == label)[self.served[label]])
            self.served[label] += 1
        return self.volumes[picks].astype("float32")


class RepeatedSampler:
    """A collapsed conditional 'generator': one volume, whatever the class asked."""

    latent_dim = 8
    num_classes = CLASSES

    def __init__(self, volume):
        self.volume = volume.astype("float32")

    def generate(self, n, labels=None, seed=None):
        return np.repeat(self.volume[None], n, axis=0)


def test_a_volume_classifier_saves_and_reads_volumes(volume_classifier, held_out):
    model, path = volume_classifier
    x, _ = held_out
    extractor = ClassifierExtractor(path)
    assert model.input_shape == (None, GRID, GRID, GRID, 1)
    assert extractor.volumes and extractor.input_size == (GRID, GRID, GRID) and extractor.num_classes == CLASSES
    features, probabilities = extractor.features_and_probabilities(x)
    assert features.shape == (48, 128) and probabilities.shape == (48, CLASSES)
    # The reloaded file is the trained model.
    np.testing.assert_allclose(probabilities, model.predict(x.astype("float32"), verbose=0), rtol=1e-5, atol=1e-6)


def test_held_out_volumes_against_themselves(volume_classifier, held_out):
    model, path = volume_classifier
    x, y = held_out
    card = evaluate(
        HeldOutSampler(x, y), (x, y), ClassifierExtractor(path), n=len(x), kid_subsets=5,
        metrics=("fid", "precision_recall", "per_class_fid", "class_agreement", "classes_covered"),
    )
    scores = card["scores"]
    # The same 48 volumes on both sides, in another order.
    assert scores["fid"] == pytest.approx(0.0, abs=1e-3)
    assert all(scores[f"per_class_fid_{c}"] == pytest.approx(0.0, abs=1e-3) for c in range(CLASSES))
    assert scores["precision"] == scores["recall"] == 1.0
    # Agreement of the samples is the classifier's accuracy on them, by hand.
    predicted = np.argmax(model.predict(x.astype("float32"), verbose=0), axis=1)
    assert np.mean(predicted == y) > 0.25  # well above chance (1/8): the checks below are not vacuous
    assert scores["class_agreement"] == pytest.approx(np.mean(predicted == y))
    assert scores["real_class_agreement"] == pytest.approx(np.mean(predicted == y))
    for c in range(CLASSES):
        assert scores[f"class_agreement_{c}"] == pytest.approx(np.mean(predicted[y == c] == c))
    # A class is covered with >= 0.16 * 48 / 8 = 0.96 samples, i.e. one.
    assert scores["classes_covered"] == len(np.unique(predicted))
    assert card["image_shape"] == [GRID, GRID, GRID, 1]
    assert card["resize"] == "none (volumes are not resized)"
    assert card["samples"] == "volumes (occupancy grids) in [0, 1], 16x16x16"
    assert card["extractor"]["input_size"] == [GRID, GRID, GRID]


def test_a_collapsed_generator_covers_one_class(volume_classifier, held_out):
    _, path = volume_classifier
    x, y = held_out
    extractor = ClassifierExtractor(path)
    options = dict(n=48, metrics=("fid", "class_agreement", "classes_covered"))
    real = evaluate(HeldOutSampler(x, y), (x, y), extractor, **options)["scores"]
    collapsed = evaluate(RepeatedSampler(x[0]), (x, y), extractor, **options)["scores"]
    assert collapsed["classes_covered"] == 1
    # Balanced labels, one predicted class: 6 of the 48 samples were asked for it.
    assert collapsed["class_agreement"] == pytest.approx(6 / 48)
    assert collapsed["fid"] > 10 * max(real["fid"], 1e-3)


def test_real_volumes_load_at_the_generated_grid(tmp_path):
    x, y = shapes.generate("test", GRID, per_class=2)
    path = tmp_path / "grids.npz"
    np.savez(path, x_test=x[..., 0], y_test=y)  # (N, n, n, n): the voxel loader's other layout
    volumes, labels, description = load_real(str(path), "test", image_shape=(8, 8, 8, 1))
    assert volumes.shape == (16, 8, 8, 8, 1) and volumes.dtype == np.float32
    assert set(np.unique(volumes)) <= {0.0, 1.0} and description["num_classes"] == CLASSES
    np.testing.assert_array_equal(labels, y)
    # Without a shape an .npz is read at its own grid size.
    assert load_real(str(path), "test")[0].shape == (16, GRID, GRID, GRID, 1)


def test_which_sources_hold_volumes(tmp_path):
    grids, images = tmp_path / "grids.npz", tmp_path / "images.npz"
    np.savez(grids, x=np.zeros((2, 8, 8, 8, 1), "uint8"))
    np.savez_compressed(images, x=np.zeros((2, 8, 8, 3), "uint8"))
    np.savez(tmp_path / "flat.npz", x=np.zeros((2, 8, 8, 8), "uint8"))
    folder = tmp_path / "models" / "box"
    folder.mkdir(parents=True)
    binvox.write_binvox(folder / "a.binvox", np.ones((4, 4, 4), bool))
    (tmp_path / "pictures").mkdir()
    assert real_volumes.holds_volumes("shapes") and real_volumes.holds_volumes(grids)
    assert real_volumes.holds_volumes(tmp_path / "flat.npz") and real_volumes.holds_volumes(tmp_path / "models")
    for source in ("digits", "mnist", images, tmp_path / "pictures", tmp_path / "missing.npz"):
        assert not real_volumes.holds_volumes(source), source
    assert real_volumes.default_grid_size(grids) == 8 and real_volumes.default_grid_size("shapes") == 32


def test_image_and_volume_networks_refuse_each_others_data(volume_classifier, held_out, tmp_path):
    _, volume_path = volume_classifier
    x, _ = held_out
    image_path = tmp_path / "digits.keras"
    kgan.metrics.build_classifier((8, 8, 1), 10, seed=0).save(image_path)
    images = np.zeros((2, 8, 8, 1), "float32")
    with pytest.raises(ValueError, match=r"Expected a non-empty batch of images .* an image network of 8x8 images\. "
                                         r"Received: volumes of shape \(2, 16, 16, 16, 1\)"):
        ClassifierExtractor(image_path)(x[:2])
    with pytest.raises(ValueError, match=r"Expected a non-empty batch of volumes .* a volume network of 16x16x16 "
                                         r"grids\. Received: images of shape \(2, 8, 8, 1\)"):
        ClassifierExtractor(volume_path)(images)
    with pytest.raises(ValueError, match=r"Expected volumes of 16x16x16 grids .*not resized.*Received: volumes of "
                                         r"shape \(2, 8, 8, 8, 1\)"):
        ClassifierExtractor(volume_path)(np.zeros((2, 8, 8, 8, 1), "float32"))


def test_mismatched_data_and_classes_are_refused(volume_classifier, held_out, make_sampler):
    _, path = volume_classifier
    x, y = held_out
    extractor = ClassifierExtractor(path)
    with pytest.raises(ValueError, match="Expected voxel data .* Received: dataset='digits', which holds no voxel"):
        load_real("digits", "test", image_shape=(GRID, GRID, GRID, 1))
    with pytest.raises(ValueError, match="Expected image data .* Received: dataset='shapes', which holds voxel"):
        load_real("shapes", "test", image_shape=(8, 8, 1))
    with pytest.raises(ValueError, match=r"Expected volumes in \[0, 1\] .* Received: values in \[0, 2\]"):
        evaluate(RepeatedSampler(2 * x[0]), (x, y), extractor, n=8, metrics=("fid",))
    # The digit sampler has 10 classes, the shapes classifier 8.
    with pytest.raises(ValueError, match="sampler's 10 classes for class agreement. Received: .* num_classes=8"):
        evaluate(make_sampler(), (x, y), extractor, n=8, metrics=("class_agreement",))
    with pytest.raises(ValueError, match=r"Expected no channel conversion for voxel data"):
        kgan.metrics.train_classifier("shapes", channels=3)
