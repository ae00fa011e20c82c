"""`kgan.SuperResolutionGAN` meets the family contract (tests/harness.py): x2 and x4, both GAN losses.

The contract's tiny fit checks that every optimizer steps every batch, so
these cases start in the GAN phase (`pretrain_steps=0`); the two phases have
their own tests (test_sr_phases.py).

`TestRelativisticX2` (the tiny sub-pixel generator, `sr_tiny`) runs the whole
contract by default. `TestStandardX4` (SRResNet: two x2 shuffles) runs its
tiny fit by default, which trains the standard GAN loss at x4 through every
network; its other checks repeat `TestRelativisticX2`'s on the same model
code and are opt-in (`--runslow`). The x4 export and serving round trip are
covered fast by test_sr_serving.py (an x4 export, served as arrays and PNG).
"""

import sr_tiny
from harness import FamilyCase
from harness import FamilyContract
from harness import slow_contract_tests


def _make(scale, gan_loss, generator):
    return lambda: sr_tiny.model(scale, gan_loss=gan_loss, generator=generator, ema_half_life=100)


def _inputs():
    return {"images_lr": sr_tiny.lr_images()}


class TestRelativisticX2(FamilyContract):
    case = FamilyCase(
        "relativistic_x2", _make(2, "relativistic_average", "subpixel"), sr_tiny.pairs(scale=2), 8, _inputs
    )


# Fast coverage of each: TestRelativisticX2's test of the same name (the GAN loss and the scale change the
# step's arithmetic, which this class's tiny fit checks, not what is saved, restored or exported); the x4 export
# and serving also in test_sr_serving.py.
@slow_contract_tests(
    "test_resume_from_a_checkpoint_equals_the_uninterrupted_run",
    "test_keras_save_and_load_keep_every_optimizer_and_continue",
    "test_export_reproduces_the_exported_network",
    "test_serving_round_trip",
)
class TestStandardX4(FamilyContract):
    case = FamilyCase("standard_x4", _make(4, "standard", "srresnet"), sr_tiny.pairs(scale=4), 8, _inputs)
