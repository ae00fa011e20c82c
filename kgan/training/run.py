"""A full training run of any family: data, model, callbacks, fit, save and export.

The family supplies a recipe (`kgan.families.<name>.recipe`): how to read the
data and fill its settings from it, how to build the compiled model, and
which examples to preview. Everything else is the same for every family.
"""

import dataclasses
import datetime
import os

import keras
import tensorflow as tf

from kgan import atomic
from kgan import callbacks
from kgan import families
from kgan import precision
from kgan.data import stream
from kgan.training import distributed
from kgan.training import runs
from kgan.training.config import TrainConfig


def resolve(config):
    """Fills the config's `None` fields from the family's defaults and the data.

    `precision="auto"` becomes the policy it picks on this machine
    (`TrainConfig.resolve_precision`), so that config.json names it.
    """
    config = config.validate()
    defaults = config.defaults()
    config = dataclasses.replace(
        config,
        dataset=_absolute_if_path(config.dataset or defaults["dataset"]),
        epochs=config.epochs or defaults["epochs"],
        batch_size=config.batch_size or defaults["batch_size"],
        precision=config.resolve_precision()[0],
    ).validate()
    recipe = families.recipe(config.family)
    config = dataclasses.replace(config, model=recipe.resolve(config, recipe.data_info(config)))
    if config.run_dir is None:
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        config = dataclasses.replace(config, run_dir=os.path.join("runs", f"{recipe.run_name(config)}-{stamp}"))
    return config.validate()


def _absolute_if_path(dataset):
    # config.json must name the same data when `--resume` runs from another
    # working directory. Names ("digits", TFDS names) take precedence over
    # paths in kgan.data, so they stay as they are.
    from kgan.data import digits
    from kgan.data import tfds_source

    if dataset == digits.NAME or tfds_source.dataset_name(dataset) is not None:
        return dataset
    return os.path.abspath(dataset) if os.path.exists(dataset) else dataset


def build(config, strategy=None):
    """Seeds the process and builds the compiled model a resolved config describes.

    The model is built in the scope of the run's `tf.distribute` strategy
    (`config.strategy`, see `kgan.training.distributed`; made here when not
    given); `model.distribute_strategy` is that strategy. Its networks are
    built under the run's dtype policy (`config.precision`); Keras' global
    policy is the caller's again on return.
    """
    strategy = strategy or distributed.make_strategy(distributed.resolve_strategy(config.strategy))
    keras.utils.set_random_seed(config.seed)
    if config.deterministic:
        # Process-wide, like the seed: some kernels (e.g. threaded
        # reductions) otherwise differ from run to run in the last bit.
        tf.config.experimental.enable_op_determinism()
    # Keras reads the policy when a layer is constructed (and get_optimizer
    # when it wraps for loss scaling), and each layer keeps it.
    with precision.policy(config.resolve_precision()[0]), strategy.scope():
        return families.recipe(config.family).build(config)


def train(config, verbose="auto", extra_callbacks=()):
    """Runs `kgan train`: returns `(model, run_dir)`.

    Writes config.json first, then sample grids, checkpoints, TensorBoard
    logs and history.csv every epoch, then model.keras, then (when
    `config.export`) the exported model.
    """
    multi_worker = distributed.resolve_strategy(config.strategy) == "multi_worker"
    if multi_worker and config.run_dir is None:
        raise ValueError(
            "Expected --out with several workers: every worker runs the same command and must name the "
            "same run folder (the default name holds the time). Received: no --out"
        )
    # A multi-worker strategy must exist before TensorFlow runs any op.
    strategy = distributed.make_strategy(distributed.resolve_strategy(config.strategy))
    config = resolve(config)
    if runs.is_run_dir(config.run_dir):
        if multi_worker:
            # Workers started again after a failure continue from the last
            # checkpoint (keras.callbacks.BackupAndRestore's semantics).
            return resume(config.run_dir, verbose, extra_callbacks, strategy=strategy)
        raise FileExistsError(
            f"Expected a new run directory. Received: {config.run_dir!r}, which holds a run; "
            "resume it with `kgan train --resume` or choose another --out"
        )
    # Build before writing config.json: a setting the models reject must not
    # leave behind a run directory that blocks the corrected command.
    model = build(config, strategy)
    examples, preview = families.recipe(config.family).load_data(config)
    if distributed.is_chief(model.distribute_strategy):
        os.makedirs(config.run_dir, exist_ok=True)
        runs.write_json(os.path.join(config.run_dir, runs.CONFIG), dataclasses.asdict(config))
    return _fit(model, config, examples, preview, 0, verbose, extra_callbacks), config.run_dir


def read_config(run_dir):
    """The run's `TrainConfig`, checked."""
    values = runs.read_config(run_dir)
    # Runs written before the setting existed trained in float32.
    values.setdefault("precision", "float32")
    return TrainConfig.from_dict(values).validate()


