"""Compiles the `.proto` files beside this module into `descriptors.binpb`.

Needs `grpcio-tools` (a test dependency, not a runtime one): the server loads
the compiled descriptors, so it runs without protoc. Run
`python tools/build_serving_protos.py` after editing a `.proto` file; a test
checks that `descriptors.binpb` matches the sources.
"""

import os
import tempfile

from kgan.serving.protos import HERE
from kgan.serving.protos import SOURCES


def compile_descriptors():
    """Returns the serialized `FileDescriptorSet` of `SOURCES` (without protobuf's own files)."""
    import importlib.resources
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))  # the folder holding kgan/
    well_known = str(importlib.resources.files("grpc_tools") / "_proto")  # protobuf's own .proto files
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "descriptors.binpb")
        files = [os.path.join("kgan", "serving", "protos", name) for name in SOURCES]
        # In a process of its own: protoc's C++ protobuf crashes beside TensorFlow's in one process.
        command = [sys.executable, "-m", "grpc_tools.protoc", f"-I{root}", f"-I{well_known}",
                   f"--descriptor_set_out={out}", *files]
        done = subprocess.run(command, cwd=root, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"Expected protoc to compile {list(SOURCES)}. Received: {done.stderr.strip()}")
        with open(out, "rb") as f:
            return f.read()
