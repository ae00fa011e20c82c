"""`export` and `export_generator`: one checked version folder per call."""

import json
import os

from kgan import atomic
from kgan.export import card as card_lib
from kgan.export import onnx_model
from kgan.export import parity
from kgan.export import saved_model
from kgan.export import signatures
from kgan.export import staging
from kgan.export import triton
from kgan.inference import layout

DEFAULT_OUT = "saved_models"


def export_generator(
    generator,
    out=DEFAULT_OUT,
    name=None,
    version=None,
    num_classes=None,
    opset=onnx_model.DEFAULT_OPSET,
    float16=False,
    max_batch_size=triton.DEFAULT_MAX_BATCH_SIZE,
    source=None,
    weights=None,
    command=None,
    card_extra=None,
):
    """Exports a generator to `out/NAME/VERSION/` and checks it.

    Writes the SavedModel (signatures `serving_default`, `generate`, `sample`),
    `model.onnx` (optionally `model_fp16.onnx`) and `card.json` into a staging
    folder, checks them against `generator` (`kgan.export.parity`), then renames
    the folder into place and writes `out/NAME/config.pbtxt` for Triton if absent.

    Args:
        generator: a functional Keras generator with inputs `z` [, `labels`]
            and output images in [-1, 1] (as `kgan.models` builds them).
        out: the export root, a Triton model repository.
        name: model name (the folder under `out`); defaults to `generator.name`.
        version: a new version number; None takes the next free one.
        num_classes: number of classes of a conditional generator (read from
            its `label_embedding` layer when None).
        opset: ONNX opset.
        float16: also write `model_fp16.onnx` (checked to 1e-2).
        max_batch_size: Triton's `max_batch_size`.
        source: where the generator came from (recorded in the card).
        weights: `"ema"` or `"generator"` (recorded in the card).
        command: the command line that made the export (recorded in the card).
        card_extra: more fields for the card, such as the training config.

    Returns:
        The path of the new version folder.

    Raises:
        kgan.export.ParityError: if the files do not reproduce the generator;
            nothing is left behind.
    """
    spec = signatures.spec_of(generator, num_classes)
    name = staging.check_name(name or generator.name)
    model_dir = os.path.join(os.fspath(out), name)
    version = staging.choose_version(model_dir, version)
    _check_same_inputs(model_dir, spec)
    with staging.staged_version(model_dir, version) as folder:
        saved_model.write_saved_model(generator, folder, spec)
        model = onnx_model.write_onnx(generator, os.path.join(folder, layout.ONNX), spec, opset)
        if float16:
            onnx_model.write_float16(model, os.path.join(folder, layout.ONNX_FLOAT16))
        figures = parity.check_parity(generator, folder, spec, float16=float16)
        card = card_lib.make_card(
            name, version, spec, opset, figures, float16, source, weights, command, max_batch_size
        )
        card_lib.write_card(folder, {**card, **(card_extra or {})})
    config_path = os.path.join(model_dir, layout.TRITON_CONFIG)
    if not os.path.exists(config_path):
        atomic.write_text(config_path, triton.triton_config(name, spec, max_batch_size))
    return os.path.join(model_dir, str(version))


def export(src, out=DEFAULT_OUT, name=None, version=None, **kwargs):
    """Exports the sampling generator of a run directory or `.keras` file.

    The EMA generator is exported when the GAN has one. Takes the keyword
    arguments of `export_generator`; `name` defaults to the run's folder name
    or the `.keras` file's stem. The card also records a run's `config.json`
    and its `evaluation.json` (from `kgan evaluate --out RUN/evaluation.json`).

    Returns:
        The path of the new version folder.
    """
    from kgan import runs

    gan = runs.load_gan(os.fspath(src))
    weights = "ema" if getattr(gan, "ema_generator", None) is not None else "generator"
    return export_generator(
        gan.export_network(),
        out,
        name or default_name(src),
        version,
        num_classes=gan.num_classes,
        source=os.path.abspath(src),
        weights=weights,
        card_extra=_run_details(os.fspath(src)),
        **kwargs,
    )


def _run_details(src):
    from kgan import runs

    if not runs.is_run_dir(src):
        return {"training_config": None, "metrics": None}
    metrics_path = os.path.join(src, "evaluation.json")
    metrics = None
    if os.path.isfile(metrics_path):
        with open(metrics_path) as f:
            metrics = json.load(f)
    return {"training_config": runs.read_config(src), "metrics": metrics}


def default_name(src):
    """`runs/digits` -> `digits`; `models/digits.keras` -> `digits`."""
    base = os.path.basename(os.path.normpath(os.fspath(src)))
    return base[: -len(".keras")] if base.endswith(".keras") else base


def _check_same_inputs(model_dir, spec):
    # One config.pbtxt (and one client) serves every version of NAME.
    versions = layout.list_versions(model_dir)
    if not versions:
        return
    latest = os.path.join(model_dir, str(versions[-1]))
    try:
        previous = card_lib.read_card(latest)
    except FileNotFoundError:
        return
    before = (previous["latent_dim"], tuple(previous["image_shape"]), previous["num_classes"])
    now = (spec.latent_dim, spec.image_shape, spec.num_classes)
    if before != now:
        raise ValueError(
            f"Expected a new version of {model_dir} to take and return what version {versions[-1]} "
            f"does (latent_dim, image_shape, num_classes) = {before}, since one Triton config and "
            f"one client serve all versions. Received: {now}. Export under another name."
        )
