"""`kgan train` as a library, for any family.

```python
from kgan import training

config = training.TrainConfig(family="gan", epochs=3, model={"preset": "dcgan_tiny"})
model, run_dir = training.train(config)          # writes runs/..., exports to saved_models/
model, run_dir = training.resume(run_dir, epochs=5)   # continue, or extend a finished run
model = training.load_model(run_dir)             # or a .keras file
```
"""

import importlib

from kgan.training.config import TrainConfig

_RUN = ("train", "resume", "resolve", "restore", "build", "read_config", "export_name")
_LOADING = ("load_model", "load_sampler")


def __getattr__(name):
    # `run` pulls in TensorFlow; loading it lazily keeps `kgan --help` fast.
    # (`from kgan.training import run` here would call this hook again.)
    if name in ("run", "runs", "loading"):
        return importlib.import_module(f"kgan.training.{name}")
    if name in _RUN:
        return getattr(importlib.import_module("kgan.training.run"), name)
    if name in _LOADING:
        return getattr(importlib.import_module("kgan.training.loading"), name)
    raise AttributeError(f"module 'kgan.training' has no attribute {name!r}")
