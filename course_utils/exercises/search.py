"""Exercises of notebook 01 (hyperparameter search) and their catalogues of common mistakes.

Search functions return plain Python structures (a list of configs, a space, a dict of shares),
so they declare how those structures are compared (``problem``): the keys and their order,
the Scale types, the values. ``random_search`` is random: its judge tests properties instead
(range, distinct values, uniformity of each hyperparameter on its own scale, both ends of every
Integer range, independence between hyperparameters, reproducibility from the seeded
Generator).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from itertools import product

import numpy as np
from scipy import stats

from .. import scales, search
from . import Exercise, Verdict
from .compare import dict_problem, format_call, format_value, is_number, numbers_problem

NOTEBOOK = "01"
#: A statistical test fails below this p-value; with fixed seeds the verdict is reproducible.
P_MIN = 1e-3

#: Hints for the structural mistakes these exercises name beyond the checker's generic ones.
HINTS = {
    "wrong_keys": "Each config (or space) has the space's names as keys, in the space's order: "
    "build it with a loop over space.items().",
    "wrong_scale_type": "Keep each hyperparameter's Scale type: build the new scale with "
    "type(scale)(low, high).",
    "lower_end_left_out": "Every integer of [low, high] must come up, low included: map u "
    "through scale.from_unit(u) (or rng.integers(low, high + 1)).",
    "not_uniform": "Each integer of [low, high] should come up about equally often: map u "
    "through scale.from_unit(u), which cuts [0, 1] into high - low + 1 equal bins (rounding "
    "low + u * (high - low) gives each end only half a share).",
}

#: The hint for configs given as a generator (or another iterator) instead of a list.
RETURN_A_LIST = (
    "Return a list of configs: a comprehension in square brackets, [dict(...) for ...], not "
    "in parentheses (that makes a generator), and append to a list rather than `yield`. A "
    "generator is read only once and has no len() and no configs[i]."
)


def _space():
    """The space the cases use; its order (alpha, units, beta, dropout) is not alphabetical."""
    return {
        "alpha": scales.Log(1e-4, 1.0),
        "units": scales.Integer(16, 256),
        "beta": scales.OneMinusLog(0.9, 0.999),
        "dropout": scales.Linear(0.0, 0.5),
    }


def _fail(called, expected, got, mistake, hint=None):
    return Verdict(False, called, expected, got, mistake, hint or HINTS.get(mistake))


# ---------------------------------------------------------------- comparing structures


def _is_iterator(value):
    """True for a generator (a function with `yield`, a (... for ...) expression), a map, ..."""
    return isinstance(value, Iterator)


def _configs_problem(got, expected):
    if _is_iterator(got):
        if _is_iterator(expected):  # the catalogued returned_generator: the learner's too
            return None
        kind = type(got).__name__
        return (
            "returned_generator",
            f"a {kind}, expected a list of dicts (the configs): a {kind} is read once, one "
            "config at a time, and has no len()",
        )
    if got is None:
        return "returned_none", "returned None"
    if not isinstance(got, list):
        return "wrong_type", f"a {type(got).__name__}, expected a list of dicts (the configs)"
    if len(got) != len(expected):
        return "wrong_shape", f"{len(got)} configs, expected {len(expected)}"
    for i, (g, e) in enumerate(zip(got, expected, strict=True)):
        problem = dict_problem(g, e, "a config") or numbers_problem(g, e, f"configs[{i}]")
        if problem:
            if problem[0] == "wrong_value":
                return problem[0], f"{problem[1]}; configs[{i}] = {g}, expected {e}"
            return problem[0], f"configs[{i}]: {problem[1]}"
    return None


def _space_problem(got, expected):
    problem = dict_problem(got, expected, "the new space, name -> Scale")
    if problem:
        return problem
    for name, scale in expected.items():
        g = got[name]
        if type(g) is not type(scale):
            return "wrong_scale_type", f"{name}: {g!r}, expected {scale!r}"
        if not (np.isclose(g.low, scale.low, rtol=1e-7) and np.isclose(g.high, scale.high)):
            return "wrong_value", f"{name}: {g!r}, expected {scale!r}"
    return None


def _shares_problem(got, expected):
    # rtol 1e-5: results given as np.float32 may be averaged in float32 (np.asarray(results))
    return dict_problem(got, expected, "name -> share") or numbers_problem(
        got, expected, "shares", rtol=1e-5, atol=1e-9
    )


# ---------------------------------------------------------------- grid_search


def _grid_cases():
    return [
        {"space": _space(), "n_per_axis": 3},
        {"space": _space(), "n_per_axis": {"alpha": 4, "units": 2, "beta": 3, "dropout": 2}},
        {
            "space": {"alpha": scales.Log(1e-4, 1.0), "dropout": scales.Linear(0.0, 0.5)},
            "n_per_axis": 3,
            "max_configs": 5,
        },
    ]


def _counts(space, n_per_axis):
    if isinstance(n_per_axis, dict):
        return [n_per_axis[name] for name in space]
    return [n_per_axis] * len(space)


def _grid_with(space, axes, names):
    return [dict(zip(names, values, strict=True)) for values in product(*axes)]


def _grid_warned(kwargs, got, caught):
    max_configs = kwargs.get("max_configs")
    if max_configs is None or len(got) <= max_configs:
        return None
    if any(issubclass(w.category, UserWarning) for w in caught):
        return None
    return "no_warning", f"all {len(got)} configs, but no warning about max_configs={max_configs}"


GRID_SEARCH = Exercise(
    name="search.grid_search",
    notebook=NOTEBOOK,
    title="a grid of configs on the right scales",
    reference=search.grid_search,
    cases=_grid_cases,
    problem=_configs_problem,
    also=_grid_warned,
    hints=HINTS,
)


@GRID_SEARCH.mistake(
    "linear_grid",
    "np.linspace(low, high, n) spaces the values linearly whatever the scale: on a Log axis "
    "almost all of them land in the top decade. Take scale.grid(n), evenly spaced in u.",
)
def _grid_linear(space, n_per_axis, *, max_configs=None):
    axes = []
    for scale, n in zip(space.values(), _counts(space, n_per_axis), strict=True):
        values = np.linspace(scale.low, scale.high, n)
        if isinstance(scale, scales.Integer):
            values = np.round(values).astype(int)
        axes.append([v.item() for v in values])
    return _grid_with(space, axes, list(space))


@GRID_SEARCH.mistake(
    "silently_cut",
    "Cutting the grid to max_configs drops values of the last hyperparameters without a "
    "word. Return the full grid and warnings.warn(...) naming both sizes.",
)
def _grid_cut(space, n_per_axis, *, max_configs=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        configs = search.grid_search(space, n_per_axis)
    return configs if max_configs is None else configs[:max_configs]


@GRID_SEARCH.mistake(
    "keys_sorted",
    "Keep the space's order of the names (a loop over space, not sorted(space)): configs "
    "should read in the order the learner wrote the space.",
)
def _grid_sorted_keys(space, n_per_axis, *, max_configs=None):
    names = sorted(space)
    counts = dict(zip(space, _counts(space, n_per_axis), strict=True))
    axes = [[v.item() for v in space[name].grid(counts[name])] for name in names]
    return _grid_with(space, axes, names)


@GRID_SEARCH.mistake(
    "first_axis_fastest",
    "itertools.product(*axes) over the axes in the space's order makes the last "
    "hyperparameter vary fastest; yours varies the first fastest.",
)
def _grid_first_fastest(space, n_per_axis, *, max_configs=None):
    names = list(space)
    axes = [
        [v.item() for v in scale.grid(n)]
        for scale, n in zip(space.values(), _counts(space, n_per_axis), strict=True)
    ]
    return [dict(zip(names, reversed(values), strict=True)) for values in product(*reversed(axes))]


@GRID_SEARCH.mistake(
    "no_warning",
    "The values are right, but a grid larger than max_configs must warn: "
    "warnings.warn(f'the grid has {size} configs, more than max_configs={max_configs}').",
)
def _grid_no_warning(space, n_per_axis, *, max_configs=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return search.grid_search(space, n_per_axis)


@GRID_SEARCH.mistake(
    "endpoint_excluded",
    "np.linspace(0, 1, n, endpoint=False) stops short of 1, so no config reaches the top of "
    "a range (alpha never tries high). Leave endpoint at its default True, so that u runs from "
    "0 to 1 with both ends: scale.grid(n) does it for you.",
)
def _grid_endpoint_excluded(space, n_per_axis, *, max_configs=None):
    axes = [
        [v.item() for v in scale.from_unit(np.linspace(0.0, 1.0, n, endpoint=False))]
        for scale, n in zip(space.values(), _counts(space, n_per_axis), strict=True)
    ]
    configs = _grid_with(space, axes, list(space))
    if max_configs is not None and len(configs) > max_configs:
        warnings.warn(f"{len(configs)} configs, more than max_configs={max_configs}", stacklevel=2)
    return configs


@GRID_SEARCH.mistake("returned_generator", RETURN_A_LIST)
def _grid_generator(space, n_per_axis, *, max_configs=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        configs = search.grid_search(space, n_per_axis, max_configs=max_configs)
    return (config for config in configs)


# ---------------------------------------------------------------- random_search


def _configs_shape_problem(x, space, n, called, expected):
    if x is None:
        return _fail(called, expected, "None", "returned_none")
    if _is_iterator(x):
        got = f"a {type(x).__name__}, expected a list of dicts (the configs)"
        return _fail(called, expected, got, "wrong_type", RETURN_A_LIST)
    if not isinstance(x, list) or not all(isinstance(c, dict) for c in x):
        return _fail(called, expected, format_value(x), "wrong_type")
    if len(x) != n:
        return _fail(called, expected, f"{len(x)} configs, expected {n}", "wrong_shape")
    for c in x:
        if list(c) != list(space):
            return _fail(called, expected, f"a config with keys {list(c)}", "wrong_keys")
        for name, value in c.items():
            if not is_number(value) or math.isnan(float(value)):
                return _fail(called, expected, f"{name} = {value!r}", "wrong_type")
    return None


def _columns(x, space):
    return {name: np.array([c[name] for c in x], dtype=float) for name in space}


def _random_space():
    """The random search judge's space: ``_space()`` and a short Integer range.

    With 4 values, the chi-square test sees an Integer scale that is not uniform (rounding
    low + u (high - low) gives each end half a share). Both ends of every Integer range must
    come up in the 2 x 2000 configs of seeds 0 and 1: a uniform draw misses an end of
    Integer(16, 256) with probability (240 / 241)**4000 < 1e-7.
    """
    return {**_space(), "layers": scales.Integer(1, 4)}


def _integer_ends_problem(space, cols, other_cols, called, expected):
    """A Verdict when an end of an Integer range never came up in either draw, else None."""
    for name, scale in space.items():
        if not isinstance(scale, scales.Integer):
            continue
        seen = np.concatenate([cols[name], other_cols[name]])
        n_values = scale.high - scale.low + 1
        for end, which in ((scale.high, "upper"), (scale.low, "lower")):
            if np.any(seen == end):
                continue
            missed = (1 - 1 / n_values) ** seen.size
            got = (
                f"{name} never took its {which} end {end} in {seen.size} configs (seeds 0 and "
                f"1) on {scale!r}; a uniform draw misses it with probability {missed:.1g}"
            )
            return _fail(called, expected, got, f"{which}_end_left_out")
    return None


def _integer_uniformity_problem(space, cols, called, expected):
    """A Verdict when the counts of an Integer scale's values fail a chi-square test."""
    for name, scale in space.items():
        if not isinstance(scale, scales.Integer):
            continue
        k = cols[name].astype(int) - scale.low
        counts = np.bincount(k, minlength=scale.high - scale.low + 1)
        p = stats.chisquare(counts).pvalue
        if p < P_MIN:
            shown = np.array2string(counts, threshold=8, edgeitems=3, separator=", ")
            got = (
                f"{name}: the values {scale.low}..{scale.high} came up {shown} times, not "
                f"equally often (chi-square test, p = {p:.2g})"
            )
            return _fail(called, expected, got, "not_uniform")
    return None


