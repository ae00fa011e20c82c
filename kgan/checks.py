"""Argument checks shared across kgan, with Keras-style error messages.

Each check returns the normalised value or raises `ValueError` saying what
was expected and what was received. Imports NumPy only, so the CLI,
`kgan.inference` and `kgan.serving` use them without TensorFlow.
"""

import numbers

import numpy as np

CHANNELS = (1, 3)


def integer(name, value, minimum=None, allow_none=False):
    """Returns `value` as an int, for an integer (not a bool) >= `minimum`."""
    if value is None and allow_none:
        return None
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    if not ok or (minimum is not None and value < minimum):
        expected = "an integer" if minimum is None else f"an integer >= {minimum}"
        if allow_none:
            expected = f"None or {expected}"
        raise ValueError(f"Expected `{name}` to be {expected}. Received: {name}={value!r}")
    return int(value)


def positive_int(name, value, allow_none=False):
    """Returns `value` as an int, for an integer >= 1 (or None if allowed)."""
    return integer(name, value, minimum=1, allow_none=allow_none)


def number(name, value, low=None, high=None, low_open=False, high_open=False, allow_none=False):
    """Returns `value` as a float within the given bounds (inclusive unless open)."""
    if value is None and allow_none:
        return None
    ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    if ok:
        value = float(value)
        ok = np.isfinite(value)
        ok = ok and (low is None or (value > low if low_open else value >= low))
        ok = ok and (high is None or (value < high if high_open else value <= high))
    if not ok:
        left = "" if low is None else ("(" if low_open else "[") + f"{low:g}"
        right = "" if high is None else f"{high:g}" + (")" if high_open else "]")
        bounds = f" in {left or '(-inf'}, {right or 'inf)'}" if (low is not None or high is not None) else ""
        none = "None or " if allow_none else ""
        raise ValueError(f"Expected `{name}` to be {none}a number{bounds}. Received: {name}={value!r}")
    return value


def channels(name, value, allow_none=False):
    """Returns `value` for image channels 1 (grey) or 3 (RGB)."""
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or value not in CHANNELS:
        none = "None, " if allow_none else ""
        raise ValueError(f"Expected `{name}` to be {none}1 or 3. Received: {name}={value!r}")
    return int(value)


def one_of(name, value, choices):
    """Returns `value` if it is one of `choices`."""
    if not any(value == c and type(value) is type(c) for c in choices):
        raise ValueError(f"Expected `{name}` to be one of {list(choices)}. Received: {name}={value!r}")
    return value


def numeric_array(name, value, kind="numbers"):
    """`value` as a NumPy array of real numbers (`kind="integers"`: integers or floats to check later).

    Refuses ragged nested lists and non-numeric dtypes (strings, objects,
    booleans) with a message naming `name`.
    """
    try:
        array = np.asarray(value)
    except ValueError:  # ragged nested lists
        raise ValueError(f"Expected `{name}` to be a rectangular array. Received: {short(value)}") from None
    if array.dtype.kind not in "iuf" or array.dtype == np.bool_:
        raise ValueError(f"Expected `{name}` to hold {kind}. Received: {name} of dtype {array.dtype}")
    return array


def short(value, limit=80):
    """`repr(value)`, cut to `limit` characters for an error message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
