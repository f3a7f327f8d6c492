"""course_utils.search: grids, random search, coarse-to-fine, importance, running trials."""

import math
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from scipy import stats

from course_utils import scales, search

from .support import spawned_pool


def space():
    return {
        "alpha": scales.Log(1e-4, 1.0),
        "units": scales.Integer(16, 256),
        "beta": scales.OneMinusLog(0.9, 0.999),
        "dropout": scales.Linear(0.0, 0.5),
    }


def objective(config):
    """Module-level (picklable): best at alpha = 0.01; the other hyperparameters do not matter."""
    return -((math.log10(config["alpha"]) + 2.0) ** 2)


def flaky(config):
    if config["units"] == 20:
        raise RuntimeError("diverged")
    return config["units"] * 2


def inside(config, sp):
    return all(sp[name].contains(value) for name, value in config.items())


# ---------------------------------------------------------------- grid_search


def test_grid_size_bounds_and_key_order():
    sp = space()
    configs = search.grid_search(sp, 3)
    assert len(configs) == 3**4
    assert all(list(c) == list(sp) for c in configs)
    assert all(inside(c, sp) for c in configs)
    alphas = sorted({c["alpha"] for c in configs})
    np.testing.assert_allclose(alphas, [1e-4, 1e-2, 1.0])  # evenly spaced in log10
    assert {c["units"] for c in configs} == {16, 136, 256}
    assert configs[0] == {"alpha": 1e-4, "units": 16, "beta": 0.9, "dropout": 0.0}
    assert configs[1]["dropout"] == 0.25  # the last hyperparameter varies fastest
    assert all(type(c["units"]) is int and type(c["alpha"]) is float for c in configs)


def test_grid_with_a_count_per_axis():
    configs = search.grid_search(space(), {"alpha": 4, "units": 2, "beta": 1, "dropout": 3})
    assert len(configs) == 4 * 2 * 1 * 3
    with pytest.raises(ValueError, match="no entry"):
        search.grid_search(space(), {"alpha": 2})


def test_a_grid_larger_than_max_configs_warns_and_is_not_cut():
    with pytest.warns(UserWarning, match=r"81 configs.*max_configs=10"):
        configs = search.grid_search(space(), 3, max_configs=10)
    assert len(configs) == 81
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(search.grid_search(space(), 3, max_configs=81)) == 81


# ---------------------------------------------------------------- random_search


def test_random_search_bounds_distinct_values_and_reproducibility():
    sp = space()
    configs = search.random_search(sp, 500, np.random.default_rng(0))
    assert len(configs) == 500 and all(list(c) == list(sp) for c in configs)
    assert all(inside(c, sp) for c in configs)
    for name in ("alpha", "beta", "dropout"):
        assert len({c[name] for c in configs}) == 500
    assert configs == search.random_search(sp, 500, np.random.default_rng(0))
    assert configs != search.random_search(sp, 500, np.random.default_rng(1))
    assert configs == search.random_search(sp, 500, 0)  # an int seed is converted


def test_random_search_is_uniform_on_each_scale_and_independent():
    sp = space()
    configs = search.random_search(sp, 3000, np.random.default_rng(1))
    units = np.array([sp[n].to_unit(np.array([c[n] for c in configs])) for n in sp])
    for name, u in zip(sp, units, strict=True):
        assert stats.kstest(u, "uniform").pvalue > 1e-3, name
    corr = np.corrcoef(units)
    assert np.max(np.abs(corr - np.eye(len(sp)))) < 0.08
    # on a linear reading alpha is far from uniform: the log scale is really used
    alphas = np.array([c["alpha"] for c in configs])
    assert stats.kstest(alphas, "uniform").pvalue < 1e-6


# ---------------------------------------------------------------- narrow, coarse_to_fine


