"""`export_model`, `export_network`, `export_generator` and `export`: one checked version folder per call.

Export takes a model or a network, never a path: load a run or a `.keras`
file first (`kgan.training.load_model(path)`), which also knows the run's
config and metrics to pass as `card_extra`.
"""

import os

import keras

from kgan import atomic
from kgan import specs
from kgan.base import AdversarialModel
from kgan.export import card as card_lib
from kgan.export import networks
from kgan.export import onnx_model
from kgan.export import parity
from kgan.export import precision
from kgan.export import saved_model
from kgan.export import staging
from kgan.export import triton
from kgan.inference import layout

DEFAULT_OUT = "saved_models"


def export_network(
    network,
    spec,
    out=DEFAULT_OUT,
    name=None,
    version=None,
    opset=onnx_model.DEFAULT_OPSET,
    float16=False,
    max_batch_size=triton.DEFAULT_MAX_BATCH_SIZE,
    source=None,
    weights=None,
    command=None,
    card_extra=None,
):
    """Exports a Keras network described by `spec` to `out/NAME/VERSION/` and checks it.

    Writes the SavedModel (signatures `serving_default`, the spec's task and,
    with a noise input, `sample`), `model.onnx` (optionally `model_fp16.onnx`)
    and `card.json` into a staging folder, checks them against `network`
    (`kgan.export.parity`), then renames the folder into place and writes
    `out/NAME/config.pbtxt` for Triton if absent. A network trained under a
    mixed policy is exported as its float32 copy (`kgan.export.precision`);
    the card's parity then also holds its distance to the trained network.

    Args:
        network: a functional Keras network whose inputs are named as the
            spec's (`keras.Input(name=...)`), with one output.
        spec: its `kgan.specs.ModelSpec`.
        out: the export root, a Triton model repository.
        name: model name (the folder under `out`); defaults to `network.name`.
        version: a new version number; None takes the next free one.
        opset: ONNX opset.
        float16: also write `model_fp16.onnx` (checked to 1e-2).
        max_batch_size: Triton's `max_batch_size`.
        source: where the network came from (recorded in the card).
        weights: which weights, e.g. `"ema"` or `"generator"` (recorded in the card).
        command: the command line that made the export (recorded in the card).
        card_extra: more fields for the card, such as a run's training config.

    Returns:
        The path of the new version folder.

    Raises:
        kgan.export.ParityError: if the files do not reproduce the network;
            nothing is left behind.
    """
    if not isinstance(spec, specs.ModelSpec):
        raise ValueError(f"Expected `spec` to be a kgan.specs.ModelSpec. Received: spec={spec!r}")
    trained, network = network, precision.float32_copy(network)
    networks.check_network(network, spec)
    name = staging.check_name(name or network.name)
    model_dir = os.path.join(os.fspath(out), name)
    version = staging.choose_version(model_dir, version)
    _check_same_inputs(model_dir, spec)
    with staging.staged_version(model_dir, version) as folder:
        saved_model.write_saved_model(network, folder, spec)
        proto = onnx_model.write_onnx(network, os.path.join(folder, layout.ONNX), spec, opset)
        if float16:
            onnx_model.write_float16(proto, os.path.join(folder, layout.ONNX_FLOAT16), spec)
        figures = parity.check_parity(network, folder, spec, float16=float16)
        if network is not trained:
            figures["trained_precision"] = parity.precision_difference(trained, network, spec)
        card = card_lib.make_card(
            name, version, spec, opset, figures, float16, source, weights, command, max_batch_size
        )
        card_lib.write_card(folder, {**card, **(card_extra or {})})
    config_path = os.path.join(model_dir, layout.TRITON_CONFIG)
    if not os.path.exists(config_path):
        atomic.write_text(config_path, triton.triton_config(name, spec, max_batch_size))
    return os.path.join(model_dir, str(version))


