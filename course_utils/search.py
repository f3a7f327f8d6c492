"""Hyperparameter search: grids, random search, coarse-to-fine, importance, trials (notebook 01).

A *space* is a plain dict name -> ``Scale`` (see ``course_utils.scales``); a *config* is a
plain dict name -> value, with its keys in the space's order. Every strategy works in the unit
interval and maps through the scale, so one abstraction gives three strategies:

- ``grid_search``: evenly spaced u on every axis, and every combination of them.
- ``random_search``: an independent u ~ U[0, 1] for every hyperparameter of every trial. With
  the same budget, a grid of n trials tries only n**(1/d) values of each hyperparameter; random
  search tries n values of each, which is what counts when only a few hyperparameters matter.
- ``coarse_to_fine``: random search, then ``narrow`` the u-interval around the best trials and
  search again there.

``importance`` measures which hyperparameters matter from the trials themselves, and
``run_trials`` runs an objective on every config, on any ``concurrent.futures.Executor``
(the caviar strategy: many models in parallel).

>>> from course_utils import scales
>>> space = {"alpha": scales.Log(1e-4, 1.0), "units": scales.Integer(16, 64)}
>>> grid_search(space, 3)[:2]
[{'alpha': 0.0001, 'units': 16}, {'alpha': 0.0001, 'units': 40}]
>>> len(random_search(space, 5, rng=0))
5
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from itertools import product

import numpy as np

from .scales import Integer, Linear, Log, OneMinusLog, PowerOfTwo, Scale
from .validation import as_rng, check_int, check_real

__all__ = [
    "BumpObjective",
    "Round",
    "TrialError",
    "coarse_to_fine",
    "example_objective",
    "grid_search",
    "importance",
    "importance_noise_floor",
    "narrow",
    "random_beats_grid",
    "random_search",
    "run_trials",
    "toy_accuracy",
    "toy_accuracy_space",
]


# ---------------------------------------------------------------- validation


def _check_space(space):
    """The space, checked: a non-empty dict name -> Scale."""
    if not isinstance(space, dict):
        raise TypeError(f"a space is a dict name -> Scale, got a {type(space).__name__}")
    if not space:
        raise ValueError("the space is empty: give at least one hyperparameter name -> Scale")
    for name, scale in space.items():
        if not isinstance(scale, Scale):
            raise TypeError(
                f"space[{name!r}] must be a Scale (Linear, Integer, Log, OneMinusLog, PowerOfTwo), "
                f"got a {type(scale).__name__}: {scale!r}"
            )
    return space


def _plain(value):
    """A numpy scalar as the plain Python int or float, so configs print and pickle simply."""
    return value.item() if isinstance(value, np.generic) else value


# ---------------------------------------------------------------- grid and random search


def grid_search(space, n_per_axis, *, max_configs=None):
    """Every combination of ``n_per_axis`` evenly spaced values (in u) of each hyperparameter.

    Parameters
    ----------
    space : dict name -> Scale
    n_per_axis : int or dict name -> int
        How many values of each hyperparameter: one number for all, or one per name.
    max_configs : int, optional
        A budget. A larger grid is *not* cut (which hyperparameters would lose their values?):
        a ``UserWarning`` names both sizes and the full grid comes back.

    Returns
    -------
    list of dict
        ``prod(n_per_axis)`` configs, keys in the space's order; the last hyperparameter varies
        fastest (``itertools.product`` order).

    Each axis is ``scale.grid(n)``: evenly spaced on the hyperparameter's own scale, so a Log
    axis gets one value per equal step of log10(x), not a linear ``linspace(low, high)``.

    >>> from course_utils import scales
    >>> grid_search({"x": scales.Linear(0, 1), "k": scales.Integer(1, 2)}, {"x": 2, "k": 2})
    [{'x': 0.0, 'k': 1}, {'x': 0.0, 'k': 2}, {'x': 1.0, 'k': 1}, {'x': 1.0, 'k': 2}]
    """
    space = _check_space(space)
    if isinstance(n_per_axis, dict):
        missing = [name for name in space if name not in n_per_axis]
        if missing:
            raise ValueError(f"n_per_axis has no entry for {missing}")
        extra = [name for name in n_per_axis if name not in space]
        if extra:
            raise ValueError(f"n_per_axis names {extra}, which are not in the space")
        counts = {name: check_int(f"n_per_axis[{name!r}]", n_per_axis[name], 1) for name in space}
    else:
        n = check_int("n_per_axis", n_per_axis, 1)
        counts = dict.fromkeys(space, n)
    axes = [[_plain(v) for v in space[name].grid(counts[name])] for name in space]
    size = math.prod(len(axis) for axis in axes)
    if max_configs is not None:
        max_configs = check_int("max_configs", max_configs, 1)
        if size > max_configs:
            warnings.warn(
                f"the grid has {size} configs, more than max_configs={max_configs}; returning "
                f"all {size} (cutting it would drop values of the last hyperparameters). "
                "Use fewer values per axis, or random_search for a fixed budget.",
                UserWarning,
                stacklevel=2,
            )
    names = list(space)
    return [dict(zip(names, values, strict=True)) for values in product(*axes)]


def random_search(space, n, rng):
    """n configs, each hyperparameter drawn uniformly on its own scale, independently.

    Every hyperparameter of every trial gets its *own* u ~ U[0, 1], mapped through its scale:
    so each hyperparameter takes n distinct values (a grid of the same budget gives each only
    n**(1/d)), and the hyperparameters do not move together.

    Parameters
    ----------
    space : dict name -> Scale
    n : int
        Number of configs, > 0.
    rng : numpy Generator or int seed
        Converted once; the same seed gives the same configs.

    >>> from course_utils import scales
    >>> configs = random_search({"alpha": scales.Log(1e-4, 1.0)}, 3, rng=0)
    >>> [round(c["alpha"], 4) for c in configs]
    [0.0353, 0.0012, 0.0001]
    """
    space = _check_space(space)
    n = check_int("n", n, 1)
    rng = as_rng(rng)
    u = rng.random((len(space), n))  # one independent u per hyperparameter and trial
    columns = [space[name].from_unit(u[i]) for i, name in enumerate(space)]
    names = list(space)
    return [
        {name: _plain(column[j]) for name, column in zip(names, columns, strict=True)}
        for j in range(n)
    ]


# ---------------------------------------------------------------- coarse to fine


def _integer_bounds(scale, u_low, u_high):
    """Integer bounds whose bins' centres lie in [u_low, u_high] (rounded inward), low < high."""
    n_values = scale.high - scale.low + 1
    k_low = max(0, math.ceil(u_low * n_values - 0.5))
    k_high = min(n_values - 1, math.floor(u_high * n_values - 0.5))
    if k_high <= k_low:  # too narrow for two integers: keep the nearest two
        centre = min(max(round((u_low + u_high) / 2 * n_values - 0.5), 0), n_values - 1)
        k_low, k_high = (centre, centre + 1) if centre < n_values - 1 else (centre - 1, centre)
    return int(scale.low + k_low), int(scale.low + k_high)