def test_narrow_stays_inside_keeps_types_and_shrinks():
    sp = space()
    best = [{"alpha": 0.5, "units": 255, "beta": 0.9, "dropout": 0.49}]  # at the edges
    new = search.narrow(sp, best, shrink=0.5)
    assert list(new) == list(sp)
    for name, scale in sp.items():
        assert type(new[name]) is type(scale)
        assert scale.low <= new[name].low < new[name].high <= scale.high
    assert type(new["units"].low) is int
    widths = {n: float(sp[n].to_unit(new[n].high) - sp[n].to_unit(new[n].low)) for n in sp}
    assert all(w <= 0.5 + 1e-9 for w in widths.values()), widths
    mid = search.narrow(sp, [{"alpha": 1e-2, "units": 136, "beta": 0.99, "dropout": 0.25}])
    np.testing.assert_allclose([mid["alpha"].low, mid["alpha"].high], [1e-3, 1e-1])


def test_narrow_an_integer_scale_keeps_two_values():
    new = search.narrow({"k": scales.Integer(1, 3)}, [{"k": 3}], shrink=0.1)
    assert new["k"] == scales.Integer(2, 3)


def test_coarse_to_fine_stays_inside_narrows_and_finds_the_optimum():
    sp = space()
    history = search.coarse_to_fine(objective, sp, np.random.default_rng(0), rounds=4)
    assert len(history) == 4 and all(isinstance(r, search.Round) for r in history)
    for before, after in zip(history, history[1:], strict=False):
        for name, scale in before.space.items():
            new = after.space[name]
            assert scale.low <= new.low < new.high <= scale.high
        width = math.log10(after.space["alpha"].high / after.space["alpha"].low)
        assert width < math.log10(before.space["alpha"].high / before.space["alpha"].low)
    for r in history:
        assert all(inside(c, sp) for c in r.configs)
        assert r.results == [objective(c) for c in r.configs]
    best = max((c for r in history for c in r.configs), key=objective)
    assert abs(math.log10(best["alpha"]) + 2) < 0.1
    assert history[-1].space["alpha"].contains(1e-2)


def test_coarse_to_fine_can_minimise():
    def loss(config):
        return -objective(config)

    history = search.coarse_to_fine(loss, {"alpha": scales.Log(1e-4, 1.0)}, 3, rounds=3)
    assert history[-1].space["alpha"].contains(1e-2)


# ---------------------------------------------------------------- importance


def test_importance_ranks_the_useless_hyperparameter_last():
    sp = {"alpha": scales.Log(1e-4, 1.0), "useless": scales.Linear(0.0, 1.0)}
    configs = search.random_search(sp, 400, np.random.default_rng(0))
    shares = search.importance(sp, configs, [objective(c) for c in configs])
    assert list(shares) == ["alpha", "useless"]
    assert all(0.0 <= s <= 1.0 for s in shares.values())
    assert shares["alpha"] > 0.7 and shares["useless"] < 0.05
    flat = search.importance(sp, configs, [1.0] * len(configs))
    assert flat == {"alpha": 0.0, "useless": 0.0}


# ---------------------------------------------------------------- run_trials


def test_run_trials_same_results_on_threads_and_processes_in_config_order():
    configs = search.random_search(space(), 12, np.random.default_rng(2))
    expected = [objective(c) for c in configs]
    assert search.run_trials(objective, configs) == expected
    with ThreadPoolExecutor(4) as pool:
        assert search.run_trials(objective, configs, pool) == expected
    with spawned_pool(2) as pool:
        assert search.run_trials(objective, configs, pool) == expected
        assert search.run_trials(search.example_objective, configs, pool) == expected


@pytest.mark.parametrize("threads", [False, True])
def test_a_failed_trial_keeps_the_others(threads):
    configs = [{"units": k} for k in (10, 20, 30)]
    with pytest.warns(UserWarning, match=r"1 of 3 trials failed.*RuntimeError: diverged"):
        if threads:
            with ThreadPoolExecutor(2) as pool:
                results = search.run_trials(flaky, configs, pool)
        else:
            results = search.run_trials(flaky, configs)
    assert results[0] == 20 and results[2] == 60
    assert results[1] == search.TrialError({"units": 20}, "RuntimeError", "diverged")


