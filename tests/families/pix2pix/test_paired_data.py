"""`kgan.data.load_paired` on files the tests write, corrupt and mismatched ones included; the embedded demo."""

import os

import numpy as np
import pytest
from PIL import Image

import kgan
from kgan.data import photo_crops
from kgan.data import photo_restoration
from kgan.data import photos


def _pixels(seed, height=6, width=6, channels=3):
    return np.random.default_rng(seed).integers(0, 256, (height, width, channels), dtype=np.uint8)


def _save(array, path, fmt="PNG"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(array[..., 0] if array.shape[-1] == 1 else array).save(path, format=fmt)


def _float(array):
    return array.astype("float32") / 127.5 - 1.0


@pytest.fixture
def side_by_side(tmp_path):
    """facades-like: train/ with 3 good A|B images, an odd-width one and a corrupt one; test/ with one."""
    root = tmp_path / "facades"
    pairs = [(_pixels(i), _pixels(10 + i)) for i in range(3)]
    for i, (a, b) in enumerate(pairs):
        _save(np.concatenate([a, b], axis=1), str(root / "train" / f"{i}.png"))
    _save(_pixels(7, width=13), str(root / "train" / "odd.png"))
    (root / "train" / "broken.jpg").write_bytes(b"\xff\xd8\xff not a jpeg")
    _save(np.concatenate([_pixels(20), _pixels(21)], axis=1), str(root / "test" / "t.png"))
    return root, pairs


def test_side_by_side_folder_splits_halves_and_reports_bad_files(side_by_side):
    root, pairs = side_by_side
    with pytest.warns(UserWarning, match="Skipped 2 image file") as caught:
        source, target = kgan.data.load_paired(str(root), split="train")
    message = str(caught[0].message)
    assert "broken.jpg: does not decode" in message and "odd.png: expected A|B side by side" in message
    np.testing.assert_array_equal(source, np.stack([_float(a) for a, _ in pairs]))
    np.testing.assert_array_equal(target, np.stack([_float(b) for _, b in pairs]))
    swapped = kgan.data.load_paired(str(root), split="test", direction="b2a")
    np.testing.assert_array_equal(swapped[0][0], _float(_pixels(21)))
    with pytest.raises(ValueError, match=r"Could not use image file .*broken\.jpg: does not decode"):
        kgan.data.load_paired(str(root), split="train", on_error="raise")


def test_two_folders_pair_by_name_and_report_files_without_partners(tmp_path):
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    _save(_pixels(1), str(a_dir / "x.png"))
    _save(_pixels(2, channels=1), str(b_dir / "x.jpg"), "JPEG")
    _save(_pixels(3), str(a_dir / "y.png"))
    _save(_pixels(4), str(b_dir / "z.png"))
    with pytest.warns(UserWarning) as caught:
        source, target = kgan.data.load_paired(str(a_dir), str(b_dir), image_size=4, channels=3)
    message = str(caught[0].message)
    assert "y.png: no file named y.* in" in message and "z.png: no file named z.* in" in message
    assert source.shape == (1, 4, 4, 3) and target.shape == (1, 4, 4, 3)
    assert np.allclose(target[..., 0], target[..., 1])  # a grey JPEG made RGB
    with pytest.raises(ValueError, match=r"y\.png: no file named y"):
        kgan.data.load_paired(str(a_dir), str(b_dir), on_error="raise")


def test_a_and_b_subfolders_with_splits(tmp_path):
    for domain, seed in (("A", 0), ("B", 5)):
        for split in ("train", "test"):
            _save(_pixels(seed + len(split)), str(tmp_path / domain / split / "p.png"))
    source, target = kgan.data.load_paired(str(tmp_path), split="test")
    np.testing.assert_array_equal(source[0], _float(_pixels(4)))
    np.testing.assert_array_equal(target[0], _float(_pixels(9)))


def test_npz_with_source_and_target_and_a_test_split(tmp_path):
    path = str(tmp_path / "pairs.npz")
    source = np.random.default_rng(0).uniform(0, 1, (5, 8, 8, 3)).astype("float32")
    target = (np.arange(5 * 8 * 8).reshape(5, 8, 8) % 256).astype("uint8")
    np.savez(path, source=source, target=target, source_test=source[:2], target_test=target[:2])
    x, y = kgan.data.load_paired(path, image_size=4)
    assert x.shape == (5, 4, 4, 3) and y.shape == (5, 4, 4, 1)
    x, y = kgan.data.load_paired(path, split="test")
    np.testing.assert_allclose(x, np.rint(source[:2] * 255) / 127.5 - 1, atol=1e-6)
    np.savez(path, source=source, target=target[:3])
    with pytest.raises(ValueError, match="Expected as many source as target images"):
        kgan.data.load_paired(path)
    with pytest.raises(ValueError, match=r"Expected arrays \['source_test', 'target_test'\]"):
        kgan.data.load_paired(path, split="test")


def test_missing_sources_and_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError, match="Received: source='nowhere' \\(no such file or folder\\)"):
        kgan.data.load_paired("nowhere")
    with pytest.raises(ValueError, match="direction"):
        kgan.data.load_paired("photo_restoration", direction="up")
    os.makedirs(tmp_path / "flat")
    _save(np.concatenate([_pixels(0), _pixels(1)], axis=1), str(tmp_path / "flat" / "p.png"))
    with pytest.raises(ValueError, match="Expected a 'test' subfolder"):
        kgan.data.load_paired(str(tmp_path / "flat"), split="test")


def test_photo_restoration_is_fixed_held_out_and_degraded(monkeypatch):
    loaded = []
    original = photos.load
    monkeypatch.setattr(photos, "load", lambda name: loaded.append(name) or original(name))
    source, target = photo_restoration.load("test", image_size=16, count=6)
    assert set(loaded) <= set(photos.HELD_OUT) and not set(loaded) & set(photos.TRAINING)
    loaded.clear()
    again = photo_restoration.load("test", image_size=16, count=6)
    np.testing.assert_array_equal(again[0], source)
    loaded.clear()
    train_source, _ = photo_restoration.load("train", image_size=16, count=6)
    assert set(loaded) <= set(photos.TRAINING)
    assert source.shape == target.shape == train_source.shape == (6, 16, 16, 3)
    assert source.min() >= -1 and source.max() <= 1
    assert 0.02 < np.mean(np.abs(source - target)) < 0.3  # degraded, yet the same picture
    assert photo_crops.photo_names("test") == photos.HELD_OUT
    via_loader = kgan.data.load_paired("photo_restoration", split="test", image_size=16)
    assert via_loader[0].shape == (photo_restoration.COUNTS["test"], 16, 16, 3)
