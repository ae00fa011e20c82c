"""Training on several devices and machines with TensorFlow's own strategies.

- One machine: `fit` under `MirroredStrategy` (several GPUs, or logical CPUs).
- Several machines: `MultiWorkerMirroredStrategy`, whose Keras 3 `fit` is
  broken (keras-team/keras#20585, tensorflow/tensorflow#72388), so
  `fit_workers` runs the model's own `train_step` (the same phases, losses and
  metrics) under `strategy.run`, epoch by epoch, with the same callbacks.

Every worker runs the same `kgan train` command with its own `TF_CONFIG`
(TensorFlow's convention). The batch size is the global batch: every worker
builds the same epoch-keyed sequence of global batches and takes its replicas'
slices of each, so the data order is the single-process order whatever the
number of workers, and each replica draws its own noise (the replica id is
folded into the seed). Learning rates are not scaled. Only the chief writes
the run folder; other workers write their (identical) checkpoints and logs to
temporary folders, as TensorFlow requires every worker to take part in a save.
A run whose worker died continues from the last checkpoint when the workers
are started again (the semantics of `keras.callbacks.BackupAndRestore`); the
checkpoint folder must be on storage every worker sees.
"""

import os
import shutil
import tempfile

import keras
import tensorflow as tf

from kgan.data import indexed
from kgan.data import order
from kgan.machine import cluster_size

from kgan.training.config import STRATEGIES


def resolve_strategy(name):
    """The strategy name `auto` stands for: multi_worker under a multi-worker TF_CONFIG,
    mirrored with several GPUs, else none."""
    if name not in STRATEGIES:
        raise ValueError(f"Expected `strategy` to be one of {STRATEGIES}. Received: strategy={name!r}")
    if name != "auto":
        return name
    if cluster_size() > 1:
        return "multi_worker"
    return "mirrored" if len(tf.config.list_logical_devices("GPU")) > 1 else "none"


def make_strategy(name):
    """The `tf.distribute.Strategy` for a resolved name (the default strategy for "none")."""
    if name == "multi_worker":
        if cluster_size() < 2:
            raise ValueError(
                "Expected TF_CONFIG to declare at least two workers for --strategy multi_worker. "
                f"Received: TF_CONFIG={os.environ.get('TF_CONFIG')!r}"
            )
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def is_chief(strategy):
    """True for the worker that writes the run folder (the only one outside multi-worker runs)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return True
    kind, index = resolver.task_type, resolver.task_id
    return kind == "chief" or (kind in (None, "worker") and index == 0 and "chief" not in resolver.cluster_spec().jobs)


def worker_directory(directory, strategy):
    """`directory` for the chief; a temporary folder for other workers."""
    if is_chief(strategy):
        return directory
    return tempfile.mkdtemp(prefix=f"kgan-worker{strategy.cluster_resolver.task_id}-")


def global_batches(examples, global_batch_size, seed, epoch, strategy):
    """One epoch of `examples` for `strategy.run`: each replica gets its slice of each global batch.

    The order is cut into global batches of indices and each worker fetches
    only its replicas' slices, so streamed files are read by one worker each.
    """
    replicas = strategy.num_replicas_in_sync
    if global_batch_size % replicas:
        raise ValueError(
            f"Expected a batch size divisible by the {replicas} replicas (the batch is the global batch). "
            f"Received: batch_size={global_batch_size}"
        )
    per_replica = global_batch_size // replicas
    source = indexed.from_arrays(examples)

    def dataset_fn(context):
        local = replicas // context.num_input_pipelines
        first = context.input_pipeline_id * local
        if isinstance(source, indexed.Records):
            # No random access: every worker reads the epoch and keeps its replicas' slices.
            batches = source.epoch_batches(seed, epoch, global_batch_size)
            return batches.flat_map(lambda *batch: _replica_slices(batch, first, local, per_replica))
        permutation = order.order_of(source.num_examples, seed, epoch)
        index_batches = tf.data.Dataset.from_tensor_slices(permutation).batch(global_batch_size, drop_remainder=True)

        def slices(indices):
            # This pipeline's replicas' slices, in replica order (fed to them round-robin).
            parts = [indices[r * per_replica : (r + 1) * per_replica] for r in range(first, first + local)]
            return tf.data.Dataset.from_tensor_slices(tf.stack(parts))

        replica_indices = index_batches.flat_map(slices)
        return replica_indices.map(source.fetch_batch, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)

    options = tf.distribute.InputOptions(experimental_fetch_to_device=False)
    return strategy.distribute_datasets_from_function(dataset_fn, options=options)


def _replica_slices(batch, first, local, per_replica):
    batch = batch[0] if len(batch) == 1 else batch
    parts = tf.nest.map_structure(
        lambda t: tf.stack([t[r * per_replica : (r + 1) * per_replica] for r in range(first, first + local)]), batch
    )
    return tf.data.Dataset.from_tensor_slices(parts)


def fit_workers(model, strategy, examples, batch_size, seed, epochs, initial_epoch, callbacks, verbose=0):
    """`model.fit` for `MultiWorkerMirroredStrategy`: the model's `train_step` under `strategy.run`.

    Args:
        model: a compiled kgan model built in `strategy.scope()`.
        examples: the training examples (as for `kgan.data.stream.epoch_keyed`).
        batch_size: the global batch size.
        callbacks: Keras callbacks, called as `fit` calls them.

    Returns:
        A `keras.callbacks.History`.
    """
    history = keras.callbacks.History()
    callback_list = keras.callbacks.CallbackList(
        [*callbacks, history], add_history=False, add_progbar=bool(verbose), model=model,
        verbose=verbose, epochs=epochs, steps=None,
    )

    @tf.function
    def step(batch):
        strategy.run(model.train_step, args=(batch,))

    callback_list.on_train_begin()
    logs = {}
    for epoch in range(initial_epoch, epochs):
        model.reset_metrics()
        callback_list.on_epoch_begin(epoch)
        for index, batch in enumerate(global_batches(examples, batch_size, seed, epoch, strategy)):
            callback_list.on_train_batch_begin(index)
            step(batch)
            callback_list.on_train_batch_end(index)
        logs = {name: float(value) for name, value in model.logs().items()}
        callback_list.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    callback_list.on_train_end(logs)
    return history


def remove_worker_directory(directory, strategy):
    """Deletes a non-chief worker's temporary folder (written only so the save could run)."""
    if not is_chief(strategy) and directory and os.path.isdir(directory):
        shutil.rmtree(directory, ignore_errors=True)
