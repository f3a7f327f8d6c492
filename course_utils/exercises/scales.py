"""Exercises of notebook 02 (sampling scales) and their catalogues of common mistakes."""

from __future__ import annotations

import numpy as np
from scipy import stats

from .. import scales
from . import Exercise, Verdict
from .compare import format_call, format_value

NOTEBOOK = "02"
#: A statistical test fails below this p-value; with fixed seeds the verdict is reproducible.
P_MIN = 1e-3


# ---------------------------------------------------------------- log_from_unit


def _log_from_unit_cases():
    return [
        {"u": np.array([0.0, 0.25, 0.5, 0.75, 1.0]), "low": 1e-4, "high": 1.0},
        {"u": np.array([0.0, 0.1, 0.5, 0.9, 1.0]), "low": 1e-3, "high": 10.0},
        {"u": np.array([0.3]), "low": 1e-6, "high": 1e-2},
    ]


LOG_FROM_UNIT = Exercise(
    name="scales.log_from_unit",
    notebook=NOTEBOOK,
    title="map u to a value on a log scale",
    reference=scales.log_from_unit,
    cases=_log_from_unit_cases,
)


@LOG_FROM_UNIT.mistake(
    "linear_scale",
    "That is the linear map low + u (high - low). On a log scale the exponent is linear: "
    "r = log10(low) + u (log10(high) - log10(low)), then return 10**r.",
)
def _log_linear(u, low, high):
    return low + u * (high - low)


@LOG_FROM_UNIT.mistake(
    "hardcoded_alpha_range",
    "10**(-4 u) covers only [1e-4, 1], and runs from the top (u = 0 gives 1). Compute r "
    "from log10(low) and log10(high), with u = 0 giving low.",
)
def _log_hardcoded(u, low, high):
    return 10.0 ** (-4 * u)


@LOG_FROM_UNIT.mistake(
    "exponent_sign_flipped",
    "The exponent has the wrong sign, so your values lie above the range (1 to 10**4 instead "
    "of 1e-4 to 1): below 1 the exponent is negative. The notes' r = -4 rand() has its minus "
    "built in; in general r = log10(low) + u (log10(high) - log10(low)), with no sign in "
    "front, runs from log10(low) to log10(high); then return 10**r.",
)
def _log_sign_flipped(u, low, high):
    return 10.0 ** (4 * u)  # r = +4u: the minus of the notes' r = -4 rand() dropped


def _log_minus_exponent(u, low, high):
    r_low, r_high = np.log10(low), np.log10(high)
    return 10.0 ** -(r_low + u * (r_high - r_low))  # a minus put in front of r


LOG_FROM_UNIT.mistake("exponent_sign_flipped", fn=_log_minus_exponent, variant=True)


@LOG_FROM_UNIT.mistake(
    "returned_exponent",
    "You return the exponent r; the value is 10**r.",
)
def _log_returned_exponent(u, low, high):
    return np.log10(low) + u * (np.log10(high) - np.log10(low))


@LOG_FROM_UNIT.mistake(
    "bounds_as_exponents",
    "low and high are values, not exponents: take np.log10(low) and np.log10(high) first.",
)
def _log_bounds_as_exponents(u, low, high):
    return 10.0 ** (low + u * (high - low))


@LOG_FROM_UNIT.mistake(
    "direction_reversed",
    "u = 0 must give low and u = 1 must give high; yours runs from high down to low.",
)
def _log_reversed(u, low, high):
    r_low, r_high = np.log10(low), np.log10(high)
    return 10.0 ** (r_high - u * (r_high - r_low))


@LOG_FROM_UNIT.mistake(
    "ignores_u",
    "Use the values of u: np.logspace spaces points evenly and ignores where u puts them.",
)
def _log_ignores_u(u, low, high):
    return np.logspace(np.log10(low), np.log10(high), np.size(u))


@LOG_FROM_UNIT.mistake(
    "mixed_bases",
    "The exponent is in base 10 (np.log10), so raise 10 to it: 10**r, not np.exp(r).",
)
def _log_natural_exp(u, low, high):
    r_low, r_high = np.log10(low), np.log10(high)
    return np.exp(r_low + u * (r_high - r_low))


# ---------------------------------------------------------------- remembered_steps


