"""`kgan.SuperResolutionGAN` under tf.distribute.MirroredStrategy on 2 logical CPUs (a fresh interpreter).

GAN training from the start distributes; a run with PSNR pre-training is
refused with a clear error, because D's update sits inside a `tf.cond` and
Keras' optimizers cannot synchronise replicas there. The run is
`sr_distributed.SCRIPT`, which tests/conftest.py starts when collection ends; this
module is named to run last, so the run overlaps the folder's other tests.
"""

import sr_distributed

BACKGROUND = sr_distributed.BACKGROUND


def test_gan_training_distributes_and_two_phases_are_refused():
    out = BACKGROUND.result()
    assert out["steps"] == [2, 2] and all(v == v and v > 0 for v in out["losses"])
    assert "Expected one replica for a run with PSNR pre-training" in out["error"]
