"""Errors raised by `kgan.data`."""


class DatasetNotFoundError(FileNotFoundError):
    """A named dataset is not available offline and `download=False`.

    Raised for TFDS names (`"mnist"`, `"tfds:NAME"`, ...) whose data is not
    prepared in `data_dir`. The message names the dataset, the directory that
    was searched, and how to get the data: pass `download=True` (CLI:
    `--download`) on a machine with network access, or copy a prepared
    TFDS `data_dir` to this machine.
    """
