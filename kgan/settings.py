"""Settings: dataclass fields that carry their own command-line flag.

`kgan.training.TrainConfig` and every family's config are dataclasses whose
fields are made with `setting(...)`; `kgan train` builds its flags from them
(`kgan.cli.flags`), so the defaults, the help and `config.json` cannot drift
apart. Imports nothing heavy (the CLI's `--help` reads them).
"""

import dataclasses


def setting(default, help, flag=None, choices=None, negative=None, zero_is_none=False, cli=True, parse=None):
    """A dataclass field with the metadata of its `kgan train` flag.

    Args:
        default: the default value (immutable).
        help: one line of help.
        flag: the flag's name if not `--field-name` (e.g. `"--d-lr"`).
        choices: the accepted values.
        negative: for a bool or tri-state setting, the flag that sets it
            False (e.g. `"--no-export"`, `"--unconditional"`).
        zero_is_none: `0` on the command line means None (off).
        cli: False for settings with no flag (derived from the data).
        parse: a dict mapping command-line words to values (e.g. on/off).
    """
    metadata = {
        "help": help,
        "flag": flag,
        "choices": choices,
        "negative": negative,
        "zero_is_none": zero_is_none,
        "cli": cli,
        "parse": parse,
    }
    return dataclasses.field(default=default, metadata=metadata)


def values(instance):
    """The dataclass's values as a dict (nested dataclasses as dicts)."""
    return dataclasses.asdict(instance)


def from_values(cls, values, what):
    """Builds `cls` from a dict, refusing unknown keys with the known ones listed."""
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"Unknown {what} keys {unknown}. Expected keys among {sorted(known)}")
    return cls(**values)
