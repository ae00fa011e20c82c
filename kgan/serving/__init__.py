"""`kgan serve`: TF Serving's REST API for an exported model, on onnxruntime.

```python
import httpx
from kgan import serving

model = serving.load_model("saved_models/digits")     # every version, ONNX backend
app = serving.create_app(model, serving.Limits(max_batch=256))
with serving.running(app) as url:                     # or serving.serve(app, serving.bind())
    body = {"signature_name": "sample", "inputs": {"n": 4, "seed": 0, "labels": [0, 1, 2, 3]}}
    images = httpx.post(f"{url}/v1/models/digits:predict", json=body).json()["outputs"]
```

Client code written for TF Serving works unchanged against it; see
`kgan.serving.app` for the routes and `kgan.serving.rest` for the formats.
"""

from kgan.serving.app import create_app
from kgan.serving.limits import Limits
from kgan.serving.repository import ServedModel
from kgan.serving.repository import ServingError
from kgan.serving.repository import load_model
from kgan.serving.server import bind
from kgan.serving.server import running
from kgan.serving.server import serve

__all__ = ["Limits", "ServedModel", "ServingError", "bind", "create_app", "load_model", "running", "serve"]
