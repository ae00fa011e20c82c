"""`kgan.data.load_unpaired` on files the tests write (corrupt ones included), `aligned`, the embedded demo."""

import os

import numpy as np
import pytest
from PIL import Image

import kgan
from kgan.data import digits_on_photos
from kgan.data import photos
from kgan.data import unpaired


def _save(path, seed, size=6, mode="RGB"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    channels = 3 if mode == "RGB" else 1
    pixels = np.random.default_rng(seed).integers(0, 256, (size, size, channels), dtype=np.uint8)
    Image.fromarray(pixels if channels == 3 else pixels[..., 0]).save(path)
    return pixels


@pytest.fixture
def horse2zebra(tmp_path):
    """The CycleGAN datasets' layout: trainA/ trainB/ testA/ testB/, with a corrupt file in trainB."""
    root = tmp_path / "horse2zebra"
    expected = {}
    for folder, count in (("trainA", 3), ("trainB", 2), ("testA", 1), ("testB", 1)):
        expected[folder] = [_save(str(root / folder / f"{i}.png"), seed=len(folder) * 10 + i) for i in range(count)]
    (root / "trainB" / "z_broken.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    return root, expected


def test_cyclegan_folder_layout_and_corrupt_files(horse2zebra):
    root, expected = horse2zebra
    with pytest.warns(UserWarning, match=r"(?s)Skipped 1 unreadable image file.*z_broken\.png"):
        data = kgan.data.load_unpaired(str(root), split="train")
    assert data.a.shape == (3, 6, 6, 3) and data.b.shape == (2, 6, 6, 3)
    np.testing.assert_allclose(data.b[1], expected["trainB"][1] / 127.5 - 1, atol=1e-6)
    assert data.names == ("horse2zebra/A", "horse2zebra/B") and data.a_labels is None
    test = kgan.data.load_unpaired(str(root), split="test", image_size=4)
    assert test.a.shape == (1, 4, 4, 3)
    with pytest.raises(ValueError, match=r"Could not read image file .*z_broken\.png"):
        kgan.data.load_unpaired(str(root), on_error="raise")


def test_two_folders_and_two_npz_files(tmp_path):
    _save(str(tmp_path / "gray" / "g.png"), 1, mode="L")
    _save(str(tmp_path / "color" / "c.png"), 2)
    data = kgan.data.load_unpaired(str(tmp_path / "gray"), str(tmp_path / "color"), channels=3)
    assert data.a.shape == data.b.shape == (1, 6, 6, 3)
    for name, n in (("a.npz", 5), ("b.npz", 3)):
        np.savez(tmp_path / name, x=np.zeros((n, 4, 4, 1), "uint8"), x_test=np.full((2, 4, 4, 1), 255, "uint8"))
    data = kgan.data.load_unpaired(str(tmp_path / "a.npz"), str(tmp_path / "b.npz"), split="test")
    assert data.a.shape == (2, 4, 4, 1) and np.all(data.b == 1.0)


def test_missing_second_domain_and_bad_split_are_refused(tmp_path):
    with pytest.raises(ValueError, match="Expected a second domain"):
        kgan.data.load_unpaired("digits")
    os.makedirs(tmp_path / "only_a" / "trainA")
    with pytest.raises(ValueError, match="trainA/ and trainB/"):
        kgan.data.load_unpaired(str(tmp_path / "only_a"))
    with pytest.raises(ValueError, match="split"):
        kgan.data.load_unpaired("digits", "digits_on_photos", split="val")


def test_tfds_cycle_gan_reads_its_four_splits_and_is_not_downloaded_without_download(tmp_path):
    tfds = pytest.importorskip("tensorflow_datasets")
    with pytest.raises(kgan.data.DatasetNotFoundError, match="download=True"):
        kgan.data.load_unpaired("cycle_gan/horse2zebra", data_dir=str(tmp_path))
    with tfds.testing.mock_data(num_examples=3):
        data = kgan.data.load_unpaired("tfds:cycle_gan/horse2zebra", split="test", image_size=8)
    assert data.a.shape == data.b.shape == (3, 8, 8, 3) and data.names == ("horse2zebra/A", "horse2zebra/B")


def test_aligned_takes_each_domain_in_its_own_order():
    a, b = np.arange(7), np.arange(3)
    ia, ib = unpaired.aligned(a, b, seed=0)
    assert len(ia) == len(ib) == 7
    assert sorted(ia) == list(range(7))  # the larger domain once
    assert np.bincount(ib, minlength=3).tolist() in ([3, 2, 2], [2, 3, 2], [2, 2, 3])  # the smaller ~equally often
    again = unpaired.aligned(a, b, seed=0)
    np.testing.assert_array_equal(again[0], ia)
    same = unpaired.aligned(np.arange(50), np.arange(50), seed=1)
    assert not np.array_equal(same[0], same[1])  # equal sizes: still unrelated orders


def test_digits_on_photos_keeps_labels_uses_held_out_photos_and_is_fixed(monkeypatch):
    loaded = []
    original = photos.load
    monkeypatch.setattr(photos, "load", lambda name: loaded.append(name) or original(name))
    x, y = digits_on_photos.load("test", image_size=16)
    plain, plain_y = digits_on_photos.plain_digits("test", image_size=16)
    assert set(loaded) == set(photos.HELD_OUT)
    np.testing.assert_array_equal(y, plain_y)
    assert x.shape == (len(y), 16, 16, 3) and x.min() >= -1 and x.max() <= 1
    # Where the digit has full ink the image is one colour; elsewhere it is the photo.
    ink = (plain[..., 0] + 1) / 2
    first = x[0][ink[0] > 0.99]
    assert len(first) and first.std(axis=0).max() < 0.02 and x[0][ink[0] < 0.01].std() > 0.05
    again, _ = digits_on_photos.load("test", image_size=16)
    np.testing.assert_array_equal(again, x)
    data = kgan.data.load_unpaired("digits", "digits_on_photos", split="test", image_size=16)
    np.testing.assert_array_equal(data.b, x)
    np.testing.assert_array_equal(data.a, plain)
    assert data.names == ("digits", "digits_on_photos")
