"""`ProgressiveGAN`: progressive growing of GANs (Karras et al. 2017), under `model.fit`."""

import functools

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
from kgan.base import noise
from kgan.base.model import AdversarialModel
from kgan.base.model import deserialize_networks
from kgan.families.progressive import penalty
from kgan.families.progressive.schedule import GrowthSchedule
from kgan.models import progressive
from kgan.models import progressive_layers as pl

PAPER_IMAGES_PER_PHASE = 800_000


@keras.saving.register_keras_serializable(package="kgan")
class ProgressiveGAN(AdversarialModel):
    """Progressive growing of GANs (ProGAN, Karras et al. 2017, arXiv 1710.10196).

    G and D are built once with every block (`kgan.models.progressive_generator`
    and `progressive_discriminator`). The growth schedule lives in the model:
    a variable counts the real images shown, and every train step derives
    from it the level it trains at and the new block's weight `alpha`
    (`GrowthSchedule`), so one `fit` runs the whole schedule, and restoring
    the count (checkpoints, `.keras` files) restores the phase and alpha.

    Each train step, at the current level `k` (resolution `4 * 2**k`):

    1. D phase: real images, given at full resolution, are box-downsampled to
       level `k`, and while `k` fades in, faded with their 2x-downsampled,
       2x-upsampled copy (the paper's Figure 2 on the data). Fakes come from G
       at level `k` with the same `alpha`. The loss is WGAN-GP
       (`E[D(fake)] - E[D(real)] + gp_weight * GP`) plus the drift term
       `drift_weight * E[D(real)^2]` (appendix A.1).
    2. G phase: `-E[D(G(z))]` on fresh noise, at level `k`.
    3. The image count grows by the global batch; the generator's average
       (`ema_half_life`, in images) takes a step.

    Static shapes for XLA: each level is one branch of a `tf.switch_case`
    whose branches return only scalars (losses and metrics), so tensors of
    every resolution live inside their own branch, and only the blocks up to
    the current level run (the official code's "recursive" structure).

    The gradient penalty and minibatch standard deviation: see
    `kgan.families.progressive.penalty`.

    Args:
        generator: a `kgan.models.progressive_generator` container.
        discriminator: a `kgan.models.progressive_discriminator` container
            of the same resolutions (and classes).
        fade_images: real images over which each new block fades in.
        stabilize_images: real images each resolution trains for after its
            fade-in (the 4x4 start: before the first fade-in).
        gp_weight: WGAN-GP weight (the paper's 10; 0 disables it).
        drift_weight: weight of `E[D(real)^2]` (the paper's 0.001; 0 disables it).
        ema_half_life: half-life of G's moving average in images (the
            official code's 10k), or None.
        ema_rampup: cap the half-life at this fraction of the images seen.
        ema_decay: a fixed decay per step instead of `ema_half_life`.
        seed: integer seed of the noise, or None.

    Example:

    ```python
    g = kgan.models.progressive_generator(latent_dim=16, image_size=8, channels=1, num_classes=10, max_filters=16)
    d = kgan.models.progressive_discriminator(image_size=8, channels=1, num_classes=10, max_filters=16)
    gan = kgan.ProgressiveGAN(g, d, fade_images=640, stabilize_images=640, seed=0)
    gan.compile()  # Adam(1e-3, beta_1=0, beta_2=0.99) for both nets, as in the paper
    x, y, _ = kgan.data.load_arrays("digits")
    gan.fit(x, y, batch_size=64, epochs=1, verbose=0)
    print(gan.growth())  # after 1,438 images: {'resolution': 8, 'alpha': 1.0, 'phase': 'stabilize 8x8', ...}
    images = gan.generate(10, labels=range(10), seed=0)
    ```
    """

    batch_keys = ("images", "labels")
    optimizer_attributes = {"generator": "g_optimizer", "discriminator": "d_optimizer"}

    def __init__(
        self,
        generator,
        discriminator,
        fade_images=PAPER_IMAGES_PER_PHASE,
        stabilize_images=PAPER_IMAGES_PER_PHASE,
        gp_weight=10.0,
        drift_weight=0.001,
        ema_half_life=10_000.0,
        ema_rampup=ema.DEFAULT_RAMPUP,
        ema_decay=None,
        seed=None,
        **kwargs,
    ):
        g_levels, d_levels = _levels(generator, discriminator)
        gp_weight = checks.number("gp_weight", gp_weight, 0.0)
        penalty.check_exact(discriminator, gp_weight)
        super().__init__(
            {"generator": generator, "discriminator": discriminator},
            # The base's check would refuse the minibatch standard deviation;
            # `penalty.check_exact` above handles it explicitly instead.
            discriminators=(),
            ema_networks=("generator",),
            ema_decay=ema_decay,
            ema_half_life=ema_half_life,
            ema_rampup=ema_rampup,
            gp_weight=gp_weight,
            seed=seed,
            **kwargs,
        )
        self.schedule = GrowthSchedule(g_levels.num_levels, fade_images, stabilize_images)
        self.drift_weight = checks.number("drift_weight", drift_weight, 0.0)
        self.latent_dim = int(generator.inputs[0].shape[-1])
        self.num_classes = progressive.num_classes_of(generator)
        self._g_levels = g_levels
        self._d_levels = d_levels
        self._d_penalty_levels = progressive.DiscriminatorLevels(discriminator, stop_gradient_statistic=True)
        self._sampling = _SamplingCache()
        # Real images shown so far: the schedule's clock. One count for all
        # replicas (only the first replica's update is kept).
        self.images_seen = self.add_weight(
            shape=(), dtype="int64", initializer="zeros", trainable=False, autocast=False,
            aggregation="only_first_replica", name="images_seen",
        )
        self.build()

    @property
    def conditional(self):
        return self.num_classes is not None

    @property
    def resolutions(self):
        return list(self._g_levels.sizes)

    @property
    def image_shape(self):
        """The final (full-resolution) image shape."""
        return tuple(int(d) for d in self.generator.outputs[-1].shape[1:])

    def metric_names(self):
        names = ["d_loss", "g_loss", "d_real", "d_fake"]
        return names + (["gradient_penalty"] if self.gp_weight else []) + (["drift"] if self.drift_weight else [])

    # Where the schedule is ---------------------------------------------------------

    def position(self):
        """`(level, alpha)` of the next train step (`GrowthSchedule.position`)."""
        return self.schedule.position(int(self.images_seen.numpy()))

    def growth(self):
        """Where growth is: a dict with `resolution`, `alpha`, `phase`, `images_seen`, `complete`."""
        images = int(self.images_seen.numpy())
        level, alpha = self.schedule.position(images)
        return {
            "resolution": self.resolutions[level],
            "alpha": alpha,
            "phase": self.schedule.phase(images),
            "images_seen": images,
            "final_resolution": self.resolutions[-1],
            "images_to_full_resolution": self.schedule.images_to_full_resolution,
            "complete": level == self.schedule.last_level and alpha == 1.0,
        }

    # The step --------------------------------------------------------------------------

    def prepare_batch(self, batch):
        real = tf.cast(batch["images"], tf.float32)
        expected = self.image_shape
        if tuple(real.shape[1:]) != expected:
            raise ValueError(
                f"Expected real images of shape (batch, {', '.join(map(str, expected))}): the final "
                f"resolution, which the step downsamples to the current one. Received: {tuple(real.shape)}"
            )
        if not self.conditional:
            return {"images": real}
        if batch.get("labels") is None:
            raise ValueError(
                "A conditional ProgressiveGAN expects (images, labels) batches. "
                f"Received: images only, {real!r}"
            )
        return {"images": real, "labels": batches.class_indices(batch["labels"], self.num_classes)}

    def train_step(self, data):
        """D phase, G phase, the image count and the average, at the schedule's current level."""
        batch = self.prepare_batch(batches.as_dict(data, self.batch_keys))
        level, alpha = self.schedule.tensor_position(self.images_seen)
        batch.update(level=level, alpha=alpha)
        self.discriminator_phase(batch)
        self.generator_phase(batch)
        size = tf.shape(batch["images"])[0]
        self.images_seen.assign_add(tf.cast(size * noise.num_replicas(), tf.int64))
        self.update_averages(size)
        resolution = tf.cast(4 * tf.bitwise.left_shift(1, level), tf.float32)
        return {**self.logs(), "resolution": resolution, "alpha": alpha}

    def discriminator_phase(self, batch):
        """D main (Wasserstein + drift) and D regularisation (WGAN-GP), in one update."""
        real, labels = batch["images"], batch.get("labels")
        size = tf.shape(real)[0]
        # Noise is drawn outside the branches: every level consumes the same.
        z, mix = self.noise(size), self.uniform(tf.stack([size, 1, 1, 1]))
        losses_by_level = [
            functools.partial(self._critic_terms, k, real, labels, z, mix, batch["alpha"])
            for k in range(self.schedule.num_levels)
        ]
        _, terms = self.minimize_at_level("discriminator", batch["level"], losses_by_level)
        for name in self.metric_names():
            if name in terms:
                self.track(name, terms[name])

    def minimize_at_level(self, name, level, loss_fns):
        """`minimize` with the loss of the current level: `loss_fns[level]()` -> `(loss, terms)`.

        Each level is a branch of a `tf.switch_case` that computes its loss
        and its gradient, so the step never differentiates through the
        switch: only the current level's blocks run forward and backward,
        and the variables of the other levels get zero gradients (which
        leave them unchanged under Adam with the paper's beta_1 = 0). The
        update is applied outside the branches, where replicas all-reduce.
        """
        variables = getattr(self, name).trainable_variables
        optimizer = self.optimizer_for(name)

        def branch(loss_fn):
            def run():
                with tf.GradientTape() as tape:
                    loss, terms = loss_fn()
                    scaled = optimizer.scale_loss(self.per_replica(loss))
                grads = tape.gradient(scaled, variables)
                # Every branch returns a dense gradient for every variable.
                grads = [tf.zeros(v.shape, v.dtype) if g is None else tf.convert_to_tensor(g) for g, v in zip(grads, variables)]
                return grads, loss, terms

            return run

        grads, loss, terms = tf.switch_case(level, [branch(fn) for fn in loss_fns])
        optimizer.apply(grads, variables)
        return loss, terms

    def _critic_terms(self, level, real, labels, z, mix, alpha):
        fake = tf.stop_gradient(self._g_levels(self.generator_inputs(z, labels), level, alpha, training=True))
        real = self.reals_at(real, level, alpha)
        real_scores = self._d_levels(real, labels, level, alpha, training=True)
        fake_scores = self._d_levels(fake, labels, level, alpha, training=True)
        terms = {"d_real": losses._mean(real_scores), "d_fake": losses._mean(fake_scores)}
        total = losses.wasserstein_discriminator_loss(real_scores, fake_scores)
        if self.gp_weight:
            critic = functools.partial(self._d_penalty_levels, labels=labels, level=level, alpha=alpha)
            terms["gradient_penalty"] = losses.gradient_penalty(critic, real, fake, mix)
            total += self.gp_weight * terms["gradient_penalty"]
        if self.drift_weight:
            terms["drift"] = losses._mean(tf.square(tf.cast(real_scores, tf.float32)))
            total += self.drift_weight * terms["drift"]
        terms["d_loss"] = total
        return total, terms

    def generator_phase(self, batch):
        """G main: `-E[D(G(z))]` on fresh noise at the current level."""
        labels = batch.get("labels")
        z = self.noise(tf.shape(batch["images"])[0])
        losses_by_level = [
            functools.partial(self._generator_loss, k, z, labels, batch["alpha"])
            for k in range(self.schedule.num_levels)
        ]
        g_loss, _ = self.minimize_at_level("generator", batch["level"], losses_by_level)
        self.track("g_loss", g_loss)

    def _generator_loss(self, level, z, labels, alpha):
        fake = self._g_levels(self.generator_inputs(z, labels), level, alpha, training=True)
        loss = losses.wasserstein_generator_loss(self._d_levels(fake, labels, level, alpha, training=True))
        return loss, {}

    def reals_at(self, real, level, alpha):
        """Full-resolution reals as shown at `level`: box-downsampled, faded while the level fades in."""
        factor = 2 ** (self.schedule.last_level - level)
        images = pl.downsample(real, factor)
        if level == 0:
            return images
        return pl.fade(pl.upsample(pl.downsample(images)), images, alpha)

    def noise(self, batch_size):
        return self.normal(tf.stack([batch_size, self.latent_dim]))

    def generator_inputs(self, z, labels):
        return z if labels is None else [z, labels]

    # Sampling ---------------------------------------------------------------------------

    def sampling_levels(self):
        """`GeneratorLevels` of the network to sample from (the average, if any)."""
        return progressive.GeneratorLevels(self.sampling_network("generator"))

    def current_generator(self):
        """The functional generator at the current level and alpha (clipped to [-1, 1]).

        Mid-training it makes images of the current resolution; once the
        last level is faded in, it is the full-resolution generator.
        """
        network = self.sampling_network("generator")
        key = (id(network), self.position())
        if self._sampling.key != key:
            self._sampling.key = key
            self._sampling.network = progressive.GeneratorLevels(network).network(*key[1])
        return self._sampling.network

    def call(self, inputs, training=False):
        """Maps `z` (or `[z, labels]`) to images with the current generator."""
        return self.current_generator()(inputs, training=training)

    def generate(self, n, labels=None, seed=None, batch_size=256):
        """Generates `n` images at the current resolution, float32 in [-1, 1].

        Args:
            n: number of images.
            labels: class labels for a conditional model: an int, `n` ints or
                one-hot rows. Defaults to cycling through the classes.
            seed: integer seed of the noise (`kgan.latent.sample_latent`).
            batch_size: images per generator call.
        """
        z = latent.sample_latent(n, self.latent_dim, seed)
        labels = labels_lib.resolve(labels, n, self.num_classes, name="labels")
        generator = self.current_generator()
        chunks = [
            keras.ops.convert_to_numpy(
                generator(self.generator_inputs(z[i : i + batch_size], None if labels is None else labels[i : i + batch_size]))
            )
            for i in range(0, n, batch_size)
        ]
        resolution = self.resolutions[self.position()[0]]
        return np.concatenate(chunks) if chunks else np.zeros((0, resolution, resolution, self.image_shape[-1]), "float32")

    # Description ------------------------------------------------------------------------

    def extra_state(self):
        """The schedule's clock: restoring it restores the phase and alpha."""
        return {"images_seen": [self.images_seen]}

    def export_spec(self):
        resolution = self.resolutions[self.position()[0]]
        return specs.noise_to_image(self.latent_dim, (resolution, resolution, self.image_shape[-1]), self.num_classes)

    def export_network(self):
        return self.current_generator()

    def export_details(self, part=""):
        """The card's `progressive` entry: which resolution was exported and whether growth was complete."""
        growth = self.growth()
        note = (
            "the full-resolution generator"
            if growth["complete"]
            else f"the generator at {growth['resolution']}x{growth['resolution']} (alpha {growth['alpha']:.4f}), "
            f"exported mid-training before the final {growth['final_resolution']}x{growth['final_resolution']}"
        )
        return {"progressive": {**growth, "exported": note}}

    def preview_inputs(self, seed, examples=None, num_samples=64, per_class=10):
        """Fixed noise: `num_samples` points, or `per_class` per class (one grid row each)."""
        if self.conditional:
            labels = np.repeat(np.arange(self.num_classes), per_class).astype("int32")
            return {"z": latent.sample_latent(len(labels), self.latent_dim, seed), "labels": labels}
        return {"z": latent.sample_latent(num_samples, self.latent_dim, seed)}

    def preview(self, inputs, scale=1):
        """The current resolution's samples, upsampled to the final resolution, as a grid."""
        samples = self.current_generator()(self.generator_inputs(inputs["z"], inputs.get("labels")))
        factor = self.image_shape[0] // int(samples.shape[1])
        samples = keras.ops.convert_to_numpy(pl.upsample(samples, factor))
        return images_lib.make_grid(samples, rows=self.num_classes, scale=scale)

    # Serialization ------------------------------------------------------------------------

    def get_config(self):
        return {
            **self.base_config(),
            **self.serialized_networks(),
            "fade_images": self.schedule.fade_images,
            "stabilize_images": self.schedule.stabilize_images,
            "drift_weight": self.drift_weight,
        }

    @classmethod
    def from_config(cls, config):
        config = deserialize_networks(config, ("generator", "discriminator"))
        config.pop("r1_weight", None)
        return cls(**config)

    def compile(self, d_optimizer=None, g_optimizer=None, jit_compile="auto", steps_per_execution=1):
        """Configures both optimizers and the compiled step.

        Args:
            d_optimizer: the discriminator's optimizer (instance, name or
                config); None is the paper's Adam(1e-3, beta_1=0,
                beta_2=0.99, epsilon=1e-8).
            g_optimizer: the generator's, likewise (a different instance).
            jit_compile: `"auto"` (XLA on GPU, off on CPU and under
                tf.distribute), True or False.
            steps_per_execution: train steps per `tf.function` call.
        """
        super().compile(
            {
                "discriminator": paper_adam() if d_optimizer is None else d_optimizer,
                "generator": paper_adam() if g_optimizer is None else g_optimizer,
            },
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
        )


