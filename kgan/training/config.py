"""`TrainConfig`: every setting of a `kgan train` run, saved as config.json."""

import dataclasses
import json


@dataclasses.dataclass
class TrainConfig:
    """The resolved configuration of a training run.

    `None` fields are resolved from the data and the preset by
    `kgan.training.run.resolve`, and the resolved config is what
    `config.json` holds, so a run can be resumed or reproduced from it.
    """

    dataset: str = "digits"
    split: str = "train"
    data_dir: str | None = None
    download: bool = False
    preset: str = "dcgan_small"
    image_size: int | None = None
    channels: int | None = None
    conditional: bool | None = None  # None: conditional when the data has labels
    num_classes: int | None = None
    latent_dim: int | None = None
    loss: str = "non_saturating"
    d_steps: int = 1
    gp_weight: float | None = None
    r1_weight: float = 0.2  # R1 keeps D from overfitting 1.4k digits (diversity x2, see README)
    label_smoothing: float = 0.0
    ema_decay: float | None = 0.999
    epochs: int = 150
    batch_size: int = 64
    d_learning_rate: float = 2e-4
    g_learning_rate: float = 2e-4
    beta_1: float = 0.5
    seed: int = 0
    jit_compile: str | bool = "auto"
    # Several train steps per tf.function call: the per-call overhead (~1 ms
    # on a CPU) dominates small GANs' steps (tools/bench_train.py).
    steps_per_execution: int = 8
    # Deterministic TensorFlow kernels: needed for a resumed run to equal the
    # uninterrupted one bit for bit (without it they agree to ~1 ulp).
    deterministic: bool = False
    sample_every: int = 1
    checkpoint_every: int = 1
    export: bool = True
    export_dir: str = "saved_models"
    export_name: str | None = None
    run_dir: str | None = None

    def validate(self):
        """Raises ValueError naming the first bad field."""
        # Imported here so that `kgan --help` does not load TensorFlow.
        from kgan import losses
        from kgan.models import presets

        presets.get_preset(self.preset)
        losses.get(self.loss)
        positive = ("epochs", "batch_size", "d_steps", "sample_every", "checkpoint_every", "steps_per_execution")
        for name in positive:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Expected `{name}` to be a positive integer. Received: {name}={value!r}")
        for name in ("image_size", "latent_dim"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
                raise ValueError(
                    f"Expected `{name}` to be None (the default) or a positive integer. Received: {name}={value!r}"
                )
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or not 0 <= self.seed < 2**32:
            raise ValueError(f"Expected `seed` to be an integer in [0, 2**32). Received: seed={self.seed!r}")
        if self.ema_decay is not None and not 0.0 < self.ema_decay < 1.0:
            raise ValueError(f"Expected `ema_decay` to be None or in (0, 1). Received: ema_decay={self.ema_decay!r}")
        for name in ("d_learning_rate", "g_learning_rate"):
            if not getattr(self, name) > 0:
                raise ValueError(f"Expected `{name}` > 0. Received: {name}={getattr(self, name)!r}")
        if self.channels not in (None, 1, 3):
            raise ValueError(f"Expected `channels` to be 1 or 3. Received: channels={self.channels!r}")
        if self.batch_size % self.d_steps:
            raise ValueError(
                "Expected `batch_size` to be divisible by `d_steps` (each D step takes a slice). "
                f"Received: batch_size={self.batch_size}, d_steps={self.d_steps}"
            )
        return self

    def to_json(self):
        return json.dumps(dataclasses.asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, values):
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"Unknown config keys {unknown}. Expected keys among {sorted(known)}")
        return cls(**values)

    @classmethod
    def from_json_file(cls, path):
        with open(path) as f:
            try:
                values = json.load(f)
            except json.JSONDecodeError as e:
                raise ValueError(f"Expected a JSON config file at {path}. Received invalid JSON: {e}") from e
        return cls.from_dict(values)
