"""`AdversarialModel`: what every kgan GAN family shares.

A family (`kgan.GAN`, pix2pix, CycleGAN, ...) is a subclass that names its
networks, says how a batch is named, and writes its phases. The base holds:

- named networks, each with its own optimizer, and `compile` /
  `get_compile_config` / `compile_from_config` for all of them (so `.keras`
  files keep every optimizer's state);
- metric trackers, created once and reset by `fit` every epoch;
- replica-aware seeded noise (`normal`, `uniform`);
- exponential moving averages of chosen networks, with batch-norm statistics
  of their own (`kgan.base.ema`);
- the gradient penalties, exact per example (`kgan.base.penalties`), with
  R1 optionally lazy (every `r1_interval` D steps, scaled by it: StyleGAN2);
- differentiable augmentation of what D sees (`kgan.base.augmentation`:
  DiffAugment, or ADA with its probability adjusted inside the step);
- `train_step` split into named phases, as NVlabs' stylegan2-ada
  `training/loss.py` splits it: `discriminator_phase` (D main and D
  regularisation) once per D step, then `generator_phase` (G main), then the
  averages;
- the model's description of itself (`checkpoint_parts`, `export_spec`,
  `export_network`, `preview`), which callbacks, checkpoints, export and the
  CLI read instead of assuming one kind of GAN.
"""

import keras
import tensorflow as tf

from kgan import checks
from kgan import compilation
from kgan.base import augmentation
from kgan.base import batches
from kgan.base import ema
from kgan.base import noise
from kgan.base import penalties


