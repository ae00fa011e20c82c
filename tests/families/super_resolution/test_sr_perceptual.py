"""The VGG19 perceptual loss: weights from a local file only, features before the activation.

Offline there are no ImageNet weights, so a randomly initialised VGG19 saved to
a local file stands in for them: the test is that the file's weights are the
ones used, and that the feature is conv5_4's output before its ReLU.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import kgan
import sr_tiny
from harness import FamilyCase
from harness import fit
from kgan.families.super_resolution import perceptual


@pytest.fixture(scope="module")
def weights_file(tmp_path_factory):
    keras.utils.set_random_seed(7)
    vgg = keras.applications.VGG19(weights=None, include_top=False, input_shape=(None, None, 3))
    path = tmp_path_factory.mktemp("vgg") / "vgg19_notop.weights.h5"
    vgg.save_weights(path)
    return vgg, path


def test_features_are_conv5_4_before_its_relu_with_the_files_weights(weights_file):
    vgg, path = weights_file
    keras.utils.set_random_seed(99)  # other initial weights: only the file can make them equal
    extractor = perceptual.vgg19_features(path)
    assert not extractor.trainable and extractor.layers[-1].get_config()["activation"] == "linear"
    x = np.random.default_rng(0).normal(0, 50, (2, 32, 32, 3)).astype("float32")
    after_relu = keras.Model(vgg.input, vgg.get_layer("block5_conv4").output)(x)
    features = extractor(x)
    np.testing.assert_allclose(np.maximum(features, 0.0), after_relu, rtol=1e-5, atol=1e-4)
    assert float(tf.reduce_min(features)) < 0.0  # negative values survive: no activation


def test_kerass_own_notop_h5_file_loads(weights_file, tmp_path):
    # The file Keras downloads (vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5) is in the legacy HDF5 format.
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    vgg, _ = weights_file
    path = tmp_path / "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, vgg)
    keras.utils.set_random_seed(5)
    extractor = perceptual.vgg19_features(path)
    pairs = [("block1_conv1", "block1_conv1"), ("block5_conv3", "block5_conv3"), ("block5_conv4_preact", "block5_conv4")]
    for ours, theirs in pairs:
        for a, b in zip(extractor.get_layer(ours).get_weights(), vgg.get_layer(theirs).get_weights(), strict=True):
            np.testing.assert_array_equal(a, b, err_msg=ours)


def test_weights_never_download_without_being_asked(tmp_path):
    with pytest.raises(ValueError, match=r"--vgg-weights PATH.*or permission to download.*Received: neither"):
        perceptual.vgg19_features()
    with pytest.raises(FileNotFoundError, match="not found"):
        perceptual.vgg19_features(tmp_path / "missing.h5")
    from kgan.training.config import TrainConfig

    with pytest.raises(ValueError, match="--vgg-weights PATH .* or --download"):
        TrainConfig(family="super_resolution", model={"perceptual": True}).validate()


def test_preprocessing_is_keras_vgg19s():
    images = np.random.default_rng(0).uniform(-1, 1, (1, 4, 4, 3)).astype("float32")
    expected = keras.applications.vgg19.preprocess_input((images + 1.0) * 127.5)
    np.testing.assert_allclose(perceptual.preprocess(images), expected, atol=1e-4)
    gray = images[..., :1]
    np.testing.assert_allclose(perceptual.preprocess(gray), perceptual.preprocess(np.repeat(gray, 3, -1)))


def test_a_model_with_the_perceptual_loss_trains_and_saves(weights_file, tmp_path):
    _, path = weights_file

    def make():
        g, d = sr_tiny.networks(2)
        # VGG19 up to block2_conv2 (its pre-activation), from the file: the same code as conv5_4 (the test above),
        # with a quarter of the convolutions to trace in the step and about 1% of the weights to save and load.
        extractor = perceptual.vgg19_features(path, layer="block2_conv2")
        model = kgan.SuperResolutionGAN(g, d, 2, perceptual=extractor, seed=0)
        model.compile()
        return model

    model = make()
    history = fit(model, FamilyCase("percep", make, sr_tiny.pairs(8), 8, None), epochs=1)
    assert history["perceptual_loss"][0] > 0.0
    # G's loss in the GAN phase is 1e-2 pixel + 1 perceptual + 5e-3 adversarial (ESRGAN's weights).
    expected = 1e-2 * history["pixel_loss"][0] + history["perceptual_loss"][0] + 5e-3 * history["g_adversarial"][0]
    assert history["g_loss"][0] == pytest.approx(expected, rel=1e-5)
    model.save(tmp_path / "sr.keras")
    loaded = keras.models.load_model(tmp_path / "sr.keras")
    for a, b in zip(loaded.perceptual.weights, model.perceptual.weights, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert not loaded.perceptual.trainable
