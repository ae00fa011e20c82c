"""Export a generator for TF Serving, Triton and onnxruntime, checked.

```python
import kgan

path = kgan.export.export("runs/digits")                  # saved_models/digits/1
path = kgan.export.export_generator(gen, name="digits")   # a bare Keras generator
```

One version folder holds the SavedModel (signatures `serving_default`,
`generate`, `sample`), `model.onnx` and `card.json`; `saved_models/NAME/config.pbtxt`
makes `saved_models/` a Triton model repository. See `kgan.inference.layout`.
"""

from kgan.export.card import read_card
from kgan.export.exporter import DEFAULT_OUT
from kgan.export.exporter import export
from kgan.export.exporter import export_generator
from kgan.export.onnx_model import DEFAULT_OPSET
from kgan.export.parity import FLOAT16_TOLERANCE
from kgan.export.parity import TOLERANCE
from kgan.export.parity import ParityError
from kgan.export.signatures import GeneratorSpec

__all__ = [
    "DEFAULT_OPSET",
    "DEFAULT_OUT",
    "FLOAT16_TOLERANCE",
    "GeneratorSpec",
    "ParityError",
    "TOLERANCE",
    "export",
    "export_generator",
    "read_card",
]
