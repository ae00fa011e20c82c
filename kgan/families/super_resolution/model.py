"""`kgan.SuperResolutionGAN`: low- to high-resolution images, SRGAN and ESRGAN, on the adversarial base."""

import keras
import numpy as np
import tensorflow as tf

from kgan import checks
from kgan import images as images_lib
from kgan import specs
from kgan.base import batches
from kgan.base import ema
from kgan.base import noise
from kgan.base.model import AdversarialModel
from kgan.base.model import deserialize_networks
from kgan.data import degradation
from kgan.data import patches
from kgan.families.super_resolution import losses
from kgan.families.super_resolution import perceptual as perceptual_lib
from kgan.models import subpixel

# ESRGAN's weights (Wang et al. 2018, Sec. 4.1), with the perceptual loss on.
ESRGAN_WEIGHTS = {"pixel_weight": 1e-2, "perceptual_weight": 1.0, "gan_weight": 5e-3}
# Without it the pixel loss is the whole content loss, at weight 1, and the
# adversarial weight stays ESRGAN's 5e-3: a small share of G's loss (the
# README's super-resolution section gives the measured share).
PIXEL_ONLY_WEIGHTS = {"pixel_weight": 1.0, "perceptual_weight": 0.0, "gan_weight": 5e-3}
INPUT_NAME = "images_lr"
OUTPUT_NAME = "images"