def narrow(space, best_configs, shrink=0.5):
    """One round of coarse-to-fine: a smaller space around the best configs.

    For each hyperparameter, take the best configs' unit values (``scale.to_unit``), centre an
    interval of width ``shrink`` (times the current width, 1 in u) on the middle of them, clip
    it to [0, 1] so that it never leaves the space, and map its ends back with ``from_unit``.
    Working in u keeps the scale: a Log range narrows by a factor in value, not by a distance.

    Returns a new space with the same Scale types; Integer bounds are rounded inward (to the
    integers whose bins lie in the interval) and kept at least two integers apart, and so are
    the exponents of a PowerOfTwo scale.

    >>> from course_utils import scales
    >>> alpha = narrow({"alpha": scales.Log(1e-4, 1.0)}, [{"alpha": 1e-2}])["alpha"]
    >>> type(alpha).__name__, f"{alpha.low:.3g}", f"{alpha.high:.3g}"  # the last digit: numpy's
    ('Log', '0.001', '0.1')
    """
    space = _check_space(space)
    check_real("shrink", shrink, low=0, high=1, low_open=True)
    best_configs = list(best_configs)
    if not best_configs:
        raise ValueError("best_configs is empty: narrow needs at least one config")
    new_space = {}
    for name, scale in space.items():
        try:
            values = np.array([config[name] for config in best_configs], dtype=float)
        except KeyError:
            raise ValueError(f"a config in best_configs has no value for {name!r}") from None
        u = np.clip(scale.to_unit(values), 0.0, 1.0)
        centre = (u.min() + u.max()) / 2
        u_low, u_high = max(0.0, centre - shrink / 2), min(1.0, centre + shrink / 2)
        if isinstance(scale, Integer):
            new_space[name] = Integer(*_integer_bounds(scale, u_low, u_high))
        elif isinstance(scale, PowerOfTwo):  # narrow the exponents, as an Integer scale
            k_low, k_high = _integer_bounds(scale._exponents, u_low, u_high)
            new_space[name] = PowerOfTwo(2**k_low, 2**k_high)
        else:
            low, high = (float(x) for x in scale.from_unit(np.array([u_low, u_high])))
            new_space[name] = type(scale)(low, high)
    return new_space