def _remembered_cases():
    return [
        {"momentum": 0.9},
        {"momentum": 0.999},
        {"momentum": 0.5},
        {"momentum": 0.7},
        {"momentum": np.array([0.5, 0.9, 0.99, 0.9995])},
    ]


REMEMBERED_STEPS = Exercise(
    name="scales.remembered_steps",
    notebook=NOTEBOOK,
    title="how many steps an average remembers",
    reference=scales.remembered_steps,
    cases=_remembered_cases,
)


@REMEMBERED_STEPS.mistake(
    "inverse_of_momentum",
    "The memory grows as momentum nears 1: it is 1 / (1 - momentum), not 1 / momentum.",
)
def _steps_inverse_of_momentum(momentum):
    return 1 / momentum


@REMEMBERED_STEPS.mistake(
    "one_minus_momentum",
    "1 - momentum is the weight of the newest step; the memory is its inverse.",
)
def _steps_one_minus_momentum(momentum):
    return 1 - momentum


@REMEMBERED_STEPS.mistake(
    "number_of_nines",
    "-log10(1 - momentum) counts the nines (0.999 -> 3); the memory is 1 / (1 - momentum) "
    "(0.999 -> 1000 steps).",
)
def _steps_number_of_nines(momentum):
    return -np.log10(1 - momentum)


@REMEMBERED_STEPS.mistake(
    "off_by_one",
    "momentum / (1 - momentum) leaves out the newest step (k = 0): the memory counts the "
    "steps k = 0, 1, 2, ... and is 1 / (1 - momentum).",
)
def _steps_off_by_one(momentum):
    return momentum / (1 - momentum)


# ---------------------------------------------------------------- samplers


def _verdict_fail(called, expected, got, mistake, hint=None):
    return Verdict(False, called, expected, got, mistake, hint)


def _draw(run, n, low, high, seed):
    kwargs = {"n": n, "low": low, "high": high, "rng": np.random.default_rng(seed)}
    return format_call(run.fn_name, kwargs), run(**kwargs)


def _shape_problem(x, n, called, expected):
    """A failing Verdict when x is not a numeric array of shape (n,), else None."""
    if x is None:
        return _verdict_fail(called, expected, "None", "returned_none")
    if isinstance(x, list | tuple):
        return _verdict_fail(
            called, expected, f"a {type(x).__name__}; return np.asarray(...)", "wrong_type"
        )
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.number):
        return _verdict_fail(called, expected, format_value(x), "wrong_type")
    if x.shape != (n,):
        return _verdict_fail(called, expected, f"shape {x.shape}, expected ({n},)", "wrong_shape")
    if np.any(np.isnan(x)):
        return _verdict_fail(called, expected, format_value(x), "nan")
    return None


def _reproducibility_problem(run, x, n, low, high, called, expected):
    _, again = _draw(run, n, low, high, seed=0)
    _, other = _draw(run, n, low, high, seed=1)
    if not (isinstance(again, np.ndarray) and np.array_equal(again, x)):
        return _verdict_fail(
            called,
            expected + "; the same values again for the same seed",
            "different values for the same seed",
            "ignores_rng",
        )
    if isinstance(other, np.ndarray) and np.array_equal(other, x):
        return _verdict_fail(
            called,
            expected + "; different values for a different seed",
            "the same values for seeds 0 and 1",
            "fixed_seed",
        )
    return None


def _uniform_p(values, low, high):
    """Kolmogorov-Smirnov p-value of values against U[low, high]."""
    return stats.kstest(values, stats.uniform(loc=low, scale=high - low).cdf).pvalue