def _judge_random(run):
    n = 2000
    space = _random_space()
    expected = (
        f"{n} configs with keys {list(space)}, each hyperparameter uniform on its own scale "
        "(every integer of an Integer range, both ends included), independent of the others"
    )

    def draw(seed):
        kwargs = {"space": space, "n": n, "rng": np.random.default_rng(seed)}
        return format_call(run.fn_name, kwargs), run(**kwargs)

    called, x = draw(0)
    problem = _configs_shape_problem(x, space, n, called, expected)
    if problem:
        return problem
    cols = _columns(x, space)
    for name, scale in space.items():
        v = cols[name]
        if np.any(v < scale.low) or np.any(v > scale.high):
            got = f"{name} from {v.min():.4g} to {v.max():.4g}, outside {scale!r}"
            return _fail(called, expected, got, "out_of_range")
        if isinstance(scale, scales.Integer) and np.any(v != np.round(v)):
            got = f"{name} = {float(v[v != np.round(v)][0]):.6g}, not a whole number, on {scale!r}"
            hint = "An Integer scale gives whole numbers: map u through scale.from_unit(u)."
            return _fail(called, expected, got, "wrong_type", hint)
    _, again = draw(0)
    if again != x:
        return _fail(
            called,
            expected + "; the same configs for the same seed",
            "different configs",
            "ignores_rng",
        )
    other_called, other = draw(1)
    if other == x:
        return _fail(called, expected, "the same configs for seeds 0 and 1", "fixed_seed")
    problem = _configs_shape_problem(other, space, n, other_called, expected)
    if problem:
        return problem
    continuous = {name: s for name, s in space.items() if not isinstance(s, scales.Integer)}
    for name in continuous:
        distinct = np.unique(cols[name]).size
        if distinct < 0.9 * n:
            got = f"only {distinct} distinct values of {name} in {n} configs"
            return _fail(called, expected, got, "grid_values")
    units = {name: scale.to_unit(cols[name]) for name, scale in space.items()}
    # Kolmogorov-Smirnov on the continuous scales; the Integer ones get a chi-square test below
    failing = {name: stats.kstest(units[name], "uniform").pvalue for name in continuous}
    failing = {name: p for name, p in failing.items() if p < P_MIN}
    if failing:
        name, p = next(iter(failing.items()))
        linear_ok = all(
            stats.kstest((cols[k] - s.low) / (s.high - s.low), "uniform").pvalue >= P_MIN
            for k, s in continuous.items()
        )
        got = (
            f"{name} is not uniform on its scale {space[name]!r}: the unit values fail a "
            f"Kolmogorov-Smirnov test (p = {p:.2g})"
        )
        return _fail(called, expected, got, "linear_scale" if linear_ok else "wrong_distribution")
    problem = _integer_ends_problem(
        space, cols, _columns(other, space), called, expected
    ) or _integer_uniformity_problem(space, cols, called, expected)
    if problem:
        return problem
    corr = np.corrcoef(np.array(list(units.values())))
    off = np.abs(corr - np.eye(len(space)))
    i, j = np.unravel_index(np.argmax(off), off.shape)
    if off[i, j] > 0.1:
        names = list(space)
        got = (
            f"the unit values of {names[i]} and {names[j]} are correlated "
            f"(r = {corr[i, j]:.2f}): they move together"
        )
        return _fail(called, expected, got, "same_u_for_all")
    return Verdict(True, called, expected, format_value(x))


