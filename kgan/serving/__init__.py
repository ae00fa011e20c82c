"""`kgan serve`: TF Serving's REST and gRPC APIs and the KServe v2 protocol for an export, on onnxruntime.

```python
import httpx
from kgan import serving

model = serving.load_model("saved_models/digits")     # every version, ONNX backend
app = serving.create_app(model, serving.Limits(max_batch=256))
with serving.running(app) as url:                     # or serving.serve(app, serving.bind())
    body = {"signature_name": "sample", "inputs": {"n": 4, "seed": 0, "labels": [0, 1, 2, 3]}}
    images = httpx.post(f"{url}/v1/models/digits:predict", json=body).json()["outputs"]
```

`serving.load_models("saved_models")` serves every model of an export root
by name (`ServedModels`, as TF Serving's model server config). Client code
written for TF Serving works unchanged against it; see
`kgan.serving.app` for the routes and `kgan.serving.rest` for the formats.
The same app's model also answers over gRPC, with TF Serving's
PredictionService and ModelService and the KServe v2 GRPCInferenceService
(`kgan.serving.grpc_server`, needs grpcio):

```python
import httpx

app = kgan.serving.create_app(kgan.serving.load_model("saved_models/digits"))
with kgan.serving.running(app) as url, kgan.serving.running_grpc(app) as address:
    ready = httpx.get(f"{url}/v2/health/ready").json()   # KServe v2 over HTTP
    # TF Serving's and KServe v2's gRPC clients connect to address ("127.0.0.1:PORT")
```

Triton's and KServe's HTTP clients call `/v2/...` on the REST port
(`kgan.serving.v2_http`); Prometheus scrapes `/metrics`.
"""

from kgan.serving.app import create_app
from kgan.serving.limits import Limits
from kgan.serving.repository import ServedModel
from kgan.serving.repository import ServedModels
from kgan.serving.repository import ServingError
from kgan.serving.repository import load_model
from kgan.serving.repository import load_models
from kgan.serving.server import bind
from kgan.serving.server import create_grpc_server
from kgan.serving.server import running
from kgan.serving.server import running_grpc
from kgan.serving.server import serve

__all__ = [
    "Limits",
    "ServedModel",
    "ServedModels",
    "ServingError",
    "bind",
    "create_app",
    "create_grpc_server",
    "load_model",
    "load_models",
    "running",
    "running_grpc",
    "serve",
]