def export_model(
    model,
    out=DEFAULT_OUT,
    name=None,
    version=None,
    opset=onnx_model.DEFAULT_OPSET,
    float16=False,
    max_batch_size=triton.DEFAULT_MAX_BATCH_SIZE,
    source=None,
    command=None,
    card_extra=None,
    part="",
):
    """Exports the network a kgan model samples with (`model.export_network()`).

    That is the EMA network, with batch-norm statistics of its own, when the
    model has one; the card records `weights: "ema"` then, else `"generator"`.
    The inputs and outputs are the model's `export_spec()`. A model with
    several exported networks (`model.export_parts()`, e.g. the two
    directions of a CycleGAN) exports the one named by `part`. The card
    also holds `model.export_details(part)`.

    Args:
        model: a kgan model (a `kgan.base.AdversarialModel`, e.g. `kgan.GAN`).
        name: model name; defaults to `model.name`.
        part: which of `model.export_parts()` to export.
        Other arguments: see `export_network`.

    Returns:
        The path of the new version folder.
    """
    if not isinstance(model, AdversarialModel):
        raise ValueError(
            "Expected a kgan model (a kgan.base.AdversarialModel such as kgan.GAN). "
            f"Received: model of type {type(model).__name__}"
        )
    parts = model.export_parts()
    if part not in parts:
        raise ValueError(f"Expected `part` to be one of {sorted(parts)}. Received: part={part!r}")
    network, spec = parts[part]
    weights = "ema" if getattr(model, "ema_names", ()) else "generator"
    return export_network(
        network,
        spec,
        out,
        name or model.name,
        version,
        opset=opset,
        float16=float16,
        max_batch_size=max_batch_size,
        source=source,
        weights=weights,
        command=command,
        # The model's own details (e.g. a progressive GAN's resolution), then the caller's.
        card_extra={**model.export_details(part), **(card_extra or {})},
    )


def export_generator(generator, out=DEFAULT_OUT, name=None, version=None, num_classes=None, **kwargs):
    """Exports a bare Keras generator with inputs `z` [, `labels`] and images in [-1, 1].

    Args:
        generator: a functional Keras generator as `kgan.models` builds them.
        num_classes: number of classes of a conditional generator (read from
            its `label_embedding` layer when None).
        Other arguments: see `export_network`; `name` defaults to `generator.name`.

    Returns:
        The path of the new version folder.
    """
    spec = networks.generator_spec(generator, num_classes)
    return export_network(generator, spec, out, name, version, **kwargs)


def export(model, out=DEFAULT_OUT, name=None, version=None, **kwargs):
    """Exports a kgan model (`export_model`) or a bare Keras generator (`export_generator`).

    Returns:
        The path of the new version folder.
    """
    if isinstance(model, (str, os.PathLike)):
        raise ValueError(
            "Expected a model: kgan.export takes a loaded model, not a path. Load a run or .keras "
            "file first with `kgan.training.load_model(path)`. Received: "
            f"{type(model).__name__} {os.fspath(model)!r}"
        )
    if isinstance(model, AdversarialModel):
        return export_model(model, out, name, version, **kwargs)
    if isinstance(model, keras.Model):
        return export_generator(model, out, name, version, **kwargs)
    raise ValueError(
        "Expected a kgan model (such as kgan.GAN) or a Keras generator. "
        f"Received: model of type {type(model).__name__}"
    )


def _check_same_inputs(model_dir, spec):
    # One config.pbtxt (and one client) serves every version of NAME.
    versions = layout.list_versions(model_dir)
    if not versions:
        return
    latest = os.path.join(model_dir, str(versions[-1]))
    try:
        previous = specs.from_card(card_lib.read_card(latest))
    except FileNotFoundError:
        return
    if (previous.inputs, previous.outputs) != (spec.inputs, spec.outputs):
        raise ValueError(
            f"Expected a new version of {model_dir} to take and return what version {versions[-1]} "
            "does, since one Triton config and one client serve all versions: "
            f"{_describe(previous)}. Received: {_describe(spec)}. Export under another name."
        )


def _describe(spec):
    def tensor(t):
        return f"{t.name} {t.dtype}{list(t.shape)}"

    return f"({', '.join(tensor(t) for t in spec.inputs)}) -> {', '.join(tensor(t) for t in spec.outputs)}"
