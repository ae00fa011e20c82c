"""The family's shared test set-up: one two-phase run several modules read."""

import pytest

import sr_tiny


@pytest.fixture(scope="session")
def two_phase_run(tmp_path_factory):
    """A tiny x2 run of 2 epochs: 3 pre-training steps (epoch 1), 3 GAN steps; 2 steps per call.

    Read by test_sr_phases.py and test_sr_upscale.py; no test changes its model.
    """
    return sr_tiny.Run(tmp_path_factory.mktemp("two_phase_run"), pretrain_steps=3, steps_per_execution=2, epochs=2)
