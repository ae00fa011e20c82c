"""A small 3D CNN classifier of occupancy grids: the evaluator of voxel GANs.

The volume counterpart of the image classifier in `kgan.metrics.classifier`,
which builds it for inputs of rank 4 (`(depth, height, width, 1)`). Like
that one it ends in a ReLU layer named `"features"` and a softmax named
`"probabilities"`, so `kgan.metrics.ClassifierExtractor` reads both.
"""

FEATURES = "features"
FILTERS = (16, 32, 64)


def build_volume_classifier(input_shape, num_classes, feature_dim=128, seed=None):
    """Returns an uncompiled 3D CNN classifier of occupancy grids in [0, 1].

    Three 3x3x3 convolutions with stride 2 (16, 32, 64 filters), global
    average pooling, a ReLU dense layer named `"features"` and a softmax
    layer named `"probabilities"`.

    Args:
        input_shape: `(depth, height, width, 1)`.
        num_classes: Number of classes.
        feature_dim: Width of the `"features"` layer.
        seed: Seed for the weight initialisers, or `None`.

    Example:

    ```python
    model = kgan.metrics.build_classifier((16, 16, 16, 1), 8, seed=0)
    model.output_shape  # (None, 8)
    ```
    """
    import keras

    input_shape = tuple(input_shape)
    if len(input_shape) != 4 or input_shape[-1] != 1:
        raise ValueError(
            "Expected input_shape (depth, height, width, 1) for occupancy grids. "
            f"Received: input_shape={input_shape}"
        )

    def init(i):
        return keras.initializers.GlorotUniform(seed=None if seed is None else seed + i)

    grids = keras.Input(input_shape, name="voxels")
    x = grids
    for i, filters in enumerate(FILTERS):
        x = keras.layers.Conv3D(
            filters, 3, strides=2, padding="same", activation="relu", kernel_initializer=init(i), name=f"conv{i}"
        )(x)
    x = keras.layers.GlobalAveragePooling3D(name="pool")(x)
    features = keras.layers.Dense(feature_dim, activation="relu", kernel_initializer=init(3), name=FEATURES)(x)
    outputs = keras.layers.Dense(
        num_classes, activation="softmax", kernel_initializer=init(4), name="probabilities"
    )(features)
    return keras.Model(grids, outputs, name="voxel_classifier")