@dataclass(frozen=True)
class Round:
    """One round of coarse-to-fine: the space searched, its configs and their results."""

    space: dict
    configs: list
    results: list


def _scores(results):
    """Results as floats, NaN for a failed trial (a TrialError or a non-number)."""
    scores = []
    for r in results:
        try:
            scores.append(float(r))
        except (TypeError, ValueError):
            scores.append(np.nan)
    return np.array(scores)


def coarse_to_fine(
    objective,
    space,
    rng,
    rounds=3,
    n_per_round=20,
    keep=0.2,
    shrink=0.5,
    maximize=True,
    executor=None,
):
    """Random search, then narrow around the best ``keep`` share of the trials, ``rounds`` times.

    Each round draws ``n_per_round`` configs from the current space, runs them (``run_trials``,
    on ``executor``), and ``narrow``s the space around the best ``ceil(keep * n_per_round)``
    results (the highest with ``maximize=True``, else the lowest; failed trials are ignored).
    Every narrowed space lies inside the one before, so the search never leaves ``space``.

    Returns a list of ``Round(space, configs, results)``, one per round.
    """
    space = _check_space(space)
    rounds = check_int("rounds", rounds, 1)
    n_per_round = check_int("n_per_round", n_per_round, 1)
    check_real("keep", keep, low=0, high=1, low_open=True)
    rng = as_rng(rng)
    history = []
    current = space
    for i in range(rounds):
        configs = random_search(current, n_per_round, rng)
        results = run_trials(objective, configs, executor, progress=False)
        history.append(Round(current, configs, results))
        if i == rounds - 1:
            break
        scores = _scores(results)
        ok = np.flatnonzero(np.isfinite(scores))
        if ok.size == 0:
            break  # every trial failed: nothing to narrow around
        order = ok[np.argsort(-scores[ok] if maximize else scores[ok], kind="stable")]
        best = [configs[j] for j in order[: max(1, math.ceil(keep * n_per_round))]]
        current = narrow(current, best, shrink)
    return history


# ---------------------------------------------------------------- importance


