"""The run directory written by `kgan train`, and loading models from it.

```
RUN/
  config.json        the resolved TrainConfig
  samples/           epoch_0001.png, ... (SampleGrid)
  checkpoints/       full training state (FullStateCheckpoint)
  history.csv        per-epoch logs (keras.callbacks.CSVLogger)
  model.keras        the trained GAN, written at the end
```
"""

import json
import os

CONFIG = "config.json"
MODEL = "model.keras"
SAMPLES = "samples"
CHECKPOINTS = "checkpoints"
HISTORY = "history.csv"


def is_run_dir(path):
    return os.path.isdir(path) and os.path.isfile(os.path.join(path, CONFIG))


def read_config(run_dir):
    """Returns the run's config.json as a dict."""
    path = os.path.join(run_dir, CONFIG)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"Expected a kgan run directory holding {CONFIG}. Received: {run_dir!r} (no {CONFIG})"
        )
    with open(path) as f:
        return json.load(f)


def write_json(path, values):
    """Writes `values` as JSON atomically (temp file, then rename)."""
    from kgan import atomic

    return atomic.write_json(path, values, sort_keys=True)


def load_gan(src):
    """Loads a `kgan.GAN` from a run directory or a `.keras` file.

    A run that has not finished (no model.keras yet) is rebuilt from its
    config and its latest checkpoint.
    """
    import keras

    import kgan.families  # noqa: F401  (registers the model classes for deserialization)

    if os.path.isfile(src) and src.endswith(".keras"):
        return keras.models.load_model(src)
    if not is_run_dir(src):
        raise FileNotFoundError(
            f"Expected a kgan run directory (with {CONFIG}) or a .keras file. Received: {src!r}"
        )
    model_path = os.path.join(src, MODEL)
    if os.path.isfile(model_path):
        return keras.models.load_model(model_path)
    from kgan.training import run

    gan, epoch = run.restore(src)
    if epoch == 0:
        raise FileNotFoundError(
            f"Expected a run with {MODEL} or a checkpoint to load. Received: {src!r}, "
            "which has neither (its first epoch has not finished)"
        )
    return gan


class _GANSampler:
    """Gives a GAN the interface of `kgan.inference` models.

    `sampler(z, labels) -> images` and `generate(n, labels=None, seed=None)`,
    with `latent_dim`, `num_classes` and `image_shape`.
    """

    def __init__(self, gan):
        self.gan = gan
        self.latent_dim = gan.latent_dim
        self.num_classes = gan.num_classes
        self.image_shape = gan.image_shape

    def generate(self, n, labels=None, seed=None):
        return self.gan.generate(n, labels=labels, seed=seed)

    def __call__(self, z, labels=None):
        import keras

        inputs = z if labels is None else [z, labels]
        return keras.ops.convert_to_numpy(self.gan.sampling_network("generator").predict_on_batch(inputs))


def load_sampler(src):
    """Returns `sampler(z, labels=None) -> float images` with `latent_dim`, `num_classes`.

    `src` is a run directory or `.keras` file (the GAN's sampling
    generator), or an exported SavedModel folder or `.onnx` file
    (`kgan.inference.load`).
    """
    exported = src.endswith(".onnx") or os.path.isfile(os.path.join(src, "saved_model.pb"))
    if exported:
        from kgan import inference

        return inference.load(src)
    return _GANSampler(load_gan(src))
