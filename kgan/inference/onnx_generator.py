"""`OnnxGenerator`: an exported generator run by onnxruntime."""

import json
import os

import numpy as np

from kgan.inference import layout
from kgan.inference import providers as providers_lib
from kgan.inference.generator import ExportedGenerator

METADATA_KEY = "kgan"


class OnnxGenerator(ExportedGenerator):
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
        shapes = _input_shapes(path) if providers_lib.TENSORRT in providers_lib.available() else None
        names, provider_options = providers_lib.select(providers, shapes, batch_size)
        self.session = ort.InferenceSession(path, options, providers=names, provider_options=provider_options)
        info = _model_info(self.session, path)
        super().__init__(path, info["latent_dim"], info["num_classes"], info["image_shape"], batch_size, info["card"])
        self.providers = self.session.get_providers()
        gpu = self.providers[0] in providers_lib.GPU_PROVIDERS
        self.io_binding = gpu if io_binding is None else bool(io_binding)
        self._device = "cuda" if gpu else "cpu"

    def _run(self, z, labels):
        feeds = {"z": z} if labels is None else {"z": z, "labels": labels}
        if not self.io_binding:
            return self.session.run(["images"], feeds)[0]
        binding = self.session.io_binding()
        for name, value in feeds.items():
            binding.bind_cpu_input(name, np.ascontiguousarray(value))
        binding.bind_output("images", self._device)
        self.session.run_with_iobinding(binding)
        return binding.copy_outputs_to_cpu()[0]


def _input_shapes(path):
    """`{input name: shape without batch}` read from the ONNX graph (for TensorRT)."""
    import onnx

    graph = onnx.load(path, load_external_data=False).graph
    return {i.name: [d.dim_value for d in i.type.tensor_type.shape.dim[1:]] for i in graph.input}


def _model_info(session, path):
    """latent_dim, num_classes, image_shape and card: from card.json, metadata, or shapes."""
    card = layout.read_card(path)
    meta = session.get_modelmeta().custom_metadata_map
    info = card or (json.loads(meta[METADATA_KEY]) if METADATA_KEY in meta else {})
    inputs = {i.name: i for i in session.get_inputs()}
    output = session.get_outputs()[0]
    if "z" not in inputs or output.name != "images":
        raise ValueError(
            "Expected an ONNX generator with input `z` (and `labels`) and output `images`. "
            f"Received: inputs {sorted(inputs)} and output {output.name!r} in {path!r}"
        )
    num_classes = info.get("num_classes")
    if "labels" in inputs and num_classes is None:
        raise ValueError(
            f"Expected the number of classes of this conditional model in {layout.CARD} beside it "
            f"or in its ONNX metadata. Received: neither for {path!r}"
        )
    return {
        "latent_dim": info.get("latent_dim") or inputs["z"].shape[1],
        "num_classes": num_classes if "labels" in inputs else None,
        "image_shape": info.get("image_shape") or output.shape[1:],
        "card": card,
    }

