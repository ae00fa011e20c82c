"""The U-Net, PatchGAN and ResNet generator builders: the papers' structure, scaled; any image size."""

import keras
import numpy as np
import pytest

import kgan
from kgan.models import padding
from kgan.models import patchgan
from kgan.models import resnet
from kgan.models import unet


def _layers(model, kind):
    return [layer for layer in model.layers if isinstance(layer, kind)]


def test_unet_depth_skips_dropout_and_normalization():
    assert [unet.unet_depth(s) for s in (8, 32, 64, 256, 512)] == [3, 5, 6, 8, 8]
    g = kgan.models.unet_generator(3, 1, image_size=32, base_filters=4)
    downs = [layer for layer in _layers(g, keras.layers.Conv2D) if layer.name.startswith("down_")]
    assert [layer.filters for layer in downs] == [4, 8, 16, 32, 32]  # doubling, capped at 8x
    assert [layer.strides for layer in downs] == [(2, 2)] * 5
    assert len(_layers(g, keras.layers.Concatenate)) == 4  # a skip at every level but the outermost
    assert [layer.name for layer in _layers(g, keras.layers.Dropout)] == ["up_4_dropout", "up_3_dropout", "up_2_dropout"]
    norms = [layer.name for layer in _layers(g, keras.layers.GroupNormalization)]
    assert "down_0_norm" not in norms and "down_4_norm" not in norms and "down_1_norm" in norms
    assert all(layer.groups == layer.gamma.shape[0] for layer in _layers(g, keras.layers.GroupNormalization))
    assert g.outputs[0].shape[-1] == 1 and g.inputs[0].name == "source"


def test_unet_takes_any_size_and_is_deterministic_at_inference():
    g = kgan.models.unet_generator(3, image_size=16, base_filters=4)
    rng = np.random.default_rng(0)
    for shape in [(2, 16, 16, 3), (1, 5, 23, 3), (1, 1, 1, 3)]:
        x = rng.uniform(-1, 1, shape).astype("float32")
        out = np.asarray(g(x, training=False))
        assert out.shape == shape and np.abs(out).max() <= 1
        np.testing.assert_array_equal(out, np.asarray(g(x, training=False)))
    x = rng.uniform(-1, 1, (2, 16, 16, 3)).astype("float32")
    assert not np.allclose(np.asarray(g(x, training=True)), np.asarray(g(x, training=True)))  # dropout: noise


def test_padding_is_the_identity_at_the_training_size():
    x = np.random.default_rng(0).uniform(-1, 1, (2, 8, 16, 3)).astype("float32")
    np.testing.assert_array_equal(np.asarray(padding.PadToMultiple(8)(x)), x)
    padded = np.asarray(padding.PadToMultiple(8, minimum=16)(x[:, :5, :9]))
    assert padded.shape == (2, 16, 16, 3) and np.all(padded[:, 5:] == 0) and np.all(padded[:, :, 9:] == 0)
    np.testing.assert_array_equal(np.asarray(padding.CropToMatch()([padded, x[:, :5, :9]])), x[:, :5, :9])
    reflected = np.asarray(padding.ReflectionPadding2D(1)(x[:1, :3, :3, :1]))[0, :, :, 0]
    np.testing.assert_array_equal(reflected[0, 1:-1], x[0, 1, :3, 0])  # the row beyond the edge mirrors row 1
    with pytest.raises(ValueError, match="multiple of 8"):
        padding.PadToMultiple(8, minimum=12)


def test_patchgan_receptive_fields_and_scaling():
    assert [patchgan.receptive_field(n) for n in range(1, 6)] == [16, 34, 70, 142, 286]
    assert [patchgan.patch_layers(s) for s in (8, 32, 64, 128, 256, 512)] == [1, 1, 1, 2, 3, 4]
    d = kgan.models.patchgan_discriminator(3, source_channels=1, image_size=256, base_filters=4)
    convs = _layers(d, keras.layers.Conv2D)
    assert [c.filters for c in convs] == [4, 8, 16, 32, 1]  # C64-C128-C256-C512, then one logit
    assert [c.strides for c in convs] == [(2, 2)] * 3 + [(1, 1)] * 2
    assert sorted(t.name for t in d.inputs) == ["images", "source"]
    x = np.zeros((2, 40, 24, 3), "float32")
    assert d({"source": x[..., :1], "images": x}).shape == (2, 5, 3, 1)
    # A pixel reaches only the logits whose patch holds it (without instance norm's image-wide statistics):
    # with one stride-2 layer, logit p sees input pixels 2p - 5 .. 2p + 10, 16 px.
    local = kgan.models.patchgan_discriminator(1, image_size=32, base_filters=2, normalization=None)
    probe = np.zeros((1, 64, 64, 1), "float32")
    base = np.asarray(local(probe))
    probe[0, 0, 0, 0] = 1.0
    changed = np.argwhere(np.abs(np.asarray(local(probe)) - base)[0, :, :, 0] > 0)
    assert len(changed) and changed.max() <= 2


def test_resnet_generator_blocks_and_sizes():
    assert [resnet.resnet_blocks(s) for s in (32, 128, 129, 256)] == [6, 6, 9, 9]
    g = kgan.models.resnet_generator(3, 1, image_size=32, base_filters=4)
    assert len([layer for layer in g.layers if layer.name.endswith("_add")]) == 6
    assert [layer.filters for layer in _layers(g, keras.layers.Conv2D) if layer.name.startswith("down_")] == [8, 16]
    assert len(_layers(g, padding.ReflectionPadding2D)) == 2 + 2 * 6
    for shape in [(2, 32, 32, 3), (1, 7, 13, 3), (1, 1, 2, 3)]:
        assert g(np.zeros(shape, "float32")).shape == (*shape[:3], 1)
