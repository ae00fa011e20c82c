"""Shared pytest configuration: slow tests are opt-in with `--runslow`; small digit files."""

import os
import sys

import numpy as np
import pytest

# Shared helpers (tiny_models, data_files, harness) import by name from every test folder.
sys.path.insert(0, os.path.dirname(__file__))

from data_files import write_digits_npz  # noqa: E402


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="run tests marked slow")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: long training tests; opt in with --runslow")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip_slow = pytest.mark.skip(reason="slow test; pass --runslow to run it")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)


def pytest_collection_finish(session):
    """Starts the fresh-interpreter scripts (tests/background.py) of the selected test modules."""
    if not session.config.option.collectonly:
        for module in _modules_with_background(session):
            module.BACKGROUND.start()


def pytest_sessionfinish(session):
    for module in _modules_with_background(session):
        module.BACKGROUND.stop()


def _modules_with_background(session):
    modules = {}
    for item in getattr(session, "items", ()):
        module = getattr(item, "module", None)
        if hasattr(module, "BACKGROUND") and item.get_closest_marker("skip") is None:
            modules[module.__name__] = module
    return list(modules.values())


@pytest.fixture(autouse=True)
def _op_determinism_as_found():
    """Each test leaves TensorFlow's op determinism as it found it.

    The switch is process-wide: tests that compare runs bit for bit turn it
    on, and while it is on Keras silently drops `jit_compile=True`, so a
    later XLA test would run without XLA.
    """
    before = _determinism_enabled()
    yield
    if _determinism_enabled() != before:
        from tensorflow.python.framework import config  # no public off switch

        config.enable_op_determinism() if before else config.disable_op_determinism()


def _determinism_enabled():
    if "tensorflow" not in sys.modules:  # not imported yet, so not enabled
        return False
    from tensorflow.python.framework import config

    return config.is_op_determinism_enabled()


@pytest.fixture(scope="session")
def digits_npz(tmp_path_factory):
    """128 labelled 8x8 digits (all ten classes)."""
    return write_digits_npz(tmp_path_factory.mktemp("data") / "digits128.npz")


@pytest.fixture(scope="session")
def unlabelled_npz(tmp_path_factory):
    """64 8x8 digits without labels."""
    return write_digits_npz(tmp_path_factory.mktemp("data") / "unlabelled.npz", n=64, labels=False)
