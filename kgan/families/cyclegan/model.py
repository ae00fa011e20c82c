"""`kgan.CycleGAN`: unpaired image-to-image translation, on the adversarial base."""

import keras
import tensorflow as tf

from kgan import checks
from kgan.base import batches
from kgan.base import ema
from kgan.base.model import AdversarialModel
from kgan.base.model import deserialize_networks
from kgan.data import jitter as jitter_lib
from kgan.families.cyclegan import losses
from kgan.families.cyclegan import schedule  # noqa: F401  (registers LinearDecay for .keras files)
from kgan.families.cyclegan.image_pool import ImagePool
from kgan.models import translation

NETWORKS = ("generator_ab", "generator_ba", "discriminator_a", "discriminator_b")
UNUSED_BASE_OPTIONS = ("gp_weight", "r1_weight", "r1_interval", "augment")
DIRECTIONS = {"a2b": "generator_ab", "b2a": "generator_ba"}


@keras.saving.register_keras_serializable(package="kgan")
class CycleGAN(AdversarialModel):
    """Two generators that translate between domains A and B, learned from unpaired images.

    Each `train_step` receives a batch of domain-A images and an unrelated
    batch of domain-B images and performs the update of Zhu et al. 2017 in
    the order of their reference implementation:

    1. Jitter: with `jitter`, each image is cropped to `image_size` at a
       random place and mirrored at random (the two domains independently);
       without it, larger images are centre-cropped.
    2. G main, one update of both generators (each with its own optimizer) on
       `adversarial + cycle_weight * cycle + identity_weight * identity`
       (see `kgan.families.cyclegan.losses`).
    3. D main, once per discriminator: real images against the generators'
       fakes of step 2 passed through that discriminator's image pool (a
       history of `pool_size` fakes; `ImagePool`), least-squares loss, halved.
    4. With an EMA, an update of both generators' moving averages.

    Four networks, four optimizers (`generator_ab_optimizer`, ...), all saved
    in `.keras` files; the image pools are saved too, and are the family's
    `extra_state()` in full-state checkpoints.

    Batches are `(a, b)` tuples or dicts with `"a"` and `"b"`: float images in
    [-1, 1] of `image_size` px (or larger, to be cropped), the same batch size.

    Args:
        generator_ab: a Keras model mapping A images to B images in [-1, 1]
            (e.g. `kgan.models.resnet_generator`).
        generator_ba: likewise from B to A.
        discriminator_a: a Keras model giving logits (per patch or per image)
            for A images, e.g. `kgan.models.patchgan_discriminator`.
        discriminator_b: likewise for B images.
        image_size: side of the square training images (the pools hold them).
        cycle_weight: weight of the cycle-consistency terms (the paper's 10).
        identity_weight: weight of the identity terms; None means half the
            cycle weight, the paper's setting (5); 0 turns them off. Needs A
            and B images with the same channels.
        pool_size: images in each discriminator's history pool (the paper's
            50; 0: no pool).
        jitter: random crops and mirroring in the train step.
        domains: names of domains A and B, for previews and messages.
        ema_decay, ema_half_life, ema_rampup: exponential moving averages of
            both generators, used to translate, preview and export.
        seed: integer seed of the jitter and pool draws, or None.

    Example:

    ```python
    import numpy as np
    import kgan

    def nets():
        g = lambda: kgan.models.resnet_generator(3, image_size=16, num_blocks=1, base_filters=4)
        d = lambda: kgan.models.patchgan_discriminator(3, image_size=16, base_filters=4)
        return g(), g(), d(), d()

    model = kgan.CycleGAN(*nets(), image_size=16, seed=0)
    model.compile()  # four Adam(2e-4, beta_1=0.5)
    rng = np.random.default_rng(0)
    a, b = (rng.uniform(-1, 1, (8, 16, 16, 3)).astype("float32") for _ in range(2))
    model.fit(a, b, batch_size=4, epochs=1, verbose=0)   # (a, b) batches, unrelated
    out = model.translate(b, direction="b2a")            # (8, 16, 16, 3)
    ```
    """

    batch_keys = ("a", "b")

    def __init__(
        self,
        generator_ab,
        generator_ba,
        discriminator_a,
        discriminator_b,
        image_size,
        cycle_weight=10.0,
        identity_weight=None,
        pool_size=50,
        jitter=True,
        domains=("A", "B"),
        ema_decay=None,
        ema_half_life=None,
        ema_rampup=ema.DEFAULT_RAMPUP,
        seed=None,
        **kwargs,
    ):
        networks = dict(zip(NETWORKS, (generator_ab, generator_ba, discriminator_a, discriminator_b)))
        channels = _check_networks(networks)
        super().__init__(
            networks,
            ema_networks=("generator_ab", "generator_ba"),
            ema_decay=ema_decay,
            ema_half_life=ema_half_life,
            ema_rampup=ema_rampup,
            seed=seed,
            **kwargs,
        )
        for name in self.ema_names:
            if ema.batch_norm_layers(networks[name]):
                raise ValueError(
                    f"Expected generators without batch norm for an EMA (the averages would need statistics "
                    f"of their own). Received: batch norm in {name}; use instance norm (the paper's) or no EMA"
                )
        self.image_size = checks.positive_int("image_size", image_size)
        self.cycle_weight = checks.number("cycle_weight", cycle_weight, 0.0)
        if identity_weight is None:
            identity_weight = 0.5 * self.cycle_weight if channels["a"] == channels["b"] else 0.0
        self.identity_weight = checks.number("identity_weight", identity_weight, 0.0)
        if self.identity_weight and channels["a"] != channels["b"]:
            raise ValueError(
                "Expected A and B images with the same channels for the identity terms (G_ab is fed B "
                f"images). Received: {channels['a']} and {channels['b']} channels, identity_weight={identity_weight}"
            )
        self.pool_size = checks.integer("pool_size", pool_size, minimum=0)
        self.jitter = bool(jitter)
        if len(domains) != 2 or not all(isinstance(d, str) and d for d in domains):
            raise ValueError(f"Expected `domains` to be two names (A, B). Received: domains={domains!r}")
        self.domains = tuple(domains)
        self.channels = channels
        self.pool_a = ImagePool(self.pool_size, (image_size, image_size, channels["a"]), name="pool_a")
        self.pool_b = ImagePool(self.pool_size, (image_size, image_size, channels["b"]), name="pool_b")
        self.build()

    def metric_names(self):
        identity = ["identity_loss"] if self.identity_weight else []
        return ["g_loss", "g_ab_adversarial", "g_ba_adversarial", "cycle_loss", *identity, "d_a_loss", "d_b_loss"]

    def extra_state(self):
        """The image pools: a resumed run must draw from the same history."""
        return {"pool_a": self.pool_a, "pool_b": self.pool_b}

    # The step --------------------------------------------------------------------

    def prepare_batch(self, batch):
        if batch.get("b") is None:
            raise ValueError(
                f"CycleGAN expects (a, b) batches: images of domain A and of domain B. Received: entries {sorted(batch)}"
            )
        return {
            key: jitter_lib.training_crops([tf.cast(batch[key], tf.float32)], self.image_size, self.jitter,
                                           self.uniform)[0]
            for key in ("a", "b")
        }

    def train_step(self, data):
        """Jitter, the generators' phase, then each discriminator's on the pooled fakes."""
        batch = self.prepare_batch(batches.as_dict(data, self.batch_keys))
        fakes = self.generator_phase(batch)
        self.discriminator_phase({**batch, **fakes})
        self.update_averages(self.images_per_step(batch))
        return self.logs()

    def generator_phase(self, batch):
        """G main: both generators in one update; returns their fakes for the D phase."""
        a, b = batch["a"], batch["b"]

        def loss():
            fake_b = self.generator_ab(a, training=True)
            fake_a = self.generator_ba(b, training=True)
            terms = {
                "g_ab_adversarial": losses.adversarial_loss(self.discriminator_b(fake_b, training=True)),
                "g_ba_adversarial": losses.adversarial_loss(self.discriminator_a(fake_a, training=True)),
                "cycle_loss": losses.cycle_loss(a, self.generator_ba(fake_b, training=True))
                + losses.cycle_loss(b, self.generator_ab(fake_a, training=True)),
            }
            total = terms["g_ab_adversarial"] + terms["g_ba_adversarial"] + self.cycle_weight * terms["cycle_loss"]
            if self.identity_weight:
                terms["identity_loss"] = losses.identity_loss(b, self.generator_ab(b, training=True)) + (
                    losses.identity_loss(a, self.generator_ba(a, training=True))
                )
                total += self.identity_weight * terms["identity_loss"]
            return total, (terms, fake_a, fake_b)

        total, (terms, fake_a, fake_b) = self.minimize(("generator_ab", "generator_ba"), loss)
        self.track("g_loss", total)
        for name, value in terms.items():
            self.track(name, value)
        return {"fake_a": tf.stop_gradient(fake_a), "fake_b": tf.stop_gradient(fake_b)}

    def discriminator_phase(self, batch):
        """D main for D_A (real A vs pooled F(b)) and D_B (real B vs pooled G(a))."""
        fake_a = self.pool_a.query(batch["fake_a"], *self.pool_draws(batch["fake_a"]))
        fake_b = self.pool_b.query(batch["fake_b"], *self.pool_draws(batch["fake_b"]))
        self.track("d_a_loss", self.update_discriminator("discriminator_a", batch["a"], fake_a))
        self.track("d_b_loss", self.update_discriminator("discriminator_b", batch["b"], fake_b))

    def update_discriminator(self, name, real, fake):
        network = getattr(self, name)

        def loss():
            real_logits = network(real, training=True)
            fake_logits = network(fake, training=True)
            return losses.discriminator_loss(real_logits, fake_logits), None

        return self.minimize(name, loss)[0]

    def pool_draws(self, images):
        """The pool's random draws for a batch: coins in [0, 1) and slots in [0, pool_size)."""
        batch = tf.shape(images)[0]
        coins = self.uniform(tf.stack([batch]))
        slots = tf.cast(self.uniform(tf.stack([batch])) * max(self.pool_size, 1), tf.int32)
        return coins, tf.minimum(slots, max(self.pool_size - 1, 0))

    # Translation -----------------------------------------------------------------

    def call(self, inputs, training=False):
        """Translates A images `inputs` into B with the sampling generator."""
        return self.sampling_network("generator_ab")(inputs, training=training)

    def translate(self, images, direction="a2b", batch_size=64):
        """Translates images (float32 in [-1, 1]): `direction` "a2b" (A -> B) or "b2a"."""
        return translation.translate(self.sampling_network(_generator(direction)), images, batch_size)

    def export_parts(self):
        """Each direction as its own exported model: `{"a2b": ..., "b2a": ...}`."""
        return {
            direction: (self.sampling_network(name), translation.translation_spec(getattr(self, name)))
            for direction, name in DIRECTIONS.items()
        }

    def export_details(self, part=""):
        """What an export's card says beyond the spec: the direction and the domains it maps."""
        source, target = self.domains if part != "b2a" else self.domains[::-1]
        return {"direction": part or "a2b", "domains": {"source": source, "target": target}}

    def export_spec(self):
        """The spec of the A -> B direction (see `export_parts` for both)."""
        return translation.translation_spec(self.generator_ab)

    def export_network(self):
        """The A -> B generator (see `export_parts` for both)."""
        return self.sampling_network("generator_ab")

    def preview_inputs(self, seed, examples=None, num_samples=64, **options):
        """The first examples of fixed held-out batches of each domain: `(a, b)` or a dict."""
        if examples is None:
            raise ValueError("Expected held-out (a, b) examples to preview a CycleGAN. Received: examples=None")
        examples = batches.as_dict(examples, self.batch_keys)
        n = min(num_samples, *(len(value) for value in examples.values()))
        return {key: value[:n] for key, value in examples.items()}

    def preview(self, inputs, scale=1):
        """One row per example pair: a | G_ab(a) | G_ba(G_ab(a)) | b | G_ba(b) | G_ab(G_ba(b))."""
        a, b = inputs["a"], inputs["b"]
        ab, ba = self.translate(a, "a2b"), self.translate(b, "b2a")
        return translation.rows_grid([a, ab, self.translate(ab, "b2a"), b, ba, self.translate(ba, "a2b")], scale)

    # Serialization ---------------------------------------------------------------

    def get_config(self):
        return {
            # The base's gradient penalties and D augmentations are not part of the CycleGAN objective.
            **{k: v for k, v in self.base_config().items() if k not in UNUSED_BASE_OPTIONS},
            **self.serialized_networks(),
            "image_size": self.image_size,
            "cycle_weight": self.cycle_weight,
            "identity_weight": self.identity_weight,
            "pool_size": self.pool_size,
            "jitter": self.jitter,
            "domains": list(self.domains),
        }

    @classmethod
    def from_config(cls, config):
        return cls(**deserialize_networks(config, NETWORKS))

    def compile(
        self,
        generator_ab_optimizer="adam",
        generator_ba_optimizer="adam",
        discriminator_a_optimizer="adam",
        discriminator_b_optimizer="adam",
        jit_compile="auto",
        steps_per_execution=1,
    ):
        """Configures the four optimizers (one per network) and the compiled step.

        Each optimizer is an instance, a name or a config; `"adam"` is
        Adam(2e-4, beta_1=0.5), the paper's. For the paper's schedule pass
        `keras.optimizers.Adam(LinearDecay(2e-4, constant, decay), beta_1=0.5)`
        (`kgan.families.cyclegan.schedule.LinearDecay`), a new instance each.
        """
        super().compile(
            {
                "generator_ab": generator_ab_optimizer,
                "generator_ba": generator_ba_optimizer,
                "discriminator_a": discriminator_a_optimizer,
                "discriminator_b": discriminator_b_optimizer,
            },
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
        )


