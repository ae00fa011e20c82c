"""Export a model for TF Serving, Triton and onnxruntime, checked.

```python
import kgan

path = kgan.export.export_model(gan, name="digits")        # saved_models/digits/1
path = kgan.export.export_generator(gen, name="digits")    # a bare Keras generator z [, labels]
path = kgan.export.export_network(net, spec, name="maps")  # any network and its kgan.specs.ModelSpec
```

Export takes a model, never a path: load a run or `.keras` file first with
`kgan.training.load_model(path)`. The model's `export_spec()` (a
`kgan.specs.ModelSpec`) names what the exported network takes and returns.
One version folder holds the SavedModel (signatures `serving_default`, the
task's `generate`, `translate` or `upscale`, and `sample` for a model with a
noise input), `model.onnx` and `card.json`; `saved_models/NAME/config.pbtxt`
makes `saved_models/` a Triton model repository. See `kgan.inference.layout`.
"""

from kgan.export.card import read_card
from kgan.export.exporter import DEFAULT_OUT
from kgan.export.exporter import export
from kgan.export.exporter import export_generator
from kgan.export.exporter import export_model
from kgan.export.exporter import export_network
from kgan.export.onnx_model import DEFAULT_OPSET
from kgan.export.parity import FLOAT16_TOLERANCE
from kgan.export.parity import TOLERANCE
from kgan.export.parity import ParityError

__all__ = [
    "DEFAULT_OPSET",
    "DEFAULT_OUT",
    "FLOAT16_TOLERANCE",
    "ParityError",
    "TOLERANCE",
    "export",
    "export_generator",
    "export_model",
    "export_network",
    "read_card",
]
