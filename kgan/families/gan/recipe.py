"""What `kgan train --family gan` loads, builds and previews.

Every family's recipe module has the same functions, which `kgan.training`
calls: `data_info`, `resolve`, `run_name`, `build`, `load_data` and
`preview_options`.
"""

import dataclasses

import keras

from kgan import data
from kgan.base import penalties
from kgan.families.gan.config import DEFAULTS
from kgan.families.gan.model import GAN
from kgan.models import presets


def data_info(train):
    """The training split's `kgan.data.DatasetInfo`."""
    return data.info(train.dataset, split=train.split, data_dir=train.data_dir, download=train.download)


def resolve(train, info):
    """Fills the family settings left `None` from the data and the preset."""
    config = train.model
    image_size = config.image_size
    if image_size is None:
        image_size = DEFAULTS["digits_image_size"] if train.dataset == "digits" else info.image_shape[0]
    conditional = info.num_classes is not None if config.conditional is None else config.conditional
    if conditional and info.num_classes is None:
        raise ValueError(
            f"Expected a labelled dataset for a conditional GAN. Received: dataset={train.dataset!r} without labels"
        )
    return dataclasses.replace(
        config,
        image_size=image_size,
        channels=config.channels or info.image_shape[-1],
        conditional=conditional,
        num_classes=info.num_classes if conditional else None,
        latent_dim=config.latent_dim or presets.get_preset(config.preset).latent_dim,
    )


def run_name(train):
    return f"{train.model.preset}-{data.display_name(train.dataset)}"


def build(train):
    """Builds and compiles the `kgan.GAN` a resolved config describes."""
    config = train.model
    # Gradient penalties need per-example gradients, which batch norm in D
    # mixes across the batch (Gulrajani et al. 2017): use layer norm there.
    d_kwargs = {}
    penalised = config.r1_weight or config.gp_weight or (config.loss == "wasserstein" and config.gp_weight is None)
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
        ema_half_life=config.ema_half_life,
        seed=train.seed,
        r1_interval=config.r1_interval,
        augment=config.augmentation(),
        reuse_fakes=config.reuse_fakes,
    )
    d_rate, d_beta_1, d_beta_2 = config.d_learning_rate, config.beta_1, 0.999
    if config.r1_interval > 1:  # StyleGAN2's Adam adjustment for lazy regularisation
        d_rate, d_beta_1, d_beta_2 = penalties.lazy_adam(d_rate, d_beta_1, d_beta_2, config.r1_interval)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(d_rate, beta_1=d_beta_1, beta_2=d_beta_2),
        g_optimizer=keras.optimizers.Adam(config.g_learning_rate, beta_1=config.beta_1),
        jit_compile=train.jit_compile,
        steps_per_execution=train.steps_per_execution,
    )
    return gan


def load_data(train):
    """The training examples (`images` or `(images, labels)`), in memory or streamed; no preview examples."""
    config = train.model
    examples, _ = data.training_examples(
        train.dataset,
        split=train.split,
        image_size=config.image_size,
        channels=config.channels,
        labels=config.conditional,
        stream=train.stream,
        data_dir=train.data_dir,
        download=train.download,
    )
    return examples, None


def preview_options(train):
    """`SampleGrid` options: tiles of about 64 px."""
    return {"scale": max(1, 64 // train.model.image_size)}

