"""The exported functions and their input signatures, read from a `ModelSpec`.

- `serving_default` and the spec's task (`generate`, `translate` or `upscale`):
  the spec's named inputs -> `{output name: float32}`; also the ONNX graph;
- `sample(n, seed [, other inputs])`, for a spec with a noise input: the noise is
  drawn in the graph with TF's stateless Philox RNG,
  `stateless_normal((n, latent_dim), seed=[seed, 0])`, so a seed gives the same
  images on every call, server and device (`kgan.inference.philox` reproduces
  it without TensorFlow).

Every input has a leading `None` batch dimension; sizes the spec leaves `None`
(a fully convolutional network's height and width) stay `None`.
"""

import tensorflow as tf

from kgan.export import networks


def input_signature(spec):
    """The `tf.TensorSpec`s of the spec's inputs, in its order, batch dimension first."""
    return [tf.TensorSpec((None, *tensor.shape), tensor.dtype, name=tensor.name) for tensor in spec.inputs]


def sample_signature(spec):
    """`n` int32 scalar, `seed` int64 scalar, then the spec's inputs other than the noise."""
    others = [s for s, tensor in zip(input_signature(spec), spec.inputs) if tensor.role != "noise"]
    return [tf.TensorSpec((), tf.int32, name="n"), tf.TensorSpec((), tf.int64, name="seed"), *others]


def predict_fn(network, spec):
    """Returns `fn(*inputs in the spec's order) -> {output name: float32}` (inference mode)."""
    names = [tensor.name for tensor in spec.inputs]

    def predict(*args):
        outputs = network(networks.arrange(network, dict(zip(names, args))), training=False)
        return {spec.output.name: tf.cast(outputs, tf.float32)}

    return predict


def sample_fn(network, spec):
    """Returns `sample(n, seed, *other inputs) -> {output name}` with in-graph seeded noise."""
    predict = predict_fn(network, spec)
    noise_spec = spec.noise
    others = [tensor for tensor in spec.inputs if tensor.role != "noise"]

    def sample(n, seed, *args):
        given = dict(zip([tensor.name for tensor in others], args))
        checks = [
            tf.debugging.assert_equal(
                tf.shape(given[tensor.name])[0], n, message=f"Expected one row of `{tensor.name}` per sample (n rows)"
            )
            for tensor in others
        ]
        with tf.control_dependencies(checks):
            seeds = tf.stack([seed, tf.zeros_like(seed)])
            z = tf.random.stateless_normal(tf.stack([n, noise_spec.shape[0]]), seed=seeds, alg="philox")
            given[noise_spec.name] = z
            return predict(*[given[tensor.name] for tensor in spec.inputs])

    return sample