def _judge_one_minus_log(run):
    n = 2000
    # p-values of the wrong distributions a learner may have drawn, over both ranges
    alternatives = {"linear_scale": [], "log_of_beta": []}
    first_failure = None
    for low, high in ((0.9, 0.999), (0.5, 0.99)):
        expected = (
            f"{n} values in [{low}, {high}] with log10(1 - beta) uniform on "
            f"[{np.log10(1 - high):.3g}, {np.log10(1 - low):.3g}]"
        )
        called, x = _draw(run, n, low, high, seed=0)
        problem = _shape_problem(x, n, called, expected)
        if problem:
            return problem
        if np.any(x < low) or np.any(x > high):
            if np.all((x >= 1 - high) & (x <= 1 - low)):
                # 10**r with r uniform (1 - beta without the 1 - step), or 1 - 10**r with
                # r uniform between log10(low) and log10(high) (the log of beta instead)
                as_forgot = _uniform_p(np.log10(x), np.log10(1 - high), np.log10(1 - low))
                as_beta = _uniform_p(np.log10(1 - x), np.log10(low), np.log10(high))
                mistake = "forgot_one_minus" if as_forgot >= as_beta else "one_minus_log_of_beta"
            elif np.any(x < 0):
                mistake = "exponent_sign"
            elif (low, high) != (0.9, 0.999) and np.all((x >= 0.9) & (x <= 0.999)):
                mistake = "hardcoded_beta_range"
            else:
                mistake = "out_of_range"
            got = f"values from {x.min():.4g} to {x.max():.4g}, outside [{low}, {high}]"
            return _verdict_fail(called, expected, got, mistake)
        problem = _reproducibility_problem(run, x, n, low, high, called, expected)
        if problem:
            return problem
        p = _uniform_p(np.log10(1 - x), np.log10(1 - high), np.log10(1 - low))
        alternatives["linear_scale"].append(_uniform_p(x, low, high))
        alternatives["log_of_beta"].append(_uniform_p(np.log10(x), np.log10(low), np.log10(high)))
        if p < P_MIN and first_failure is None:
            middle = 1 - np.sqrt((1 - low) * (1 - high))
            got = (
                f"{np.mean(x > middle):.0%} of the values above {middle:.4g}, the middle of the "
                f"log(1 - beta) scale (Kolmogorov-Smirnov p = {p:.2g})"
            )
            first_failure = (called, expected + " (half of them above the middle)", got)
    if first_failure is None:
        return Verdict(True, called, expected, format_value(x))
    best = max(alternatives, key=lambda name: min(alternatives[name]))
    mistake = best if min(alternatives[best]) >= P_MIN else "wrong_distribution"
    return _verdict_fail(*first_failure, mistake)


SAMPLE_ONE_MINUS_LOG = Exercise(
    name="scales.sample_one_minus_log",
    notebook=NOTEBOOK,
    title="sample beta on the log(1 - beta) scale",
    reference=scales.sample_one_minus_log,
    judge=_judge_one_minus_log,
)


@SAMPLE_ONE_MINUS_LOG.mistake(
    "linear_scale",
    "Uniform beta puts 90% of the samples in [0.9, 0.99], where the memory is 10 to 100 "
    "steps. Sample r uniformly between log10(1 - high) and log10(1 - low), "
    "then beta = 1 - 10**r.",
)
def _mistake_one_minus_linear(n, low, high, rng):
    return low + rng.random(n) * (high - low)


@SAMPLE_ONE_MINUS_LOG.mistake(
    "log_of_beta",
    "log10(beta) barely moves on [0.9, 0.999]; it is 1 - beta that spans decades "
    "(0.1 to 0.001). Sample log10(1 - beta) uniformly.",
)
def _mistake_log_of_beta(n, low, high, rng):
    return scales.Log(low, high).sample(n, rng)


@SAMPLE_ONE_MINUS_LOG.mistake(
    "forgot_one_minus",
    "Your values are 1 - beta (between 0.001 and 0.1). Return beta = 1 - 10**r.",
)
def _mistake_forgot_one_minus(n, low, high, rng):
    r = np.log10(1 - high) + rng.random(n) * (np.log10(1 - low) - np.log10(1 - high))
    return 10.0**r


@SAMPLE_ONE_MINUS_LOG.mistake(
    "one_minus_log_of_beta",
    "You drew log10(beta) uniformly and returned 1 minus it. It is 1 - beta whose log is "
    "uniform: r between log10(1 - high) and log10(1 - low), then beta = 1 - 10**r.",
)
def _mistake_one_minus_log_of_beta(n, low, high, rng):
    return 1 - 10.0 ** rng.uniform(np.log10(low), np.log10(high), size=n)


@SAMPLE_ONE_MINUS_LOG.mistake(
    "ignores_rng",
    "Draw from the Generator you are given (rng.random(n) or rng.uniform(...)), not from "
    "np.random, so the same seed gives the same samples.",
)
def _mistake_ignores_rng(n, low, high, rng):
    r = np.log10(1 - high) + np.random.rand(n) * (np.log10(1 - low) - np.log10(1 - high))  # noqa: NPY002
    return 1 - 10.0**r