RANDOM_SEARCH = Exercise(
    name="search.random_search",
    notebook=NOTEBOOK,
    title="random search on the right scales",
    reference=search.random_search,
    judge=_judge_random,
)


@RANDOM_SEARCH.mistake(
    "linear_scale",
    "low + u (high - low) is uniform in value, not on the hyperparameter's scale: map each u "
    "through scale.from_unit(u) so that alpha is uniform in log10(alpha).",
)
def _random_linear(space, n, rng):
    columns = {}
    for name, scale in space.items():
        x = scale.low + rng.random(n) * (scale.high - scale.low)
        columns[name] = np.round(x).astype(int) if isinstance(scale, scales.Integer) else x
    return [{name: columns[name][j].item() for name in space} for j in range(n)]


@RANDOM_SEARCH.mistake(
    "same_u_for_all",
    "One u shared by all hyperparameters moves them together (a large alpha always comes "
    "with a large beta): draw a separate u for each hyperparameter, rng.random((d, n)).",
)
def _random_one_u(space, n, rng):
    u = rng.random(n)
    columns = {name: scale.from_unit(u) for name, scale in space.items()}
    return [{name: columns[name][j].item() for name in space} for j in range(n)]


@RANDOM_SEARCH.mistake(
    "ignores_rng",
    "Draw from the Generator you are given (rng.random), not from np.random, so the same "
    "seed gives the same configs.",
)
def _random_global(space, n, rng):
    columns = {name: scale.from_unit(np.random.random(n)) for name, scale in space.items()}  # noqa: NPY002
    return [{name: columns[name][j].item() for name in space} for j in range(n)]


