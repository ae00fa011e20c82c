"""`InceptionExtractor`: InceptionV3 pool features from `keras.applications`.

Note on comparability: these are Keras' ImageNet InceptionV3 weights, not the
2015 TensorFlow graph (`pt_inception-2015-12-05`) that TTUR, pytorch-fid and
clean-fid use. The FID formula and preprocessing match the references, but
absolute scores are comparable only with other scores made with the same
weights, which the protocol card identifies by SHA-256.
"""

import os
import warnings

from kgan.metrics.extractors.keras_extractor import KerasExtractor
from kgan.metrics.hashing import file_sha256
from kgan.metrics.hashing import weights_sha256

INPUT_SIZE = 299
# The files `keras.applications.InceptionV3(weights="imagenet")` fetches,
# with the MD5 digests Keras checks them against.
WEIGHTS_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
    "inception_v3_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
)
WEIGHTS_MD5 = {
    "": "9a0d58056eeedaa3f26cb7ebd46da564",
    "_notop": "bcbd6486424b2319ff4ef7d526e38f63",
}


class InceptionExtractor(KerasExtractor):
    """InceptionV3 2048-d pool features (and 1000-class probabilities).

    Images in [-1, 1] (InceptionV3's own input range) are converted to RGB
    and resized to 299x299 in float with antialiased bicubic filtering.

    Args:
        weights: Path of a local Keras InceptionV3 weights file (`.h5`), or
            `None` for random weights (only useful to test the code path:
            a warning says so), or to download when `download=True`.
        include_top: Whether `weights` includes the classifier top
            (`inception_v3_weights_tf_dim_ordering_tf_kernels.h5`), which
            gives class probabilities for the Inception Score. The `_notop`
            file needs `include_top=False` and gives features only.
        download: With `weights=None`, download the Keras ImageNet weights
            into `~/.keras/models` (the network is used only then).
        batch_size: Images per forward pass.

    With the Keras ImageNet weights file at hand,
    `InceptionExtractor("inception_v3_weights_tf_dim_ordering_tf_kernels.h5")(images)`
    gives `(n, 2048)` features; the file is Keras' own download, which kgan
    never fetches unless asked (`download=True`, `kgan evaluate --download`).
    """

    def __init__(self, weights=None, include_top=True, download=False, batch_size=32):
        import keras

        weights_file = _weights_file(weights, include_top, download)
        try:
            base = keras.applications.InceptionV3(
                include_top=include_top,
                weights=weights_file,
                input_shape=(INPUT_SIZE, INPUT_SIZE, 3),
                pooling=None if include_top else "avg",
            )
        except ValueError as e:
            raise ValueError(
                "Expected Keras InceptionV3 weights matching include_top "
                "(the `_notop` file needs include_top=False). Received: "
                f"weights={weights_file!r}, include_top={include_top} ({e})"
            ) from e
        if include_top:
            outputs = [base.get_layer("avg_pool").output, base.output]
        else:
            outputs = [base.output]
        model = keras.Model(base.inputs, outputs, name="inception_v3_features")
        if weights_file is None:
            name = "keras.applications.InceptionV3(random weights)"
            digest = weights_sha256(model)
        else:
            name = f"keras.applications.InceptionV3({os.path.basename(weights_file)})"
            digest = file_sha256(weights_file)
        super().__init__(model, name=name, weights_hash=digest, batch_size=batch_size)
        self.weights = weights_file
        self.include_top = include_top


def _weights_file(weights, include_top, download):
    """Returns the local weights path, or `None` for random weights."""
    if weights is None and download:
        import keras

        suffix = "" if include_top else "_notop"
        return keras.utils.get_file(
            f"inception_v3_weights_tf_dim_ordering_tf_kernels{suffix}.h5",
            WEIGHTS_URL.format(suffix=suffix),
            cache_subdir="models",
            file_hash=WEIGHTS_MD5[suffix],
        )
    if weights is None:
        warnings.warn(
            "InceptionExtractor with weights=None uses random weights: its "
            "scores only exercise the code path. Pass a weights file, or "
            "download=True to fetch the ImageNet weights.",
            stacklevel=3,
        )
        return None
    if not isinstance(weights, (str, os.PathLike)) or not os.path.isfile(weights):
        raise ValueError(
            "Expected `weights` to be the path of a local InceptionV3 weights "
            "file, or None (with download=True to fetch the ImageNet weights). "
            f"Received: weights={weights!r}"
        )
    return os.fspath(weights)
