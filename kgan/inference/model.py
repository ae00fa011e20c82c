"""`ExportedModel`: the common face of an exported model, whatever its task.

Backends (`OnnxModel`, `TensorFlowModel`) run one batch (`_run`); this class
reads the model's `kgan.specs.ModelSpec`, validates inputs by their roles,
splits large requests into batches, draws seeded noise and converts outputs.
The methods of a task check that the model has it: `generate`, `sample` and
`__call__` need a noise input (task `"generate"`), `translate` and `upscale`
their task.
"""

import numpy as np

from kgan import latent
from kgan import labels as labels_lib
from kgan.inference import inputs
from kgan.inference import philox

_HINTS = {
    "generate": "use generate(), sample() or model(z)",
    "translate": "use translate()",
    "upscale": "use upscale()",
}


class ExportedModel:
    """An exported model run without kgan's model code.

    Attributes:
        path: the file or folder it was loaded from.
        spec: its `kgan.specs.ModelSpec` (named inputs and output, with roles).
        task: `"generate"`, `"translate"` or `"upscale"`.
        batch_size: largest batch sent to the backend in one call.
        card: the export's card (a dict), or None when there is none.
        latent_dim, num_classes, image_shape, conditional: read from the spec
            (`latent_dim` and `num_classes` are None when there is no noise or
            label input; `image_shape` is the output's, None where any size).
    """

    backend = None

    def __init__(self, path, spec, batch_size=256, card=None):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"Expected `batch_size` to be a positive integer. Received: batch_size={batch_size!r}")
        self.path = path
        self.spec = spec
        self.batch_size = batch_size
        self.card = card

    @property
    def task(self):
        return self.spec.task

    @property
    def latent_dim(self):
        return self.spec.latent_dim

    @property
    def num_classes(self):
        return self.spec.num_classes

    @property
    def image_shape(self):
        return self.spec.image_shape

    @property
    def conditional(self):
        return self.spec.conditional

    # Every task ------------------------------------------------------------------

    def run(self, feeds):
        """Runs the model on named inputs, `batch_size` examples per backend call.

        Args:
            feeds: `{input name: batched value}` with every input of the spec;
                labels may be None (the classes in turn) or one int (see
                `kgan.labels.resolve`).

        Returns:
            float32 NumPy array: the output, one row per example.
        """
        feeds = self._check_feeds(feeds)
        n = len(next(iter(feeds.values())))
        if n == 0:
            return np.zeros((0, *self._output_shape(feeds)), "float32")
        chunks = []
        for start in range(0, n, self.batch_size):
            batch = {name: value[start : start + self.batch_size] for name, value in feeds.items()}
            chunks.append(np.asarray(self._run(batch), dtype="float32"))
        return np.concatenate(chunks)

    # Task "generate" -------------------------------------------------------------

    def __call__(self, z, labels=None, dtype="float32"):
        """Generates one image per row of `z`.

        Args:
            z: latent vectors, shape `(n, latent_dim)`.
            labels: class labels for a conditional model: None (cycle
                through the classes), an int, or `n` integers.
            dtype: `"float32"` for values in the value range ([-1, 1]) or
                `"uint8"` for [0, 255].

        Returns:
            A NumPy array of shape `(n, *image_shape)`.
        """
        noise, label = self._require_noise("__call__"), self.spec.label
        dtype = inputs.check_output_dtype(dtype)
        z = inputs.check_noise(z, noise)
        feeds = {noise.name: z}
        if label is None:
            labels_lib.resolve(labels, len(z), None)  # refuses labels for an unconditional model
        else:
            feeds[label.name] = labels  # checked in `run`
        return self._convert(self.run(feeds), dtype)

    def generate(self, n, seed=None, labels=None, dtype="float32"):
        """Generates `n` images from `kgan.latent.sample_latent(n, latent_dim, seed)`.

        The same seed gives the same images as `GAN.generate` and `kgan sample`.
        """
        self._require_noise("generate")
        n = inputs.check_count(n)
        return self(latent.sample_latent(n, self.latent_dim, seed), labels, dtype)

    def sample(self, n, seed, labels=None, dtype="float32"):
        """Generates `n` images as the SavedModel's `sample(n, seed)` signature does.

        The noise is TF's stateless Philox normal noise (`kgan.inference.philox`),
        so TF Serving, `kgan serve` and this method agree for the same seed.
        """
        self._require_noise("sample")
        n = inputs.check_count(n)
        seed = inputs.check_seed(seed)
        return self(philox.stateless_normal(n, self.latent_dim, seed), labels, dtype)

    # Tasks "translate" and "upscale" ---------------------------------------------

    def translate(self, images, dtype="float32"):
        """Translates each image (task `"translate"`, e.g. pix2pix, CycleGAN).

        Args:
            images: float images in the input's value range, shape
                `(n, *spatial, channels)`, at any size the model accepts.
            dtype: `"float32"` (the output's value range) or `"uint8"`.

        Returns:
            A NumPy array with one output image per input image.
        """
        return self._image_to_image("translate", images, dtype)

    def upscale(self, images, dtype="float32"):
        """Upscales each image by the model's `spec.scale` (task `"upscale"`).

        Args and returns: as `translate`.
        """
        return self._image_to_image("upscale", images, dtype)

    # Helpers -----------------------------------------------------------------------

    def _image_to_image(self, task, images, dtype):
        if self.task != task:
            raise ValueError(
                f"Expected a model of task {task!r} for `{task}()`. Received: a model of task {self.task!r}"
                f" ({_HINTS[self.task]})"
            )
        dtype = inputs.check_output_dtype(dtype)
        image = self.spec.input("image")
        return self._convert(self.run({image.name: images}), dtype)

    def _require_noise(self, method):
        if self.spec.noise is None:
            raise ValueError(
                f"Expected a model that generates from noise (task 'generate') for `{method}()`. "
                f"Received: a model of task {self.task!r} ({_HINTS[self.task]})"
            )
        return self.spec.noise

    def _check_feeds(self, feeds):
        names = [tensor.name for tensor in self.spec.inputs]
        if not isinstance(feeds, dict) or sorted(feeds) != sorted(names):
            received = sorted(feeds) if isinstance(feeds, dict) else type(feeds).__name__
            raise ValueError(f"Expected inputs {names}. Received: {received}")
        batched = [t for t in self.spec.inputs if t.role != "label"]
        checked = {t.name: inputs.check_input(feeds[t.name], t) for t in batched}
        sizes = {name: len(value) for name, value in checked.items()}
        if len(set(sizes.values())) > 1:
            raise ValueError(f"Expected every input to hold the same number of examples. Received: {sizes}")
        n = next(iter(sizes.values()))  # every spec has a noise or image input
        for tensor in self.spec.inputs:
            if tensor.role == "label":
                checked[tensor.name] = inputs.check_input(feeds[tensor.name], tensor, n)
        return {name: checked[name] for name in names}

    def _output_shape(self, feeds):
        # For an empty batch: open output sizes are the image input's (times the scale).
        image = self.spec.input("image")
        given = feeds[image.name].shape[1:] if image is not None else ()
        scale = self.spec.scale or 1
        return tuple(
            d if d is not None else (given[i] * scale if i < len(given) else 0)
            for i, d in enumerate(self.spec.output.shape)
        )

    def _convert(self, images, dtype):
        return inputs.to_uint8(images, self.spec.output.value_range) if dtype == "uint8" else images

    def _run(self, feeds):
        """Runs one batch: `{input name: array}` -> float32 output array."""
        raise NotImplementedError

    def __repr__(self):
        return (
            f"<{type(self).__name__} {self.path!r} task={self.task!r} inputs="
            f"{[t.name for t in self.spec.inputs]} image_shape={self.image_shape}>"
        )


# kgan 0.1's name, kept for a model of task "generate" (an `ExportedModel` like any other).
ExportedGenerator = ExportedModel
