"""Loading a trained model, or a sampler, from a run directory, a `.keras` file or an export."""

import os

from kgan.training import run
from kgan.training import runs


def load_model(src):
    """Loads a kgan model from a run directory or a `.keras` file.

    A run that has not finished (no model.keras yet) is rebuilt from its
    config and its latest checkpoint.
    """
    import keras

    src = os.fspath(src)
    if os.path.isfile(src) and src.endswith(".keras"):
        return keras.models.load_model(src)
    if not runs.is_run_dir(src):
        raise FileNotFoundError(
            f"Expected a kgan run directory (with {runs.CONFIG}) or a .keras file. Received: {src!r}"
        )
    model_path = os.path.join(src, runs.MODEL)
    if os.path.isfile(model_path):
        return keras.models.load_model(model_path)
    model, epoch = run.restore(src)
    if epoch == 0:
        raise FileNotFoundError(
            f"Expected a run with {runs.MODEL} or a checkpoint to load. Received: {src!r}, "
            "which has neither (its first epoch has not finished)"
        )
    return model


class ModelSampler:
    """Gives a noise-to-image kgan model the interface of `kgan.inference` models.

    `sampler(z, labels) -> images` and `generate(n, labels=None, seed=None)`,
    with `spec`, `latent_dim`, `num_classes` and `image_shape`.
    """

    def __init__(self, model):
        self.model = model
        self.spec = model.export_spec()
        if self.spec.task != "generate":
            raise ValueError(
                "Expected a model that generates images from noise (task 'generate'). "
                f"Received: a {type(model).__name__} with task {self.spec.task!r}"
            )
        self.latent_dim = self.spec.latent_dim
        self.num_classes = self.spec.num_classes
        self.image_shape = self.spec.image_shape

    def generate(self, n, labels=None, seed=None):
        return self.model.generate(n, labels=labels, seed=seed)

    def __call__(self, z, labels=None):
        import keras

        inputs = z if labels is None else [z, labels]
        return keras.ops.convert_to_numpy(self.model.export_network().predict_on_batch(inputs))


def load_sampler(src):
    """Returns `sampler(z, labels=None) -> float images` with `latent_dim`, `num_classes`.

    `src` is a run directory or `.keras` file (the model's exported network),
    or an export (`kgan.inference.load`): a model folder (`saved_models/NAME`,
    its latest version), a version folder or an `.onnx` file.
    """
    from kgan.inference import layout

    src = os.fspath(src)
    exported = src.endswith(".onnx") or layout.is_version_dir(src)
    if exported or (not runs.is_run_dir(src) and layout.list_versions(src)):
        from kgan import inference

        return inference.load(src)
    return ModelSampler(load_model(src))
