"""The exported functions and their input signatures.

- `generate(z [, labels]) -> {"images"}`: also `serving_default`, and the ONNX graph;
- `sample(n, seed [, labels]) -> {"images"}`: noise drawn in the graph with TF's
  stateless Philox RNG, `stateless_normal((n, latent_dim), seed=[seed, 0])`, so
  a seed gives the same images on every call, server and device
  (`kgan.inference.philox` reproduces it without TensorFlow).
"""

import dataclasses

import tensorflow as tf


@dataclasses.dataclass(frozen=True)
class GeneratorSpec:
    """What an exported generator takes and returns.

    Attributes:
        latent_dim: size of z.
        image_shape: `(height, width, channels)`.
        num_classes: number of classes, or None (unconditional).
    """

    latent_dim: int
    image_shape: tuple
    num_classes: object = None

    @property
    def conditional(self):
        return self.num_classes is not None


def spec_of(generator, num_classes=None):
    """Reads a `GeneratorSpec` from a functional generator with inputs `z` [, `labels`]."""
    names = [t.name.split(":")[0] for t in generator.inputs]
    if names not in (["z"], ["z", "labels"]):
        raise ValueError(
            "Expected a generator with inputs named ['z'] or ['z', 'labels'] (as kgan.models "
            f"builds them). Received: inputs={names}"
        )
    conditional = names == ["z", "labels"]
    if conditional and num_classes is None:
        num_classes = _embedding_classes(generator)
    if not conditional and num_classes is not None:
        raise ValueError(
            f"Expected num_classes=None for a generator without a `labels` input. Received: num_classes={num_classes}"
        )
    image_shape = tuple(int(d) for d in generator.outputs[0].shape[1:])
    return GeneratorSpec(int(generator.inputs[0].shape[1]), image_shape, num_classes)


def _embedding_classes(generator):
    try:
        return int(generator.get_layer("label_embedding").input_dim)
    except ValueError:
        raise ValueError(
            "Expected `num_classes` for a conditional generator without a `label_embedding` "
            "layer. Received: num_classes=None"
        ) from None


def generate_signature(spec):
    """Input signature of `generate`: z `(None, latent_dim)` float32 [, labels `(None,)` int32]."""
    z = tf.TensorSpec((None, spec.latent_dim), tf.float32, name="z")
    return [z, tf.TensorSpec((None,), tf.int32, name="labels")] if spec.conditional else [z]


def sample_signature(spec):
    """Input signature of `sample`: n int32 scalar, seed int64 scalar [, labels `(None,)` int32]."""
    specs = [tf.TensorSpec((), tf.int32, name="n"), tf.TensorSpec((), tf.int64, name="seed")]
    return specs + ([tf.TensorSpec((None,), tf.int32, name="labels")] if spec.conditional else [])


def generate_fn(generator, spec):
    """Returns `generate(z [, labels]) -> {"images": float32}` (inference mode)."""

    def images(inputs):
        return {"images": tf.cast(generator(inputs, training=False), tf.float32)}

    if spec.conditional:
        return lambda z, labels: images([z, labels])
    return lambda z: images(z)


def sample_fn(generator, spec):
    """Returns `sample(n, seed [, labels]) -> {"images"}` with in-graph seeded noise."""
    generate = generate_fn(generator, spec)

    def noise(n, seed):
        seeds = tf.stack([seed, tf.zeros_like(seed)])
        return tf.random.stateless_normal(tf.stack([n, spec.latent_dim]), seed=seeds, alg="philox")

    if spec.conditional:

        def sample(n, seed, labels):
            check = tf.debugging.assert_equal(
                tf.shape(labels)[0], n, message="Expected one label per sample (labels of shape (n,))"
            )
            with tf.control_dependencies([check]):
                return generate(noise(n, seed), labels)

        return sample
    return lambda n, seed: generate(noise(n, seed))
