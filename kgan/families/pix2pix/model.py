"""`kgan.Pix2Pix`: paired image-to-image translation, on the adversarial base."""

import keras
import tensorflow as tf

from kgan import checks
from kgan.base import batches
from kgan.base import ema
from kgan.base.model import AdversarialModel
from kgan.base.model import deserialize_networks
from kgan.data import jitter as jitter_lib
from kgan.families.pix2pix import losses
from kgan.models import translation


@keras.saving.register_keras_serializable(package="kgan")
class Pix2Pix(AdversarialModel):
    """A conditional GAN that learns to translate `source` images into `target` images.

    Each `train_step` receives a batch of aligned `(source, target)` pairs
    and performs the update of Isola et al. 2017 as their reference code
    does it (one generator forward pass, the discriminator first, then the
    generator against the updated discriminator):

    1. Jitter: with `jitter`, each pair is cropped to `image_size` at a
       random place and mirrored at random (source and target alike), with
       the model's seeded noise; without it, pairs larger than `image_size`
       are centre-cropped.
    2. `fake = G(source)`, in training mode (dropout on).
    3. D main: `0.5 * (BCE(D(source, target), 1) + BCE(D(source, fake), 0))`
       over every patch logit.
    4. G main, through the updated D on the same `fake`:
       `BCE(D(source, fake), 1) + l1_weight * mean|target - fake|`.
    5. With an EMA, an update of the generator's moving average.

    Batches are `(source, target)` tuples or dicts with `"source"` and
    `"target"`, float images in [-1, 1].

    Args:
        generator: a Keras model mapping source images to images in [-1, 1]
            (e.g. `kgan.models.unet_generator`).
        discriminator: a conditional Keras model with inputs named `source`
            and `images`, giving logits (one per patch, or one per image;
            e.g. `kgan.models.patchgan_discriminator(..., source_channels=...)`).
        image_size: side of the square training crops, or None to train on
            the batches' own size.
        l1_weight: weight of the L1 term (the paper's lambda = 100).
        jitter: random crops and mirroring in the train step (the paper's
            random jitter; feed images about 286/256 of `image_size`, see
            `kgan.data.jitter.load_size`).
        ema_decay, ema_half_life, ema_rampup: an exponential moving average
            of the generator, used to translate, preview and export (see
            `kgan.GAN`); not with batch norm in the generator.
        seed: integer seed of the jitter and dropout noise, or None.

    Example:

    ```python
    import numpy as np
    import kgan

    g = kgan.models.unet_generator(3, image_size=16, base_filters=8)
    d = kgan.models.patchgan_discriminator(3, source_channels=3, image_size=16, base_filters=8)
    model = kgan.Pix2Pix(g, d, image_size=16, seed=0)
    model.compile()  # Adam(2e-4, beta_1=0.5) for both
    source = np.random.default_rng(0).uniform(-1, 1, (8, 18, 18, 3)).astype("float32")
    model.fit(source, -source, batch_size=4, epochs=1, verbose=0)   # (source, target) pairs
    out = model.translate(source[:, :16, :16])   # (8, 16, 16, 3) in [-1, 1]
    ```
    """

    batch_keys = ("source", "target")
    optimizer_attributes = {"generator": "g_optimizer", "discriminator": "d_optimizer"}

    def __init__(
        self,
        generator,
        discriminator,
        image_size=None,
        l1_weight=100.0,
        jitter=True,
        ema_decay=None,
        ema_half_life=None,
        ema_rampup=ema.DEFAULT_RAMPUP,
        seed=None,
        **kwargs,
    ):
        _check_networks(generator, discriminator)
        super().__init__(
            {"generator": generator, "discriminator": discriminator},
            ema_networks=("generator",),
            ema_decay=ema_decay,
            ema_half_life=ema_half_life,
            ema_rampup=ema_rampup,
            seed=seed,
            **kwargs,
        )
        if self.ema_names and ema.batch_norm_layers(generator):
            raise ValueError(
                "Expected a generator without batch norm for an EMA: the averaged weights would need "
                "batch-norm statistics of their own, measured on source images the model does not keep. "
                "Use normalization='instance' (the default) or no EMA. Received: a generator with "
                f"{len(ema.batch_norm_layers(generator))} BatchNormalization layers"
            )
        self.image_size = checks.positive_int("image_size", image_size, allow_none=True)
        self.l1_weight = checks.number("l1_weight", l1_weight, 0.0)
        self.jitter = bool(jitter)
        self.build()

    def metric_names(self):
        return ["d_loss", "g_loss", "g_adversarial", "l1", "d_real", "d_fake"]

    # The step --------------------------------------------------------------------

    def prepare_batch(self, batch):
        if batch.get("target") is None:
            raise ValueError(
                "Pix2Pix expects (source, target) batches of aligned image pairs. Received: "
                f"entries {sorted(batch)}"
            )
        source = tf.cast(batch["source"], tf.float32)
        target = tf.cast(batch["target"], tf.float32)
        if source.shape[1:3] != target.shape[1:3]:
            raise ValueError(
                "Expected source and target images of the same height and width. Received: "
                f"source {tuple(source.shape)}, target {tuple(target.shape)}"
            )
        source, target = jitter_lib.training_crops([source, target], self.image_size, self.jitter, self.uniform)
        return {"source": source, "target": target}

    def train_step(self, data):
        """Jitter, one G forward pass, the D phase, then the G phase on the same fakes."""
        batch = self.prepare_batch(batches.as_dict(data, self.batch_keys))
        # The generator's tape stays open across the D phase (recording only
        # inside `with`): G's update reuses this forward pass, as the
        # reference implementation does, instead of drawing new dropout.
        tape = tf.GradientTape()
        with tape:
            fake = self.generator(batch["source"], training=True)
        self.discriminator_phase({**batch, "fake": tf.stop_gradient(fake)})
        self.generator_phase({**batch, "fake": fake}, tape)
        self.update_averages(self.images_per_step(batch))
        return self.logs()

    def discriminator_phase(self, batch):
        """D main: real pairs against fake pairs, over every patch."""
        source, target, fake = batch["source"], batch["target"], batch["fake"]

        def loss():
            real_logits = self.discriminate(source, target)
            fake_logits = self.discriminate(source, fake)
            return losses.discriminator_loss(real_logits, fake_logits), (real_logits, fake_logits)

        d_loss, (real_logits, fake_logits) = self.minimize("discriminator", loss)
        self.track("d_loss", d_loss)
        self.track("d_real", tf.reduce_mean(tf.sigmoid(tf.cast(real_logits, tf.float32))))
        self.track("d_fake", tf.reduce_mean(tf.sigmoid(tf.cast(fake_logits, tf.float32))))

    def generator_phase(self, batch, tape):
        """G main: fool the updated D on the same fakes, and stay within L1 of the target."""
        with tape:
            adversarial = losses.generator_adversarial_loss(self.discriminate(batch["source"], batch["fake"]))
            l1 = losses.l1_loss(batch["target"], batch["fake"])
            total = adversarial + self.l1_weight * l1
            scaled = self.g_optimizer.scale_loss(self.per_replica(total))
        variables = self.generator.trainable_variables
        self.g_optimizer.apply(tape.gradient(scaled, variables), variables)
        self.track("g_loss", total)
        self.track("g_adversarial", adversarial)
        self.track("l1", l1)

    def discriminate(self, source, images):
        return self.discriminator({"source": source, "images": images}, training=True)

    # Translation -----------------------------------------------------------------

    def call(self, inputs, training=False):
        """Translates `inputs` with the sampling generator."""
        return self.sampling_network("generator")(inputs, training=training)

    def translate(self, images, batch_size=64):
        """Translates source images (float32 in [-1, 1]) with the sampling generator, in inference mode."""
        return translation.translate(self.sampling_network("generator"), images, batch_size)

    def export_spec(self):
        return translation.translation_spec(self.generator)

    def export_network(self):
        return self.sampling_network("generator")

    def preview_inputs(self, seed, examples=None, num_samples=64, **options):
        """The first examples of a fixed held-out batch: `(source, target)` or a dict."""
        if examples is None:
            raise ValueError(
                "Expected held-out (source, target) examples to preview a Pix2Pix model. Received: examples=None"
            )
        examples = batches.as_dict(examples, self.batch_keys)
        return {key: value[:num_samples] for key, value in examples.items()}

    def preview(self, inputs, scale=1):
        """One row per example: source | translation | target."""
        columns = [inputs["source"], self.translate(inputs["source"])]
        if inputs.get("target") is not None:
            columns.append(inputs["target"])
        return translation.rows_grid(columns, scale=scale)

    # Serialization ---------------------------------------------------------------

    def get_config(self):
        return {
            **_without_penalties(self.base_config()),
            **self.serialized_networks(),
            "image_size": self.image_size,
            "l1_weight": self.l1_weight,
            "jitter": self.jitter,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**deserialize_networks(config, ("generator", "discriminator")))

    def compile(self, d_optimizer="adam", g_optimizer="adam", jit_compile="auto", steps_per_execution=1):
        """Configures both optimizers and the compiled step.

        Args:
            d_optimizer: the discriminator's optimizer (instance, name or
                config). `"adam"` is Adam(2e-4, beta_1=0.5), the paper's.
            g_optimizer: the generator's optimizer, likewise (another instance).
            jit_compile: `"auto"` (XLA on GPU, off on CPU and under
                tf.distribute), True or False.
            steps_per_execution: train steps per `tf.function` call.
        """
        super().compile(
            {"discriminator": d_optimizer, "generator": g_optimizer},
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
        )


def _check_networks(generator, discriminator):
    for name, model in (("generator", generator), ("discriminator", discriminator)):
        if not isinstance(model, keras.Model):
            raise ValueError(f"Expected `{name}` to be a keras.Model. Received: {name}={model!r}")
    if len(generator.inputs or []) != 1:
        raise ValueError(f"Expected a generator with one image input. Received: {len(generator.inputs)} inputs")
    names = sorted(tensor.name.split(":")[0] for tensor in discriminator.inputs or [])
    if names != ["images", "source"]:
        raise ValueError(
            "Expected a conditional discriminator with inputs named 'source' and 'images' (e.g. "
            "kgan.models.patchgan_discriminator(..., source_channels=C)). Received: inputs "
            f"{names}"
        )


UNUSED_BASE_OPTIONS = ("gp_weight", "r1_weight", "r1_interval", "augment")


def _without_penalties(config):
    # The base's gradient penalties and D augmentations are not part of the pix2pix objective.
    return {key: value for key, value in config.items() if key not in UNUSED_BASE_OPTIONS}