@RANDOM_SEARCH.mistake(
    "grid_values",
    "Your configs take only a few values of each hyperparameter, as a grid does: random "
    "search draws a fresh u for every trial, so each hyperparameter takes n distinct values.",
)
def _random_grid(space, n, rng):
    per_axis = max(2, math.ceil(n ** (1 / len(space))))
    grid = search.grid_search(space, per_axis)
    return [dict(grid[i]) for i in rng.choice(len(grid), size=n, replace=len(grid) < n)]


@RANDOM_SEARCH.mistake(
    "upper_end_left_out",
    "rng.integers(low, high) leaves high out; map u through scale.from_unit "
    "(or rng.integers(low, high + 1)).",
)
def _random_upper_end_left_out(space, n, rng):
    columns = {}
    for name, scale in space.items():
        if isinstance(scale, scales.Integer):
            columns[name] = rng.integers(scale.low, scale.high, size=n)  # never draws high
        else:
            columns[name] = scale.from_unit(rng.random(n))
    return [{name: columns[name][j].item() for name in space} for j in range(n)]


# ---------------------------------------------------------------- narrow


def _narrow_cases():
    two = [
        {"alpha": 1e-3, "units": 100, "beta": 0.99, "dropout": 0.1},
        {"alpha": 3e-3, "units": 120, "beta": 0.995, "dropout": 0.2},
    ]
    edge = [{"alpha": 0.5, "units": 250, "beta": 0.9, "dropout": 0.45}]
    three = [
        {"alpha": 2e-2, "units": 40, "beta": 0.95, "dropout": 0.3},
        {"alpha": 1e-2, "units": 64, "beta": 0.97, "dropout": 0.25},
        {"alpha": 5e-2, "units": 50, "beta": 0.98, "dropout": 0.35},
    ]
    # Short Integer ranges, where the integers whose bin centres lie in [u_low, u_high] differ
    # from the ends mapped by from_unit and from low + u (high - low) rounded (or ceil/floor).
    wide = [{"layers": 1, "warmup": 5, "epochs": 2}, {"layers": 4, "warmup": 6, "epochs": 4}]
    mid = [{"layers": 2, "warmup": 4, "epochs": 2}, {"layers": 5, "warmup": 8, "epochs": 6}]
    tight = [{"layers": 1, "warmup": 0, "epochs": 2}, {"layers": 6, "warmup": 7, "epochs": 4}]
    return [
        {"space": _space(), "best_configs": two, "shrink": 0.5},
        {"space": _space(), "best_configs": edge, "shrink": 0.4},
        {"space": _space(), "best_configs": three, "shrink": 0.25},
        {"space": _integer_space(), "best_configs": wide, "shrink": 0.5},
        {"space": _integer_space(), "best_configs": mid, "shrink": 0.3},
        {"space": _integer_space(), "best_configs": tight, "shrink": 0.25},
    ]