class _SamplingCache:
    """The last functional generator built for sampling (a plain object: Keras does not track it)."""

    key = None
    network = None


def paper_adam(learning_rate=1e-3, beta_1=0.0, beta_2=0.99):
    """ProGAN's optimizer: Adam(1e-3, beta_1=0, beta_2=0.99, epsilon=1e-8)."""
    return keras.optimizers.Adam(learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=1e-8)


def _levels(generator, discriminator):
    for name, network in (("generator", generator), ("discriminator", discriminator)):
        if not isinstance(network, keras.Model):
            raise ValueError(f"Expected `{name}` to be a keras.Model. Received: {name}={network!r}")
    try:
        g_levels = progressive.GeneratorLevels(generator)
        d_levels = progressive.DiscriminatorLevels(discriminator)
    except ValueError as e:
        raise ValueError(
            "Expected a generator and discriminator built by kgan.models.progressive_generator and "
            f"progressive_discriminator. Received: networks without their blocks ({e})"
        ) from None
    if g_levels.sizes != d_levels.sizes:
        raise ValueError(
            f"Expected G and D of the same resolutions. Received: G {g_levels.sizes}, D {d_levels.sizes}"
        )
    g_classes, d_classes = progressive.num_classes_of(generator), progressive.num_classes_of(discriminator)
    if g_classes != d_classes:
        raise ValueError(f"Expected G and D with the same classes. Received: G {g_classes}, D {d_classes}")
    return g_levels, d_levels
