"""`kgan.GAN`: noise (and a class label) to image, on the adversarial base."""

import keras
import numpy as np
import tensorflow as tf

from kgan import checks
from kgan import images as images_lib
from kgan import labels as labels_lib
from kgan import latent
from kgan import losses
from kgan import specs
from kgan.base import batches
from kgan.base import ema
from kgan.base.model import AdversarialModel
from kgan.base.model import deserialize_networks

STATISTICS_BATCH = 64


@keras.saving.register_keras_serializable(package="kgan")
class GAN(AdversarialModel):
    """A generative adversarial network trained with `model.fit`.

    Each `train_step` receives one batch of real images (and labels, for a
    conditional GAN) and performs the alternating update of Goodfellow et
    al. 2014, in the base's named phases:

    1. `d_steps` discriminator phases. The real batch is split into
       `d_steps` equal slices (its size must be a multiple of `d_steps`);
       each phase sees one slice and fresh fakes: D main (the loss on real
       and fake logits), then D regularisation (gradient penalties), in one
       update.
    2. One generator phase (G main) on fresh noise, with the slice's batch
       size and labels.
    3. With an EMA, an update of the generator's moving average.

    Batches are `(images, labels)` tuples, `images` alone, or dicts with
    `"images"` (and `"labels"`). Labels may be integers of shape `(B,)` or
    `(B, 1)`, or one-hot rows `(B, num_classes)`.

    Noise comes from a `keras.random.SeedGenerator` on the model, so `seed`
    makes runs reproducible; under `tf.distribute` the replica id is folded
    into the seed so that every replica draws different noise.

    Args:
        generator: a Keras model mapping `z` (and integer `labels` for a
            conditional GAN) to images in [-1, 1].
        discriminator: a Keras model mapping images (and labels) to one
            logit per image, shape `(batch, 1)` or `(batch,)`. With a gradient
            penalty it may not contain batch norm (the penalty would not be
            per example).
        latent_dim: size of the noise vector z.
        loss: a name from `kgan.losses.NAMES` or a `kgan.losses.GANLoss`.
            Defaults to `"non_saturating"`.
        d_steps: discriminator updates per generator update.
        gp_weight: weight of the WGAN-GP gradient penalty. Defaults to 10
            for `"wasserstein"` and 0 otherwise.
        r1_weight: weight of the R1 penalty on real data (0 disables it).
        label_smoothing: one-sided label smoothing of D's real targets, for
            losses that support it.
        num_classes: number of classes of a conditional GAN, or None.
        ema_decay: a fixed decay per step of the generator's moving average
            (with a `(1+t)/(10+t)` warm-up), or None.
        seed: integer seed of the noise, or None.
        ema_half_life: the moving average's half-life in images (StyleGAN's
            `ema_kimg * 1000`), or None. Means the same at any batch size;
            prefer it to `ema_decay`.
        ema_rampup: with `ema_half_life`, cap the half-life at this fraction
            of the images seen so far.
        r1_interval: lazy R1 (StyleGAN2): the penalty every this many D
            steps, weighted by it. Pair it with `kgan.base.penalties.lazy_adam`.
        augment: differentiable augmentation of everything D sees, real and
            fake, in both phases: None, `"diffaugment"`, `"ada"`, or a
            `kgan.base.augmentation.DiffAugment` / `AdaptiveAugment`.
        reuse_fakes: with `d_steps=1`, the G phase scores the fakes the D
            phase made (with the updated D), as pytorch/examples' DCGAN does:
            one generator forward per step instead of two. A change of the
            update, not only of its cost.

    Example:

    ```python
    g = kgan.models.dcgan_generator(latent_dim=64, image_size=16, channels=1)
    d = kgan.models.dcgan_discriminator(image_size=16, channels=1)
    gan = kgan.GAN(g, d, latent_dim=64, ema_half_life=10_000, seed=0)
    gan.compile()  # Adam(2e-4, beta_1=0.5) for both nets
    gan.fit(kgan.data.load("digits", image_size=16, labels=False, seed=0), epochs=1, verbose=0)
    images = gan.generate(16, seed=0)
    ```
    """

    batch_keys = ("images", "labels")
    optimizer_attributes = {"generator": "g_optimizer", "discriminator": "d_optimizer"}

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim,
        loss="non_saturating",
        d_steps=1,
        gp_weight=None,
        r1_weight=0.0,
        label_smoothing=0.0,
        num_classes=None,
        ema_decay=None,
        seed=None,
        ema_half_life=None,
        ema_rampup=ema.DEFAULT_RAMPUP,
        r1_interval=1,
        augment=None,
        reuse_fakes=False,
        **kwargs,
    ):
        loss_pair = losses.get(loss)
        _check_networks(generator, discriminator, num_classes)
        label_smoothing = checks.number("label_smoothing", label_smoothing, 0.0, 1.0, high_open=True)
        if label_smoothing and not loss_pair.supports_label_smoothing:
            raise ValueError(
                f"The {loss_pair.name!r} loss has no real/fake targets to smooth. "
                f"Received: label_smoothing={label_smoothing}"
            )
        if gp_weight is None:
            gp_weight = 10.0 if loss_pair.name == "wasserstein" else 0.0
        super().__init__(
            {"generator": generator, "discriminator": discriminator},
            discriminators=("discriminator",),
            ema_networks=("generator",),
            ema_decay=ema_decay,
            ema_half_life=ema_half_life,
            ema_rampup=ema_rampup,
            gp_weight=checks.number("gp_weight", gp_weight, 0.0),
            r1_weight=checks.number("r1_weight", r1_weight, 0.0),
            seed=seed,
            r1_interval=r1_interval,
            augment=augment,
            **kwargs,
        )
        self.loss_pair = loss_pair
        self.latent_dim = checks.positive_int("latent_dim", latent_dim)
        self.d_steps = checks.positive_int("d_steps", d_steps)
        self.num_classes = checks.integer("num_classes", num_classes, minimum=2, allow_none=True)
        self.label_smoothing = label_smoothing
        if reuse_fakes and self.d_steps != 1:
            raise ValueError(f"Expected d_steps=1 with reuse_fakes=True. Received: d_steps={self.d_steps}")
        self.reuse_fakes = bool(reuse_fakes)
        self.build()

    @property
    def conditional(self):
        return self.num_classes is not None

    @property
    def ema_decay(self):
        return self.ema_schedule.decay

    @property
    def sampling_generator(self):
        """The EMA generator if enabled, else the generator.

        Its batch-norm statistics are refreshed by `sampling_network("generator")`,
        which `generate`, sample grids, export and `kgan.augment` call.
        """
        return self.ema_generator if self.ema_generator is not None else self.generator

    @property
    def image_shape(self):
        return tuple(self.generator.outputs[0].shape[1:])

    def metric_names(self):
        return ["d_loss", "g_loss", "d_real", "d_fake", *self.penalty_metric_names()]

    # The phases -----------------------------------------------------------------

    @property
    def d_steps_per_step(self):
        return self.d_steps

    def prepare_batch(self, batch):
        images = tf.cast(batch["images"], tf.float32)
        if not self.conditional:
            return {"images": images}
        if batch.get("labels") is None:
            raise ValueError(
                "A conditional GAN (num_classes set) expects (images, labels) batches. "
                f"Received: images only, {images!r}"
            )
        return {"images": images, "labels": batches.class_indices(batch["labels"], self.num_classes)}

    def discriminator_phase(self, batch, fake=None):
        """D main and D regularisation, in one update of the discriminator."""
        real, labels = batch["images"], batch.get("labels")
        if fake is None:
            # Made outside the tape: D's update needs no gradient through G.
            fake = self.generator(self.generator_inputs(self.noise(tf.shape(real)[0]), labels), training=True)

        def loss():
            # Separate calls keep real and fake batches apart, as batch norm in D needs.
            real_logits = self.discriminate(real, labels)
            fake_logits = self.discriminate(fake, labels)
            main = self.d_main_loss(real_logits, fake_logits)
            return main + self.regularization(self.critic(labels), real, fake), (real_logits, fake_logits)

        total, (real_logits, fake_logits) = self.minimize("discriminator", loss)
        self.track("d_loss", total)
        self.track("d_real", self.d_output(real_logits))
        self.track("d_fake", self.d_output(fake_logits))
        self.observe_real_logits(real_logits, tf.shape(real)[0])

    def generator_phase(self, batch):
        """G main: fresh noise, the slice's labels, through D."""
        labels = batch.get("labels")
        z = self.noise(tf.shape(batch["images"])[0])

        def loss():
            fake = self.generator(self.generator_inputs(z, labels), training=True)
            return self.loss_pair.generator(self.discriminate(fake, labels)), None

        g_loss, _ = self.minimize("generator", loss)
        self.track("g_loss", g_loss)

    def train_step(self, data):
        if not self.reuse_fakes:
            return super().train_step(data)
        # One G forward: the tape records G's fakes, the D phase trains on them
        # (without gradient to G), then the same fakes score G through the
        # updated D, as pytorch/examples' DCGAN does.
        batch = self.prepare_batch(batches.as_dict(data, self.batch_keys))
        real, labels = batch["images"], batch.get("labels")
        with tf.GradientTape() as g_tape:
            fake = self.generator(self.generator_inputs(self.noise(tf.shape(real)[0]), labels), training=True)
        self.discriminator_phase(batch, fake=tf.stop_gradient(fake))
        with g_tape:
            g_loss = self.loss_pair.generator(self.discriminate(fake, labels))
            scaled = self.g_optimizer.scale_loss(self.per_replica(g_loss))
        variables = self.generator.trainable_variables
        self.g_optimizer.apply(g_tape.gradient(scaled, variables), variables)
        self.track("g_loss", g_loss)
        self.update_averages(self.images_per_step(batch))
        return self.logs()

    def d_main_loss(self, real_logits, fake_logits):
        if self.loss_pair.supports_label_smoothing:
            return self.loss_pair.discriminator(real_logits, fake_logits, label_smoothing=self.label_smoothing)
        return self.loss_pair.discriminator(real_logits, fake_logits)

    def discriminate(self, images, labels):
        """D's logits on what it sees of `images` (augmented when `augment` is set)."""
        return self.discriminator(self.discriminator_inputs(self.augment_for_d(images), labels), training=True)

    def critic(self, labels):
        """D as a function of images alone (labels fixed, augmentation inside), for the penalties."""
        return lambda images, training=True: self.discriminate(images, labels)

    def d_output(self, logits):
        logits = tf.cast(logits, tf.float32)
        return tf.sigmoid(logits) if self.loss_pair.probability_outputs else logits

    def noise(self, batch_size):
        return self.normal(tf.stack([batch_size, self.latent_dim]))

    def generator_inputs(self, z, labels):
        return z if labels is None else [z, labels]

    def discriminator_inputs(self, images, labels):
        return images if labels is None else [images, labels]

    # Sampling ---------------------------------------------------------------------

    def call(self, inputs, training=False):
        """Maps `z` (or `[z, labels]`) to images with the sampling generator."""
        return self.sampling_generator(inputs, training=training)

    def generate(self, n, labels=None, seed=None, batch_size=256):
        """Generates `n` images as float32 in [-1, 1], shape `(n, H, W, C)`.

        Args:
            n: number of images.
            labels: class labels for a conditional GAN: an int, `n` ints, or
                `n` one-hot rows. Defaults to cycling through the classes.
            seed: integer seed of the noise (`kgan.latent.sample_latent`).
            batch_size: images per generator call.
        """
        z = latent.sample_latent(n, self.latent_dim, seed)
        labels = self.resolve_labels(n, labels)
        generator = self.sampling_network("generator")
        chunks = []
        for start in range(0, n, batch_size):
            stop = start + batch_size
            inputs = self.generator_inputs(z[start:stop], None if labels is None else labels[start:stop])
            chunks.append(keras.ops.convert_to_numpy(generator(inputs, training=False)))
        if not chunks:
            return np.zeros((0, *self.image_shape), "float32")
        return np.concatenate(chunks).astype("float32")

    def resolve_labels(self, n, labels):
        """Validates `labels` for `n` samples (`kgan.labels.resolve`); cycles classes when None."""
        return labels_lib.resolve(labels, n, self.num_classes, name="labels")

    def statistics_inputs(self, name):
        """Fixed noise (and labels in turn) to measure the EMA generator's batch-norm statistics."""
        rng = np.random.default_rng(0)
        for _ in range(self.statistics_batches):
            z = rng.standard_normal((STATISTICS_BATCH, self.latent_dim)).astype("float32")
            yield self.generator_inputs(z, self.resolve_labels(STATISTICS_BATCH, None))

    # Description ----------------------------------------------------------------

    def export_spec(self):
        return specs.noise_to_image(self.latent_dim, self.image_shape, self.num_classes)

    def export_network(self):
        return self.sampling_network("generator")

    def preview_inputs(self, seed, examples=None, num_samples=64, per_class=10):
        """Fixed noise: `num_samples` points, or `per_class` per class (one grid row each)."""
        if self.conditional:
            labels = np.repeat(np.arange(self.num_classes), per_class).astype("int32")
            return {"z": latent.sample_latent(len(labels), self.latent_dim, seed), "labels": labels}
        return {"z": latent.sample_latent(num_samples, self.latent_dim, seed)}

    def preview(self, inputs, scale=1):
        generator = self.sampling_network("generator")
        samples = generator(self.generator_inputs(inputs["z"], inputs.get("labels")), training=False)
        rows = self.num_classes if self.conditional else None
        return images_lib.make_grid(keras.ops.convert_to_numpy(samples), rows=rows, scale=scale)

    # Serialization ----------------------------------------------------------------

    def get_config(self):
        return {
            **self.base_config(),
            **self.serialized_networks(),
            "latent_dim": self.latent_dim,
            "loss": losses.serialize(self.loss_pair),
            "d_steps": self.d_steps,
            "label_smoothing": self.label_smoothing,
            "num_classes": self.num_classes,
            "reuse_fakes": self.reuse_fakes,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**deserialize_networks(config, ("generator", "discriminator")))

    def compile(self, d_optimizer="adam", g_optimizer="adam", jit_compile="auto", steps_per_execution=1):
        """Configures both optimizers and the compiled step.

        Args:
            d_optimizer: the discriminator's optimizer (instance, name or
                config). `"adam"` is Adam(2e-4, beta_1=0.5), the DCGAN setting.
            g_optimizer: the generator's optimizer, likewise. A different
                instance from `d_optimizer`.
            jit_compile: `"auto"` (XLA on GPU, off on CPU and under
                tf.distribute), True or False.
            steps_per_execution: train steps per `tf.function` call.
        """
        super().compile(
            {"discriminator": d_optimizer, "generator": g_optimizer},
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
        )


def _check_networks(generator, discriminator, num_classes):
    for name, model in (("generator", generator), ("discriminator", discriminator)):
        if not isinstance(model, keras.Model):
            raise ValueError(f"Expected `{name}` to be a keras.Model. Received: {name}={model!r}")
        expected = 2 if num_classes is not None else 1
        if len(model.inputs or []) not in (0, expected):
            raise ValueError(
                f"Expected the {name} to take {expected} input(s) "
                f"({'images/z and labels' if expected == 2 else 'no labels'}) for "
                f"num_classes={num_classes}. Received: {len(model.inputs)} inputs"
            )
