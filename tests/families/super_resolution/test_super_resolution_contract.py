"""`kgan.SuperResolutionGAN` meets the family contract (tests/harness.py): x2 and x4, both GAN losses.

The contract's tiny fit checks that every optimizer steps every batch, so
these cases start in the GAN phase (`pretrain_steps=0`); the two phases have
their own tests (test_sr_phases.py).
"""

import sr_tiny
from harness import FamilyCase
from harness import FamilyContract


def _make(scale, gan_loss):
    return lambda: sr_tiny.model(scale, gan_loss=gan_loss, ema_half_life=100)


def _inputs():
    return {"images_lr": sr_tiny.lr_images()}


class TestRelativisticX2(FamilyContract):
    case = FamilyCase("relativistic_x2", _make(2, "relativistic_average"), sr_tiny.pairs(scale=2), 8, _inputs)


class TestStandardX4(FamilyContract):
    case = FamilyCase("standard_x4", _make(4, "standard"), sr_tiny.pairs(scale=4), 8, _inputs)
