"""The SavedModel for TF Serving, written with `keras.export.ExportArchive`."""

import keras

from kgan.export import signatures


def write_saved_model(network, path, spec):
    """Writes `network` as a SavedModel with the signatures of `spec` (see `kgan.export.signatures`).

    Args:
        network: a functional Keras network with the spec's named inputs.
        path: the folder to write (the version folder's staging copy).
        spec: its `kgan.specs.ModelSpec`.
    """
    archive = keras.export.ExportArchive()
    # No `archive.track(network)`: the endpoints capture every variable they use, and tracking the
    # network as well stores each weight twice (keras-team/keras#23553: the Keras wrappers under
    # `variables/`, the tf.Variables under `_all_variables/`), doubling the files and the memory of
    # every server that loads them.
    predict = signatures.predict_fn(network, spec)
    for name in ("serving_default", spec.task):
        archive.add_endpoint(name, predict, signatures.input_signature(spec))
    if spec.noise is not None:
        archive.add_endpoint("sample", signatures.sample_fn(network, spec), signatures.sample_signature(spec))
    archive.write_out(path, verbose=False)
    return path
