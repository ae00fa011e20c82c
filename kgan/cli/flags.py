"""Command-line flags made from settings dataclasses (`kgan.settings.setting`).

Each setting becomes one flag (two for a tri-state: `--conditional` /
`--unconditional`). Flags default to "not given" (`argparse.SUPPRESS`), so
`given(args, cls)` returns exactly the settings the user typed: a new run
overlays them on the dataclass defaults, and `--resume` can refuse them.
"""

import argparse
import dataclasses
import types


def add_settings(parser, cls, title=None):
    """Adds a flag for every command-line setting of dataclass `cls`."""
    group = parser.add_argument_group(title) if title else parser
    for field in dataclasses.fields(cls):
        meta = field.metadata
        if not meta.get("cli", True):
            continue
        flag = meta["flag"] or "--" + field.name.replace("_", "-")
        help_text = _help(meta["help"], field.default, meta)
        common = {"dest": field.name, "default": argparse.SUPPRESS}
        kind = _kind(field)
        if meta["parse"]:
            group.add_argument(flag, choices=list(meta["parse"]), help=help_text, **common)
        elif kind is bool:
            if meta["negative"] and field.default is True:
                group.add_argument(meta["negative"], action="store_false", help=help_text, **common)
            else:
                exclusive = group.add_mutually_exclusive_group() if meta["negative"] else group
                exclusive.add_argument(flag, action="store_true", help=help_text, **common)
                if meta["negative"]:
                    exclusive.add_argument(meta["negative"], action="store_false", help="the opposite of " + flag, **common)
        else:
            group.add_argument(flag, type=kind, choices=meta["choices"], help=help_text, **common)


def given(args, cls):
    """`{setting: value}` for the settings of `cls` given on the command line."""
    values = {}
    for field in dataclasses.fields(cls):
        if field.name not in vars(args):
            continue
        value = getattr(args, field.name)
        meta = field.metadata
        if meta["parse"]:
            value = meta["parse"][value]
        if meta["zero_is_none"] and value == 0:
            value = None
        values[field.name] = value
    return values


def flag_of(cls, name):
    """The flag a setting is given with (for messages)."""
    field = {f.name: f for f in dataclasses.fields(cls)}[name]
    if field.metadata["negative"] and field.default is True:
        return field.metadata["negative"]
    return field.metadata["flag"] or "--" + name.replace("_", "-")


def _kind(field):
    kind = field.type
    if isinstance(kind, types.UnionType):
        args = [a for a in kind.__args__ if a is not type(None)]
        kind = args[0] if len(args) == 1 else str
    return kind if kind in (bool, int, float, str) else str


def _help(text, default, meta):
    if default is None or isinstance(default, bool) or "default" in text:
        return text
    if meta["zero_is_none"]:
        return f"{text} (default: {default:g})" if isinstance(default, float) else f"{text} (default: {default})"
    return f"{text} (default: {default})"
