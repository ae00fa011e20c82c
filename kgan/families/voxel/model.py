"""`kgan.VoxelGAN`: noise (and a class label) to a 3D occupancy grid (3D-GAN)."""

import keras
import numpy as np
import tensorflow as tf

from kgan import checks
from kgan import rendering
from kgan import specs
from kgan.families.gan.model import GAN
from kgan.families.voxel import gate

VALUE_RANGE = (0.0, 1.0)
TILE = 64  # px: the side of one rendered shape in a preview


@keras.saving.register_keras_serializable(package="kgan")
class VoxelGAN(GAN):
    """A voxel GAN (Wu et al. 2016, arXiv 1610.07584) trained with `model.fit`.

    The generator maps z (and a label) to occupancy in [0, 1] of shape
    `(grid, grid, grid, 1)` (a sigmoid output); the discriminator scores
    grids. Training is `kgan.GAN`'s (D phases, G phase, EMA; the same losses
    and exact penalties, which work on 5-D inputs), with 3D-GAN's gate on the
    discriminator: with `d_accuracy_gate`, a D step is applied only while
    D's accuracy on the step's real and fake batch is below the gate
    (`kgan.families.voxel.gate`). Batches are `(grids, labels)` tuples,
    grids alone, or dicts with `"images"` (the grids) and `"labels"`; grids
    may be uint8 0/1 (cast to float32 in the step).

    Sample grids are shaded renders of the shapes (`kgan.rendering`), one
    row per class; `kgan.meshes` turns samples into OBJ/PLY meshes.

    Args:
        generator: a Keras model from `z` (and `labels`) to occupancy in [0, 1]
            (`kgan.models.voxel_generator`).
        discriminator: a Keras model from grids (and `labels`) to one logit
            per grid (`kgan.models.voxel_discriminator`).
        latent_dim: size of z.
        d_accuracy_gate: apply a D step only while D's accuracy on its batch
            is below this (the paper's 0.8); None always applies it.
        **kwargs: `kgan.GAN`'s arguments: `loss`, `d_steps`, `gp_weight`,
            `r1_weight`, `label_smoothing`, `num_classes`, `ema_half_life`,
            `ema_decay`, `ema_rampup`, `seed`.

    Example:

    ```python
    g = kgan.models.voxel_generator(latent_dim=8, grid_size=8, base_filters=4)
    d = kgan.models.voxel_discriminator(grid_size=8, base_filters=4)
    gan = kgan.VoxelGAN(g, d, latent_dim=8, d_accuracy_gate=0.8, seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-5, beta_1=0.5),
                g_optimizer=keras.optimizers.Adam(0.0025, beta_1=0.5))
    grids = (np.random.default_rng(0).random((16, 8, 8, 8, 1)) < 0.3).astype("float32")
    gan.fit(grids, batch_size=8, epochs=1, verbose=0)
    shapes = gan.generate(4, seed=0)          # (4, 8, 8, 8, 1) occupancy in [0, 1]
    picture = gan.preview(gan.preview_inputs(seed=0, num_samples=4))  # uint8 render grid
    ```
    """

    # Batches of 64 grids for the EMA generator's batch-norm statistics (fewer than kgan.GAN's: grids are large).
    statistics_batches = 4

    def __init__(self, generator, discriminator, latent_dim, d_accuracy_gate=None, **kwargs):
        # Set before the base builds its metric trackers, which depend on it.
        self.d_accuracy_gate = checks.number(
            "d_accuracy_gate", d_accuracy_gate, 0.0, 1.0, low_open=True, allow_none=True
        )
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        if self.d_accuracy_gate is not None and self.loss_pair.name == "wasserstein":
            raise ValueError(
                "Expected a loss whose D output has a decision threshold (logit 0) for the accuracy gate. "
                f"Received: loss='wasserstein', d_accuracy_gate={self.d_accuracy_gate}"
            )
        shape = self.image_shape
        if len(shape) != 4 or shape[-1] != 1:
            raise ValueError(
                f"Expected a generator of occupancy grids (batch, x, y, z, 1). Received: output shape (batch, *{shape})"
            )

    def metric_names(self):
        gated = ["d_updated"] if self.d_accuracy_gate is not None else []
        return [*super().metric_names(), "d_accuracy", *gated]

    def minimize(self, names, loss_fn):
        """`kgan.GAN`'s update, with the discriminator's step gated by its accuracy.

        `kgan.GAN`'s D phase (unchanged: losses, penalties) minimises a loss
        whose outputs are `(real_logits, fake_logits)`; D's accuracy on them
        decides whether the step is applied (`kgan.families.voxel.gate`).
        """
        if names != "discriminator":
            return super().minimize(names, loss_fn)
        optimizer = self.optimizer_for("discriminator")
        variables = self.discriminator.trainable_variables
        with tf.GradientTape() as tape:
            loss, (real_logits, fake_logits) = loss_fn()
            scaled = optimizer.scale_loss(self.per_replica(loss))
        grads = tape.gradient(scaled, variables)
        accuracy = gate.batch_accuracy(real_logits, fake_logits)
        if self.d_accuracy_gate is None:
            optimizer.apply(grads, variables)
        else:
            update = accuracy < self.d_accuracy_gate
            gate.apply_if(update, optimizer, grads, variables)
            self.track("d_updated", tf.cast(update, tf.float32))
        self.track("d_accuracy", accuracy)
        return loss, (real_logits, fake_logits)

    # Description ------------------------------------------------------------------

    @property
    def grid_size(self):
        return self.image_shape[0]

    def export_spec(self):
        inputs = [specs.TensorSpec("z", (self.latent_dim,), "float32", "noise")]
        if self.conditional:
            inputs.append(specs.TensorSpec("labels", (), "int32", "label", num_classes=self.num_classes))
        output = specs.TensorSpec("voxels", self.image_shape, "float32", "image", value_range=VALUE_RANGE)
        return specs.ModelSpec("generate", tuple(inputs), (output,))

    def preview_inputs(self, seed, examples=None, num_samples=36, per_class=6):
        """Fixed noise: `num_samples` points, or `per_class` per class (one row each)."""
        return super().preview_inputs(seed, examples, num_samples=num_samples, per_class=per_class)

    def preview(self, inputs, scale=1, tile=TILE):
        """Shaded renders of the shapes made from `inputs`, as one uint8 grid (a row per class)."""
        generator = self.sampling_network("generator")
        samples = generator(self.generator_inputs(inputs["z"], inputs.get("labels")), training=False)
        rows = self.num_classes if self.conditional else None
        volumes = np.asarray(keras.ops.convert_to_numpy(samples))
        return rendering.render_grid(volumes, rows=rows, size=tile, value_range=VALUE_RANGE, scale=scale)

    def get_config(self):
        return {**super().get_config(), "d_accuracy_gate": self.d_accuracy_gate}
