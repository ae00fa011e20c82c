"""kgan's GAN families, one folder each, on the adversarial base (`kgan.base`).

A family folder holds its model (`model.py`, a `kgan.base.AdversarialModel`),
its settings (`config.py`, TensorFlow-free, so `kgan train --help` is fast)
and its recipe (`recipe.py`: what `kgan train --family NAME` loads, builds and
previews). This module is the registry: a name maps to those modules; nothing
here imports TensorFlow.
"""

import importlib

NAMES = ("gan", "voxel", "pix2pix", "cyclegan", "super_resolution", "progressive")


def check_name(name):
    """Returns `name` if it is a registered family."""
    if name not in NAMES:
        raise ValueError(f"Unknown GAN family. Expected one of {list(NAMES)}. Received: family={name!r}")
    return name


def config_module(name):
    """The family's settings module: `Config`, `DEFAULTS`, `DESCRIPTION`."""
    return importlib.import_module(f"kgan.families.{check_name(name)}.config")


def recipe(name):
    """The family's training recipe: `resolve`, `build`, `load_data`, `run_name`."""
    return importlib.import_module(f"kgan.families.{check_name(name)}.recipe")


def model_modules():
    """The modules defining the families' Keras classes (imported to register them)."""
    return [f"kgan.families.{name}.model" for name in NAMES]
