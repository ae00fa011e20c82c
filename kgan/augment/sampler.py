"""One interface over every kind of generator `kgan.augment` accepts.

A `Sampler` maps a batch of noise `z` (and int32 `labels`) to float32
images in [-1, 1]. `as_sampler` makes one from:
- a kgan model of a noise-to-image family, e.g. `kgan.GAN` (its exported
  network: the EMA generator, with its own batch-norm statistics, if enabled);
- a Keras generator model (inputs `z` [, `labels`], output images);
- a path to an exported SavedModel folder (run by TensorFlow) or `.onnx`
  file (run by onnxruntime), or a model loaded with `kgan.inference.load`
  (with whichever backend it chose).
"""

import os

import keras
import numpy as np
import tensorflow as tf

from kgan.base import AdversarialModel


class Sampler:
    """A generator seen as `z [, labels] -> images`.

    Attributes:
        latent_dim: size of z.
        conditional: whether the generator takes labels.
        num_classes: number of classes, or None when unconditional or when
            it cannot be read from the generator.
        image_shape: `(height, width, channels)` of the images.
        keras_model: the Keras generator model, or None for exported ones.
        saved_model_path: the SavedModel version folder of an exported
            generator run by TensorFlow, or None.
    """

    latent_dim = None
    conditional = False
    num_classes = None
    image_shape = None
    keras_model = None
    saved_model_path = None

    def __call__(self, z, labels=None):
        """Returns float32 images in [-1, 1] for float32 `z` and int32 `labels`."""
        raise NotImplementedError


class KerasSampler(Sampler):
    """Runs a Keras generator in inference mode (`training=False`) in a `tf.function`."""

    def __init__(self, model, num_classes=None, refresh=None):
        inputs = model.inputs or []
        if len(inputs) not in (1, 2):
            raise ValueError(
                "Expected a generator model with inputs `z` or `[z, labels]`. "
                f"Received: a model with {len(inputs)} inputs"
            )
        self.keras_model = model
        self._refresh = refresh
        self.latent_dim = int(inputs[0].shape[-1])
        self.conditional = len(inputs) == 2
        self.num_classes = num_classes if self.conditional else None
        if self.conditional and num_classes is None:
            self.num_classes = _embedding_classes(model)
        self.image_shape = tuple(int(d) for d in model.outputs[0].shape[1:])
        self._generate = tf.function(self._generate_graph, reduce_retracing=True, autograph=False)

    def _generate_graph(self, z, labels=None):
        inputs = z if labels is None else [z, labels]
        return tf.cast(self.keras_model(inputs, training=False), tf.float32)

    def __call__(self, z, labels=None):
        if self._refresh is not None:
            self._refresh()  # e.g. the EMA generator's batch-norm statistics, when stale
        return self._generate(z, labels)


class ExportedSampler(Sampler):
    """Wraps a `kgan.inference` model (SavedModel or ONNX backend); runs on NumPy arrays."""

    def __init__(self, model):
        self.model = model
        self.latent_dim = int(model.latent_dim)
        self.num_classes = model.num_classes
        self.conditional = model.num_classes is not None
        self.image_shape = tuple(int(d) for d in model.image_shape)
        if getattr(model, "backend", None) == "saved_model":
            self.saved_model_path = model.path

    def __call__(self, z, labels=None):
        images = self.model(z, labels=labels) if labels is not None else self.model(z)
        return np.asarray(images, dtype="float32")


def as_sampler(generator):
    """Returns a `Sampler` for any generator `kgan.augment` accepts.

    Args:
        generator: a `kgan.GAN` (or another noise-to-image kgan model), a
            Keras generator model, a path to an
            exported SavedModel folder or `.onnx` file, or a model loaded with
            `kgan.inference.load`.
    """
    if isinstance(generator, Sampler):
        return generator
    if isinstance(generator, AdversarialModel):
        spec = generator.export_spec()
        if spec.task != "generate":
            raise ValueError(
                "Expected a model that generates images from noise (task 'generate'). "
                f"Received: a {type(generator).__name__} with task {spec.task!r}"
            )
        return KerasSampler(generator.export_network(), spec.num_classes, refresh=generator.export_network)
    if isinstance(generator, keras.Model):
        return KerasSampler(generator)
    if isinstance(generator, (str, os.PathLike)):
        return ExportedSampler(_load_exported(os.fspath(generator)))
    if all(hasattr(generator, name) for name in ("latent_dim", "num_classes", "image_shape")) and callable(generator):
        task = getattr(generator, "task", "generate")
        if task != "generate":
            raise ValueError(
                "Expected a model that generates images from noise (task 'generate'). "
                f"Received: an exported model with task {task!r}"
            )
        return ExportedSampler(generator)
    raise ValueError(
        "Expected `generator` to be a kgan.GAN, a Keras generator model, a path to an exported "
        "SavedModel folder or ONNX file, or a model from kgan.inference.load. "
        f"Received: generator={generator!r}"
    )


def _load_exported(path):
    """Loads a SavedModel folder with TensorFlow, an `.onnx` file with onnxruntime."""
    from kgan import inference  # Deferred: onnxruntime imports slowly.

    if os.path.isdir(path):
        return inference.load(path, backend="saved_model")
    if os.path.isfile(path) and path.endswith(".onnx"):
        return inference.load(path)
    raise FileNotFoundError(
        "Expected `generator` to be an exported SavedModel folder (saved_models/NAME or "
        f"saved_models/NAME/VERSION) or an .onnx file. Received: generator={path!r}"
        + ("" if os.path.exists(path) else ", which does not exist")
    )


def check_num_classes(sampler, num_classes):
    """Returns the number of classes to draw, or None for an unconditional generator.

    Args:
        sampler: a `Sampler`.
        num_classes: the caller's request: None (use the generator's) or an int.
    """
    if not sampler.conditional:
        if num_classes is not None:
            raise ValueError(
                "Labels were requested from an unconditional generator (it takes no labels). "
                f"Expected num_classes=None. Received: num_classes={num_classes!r}"
            )
        return None
    if num_classes is not None and (
        not isinstance(num_classes, (int, np.integer)) or isinstance(num_classes, bool) or num_classes < 2
    ):
        raise ValueError(f"Expected `num_classes` to be None or an integer >= 2. Received: num_classes={num_classes!r}")
    if num_classes is None:
        if sampler.num_classes is None:
            raise ValueError(
                "The number of classes of this conditional generator cannot be read from the model. "
                "Expected `num_classes` to be given. Received: num_classes=None"
            )
        return int(sampler.num_classes)
    if sampler.num_classes is not None and num_classes != sampler.num_classes:
        raise ValueError(
            f"Expected `num_classes` to match the generator's {sampler.num_classes} classes "
            f"(or None). Received: num_classes={num_classes}"
        )
    return int(num_classes)


def _embedding_classes(model):
    # kgan's conditional builders embed the label in a layer of this name.
    try:
        return int(model.get_layer("label_embedding").input_dim)
    except (ValueError, AttributeError):
        return None
