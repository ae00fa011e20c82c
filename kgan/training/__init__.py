"""`kgan train` as a library: `train(TrainConfig(...))` and `resume(run_dir)`."""

import importlib

from kgan.training.config import TrainConfig


def __getattr__(name):
    # `run` pulls in TensorFlow; loading it lazily keeps `kgan --help` fast.
    # (`from kgan.training import run` here would call this hook again.)
    if name in ("run", "train", "resume"):
        run = importlib.import_module("kgan.training.run")
        return run if name == "run" else getattr(run, name)
    raise AttributeError(f"module 'kgan.training' has no attribute {name!r}")
