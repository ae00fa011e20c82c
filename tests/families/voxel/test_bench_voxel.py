"""tools/bench_voxel.py's pieces: a variant repeats the default run's settings plus its own, and the within-class IoU."""

import dataclasses
import os
import sys

import numpy as np
import pytest

from kgan import cli
from kgan import training
from kgan.cli import train as train_cli
from kgan.families.voxel import config as voxel_config
from kgan.training.config import TrainConfig

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "tools")))

import bench_voxel  # noqa: E402


def _from_flags(flags):
    argv = ["train", "--family", "voxel", *flags]
    return training.resolve(train_cli.config_from_args(cli.build_parser(argv).parse_args(argv)))


def test_a_variant_repeats_the_default_run_and_adds_its_flags():
    default = training.resolve(TrainConfig(family="voxel", model=voxel_config.Config()))
    assert default.model.d_accuracy_gate == 0.0 and default.model.ema_half_life == 0.0
    flags = bench_voxel.repeat_flags(default)
    assert _from_flags(flags) == default
    gated = _from_flags(flags + list(bench_voxel.VARIANTS["with gate + EMA"]))
    bench_voxel.check_comparable(default, gated, "with gate + EMA")
    assert dataclasses.replace(gated.model, d_accuracy_gate=0.0, ema_half_life=0.0) == default.model
    assert (gated.model.d_accuracy_gate, gated.model.ema_half_life) == (0.8, 5000.0)
    with pytest.raises(ValueError, match=r"variant 'later'.*different \['epochs'\]"):
        bench_voxel.check_comparable(default, dataclasses.replace(gated, epochs=gated.epochs + 1), "later")


def test_within_class_iou_by_hand():
    a = np.zeros((2, 2, 2), "float32")
    a[0] = 1  # 4 voxels
    b = np.zeros((2, 2, 2), "float32")
    b[0, 0] = 1  # 2 voxels, inside a: IoU 2/4
    c = np.zeros((2, 2, 2), "float32")
    c[1] = 0.7  # 4 voxels, disjoint from a and b
    volumes = np.stack([a, b, a, c])[..., None]
    labels = np.array([0, 0, 1, 1])
    # Class 0: IoU(a, b) = 0.5; class 1: IoU(a, c) = 0; the mean over classes is 0.25.
    assert bench_voxel.within_class_iou(volumes, labels) == pytest.approx(0.25)
    assert bench_voxel.within_class_iou(np.stack([a, a, b])[..., None], np.zeros(3, int)) == pytest.approx((1 + 0.5 + 0.5) / 3)
