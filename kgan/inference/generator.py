"""`ExportedGenerator`: the common face of an exported generator.

Subclasses run one batch (`_run`); this class validates inputs, splits large
requests into batches, draws seeded noise and converts the output.
"""

import numpy as np

from kgan import images
from kgan import latent
from kgan.inference import inputs
from kgan.inference import philox


class ExportedGenerator:
    """An exported generator: `z [, labels] -> images`, without kgan's model code.

    Attributes:
        path: the file or folder it was loaded from.
        latent_dim: size of z.
        num_classes: number of classes, or None for an unconditional model.
        image_shape: `(height, width, channels)` of the images.
        batch_size: largest batch sent to the backend in one call.
        card: the export's card (a dict), or None when there is none.
    """

    backend = None

    def __init__(self, path, latent_dim, num_classes, image_shape, batch_size=256, card=None):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"Expected `batch_size` to be a positive integer. Received: batch_size={batch_size!r}")
        self.path = path
        self.latent_dim = int(latent_dim)
        self.num_classes = None if num_classes is None else int(num_classes)
        self.image_shape = tuple(int(d) for d in image_shape)
        self.batch_size = batch_size
        self.card = card

    @property
    def conditional(self):
        return self.num_classes is not None

    def __call__(self, z, labels=None, dtype="float32"):
        """Generates one image per row of `z`.

        Args:
            z: latent vectors, shape `(n, latent_dim)`.
            labels: class labels for a conditional model: None (cycle
                through the classes), an int, or `n` integers.
            dtype: `"float32"` for values in [-1, 1] or `"uint8"` for [0, 255].

        Returns:
            A NumPy array of shape `(n, *image_shape)`.
        """
        dtype = inputs.check_output_dtype(dtype)
        z = inputs.check_z(z, self.latent_dim)
        labels = inputs.check_labels(labels, len(z), self.num_classes)
        chunks = [self._run_batch(z, labels, start) for start in range(0, len(z), self.batch_size)]
        out = np.concatenate(chunks) if chunks else np.zeros((0, *self.image_shape), "float32")
        return images.to_uint8(out) if dtype == "uint8" else out

    def generate(self, n, seed=None, labels=None, dtype="float32"):
        """Generates `n` images from `kgan.latent.sample_latent(n, latent_dim, seed)`.

        The same seed gives the same images as `GAN.generate` and `kgan sample`.
        """
        n = inputs.check_count(n)
        return self(latent.sample_latent(n, self.latent_dim, seed), labels, dtype)

    def sample(self, n, seed, labels=None, dtype="float32"):
        """Generates `n` images as the SavedModel's `sample(n, seed)` signature does.

        The noise is TF's stateless Philox normal noise (`kgan.inference.philox`),
        so TF Serving, `kgan serve` and this method agree for the same seed.
        """
        n = inputs.check_count(n)
        seed = inputs.check_seed(seed)
        return self(philox.stateless_normal(n, self.latent_dim, seed), labels, dtype)

    def _run_batch(self, z, labels, start):
        stop = start + self.batch_size
        out = self._run(z[start:stop], None if labels is None else labels[start:stop])
        return np.asarray(out, dtype="float32")

    def _run(self, z, labels):
        """Runs one batch: float32 `(b, latent_dim)` [and int32 `(b,)`] -> float32 images."""
        raise NotImplementedError

    def __repr__(self):
        return (
            f"<{type(self).__name__} {self.path!r} latent_dim={self.latent_dim} "
            f"num_classes={self.num_classes} image_shape={self.image_shape}>"
        )