def importance(space, configs, results, n_bins=5):
    """The share of the results' variance each hyperparameter explains on its own.

    For each hyperparameter, cut its unit values (``scale.to_unit``, so a Log axis is binned by
    decades, not by value) into ``n_bins`` equal bins, average the results in each bin, and take
    the variance of those bin means (weighted by the bins' sizes) divided by the total variance
    of the results. This is the main effect of fANOVA (Hutter et al., 2014) in its simplest
    form: a hyperparameter that does not matter has nearly the same mean in every bin and a
    share near 0. Failed trials (non-numbers, NaN) are left out.

    Returns a dict name -> share in [0, 1], in the space's order.
    """
    space = _check_space(space)
    n_bins = check_int("n_bins", n_bins, 1)
    configs = list(configs)
    scores = _scores(results)
    if len(configs) != scores.size:
        raise ValueError(f"{len(configs)} configs but {scores.size} results")
    ok = np.isfinite(scores)
    scores = scores[ok]
    configs = [c for c, good in zip(configs, ok, strict=True) if good]
    total = scores.var() if scores.size else 0.0
    shares = {}
    for name, scale in space.items():
        if total == 0:
            shares[name] = 0.0
            continue
        u = scale.to_unit(np.array([c[name] for c in configs], dtype=float))
        bins = np.clip(np.floor(u * n_bins), 0, n_bins - 1).astype(int)
        counts = np.bincount(bins, minlength=n_bins)
        sums = np.bincount(bins, weights=scores, minlength=n_bins)
        filled = counts > 0
        means = sums[filled] / counts[filled]
        between = np.sum(counts[filled] * (means - scores.mean()) ** 2) / scores.size
        shares[name] = float(np.clip(between / total, 0.0, 1.0))
    return shares


def importance_noise_floor(space, configs, results, rng, n_shuffles=200, quantile=0.95):
    """The share of variance a hyperparameter gets by chance alone, with these trials.

    Shuffle the results (which breaks any link between them and the configs), measure
    ``importance`` again, ``n_shuffles`` times; the floor is the ``quantile`` of all the
    shares so measured. A share at or below it is no evidence that the hyperparameter matters.
    rng: a numpy Generator (or int seed) for the shuffles.
    """
    rng = as_rng(rng)
    shuffled = [importance(space, configs, rng.permutation(results)) for _ in range(n_shuffles)]
    return float(np.quantile([s for shares in shuffled for s in shares.values()], quantile))


# ---------------------------------------------------------------- running trials


@dataclass(frozen=True)
class TrialError:
    """A trial that raised: its config, and the exception's type and message."""

    config: dict
    error_type: str
    message: str

    def __str__(self):
        return f"{self.config}: {self.error_type}: {self.message}"


def example_objective(config):
    """A small objective with its best at alpha = 0.01: -(log10(alpha) + 2)**2.

    Module-level, so a process pool can pickle it. Other hyperparameters are ignored.
    """
    return -((math.log10(config["alpha"]) + 2.0) ** 2)


def _progress_bar(n, show=True):
    """A progress bar over n trials (tqdm.auto): a widget with the rate and the time left in a
    notebook, a text bar in a console; nothing when not show."""
    from tqdm.auto import tqdm

    return tqdm(total=n, desc="trials", unit="trial", disable=not show)


def run_trials(objective, configs, executor=None, *, progress=True):
    """objective(config) for every config; the results in the order of the configs.

    Parameters
    ----------
    objective : callable config -> result
        For a ``ProcessPoolExecutor`` (or Dask) it must be picklable: a function defined at
        module level in an importable module, not a lambda or a function of the notebook.
    configs : list of dict
    executor : concurrent.futures.Executor, optional
        Where to run the trials: None runs them here, one by one; a ``ThreadPoolExecutor``,
        ``ProcessPoolExecutor`` or ``dask.distributed.Client(...).get_executor()`` in parallel.
    progress : bool
        Show a progress bar (``tqdm.auto``: a widget in a notebook, text in a console).

    A trial that raises does not lose the others: its place holds a ``TrialError`` (the config,
    the exception's type and message), and one warning lists every failure.
    """
    configs = list(configs)
    with _progress_bar(len(configs), show=progress and bool(configs)) as bar:
        results = _run_all(objective, configs, executor, bar.update)
    failures = [(i, r) for i, r in enumerate(results) if isinstance(r, TrialError)]
    if failures:
        listed = "; ".join(f"trial {i} {r}" for i, r in failures)
        warnings.warn(
            f"{len(failures)} of {len(configs)} trials failed (a TrialError holds their place): "
            f"{listed}",
            UserWarning,
            stacklevel=2,
        )
    return results


