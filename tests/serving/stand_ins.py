"""Stand-in models for the serving tests' limits and failures."""

import time

import numpy as np

from kgan import specs
from kgan.inference import ExportedGenerator


class SlowModel(ExportedGenerator):
    """A stand-in model: sleeps, or fails, on every batch."""

    def __init__(self, delay=0.0, fail=False):
        super().__init__("fake", specs.noise_to_image(2, (1, 1, 1)))
        self.delay, self.fail = delay, fail

    def _run(self, feeds):
        time.sleep(self.delay)
        if self.fail:
            raise RuntimeError("model exploded")
        return np.zeros((len(feeds["z"]), 1, 1, 1), "float32")
