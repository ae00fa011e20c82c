"""Inference from exported files only: `kgan.inference.load(path)`.

```python
from kgan import inference

gen = inference.load("saved_models/digits")        # latest version, ONNX backend
images = gen.generate(16, seed=0)                   # float32 in [-1, 1]
pixels = gen.generate(16, seed=0, dtype="uint8")    # uint8 in [0, 255]
z = kgan.latent.sample_latent(4, gen.latent_dim, seed=1)
threes = gen(z, labels=[3] * len(z))                # your own latent vectors

maps = inference.load("saved_models/maps")         # task "translate"
out = maps.translate(photos)                        # (n, H, W, 3) in the value range
big = inference.load("saved_models/sr").upscale(photos)   # (n, 2H, 2W, 3): the card's scale
out = maps.run({"source": photos})                  # any task: named inputs of `maps.spec`
```

What a model takes and returns is its `kgan.specs.ModelSpec` (`model.spec`),
read from the export's card. Needs the exported files, onnxruntime (or
TensorFlow for the SavedModel backend) and NumPy; not Keras, not kgan's
model code.
"""

import os

from kgan.inference import layout
from kgan.inference import providers
from kgan.inference.model import ExportedGenerator
from kgan.inference.model import ExportedModel
from kgan.inference.onnx_model import OnnxModel
from kgan.inference.philox import stateless_normal
from kgan.inference.tensorflow_model import TensorFlowModel

# kgan 0.1's names for the two backends.
OnnxGenerator = OnnxModel
SavedModelGenerator = TensorFlowModel

BACKENDS = ("onnx", "saved_model")


def load(path, backend=None, providers=None, batch_size=256, intra_op_threads=None, io_binding=None,
         spinning=False):
    """Loads an exported model.

    Args:
        path: an `.onnx` file, a version folder (`saved_models/NAME/N`), or a
            model folder (`saved_models/NAME`, whose latest version is used).
        backend: `"onnx"` (onnxruntime) or `"saved_model"` (TensorFlow). None
            picks ONNX when the folder has a `model.onnx`, else the SavedModel.
        providers: onnxruntime providers (ONNX backend): None for automatic
            choice (TensorRT, CUDA, CPU), or names like `["cuda", "cpu"]`.
        batch_size: largest batch per backend call; larger n is split.
        intra_op_threads: onnxruntime intra-op threads (ONNX backend).
        io_binding: explicit IO binding (ONNX backend); None = on for GPUs.
        spinning: let onnxruntime's idle threads spin (ONNX backend; see
            `OnnxModel`).

    Returns:
        An `ExportedModel` (an `OnnxModel` or a `TensorFlowModel`) with
        `.spec`, `.task` and `run(feeds)`, and the methods of its task:
        `generate(n, seed, labels, dtype)`, `sample(n, seed, labels, dtype)`
        and `__call__(z, labels, dtype)` for "generate"; `translate(images,
        dtype)` or `upscale(images, dtype)`.
    """
    if backend not in (None, *BACKENDS):
        raise ValueError(f"Expected `backend` to be one of {BACKENDS} or None. Received: backend={backend!r}")
    path = os.fspath(path)
    if os.path.isfile(path) and path.endswith(".onnx"):
        if backend == "saved_model":
            raise ValueError(f"Expected a SavedModel folder for backend='saved_model'. Received: path={path!r}")
        return OnnxModel(path, providers, batch_size, intra_op_threads, io_binding, spinning)
    version_dir = layout.resolve_version_dir(path)
    onnx_path = os.path.join(version_dir, layout.ONNX)
    if backend is None:
        backend = "onnx" if os.path.isfile(onnx_path) else "saved_model"
    if backend == "onnx":
        return OnnxModel(onnx_path, providers, batch_size, intra_op_threads, io_binding, spinning)
    if not os.path.isfile(os.path.join(version_dir, layout.SAVED_MODEL)):
        raise FileNotFoundError(f"Expected a SavedModel in {version_dir!r}. Received: no {layout.SAVED_MODEL}")
    return TensorFlowModel(version_dir, batch_size)


__all__ = [
    "BACKENDS",
    "ExportedGenerator",
    "ExportedModel",
    "OnnxGenerator",
    "OnnxModel",
    "SavedModelGenerator",
    "TensorFlowModel",
    "layout",
    "load",
    "providers",
    "stateless_normal",
]
