"""How a learner's result is compared with the expected one, and shown in a report."""

from __future__ import annotations

import numpy as np

__all__ = ["compare", "format_call", "format_value"]


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
    return text if len(text) <= 120 else text[:117] + "..."


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
