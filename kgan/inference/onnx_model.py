"""`OnnxModel`: an exported model run by onnxruntime.

Its `kgan.specs.ModelSpec` comes from the `card.json` beside the file, else
from kgan's metadata in the graph (key "kgan": the spec, or kgan 0.1's
`latent_dim` / `num_classes` / `image_shape`), else from the graph's inputs
and output alone.
"""

import json
import os

import numpy as np

from kgan import specs
from kgan.inference import layout
from kgan.inference import providers as providers_lib
from kgan.inference.model import ExportedModel

METADATA_KEY = "kgan"
_ONNX_DTYPES = {"tensor(float)": "float32", "tensor(int32)": "int32", "tensor(int64)": "int64"}


class OnnxModel(ExportedModel):
    """Runs an exported `model.onnx` (or `model_fp16.onnx`) with onnxruntime.

    Args:
        path: the `.onnx` file.
        providers: None to choose automatically (TensorRT, CUDA, CPU), or
            provider names / `(name, options)` pairs (see
            `kgan.inference.providers.select`).
        batch_size: largest batch per `session.run`.
        intra_op_threads: onnxruntime's intra-op threads; None for its default
            (one per physical core).
        io_binding: bind inputs and outputs explicitly (saves copies on a GPU).
            None enables it when a GPU provider is active.
        spinning: let idle intra-op threads spin. Off by default: spinning
            threads burn the cores that concurrent requests and other
            processes need (measured 2x slower at batch 1024 on a busy
            2-core machine); turn it on for the lowest latency on an idle one.
    """

    backend = "onnx"

    def __init__(self, path, providers=None, batch_size=256, intra_op_threads=None, io_binding=None, spinning=False):
        import onnxruntime as ort

        if not os.path.isfile(path):
            raise FileNotFoundError(f"Expected an .onnx file. Received: path={path!r} (not found)")
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
        if intra_op_threads is not None:
            options.intra_op_num_threads = int(intra_op_threads)
        shapes = _static_input_shapes(path) if providers_lib.TENSORRT in providers_lib.available() else None
        names, provider_options = providers_lib.select(providers, shapes, batch_size)
        self.session = ort.InferenceSession(path, options, providers=names, provider_options=provider_options)
        spec, card = _read_spec(self.session, path)
        super().__init__(path, spec, batch_size, card)
        self.providers = self.session.get_providers()
        gpu = self.providers[0] in providers_lib.GPU_PROVIDERS
        self.io_binding = gpu if io_binding is None else bool(io_binding)
        self._device = "cuda" if gpu else "cpu"

    def _run(self, feeds):
        output = self.spec.output.name
        if not self.io_binding:
            return self.session.run([output], feeds)[0]
        binding = self.session.io_binding()
        for name, value in feeds.items():
            binding.bind_cpu_input(name, np.ascontiguousarray(value))
        binding.bind_output(output, self._device)
        self.session.run_with_iobinding(binding)
        return binding.copy_outputs_to_cpu()[0]


def _static_input_shapes(path):
    """`{input name: shape without batch}` for TensorRT's profile; None if any size is open."""
    import onnx

    graph = onnx.load(path, load_external_data=False).graph
    shapes = {i.name: [d.dim_value for d in i.type.tensor_type.shape.dim[1:]] for i in graph.input}
    # An open size (dim_value 0) has no profile kgan could choose: TensorRT builds per shape.
    return None if any(0 in shape for shape in shapes.values()) else shapes


def _read_spec(session, path):
    """The `ModelSpec` and card of an ONNX model: from its card, its metadata, or its graph."""
    card = layout.read_card(path)
    meta = session.get_modelmeta().custom_metadata_map
    info = json.loads(meta[METADATA_KEY]) if METADATA_KEY in meta else {}
    if card is not None:
        spec = specs.from_card(card)
    elif info.get("spec"):
        spec = specs.ModelSpec.from_json(info["spec"])
    else:
        spec = _spec_from_graph(session, info, path)
    inputs = sorted(i.name for i in session.get_inputs())
    output = session.get_outputs()[0].name
    if inputs != sorted(t.name for t in spec.inputs) or output != spec.output.name:
        raise ValueError(
            f"Expected an ONNX model with inputs {[t.name for t in spec.inputs]} and output "
            f"{spec.output.name!r}, as its description says. Received: inputs {inputs} and output {output!r} "
            f"in {path!r}"
        )
    return spec, card


def _spec_from_graph(session, info, path):
    # Roles by shape: float (batch, k) is noise, integer (batch,) a label, float of rank >= 3 an image.
    value_range = tuple(info.get("value_range") or (-1.0, 1.0))
    inputs = [_tensor_spec(value, info, value_range, path) for value in session.get_inputs()]
    out = session.get_outputs()[0]
    output = specs.TensorSpec(out.name, _sizes(out.shape), "float32", "image", value_range=value_range)
    has_noise = any(t.role == "noise" for t in inputs)
    return specs.ModelSpec(info.get("task") or ("generate" if has_noise else "translate"), inputs, (output,))


def _tensor_spec(value, info, value_range, path):
    dtype, shape = _ONNX_DTYPES.get(value.type), _sizes(value.shape)
    if dtype in ("int32", "int64") and shape == ():
        num_classes = info.get("num_classes")
        if num_classes is None:
            raise ValueError(
                f"Expected the number of classes of this conditional model in {layout.CARD} beside it "
                f"or in its ONNX metadata. Received: neither for {path!r}"
            )
        return specs.TensorSpec(value.name, (), dtype, "label", num_classes=num_classes)
    if dtype == "float32" and len(shape) == 1:
        return specs.TensorSpec(value.name, shape, dtype, "noise")
    if dtype == "float32" and len(shape) >= 3:
        return specs.TensorSpec(value.name, shape, dtype, "image", value_range=value_range)
    raise ValueError(
        "Expected ONNX inputs kgan can describe: noise float (batch, k), labels int (batch,) or images "
        f"float (batch, ..., channels). Received: {value.name!r} {value.type} {value.shape} in {path!r}"
    )


def _sizes(shape):
    # onnxruntime gives a named or unknown size as a string or None.
    return tuple(d if isinstance(d, int) else None for d in shape[1:])