@SAMPLE_ONE_MINUS_LOG.mistake(
    "hardcoded_beta_range",
    "r in [-3, -1] is right only for [0.9, 0.999]: compute the exponents from low, high.",
)
def _mistake_hardcoded_beta_range(n, low, high, rng):
    return 1 - 10.0 ** (-3 + 2 * rng.random(n))


def _judge_integers(run):
    n = 6000
    for low, high in ((2, 7), (50, 60)):
        k = high - low + 1
        expected = f"{n} integers from {low} to {high}, each about {n / k:.0f} times"
        called, x = _draw(run, n, low, high, seed=0)
        problem = _shape_problem(x, n, called, expected)
        if problem:
            return problem
        if not np.all(x == np.round(x)):
            return _verdict_fail(called, expected, format_value(x), "not_integers")
        if not np.issubdtype(x.dtype, np.integer):
            return _verdict_fail(
                called, expected, f"whole numbers stored as {x.dtype}", "float_dtype"
            )
        if np.any(x < low) or np.any(x > high):
            got = f"values from {x.min()} to {x.max()}, outside [{low}, {high}]"
            return _verdict_fail(called, expected, got, "out_of_range")
        counts = np.bincount(x - low, minlength=k)
        got = "counts " + ", ".join(f"{low + i}: {c}" for i, c in enumerate(counts))
        if counts[0] == 0:
            return _verdict_fail(called, expected, got, "low_excluded")
        if counts[-1] == 0:
            return _verdict_fail(called, expected, got, "high_excluded")
        problem = _reproducibility_problem(run, x, n, low, high, called, expected)
        if problem:
            return problem
        p = stats.chisquare(counts).pvalue
        if p < P_MIN:
            inner = counts[1:-1].mean()
            ends = counts[[0, -1]].mean()
            mistake = "rounding_halves_ends" if ends < 0.75 * inner else "not_uniform"
            return _verdict_fail(called, expected, f"{got} (chi-square p = {p:.2g})", mistake)
    return Verdict(True, called, expected, format_value(x))


SAMPLE_INTEGERS = Exercise(
    name="scales.sample_integers",
    notebook=NOTEBOOK,
    title="sample a number of hidden units",
    reference=scales.sample_integers,
    judge=_judge_integers,
)


@SAMPLE_INTEGERS.mistake(
    "high_excluded",
    "rng.integers(low, high) stops before high. Pass high + 1 (or endpoint=True).",
)
def _int_high_excluded(n, low, high, rng):
    return rng.integers(low, high, size=n)


@SAMPLE_INTEGERS.mistake(
    "low_excluded",
    "low itself never comes up: start the draw at low, not low + 1.",
)
def _int_low_excluded(n, low, high, rng):
    return rng.integers(low + 1, high + 1, size=n)


@SAMPLE_INTEGERS.mistake(
    "rounding_halves_ends",
    "Rounding low + u (high - low) gives low and high only half a bin each. Use "
    "rng.integers(low, high + 1, size=n).",
)
def _int_rounding_halves_ends(n, low, high, rng):
    return np.round(low + rng.random(n) * (high - low)).astype(int)


@SAMPLE_INTEGERS.mistake(
    "not_integers",
    "#units must be whole numbers: draw integers, not points on a line.",
)
def _int_not_integers(n, low, high, rng):
    return low + rng.random(n) * (high - low)


@SAMPLE_INTEGERS.mistake(
    "float_dtype",
    "The values are whole but stored as floats; return an integer array (.astype(int)).",
)
def _int_float_dtype(n, low, high, rng):
    return rng.integers(low, high + 1, size=n).astype(float)


@SAMPLE_INTEGERS.mistake(
    "ignores_rng",
    "Draw from the Generator you are given (rng.integers), not from np.random, so the same "
    "seed gives the same samples.",
)
def _int_ignores_rng(n, low, high, rng):
    return np.random.randint(low, high + 1, size=n)  # noqa: NPY002


EXERCISES = (SAMPLE_INTEGERS, LOG_FROM_UNIT, REMEMBERED_STEPS, SAMPLE_ONE_MINUS_LOG)