@keras.saving.register_keras_serializable(package="kgan")
class SuperResolutionGAN(AdversarialModel):
    """Super-resolution GAN (SRGAN / ESRGAN) trained with `model.fit`, in two phases.

    Batches are `(lr, hr)` pairs, or dicts with `"lr"` and `"hr"`: low- and
    high-resolution crops, uint8 (0..255) or float in [-1, 1], the high ones
    `scale` times larger. Both papers train in two phases, and one `fit`
    does both; the phase is a function of the model's state alone, the
    generator's update count `t` (its optimizer's `iterations`):

    - pre-training, `t < pretrain_steps`: PSNR-oriented, the generator
      alone minimises the pixel loss; the discriminator and its optimizer
      do not move;
    - GAN fine-tuning, `t >= pretrain_steps`, starting from the pre-trained
      generator. Each step, in ESRGAN's order:
      1. G update on `pixel_weight * pixel + perceptual_weight * perceptual
         + gan_weight * adversarial` (D held fixed);
      2. D update on the real crops and the step's generated ones.

    The choice is made inside the compiled step (`tf.cond`), so a run
    resumed from a checkpoint continues exactly, in either phase or across
    the switch. At the first GAN step the generator the pre-training
    produced (its moving average when there is one) is copied into
    `psnr_generator`: the PSNR-oriented model, exported beside the GAN one
    (`export_parts()`: `""` and `"psnr"`).

    With `augment`, each training pair is flipped and rotated by one of the
    8 symmetries of the square, drawn per example from the model's seeded
    noise (`kgan.data.patches.dihedral`); crops must then be square.

    Args:
        generator: a fully convolutional Keras model, input `images_lr`
            `(batch, None, None, C)` -> output `images` `scale` times larger
            (`kgan.models.rrdb_generator`, `srresnet_generator`).
        discriminator: a Keras model mapping high-resolution crops to one
            logit each (`kgan.models.vgg_discriminator`).
        scale: the upscaling factor, 2 or 4.
        pretrain_steps: generator updates of the PSNR-oriented phase (0: GAN
            from the start).
        pixel_loss: `"l1"` (ESRGAN) or `"l2"` (SRGAN's MSE), in [0, 1] units.
        gan_loss: `"relativistic_average"` (ESRGAN) or `"standard"` (SRGAN).
        perceptual: a frozen feature extractor for the perceptual loss
            (`kgan.families.super_resolution.perceptual.vgg19_features`), or
            None for none.
        pixel_weight, perceptual_weight, gan_weight: the GAN-phase loss
            weights. None takes ESRGAN's 1e-2, 1, 5e-3 with a perceptual
            extractor, else 1, 0, 5e-3 (`PIXEL_ONLY_WEIGHTS`).
        augment: random flips and rotations of each training pair.
        ema_decay, ema_half_life, ema_rampup: the generator's moving average
            (see `kgan.base.ema`); sampling and export use it.
        seed: integer seed of the augmentation noise, or None.

    Example:

    ```python
    g = kgan.models.rrdb_generator(scale=2, filters=8, blocks=1, growth=4)
    d = kgan.models.vgg_discriminator(16, base_filters=4, stages=2, dense_units=8)
    model = kgan.SuperResolutionGAN(g, d, scale=2, pretrain_steps=2, seed=0)
    model.compile()
    hr = np.random.default_rng(0).integers(0, 256, (8, 16, 16, 3), dtype="uint8")
    lr = kgan.data.degradation.downsample(hr, 2)
    model.fit(lr, hr, batch_size=4, epochs=2, verbose=0)    # 2 pre-training steps, then 2 GAN steps
    big = model.upscale(lr[:1] / 127.5 - 1)                  # (1, 16, 16, 3) in about [-1, 1]
    ```
    """

    batch_keys = ("lr", "hr")
    optimizer_attributes = {"generator": "g_optimizer", "discriminator": "d_optimizer"}

    def __init__(
        self,
        generator,
        discriminator,
        scale,
        pretrain_steps=0,
        pixel_loss="l1",
        gan_loss="relativistic_average",
        perceptual=None,
        pixel_weight=None,
        perceptual_weight=None,
        gan_weight=None,
        augment=True,
        ema_decay=None,
        ema_half_life=None,
        ema_rampup=ema.DEFAULT_RAMPUP,
        seed=None,
        **kwargs,
    ):
        super().__init__(
            {"generator": generator, "discriminator": discriminator},
            discriminators=("discriminator",),
            ema_networks=("generator",),
            ema_decay=ema_decay,
            ema_half_life=ema_half_life,
            ema_rampup=ema_rampup,
            seed=seed,
            **kwargs,
        )
        self.scale = subpixel.check_scale(scale)
        _check_generator(generator, self.scale)
        self.pretrain_steps = checks.integer("pretrain_steps", pretrain_steps, minimum=0)
        checks.one_of("pixel_loss", pixel_loss, losses.PIXEL_LOSSES)
        checks.one_of("gan_loss", gan_loss, losses.GAN_LOSSES)
        self.pixel_loss, self.gan_loss = pixel_loss, gan_loss
        if perceptual is not None and not isinstance(perceptual, keras.Model):
            raise ValueError(f"Expected `perceptual` to be a keras.Model or None. Received: perceptual={perceptual!r}")
        self.perceptual = perceptual
        defaults = ESRGAN_WEIGHTS if perceptual is not None else PIXEL_ONLY_WEIGHTS
        given = {"pixel_weight": pixel_weight, "perceptual_weight": perceptual_weight, "gan_weight": gan_weight}
        for key, value in given.items():
            setattr(self, key, checks.number(key, defaults[key] if value is None else value, 0.0))
        if self.perceptual_weight and perceptual is None:
            raise ValueError(
                "Expected a feature extractor (`perceptual`) for a perceptual_weight > 0. "
                f"Received: perceptual=None, perceptual_weight={perceptual_weight}"
            )
        self.augment = bool(augment)
        self.psnr_generator = None
        self.build()

    def build(self, input_shape=None):
        """Creates the averages, the trackers and `psnr_generator` (idempotent)."""
        if self.built:
            return
        if self.pretrain_steps:
            self.psnr_generator = ema.clone(self.generator)
        super().build(input_shape)

    def metric_names(self):
        names = ["g_loss", "pixel_loss", "psnr", "g_adversarial"]
        if self.perceptual is not None:
            names.append("perceptual_loss")
        return names + ["d_loss", "d_real", "d_fake", "gan_phase"]

    # The step --------------------------------------------------------------------------

    def gan_phase(self):
        """True (a bool tensor) once the generator has made `pretrain_steps` updates."""
        return self.g_optimizer.iterations >= self.pretrain_steps

    def train_step(self, data):
        """Pre-training: G on the pixel loss. GAN phase: G on the full loss, then D."""
        batch = self.prepare_batch(batches.as_dict(data, self.batch_keys))
        if not self.pretrain_steps:  # GAN from the start: no phase to choose
            sr = self.generator_phase(batch, tf.constant(True))
            self.discriminator_phase({"hr": batch["hr"], "sr": tf.stop_gradient(sr)})
            return self._end_step(batch, tf.constant(True))
        if noise.num_replicas() > 1:
            raise ValueError(
                "Expected one replica for a run with PSNR pre-training: D's optimizer steps only in the GAN "
                "phase, chosen inside the step, and Keras' optimizers cannot synchronise replicas inside a "
                f"tf.cond. Received: pretrain_steps={self.pretrain_steps} under {noise.num_replicas()} replicas "
                "(pretrain_steps=0, GAN from the start, runs distributed)"
            )
        gan_phase = self.gan_phase()
        _when(tf.equal(self.g_optimizer.iterations, self.pretrain_steps), self._keep_psnr_generator)
        sr = self.generator_phase(batch, gan_phase)
        _when(gan_phase, lambda: self.discriminator_phase({"hr": batch["hr"], "sr": tf.stop_gradient(sr)}))
        return self._end_step(batch, gan_phase)

    def _end_step(self, batch, gan_phase):
        self.update_averages(tf.shape(batch["hr"])[0])
        self.track("gan_phase", tf.cast(gan_phase, tf.float32))
        return self.logs()

    def prepare_batch(self, batch):
        """Converts uint8 or [-1, 1] crops to float32 in [-1, 1]; flips and rotates each pair."""
        missing = [key for key in self.batch_keys if batch.get(key) is None]
        if missing:
            raise ValueError(f"Expected (lr, hr) batches, or dicts with 'lr' and 'hr'. Received: no {missing}")
        lr, hr = _as_float(batch["lr"]), _as_float(batch["hr"])
        if self.augment:
            for name, tensor in (("lr", lr), ("hr", hr)):
                if tensor.shape[1] is None or tensor.shape[1] != tensor.shape[2]:
                    raise ValueError(
                        f"Expected square crops for augment=True (rotations transpose them). "
                        f"Received: {name} of shape {tuple(tensor.shape)}"
                    )
            codes = tf.cast(tf.floor(8.0 * self.uniform(tf.shape(lr)[:1])), tf.int32)
            lr, hr = patches.dihedral(lr, codes), patches.dihedral(hr, codes)
        return {"lr": lr, "hr": hr}

    def generator_phase(self, batch, gan_phase):
        """One generator update; returns its output on the batch."""
        lr, hr = batch["lr"], batch["hr"]

        def loss():
            sr = self.generator(lr, training=True)
            pixel = losses.pixel_loss(sr, hr, self.pixel_loss)
            if not self.pretrain_steps:
                return self.gan_generator_loss(sr, hr, pixel), (sr, pixel)
            total = tf.cond(gan_phase, lambda: self.gan_generator_loss(sr, hr, pixel), lambda: pixel)
            return total, (sr, pixel)

        total, (sr, pixel) = self.minimize("generator", loss)
        self.track("g_loss", total)
        self.track("pixel_loss", pixel)
        self.track("psnr", losses.psnr(sr, hr))
        return sr

    def gan_generator_loss(self, sr, hr, pixel):
        """The GAN phase's generator loss (inside the generator's tape)."""
        total = self.pixel_weight * pixel
        if self.perceptual is not None:
            percep = perceptual_lib.perceptual_loss(self.perceptual, sr, hr)
            self.track("perceptual_loss", percep)
            total += self.perceptual_weight * percep
        real_logits = self.discriminator(hr, training=True)
        fake_logits = self.discriminator(sr, training=True)
        adversarial = losses.generator_loss(self.gan_loss)(real_logits, fake_logits)
        self.track("g_adversarial", adversarial)
        return total + self.gan_weight * adversarial

    def discriminator_phase(self, batch):
        """One discriminator update on the real crops and the step's generated ones."""
        real, fake = batch["hr"], batch["sr"]

        def loss():
            # Separate calls keep real and fake apart, as batch norm in D needs.
            real_logits = self.discriminator(real, training=True)
            fake_logits = self.discriminator(fake, training=True)
            d_loss = losses.discriminator_loss(self.gan_loss)(real_logits, fake_logits)
            return d_loss + self.regularization(self.discriminator, real, fake), (real_logits, fake_logits)

        d_loss, (real_logits, fake_logits) = self.minimize("discriminator", loss)
        self.track("d_loss", d_loss)
        real_p, fake_p = self.d_probabilities(real_logits, fake_logits)
        self.track("d_real", real_p)
        self.track("d_fake", fake_p)

    def d_probabilities(self, real_logits, fake_logits):
        """D's mean probability that real (fake) crops are real (relativistic: than the average other)."""
        real, fake = tf.cast(real_logits, tf.float32), tf.cast(fake_logits, tf.float32)
        if self.gan_loss == "relativistic_average":
            real, fake = real - tf.reduce_mean(fake), fake - tf.reduce_mean(real)
        return tf.reduce_mean(tf.sigmoid(real)), tf.reduce_mean(tf.sigmoid(fake))

    def _keep_psnr_generator(self):
        source = self.averaged("generator")
        source = self.generator if source is None else source
        for target, value in zip(self.psnr_generator.weights, source.weights, strict=True):
            target.assign(value)

    # Upscaling ------------------------------------------------------------------------------

    def call(self, inputs, training=False):
        """Upscales `images_lr` with the sampling generator (the moving average when there is one)."""
        return self.sampling_network("generator")(inputs, training=training)

    def upscale(self, images, psnr=False):
        """Upscales float images in [-1, 1] `(n, h, w, C)` (any size) -> `(n, h * scale, w * scale, C)`.

        Args:
            images: a batch of low-resolution images.
            psnr: use the PSNR-oriented generator instead of the GAN one.
        """
        network = self.psnr_network() if psnr else self.sampling_network("generator")
        return keras.ops.convert_to_numpy(network(np.asarray(images, "float32"), training=False))

    def psnr_network(self):
        """The PSNR-oriented generator: the pre-training's result once the GAN phase has begun.

        Until then (or without pre-training) it is the current sampling generator.
        """
        kept = self.pretrain_steps and self.compiled and int(self.g_optimizer.iterations.numpy()) > self.pretrain_steps
        return self.psnr_generator if kept else self.sampling_network("generator")

    # Description --------------------------------------------------------------------------------

    @property
    def channels(self):
        return int(self.generator.inputs[0].shape[-1])

    def export_spec(self):
        image = {"dtype": "float32", "role": "image", "value_range": (-1.0, 1.0)}
        shape = (None, None, self.channels)
        return specs.ModelSpec(
            "upscale",
            (specs.TensorSpec(INPUT_NAME, shape, **image),),
            (specs.TensorSpec(OUTPUT_NAME, shape, **image),),
            scale=self.scale,
        )

    def export_network(self):
        return self.sampling_network("generator")

    def export_parts(self):
        """`""`: the GAN generator; `"psnr"`: the PSNR-oriented one (with pre-training)."""
        parts = {"": (self.export_network(), self.export_spec())}
        if self.pretrain_steps:
            parts["psnr"] = (self.psnr_network(), self.export_spec())
        return parts

    def extra_state(self):
        return {"psnr_generator": self.psnr_generator} if self.psnr_generator is not None else {}

    def preview_inputs(self, seed, examples=None, **options):
        """The fixed held-out pairs to preview: `examples`, a dict of uint8 `lr` and `hr` crops."""
        if not isinstance(examples, dict) or "lr" not in examples or "hr" not in examples:
            raise ValueError(
                "Expected preview examples as a dict of uint8 'lr' and 'hr' crops (kgan train passes held-out "
                f"ones). Received: examples={type(examples).__name__}"
            )
        return {"lr": np.asarray(examples["lr"]), "hr": np.asarray(examples["hr"])}

    def preview(self, inputs, scale=1):
        """One row per example: bicubic | this model | original, uint8."""
        lr, hr = inputs["lr"], inputs["hr"]
        bicubic = degradation.bicubic_upscale(lr, self.scale)
        sr = images_lib.to_uint8(self.upscale(lr.astype("float32") / 127.5 - 1.0))
        tiles = np.stack([bicubic, sr, hr], axis=1).reshape(-1, *hr.shape[1:])
        return images_lib.make_grid(tiles, rows=len(lr), scale=scale)

    # Serialization ----------------------------------------------------------------------------

    def get_config(self):
        perceptual = None if self.perceptual is None else keras.saving.serialize_keras_object(self.perceptual)
        return {
            **self.base_config(),
            **self.serialized_networks(),
            "scale": self.scale,
            "pretrain_steps": self.pretrain_steps,
            "pixel_loss": self.pixel_loss,
            "gan_loss": self.gan_loss,
            "perceptual": perceptual,
            "pixel_weight": self.pixel_weight,
            "perceptual_weight": self.perceptual_weight,
            "gan_weight": self.gan_weight,
            "augment": self.augment,
        }

    @classmethod
    def from_config(cls, config):
        config = deserialize_networks(config, ("generator", "discriminator"))
        if config.get("perceptual") is not None:
            config["perceptual"] = keras.saving.deserialize_keras_object(config["perceptual"])
            config["perceptual"].trainable = False
        for key in ("gp_weight", "r1_weight"):
            config.pop(key, None)
        return cls(**config)

    def compile(self, g_optimizer=None, d_optimizer=None, jit_compile="auto", steps_per_execution=1):
        """Configures both optimizers and the compiled step.

        Args:
            g_optimizer: the generator's optimizer (instance, name or
                config). None: ESRGAN's Adam(beta_1=0.9, beta_2=0.99) at
                2e-4 in pre-training and 1e-4 in the GAN phase
                (`learning_rate_schedule`).
            d_optimizer: the discriminator's. None: Adam(1e-4, 0.9, 0.99).
            jit_compile: `"auto"` (XLA on GPU only), True or False.
            steps_per_execution: train steps per `tf.function` call.
        """
        if g_optimizer is None:
            g_optimizer = keras.optimizers.Adam(learning_rate_schedule(self.pretrain_steps), beta_1=0.9, beta_2=0.99)
        if d_optimizer is None:
            d_optimizer = keras.optimizers.Adam(1e-4, beta_1=0.9, beta_2=0.99)
        super().compile(
            {"generator": g_optimizer, "discriminator": d_optimizer},
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
        )