def _integer_space():
    return {
        "layers": scales.Integer(1, 6),
        "warmup": scales.Integer(0, 9),
        "epochs": scales.Integer(2, 12),
    }


def _unit_from(scale, u):
    """scale.from_unit without its check that u lies in [0, 1] (continuous scales)."""
    if isinstance(scale, scales.Log):
        return float(scales.log_from_unit(u, scale.low, scale.high))
    if isinstance(scale, scales.OneMinusLog):
        return float(1 - scales.log_from_unit(1 - u, 1 - scale.high, 1 - scale.low))
    return float(scale.low + u * (scale.high - scale.low))


def _narrow_with(space, best_configs, shrink, *, clip=True, centre_of=None):
    new = {}
    for name, scale in space.items():
        picked = best_configs if centre_of is None else best_configs[:centre_of]
        u = scale.to_unit(np.array([c[name] for c in picked], dtype=float))
        centre = (u.min() + u.max()) / 2
        lo, hi = centre - shrink / 2, centre + shrink / 2
        if isinstance(scale, scales.Integer) or clip:
            new[name] = search.narrow({name: scale}, picked, shrink)[name]
        else:
            new[name] = type(scale)(_unit_from(scale, lo), _unit_from(scale, hi))
    return new


def _narrow_integers_by(bounds):
    """The reference, with the Integer bounds taken by bounds(scale, u_low, u_high)."""

    def narrow(space, best_configs, shrink=0.5):
        new = search.narrow(space, best_configs, shrink)
        for name, scale in space.items():
            if isinstance(scale, scales.Integer):
                x = np.array([c[name] for c in best_configs], dtype=float)
                u = np.clip(scale.to_unit(x), 0.0, 1.0)
                centre = (u.min() + u.max()) / 2
                lo, hi = max(0.0, centre - shrink / 2), min(1.0, centre + shrink / 2)
                new[name] = scales.Integer(*(int(k) for k in bounds(scale, lo, hi)))
        return new

    return narrow


