"""Fixtures for kgan.data tests: small .npz files and image folders in tmp_path."""

import numpy as np
import pytest
from PIL import Image


@pytest.fixture
def write_npz(tmp_path):
    """Returns `write(name="data.npz", **arrays) -> path` saving an .npz in tmp_path."""

    def write(name="data.npz", **arrays):
        path = tmp_path / name
        np.savez(path, **arrays)
        return str(path)

    return write


def _save_image(path, array):
    """Saves a uint8 array (H, W) or (H, W, 3); the suffix picks PNG or JPEG."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(array, dtype=np.uint8)).save(path)
    return str(path)


@pytest.fixture
def save_image():
    """Returns `save(path, array) -> str`, writing a PNG/JPEG (dirs created)."""
    return _save_image


@pytest.fixture
def class_folder(tmp_path):
    """A labelled folder: cat/ holds 3 black 6x6 RGB PNGs, dog/ 2 white PNGs
    and 1 white JPEG. Plus a non-image file that must be ignored."""
    root = tmp_path / "animals"
    for i in range(3):
        _save_image(root / "cat" / f"{i}.png", np.zeros((6, 6, 3)))
    for i in range(2):
        _save_image(root / "dog" / f"{i}.png", np.full((6, 6, 3), 255))
    _save_image(root / "dog" / "2.jpg", np.full((6, 6, 3), 255))
    (root / "dog" / "notes.txt").write_text("not an image")
    return root


@pytest.fixture
def gray_folder(tmp_path):
    """A flat (unlabelled) folder of four 5x5 grayscale PNGs with values 0, 85, 170, 255."""
    root = tmp_path / "gray"
    for i, value in enumerate((0, 85, 170, 255)):
        _save_image(root / f"{i}.png", np.full((5, 5), value))
    return root
