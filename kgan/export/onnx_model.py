"""The ONNX model for onnxruntime and Triton, converted with tf2onnx.

`tf2onnx.convert.from_function` converts the same `generate` function the
SavedModel serves (`tf2onnx.convert.from_keras` does not support Keras 3).
The graph has inputs `z` [and `labels`], output `images`, one dynamic `batch`
dimension shared by all of them, and kgan's metadata under the key "kgan".
"""

import contextlib
import json
import logging

import onnx
import tensorflow as tf

from kgan.export import signatures
from kgan.inference.onnx_generator import METADATA_KEY

# Opset 17: run by onnxruntime >= 1.12, TensorRT >= 8.5 and every current
# Triton release; tf2onnx 1.17 converts up to 18.
DEFAULT_OPSET = 17
BATCH_DIM = "batch"


def write_onnx(generator, path, spec, opset=DEFAULT_OPSET):
    """Converts `generator` to ONNX at `path`; returns the `onnx.ModelProto`."""
    import tf2onnx

    input_signature = signatures.generate_signature(spec)
    fn = tf.function(signatures.generate_fn(generator, spec), input_signature=input_signature)
    with _quiet("tf2onnx"):
        model, _ = tf2onnx.convert.from_function(fn, input_signature=input_signature, opset=opset)
    _name_batch_dim(model)
    metadata = {
        "latent_dim": spec.latent_dim,
        "image_shape": list(spec.image_shape),
        "num_classes": spec.num_classes,
        "value_range": [-1.0, 1.0],
        "opset": opset,
    }
    onnx.helper.set_model_props(model, {METADATA_KEY: json.dumps(metadata)})
    model.doc_string = "kgan generator: z [, labels] -> images in [-1, 1]"
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return model


def write_float16(model, path):
    """Writes a float16 copy of `model` with float32 inputs and outputs.

    Weights and activations on the path from `z` become float16 (onnx's
    converter, `onnxconverter_common.float16`); the label lookup, whose index
    arithmetic tf2onnx emits in float32, stays float32.
    """
    from onnxconverter_common import float16

    block = _nodes_not_fed_by(model, "z")
    with _quiet("onnxconverter_common"):
        half = float16.convert_float_to_float16(model, keep_io_types=True, node_block_list=block)
    onnx.checker.check_model(half)
    onnx.save(half, path)
    return half


def _name_batch_dim(model):
    # tf2onnx names each unknown dim `unk__N`; one shared name says they agree.
    for value in [*model.graph.input, *model.graph.output]:
        dim = value.type.tensor_type.shape.dim[0]
        dim.Clear()
        dim.dim_param = BATCH_DIM


def _nodes_not_fed_by(model, input_name):
    reached, fed = {input_name}, set()
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