def _linear(scale, u):
    return scale.low + u * (scale.high - scale.low)


#: The rule for the Integer bounds, as the hints state it.
_INTEGER_RULE = (
    "keep the integers whose bin centre (k - low + 0.5) / (high - low + 1) lies in "
    "[u_low, u_high] (at least two of them)"
)


def _unclipped(space, best_configs, shrink):
    """(name, u_low, u_high) of the first hyperparameter whose interval of u, centred on the
    best configs and not clipped, leaves [0, 1]; else None."""
    for name, scale in space.items():
        u = np.clip(scale.to_unit(np.array([c[name] for c in best_configs], dtype=float)), 0, 1)
        centre = (u.min() + u.max()) / 2
        u_low, u_high = centre - shrink / 2, centre + shrink / 2
        if u_low < 0 or u_high > 1:
            return name, u_low, u_high
    return None


def _narrow_raised(kwargs):
    """A learner's exception on a case whose interval must be clipped: it was not clipped.

    scale.from_unit raises "u must lie in [0, 1]" on the ends of an unclipped interval, before
    any value can be compared with the reference's.
    """
    poking = _unclipped(kwargs["space"], kwargs["best_configs"], kwargs.get("shrink", 0.5))
    if poking is None:
        return None
    name, u_low, u_high = poking
    return (
        "no_clipping",
        f"on a case whose interval of u pokes out of [0, 1]: for {name} it runs from "
        f"{u_low:.3f} to {u_high:.3f} before clipping",
    )


NARROW = Exercise(
    name="search.narrow",
    notebook=NOTEBOOK,
    title="one round of coarse-to-fine",
    reference=search.narrow,
    cases=_narrow_cases,
    problem=_space_problem,
    raised=_narrow_raised,
    hints=HINTS,
)


@NARROW.mistake(
    "no_clipping",
    "Near the edge of the space the interval pokes out of it: clip the u-interval to "
    "[0, 1] before mapping it back, so coarse-to-fine never leaves the space.",
)
def _narrow_no_clip(space, best_configs, shrink=0.5):
    return _narrow_with(space, best_configs, shrink, clip=False)


@NARROW.mistake(
    "shrinks_in_value_space",
    "You shrank the range of values; on a Log scale shrink the interval of u "
    "(scale.to_unit), or the new range is lopsided in decades.",
)
def _narrow_value_space(space, best_configs, shrink=0.5):
    new = {}
    for name, scale in space.items():
        x = np.array([c[name] for c in best_configs], dtype=float)
        centre, half = (x.min() + x.max()) / 2, shrink * (scale.high - scale.low) / 2
        lo, hi = max(scale.low, centre - half), min(scale.high, centre + half)
        if isinstance(scale, scales.Integer):
            lo, hi = math.ceil(lo), math.floor(hi)
        new[name] = type(scale)(lo, hi)
    return new


@NARROW.mistake(
    "shrink_as_half_width",
    "shrink is the WIDTH of the new interval of u, not its half-width: centre - shrink / 2 "
    "to centre + shrink / 2. Yours spans 2 * shrink, twice the width asked for.",
)
def _narrow_half_width(space, best_configs, shrink=0.5):
    new = {}
    for name, scale in space.items():
        u = np.clip(scale.to_unit(np.array([c[name] for c in best_configs], dtype=float)), 0, 1)
        centre = (u.min() + u.max()) / 2
        u_low, u_high = max(0.0, centre - shrink), min(1.0, centre + shrink)
        if isinstance(scale, scales.Integer):
            new[name] = scales.Integer(*search._integer_bounds(scale, u_low, u_high))
        else:
            low, high = scale.from_unit(np.array([u_low, u_high]))
            new[name] = type(scale)(float(low), float(high))
    return new


