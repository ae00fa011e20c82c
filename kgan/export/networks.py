"""A Keras network and its `kgan.specs.ModelSpec`: reading, checking, feeding.

Export works on any functional network whose inputs carry the spec's names
(`keras.Input(name=...)`); inputs are matched by name, not by position.
"""

from kgan import specs

_DTYPES = {"float32": "float", "int32": "int", "int64": "int"}


def input_names(network):
    """The names of `network`'s inputs, in its order."""
    return [tensor.name.split(":")[0] for tensor in network.inputs]


def arrange(network, values):
    """`{input name: value}` -> what `network(...)` takes: one value, or a list in its order."""
    ordered = [values[name] for name in input_names(network)]
    return ordered[0] if len(ordered) == 1 else ordered


def generator_spec(generator, num_classes=None):
    """The spec of a bare Keras generator with inputs `z` [, `labels`] and images in [-1, 1]."""
    names = input_names(generator)
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
    return specs.noise_to_image(int(generator.inputs[0].shape[1]), image_shape, num_classes)


def check_network(network, spec):
    """Raises `ValueError` unless `network` takes and returns what `spec` says."""
    names = input_names(network)
    expected = [tensor.name for tensor in spec.inputs]
    if sorted(names) != sorted(expected):
        raise ValueError(f"Expected a network with inputs named {expected} (its spec's). Received: inputs={names}")
    if len(network.outputs) != 1 or len(spec.outputs) != 1:
        raise ValueError(
            "Expected a network with one output, as its spec has. Received: "
            f"{len(network.outputs)} network outputs, {len(spec.outputs)} in the spec"
        )
    by_name = dict(zip(names, network.inputs))
    for tensor in spec.inputs:
        _check_tensor(f"input {tensor.name!r}", by_name[tensor.name], tensor)
    _check_tensor(f"output {spec.output.name!r}", network.outputs[0], spec.output)


def _check_tensor(what, keras_tensor, tensor):
    shape = tuple(keras_tensor.shape[1:])
    # The spec may fix a size the network leaves open, never the reverse:
    # the signature would then promise inputs the network cannot take.
    fits = len(shape) == len(tensor.shape) and all(
        mine is None or theirs == mine for theirs, mine in zip(tensor.shape, shape)
    )
    kind = _DTYPES.get(str(keras_tensor.dtype))
    if not fits or (kind is not None and kind != _DTYPES[tensor.dtype]):
        raise ValueError(
            f"Expected the network's {what} to have shape (batch, *{tensor.shape}) and dtype "
            f"{tensor.dtype}, as its spec says. Received: shape (batch, *{shape}), dtype {keras_tensor.dtype}"
        )


def _embedding_classes(generator):
    try:
        return int(generator.get_layer("label_embedding").input_dim)
    except ValueError:
        raise ValueError(
            "Expected `num_classes` for a conditional generator without a `label_embedding` "
            "layer. Received: num_classes=None"
        ) from None
