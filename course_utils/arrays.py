"""Checking the arrays a learner passes in: numbers, finite, floating point."""

from __future__ import annotations

import numpy as np

__all__ = ["as_float_array", "as_columns"]


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
