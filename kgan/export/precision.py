"""Exports compute in float32, whatever precision the network was trained in.

A network built under a mixed policy (`kgan train --precision`) computes in
bfloat16 or float16, and a graph traced from it carries those types:
onnxruntime's CPU provider has few bfloat16 kernels (tf2onnx's graph of a
bfloat16 DCGAN does not load), and a server's hardware need not match the
trainer's. So export writes a float32 copy of the network: the same
architecture and weights (a mixed policy keeps its variables in float32),
with every layer's policy set to float32. Parity is checked against that
copy; the card records how far the trained network's outputs are from it.
"""

from kgan import precision


def reduced_policies(network):
    """The dtype policies other than float32 among `network`'s layers (nested ones included), sorted."""
    names = {layer.dtype_policy.name for layer in network._flatten_layers(include_self=False, recursive=True)}
    return sorted(names - {"float32"})


def float32_copy(network):
    """`network` itself if it computes in float32, else a float32 copy with its weights.

    Args:
        network: a functional Keras network (its config must rebuild it).
    """
    if not reduced_policies(network):
        return network
    config = _float32_policies(network.get_config())
    # A layer that makes sublayers without passing its dtype on gives them
    # the global policy: float32 here.
    with precision.policy("float32"):
        copy = network.__class__.from_config(config)
    copy.set_weights(network.get_weights())
    return copy


def _float32_policies(config):
    """`config` with every serialized mixed `DTypePolicy` replaced by float32 (recursively)."""
    if isinstance(config, list):
        return [_float32_policies(item) for item in config]
    if not isinstance(config, dict):
        return config
    if config.get("class_name") == "DTypePolicy" and str(config.get("config", {}).get("name", "")).startswith("mixed_"):
        return {**config, "config": {**config["config"], "name": "float32"}}
    return {key: _float32_policies(value) for key, value in config.items()}