def test_outside_a_notebook_the_progress_bar_is_text(capsys):
    search.run_trials(search.example_objective, [{"alpha": a} for a in (0.1, 0.01, 0.001)])
    bar = capsys.readouterr().err
    assert "trials" in bar and "3/3" in bar, bar
    search.run_trials(search.example_objective, [{"alpha": 0.1}], progress=False)
    assert capsys.readouterr().err == ""


# ---------------------------------------------------------------- validation


def test_clear_errors():
    with pytest.raises(ValueError, match="empty"):
        search.grid_search({}, 3)
    with pytest.raises(ValueError, match="empty"):
        search.random_search({}, 3, 0)
    with pytest.raises(TypeError, match=r"space\['alpha'\].*tuple"):
        search.random_search({"alpha": (1e-4, 1.0)}, 3, 0)
    with pytest.raises(TypeError, match=r"space\['units'\].*int"):
        search.grid_search({"alpha": scales.Log(1e-4, 1.0), "units": 64}, 3)
    for n in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="positive integer"):
            search.random_search(space(), n, 0)
        with pytest.raises(ValueError, match="positive integer"):
            search.grid_search(space(), n)
    with pytest.raises(ValueError, match="shrink"):
        search.narrow(space(), [{"alpha": 1e-2}], shrink=0)
    with pytest.raises(ValueError, match="no value for 'units'"):
        search.narrow(space(), [{"alpha": 1e-2}])
    with pytest.raises(ValueError, match="2 configs but 1 results"):
        search.importance(space(), [{}, {}], [1.0])


# ---------------------------------------------------------------- grid versus random (notebook 01)


def _share(w, n_per_axis=5, repeats=300, rng=0):
    return search.random_beats_grid(
        lambda r: search.BumpObjective.random(r, w=w),
        search.BumpObjective().space,
        n_per_axis,
        repeats,
        rng=rng,
    )


def test_bump_objective_peaks_at_its_optimum_and_weighs_x2_by_w():
    f = search.BumpObjective(w=0.0, optimum=(0.3, 0.8), width=0.05)
    assert f({"x1": 0.3, "x2": 0.1}) == 1.0 == f({"x1": 0.3, "x2": 0.9})  # x2 does not matter
    assert f({"x1": 0.35, "x2": 0.8}) == pytest.approx(math.exp(-0.5))  # one width away
    g = search.BumpObjective(w=1.0, optimum=(0.3, 0.8), width=0.05)
    assert g({"x1": 0.3, "x2": 0.8}) == 1.0
    assert g({"x1": 0.3, "x2": 0.0}) == pytest.approx(0.5, abs=1e-6)  # both matter equally
    x1, x2 = np.meshgrid(np.linspace(0, 1, 5), np.linspace(0, 1, 3))
    assert g.value(x1, x2).shape == (3, 5)
    assert type(g({"x1": 0.5, "x2": 0.5})) is float
    assert list(g.space) == ["x1", "x2"] and g.space["x1"] == scales.Linear(0.0, 1.0)


def test_bump_objective_random_draws_its_optimum_and_pickles():
    import pickle

    f = search.BumpObjective.random(np.random.default_rng(3), w=0.4)
    assert f == search.BumpObjective.random(3, w=0.4) and f.w == 0.4
    assert all(0 <= c <= 1 for c in f.optimum)
    assert f({"x1": f.optimum[0], "x2": f.optimum[1]}) == pytest.approx(1.0)
    assert pickle.loads(pickle.dumps(f)) == f
    rng = np.random.default_rng(0)
    optima = np.array([search.BumpObjective.random(rng).optimum for _ in range(400)])
    assert stats.kstest(optima.ravel(), "uniform").pvalue > 1e-3
    for bad in ({"w": -1.0}, {"w": math.nan}, {"width": 0.0}, {"optimum": (0.5, 1.5)}):
        with pytest.raises(ValueError):
            search.BumpObjective(**bad)


def test_random_beats_the_grid_when_only_x1_matters_and_less_as_x2_matters_too():
    """Bergstra and Bengio (2012): the edge comes from trying more distinct values of x1."""
    shares = {w: _share(w) for w in (0.0, 0.5, 1.0)}
    assert shares[0.0] > 0.75  # most repeats (measured: 0.81)
    assert shares[0.0] > shares[0.5] > shares[1.0]  # the edge shrinks as x2 matters more
    assert shares[0.0] - shares[1.0] > 0.15
    # with more trials the grid's few values of x1 cost it more, when only x1 matters
    assert _share(0.0, n_per_axis=7) > _share(1.0, n_per_axis=7) + 0.25


