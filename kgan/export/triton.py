"""Triton's `config.pbtxt` for the ONNX model of an export, from its `ModelSpec`.

Written to `saved_models/NAME/config.pbtxt`, which makes `saved_models/` a
Triton model repository: Triton loads `NAME/N/model.onnx` with its onnxruntime
backend and ignores the SavedModel files beside it. `max_batch_size > 0` lets
Triton own the batch dimension, so `dims` leave it out; sizes the spec leaves
open are `-1`. An input whose only dimension is the batch (`labels`) is
declared `[1]` and reshaped to `[]` (Triton's documented form for batch-only
inputs).
"""

from kgan.inference import layout

DEFAULT_MAX_BATCH_SIZE = 256
_TYPES = {"float32": "TYPE_FP32", "int32": "TYPE_INT32", "int64": "TYPE_INT64"}


def triton_config(name, spec, max_batch_size=DEFAULT_MAX_BATCH_SIZE):
    """Returns the text of `config.pbtxt` for a model `name` with `spec` (a `kgan.specs.ModelSpec`)."""
    return "\n".join(
        [
            "# Written by `kgan export`: Triton serves N/model.onnx from this folder;",
            "# TF Serving reads the SavedModel beside it in the same N/ folders.",
            f'name: "{name}"',
            'platform: "onnxruntime_onnx"',
            f"max_batch_size: {max_batch_size}",
            f'default_model_filename: "{layout.ONNX}"',
            "input [",
            ",\n".join(_tensor(tensor) for tensor in spec.inputs),
            "]",
            "output [",
            ",\n".join(_tensor(tensor) for tensor in spec.outputs),
            "]",
            "dynamic_batching { }",
            "",
        ]
    )


def _tensor(tensor):
    dims = [-1 if d is None else d for d in tensor.shape]
    lines = [
        "  {",
        f'    name: "{tensor.name}"',
        f"    data_type: {_TYPES[tensor.dtype]}",
        f"    dims: {_list(dims or [1])}",
    ]
    if not dims:
        lines.append("    reshape: { shape: [ ] }")
    lines.append("  }")
    return "\n".join(lines)


def _list(values):
    return f"[ {', '.join(str(v) for v in values)} ]"
