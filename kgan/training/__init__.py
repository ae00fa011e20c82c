"""`kgan train` as a library: `train(TrainConfig(...))` and `resume(run_dir)`."""

from kgan.training import run
from kgan.training.config import TrainConfig
from kgan.training.run import resume
from kgan.training.run import train
