"""Tiny seeded super-resolution models and data for the family's fast tests.

Most of a test's time is tracing the compiled train step, which grows with
the layers and variables of both networks. The tests of the model's own
machinery (the contract, the phases, distribution) use the smallest real
sub-pixel generator (`subpixel_generator`: ESPCN's convolutions then one
pixel shuffle) and a one-stage VGG discriminator (still with a batch norm).
The family's own generators where they are the point: SRResNet trained in
the x4 contract fit and in the `kgan train` run, which also exports it (with
the export's parity check); RRDB, the default, built by `kgan train`'s build
check (test_sr_train.py) and by test_sr_networks.py. RRDB's training and
export run in the --runslow tests (the x4 contract, the default run).
"""

import keras
import numpy as np
import tensorflow as tf

import kgan
from harness import FamilyCase
from harness import fit
from harness import full_state
from harness import weights
from kgan.data import degradation

HR = 16  # high-resolution crop side


def subpixel_generator(scale, channels=3, filters=4):
    """ESPCN-like (Shi et al. 2016): conv, LeakyReLU, conv to `scale**2` maps per channel, pixel shuffle.

    With the nearest-neighbour anchor the family's generators have (`anchor=True`).
    """
    lr = keras.Input((None, None, channels), name="images_lr")
    x = keras.layers.Conv2D(filters, 3, padding="same", name="conv_first")(lr)
    x = keras.layers.LeakyReLU(0.2, name="conv_first_act")(x)
    x = keras.layers.Conv2D(channels * scale**2, 3, padding="same", name="conv_last")(x)
    x = kgan.models.PixelShuffle(scale, name="shuffle")(x)
    x = keras.layers.Add(name="anchor_add")([x, kgan.models.subpixel.nearest_anchor(lr, scale)])
    images = keras.layers.Activation("linear", dtype="float32", name="images")(x)
    return keras.Model(lr, images, name="subpixel_generator")


def networks(scale=2, generator="subpixel", normalization="batch", seed=1):
    keras.utils.set_random_seed(seed)
    if generator == "rrdb":
        g = kgan.models.rrdb_generator(scale, 3, filters=4, blocks=1, growth=4, anchor=True)
    elif generator == "srresnet":
        g = kgan.models.srresnet_generator(scale, 3, filters=4, blocks=1, anchor=True)
    else:
        assert generator == "subpixel", generator
        g = subpixel_generator(scale)
    d = kgan.models.vgg_discriminator(HR, 3, base_filters=4, stages=1, dense_units=8, normalization=normalization)
    return g, d


def model(scale=2, pretrain_steps=0, steps_per_execution=1, gan_loss="relativistic_average", seed=1,
          generator="subpixel", **kwargs):
    g, d = networks(scale, generator, seed=seed)
    sr = kgan.SuperResolutionGAN(g, d, scale, pretrain_steps=pretrain_steps, gan_loss=gan_loss, seed=3, **kwargs)
    sr.compile(steps_per_execution=steps_per_execution)
    return sr


def pairs(n=24, scale=2, seed=0):
    """`{"lr", "hr"}` uint8 pairs: smooth random images, so the degradation matters."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, (n, HR // 4, HR // 4, 3)).astype("uint8")
    hr = degradation.bicubic_upscale(coarse, 4)
    hr = np.clip(hr.astype("int32") + rng.integers(-20, 21, hr.shape), 0, 255).astype("uint8")
    return {"lr": degradation.downsample(hr, scale), "hr": hr}


def lr_images(n=3, size=6, seed=4):
    return np.random.default_rng(seed).uniform(-1, 1, (n, size, size + 2, 3)).astype("float32")


def d_state(model):
    """Every variable of D (batch-norm statistics included) and of its optimizer."""
    return {
        **weights(model, ["discriminator"]),
        **{f"opt/{i}": np.array(v) for i, v in enumerate(model.d_optimizer.variables)},
    }


class Record(keras.callbacks.Callback):
    """Records at the end of each epoch what the phase tests compare (reads the model, never changes it)."""

    def __init__(self):
        super().__init__()
        self.epochs = []

    def on_epoch_end(self, epoch, logs=None):
        model = self.model
        self.epochs.append(
            {
                "steps": (int(model.g_optimizer.iterations), int(model.d_optimizer.iterations)),
                "d_state": d_state(model),
                "generator": weights(model, ["generator"]),
                "sampling_generator": [np.array(w) for w in model.sampling_network("generator").weights],
                "psnr_is_sampling": model.psnr_network() is model.sampling_network("generator"),
                "full_state": full_state(model),
            }
        )


class Run:
    """One uninterrupted tiny x2 run with both phases, a full-state checkpoint after each epoch.

    24 pairs in batches of 8: 3 steps per epoch. Tests read `model`,
    `history`, `initial` (before the fit) and `epochs` (`Record`'s entries);
    none changes the model. `resumed_after_epoch_1` restores the checkpoint
    of epoch 1 into a new model and fits it on.
    """

    def __init__(self, folder, pretrain_steps, steps_per_execution, epochs):
        tf.config.experimental.enable_op_determinism()  # resumed runs are compared bit for bit
        make = lambda: model(2, pretrain_steps, steps_per_execution, ema_half_life=100)  # noqa: E731
        self.case = FamilyCase("phases", make, pairs(), 8, lambda: {"images_lr": lr_images()})
        self.model = make()
        self.initial = {"d_state": d_state(self.model), "generator": weights(self.model, ["generator"])}
        self.folder = str(folder)
        record = Record()
        checkpoints = kgan.callbacks.FullStateCheckpoint(self.folder, max_to_keep=epochs)
        self.history = fit(self.model, self.case, epochs=epochs, callbacks=[record, checkpoints])
        self.epochs = record.epochs

    def resumed_after_epoch_1(self, epochs):
        resumed = self.case.make_model()
        epoch = tf.Variable(0, dtype=tf.int64)
        checkpoint = kgan.callbacks.make_checkpoint(resumed, epoch)
        checkpoint.restore(f"{self.folder}/ckpt-1").assert_existing_objects_matched()
        assert int(epoch.numpy()) == 1
        fit(resumed, self.case, epochs=epochs, initial_epoch=1)
        return resumed
