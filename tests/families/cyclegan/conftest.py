"""The cyclegan tests also use the pix2pix folder's tiny models: some checks cover both translation families.

The distributed test's script (a fresh interpreter, ~20 s) starts as soon as collection has selected its
tests, and runs alongside the tests before them; its result is read when they come.
"""

import os
import pathlib
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pix2pix"))

DISTRIBUTED = pathlib.Path(__file__).resolve().parent / "test_translation_distributed.py"


def _distributed_module(session):
    """The distributed test module, if any of its tests will run."""
    for item in getattr(session, "items", ()):
        if pathlib.Path(item.path).resolve() == DISTRIBUTED and not item.get_closest_marker("skip"):
            return item.module
    return None


def pytest_collection_finish(session):
    if session.config.option.collectonly:
        return
    module = _distributed_module(session)
    if module is not None and module.started is None:
        module.started = module.start()


def pytest_sessionfinish(session):
    module = _distributed_module(session)
    if module is not None:
        module.stop()
