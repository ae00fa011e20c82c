import re

import numpy as np
import pytest

import kgan


def test_class_subfolders_are_labels(class_folder):
    x, y, info = kgan.data.load_arrays(class_folder)
    assert info.class_names == ("cat", "dog") and info.num_classes == 2
    assert info.num_examples == 6 and info.native_shape == (6, 6, 3)
    assert x.shape == (6, 6, 6, 3) and x.dtype == np.float32
    np.testing.assert_array_equal(y, [0, 0, 0, 1, 1, 1])
    assert (x[:3] == -1.0).all()  # black cats
    np.testing.assert_allclose(x[3:5], 1.0)  # white dogs (PNG, lossless)
    np.testing.assert_allclose(x[5], 1.0, atol=0.02)  # white dog (JPEG)


def test_load_batches_with_labels(class_folder):
    ds = kgan.data.load(class_folder, batch_size=4, image_size=8, channels=1, seed=0)
    images_spec, labels_spec = ds.element_spec
    assert images_spec.shape == (4, 8, 8, 1) and labels_spec.shape == (4,)
    assert len(list(ds)) == 1  # 6 examples, drop_remainder


def test_flat_folder_is_unlabelled_grayscale(gray_folder):
    x, y, info = kgan.data.load_arrays(gray_folder)
    assert y is None and info.num_classes is None and info.class_names is None
    assert x.shape == (4, 5, 5, 1)
    np.testing.assert_allclose(x[:, 0, 0, 0], np.array([0, 85, 170, 255]) / 127.5 - 1, atol=1e-6)
    ds = kgan.data.load(gray_folder, batch_size=2)
    assert ds.element_spec.shape == (2, 5, 5, 1)
    with pytest.raises(ValueError, match="labels=True"):
        kgan.data.load(gray_folder, batch_size=2, labels=True)


def test_corrupt_files_are_skipped_with_their_paths(class_folder):
    garbage = class_folder / "cat" / "garbage.png"
    garbage.write_bytes(b"this is not a png")
    truncated = class_folder / "dog" / "truncated.png"
    data = (class_folder / "dog" / "0.png").read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.warns(UserWarning, match="Skipped 2 unreadable") as record:
        x, y, info = kgan.data.load_arrays(class_folder, on_error="skip")
    message = str(record[0].message)
    assert str(garbage) in message and str(truncated) in message
    assert info.num_examples == 6 and len(x) == 6


def test_corrupt_file_raises_naming_it(class_folder):
    garbage = class_folder / "dog" / "bad.jpg"
    garbage.write_bytes(b"\xff\xd8\xff garbage")
    with pytest.raises(ValueError, match=re.escape(str(garbage))):
        kgan.data.load(class_folder, batch_size=2, on_error="raise")


def test_mixed_sizes_need_image_size_and_are_centre_cropped(tmp_path, save_image):
    root = tmp_path / "mixed"
    save_image(root / "square.png", np.full((4, 4), 255))
    # 4 rows x 8 columns: black borders 2 wide, white centre 4 wide.
    wide = np.zeros((4, 8))
    wide[:, 2:6] = 255
    save_image(root / "wide.png", wide)
    with pytest.raises(ValueError, match=r"Expected image_size.*Received: image_size=None"):
        kgan.data.load(root, batch_size=1)
    info = kgan.data.info(root)
    assert info.native_shape == (None, None, 1) and info.image_shape == (None, None, 1)
    x, _, _ = kgan.data.load_arrays(root, image_size=4)
    assert x.shape == (2, 4, 4, 1)
    np.testing.assert_allclose(x, 1.0)  # The centre crop removed the black borders.
    x, _, _ = kgan.data.load_arrays(root, image_size=2, channels=3)
    assert x.shape == (2, 2, 2, 3)


def test_mixed_gray_and_rgb_decode_as_rgb(tmp_path, save_image):
    root = tmp_path / "mixed_modes"
    save_image(root / "a.png", np.full((3, 3), 255))
    save_image(root / "b.png", np.zeros((3, 3, 3)))
    x, _, info = kgan.data.load_arrays(root)
    assert info.native_shape == (3, 3, 3) and x.shape == (2, 3, 3, 3)
    np.testing.assert_allclose(x[0], 1.0)


def test_loose_top_level_images_are_ignored_with_warning(class_folder, save_image):
    save_image(class_folder / "stray.png", np.zeros((6, 6, 3)))
    with pytest.warns(UserWarning, match="Ignored 1 image file"):
        _, y, _ = kgan.data.load_arrays(class_folder)
    assert len(y) == 6


def test_folder_errors(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.txt").write_text("no images here")
    with pytest.raises(ValueError, match="Expected PNG or JPEG files"):
        kgan.data.load(empty)
    with pytest.raises(ValueError, match=r"one split.*Received: split='test'"):
        kgan.data.load(empty, split="test")


def test_all_files_corrupt(tmp_path):
    root = tmp_path / "broken"
    root.mkdir()
    (root / "a.png").write_bytes(b"nope")
    with pytest.warns(UserWarning, match="Skipped 1"):
        with pytest.raises(ValueError, match="at least one readable image"):
            kgan.data.load(root)
