"""Fixtures of the export tests; the networks are in `tiny_networks`."""

import pytest
from tiny_networks import build


@pytest.fixture(scope="session")
def tiny_generator():
    """`tiny_generator(family, seed=0)`: see `build`."""
    return build


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return tmp_path_factory.mktemp("saved_models")
