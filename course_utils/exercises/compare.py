"""How a learner's result is compared with the expected one, and shown in a report.

``compare`` compares numbers and arrays; ``dict_problem`` and ``numbers_problem`` compare the
plain structures of the search exercises (dicts of numbers, in order); ``Parts`` reads a
result made of named parts (a tuple, one of whose elements may be a dict) so that each part is
compared on its own.

``format_value`` cuts a long rendering at 120 characters, but never a small dict (a config, a
space, shares: at most 8 short values) nor a short list of them: a report shows those whole,
since the learner needs every key to see what is wrong.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import permutations

import numpy as np

__all__ = [
    "Parts",
    "compare",
    "dict_problem",
    "format_call",
    "format_value",
    "kind",
    "numbers_problem",
]


#: A dict with at most this many keys, each value's repr at most SMALL_VALUE characters, and a
#: list of at most SMALL_LIST such dicts, are shown whole.
SMALL_DICT, SMALL_VALUE, SMALL_LIST = 8, 80, 4


def _small_dict(value):
    if not isinstance(value, dict) or len(value) > SMALL_DICT:
        return False
    containers = dict | list | tuple | set | np.ndarray
    return all(
        not isinstance(v, containers) and len(repr(v)) <= SMALL_VALUE for v in value.values()
    )


def _shown_whole(value):
    """True for a small dict, or a short list of small dicts: a report shows them whole."""
    if isinstance(value, list | tuple):
        return 0 < len(value) <= SMALL_LIST and all(_small_dict(v) for v in value)
    return _small_dict(value)


def format_value(value):
    """A short, readable rendering of a value for a report."""
    if isinstance(value, np.ndarray):
        body = np.array2string(value, precision=4, threshold=8, edgeitems=3, separator=", ")
        return f"array({body}) with shape {value.shape}, dtype {value.dtype}"
    if isinstance(value, float | np.floating):
        return f"{float(value):.6g}"
    if isinstance(value, np.random.Generator):
        return "np.random.default_rng(...)"
    text = repr(value)
    return text if len(text) <= 120 or _shown_whole(value) else text[:117] + "..."


def format_call(fn_name, kwargs):
    args = ", ".join(f"{k}={format_value(v)}" for k, v in kwargs.items())
    return f"{fn_name}({args})"


def compare(got, expected, rtol=1e-7, atol=1e-12):
    """None when got matches expected; otherwise (mistake, message) saying what differs."""
    if got is None:
        return "returned_none", "returned None"
    if isinstance(expected, np.ndarray):
        if isinstance(got, list | tuple):
            return "wrong_type", f"returned a {type(got).__name__}, expected a numpy array"
        if not isinstance(got, np.ndarray | np.generic | int | float):
            return "wrong_type", f"returned a {type(got).__name__}, expected a numpy array"
        got = np.asarray(got)
        if got.shape != expected.shape:
            return "wrong_shape", f"shape {got.shape}, expected shape {expected.shape}"
    else:
        if isinstance(got, np.ndarray) and got.size == 1:
            got = got.reshape(())[()]  # a 0-d or one-element array is a number too
        if not isinstance(got, int | float | np.number | np.ndarray) or isinstance(got, bool):
            return "wrong_type", f"returned a {type(got).__name__}, expected a number"
        if isinstance(got, np.ndarray):
            return "wrong_shape", f"an array of shape {got.shape}, expected a single number"
    if not np.issubdtype(np.asarray(got).dtype, np.number):
        return "wrong_type", f"returned values of dtype {np.asarray(got).dtype}, expected numbers"
    got_a = np.asarray(got, dtype=float)
    exp_a = np.asarray(expected, dtype=float)
    if np.any(np.isnan(got_a) & ~np.isnan(exp_a)):
        return "nan", "the result contains NaN"
    close = np.isclose(got_a, exp_a, rtol=rtol, atol=atol, equal_nan=True)
    if not np.all(close):
        if got_a.ndim == 0:
            return "wrong_value", f"{float(got_a):.10g}, expected {float(exp_a):.10g}"
        i = tuple(int(k) for k in np.argwhere(~close)[0])
        return (
            "wrong_value",
            f"{int(np.sum(~close))} of {close.size} values differ; at index {i}: "
            f"{got_a[i]:.10g}, expected {exp_a[i]:.10g}",
        )
    return None


def kind(value):
    """'a numpy array of shape (3, 5)', 'a dict', 'an int', ... for a report."""
    if isinstance(value, np.ndarray):
        return f"a numpy array of shape {value.shape}"
    name = type(value).__name__
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"


def is_number(x):
    """True for an int, a float or a numpy number, not a bool."""
    return isinstance(x, int | float | np.number) and not isinstance(x, bool)


def dict_problem(got, expected, what):
    """(mistake, message) when got is not a dict with expected's keys in order, else None.

    what says what the dict holds, for the message ("a config", "name -> share").
    """
    if got is None:
        return "returned_none", "returned None"
    if not isinstance(got, dict):
        return "wrong_type", f"a {type(got).__name__}, expected a dict ({what})"
    if list(got) != list(expected):
        return "wrong_keys", f"keys {list(got)}, expected {list(expected)}"
    return None


def numbers_problem(got, expected, where, rtol=1e-7, atol=1e-12):
    """(mistake, message) for the first value of dict got that is not expected's number.

    got has expected's keys; where names got in the message ("configs[2]", "shares"). A NaN
    matches only a NaN.
    """
    for key, value in expected.items():
        g = got[key]
        if not is_number(g):
            return "wrong_type", f"{where}[{key!r}] is a {type(g).__name__}, expected a number"
        if math.isnan(float(g)):
            if math.isnan(float(value)):  # a mistake's NaN, matched by the learner's
                continue
            return "nan", f"{where}[{key!r}] is NaN"
        if not np.isclose(float(g), float(value), rtol=rtol, atol=atol):
            return "wrong_value", f"{where}[{key!r}] = {float(g):.6g}, expected {float(value):.6g}"
    return None


@dataclass(frozen=True)
class Parts:
    """How a result is made: a tuple of named parts, one of which may be a dict (the cache)."""

    names: tuple[str, ...]  # the tuple's elements, in order
    cache: str | None = None  # the element that is a dict
    keys: tuple[str, ...] = ()  # the cache's keys that are checked

    @property
    def layout(self):
        return f"a tuple ({', '.join(self.names)})"

    def unpack(self, value):
        """(parts, None) with parts a dict name -> value; or (None, (mistake, message, hint))."""
        hint = f"Return {self.layout}" + (
            f", with {self.cache} a dict holding at least "
            + ", ".join(repr(k) for k in self.keys)
            + "."
            if self.cache
            else "."
        )
        if value is None:
            return None, ("returned_none", "returned None", None)
        if not isinstance(value, tuple | list):
            return None, ("wrong_type", f"returned {kind(value)}, expected {self.layout}", hint)
        if len(value) != len(self.names):
            return None, (
                "wrong_type",
                f"returned {len(value)} values, expected {len(self.names)}",
                hint,
            )
        parts = {}
        for name, part in zip(self.names, value, strict=True):
            if name != self.cache:
                parts[name] = part
                continue
            if not isinstance(part, dict):
                return None, ("wrong_type", f"{name} is {kind(part)}, expected a dict", hint)
            missing = [key for key in self.keys if key not in part]
            if missing:
                keys = ", ".join(repr(key) for key in missing)
                message = f"{name} has no key{'s' if len(missing) > 1 else ''} {keys}"
                return None, ("cache_incomplete", message, hint)
            for key in self.keys:
                parts[f"{name}[{key!r}]"] = part[key]
        return parts, None

    @staticmethod
    def problems(got, expected):
        """[(name, mistake, message)] for each part of got that differs from expected."""
        problems = []
        for name, want in expected.items():
            if got[name] is None and isinstance(want, np.ndarray):
                problems.append((name, "wrong_type", "None, expected an array"))
                continue
            problem = compare(got[name], want)
            if problem:
                problems.append((name, *problem))
        return problems

    def order(self, got, expected):
        """The part names in the order got holds expected's values, when that order is another
        one (the right values, returned in the wrong order); else None."""
        if self.cache is not None:
            return None
        names = list(expected)
        for order in permutations(names):
            if list(order) != names and all(
                compare(got[name], expected[other]) is None
                for name, other in zip(names, order, strict=True)
            ):
                return order
        return None

    @staticmethod
    def show(parts, names):
        """'name = value; ...' for the parts called names."""
        return "; ".join(f"{name} = {format_value(parts[name])}" for name in names)