def learning_rate_schedule(pretrain_steps, pretrain_rate=2e-4, gan_rate=1e-4):
    """The generator's learning rate: `pretrain_rate` for its first `pretrain_steps` updates, then `gan_rate`.

    The optimizer evaluates a schedule at its update count before the update,
    so update `t` (0-based) is in the GAN phase when `t >= pretrain_steps`.
    """
    if not pretrain_steps:
        return gan_rate
    return keras.optimizers.schedules.PiecewiseConstantDecay([pretrain_steps - 1], [pretrain_rate, gan_rate])


def _when(condition, fn):
    """Runs `fn` (for its effects) when the bool tensor `condition` holds, inside a compiled step."""

    def run():
        fn()
        return tf.constant(True)

    return tf.cond(condition, run, lambda: tf.constant(False))


def _as_float(images):
    images = tf.convert_to_tensor(images)
    if images.dtype == tf.uint8:
        return tf.cast(images, tf.float32) / 127.5 - 1.0
    return tf.cast(images, tf.float32)


def _check_generator(generator, scale):
    names = [t.name.split(":")[0] for t in generator.inputs or []]
    if len(names) != 1 or len(generator.outputs or []) != 1:
        raise ValueError(
            f"Expected a generator with one image input and one output. Received: inputs {names}, "
            f"{len(generator.outputs or [])} outputs"
        )
    channels = generator.inputs[0].shape[-1]
    out = generator.compute_output_shape((1, 8, 8, channels))
    if tuple(out[1:]) != (8 * scale, 8 * scale, channels):
        raise ValueError(
            f"Expected a generator that upscales (8, 8, {channels}) inputs by the scale {scale} to "
            f"{(8 * scale, 8 * scale, channels)}. Received: output shape {tuple(out[1:])}"
        )
