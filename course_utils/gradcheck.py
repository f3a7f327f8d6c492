"""Gradient checking: a gradient derived by hand against central finite differences.

    d f / d x_i  ~  (f(x + h e_i) - f(x - h e_i)) / (2 h)        error O(h^2)

and the two compared by their relative error ||a - b|| / (||a|| + ||b||) (Euclidean norms),
which is about 1e-7 or less for a right float64 gradient and about 1 for a wrong one.

>>> import numpy as np
>>> x = np.array([1.0, -2.0, 3.0])
>>> numeric = numerical_gradient(lambda x: np.sum(x**3), x)
>>> relative_error(3 * x**2, numeric) < 1e-9
True
"""

from __future__ import annotations

import numpy as np

__all__ = ["numerical_gradient", "relative_error"]


def numerical_gradient(f, x, h=1e-6):
    """d f / d x by central differences, one entry of x at a time. -> array shaped like x

    x: a float64 array of any shape; f(x) -> a scalar. x is changed in place while f runs (so
    f may read x through a view or a closure) and holds its original values again on return.
    """
    if not (isinstance(x, np.ndarray) and x.dtype == np.float64):
        raise TypeError(
            f"x must be a float64 numpy array, got {type(x).__name__} "
            f"{getattr(x, 'dtype', '')}".rstrip()
        )
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        kept = x[index]
        x[index] = kept + h
        f_plus = f(x)
        x[index] = kept - h
        f_minus = f(x)
        x[index] = kept
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||), Euclidean norms over every entry; 0 when both are 0."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)
