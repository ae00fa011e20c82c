"""The ONNX model for onnxruntime and Triton, converted with tf2onnx.

`tf2onnx.convert.from_function` converts the same function the SavedModel
serves (`tf2onnx.convert.from_keras` does not support Keras 3). The graph has
the spec's named inputs and output, one dynamic `batch` dimension shared by
all of them, named dynamic sizes (`height`, `width`, `depth` of an image
input; `out_height`, ... of the output) and kgan's metadata under the key
"kgan", the spec included, so a bare `.onnx` file describes itself.
"""

import contextlib
import json
import logging

import onnx
import tensorflow as tf

from kgan.export import signatures
from kgan.inference.onnx_model import METADATA_KEY

# Opset 17: run by onnxruntime >= 1.12, TensorRT >= 8.5 and every current
# Triton release; tf2onnx 1.17 converts up to 18.
DEFAULT_OPSET = 17
BATCH_DIM = "batch"
_SPATIAL = {2: ("height", "width"), 3: ("depth", "height", "width")}


def write_onnx(network, path, spec, opset=DEFAULT_OPSET):
    """Converts `network` to ONNX at `path`; returns the `onnx.ModelProto`."""
    import tf2onnx

    input_signature = signatures.input_signature(spec)
    fn = tf.function(signatures.predict_fn(network, spec), input_signature=input_signature)
    with _quiet("tf2onnx"):
        model, _ = tf2onnx.convert.from_function(fn, input_signature=input_signature, opset=opset)
    _name_dims(model, spec)
    onnx.helper.set_model_props(model, {METADATA_KEY: json.dumps(metadata(spec, opset))})
    model.doc_string = f"kgan {spec.task}: {', '.join(t.name for t in spec.inputs)} -> {spec.output.name}"
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return model


def metadata(spec, opset):
    """kgan's ONNX metadata: the spec, and kgan 0.1's keys for older readers."""
    return {
        "task": spec.task,
        "spec": spec.to_json(),
        "latent_dim": spec.latent_dim,
        "image_shape": list(spec.image_shape),
        "num_classes": spec.num_classes,
        "value_range": list(spec.output.value_range or (-1.0, 1.0)),
        "opset": opset,
    }


def dim_names(tensor, output=False):
    """The ONNX names of `tensor`'s dimensions: "batch", then a name for each `None` size."""
    spatial = _SPATIAL.get(len(tensor.shape) - 1, ()) if tensor.role == "image" else ()
    names = [BATCH_DIM]
    for i, size in enumerate(tensor.shape):
        name = spatial[i] if i < len(spatial) else f"{tensor.name}_{i}"
        # The output's sizes need not equal the input's (an upscaler's do not).
        names.append(None if size is not None else ("out_" + name if output else name))
    return names


def write_float16(model, path, spec):
    """Writes a float16 copy of `model` with float32 inputs and outputs.

    Weights and activations on the paths from the float inputs (noise, images)
    become float16 (onnx's converter, `onnxconverter_common.float16`); the
    label lookup, whose index arithmetic tf2onnx emits in float32, stays float32.
    """
    from onnxconverter_common import float16

    block = _nodes_not_fed_by(model, [t.name for t in spec.inputs if t.dtype == "float32"])
    with _quiet("onnxconverter_common"):
        half = float16.convert_float_to_float16(model, keep_io_types=True, node_block_list=block)
    onnx.checker.check_model(half)
    onnx.save(half, path)
    return half


def _name_dims(model, spec):
    # tf2onnx names each unknown dim `unk__N`; shared names say which ones agree.
    tensors = {t.name: (t, False) for t in spec.inputs}
    tensors.update({t.name: (t, True) for t in spec.outputs})
    for value in [*model.graph.input, *model.graph.output]:
        tensor, output = tensors[value.name]
        for dim, name in zip(value.type.tensor_type.shape.dim, dim_names(tensor, output)):
            if name is not None:
                dim.Clear()
                dim.dim_param = name


def _nodes_not_fed_by(model, input_names):
    reached, fed = set(input_names), set()
    for node in model.graph.node:  # ONNX graphs are topologically sorted
        if any(name in reached for name in node.input):
            reached.update(node.output)
            fed.add(node.name)
    return [node.name for node in model.graph.node if node.name not in fed]


@contextlib.contextmanager
def _quiet(logger_name):
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
