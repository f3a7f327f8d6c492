"""Checking what a learner passes in, with a message that names the problem.

One place for the checks every module needs: integers with a minimum, real numbers within
bounds, arrays of finite floats, and the random number generator. A function that draws random
numbers takes ``rng`` (a numpy Generator, an int seed or None) and passes it through
``as_rng``; ``seed`` (an int) names a fixed thing: a data set, a model's first weights.

>>> check_int("n", 3)
3
>>> check_real("alpha", 0.1, low=0, low_open=True)
0.1
>>> check_real("momentum", 1.5, low=0, high=1)
Traceback (most recent call last):
    ...
ValueError: momentum must be a number in [0, 1], got momentum=1.5
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["check_int", "check_real", "as_rng", "as_float_array", "as_columns"]


def check_int(name, value, minimum=0):
    """value as an int, checked to be an integer (not a bool) >= minimum."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        kind = {0: "a non-negative integer", 1: "a positive integer"}.get(
            minimum, f"an integer >= {minimum}"
        )
        raise ValueError(f"{name} must be {kind}, got {name}={value!r}")
    return int(value)


def _interval(low, high, low_open, high_open):
    if low == 0 and high is None:
        return "a positive number" if low_open else "a non-negative number"
    if high is None:
        return f"a number {'>' if low_open else '>='} {low}"
    if low is None:
        return f"a number {'<' if high_open else '<='} {high}"
    return f"a number in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"


def check_real(name, value, low=None, high=None, *, low_open=False, high_open=False):
    """value as a float, checked to be a finite real number (not a bool) within the bounds.

    low, high: None for no bound; low_open / high_open exclude the bound itself.
    """
    ok = (
        not isinstance(value, bool)
        and isinstance(value, numbers.Real)
        and bool(np.isfinite(value))
        and (low is None or (value > low if low_open else value >= low))
        and (high is None or (value < high if high_open else value <= high))
    )
    if not ok:
        kind = _interval(low, high, low_open, high_open)
        raise ValueError(f"{name} must be {kind}, got {name}={value!r}")
    return float(value)


def as_rng(rng):
    """A numpy Generator from a Generator (itself), an int seed, or None (fresh entropy)."""
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be a numpy Generator, an int seed or None, got {type(rng).__name__}")


def as_float_array(name, value):
    """value as a floating-point array (float32 stays float32), checked to be finite."""
    array = np.asarray(value)
    if not np.issubdtype(array.dtype, np.floating):
        if not (np.issubdtype(array.dtype, np.integer) or array.dtype == bool):
            raise ValueError(f"{name} must be an array of numbers, got dtype {array.dtype}")
        array = array.astype(float)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got NaN or inf in {name}")
    return array


def as_columns(name, value, rows):
    """value as a 2-D float array (rows, m), examples as columns, else a message naming it."""
    array = as_float_array(name, value)
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D with shape ({rows}, m), examples as columns; "
            f"got {name} with shape {array.shape}"
        )
    return array
