"""`kgan.GAN`: a `keras.Model` whose `train_step` is the adversarial update."""

import keras
import numpy as np
import tensorflow as tf

from kgan import compilation
from kgan import latent
from kgan import losses


@keras.saving.register_keras_serializable(package="kgan")
class GAN(keras.Model):
    """A generative adversarial network trained with `model.fit`.

    Each `train_step` receives one batch of real images (and labels, for a
    conditional GAN) and performs the alternating update of Goodfellow et
    al. 2014:

    1. `d_steps` discriminator updates. The real batch is split into
       `d_steps` equal slices; each D step sees one slice and fresh fakes.
    2. One generator update on fresh noise, with the slice's batch size.
    3. With `ema_decay`, an update of the generator's moving average.

    Noise comes from a `keras.random.SeedGenerator` on the model, so `seed`
    makes runs reproducible; under `tf.distribute` the replica id is folded
    into the seed so that every replica draws different noise.

    Args:
        generator: a Keras model mapping `z` (and integer `labels` for a
            conditional GAN) to images in [-1, 1].
        discriminator: a Keras model mapping images (and labels) to one
            logit per image, shape `(batch, 1)` or `(batch,)`.
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
        ema_decay: decay of the generator's exponential moving average, or
            None. The EMA generator is used by `generate` and by export.
        seed: integer seed of the noise, or None.

    Example:

    ```python
    g = kgan.models.dcgan_generator(latent_dim=64, image_size=32, channels=1)
    d = kgan.models.dcgan_discriminator(image_size=32, channels=1)
    gan = kgan.GAN(g, d, latent_dim=64, ema_decay=0.999, seed=0)
    gan.compile()  # Adam(2e-4, beta_1=0.5) for both nets
    gan.fit(dataset, epochs=10)
    images = gan.generate(16, seed=0)
    ```
    """

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
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.loss_pair = losses.get(loss)
        _check_arguments(generator, discriminator, latent_dim, d_steps, num_classes, ema_decay)
        _check_penalties(self.loss_pair, r1_weight, label_smoothing)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.d_steps = int(d_steps)
        if gp_weight is None:
            gp_weight = 10.0 if self.loss_pair.name == "wasserstein" else 0.0
        self.gp_weight = float(gp_weight)
        self.r1_weight = float(r1_weight)
        self.label_smoothing = float(label_smoothing)
        self.num_classes = num_classes
        self.ema_decay = ema_decay
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="noise_seed")
        self.ema_generator = None
        self._trackers = {}
        self.build()

    @property
    def conditional(self):
        return self.num_classes is not None

    @property
    def sampling_generator(self):
        """The generator used for sampling and export: the EMA one if enabled."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    @property
    def image_shape(self):
        return tuple(self.generator.outputs[0].shape[1:])

    def build(self, input_shape=None):
        """Creates the EMA generator and the metric trackers (idempotent)."""
        if self.built:
            return
        if self.ema_decay is not None:
            self.ema_generator = keras.models.clone_model(self.generator)
            self.ema_generator.set_weights(self.generator.get_weights())
            self.ema_generator.trainable = False
        names = ["d_loss", "g_loss", "d_real", "d_fake"]
        names += ["gradient_penalty"] if self.gp_weight else []
        names += ["r1_penalty"] if self.r1_weight else []
        self._trackers = {name: keras.metrics.Mean(name=name) for name in names}
        self.built = True

    # Compilation ----------------------------------------------------------

    def compile(
        self, d_optimizer="adam", g_optimizer="adam", jit_compile="auto", steps_per_execution=1
    ):
        """Configures both optimizers and the compiled step.

        Args:
            d_optimizer: the discriminator's optimizer (instance, name or
                config). `"adam"` is Adam(2e-4, beta_1=0.5), the DCGAN setting.
            g_optimizer: the generator's optimizer, likewise.
            jit_compile: `"auto"` (XLA on GPU, off on CPU and under
                tf.distribute), True or False.
            steps_per_execution: train steps per `tf.function` call.
        """
        self.d_optimizer = compilation.get_optimizer(d_optimizer)
        self.g_optimizer = compilation.get_optimizer(g_optimizer)
        self._jit_compile_arg = jit_compile
        # The GAN owns two optimizers, so Keras' single optimizer is None.
        super().compile(
            optimizer=None,
            jit_compile=compilation.resolve_jit_compile(jit_compile),
            steps_per_execution=steps_per_execution,
        )
        # Optimizer variables must exist before weights load from a .keras
        # file or a checkpoint, or their state is silently dropped.
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    def get_compile_config(self):
        if not getattr(self, "d_optimizer", None):
            return None  # saved before compile(): nothing to restore
        return {
            "d_optimizer": keras.optimizers.serialize(self.d_optimizer),
            "g_optimizer": keras.optimizers.serialize(self.g_optimizer),
            "jit_compile": self._jit_compile_arg,
            "steps_per_execution": self.steps_per_execution,
        }

    def compile_from_config(self, config):
        self.compile(
            d_optimizer=keras.optimizers.deserialize(config["d_optimizer"]),
            g_optimizer=keras.optimizers.deserialize(config["g_optimizer"]),
            jit_compile=config.get("jit_compile", "auto"),
            steps_per_execution=config.get("steps_per_execution", 1),
        )

    @property
    def metrics(self):
        return list(self._trackers.values())

    # The adversarial update ------------------------------------------------

    def train_step(self, data):
        real, labels = self._unpack(data)
        slice_size = tf.shape(real)[0] // self.d_steps
        # 1. D steps, each on its own slice of the real batch.
        for i in range(self.d_steps):
            start = i * slice_size
            real_i = real[start : start + slice_size]
            labels_i = None if labels is None else labels[start : start + slice_size]
            self._discriminator_step(real_i, labels_i, slice_size)
        # 2. G step on fresh noise, conditioned on the last slice's labels.
        self._generator_step(labels_i, slice_size)
        # 3. EMA of G's weights.
        if self.ema_generator is not None:
            self._update_ema()
        return {name: t.result() for name, t in self._trackers.items()}

    def _discriminator_step(self, real, labels, batch_size):
        # Fakes are made outside the tape: D's update needs no gradient
        # through G, so recording G's ops would be wasted work.
        fake = self.generator(self._g_inputs(self._noise(batch_size), labels), training=True)
        with tf.GradientTape() as tape:
            real_logits, fake_logits = self._discriminate(real, fake, labels)
            loss = self._d_main_loss(real_logits, fake_logits)
            total = loss + self._d_regularization(real, fake, labels, batch_size)
            scaled = self.d_optimizer.scale_loss(self._per_replica(total))
        variables = self.discriminator.trainable_variables
        self.d_optimizer.apply(tape.gradient(scaled, variables), variables)
        self._trackers["d_loss"].update_state(total)
        self._trackers["d_real"].update_state(self._d_output(real_logits))
        self._trackers["d_fake"].update_state(self._d_output(fake_logits))

    def _d_main_loss(self, real_logits, fake_logits):
        if self.loss_pair.supports_label_smoothing:
            return self.loss_pair.discriminator(
                real_logits, fake_logits, label_smoothing=self.label_smoothing
            )
        return self.loss_pair.discriminator(real_logits, fake_logits)

    def _d_regularization(self, real, fake, labels, batch_size):
        total = 0.0
        if self.gp_weight:
            # One alpha per example, uniform in [0, 1] (Gulrajani et al. 2017).
            alpha = self._uniform((batch_size, 1, 1, 1))
            gp = losses.gradient_penalty(self._d_callable(labels), real, fake, alpha)
            self._trackers["gradient_penalty"].update_state(gp)
            total += self.gp_weight * gp
        if self.r1_weight:
            r1 = losses.r1_penalty(self._d_callable(labels), real)
            self._trackers["r1_penalty"].update_state(r1)
            total += self.r1_weight * r1
        return total

    def _generator_step(self, labels, batch_size):
        z = self._noise(batch_size)
        with tf.GradientTape() as tape:
            fake = self.generator(self._g_inputs(z, labels), training=True)
            fake_logits = self.discriminator(self._d_inputs(fake, labels), training=True)
            loss = self.loss_pair.generator(fake_logits)
            scaled = self.g_optimizer.scale_loss(self._per_replica(loss))
        variables = self.generator.trainable_variables
        self.g_optimizer.apply(tape.gradient(scaled, variables), variables)
        self._trackers["g_loss"].update_state(loss)

    def _discriminate(self, real, fake, labels):
        # Separate calls keep real and fake batches apart, which batch norm
        # in D needs (DCGAN trains D on all-real and all-fake minibatches).
        real_logits = self.discriminator(self._d_inputs(real, labels), training=True)
        fake_logits = self.discriminator(self._d_inputs(fake, labels), training=True)
        return real_logits, fake_logits

    def _update_ema(self):
        # TF's ExponentialMovingAverage warm-up: the decay ramps up as
        # (1 + t) / (10 + t), so early EMA weights are not stuck at init.
        t = tf.cast(self.g_optimizer.iterations, tf.float32)
        decay = tf.minimum(float(self.ema_decay), (1.0 + t) / (10.0 + t))
        for ema_var, var in zip(self.ema_generator.weights, self.generator.weights):
            if var.trainable:
                ema_var.assign(decay * ema_var + (1.0 - decay) * tf.cast(var, ema_var.dtype))
            else:  # batch-norm statistics are copied, not averaged
                ema_var.assign(var)

    # Helpers for the step ------------------------------------------------------

    def _unpack(self, data):
        if isinstance(data, (tuple, list)):
            real, labels = data[0], (data[1] if len(data) > 1 else None)
        else:
            real, labels = data, None
        if self.conditional and labels is None:
            raise ValueError(
                "A conditional GAN (num_classes set) expects (images, labels) batches. "
                f"Received: images only, {real!r}"
            )
        if real.shape[0] is not None and real.shape[0] < self.d_steps:
            raise ValueError(
                f"Expected batches of at least d_steps={self.d_steps} images (one slice per D step). "
                f"Received: a batch of {real.shape[0]}"
            )
        labels = tf.cast(tf.reshape(labels, [-1]), tf.int32) if self.conditional else None
        return tf.cast(real, tf.float32), labels

    def _g_inputs(self, z, labels):
        return z if labels is None else [z, labels]

    def _d_inputs(self, images, labels):
        return images if labels is None else [images, labels]

    def _d_callable(self, labels):
        return lambda images, training=True: self.discriminator(
            self._d_inputs(images, labels), training=training
        )

    def _d_output(self, logits):
        logits = tf.cast(logits, tf.float32)
        return tf.sigmoid(logits) if self.loss_pair.probability_outputs else logits

    def _per_replica(self, loss):
        # The optimizer sums gradients over replicas, so each replica's loss
        # is divided by their number: that is the mean over the global batch.
        return loss / tf.distribute.get_replica_context().num_replicas_in_sync

    def _replica_seed(self):
        seed = tf.cast(self.seed_generator.next(), tf.int64)
        context = tf.distribute.get_replica_context()
        if context is not None and context.num_replicas_in_sync > 1:
            seed = tf.random.experimental.stateless_fold_in(seed, context.replica_id_in_sync_group)
        return seed

    def _noise(self, batch_size):
        return tf.random.stateless_normal((batch_size, self.latent_dim), seed=self._replica_seed())

    def _uniform(self, shape):
        return tf.random.stateless_uniform(shape, seed=self._replica_seed())

    # Inference ----------------------------------------------------------------

    def call(self, inputs, training=False):
        """Maps `z` (or `[z, labels]`) to images with the sampling generator."""
        return self.sampling_generator(inputs, training=training)

    def generate(self, n, labels=None, seed=None, batch_size=256):
        """Generates `n` images as float32 in [-1, 1], shape `(n, H, W, C)`.

        Args:
            n: number of images.
            labels: class labels for a conditional GAN: an int or a
                sequence of `n` ints. Defaults to cycling through the classes.
            seed: integer seed of the noise (`kgan.latent.sample_latent`).
            batch_size: images per generator call.
        """
        z = latent.sample_latent(n, self.latent_dim, seed)
        labels = self.resolve_labels(n, labels)
        chunks = []
        for start in range(0, n, batch_size):
            stop = start + batch_size
            inputs = self._g_inputs(z[start:stop], None if labels is None else labels[start:stop])
            chunks.append(keras.ops.convert_to_numpy(self.sampling_generator(inputs, training=False)))
        if not chunks:
            return np.zeros((0, *self.image_shape), "float32")
        return np.concatenate(chunks).astype("float32")

    def resolve_labels(self, n, labels):
        """Validates `labels` for `n` samples; cycles classes when None."""
        if not self.conditional:
            if labels is not None:
                raise ValueError(
                    "This GAN is unconditional (num_classes=None) and takes no labels. "
                    f"Received: labels={labels!r}"
                )
            return None
        if labels is None:
            return (np.arange(n) % self.num_classes).astype("int32")
        labels = np.broadcast_to(np.asarray(labels), (n,)) if np.ndim(labels) == 0 else np.asarray(labels)
        if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(
                f"Expected `labels` to be an int or {n} integers. "
                f"Received: labels of shape {labels.shape} and dtype {labels.dtype}"
            )
        if labels.size and (labels.min() < 0 or labels.max() >= self.num_classes):
            raise ValueError(
                f"Expected labels in [0, {self.num_classes}). "
                f"Received: labels from {labels.min()} to {labels.max()}"
            )
        return labels.astype("int32")

    # Serialization --------------------------------------------------------------

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim,
            "loss": self.loss_pair.name,
            "d_steps": self.d_steps,
            "gp_weight": self.gp_weight,
            "r1_weight": self.r1_weight,
            "label_smoothing": self.label_smoothing,
            "num_classes": self.num_classes,
            "ema_decay": self.ema_decay,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("generator", "discriminator"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)


def _check_arguments(generator, discriminator, latent_dim, d_steps, num_classes, ema_decay):
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
    if not isinstance(latent_dim, (int, np.integer)) or latent_dim < 1:
        raise ValueError(f"Expected `latent_dim` to be a positive integer. Received: latent_dim={latent_dim!r}")
    if not isinstance(d_steps, (int, np.integer)) or d_steps < 1:
        raise ValueError(f"Expected `d_steps` to be a positive integer. Received: d_steps={d_steps!r}")
    if num_classes is not None and (not isinstance(num_classes, (int, np.integer)) or num_classes < 2):
        raise ValueError(f"Expected `num_classes` to be None or an integer >= 2. Received: num_classes={num_classes!r}")
    if ema_decay is not None and not 0.0 < ema_decay < 1.0:
        raise ValueError(f"Expected `ema_decay` to be None or in (0, 1). Received: ema_decay={ema_decay!r}")


def _check_penalties(loss_pair, r1_weight, label_smoothing):
    if r1_weight < 0:
        raise ValueError(f"Expected `r1_weight` >= 0. Received: r1_weight={r1_weight!r}")
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"Expected `label_smoothing` in [0, 1). Received: label_smoothing={label_smoothing!r}")
    if label_smoothing and not loss_pair.supports_label_smoothing:
        raise ValueError(
            f"The {loss_pair.name!r} loss has no real/fake targets to smooth. "
            f"Received: label_smoothing={label_smoothing}"
        )
