"""kgan.images: [-1, 1] floats to uint8, grids, atomic PNG files."""

import os

import numpy as np
import pytest
from PIL import Image

from kgan import atomic
from kgan import images


def test_to_uint8_maps_range_ends_and_clips():
    x = np.array([-1.0, 0.0, 1.0, -3.0, 2.5, -0.5, 0.5], "float32")
    # (x + 1) * 127.5, rounded half to even: 0 -> 127.5 -> 128, -0.5 -> 63.75 -> 64.
    np.testing.assert_array_equal(images.to_uint8(x), [0, 128, 255, 0, 255, 64, 191])
    assert images.to_uint8(x).dtype == np.uint8


def test_make_grid_shape_with_padding_rows_and_scale():
    x = np.zeros((6, 4, 5, 1), "float32")
    # 6 images, rows=2 -> 3 columns; tiles (4*2, 5*2) after scale=2; padding 3.
    grid = images.make_grid(x, rows=2, padding=3, scale=2)
    assert grid.shape == (2 * (8 + 3) + 3, 3 * (10 + 3) + 3, 1)
    assert grid.dtype == np.uint8


def test_make_grid_default_rows_is_near_square_and_pads():
    x = np.full((10, 2, 2, 3), 1.0, "float32")  # white tiles
    grid = images.make_grid(x, padding=1, pad_value=7)
    # floor(sqrt(10)) = 3 rows, ceil(10 / 3) = 4 columns.
    assert grid.shape == (3 * 3 + 1, 4 * 3 + 1, 3)
    assert (grid[0] == 7).all() and (grid[:, 0] == 7).all()
    assert (grid[1:3, 1:3] == 255).all()
    # Slots after the 10th image (row 2, columns 2 and 3) stay padding.
    assert (grid[7:9, 7:9] == 7).all() and (grid[7:9, 10:12] == 7).all()


def test_make_grid_places_tiles_in_row_major_order():
    x = np.stack([np.full((2, 2, 1), v, "uint8") for v in (10, 20, 30, 40)])
    grid = images.make_grid(x, rows=2, padding=0)
    np.testing.assert_array_equal(grid[::2, ::2, 0], [[10, 20], [30, 40]])


@pytest.mark.parametrize("shape", [(4, 8, 8), (4, 8, 8, 2), (8, 8, 1)])
def test_make_grid_rejects_bad_shape(shape):
    with pytest.raises(ValueError, match=r"Expected images of shape \(n, height, width, 1 or 3\)"):
        images.make_grid(np.zeros(shape, "float32"))


@pytest.mark.parametrize("channels", [1, 3])
def test_save_png_writes_readable_png_and_no_temp_file(tmp_path, channels):
    rng = np.random.default_rng(0)
    array = rng.integers(0, 256, (5, 7, channels), dtype=np.uint8)
    path = tmp_path / "sub" / "grid.png"
    assert images.save_png(array, str(path)) == str(path)
    with Image.open(path) as im:
        assert im.format == "PNG"
        assert im.size == (7, 5)
        read = np.asarray(im)
    np.testing.assert_array_equal(read, array[..., 0] if channels == 1 else array)
    assert os.listdir(path.parent) == ["grid.png"]


def test_save_png_removes_temp_file_when_write_fails(tmp_path, monkeypatch):
    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        images.save_png(np.zeros((3, 3, 1), "uint8"), str(tmp_path / "x.png"))
    assert os.listdir(tmp_path) == []