@NARROW.mistake(
    "not_narrowing",
    "The space came back unchanged: centre an interval of width shrink (in u) on the best "
    "configs and map its ends back with scale.from_unit.",
)
def _narrow_not_narrowing(space, best_configs, shrink=0.5):
    return dict(space)


@NARROW.mistake(
    "first_best_only",
    "Centre the interval on all the best configs (the middle of their unit values), not on "
    "the first one only.",
)
def _narrow_first_only(space, best_configs, shrink=0.5):
    return _narrow_with(space, best_configs, shrink, centre_of=1)


@NARROW.mistake(
    "integer_as_linear",
    "#units must stay whole numbers: an Integer scale narrows to an Integer scale: "
    + _INTEGER_RULE
    + ".",
)
def _narrow_integer_as_linear(space, best_configs, shrink=0.5):
    new = search.narrow(space, best_configs, shrink)
    for name, scale in space.items():
        if isinstance(scale, scales.Integer):
            u = scale.to_unit(np.array([c[name] for c in best_configs], dtype=float))
            centre = (u.min() + u.max()) / 2
            lo, hi = max(0.0, centre - shrink / 2), min(1.0, centre + shrink / 2)
            new[name] = scales.Linear(
                float(scale.low + lo * (scale.high - scale.low)),
                float(scale.low + hi * (scale.high - scale.low)),
            )
    return new


NARROW.mistake(
    "integer_from_unit",
    "scale.from_unit(u_low) is the integer whose bin CONTAINS u_low, even when most of that "
    "bin lies outside [u_low, u_high]. An Integer scale cuts [0, 1] into high - low + 1 "
    "equal bins: " + _INTEGER_RULE + ".",
    _narrow_integers_by(lambda scale, lo, hi: scale.from_unit(np.array([lo, hi]))),
)


NARROW.mistake(
    "integer_rounded_linearly",
    "low + u * (high - low) is the Linear map; an Integer scale cuts [0, 1] into "
    "high - low + 1 equal bins, one per integer, so rounding that value (or its ceil and "
    "floor) takes the wrong integers: " + _INTEGER_RULE + ".",
    _narrow_integers_by(
        lambda scale, lo, hi: (round(_linear(scale, lo)), round(_linear(scale, hi)))
    ),
)
NARROW.mistake(  # rounded with ceil and floor: another form of the same mistake
    "integer_rounded_linearly",
    fn=_narrow_integers_by(
        lambda scale, lo, hi: (math.ceil(_linear(scale, lo)), math.floor(_linear(scale, hi)))
    ),
    variant=True,
)


# ---------------------------------------------------------------- importance


def _importance_cases():
    space = {
        "alpha": scales.Log(1e-4, 1.0),
        "units": scales.Integer(16, 256),
        "dropout": scales.Linear(0.0, 0.5),
    }
    cases = []
    for seed, n, n_bins in ((0, 200, 5), (1, 120, 4), (2, 150, 5), (3, 100, 5)):
        configs = search.random_search(space, n, np.random.default_rng(seed))
        results = [float(-((np.log10(c["alpha"]) + 2) ** 2) + 0.002 * c["units"]) for c in configs]
        cases.append({"space": space, "configs": configs, "results": results, "n_bins": n_bins})
    # failed trials, which importance leaves out: NaN, a TrialError (run_trials), None
    failed = cases[2]["results"]  # early in the list, so that the report's Called shows them
    failed[1] = None
    failed[2] = float("nan")
    failed[3] = search.TrialError(dict(cases[2]["configs"][3]), "FloatingPointError", "overflow")
    failed[99] = float("nan")
    # results as np.float32 (as a float32 network may give them): numbers like any other
    cases[3]["results"] = [np.float32(r) for r in cases[3]["results"]]
    return cases


def _failed(result):
    """True for a failed trial's result: a non-number (a TrialError, None) or NaN."""
    try:
        return math.isnan(float(result))
    except (TypeError, ValueError):
        return True


def _kept(configs, results):
    """The configs and results of the trials that did not fail."""
    kept = [(c, r) for c, r in zip(configs, results, strict=True) if not _failed(r)]
    return [c for c, _ in kept], [float(r) for _, r in kept]


