"""`KerasExtractor`: features and class probabilities from a Keras model."""

import numpy as np

from kgan.metrics.extractors.resize import RESIZE_METHOD
from kgan.metrics.extractors.resize import convert_channels
from kgan.metrics.extractors.resize import resize_images


class KerasExtractor:
    """A feature extractor wrapping a Keras model with a fixed input shape.

    Images (float32 in [-1, 1], NHWC) are converted to the model's channels
    (grayscale repeated to RGB) and resized to its input size with
    `resize_images`, then passed through the model `batch_size` at a time.
    A model whose input has rank 4, `(D, H, W, 1)`, reads volumes (occupancy
    grids in [0, 1], shape `(n, D, H, W, 1)`) instead: those are never
    resized, so their grid must be the model's.

    Args:
        model: A Keras model taking images in [-1, 1] of shape
            `(H, W, C)`, or volumes in [0, 1] of shape `(D, H, W, 1)`. Its
            outputs are either the features, or `[features, probabilities]`
            (softmax class probabilities).
        name: Description for the protocol card.
        weights_hash: Hex SHA-256 of the weights (see `kgan.metrics.hashing`).
        batch_size: Images per forward pass.

    Example:

    >>> inputs = keras.Input((16, 16, 3))
    >>> features = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(32, 3)(inputs))
    >>> probabilities = keras.layers.Dense(10, activation="softmax")(features)
    >>> model = keras.Model(inputs, [features, probabilities])
    >>> extractor = KerasExtractor(model, name="my-net", weights_hash="0" * 64)
    >>> extractor(images).shape, extractor.probabilities(images).shape  # 8x8 grey digits in
    ((16, 32), (16, 10))
    """

    resize_method = RESIZE_METHOD

    def __init__(self, model, name, weights_hash, batch_size=64):
        import tensorflow as tf

        input_shape = tuple(model.input_shape[1:])
        if len(input_shape) not in (3, 4) or None in input_shape:
            raise ValueError(
                "Expected a model with a fixed input shape: images (height, width, channels) or "
                f"volumes (depth, height, width, 1). Received: input_shape={input_shape}"
            )
        if len(model.outputs) not in (1, 2):
            raise ValueError(
                "Expected a model with 1 output (features) or 2 outputs "
                f"(features, probabilities). Received: {len(model.outputs)} outputs"
            )
        self.model = model
        self.name = name
        self.weights_hash = weights_hash
        self.batch_size = batch_size
        # (height, width) of images, (depth, height, width) of volumes.
        self.input_size = input_shape[:-1]
        self.channels = input_shape[-1]
        self.volumes = len(input_shape) == 4
        self.feature_dim = int(model.outputs[0].shape[-1])
        probs = model.outputs[1] if len(model.outputs) == 2 else None
        self.num_classes = None if probs is None else int(probs.shape[-1])
        self._forward = tf.function(self._forward_batch, reduce_retracing=True)

    def __call__(self, images):
        """Returns float32 features `(n, feature_dim)`."""
        return self._run(images)[0]

    def probabilities(self, images):
        """Returns float32 class probabilities `(n, num_classes)`."""
        self._check_has_probabilities()
        return self._run(images)[1]

    def features_and_probabilities(self, images):
        """Returns `(features, probabilities)` from one forward pass."""
        self._check_has_probabilities()
        return self._run(images)

    def _check_has_probabilities(self):
        if self.num_classes is None:
            raise ValueError(
                "Expected an extractor with a probabilities output. Received: "
                f"extractor {self.name!r} whose model only outputs features"
            )

    def _run(self, images):
        images = np.asarray(images, np.float32)
        self._check_input(images)
        batches = [
            self._forward(images[start : start + self.batch_size])
            for start in range(0, len(images), self.batch_size)
        ]
        return tuple(
            np.concatenate([np.asarray(batch[i]) for batch in batches]).astype(np.float32)
            for i in range(len(self.model.outputs))
        )

    def _check_input(self, images):
        """Refuses volumes for an image network and the reverse, saying which is which."""
        if self.volumes:
            expected = "volumes (n, depth, height, width, 1) in [0, 1]"
            network = f"a volume network of {_sides(self.input_size)} grids"
        else:
            expected = "images (n, height, width, channels)"
            network = f"an image network of {_sides(self.input_size)} images"
        received = {4: "images", 5: "volumes"}.get(images.ndim, "an array")
        if images.ndim != len(self.input_size) + 2 or len(images) == 0:
            raise ValueError(
                f"Expected a non-empty batch of {expected} for extractor {self.name!r}, {network}. "
                f"Received: {received} of shape {images.shape}"
            )
        if self.volumes and images.shape[1:] != (*self.input_size, self.channels):
            raise ValueError(
                f"Expected volumes of {_sides(self.input_size)} grids with 1 channel for extractor "
                f"{self.name!r} (volumes are not resized: use a classifier trained at the generator's "
                f"grid size). Received: volumes of shape {images.shape}"
            )

    def _forward_batch(self, images):
        if not self.volumes:
            images = convert_channels(images, self.channels)
            images = resize_images(images, self.input_size)
        outputs = self.model(images, training=False)
        return tuple(outputs) if isinstance(outputs, (list, tuple)) else (outputs,)


def _sides(size):
    """`(16, 16, 16)` -> `"16x16x16"`."""
    return "x".join(str(int(side)) for side in size)
