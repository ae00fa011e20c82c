"""`TrainConfig`: every setting of a `kgan train` run, saved as config.json.

Settings every family shares live here; a family's own settings live in its
`Config` (`kgan.families.<name>.config`), held in `TrainConfig.model`. The
fields carry their command-line flags (`kgan.settings.setting`), from which
`kgan train` builds its options.
"""

import dataclasses
import json

from kgan import checks
from kgan import families
from kgan import precision as precision_lib
from kgan.settings import from_values
from kgan.settings import setting

JIT = {"auto": "auto", "on": True, "off": False}
STRATEGIES = ("auto", "none", "mirrored", "multi_worker")


@dataclasses.dataclass
class TrainConfig:
    """The configuration of a training run.

    `None` fields are resolved from the family's defaults and the data by
    `kgan.training.resolve`, and `precision="auto"` to a policy; the resolved
    config is what `config.json` holds, so a run can be resumed or reproduced
    from it.
    """

    family: str = setting("gan", "GAN family: " + ", ".join(families.NAMES))
    dataset: str | None = setting(
        None, "'digits' (embedded), a .npz file, an image folder, or a TFDS name (default: the family's)"
    )
    split: str = setting("train", "dataset split")
    data_dir: str | None = setting(None, "TFDS data_dir")
    download: bool = setting(False, "allow TFDS to download the dataset (needs the network)")
    stream: str = setting(
        "auto", "read the data from disk every epoch instead of holding it in memory: auto = for image "
        "folders and TFRecord copies (kgan data convert)", choices=("auto", "on", "off"),
    )
    epochs: int | None = setting(None, "epochs (default: the family's)")
    batch_size: int | None = setting(None, "examples per batch (default: the family's)")
    seed: int = setting(0, "seed of weights, noise and data order")
    jit_compile: str | bool = setting("auto", "XLA: auto = on GPU only", flag="--jit", parse=JIT)
    # Resolved by `kgan.training.resolve` and stored concrete in config.json,
    # so a resumed run trains in the precision it started in, on any machine.
    precision: str = setting(
        "auto", "Keras dtype policy of the networks: auto = mixed_float16 on a GPU of compute capability >= 7.0, "
        "else mixed_bfloat16 on a CPU with native bfloat16, for families measured to keep their quality in it "
        "(gan); float32 otherwise", choices=precision_lib.POLICIES,
    )
    # Several train steps per tf.function call: the per-call overhead (~1 ms
    # on a CPU) dominates small GANs' steps (tools/bench_train.py).
    steps_per_execution: int = setting(8, "train steps per compiled call (fewer Python round trips)")
    strategy: str = setting(
        "auto", "tf.distribute strategy: auto = multi_worker under a multi-worker TF_CONFIG, mirrored with "
        "several GPUs, else none", choices=STRATEGIES,
    )
    # Deterministic TensorFlow kernels: needed for a resumed run to equal the
    # uninterrupted one bit for bit (without it they agree to ~1 ulp).
    deterministic: bool = setting(
        False, "deterministic TF kernels: a resumed run then equals the uninterrupted one bit for bit"
    )
    sample_every: int = setting(1, "write a sample grid every N epochs")
    checkpoint_every: int = setting(1, "write a full-state checkpoint every N epochs")
    export: bool = setting(True, "export the model at the end", negative="--no-export")
    export_dir: str = setting("saved_models", "export root")
    export_name: str | None = setting(None, "exported model name (default: the run folder's name)")
    run_dir: str | None = setting(None, "run directory (default: runs/NAME-DATASET-TIME)", flag="--out")
    model: object = setting(None, "the family's settings", cli=False)

    def __post_init__(self):
        families.check_name(self.family)
        if self.model is None:
            self.model = families.config_module(self.family).Config()
        elif isinstance(self.model, dict):
            self.model = from_values(families.config_module(self.family).Config, self.model, f"{self.family} config")

    def validate(self):
        """Raises ValueError naming the first bad field; returns self."""
        for name in ("epochs", "batch_size"):
            checks.positive_int(name, getattr(self, name), allow_none=True)
        for name in ("sample_every", "checkpoint_every", "steps_per_execution"):
            checks.positive_int(name, getattr(self, name))
        checks.integer("seed", self.seed, minimum=0)
        if self.seed >= 2**32:
            raise ValueError(f"Expected `seed` to be an integer in [0, 2**32). Received: seed={self.seed!r}")
        checks.one_of("strategy", self.strategy, STRATEGIES)
        checks.one_of("precision", self.precision, precision_lib.POLICIES)
        if not (self.jit_compile == "auto" or isinstance(self.jit_compile, bool)):
            raise ValueError(f'Expected `jit_compile` to be "auto", True or False. Received: jit_compile={self.jit_compile!r}')
        self.model.validate(self)
        return self

    def defaults(self):
        """The family's defaults for `dataset`, `epochs` and `batch_size` (and `reduced_precision`)."""
        return families.config_module(self.family).DEFAULTS

    def resolve_precision(self, **machine):
        """`(policy, reason)`: the dtype policy `precision` gives this run's family here.

        `"auto"` picks a reduced precision only for a family whose `DEFAULTS`
        set `"reduced_precision": True`; `machine` overrides what
        `kgan.precision.resolve` detects (`gpu_capabilities`, `cpu_flags`).
        """
        opts_in = bool(self.defaults().get("reduced_precision", False))
        return precision_lib.resolve(self.precision, opts_in, family=self.family, **machine)

    def to_json(self):
        return json.dumps(dataclasses.asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, values):
        """Reads a config dict: nested (`"model": {...}`) or flat (kgan 0.1's config.json).

        In a flat dict, keys that are not `TrainConfig` fields are the family's.
        """
        values = dict(values)
        common = {f.name for f in dataclasses.fields(cls)}
        if "model" not in values:
            family = values.get("family", "gan")
            values["model"] = {k: values.pop(k) for k in list(values) if k not in common}
            if "ema_decay" in values["model"]:  # kgan 0.1 had no ema_half_life
                values["model"].setdefault("ema_half_life", None)
            known = common | {f.name for f in dataclasses.fields(families.config_module(family).Config)}
            unknown = sorted(set(values["model"]) - known)
            if unknown:
                raise ValueError(f"Unknown config keys {unknown}. Expected keys among {sorted(known - {'model'})}")
        return from_values(cls, values, "config")

    @classmethod
    def from_json_file(cls, path):
        with open(path) as f:
            try:
                values = json.load(f)
            except json.JSONDecodeError as e:
                raise ValueError(f"Expected a JSON config file at {path}. Received invalid JSON: {e}") from e
        return cls.from_dict(values)


def with_model(config, **changes):
    """A copy of `config` whose family settings take `changes`."""
    return dataclasses.replace(config, model=dataclasses.replace(config.model, **changes))