class AdversarialModel(keras.Model):
    """Base class of kgan's GAN families.

    Subclasses set `batch_keys`, may set `optimizer_attributes`, and
    implement `discriminator_phase(batch)`, `generator_phase(batch)`,
    `metric_names()`, `export_spec()` and `preview(...)`.

    Args:
        networks: a dict `{name: keras.Model}`. Each network becomes an
            attribute of that name and gets one optimizer.
        discriminators: the names of the networks that gradient penalties
            apply to.
        ema_networks: the names of the networks to average (`ema_<name>`).
        ema_decay: a fixed decay per step (kgan 0.1's setting), or None.
        ema_half_life: the averages' half-life in images, or None.
        ema_rampup: cap the half-life at this fraction of the images seen.
        gp_weight: weight of the WGAN-GP gradient penalty (0 disables it).
        r1_weight: weight of the R1 penalty on real data (0 disables it).
        seed: integer seed of the noise, or None.
        r1_interval: compute R1 every this many D steps, weighted by it
            (lazy regularisation, StyleGAN2; 1 computes it every step).
        augment: augmentation of D's inputs: None, `"diffaugment"`, `"ada"`,
            or a `kgan.base.augmentation.DiffAugment` / `AdaptiveAugment`.
            Families apply it with `augment_for_d` before every D call.
    """

    #: Names of the parts of a tuple batch, in order (`(x, y)` -> images, labels).
    batch_keys = ("images",)
    #: Attribute names of the optimizers; a network `n` defaults to `n_optimizer`.
    optimizer_attributes = {}
    #: Batches of inputs used to measure an average's batch-norm statistics.
    statistics_batches = 8

    def __init__(
        self,
        networks,
        discriminators=(),
        ema_networks=(),
        ema_decay=None,
        ema_half_life=None,
        ema_rampup=ema.DEFAULT_RAMPUP,
        gp_weight=0.0,
        r1_weight=0.0,
        seed=None,
        r1_interval=1,
        augment=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        for name, network in networks.items():
            if not isinstance(network, keras.Model):
                raise ValueError(f"Expected `{name}` to be a keras.Model. Received: {name}={network!r}")
            setattr(self, name, network)
        self.network_names = tuple(networks)
        self.discriminator_names = tuple(discriminators)
        self.ema_schedule = ema.Schedule(ema_decay, ema_half_life, ema_rampup)
        self.ema_names = tuple(ema_networks) if self.ema_schedule.enabled else ()
        for name in ema_networks:
            setattr(self, f"ema_{name}", None)  # `ema_<name>` is the average, or None
        if gp_weight < 0 or r1_weight < 0:
            raise ValueError(
                f"Expected penalty weights >= 0. Received: gp_weight={gp_weight!r}, r1_weight={r1_weight!r}"
            )
        self.gp_weight = float(gp_weight)
        self.r1_weight = float(r1_weight)
        self.r1_interval = checks.positive_int("r1_interval", r1_interval)
        self.augmentation = augmentation.get(augment)
        for name in self.discriminator_names:
            penalties.check_exact(networks[name], name, self.gp_weight, self.r1_weight)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="noise_seed")
        self._trackers = {}
        self._statistics_step = {}

    # Networks and their averages ------------------------------------------------

    def build(self, input_shape=None):
        """Creates the averaged networks and the metric trackers (idempotent)."""
        if self.built:
            return
        for name in self.ema_names:
            setattr(self, f"ema_{name}", ema.clone(getattr(self, name)))
        if isinstance(self.augmentation, augmentation.AdaptiveAugment):
            # ADA's state: p, and D's real signs since its last update. Model
            # variables, so .keras files and checkpoints keep them.
            initial = self.augmentation.initial_p
            self.ada_p = self._state_variable("ada_p", initial)
            self.ada_signs = self._state_variable("ada_signs", 0.0)
            self.ada_count = self._state_variable("ada_count", 0.0)
        names = [*self.metric_names(), *(["ada_p"] if self.adaptive else [])]
        self._trackers = {name: keras.metrics.Mean(name=name) for name in names}
        self.built = True

    def _state_variable(self, name, value):
        return self.add_weight(
            shape=(), initializer=keras.initializers.Constant(value), trainable=False, name=name,
            aggregation="only_first_replica",
        )

    @property
    def adaptive(self):
        return isinstance(self.augmentation, augmentation.AdaptiveAugment)

    def averaged(self, name):
        """The moving average of network `name`, or None."""
        return getattr(self, f"ema_{name}", None) if name in self.ema_names else None

    def sampling_network(self, name):
        """The network to sample from: the average when there is one, else the network.

        Batch-norm statistics of an average are recomputed from its own
        outputs when it has changed since they were last measured, so call
        this rather than reading `ema_<name>` before sampling.
        """
        average = self.averaged(name)
        if average is None:
            return getattr(self, name)
        step = int(self.optimizer_for(name).iterations.numpy()) if self.compiled else 0
        if self._statistics_step.get(name) != step and ema.batch_norm_layers(average):
            ema.recompute_statistics(average, self.statistics_inputs(name))
        self._statistics_step[name] = step
        return average

    def statistics_inputs(self, name):
        """Batches of inputs for network `name` to measure batch-norm statistics on.

        Families whose averaged networks have batch norm override this.
        """
        raise NotImplementedError(f"{type(self).__name__} does not say how to feed {name!r}")

    def update_averages(self, batch_images):
        """Moves every average one step towards its network (inside the step)."""
        for name in self.ema_names:
            step = self.optimizer_for(name).iterations
            decay = self.ema_schedule.decay_at(step, batch_images * noise.num_replicas())
            ema.update(self.averaged(name), getattr(self, name), decay)

    # Compilation ------------------------------------------------------------------

    def optimizer_attribute(self, name):
        return self.optimizer_attributes.get(name, f"{name}_optimizer")

    def optimizer_for(self, name):
        """The optimizer of network `name`."""
        return getattr(self, self.optimizer_attribute(name))

    def compile(self, optimizers=None, jit_compile="auto", steps_per_execution=1):
        """Configures one optimizer per network and the compiled step.

        Args:
            optimizers: a dict `{network name: optimizer}` (an instance, a
                name or a config); a network left out gets `"adam"`, i.e.
                Adam(2e-4, beta_1=0.5). Each network needs its own instance.
            jit_compile: `"auto"` (XLA on GPU, off on CPU and under
                tf.distribute), True or False.
            steps_per_execution: train steps per `tf.function` call.
        """
        optimizers = dict(optimizers or {})
        unknown = sorted(set(optimizers) - set(self.network_names))
        if unknown:
            raise ValueError(f"Expected optimizers for networks among {list(self.network_names)}. Received: {unknown}")
        resolved = {name: compilation.get_optimizer(optimizers.get(name)) for name in self.network_names}
        _check_distinct(resolved)
        for name, optimizer in resolved.items():
            setattr(self, self.optimizer_attribute(name), optimizer)
        self._jit_compile_arg = jit_compile
        # The model owns one optimizer per network, so Keras' single optimizer is None.
        super().compile(
            optimizer=None,
            jit_compile=compilation.resolve_jit_compile(jit_compile),
            steps_per_execution=steps_per_execution,
        )
        # Optimizer variables must exist before weights load from a .keras
        # file or a checkpoint, or their state is silently dropped.
        for name, optimizer in resolved.items():
            optimizer.build(getattr(self, name).trainable_variables)

    @property
    def optimizers(self):
        """`{network name: optimizer}` once compiled, else `{}`."""
        if not getattr(self, "compiled", False):
            return {}
        return {name: self.optimizer_for(name) for name in self.network_names}

    def get_compile_config(self):
        if not self.optimizers:
            return None  # saved before compile(): nothing to restore
        config = {
            self.optimizer_attribute(name): keras.optimizers.serialize(opt) for name, opt in self.optimizers.items()
        }
        config.update(jit_compile=self._jit_compile_arg, steps_per_execution=self.steps_per_execution)
        return config

    def compile_from_config(self, config):
        optimizers = {
            name: keras.optimizers.deserialize(config[self.optimizer_attribute(name)])
            for name in self.network_names
            if self.optimizer_attribute(name) in config
        }
        AdversarialModel.compile(
            self,
            optimizers,
            jit_compile=config.get("jit_compile", "auto"),
            steps_per_execution=config.get("steps_per_execution", 1),
        )

    # The step -------------------------------------------------------------------------

    @property
    def d_steps_per_step(self):
        """Discriminator phases per train step (each on its own slice of the batch)."""
        return 1

    def train_step(self, data):
        """One adversarial update: D phase(s), then the G phase, then the averages."""
        batch = self.prepare_batch(batches.as_dict(data, self.batch_keys))
        slices = batches.split(batch, self.d_steps_per_step, self.batch_keys)
        for d_batch in slices:
            self.discriminator_phase(d_batch)
        self.generator_phase(slices[-1])
        self.update_averages(self.images_per_step(slices[-1]))
        return self.logs()

    def prepare_batch(self, batch):
        """Checks and converts a batch dict (families override)."""
        return batch

    def images_per_step(self, batch):
        """Images a generator update sees on this replica (for the averages' half-life)."""
        return tf.shape(batch[self.batch_keys[0]])[0]

    def discriminator_phase(self, batch):
        raise NotImplementedError

    def generator_phase(self, batch):
        raise NotImplementedError

    def minimize(self, names, loss_fn):
        """Updates the networks `names` to minimise `loss_fn()`; returns its result.

        `loss_fn` runs under a gradient tape and returns `(loss, outputs)`.
        Each replica's loss is divided by the number of replicas, because the
        optimizers sum gradients over replicas: that is the mean over the
        global batch.
        """
        names = (names,) if isinstance(names, str) else tuple(names)
        with tf.GradientTape(persistent=len(names) > 1) as tape:
            loss, outputs = loss_fn()
            scaled = [self.optimizer_for(name).scale_loss(self.per_replica(loss)) for name in names]
        for name, target in zip(names, scaled):
            variables = getattr(self, name).trainable_variables
            self.optimizer_for(name).apply(tape.gradient(target, variables), variables)
        del tape
        return loss, outputs

    def per_replica(self, loss):
        """`loss` divided by the number of replicas (the optimizers sum their gradients)."""
        return loss / noise.num_replicas()

    def regularization(self, critic, real, fake=None):
        """The weighted gradient penalties of `critic` (a callable on inputs of `real`'s shape).

        Tracks `gradient_penalty` and `r1_penalty` when they are on. With
        `r1_interval=k`, R1 is computed only on every k-th D step (counted by
        the first discriminator's optimizer) and weighted by k.
        """
        total = 0.0
        if self.gp_weight:
            gp = penalties.gradient_penalty(critic, real, fake, self.uniform)
            self.track("gradient_penalty", gp)
            total += self.gp_weight * gp
        if self.r1_weight and self.r1_interval == 1:
            r1 = penalties.r1(critic, real)
            self.track("r1_penalty", r1)
            total += self.r1_weight * r1
        elif self.r1_weight:
            step = self.optimizer_for(self.discriminator_names[0]).iterations
            due = tf.equal(step % self.r1_interval, 0)
            r1 = tf.cond(due, lambda: penalties.r1(critic, real), lambda: tf.constant(0.0))
            self._trackers["r1_penalty"].update_state(r1, sample_weight=tf.cast(due, tf.float32))
            total += self.r1_weight * self.r1_interval * r1
        return total

    # Discriminator augmentation ----------------------------------------------------------

    def augment_for_d(self, images):
        """What D sees of `images`: augmented when `augment` is set, else `images`."""
        if self.augmentation is None:
            return images
        if self.adaptive:
            return self.augmentation(images, self.uniform, self.ada_p)
        return self.augmentation(images, self.uniform)

    def observe_real_logits(self, real_logits, batch_images):
        """ADA's heuristic: accumulates `sign(D(real))`; every `interval` D steps moves `p`.

        Call it after the D update of a phase; a no-op without ADA.
        """
        if not self.adaptive:
            return
        signs = tf.reduce_sum(tf.sign(tf.cast(real_logits, tf.float32)))
        count = tf.cast(tf.size(real_logits), tf.float32)
        # No sum over replicas: under MirroredStrategy these only-first-replica variables take the first
        # replica's signs, an unbiased estimate of the same mean; an all-reduce here is a collective whose
        # order against the gradients' collectives differs between replicas (a shape-mismatch abort).
        self.ada_signs.assign_add(signs)
        self.ada_count.assign_add(count)
        step = self.optimizer_for(self.discriminator_names[0]).iterations
        images = tf.cast(batch_images * noise.num_replicas(), tf.float32)

        # Selected with tf.where rather than assigned in a tf.cond branch: under MirroredStrategy these
        # only-first-replica variables are assigned through a merge_call, which a cond branch cannot hold.
        due = tf.equal(step % self.augmentation.interval, 0)
        mean = self.ada_signs / tf.maximum(self.ada_count, 1.0)
        moved = tf.clip_by_value(self.ada_p + self.augmentation.adjustment(mean, images), 0.0, 1.0)
        self.ada_p.assign(tf.where(due, moved, self.ada_p))
        self.ada_signs.assign(tf.where(due, 0.0, self.ada_signs))
        self.ada_count.assign(tf.where(due, 0.0, self.ada_count))
        self.track("ada_p", self.ada_p)

    def penalty_metric_names(self):
        return (["gradient_penalty"] if self.gp_weight else []) + (["r1_penalty"] if self.r1_weight else [])

    # Metrics -----------------------------------------------------------------------------

    def metric_names(self):
        """Names of the scalars the step reports (family-specific)."""
        raise NotImplementedError

    def track(self, name, value):
        self._trackers[name].update_state(tf.cast(value, tf.float32))

    def logs(self):
        return {name: tracker.result() for name, tracker in self._trackers.items()}

    @property
    def metrics(self):
        return list(self._trackers.values())

    # Noise -----------------------------------------------------------------------------

    def normal(self, shape):
        """Standard normal noise, new at every call and different on every replica."""
        return noise.normal(self.seed_generator, shape)

    def uniform(self, shape):
        """Uniform noise in [0, 1), new at every call and different on every replica."""
        return noise.uniform(self.seed_generator, shape)

    # The model's description of itself ------------------------------------------------

    def seed_states(self):
        """Every `SeedGenerator` state: the model's noise and every dropout layer's."""
        return [v for v in self.variables if v.name == "seed_generator_state"]

    def checkpoint_parts(self):
        """What a full-state checkpoint holds: `{name: trackable}`.

        Every network and average, every optimizer, every RNG state, and the
        family's `extra_state()`. A `.keras` file holds all but the RNG state.
        """
        parts = {name: getattr(self, name) for name in self.network_names}
        parts.update({f"ema_{name}": self.averaged(name) for name in self.ema_names})
        parts.update({self.optimizer_attribute(name): opt for name, opt in self.optimizers.items()})
        parts["rng"] = self.seed_states()
        if self.adaptive:
            parts["ada"] = [self.ada_p, self.ada_signs, self.ada_count]
        parts.update(self.extra_state())
        return parts

    def extra_state(self):
        """Family state a checkpoint must hold beyond networks, optimizers and RNG."""
        return {}

    def export_spec(self):
        """The `kgan.specs.ModelSpec` of the exported network."""
        raise NotImplementedError

    def export_network(self):
        """The Keras network that export writes (an average when there is one)."""
        raise NotImplementedError

    def export_parts(self):
        """What export writes: `{part: (network, spec)}`.

        One part named `""` for most families; a family with several exported
        networks names each (CycleGAN: `"a2b"` and `"b2a"`), and each part
        becomes its own exported model (`NAME-PART`).
        """
        return {"": (self.export_network(), self.export_spec())}

    def export_details(self, part=""):
        """Fields the export card of `part` records about the model beyond its spec (e.g. a training phase)."""
        return {}

    def preview_inputs(self, seed, examples=None):
        """Fixed inputs for `preview`, drawn once per run (noise from `seed`, or `examples`)."""
        raise NotImplementedError

    def preview(self, inputs):
        """A uint8 grid `(H, W, C)` of what the model makes from `inputs`, for sample grids."""
        raise NotImplementedError

    # Serialization -----------------------------------------------------------------------------

    def base_config(self):
        """The constructor arguments the base holds, for a family's `get_config`."""
        return {
            "name": self.name,
            "trainable": self.trainable,
            "gp_weight": self.gp_weight,
            "r1_weight": self.r1_weight,
            "ema_decay": self.ema_schedule.decay,
            "ema_half_life": self.ema_schedule.half_life,
            "ema_rampup": self.ema_schedule.rampup,
            "seed": self.seed,
            "r1_interval": self.r1_interval,
            "augment": augmentation.serialize(self.augmentation),
        }

    def serialized_networks(self):
        return {name: keras.saving.serialize_keras_object(getattr(self, name)) for name in self.network_names}


def deserialize_networks(config, names):
    """Replaces the serialized networks `names` in a config dict by Keras models."""
    config = dict(config)
    for name in names:
        config[name] = keras.saving.deserialize_keras_object(config[name])
    return config


def _check_distinct(optimizers):
    seen = {}
    for name, optimizer in optimizers.items():
        if id(optimizer) in seen:
            raise ValueError(
                "Expected one optimizer instance per network: an optimizer keeps per-variable state "
                f"and is built for one set of variables. Received: the same instance for "
                f"{seen[id(optimizer)]!r} and {name!r}; pass two instances (or names such as 'adam')"
            )
        seen[id(optimizer)] = name