def _between(space, configs, results, n_bins, unit, weighted=True):
    configs, results = _kept(configs, results)
    y = np.asarray(results, dtype=float)
    shares = {}
    for name, scale in space.items():
        u = unit(scale, np.array([c[name] for c in configs], dtype=float))
        bins = np.clip(np.floor(u * n_bins), 0, n_bins - 1).astype(int)
        means = np.array([y[bins == b].mean() for b in range(n_bins) if np.any(bins == b)])
        counts = np.array([np.sum(bins == b) for b in range(n_bins) if np.any(bins == b)])
        if weighted:
            shares[name] = float(np.sum(counts * (means - y.mean()) ** 2) / y.size)
        else:
            shares[name] = float(np.var(means))
    return shares, float(y.var())


def _importance_raised(kwargs):
    """A learner's exception on results that hold failed trials: it kept them."""
    if any(_failed(r) for r in kwargs["results"]):
        return "kept_failed_trials", "on results that hold failed trials (NaN, a TrialError, None)"
    return None


IMPORTANCE = Exercise(
    name="search.importance",
    notebook=NOTEBOOK,
    title="which hyperparameters matter",
    reference=search.importance,
    cases=_importance_cases,
    problem=_shares_problem,
    raised=_importance_raised,
    hints=HINTS,
)


@IMPORTANCE.mistake(
    "raw_variance",
    "The variance of the raw results is the same for every hyperparameter. Average the "
    "results within bins of the hyperparameter's unit value, then take the variance of "
    "those bin means.",
)
def _imp_raw_variance(space, configs, results, n_bins=5):
    y = np.asarray(_kept(configs, results)[1], dtype=float)
    return {name: float(y.var() / y.var()) for name in space}


@IMPORTANCE.mistake(
    "not_divided",
    "Divide the variance of the bin means by the total variance of the results, so that "
    "each share lies in [0, 1].",
)
def _imp_not_divided(space, configs, results, n_bins=5):
    return _between(space, configs, results, n_bins, lambda s, x: s.to_unit(x))[0]


@IMPORTANCE.mistake(
    "bins_by_value",
    "Bin by the unit value scale.to_unit(x), not by the value: on a Log axis equal bins of "
    "value put almost every trial in the top bin.",
)
def _imp_by_value(space, configs, results, n_bins=5):
    shares, total = _between(
        space, configs, results, n_bins, lambda s, x: (x - s.low) / (s.high - s.low)
    )
    return {name: share / total for name, share in shares.items()}


@IMPORTANCE.mistake(
    "unweighted_bin_means",
    "Weight each bin mean by how many trials fell in it (the between-bin variance "
    "sum n_b (mean_b - mean)**2 / n), or the shares need not add up sensibly.",
)
def _imp_unweighted(space, configs, results, n_bins=5):
    shares, total = _between(
        space, configs, results, n_bins, lambda s, x: s.to_unit(x), weighted=False
    )
    return {name: share / total for name, share in shares.items()}


@IMPORTANCE.mistake(
    "kept_failed_trials",
    "Leave out the failed trials, their results AND their configs: a result that is NaN "
    "or not a number at all (a TrialError from run_trials, None). Convert each with "
    "float(r) inside try/except (TypeError, ValueError), a failure giving np.nan, then keep "
    "the trials where np.isfinite(score); one NaN kept makes every share NaN.",
)
def _imp_kept_failed(space, configs, results, n_bins=5):
    scores = np.array([np.nan if _failed(r) else float(r) for r in results])
    total = scores.var()  # NaN as soon as one trial failed
    shares = {}
    for name, scale in space.items():
        u = scale.to_unit(np.array([c[name] for c in configs], dtype=float))
        bins = np.clip(np.floor(u * n_bins), 0, n_bins - 1).astype(int)
        counts = np.bincount(bins, minlength=n_bins)
        sums = np.bincount(bins, weights=scores, minlength=n_bins)
        filled = counts > 0
        means = sums[filled] / counts[filled]
        between = np.sum(counts[filled] * (means - scores.mean()) ** 2) / scores.size
        shares[name] = float(between / total)
    return shares


EXERCISES = (GRID_SEARCH, RANDOM_SEARCH, NARROW, IMPORTANCE)