def test_random_beats_grid_is_reproducible_from_the_seed():
    assert _share(0.3, repeats=50, rng=7) == _share(0.3, repeats=50, rng=7)
    assert _share(0.3, repeats=50, rng=7) == _share(0.3, repeats=50, rng=np.random.default_rng(7))
    assert 0.0 <= _share(0.3, repeats=50, rng=8) <= 1.0


def test_random_beats_grid_counts_ties_as_half_and_can_minimise():
    space = search.BumpObjective().space
    flat = search.random_beats_grid(lambda rng: lambda config: 1.0, space, 3, 20, rng=0)
    assert flat == 0.5  # every repeat a tie
    # the optimum on a grid point: the grid finds f = 1 exactly, random search never does
    on_grid = search.BumpObjective(w=1.0, optimum=(0.5, 0.5))
    assert search.random_beats_grid(lambda rng: on_grid, space, 3, 20, rng=0) == 0.0

    def loss(config):
        return -on_grid(config)

    assert search.random_beats_grid(lambda rng: loss, space, 3, 20, rng=0, maximize=False) == 0.0
    with pytest.raises(ValueError, match="positive integer"):
        search.random_beats_grid(lambda rng: on_grid, space, 3, 0, rng=0)


def test_toy_accuracy_peaks_in_a_small_region_that_coarse_to_fine_finds():
    space = search.toy_accuracy_space()
    best = {"alpha": 10**-2.8, "momentum": 1 - 10**-1.8}
    assert search.toy_accuracy(best) == pytest.approx(0.95)
    assert type(search.toy_accuracy(best)) is float
    u = np.random.default_rng(0).random((2, 20000))
    accuracy = search.toy_accuracy(
        {"alpha": space["alpha"].from_unit(u[0]), "momentum": space["momentum"].from_unit(u[1])}
    )
    assert accuracy.shape == (20000,) and accuracy.max() <= 0.95 and accuracy.min() >= 0.1
    assert np.mean(accuracy > 0.9) < 0.02  # a small region: random trials rarely land in it
    history = search.coarse_to_fine(search.toy_accuracy, space, 0, rounds=4, n_per_round=15)
    assert max(max(r.results) for r in history) > 0.93
    assert history[-1].space["alpha"].contains(best["alpha"])


def test_narrow_a_power_of_two_scale_narrows_its_exponents():
    space = {"batch_size": scales.PowerOfTwo(16, 256)}
    assert search.narrow(space, [{"batch_size": 16}]) == {"batch_size": scales.PowerOfTwo(16, 32)}
    narrowed = search.narrow(space, [{"batch_size": 64}], shrink=0.3)
    assert narrowed == {"batch_size": scales.PowerOfTwo(64, 128)}
    rounds = search.coarse_to_fine(
        lambda c: -abs(np.log2(c["batch_size"]) - 6), space, np.random.default_rng(0), rounds=3
    )
    for r in rounds:
        assert 16 <= r.space["batch_size"].low < r.space["batch_size"].high <= 256


def test_importance_noise_floor_is_what_shuffled_results_reach():
    space = {"alpha": scales.Log(1e-4, 1.0), "useless": scales.Linear(0.0, 1.0)}
    configs = search.random_search(space, 100, np.random.default_rng(0))
    results = [search.example_objective(c) for c in configs]
    floor = search.importance_noise_floor(space, configs, results, np.random.default_rng(5))
    rng = np.random.default_rng(5)
    shuffled = [search.importance(space, configs, rng.permutation(results)) for _ in range(200)]
    expected = np.quantile([s for shares in shuffled for s in shares.values()], 0.95)
    assert floor == pytest.approx(expected)
    shares = search.importance(space, configs, results)
    assert shares["alpha"] > floor >= shares["useless"]
