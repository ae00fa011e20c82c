"""`synthetic_dataset`: a generator's samples as a batched `tf.data.Dataset`.

Design: `tf.data.Dataset.from_generator` over whole batches. A small Python
loop draws one batch of noise and labels with NumPy, runs the generator once
on the whole batch (a `tf.function` for Keras generators, so on the default
device: the GPU when there is one; onnxruntime for ONNX files), formats the
batch and yields it. Compared with a `tf.data` `map` calling the generator:
- the generator's ops run on the default device (the GPU when there is
  one), not in tf.data's function runtime, which runs on the host CPU;
- every source (Keras, SavedModel, ONNX) takes the same path, with no
  `tf.py_function` and no model variables captured in a dataset graph
  (which breaks when the model's variables live under a distribution
  strategy);
- rejection sampling (`accept=`) can redraw a variable number of samples.
The price is that the dataset cannot be serialized (tf.data service,
snapshots), which a stream of fresh samples does not need.

Under `tf.distribute`, `fit` splits each global batch over the replicas as
for any dataset. With several workers, each runs its own stream: give each
worker its own seed and turn auto-sharding off, or every worker generates
every batch and keeps only its share.
"""

import numbers

import numpy as np
import tensorflow as tf

from kgan import checks
from kgan.augment import formatting
from kgan.augment import labels as labels_lib
from kgan.augment import sampler as sampler_lib


def synthetic_dataset(
    generator,
    batch_size,
    num_classes=None,
    class_weights=None,
    seed=None,
    value_range=(-1, 1),
    dtype="float32",
    image_size=None,
    channels=None,
    num_batches=None,
    truncation=None,
    accept=None,
    max_rounds=100,
):
    """A `tf.data.Dataset` of batches of generated images (and labels).

    A conditional generator gives `(images, labels)` batches with int32
    labels of shape `(batch_size,)`; an unconditional one gives `images`.
    Every batch is full, so the batch dimension is static.

    Classes are exactly balanced by default: over any prefix of the stream,
    each class has appeared within one of its share. `class_weights` sets
    other shares the same way.

    With an integer `seed` the stream is reproducible: every iteration over
    the dataset (every epoch of a finite one) yields the same batches. With
    `seed=None` each iteration draws fresh samples.

    Args:
        generator: a `kgan.GAN` (its EMA generator when enabled), a Keras
            generator model, a path to an exported SavedModel folder or
            ONNX file, or a model loaded with `kgan.inference.load`. Keras
            generators are used live: if they keep training, later batches
            reflect their new weights.
        batch_size: images per batch.
        num_classes: None to use the generator's number of classes, or that
            number (checked). Must be None for an unconditional generator.
        class_weights: None for balanced classes, or one non-negative weight
            per class (a sequence, or a dict `{class: weight}`).
        seed: integer seed of noise and labels, or None.
        value_range: `(low, high)` that [-1, 1] is mapped onto, e.g.
            `(0, 1)` or `(0, 255)`, to match the real data.
        dtype: output dtype, e.g. `"float32"` or `"uint8"` (rounded).
        image_size: None, an int or `(height, width)` to resize to.
        channels: None, 1 or 3 to convert the channels.
        num_batches: number of batches, or None for an endless stream.
        truncation: None, or a threshold t > 0 of the truncation trick
            (Brock et al. 2018, arXiv 1809.11096): noise entries with
            `|z| > t` are redrawn. Trades diversity for fidelity.
        accept: None, or a function `(images, labels) -> bool (batch,)`
            that rejects samples (e.g. `kgan.augment.confidence_filter`).
            Rejected samples are redrawn with the same labels, so the class
            shares hold. `images` are in the output format.
        max_rounds: redraw rounds per batch before giving up with an error.

    Returns:
        A `tf.data.Dataset`.

    Example:

    ```python
    synthetic = kgan.augment.synthetic_dataset(gan, batch_size=64, seed=0)
    classifier.fit(synthetic, steps_per_epoch=100, epochs=5)
    ```
    """
    sampler = sampler_lib.as_sampler(generator)
    checks.positive_int("batch_size", batch_size)
    if num_batches is not None:
        checks.positive_int("num_batches", num_batches)
    checks.positive_int("max_rounds", max_rounds)
    if seed is not None and (not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0):
        raise ValueError(f"Expected `seed` to be None or a non-negative integer. Received: seed={seed!r}")
    if truncation is not None and not (isinstance(truncation, numbers.Real) and truncation > 0):
        raise ValueError(f"Expected `truncation` to be None or a number > 0. Received: truncation={truncation!r}")
    if accept is not None and not callable(accept):
        raise ValueError(f"Expected `accept` to be None or a function. Received: accept={accept!r}")
    if class_weights is not None and not sampler.conditional:
        raise ValueError(
            "Class weights were given for an unconditional generator (it takes no labels). "
            f"Expected class_weights=None. Received: class_weights={class_weights!r}"
        )
    num_classes = sampler_lib.check_num_classes(sampler, num_classes)
    probabilities = None
    if num_classes is not None:
        probabilities = labels_lib.class_probabilities(class_weights, num_classes)
    image_format = formatting.ImageFormat.checked(value_range, dtype, image_size, channels)
    stream = _Stream(
        sampler,
        int(batch_size),
        probabilities,
        image_format,
        seed=seed,
        num_batches=num_batches,
        truncation=truncation,
        accept=accept,
        max_rounds=max_rounds,
    )
    dataset = tf.data.Dataset.from_generator(stream, output_signature=stream.element_spec())
    # A known size lets `fit` and `mix` plan epochs (from_generator's is unknown).
    size = tf.data.INFINITE_CARDINALITY if num_batches is None else num_batches
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(size))
    return dataset.prefetch(tf.data.AUTOTUNE)


