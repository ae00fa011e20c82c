"""Super-resolution data: the degradation, seeded crops, flips and rotations, and the held-out photos."""

import dataclasses

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from kgan.data import degradation
from kgan.data import full_images
from kgan.data import patches
from kgan.data import photos
from kgan.families.super_resolution import recipe
from kgan.training.config import TrainConfig


def _images(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, shape, dtype="uint8") for shape in [(40, 52, 3), (64, 36, 3)]]


def test_downsampling_is_antialiased_bicubic_rounded_to_uint8():
    image = np.random.default_rng(0).integers(0, 256, (2, 12, 16, 3), dtype="uint8")
    expected = tf.image.resize(tf.cast(image, tf.float32), (3, 4), method="bicubic", antialias=True).numpy()
    np.testing.assert_array_equal(degradation.downsample(image, 4), np.clip(np.rint(expected), 0, 255))
    # A flat image stays flat; a 4 x 4 block average is what the widened kernel sees of a periodic pattern.
    np.testing.assert_array_equal(degradation.downsample(np.full((8, 8, 1), 77, "uint8"), 4), 77)
    with pytest.raises(ValueError, match="divisible by the scale 4"):
        degradation.downsample(image[:, :10], 4)


def test_modcrop_and_the_bicubic_baseline_sizes():
    hr = degradation.modcrop(np.zeros((301, 451, 3), "uint8"), 4)
    assert hr.shape == (300, 448, 3)
    assert degradation.bicubic_upscale(degradation.downsample(hr, 4), 4).shape == hr.shape


def test_crops_are_deterministic_per_seed_and_aligned():
    images = _images()
    first = patches.sr_pairs(images, 2, 16, 12, seed=5, min_std=0)
    again = patches.sr_pairs(images, 2, 16, 12, seed=5, min_std=0)
    other = patches.sr_pairs(images, 2, 16, 12, seed=6, min_std=0)
    for key in first:
        np.testing.assert_array_equal(first[key], again[key])
    assert not np.array_equal(first["hr"], other["hr"])
    assert first["lr"].shape == (12, 8, 8, 3) and first["hr"].shape == (12, 16, 16, 3)
    # Each pair is a crop of a whole degraded image: the LR crop sits at the HR crop's position / scale.
    for lr, hr, source in zip(first["lr"], first["hr"], first["source"]):
        whole = degradation.modcrop(images[source], 2)
        small = degradation.downsample(whole, 2)
        (top, left), = _positions(whole, hr)
        assert top % 2 == 0 and left % 2 == 0
        np.testing.assert_array_equal(lr, small[top // 2 : top // 2 + 8, left // 2 : left // 2 + 8])


def test_flat_crops_are_drawn_again():
    flat = np.full((64, 64, 3), 128, "uint8")
    textured = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype="uint8")
    pairs = patches.sr_pairs([flat, textured], 4, 16, 20, seed=0)
    assert set(pairs["source"]) == {1}
    kept = patches.sr_pairs([flat, textured], 4, 16, 20, seed=0, min_std=0)
    assert set(kept["source"]) == {0, 1}


def test_dihedral_gives_the_8_symmetries_and_commutes_with_the_degradation():
    x = np.random.default_rng(0).integers(0, 256, (1, 8, 8, 3), dtype="uint8")
    variants = [patches.dihedral(tf.constant(x), [code]).numpy() for code in range(8)]
    np.testing.assert_array_equal(variants[0], x)
    assert len({v.tobytes() for v in variants}) == 8
    np.testing.assert_array_equal(variants[5], np.transpose(x[:, :, ::-1], (0, 2, 1, 3)))
    for code in range(8):
        transformed_then_degraded = degradation.downsample(patches.dihedral(tf.constant(x), [code]).numpy(), 2)
        degraded_then_transformed = patches.dihedral(tf.constant(degradation.downsample(x, 2)), [code]).numpy()
        assert np.abs(transformed_then_degraded.astype(int) - degraded_then_transformed).max() <= 1


def test_the_embedded_split_keeps_the_held_out_photos_apart():
    assert not set(photos.HELD_OUT) & set(photos.TRAINING)
    names, images = full_images.read(photos.NAME, split="test")
    assert names == list(photos.HELD_OUT)
    assert all(image.dtype == np.uint8 and image.shape[-1] == 3 for image in images)


def test_training_never_reads_a_held_out_photo(monkeypatch):
    read = []
    original = photos.load
    monkeypatch.setattr(photos, "load", lambda name: read.append(name) or original(name))
    train = TrainConfig(family="super_resolution", dataset=photos.NAME, epochs=2, batch_size=4,
                        model={"crops": 8, "patch_size": 32, "scale": 4})
    info = recipe.data_info(train)
    train = dataclasses.replace(train, model=recipe.resolve(train, info))
    read.clear()
    _, training_images = full_images.read(train.dataset, split=train.split)
    examples = patches.sr_pairs(training_images, 4, 32, 8, seed=train.seed)
    assert read and set(read) <= set(photos.TRAINING)
    # No training crop occurs in a held-out photo.
    held_out = [original(name) for name in photos.HELD_OUT]
    for crop in examples["hr"]:
        assert not any(_positions(image, crop) for image in held_out)
    # The preview, the only reader of held-out photos, shows them and nothing else.
    read.clear()
    preview = recipe.preview_pairs(train)
    assert read == list(photos.HELD_OUT) and preview["hr"].shape == (3, 128, 128, 3)


def test_a_folder_and_an_npz_at_full_resolution(tmp_path):
    images = _images()
    (tmp_path / "photos" / "sub").mkdir(parents=True)
    Image.fromarray(images[0]).save(tmp_path / "photos" / "a.png")
    Image.fromarray(images[1][..., 0]).save(tmp_path / "photos" / "sub" / "b.png")  # gray, joins as RGB
    names, read = full_images.read(tmp_path / "photos")
    assert names == ["a.png", "sub/b.png"]
    np.testing.assert_array_equal(read[0], images[0])
    np.testing.assert_array_equal(read[1], np.repeat(images[1][..., :1], 3, axis=-1))
    np.savez(tmp_path / "x.npz", x=np.stack([images[0][:36, :36]] * 2).astype("float32") / 255.0)
    names, read = full_images.read(tmp_path / "x.npz")
    assert names == ["x[0]", "x[1]"]
    np.testing.assert_array_equal(read[0], images[0][:36, :36])
    with pytest.raises(FileNotFoundError, match="Expected 'sample_photos'"):
        full_images.read(tmp_path / "missing")


def _positions(image, crop):
    """Every `(top, left)` where `crop` occurs in `image`."""
    size = crop.shape[0]
    rows = np.argwhere(np.all(image[: image.shape[0] - size + 1, : image.shape[1] - size + 1] == crop[0, 0], axis=-1))
    return [(t, l) for t, l in rows if np.array_equal(image[t : t + size, l : l + size], crop)]