def restore(run_dir, strategy=None):
    """Rebuilds a run's model from config.json and its latest checkpoint.

    Returns:
        `(model, finished_epochs)`.
    """
    model = build(read_config(run_dir), strategy)
    epoch = callbacks.restore_latest(model, os.path.join(run_dir, runs.CHECKPOINTS))
    return model, epoch


def resume(run_dir, verbose="auto", extra_callbacks=(), epochs=None, strategy=None):
    """Continues an interrupted run where its last checkpoint stopped.

    Args:
        run_dir: the run directory.
        epochs: a new total number of epochs, to extend a run (at least the
            epochs already finished); None keeps the run's own.
    """
    config = read_config(run_dir)
    strategy = strategy or distributed.make_strategy(distributed.resolve_strategy(config.strategy))
    # Write where the run is now: config.json's run_dir may be relative to
    # another working directory, or the run may have been moved.
    config = dataclasses.replace(config, run_dir=run_dir)
    model, epoch = restore(run_dir, strategy)
    if epochs is not None and epochs != config.epochs:
        if epochs < epoch:
            raise ValueError(
                f"Expected --epochs >= the {epoch} epochs this run has finished. Received: epochs={epochs}"
            )
        config = dataclasses.replace(config, epochs=epochs).validate()
        if distributed.is_chief(strategy):
            stored = {**runs.read_config(run_dir), **{"epochs": epochs}}
            runs.write_json(os.path.join(run_dir, runs.CONFIG), stored)
    examples, preview = families.recipe(config.family).load_data(config)
    return _fit(model, config, examples, preview, epoch, verbose, extra_callbacks), run_dir


def _fit(model, config, examples, preview, initial_epoch, verbose, extra_callbacks):
    run_dir = config.run_dir
    strategy = model.distribute_strategy
    chief = distributed.is_chief(strategy)
    # Every worker writes checkpoints and logs (a save is collective); only the chief's are kept.
    write_dir = distributed.worker_directory(run_dir, strategy)
    if initial_epoch < config.epochs:
        if chief:  # rows written after the last checkpoint are trained again: drop them
            runs.truncate_history(run_dir, initial_epoch)
        callbacks = [*_callbacks(config, preview, write_dir), *extra_callbacks]
        # Anything a family or callback constructs while training takes the run's policy too.
        with precision.policy(config.resolve_precision()[0]):
            _fit_epochs(model, config, examples, initial_epoch, callbacks, verbose if chief else 0)
    distributed.remove_worker_directory(write_dir, strategy)
    if not chief:
        return model
    atomic.save_model(model, os.path.join(run_dir, runs.MODEL))
    if config.export and not any(record["epoch"] == config.epochs for record in runs.exports(run_dir)):
        for path in _export(model, config):
            runs.record_export(run_dir, config.epochs, path)
    return model


def _fit_epochs(model, config, examples, initial_epoch, callbacks, verbose):
    if isinstance(model.distribute_strategy, tf.distribute.MultiWorkerMirroredStrategy):
        distributed.fit_workers(
            model, model.distribute_strategy, examples, config.batch_size, config.seed, config.epochs,
            initial_epoch, callbacks, verbose=verbose,
        )
        return
    dataset, epoch = stream.epoch_keyed(examples, config.batch_size, config.seed, initial_epoch)
    model.fit(
        dataset,
        epochs=config.epochs,
        initial_epoch=initial_epoch,
        shuffle=False,  # the stream is already shuffled per (seed, epoch)
        verbose=verbose,
        callbacks=[stream.EpochSync(epoch), *callbacks],
    )


def _callbacks(config, preview, run_dir):
    tensorboard_dir = os.path.join(run_dir, runs.TENSORBOARD)
    options = families.recipe(config.family).preview_options(config)
    return [
        callbacks.SampleGrid(
            os.path.join(run_dir, runs.SAMPLES),
            every_n_epochs=config.sample_every,
            seed=config.seed,
            tensorboard_dir=tensorboard_dir,
            examples=preview,
            **options,
        ),
        callbacks.FullStateCheckpoint(os.path.join(run_dir, runs.CHECKPOINTS), config.checkpoint_every),
        keras.callbacks.CSVLogger(os.path.join(run_dir, runs.HISTORY), append=True),
        callbacks.ScalarLog(tensorboard_dir),
    ]


def export_name(config):
    """The exported model's name: `export_name`, else the run folder's name."""
    return config.export_name or os.path.basename(os.path.normpath(config.run_dir))


def _export(model, config):
    """Exports every part of the model (`NAME`, or `NAME-PART` for each of several); returns the paths."""
    from kgan import export

    paths = []
    for part in model.export_parts():
        paths.append(
            export.export_model(
                model,
                out=config.export_dir,
                name=export_name(config) + (f"-{part}" if part else ""),
                source=os.path.abspath(config.run_dir),
                card_extra=runs.run_details(config.run_dir),
                part=part,
            )
        )
    return paths