def _run_all(objective, configs, executor, tick):
    """The results of objective over configs, in their order; tick() after each trial."""
    results = [None] * len(configs)

    def _failed(config, error):
        return TrialError(dict(config), type(error).__name__, str(error))

    if executor is None:
        for i, config in enumerate(configs):
            try:
                results[i] = objective(config)
            except Exception as error:  # noqa: BLE001 - recorded as a TrialError
                results[i] = _failed(config, error)
            tick()
    else:
        from concurrent.futures import as_completed

        futures = {executor.submit(objective, config): i for i, config in enumerate(configs)}
        for future in as_completed(futures):
            i = futures[future]
            try:
                results[i] = future.result()
            except Exception as error:  # noqa: BLE001 - recorded as a TrialError
                results[i] = _failed(configs[i], error)
            tick()
    return results


# ---------------------------------------------------------------- grid versus random (notebook 01)


def _unit_square():
    """The space of the toy objectives: two hyperparameters x1, x2 on [0, 1]."""
    return {"x1": Linear(0.0, 1.0), "x2": Linear(0.0, 1.0)}


@dataclass(frozen=True)
class BumpObjective:
    """A toy score f(x1, x2) = (g(x1) + w g(x2)) / (1 + w) on the unit square, higher is better.

    Each g is a bump exp(-(x - c)**2 / (2 width**2)) around the optimum's coordinate c, so f
    lies in (0, 1] and is 1 at the optimum only. x1 matters; x2 matters ``w`` times as much:
    with w = 0 only x1 matters (the case where random search beats a grid, Bergstra and Bengio
    2012), with w = 1 both matter equally. The bump is narrow, so how close the *distinct*
    values of x1 tried come to the optimum decides the best score found (notebook 01).

    Frozen and defined at module level, so a process pool can pickle it. Call it on a config
    ``{"x1": ..., "x2": ...}``; ``value(x1, x2)`` takes arrays.

    >>> f = BumpObjective(w=0.0, optimum=(0.45, 0.7))
    >>> f({"x1": 0.45, "x2": 0.0})
    1.0
    """

    w: float = 0.0
    optimum: tuple = (0.45, 0.7)
    width: float = 0.06

    def __post_init__(self):
        check_real("w", self.w, low=0)
        check_real("width", self.width, low=0, low_open=True)
        if len(self.optimum) != 2 or not all(0 <= c <= 1 for c in self.optimum):
            raise ValueError(f"optimum must be two numbers in [0, 1], got {self.optimum!r}")

    @property
    def space(self):
        """The unit square, as a space: {"x1": Linear(0, 1), "x2": Linear(0, 1)}."""
        return _unit_square()

    @classmethod
    def random(cls, rng, w=0.0, width=0.06):
        """The objective with its optimum drawn uniformly on the unit square.

        Anywhere, borders included: a grid's values at the borders are then as useful as
        the others, on average, and no strategy is favoured by where the optimum may lie.
        """
        c = as_rng(rng).random(2)
        return cls(w=w, optimum=(float(c[0]), float(c[1])), width=width)

    def bump(self, x, c):
        """g(x) = exp(-(x - c)**2 / (2 width**2)): 1 at x = c."""
        return np.exp(-((np.asarray(x, dtype=float) - c) ** 2) / (2 * self.width**2))

    def value(self, x1, x2):
        """f on arrays of x1 and x2 (broadcast together)."""
        c1, c2 = self.optimum
        return (self.bump(x1, c1) + self.w * self.bump(x2, c2)) / (1.0 + self.w)

    def __call__(self, config):
        return float(self.value(config["x1"], config["x2"]))


