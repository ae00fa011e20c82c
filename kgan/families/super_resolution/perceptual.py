"""The perceptual loss: distances between VGG19 features, taken before the activation (ESRGAN).

SRGAN compares images by the features of a VGG19 classifier after a ReLU;
ESRGAN takes them before it (conv5_4 before its ReLU), where they are denser
and keep the brightness of the image. kgan follows ESRGAN:

    L_percep = mean |phi(G(x_lr)) - phi(x_hr)|,   phi = VGG19 up to conv5_4, no ReLU

with images fed as VGG19 was trained (RGB -> BGR, 0..255, ImageNet channel
means subtracted; a gray image is repeated to three channels).

The ImageNet weights never download by themselves: `vgg19_features` reads a
local weights file (e.g. Keras' `vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5`,
or a `.weights.h5` saved from `keras.applications.VGG19(include_top=False)`),
or fetches Keras' copy only when called with `download=True`
(`kgan train --perceptual --download`).
"""

import os

import keras
import tensorflow as tf

LAYER = "block5_conv4"
# Keras' VGG19 ("caffe" preprocessing): BGR channel means over ImageNet.
BGR_MEANS = (103.939, 116.779, 123.68)


def vgg19_features(weights=None, download=False, layer=LAYER):
    """VGG19 from its input to `layer`, whose ReLU is left out; frozen.

    Args:
        weights: path of a local VGG19 weights file (no top), or None.
        download: with `weights=None`, fetch Keras' ImageNet weights (needs
            the network the first time; Keras caches them in ~/.keras).
        layer: the convolution whose pre-activation output is the feature.

    Returns:
        A functional `keras.Model` `(batch, H, W, 3)` caffe-preprocessed
        images -> features, named "vgg19_features".
    """
    if weights is None and not download:
        raise ValueError(
            "Expected the VGG19 weights of the perceptual loss: a local weights file (--vgg-weights PATH) or "
            "permission to download Keras' ImageNet weights (--download; needs the network). Received: neither"
        )
    if weights is not None:
        weights = os.fspath(weights)
        if not os.path.isfile(weights):
            raise FileNotFoundError(f"Expected a VGG19 weights file. Received: vgg_weights={weights!r} (not found)")
    base = keras.applications.VGG19(
        weights="imagenet" if weights is None else None, include_top=False, input_shape=(None, None, 3)
    )
    if weights is not None:
        base.load_weights(weights)
    target = base.get_layer(layer)
    config = {**target.get_config(), "activation": "linear", "name": f"{layer}_preact"}
    pre_activation = keras.layers.Conv2D.from_config(config)
    features = pre_activation(target.input)
    pre_activation.set_weights(target.get_weights())
    extractor = keras.Model(base.input, features, name="vgg19_features")
    extractor.trainable = False
    return extractor


def preprocess(images):
    """Images in [-1, 1] (1 or 3 channels) -> VGG19's input: BGR, 0..255, means subtracted."""
    images = tf.cast(images, tf.float32)
    if images.shape[-1] == 1:
        images = tf.repeat(images, 3, axis=-1)
    bgr = (images[..., ::-1] + 1.0) * 127.5
    return bgr - tf.constant(BGR_MEANS, tf.float32)


def perceptual_loss(extractor, sr, hr):
    """Mean absolute difference of the features of `sr` and `hr` (images in [-1, 1])."""
    return tf.reduce_mean(tf.abs(extractor(preprocess(sr), training=False) - extractor(preprocess(hr), training=False)))
