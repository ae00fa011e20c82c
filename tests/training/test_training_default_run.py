"""The default `kgan train` learns recognisable digits of all ten classes.

Slow (about 1.5 minutes on 2 CPU cores): run with `pytest --runslow`. The fast
tests check the same code paths on tiny models; this one checks quality.
"""

import importlib.util
import os

import pytest

from kgan import training


def flat_config(**values):
    """A TrainConfig from flat settings (family settings beside the run's)."""
    return training.TrainConfig.from_dict(values)

TOOLS = os.path.join(os.path.dirname(__file__), "..", "..", "tools")


def load_checker():
    spec = importlib.util.spec_from_file_location("check_default_run", os.path.join(TOOLS, "check_default_run.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_default_run_makes_recognisable_diverse_digits(tmp_path):
    _, run_dir = training.train(flat_config(run_dir=str(tmp_path / "run"), export=False), verbose=0)
    report, _ = load_checker().check(run_dir, n=500)
    assert report["classes_covered"] == 10
    assert report["agreement_with_requested_class"] >= 0.9
    assert report["diversity_ratio"] >= 0.5  # no collapse to one image per class
