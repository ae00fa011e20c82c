"""Exporting a network trained under a mixed policy: a float32 copy, float32 in and out, parity against it."""

import numpy as np
import onnx
import pytest
import tensorflow as tf

from kgan import export
from kgan import precision
from kgan.export import precision as export_precision


def _bf16_generator(tiny_generator, policy="mixed_bfloat16"):
    with precision.policy(policy):
        return tiny_generator("cdcgan")


def _feeds(n=5, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((n, 8)).astype("float32"), rng.integers(0, 3, n).astype("int32")]


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_float32_copy_has_the_weights_and_float32_layers(tiny_generator, policy):
    trained = _bf16_generator(tiny_generator, policy)
    assert export_precision.reduced_policies(trained) == [policy]
    copy = export_precision.float32_copy(trained)
    assert copy is not trained and copy.name == trained.name
    assert export_precision.reduced_policies(copy) == []
    assert export_precision.reduced_policies(trained) == [policy]  # the trained network is untouched
    assert [w.path for w in copy.weights] == [w.path for w in trained.weights]
    for mine, theirs in zip(copy.get_weights(), trained.get_weights()):
        np.testing.assert_array_equal(mine, theirs)
    # Same function, computed in float32: close to the 16-bit network's outputs, not equal.
    difference = np.max(np.abs(np.asarray(copy(_feeds())) - np.asarray(trained(_feeds()))))
    assert 0 < difference < 0.05
    float32 = tiny_generator("cdcgan")
    assert export_precision.float32_copy(float32) is float32


def test_export_of_a_bfloat16_generator(tiny_generator, tmp_path):
    # tf2onnx's graph of the bfloat16 network itself does not load in onnxruntime
    # ("Type parameter (T) of Optype (MatMul) bound to different types").
    trained = _bf16_generator(tiny_generator)
    path = export.export_generator(trained, tmp_path, float16=True)
    parity = export.read_card(path)["parity"]
    for name, bound in [("saved_model", 1e-5), ("onnx", 1e-5), ("onnx_float16", 1e-2)]:
        assert max(parity[name].values()) <= bound, name
    assert parity["sample"] <= 1e-5
    record = parity["trained_precision"]
    assert record["policies"] == ["mixed_bfloat16"] and set(record["max_abs_difference"]) == {"1", "7", "64"}
    assert 0 < max(record["max_abs_difference"].values()) < 0.05

    graph = onnx.load(f"{path}/model.onnx").graph
    kinds = {value.name: value.type.tensor_type.elem_type for value in [*graph.input, *graph.output]}
    assert kinds == {"z": onnx.TensorProto.FLOAT, "labels": onnx.TensorProto.INT32, "images": onnx.TensorProto.FLOAT}
    assert onnx.TensorProto.BFLOAT16 not in {init.data_type for init in graph.initializer}
    assert not [n for n in graph.node if n.op_type == "Cast" and any(a.i == onnx.TensorProto.BFLOAT16 for a in n.attribute)]

    served = tf.saved_model.load(path).signatures["serving_default"]
    z, labels = _feeds()
    images = served(z=tf.constant(z), labels=tf.constant(labels))["images"]
    assert images.dtype == tf.float32
    expected = np.asarray(export_precision.float32_copy(trained)([z, labels]))
    np.testing.assert_allclose(images.numpy(), expected, rtol=0, atol=1e-5)


def test_float32_export_has_no_precision_record(tiny_generator, tmp_path):
    path = export.export_generator(tiny_generator("cdcgan"), tmp_path)
    assert "trained_precision" not in export.read_card(path)["parity"]
