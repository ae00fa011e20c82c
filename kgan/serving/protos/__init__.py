"""TF Serving's and the KServe v2 protocol's gRPC messages, in a descriptor pool of kgan's own.

The `.proto` files here are kgan's wire-compatible definitions of the messages
the server reads and writes: the packages, names and field numbers of TF
Serving 2.21 (`tensorflow.serving.PredictRequest`, ...) and of the Open
Inference Protocol (`inference.ModelInferRequest`, ...). They load into a
private `DescriptorPool` rather than protobuf's default one, because the
official client packages (`tensorflow-serving-api`, `tritonclient`) register
the same full names there and may be imported in the same process. The pool is
built from `descriptors.binpb`, compiled from the `.proto` files by
`tools/build_serving_protos.py`, so only `protobuf` is needed at run time.

```python
from kgan.serving.protos import messages

request = messages.PredictRequest()
request.model_spec.name = "digits"
data = request.SerializeToString()   # what a TF Serving client sends
```
"""

import os

HERE = os.path.dirname(os.path.abspath(__file__))
# In dependency order: each file only imports the ones before it (and protobuf's own).
SOURCES = ("tensorflow.proto", "tensorflow_error.proto", "tensorflow_serving.proto", "open_inference.proto")
DESCRIPTORS = os.path.join(HERE, "descriptors.binpb")
