"""The family's shared test set-up: one two-phase run several modules read; the distributed run started early."""

import pytest

import sr_distributed
import sr_tiny


@pytest.fixture(scope="session")
def two_phase_run(tmp_path_factory):
    """A tiny x2 run of 2 epochs: 3 pre-training steps (epoch 1), 3 GAN steps; 2 steps per call.

    Read by test_sr_phases.py and test_sr_upscale.py; no test changes its model.
    """
    return sr_tiny.Run(tmp_path_factory.mktemp("two_phase_run"), pretrain_steps=3, steps_per_execution=2, epochs=2)


DISTRIBUTED_TEST = "test_super_resolution_distributed.py::test_gan_training_distributes_and_two_phases_are_refused"


def pytest_collection_finish(session):
    """Starts the distributed test's subprocess (`sr_distributed`) when collection ends, if that test is to run."""
    config = session.config
    if config.option.collectonly or hasattr(config, "workerinput"):  # pytest-xdist workers: the test starts it
        return
    for item in session.items:
        if item.nodeid.endswith(DISTRIBUTED_TEST) and item.get_closest_marker("skip") is None:
            sr_distributed.start()


def pytest_sessionfinish(session):
    sr_distributed.stop()
