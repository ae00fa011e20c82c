"""A full training run: data, models, callbacks, fit, save and export."""

import dataclasses
import datetime
import os

import keras
import tensorflow as tf

from kgan import atomic
from kgan import callbacks
from kgan import data
from kgan import runs
from kgan.families.gan import GAN
from kgan.models import presets
from kgan.training.config import TrainConfig
from kgan.data import stream

# The embedded digits are 8x8; the default run upsamples them to 16x16 so the
# DCGAN has two resolutions to work with and the grids are legible.
DIGITS_IMAGE_SIZE = 16


def resolve(config, info):
    """Fills the config's `None` fields from the dataset info and preset."""
    values = dataclasses.asdict(config)
    values["dataset"] = _absolute_if_path(config.dataset)
    if values["image_size"] is None:
        native = info.image_shape[0]
        values["image_size"] = DIGITS_IMAGE_SIZE if config.dataset == "digits" else native
    values["channels"] = values["channels"] or info.image_shape[-1]
    if values["conditional"] is None:
        values["conditional"] = info.num_classes is not None
    if values["conditional"] and info.num_classes is None:
        raise ValueError(
            f"Expected a labelled dataset for a conditional GAN. Received: dataset={config.dataset!r} without labels"
        )
    values["num_classes"] = info.num_classes if values["conditional"] else None
    values["latent_dim"] = values["latent_dim"] or presets.get_preset(config.preset).latent_dim
    if values["run_dir"] is None:
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        values["run_dir"] = os.path.join("runs", f"{config.preset}-{config.dataset}-{stamp}")
    return TrainConfig(**values).validate()


def _absolute_if_path(dataset):
    # config.json must name the same data when `--resume` runs from another
    # working directory. Names ("digits", TFDS names) take precedence over
    # paths in kgan.data, so they stay as they are.
    from kgan.data import digits
    from kgan.data import tfds_source

    if dataset == digits.NAME or tfds_source.dataset_name(dataset) is not None:
        return dataset
    return os.path.abspath(dataset) if os.path.exists(dataset) else dataset


def build_gan(config):
    """Builds and compiles the GAN a resolved config describes."""
    keras.utils.set_random_seed(config.seed)
    if config.deterministic:
        # Process-wide, like the seed: some kernels (e.g. threaded
        # reductions) otherwise differ from run to run in the last bit.
        tf.config.experimental.enable_op_determinism()
    # Gradient penalties need per-example gradients, which batch norm in D
    # mixes across the batch (Gulrajani et al. 2017): use layer norm there.
    d_kwargs = {}
    penalised = config.gp_weight or config.r1_weight or (config.loss == "wasserstein" and config.gp_weight is None)
    if presets.get_preset(config.preset).family == "dcgan" and penalised:
        d_kwargs["normalization"] = "layer"
    g, d = presets.build(
        config.preset, config.image_size, config.channels, config.num_classes, config.latent_dim, **d_kwargs
    )
    gan = GAN(
        g,
        d,
        config.latent_dim,
        loss=config.loss,
        d_steps=config.d_steps,
        gp_weight=config.gp_weight,
        r1_weight=config.r1_weight,
        label_smoothing=config.label_smoothing,
        num_classes=config.num_classes,
        ema_decay=config.ema_decay,
        seed=config.seed,
    )
    gan.compile(
        d_optimizer=keras.optimizers.Adam(config.d_learning_rate, beta_1=config.beta_1),
        g_optimizer=keras.optimizers.Adam(config.g_learning_rate, beta_1=config.beta_1),
        jit_compile=config.jit_compile,
        steps_per_execution=config.steps_per_execution,
    )
    return gan


def load_training_data(config):
    x, y, _ = data.load_arrays(
        config.dataset,
        split=config.split,
        image_size=config.image_size,
        channels=config.channels,
        data_dir=config.data_dir,
        download=config.download,
    )
    return x, y


def train(config, verbose="auto", extra_callbacks=()):
    """Runs `kgan train`: returns `(gan, run_dir)`.

    Writes config.json first, then sample grids, checkpoints and
    history.csv every epoch, then model.keras, then (when `config.export`)
    the exported generator.
    """
    config = config.validate()
    info = data.info(config.dataset, split=config.split, data_dir=config.data_dir, download=config.download)
    config = resolve(config, info)
    if runs.is_run_dir(config.run_dir):
        raise FileExistsError(
            f"Expected a new run directory. Received: {config.run_dir!r}, which holds a run; "
            "resume it with `kgan train --resume` or choose another --out"
        )
    # Build before writing config.json: a setting the models reject must not
    # leave behind a run directory that blocks the corrected command.
    gan = build_gan(config)
    x, y = load_training_data(config)
    os.makedirs(config.run_dir, exist_ok=True)
    runs.write_json(os.path.join(config.run_dir, runs.CONFIG), dataclasses.asdict(config))
    return _fit(gan, config, x, y, 0, verbose, extra_callbacks), config.run_dir


def restore(run_dir):
    """Rebuilds a run's GAN from config.json and its latest checkpoint.

    Returns:
        `(gan, finished_epochs)`.
    """
    config = TrainConfig.from_dict(runs.read_config(run_dir)).validate()
    gan = build_gan(config)
    epoch = callbacks.restore_latest(gan, os.path.join(run_dir, runs.CHECKPOINTS))
    return gan, epoch


def resume(run_dir, verbose="auto", extra_callbacks=()):
    """Continues an interrupted run where its last checkpoint stopped."""
    config = TrainConfig.from_dict(runs.read_config(run_dir)).validate()
    # Write where the run is now: config.json's run_dir may be relative to
    # another working directory, or the run may have been moved.
    config = dataclasses.replace(config, run_dir=run_dir)
    x, y = load_training_data(config)
    gan, epoch = restore(run_dir)
    return _fit(gan, config, x, y, epoch, verbose, extra_callbacks), run_dir


def _fit(gan, config, x, y, initial_epoch, verbose, extra_callbacks):
    run_dir = config.run_dir
    if initial_epoch < config.epochs:
        examples = (x, y) if config.conditional else x
        dataset, epoch = stream.epoch_keyed(examples, config.batch_size, config.seed, initial_epoch)
        gan.fit(
            dataset,
            epochs=config.epochs,
            initial_epoch=initial_epoch,
            shuffle=False,  # the stream is already shuffled per (seed, epoch)
            verbose=verbose,
            callbacks=[stream.EpochSync(epoch), *_callbacks(config), *extra_callbacks],
        )
    atomic.save_model(gan, os.path.join(run_dir, runs.MODEL))
    if config.export:
        _export(run_dir, config)
    return gan


def _callbacks(config):
    run_dir = config.run_dir
    scale = max(1, 64 // config.image_size)
    return [
        callbacks.SampleGrid(
            os.path.join(run_dir, runs.SAMPLES), every_n_epochs=config.sample_every, seed=config.seed, scale=scale
        ),
        callbacks.FullStateCheckpoint(os.path.join(run_dir, runs.CHECKPOINTS), config.checkpoint_every),
        keras.callbacks.CSVLogger(os.path.join(run_dir, runs.HISTORY), append=True),
    ]



def export_name(config):
    """The exported model's name: `export_name`, else the run folder's name."""
    return config.export_name or os.path.basename(os.path.normpath(config.run_dir))


def _export(run_dir, config):
    from kgan import export

    return export.export(run_dir, out=config.export_dir, name=export_name(config))
