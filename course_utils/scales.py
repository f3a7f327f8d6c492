"""Scales: map the unit interval onto a hyperparameter's range (notebook 02).

Random search draws u ~ U[0, 1] and maps it through a scale; a grid takes evenly spaced u;
coarse-to-fine narrows the u-interval around the best trial. Choosing the scale decides
where the samples land:

- ``Linear(low, high)``: x = low + u (high - low), for values that matter additively.
- ``Integer(low, high)``: every integer of [low, high] equally likely (#layers, #units).
- ``Log(low, high)``: log10(x) uniform, for the learning rate alpha in [1e-4, 1].
- ``PowerOfTwo(low, high)``: every power of two in [low, high] equally likely (mini-batch sizes).
- ``OneMinusLog(low, high)``: log10(1 - x) uniform, for an averaging beta in [0.9, 0.999].
"""

from __future__ import annotations

import numbers

import numpy as np

from .validation import as_rng, check_int

__all__ = [
    "Scale",
    "Linear",
    "Integer",
    "Log",
    "OneMinusLog",
    "PowerOfTwo",
    "log_from_unit",
    "sample_integers",
    "sample_one_minus_log",
    "remembered_steps",
]


def _check_bounds(low, high, *, positive=False, below_one=False):
    for name, value in (("low", low), ("high", high)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a real number, got {value!r}")
        if not np.isfinite(value):
            raise ValueError(f"{name} must be finite, got {name}={value!r}")
    if low >= high:
        raise ValueError(f"low must be smaller than high, got low={low!r} and high={high!r}")
    if positive and low <= 0:
        raise ValueError(f"a log scale needs low > 0, got low={low!r}")
    if below_one and low <= 0:
        raise ValueError(f"a 1 - x log scale needs 0 < low < high < 1, got low={low!r}")
    if below_one and high >= 1:
        raise ValueError(f"a 1 - x log scale needs 0 < low < high < 1, got high={high!r}")


def _as_unit(u):
    """u as a float array, checked to lie in [0, 1]."""
    u = np.asarray(u, dtype=float)
    if np.any(np.isnan(u)) or np.any(u < 0) or np.any(u > 1):
        raise ValueError("u must lie in [0, 1]")
    return u


class Scale:
    """A map from the unit interval onto [low, high]; subclasses define the map."""

    def __init__(self, low, high):
        self._validate(low, high)
        self.low = low
        self.high = high

    def _validate(self, low, high):
        _check_bounds(low, high)

    def from_unit(self, u):
        """u: (...) in [0, 1] -> x: (...) in [low, high]."""
        raise NotImplementedError

    def to_unit(self, x):
        """x: (...) in [low, high] -> u: (...) in [0, 1]; the inverse of from_unit."""
        raise NotImplementedError

    def sample(self, n, rng=None):
        """n values drawn uniformly on this scale: from_unit(u) with u ~ U[0, 1]. -> (n,)"""
        return self.from_unit(as_rng(rng).random(check_int("n", n)))

    def grid(self, n):
        """n values evenly spaced on this scale, low and high included. -> (n,)"""
        n = check_int("n", n)
        if n == 1:
            return self.from_unit(np.array([0.5]))
        return self.from_unit(np.linspace(0.0, 1.0, n))

    def contains(self, x):
        """True where x lies in [low, high]."""
        x = np.asarray(x)
        return (x >= self.low) & (x <= self.high)

    def __repr__(self):
        return f"{type(self).__name__}({self.low!r}, {self.high!r})"

    def __eq__(self, other):
        return type(self) is type(other) and (self.low, self.high) == (other.low, other.high)

    def __hash__(self):
        return hash((type(self).__name__, self.low, self.high))


class Linear(Scale):
    """x = low + u (high - low)."""

    def from_unit(self, u):
        u = _as_unit(u)
        return np.clip(self.low + u * (self.high - self.low), self.low, self.high)

    def to_unit(self, x):
        x = np.asarray(x, dtype=float)
        return (x - self.low) / (self.high - self.low)


class Integer(Scale):
    """Every integer of [low, high] equally likely: [0, 1] is cut into high - low + 1 equal bins."""

    def _validate(self, low, high):
        for name, value in (("low", low), ("high", high)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise TypeError(f"Integer bounds must be integers, got {name}={value!r}")
        _check_bounds(low, high)

    def from_unit(self, u):
        u = _as_unit(u)
        n_values = self.high - self.low + 1
        k = np.minimum(np.floor(u * n_values), n_values - 1).astype(np.int64)
        return self.low + k

    def to_unit(self, x):
        """The centre of x's bin, so that from_unit(to_unit(x)) == x."""
        x = np.asarray(x, dtype=float)
        return (x - self.low + 0.5) / (self.high - self.low + 1)


def log_from_unit(u, low, high):
    """u: (...) in [0, 1] -> 10**r with r uniform between log10(low) and log10(high).

    For alpha in [1e-4, 1]: r = -4 + 4 u, alpha = 10**r.
    """
    r_low, r_high = np.log10(low), np.log10(high)
    r = r_low + np.asarray(u, dtype=float) * (r_high - r_low)
    return 10.0**r


class Log(Scale):
    """log10(x) uniform on [log10(low), log10(high)]: each decade gets the same share."""

    def _validate(self, low, high):
        _check_bounds(low, high, positive=True)

    def from_unit(self, u):
        # clip: 10**log10(x) may miss the bounds by one rounding step
        return np.clip(log_from_unit(_as_unit(u), self.low, self.high), self.low, self.high)

    def to_unit(self, x):
        x = np.asarray(x, dtype=float)
        r_low, r_high = np.log10(self.low), np.log10(self.high)
        return (np.log10(x) - r_low) / (r_high - r_low)


class OneMinusLog(Scale):
    """log10(1 - x) uniform: for beta in [0.9, 0.999], 1 - beta = 10**r with r in [-3, -1].

    Each step of the memory 1 / (1 - beta) by a factor of ten (10, 100, 1000 steps) gets the
    same share of the samples.
    """

    def _validate(self, low, high):
        _check_bounds(low, high, below_one=True)

    def from_unit(self, u):
        u = _as_unit(u)
        # u = 0 gives low, u = 1 gives high: 1 - x runs from 1 - low down to 1 - high.
        x = 1.0 - log_from_unit(1.0 - u, 1.0 - self.high, 1.0 - self.low)
        return np.clip(x, self.low, self.high)

    def to_unit(self, x):
        x = np.asarray(x, dtype=float)
        r_low, r_high = np.log10(1.0 - self.low), np.log10(1.0 - self.high)
        return (np.log10(1.0 - x) - r_low) / (r_high - r_low)


class PowerOfTwo(Scale):
    """x = 2**k with k uniform on the integers of [log2(low), log2(high)]: 16, 32, ..., 256.

    The log scale of an integer that is a power of two, as mini-batch sizes are: 16 to 32 is as
    big a step as 128 to 256.
    """

    def _validate(self, low, high):
        for name, value in (("low", low), ("high", high)):
            if (
                isinstance(value, bool)
                or not isinstance(value, numbers.Integral)
                or value < 1
                or value & (value - 1)
            ):
                raise ValueError(f"PowerOfTwo bounds must be powers of two, got {name}={value!r}")
        _check_bounds(low, high)
        self._exponents = Integer(int(low).bit_length() - 1, int(high).bit_length() - 1)

    def from_unit(self, u):
        return 2 ** self._exponents.from_unit(u)

    def to_unit(self, x):
        """The centre of x's bin, so that from_unit(to_unit(x)) == x."""
        return self._exponents.to_unit(np.log2(np.asarray(x, dtype=float)))


def sample_integers(n, low, high, rng):
    """n integers drawn uniformly from [low, high], both ends included. -> (n,) int"""
    return Integer(low, high).sample(n, rng)


def sample_one_minus_log(n, low, high, rng):
    """n values of beta in [low, high] with log10(1 - beta) uniform. -> (n,)"""
    return OneMinusLog(low, high).sample(n, rng)


def remembered_steps(momentum):
    """How many past steps an exponentially weighted average remembers: 1 / (1 - momentum).

    The weight of the step j back is (1 - momentum) momentum**j; the last k = 1 / (1 - momentum)
    steps carry 1 - momentum**k of it: 75% at 0.5, 65% at 0.9, tending to 1 - 1/e = 63% as
    momentum -> 1.
    """
    momentum = np.asarray(momentum, dtype=float)
    if np.any(np.isnan(momentum)) or np.any(momentum < 0) or np.any(momentum >= 1):
        raise ValueError(f"momentum must lie in [0, 1), got {momentum!r}")
    result = 1.0 / (1.0 - momentum)
    return float(result) if result.ndim == 0 else result