def _best(results, maximize):
    """The best of the results (failed trials left out); -inf, or +inf, when all failed."""
    scores = _scores(results)
    scores = scores[np.isfinite(scores)]
    if scores.size == 0:
        return -math.inf if maximize else math.inf
    return float(scores.max() if maximize else scores.min())


def random_beats_grid(make_objective, space, n_per_axis, repeats=200, *, rng=None, maximize=True):
    """The share of repeats in which random search beats a grid with as many trials.

    Each repeat draws a fresh objective, ``make_objective(rng)`` (for example
    ``lambda rng: BumpObjective.random(rng, w=0.5)``, whose optimum lands at a random place),
    runs the grid ``grid_search(space, n_per_axis)``, the same in every repeat, and a fresh
    ``random_search`` of the same number of trials, and compares their best results. The
    objective must vary: a grid is fixed, so over one fixed objective its result would be the
    same luck of alignment in every repeat, and the experiment would measure that luck.

    Random search wins a repeat when its best is strictly better (higher with
    ``maximize=True``, else lower); a tie counts as half a win, so 0.5 means that neither
    strategy has the edge. Failed trials (non-numbers, NaN) are left out of the best.

    Returns
    -------
    float in [0, 1]
        (wins + ties / 2) / repeats. The same ``rng`` seed gives the same share.

    >>> share = random_beats_grid(lambda rng: BumpObjective.random(rng, w=0.0),
    ...                           BumpObjective().space, 5, 50, rng=0)
    >>> share > 0.5
    True
    """
    space = _check_space(space)
    repeats = check_int("repeats", repeats, 1)
    rng = as_rng(rng)
    grid = grid_search(space, n_per_axis)
    wins = 0.0
    for _ in range(repeats):
        objective = make_objective(rng)
        grid_best = _best(run_trials(objective, grid, progress=False), maximize)
        configs = random_search(space, len(grid), rng)
        random_best = _best(run_trials(objective, configs, progress=False), maximize)
        if random_best == grid_best:
            wins += 0.5
        elif (random_best > grid_best) == maximize:
            wins += 1.0
    return wins / repeats


def toy_accuracy(config):
    """A made-up validation accuracy of the learning rate alpha and the momentum beta.

    What counts most is the effective step alpha / (1 - beta) (a momentum average sums about
    1 / (1 - beta) gradients), best near 0.1, and then beta itself, best near 0.984. So the
    best region is a small, tilted patch around alpha = 1.6e-3, beta = 0.984 in the space
    ``toy_accuracy_space()`` (alpha in [1e-4, 1] on a Log scale, beta in [0.9, 0.999] on a
    OneMinusLog scale), where coarse-to-fine has something to zoom into (notebook 01). The
    accuracy runs from 0.1 (chance, for 10 classes) up to 0.95 at the optimum.

    ``config["alpha"]`` and ``config["momentum"]`` may be arrays (broadcast together); a
    config of numbers gives a float. Module-level, so a process pool can pickle it.

    >>> round(toy_accuracy({"alpha": 10**-2.8, "momentum": 1 - 10**-1.8}), 3)
    0.95
    """
    log_memory = np.log10(1.0 - np.asarray(config["momentum"], dtype=float))
    log_step = np.log10(np.asarray(config["alpha"], dtype=float)) - log_memory
    q = ((log_step + 1.0) / 0.4) ** 2 + ((log_memory + 1.8) / 0.5) ** 2
    accuracy = 0.1 + 0.85 * np.exp(-q / 2)
    return float(accuracy) if accuracy.ndim == 0 else accuracy


def toy_accuracy_space():
    """The space of ``toy_accuracy``: alpha on Log(1e-4, 1), momentum on OneMinusLog(0.9, 0.999)."""
    return {"alpha": Log(1e-4, 1.0), "momentum": OneMinusLog(0.9, 0.999)}