class _Stream:
    """The Python generator behind the dataset: one call, one pass of batches."""

    def __init__(
        self,
        sampler,
        batch_size,
        probabilities,
        image_format,
        *,
        seed=None,
        num_batches=None,
        truncation=None,
        accept=None,
        max_rounds=100,
    ):
        self.sampler = sampler
        self.batch_size = batch_size
        self.probabilities = probabilities
        self.image_format = image_format
        self.seed = seed
        self.num_batches = num_batches
        self.truncation = truncation
        self.accept = accept
        self.max_rounds = max_rounds
        self._format = tf.function(image_format.apply, reduce_retracing=True, autograph=False)

    def element_spec(self):
        shape = self.image_format.output_shape(self.sampler.image_shape)
        images = tf.TensorSpec((self.batch_size, *shape), self.image_format.dtype)
        if self.probabilities is None:
            return images
        return images, tf.TensorSpec((self.batch_size,), tf.int32)

    def __call__(self):
        # A new RNG per iteration: a seeded dataset repeats itself exactly.
        rng = np.random.default_rng(self.seed)
        quota = None if self.probabilities is None else labels_lib.LabelQuota(self.probabilities, rng)
        index = 0
        while self.num_batches is None or index < self.num_batches:
            labels = None if quota is None else quota.next(self.batch_size)
            images = self._sample(rng, labels)
            yield images if labels is None else (images, labels)
            index += 1

    def _sample(self, rng, labels):
        # 1. One generator call on the whole batch.
        images = self._generate(rng, self.batch_size, labels)
        if self.accept is None:
            return images
        # 2. Rejection: redraw the rejected slots, keeping their labels.
        images = np.array(images)
        kept = self._accepted(images, labels)
        for _ in range(self.max_rounds):
            if kept.all():
                return images
            slots = np.flatnonzero(~kept)
            slot_labels = None if labels is None else labels[slots]
            candidates = np.asarray(self._generate(rng, len(slots), slot_labels))
            ok = self._accepted(candidates, slot_labels)
            images[slots[ok]] = candidates[ok]
            kept[slots[ok]] = True
        if kept.all():
            return images
        starved = "" if labels is None else f" (classes {sorted(set(labels[~kept].tolist()))})"
        raise RuntimeError(
            f"`accept` still rejected {int((~kept).sum())} of {self.batch_size} samples{starved} after "
            f"{self.max_rounds} redraws. Expected an acceptance test that passes some samples of each "
            f"requested class. Received: max_rounds={self.max_rounds}"
        )

    def _generate(self, rng, n, labels):
        z = rng.standard_normal((n, self.sampler.latent_dim)).astype("float32")
        if self.truncation is not None:
            outside = np.abs(z) > self.truncation
            while outside.any():
                z[outside] = rng.standard_normal(int(outside.sum())).astype("float32")
                outside = np.abs(z) > self.truncation
        images = self.sampler(z, labels)
        return self._format(images)

    def _accepted(self, images, labels):
        kept = np.asarray(self.accept(images, labels), dtype=bool).reshape(-1)
        if kept.shape != (len(images),):
            raise ValueError(
                f"Expected `accept` to return one bool per sample ({len(images)}). "
                f"Received: an array of shape {kept.shape}"
            )
        return kept
