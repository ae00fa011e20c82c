"""`SyntheticReplacement`: a layer that swaps real images for generated ones."""

import keras
import tensorflow as tf

from kgan.augment import formatting
from kgan.augment import sampler as sampler_lib
from kgan.augment.mixing import check_fraction


@keras.saving.register_keras_serializable(package="kgan")
class SyntheticReplacement(keras.layers.Layer):
    """Replaces a fraction of each training batch with generated images.

    A preprocessing layer for unlabelled use (self-supervised or
    reconstruction models, or a classifier that only needs more inputs):
    labels, which the layer never sees, are not changed. For labelled data
    use `kgan.augment.mix`, which keeps each synthetic image's label.

    In training, `round(fraction * batch)` images at random positions are
    replaced by generated ones; at inference the layer is the identity. A
    conditional generator draws classes uniformly at random. Generated images
    are resized, range-mapped (`value_range`) and cast to match the inputs.

    A Keras generator is copied and frozen at construction: training the
    classifier never changes it, later training of the GAN does not reach
    it, and it is saved with the model that holds the layer. An exported
    SavedModel is loaded from its folder, which the layer's config records
    (the folder must still exist when the model is reloaded). Noise comes
    from a `SeedGenerator`, with the replica id folded in under
    `tf.distribute`.

    Args:
        generator: a `kgan.GAN` (its EMA generator when enabled), a Keras
            generator model, or an exported SavedModel folder. An ONNX file
            cannot run inside a Keras model; use `synthetic_dataset` for it.
        fraction: share of each batch to replace, in [0, 1].
        value_range: `(low, high)` of the input images, onto which the
            generator's [-1, 1] is mapped.
        num_classes: classes to draw for a conditional generator; None to
            use the generator's.
        seed: integer seed of the noise, or None.

    Example:

    ```python
    model = keras.Sequential([
        keras.Input((8, 8, 1)),
        kgan.augment.SyntheticReplacement(gan, fraction=0.25, seed=0),
        keras.layers.Flatten(),
        keras.layers.Dense(10),
    ])
    ```
    """

    def __init__(self, generator, fraction, value_range=(-1, 1), num_classes=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(generator, dict):  # from get_config
            generator = keras.saving.deserialize_keras_object(generator)
        sampler = sampler_lib.as_sampler(generator)
        if sampler.keras_model is None and sampler.saved_model_path is None:
            raise ValueError(
                "Expected `generator` to be a kgan.GAN, a Keras generator model or a SavedModel "
                "folder: an ONNX generator cannot run inside a Keras model (use "
                f"kgan.augment.synthetic_dataset for it). Received: generator={generator!r}"
            )
        self.fraction = check_fraction("fraction", fraction)
        self.value_range = formatting.check_value_range(value_range)
        self.num_classes = sampler_lib.check_num_classes(sampler, num_classes)
        self.seed = seed
        self.latent_dim = sampler.latent_dim
        if sampler.keras_model is not None:
            self.generator = _frozen_copy(sampler.keras_model)
            self.saved_model_path = None
        else:  # the SavedModel's `generate` signature: z [, labels] -> {"images": ...}
            self.generator = None
            self.saved_model_path = sampler.saved_model_path
            self._exported = sampler.model  # keeps the loaded variables alive
        self.seed_generator = keras.random.SeedGenerator(seed, name="replacement_seed")

    def call(self, inputs, training=None):
        if not training or self.fraction == 0.0:
            return inputs
        n = tf.shape(inputs)[0]
        k = tf.cast(tf.round(self.fraction * tf.cast(n, tf.float32)), tf.int32)
        seed = self._replica_seed()
        # 1. k distinct positions: the first k of a random permutation.
        positions = tf.argsort(tf.random.stateless_uniform([n], seed=seed))[:k]
        # 2. k generated images, formatted like the inputs.
        z = tf.random.stateless_normal([k, self.latent_dim], seed=self._fold(seed, 1))
        labels = None
        if self.num_classes is not None:
            labels = tf.random.stateless_uniform(
                [k], seed=self._fold(seed, 2), minval=0, maxval=self.num_classes, dtype=tf.int32
            )
        generated = self._generate(z, labels)
        generated = formatting.format_images(
            generated,
            self.value_range,
            tf.as_dtype(inputs.dtype),
            image_size=tuple(inputs.shape[1:3]),
            channels=inputs.shape[-1],
        )
        # 3. Scatter them in; no gradient flows into the frozen generator.
        return tf.tensor_scatter_nd_update(inputs, positions[:, None], tf.stop_gradient(generated))

    def _generate(self, z, labels):
        if self.generator is None:
            feeds = {"z": z} if labels is None else {"z": z, "labels": labels}
            return self._exported.signature(**feeds)["images"]
        return self.generator(z if labels is None else [z, labels], training=False)

    def _replica_seed(self):
        seed = tf.cast(self.seed_generator.next(), tf.int64)
        context = tf.distribute.get_replica_context()
        if context is not None and context.num_replicas_in_sync > 1:
            seed = self._fold(seed, context.replica_id_in_sync_group)
        return seed

    def _fold(self, seed, value):
        return tf.random.experimental.stateless_fold_in(seed, value)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "generator": self.saved_model_path
                or keras.saving.serialize_keras_object(self.generator),
                "fraction": self.fraction,
                "value_range": self.value_range,
                "num_classes": self.num_classes,
                "seed": self.seed,
            }
        )
        return config


def _frozen_copy(model):
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    copy.trainable = False
    return copy
