"""Triton's `config.pbtxt` for the ONNX model of an export.

Written to `saved_models/NAME/config.pbtxt`, which makes `saved_models/` a
Triton model repository: Triton loads `NAME/N/model.onnx` with its onnxruntime
backend and ignores the SavedModel files beside it. `max_batch_size > 0` lets
Triton own the batch dimension, so `dims` leave it out; `labels`, whose only
dimension is the batch, is declared `[1]` and reshaped to `[]` (Triton's
documented form for batch-only inputs).
"""

from kgan.inference import layout

DEFAULT_MAX_BATCH_SIZE = 256


def triton_config(name, spec, max_batch_size=DEFAULT_MAX_BATCH_SIZE):
    """Returns the text of `config.pbtxt` for a model `name` with `spec`."""
    inputs = [_tensor("z", "TYPE_FP32", [spec.latent_dim])]
    if spec.conditional:
        inputs.append(_tensor("labels", "TYPE_INT32", [1], reshape=[]))
    output = _tensor("images", "TYPE_FP32", list(spec.image_shape))
    return "\n".join(
        [
            "# Written by `kgan export`: Triton serves N/model.onnx from this folder;",
            "# TF Serving reads the SavedModel beside it in the same N/ folders.",
            f'name: "{name}"',
            'platform: "onnxruntime_onnx"',
            f"max_batch_size: {max_batch_size}",
            f'default_model_filename: "{layout.ONNX}"',
            "input [",
            ",\n".join(inputs),
            "]",
            "output [",
            output,
            "]",
            "dynamic_batching { }",
            "",
        ]
    )


def _tensor(name, data_type, dims, reshape=None):
    lines = [
        "  {",
        f'    name: "{name}"',
        f"    data_type: {data_type}",
        f"    dims: {_list(dims)}",
    ]
    if reshape is not None:
        lines.append(f"    reshape: {{ shape: {_list(reshape)} }}")
    lines.append("  }")
    return "\n".join(lines)


def _list(values):
    return f"[ {', '.join(str(v) for v in values)} ]" if values else "[ ]"
