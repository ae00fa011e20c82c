"""The SavedModel for TF Serving, written with `keras.export.ExportArchive`."""

import keras

from kgan.export import signatures

SIGNATURES = ("serving_default", "generate", "sample")


def write_saved_model(generator, path, spec):
    """Writes `generator` as a SavedModel with the signatures in `SIGNATURES`.

    Args:
        generator: a functional Keras generator with inputs `z` [, `labels`].
        path: the folder to write (the version folder's staging copy).
        spec: its `signatures.GeneratorSpec`.
    """
    archive = keras.export.ExportArchive()
    archive.track(generator)
    generate = signatures.generate_fn(generator, spec)
    archive.add_endpoint("serving_default", generate, signatures.generate_signature(spec))
    archive.add_endpoint("generate", generate, signatures.generate_signature(spec))
    archive.add_endpoint("sample", signatures.sample_fn(generator, spec), signatures.sample_signature(spec))
    archive.write_out(path, verbose=False)
    return path
