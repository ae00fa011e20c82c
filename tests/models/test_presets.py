"""Architecture presets: every preset builds, overrides apply, errors are clear."""

import keras
import numpy as np
import pytest

from kgan import models


@pytest.mark.parametrize("name", sorted(models.PRESETS))
@pytest.mark.parametrize("num_classes", [None, 2])
def test_every_preset_builds_and_runs(name, num_classes):
    keras.utils.set_random_seed(0)
    g, d = models.build(name, image_size=8, channels=1, num_classes=num_classes)
    latent_dim = models.get_preset(name).latent_dim
    assert g.inputs[0].shape[-1] == latent_dim
    z = np.zeros((2, latent_dim), "float32")
    labels = np.array([0, 1], "int32")
    images = np.asarray(g(z if num_classes is None else [z, labels]))
    assert tuple(images.shape) == (2, 8, 8, 1)
    logits = d(images if num_classes is None else [images, labels])
    assert tuple(logits.shape) == (2, 1)


def test_preset_sizes_apply():
    g, d = models.build("dcgan_tiny", image_size=16, channels=3)
    assert g.get_layer("up_0").filters == 8 and d.get_layer("down_0").filters == 8
    g, d = models.build("mlp_small", image_size=8, channels=1)
    assert g.get_layer("dense_1").units == 256 and d.get_layer("dense_0").units == 256


def test_overrides():
    g, d = models.build("dcgan_tiny", 16, 1, latent_dim=5, normalization="layer")
    assert g.inputs[0].shape[-1] == 5
    types = {type(layer).__name__ for layer in d.layers}
    assert "LayerNormalization" in types and "BatchNormalization" not in types


def test_unknown_preset():
    with pytest.raises(ValueError, match=r"Unknown architecture preset. Expected one of \[.*\]. Received: preset='dcgan_huge'"):
        models.build("dcgan_huge", 8, 1)
    with pytest.raises(ValueError, match="Received: preset='x'"):
        models.get_preset("x")


def test_presets_are_documented():
    for name, preset in models.PRESETS.items():
        assert preset.family in ("mlp", "dcgan"), name
        assert preset.description and preset.latent_dim > 0
