"""`kgan train` as a library: `train(TrainConfig(...))` and `resume(run_dir)`."""

from kgan.training.config import TrainConfig


def __getattr__(name):
    # `run` pulls in TensorFlow; loading it lazily keeps `kgan --help` fast.
    if name in ("run", "train", "resume"):
        from kgan.training import run

        return run if name == "run" else getattr(run, name)
    raise AttributeError(f"module 'kgan.training' has no attribute {name!r}")