def _generator(direction):
    if direction not in DIRECTIONS:
        raise ValueError(f"Expected `direction` to be one of {list(DIRECTIONS)}. Received: direction={direction!r}")
    return DIRECTIONS[direction]


def _check_networks(networks):
    """Checks the four networks fit together; returns `{"a": channels, "b": channels}`."""
    for name, model in networks.items():
        if not isinstance(model, keras.Model):
            raise ValueError(f"Expected `{name}` to be a keras.Model. Received: {name}={model!r}")
        if len(model.inputs or []) != 1:
            raise ValueError(f"Expected `{name}` to take one image input. Received: {len(model.inputs or [])} inputs")
    g_ab, g_ba = networks["generator_ab"], networks["generator_ba"]
    channels = {"a": g_ab.inputs[0].shape[-1], "b": g_ab.outputs[0].shape[-1]}
    expected = {
        "generator_ba input": (g_ba.inputs[0].shape[-1], channels["b"]),
        "generator_ba output": (g_ba.outputs[0].shape[-1], channels["a"]),
        "discriminator_a input": (networks["discriminator_a"].inputs[0].shape[-1], channels["a"]),
        "discriminator_b input": (networks["discriminator_b"].inputs[0].shape[-1], channels["b"]),
    }
    for what, (received, wanted) in expected.items():
        if received != wanted:
            raise ValueError(
                f"Expected the {what} to have {wanted} channels, as generator_ab's A ({channels['a']}) and "
                f"B ({channels['b']}) channels say. Received: {received}"
            )
    return channels
