"""The feedback a learner reads for the natural wrong code of notebooks 01-03 and the capstone.

Each test writes the code a learner would write, runs it through ``checks.check`` and reads the
report as the learner would: the mistake's name, and the phrase of the hint or of Got that
tells what to fix.
"""

import itertools
import warnings

import numpy as np

from course_utils import checks, scales
from course_utils.exercises import EXERCISES


def _counts(space, n_per_axis):
    return n_per_axis if isinstance(n_per_axis, dict) else dict.fromkeys(space, n_per_axis)


def _warn_if_larger(configs, max_configs):
    if max_configs is not None and len(configs) > max_configs:
        warnings.warn(f"{len(configs)} configs, more than max_configs={max_configs}", stacklevel=2)


def _hint_of(name, mistake):
    return EXERCISES[name].named(mistake).hint


# ---------------------------------------------------------------- 1. a generator of configs


def grid_as_generator_expression(space, n_per_axis, *, max_configs=None):
    counts = _counts(space, n_per_axis)
    axes = [[v.item() for v in scale.grid(counts[name])] for name, scale in space.items()]
    return (dict(zip(space, values, strict=True)) for values in itertools.product(*axes))


def grid_with_yield(space, n_per_axis, *, max_configs=None):
    counts = _counts(space, n_per_axis)
    axes = [[v.item() for v in scale.grid(counts[name])] for name, scale in space.items()]
    for values in itertools.product(*axes):
        yield dict(zip(space, values, strict=True))


def test_a_grid_returned_as_a_generator_is_told_to_return_a_list():
    for fn in (grid_as_generator_expression, grid_with_yield):
        result = checks.check("search.grid_search", fn)
        assert result.mistake == "returned_generator", str(result)
        assert result.hint == _hint_of("search.grid_search", "returned_generator")
        assert "Return a list" in result.hint
        assert result.got.startswith("a generator, expected a list of dicts"), str(result)
        # no line of the library (copy.py's deepcopy) shown as if it were the learner's
        assert "line" not in result.got and "pickle" not in result.got, str(result)
        assert result.called.startswith(f"{fn.__name__}(space=")


def test_random_search_with_yield_is_told_to_return_a_list():
    def random_search(space, n, rng):
        u = rng.random((len(space), n))
        columns = [scale.from_unit(u[i]) for i, scale in enumerate(space.values())]
        for j in range(n):
            yield {name: column[j].item() for name, column in zip(space, columns, strict=True)}

    result = checks.check("search.random_search", random_search)
    assert result.mistake == "wrong_type", str(result)
    assert "Return a list" in result.hint
    assert "generator" in result.got and "pickle" not in result.got


# ---------------------------------------------------------------- 2. narrow without clipping


def narrow_without_clipping(space, best_configs, shrink=0.5):
    new_space = {}
    for name, scale in space.items():
        u = scale.to_unit(np.array([c[name] for c in best_configs], dtype=float))
        centre = (u.min() + u.max()) / 2
        u_low, u_high = centre - shrink / 2, centre + shrink / 2
        if isinstance(scale, scales.Integer):
            n_values = scale.high - scale.low + 1
            k_low = int(np.ceil(u_low * n_values - 0.5))
            k_high = int(np.floor(u_high * n_values - 0.5))
            new_space[name] = scales.Integer(scale.low + k_low, scale.low + k_high)
        else:
            low, high = scale.from_unit(np.array([u_low, u_high]))
            new_space[name] = type(scale)(float(low), float(high))
    return new_space


def test_narrow_without_clipping_is_named_although_from_unit_raises_first():
    result = checks.check("search.narrow", narrow_without_clipping)
    assert result.mistake == "no_clipping", str(result)
    assert result.hint == _hint_of("search.narrow", "no_clipping")
    assert "clip the u-interval to [0, 1]" in result.hint
    assert "u must lie in [0, 1]" in result.got  # the learner's own error, with its line
    assert "scale.from_unit(np.array([u_low, u_high]))" in result.got
    assert "pokes out of [0, 1]: for alpha it runs from 0.725 to 1.125" in result.got


def test_narrow_that_raises_where_no_clipping_is_needed_is_a_plain_error():
    def broken(space, best_configs, shrink=0.5):
        raise ValueError("u must lie in [0, 1]")

    assert checks.check("search.narrow", broken).mistake == "raised"


# ---------------------------------------------------------------- 3. mistakes named


def test_a_log_scale_with_the_sign_of_the_exponent_flipped_is_named():
    def log_from_unit(u, low, high):
        return 10 ** (4 * u)

    def minus_in_front(u, low, high):
        r = -(np.log10(low) + u * (np.log10(high) - np.log10(low)))
        return 10**r

    for fn in (log_from_unit, minus_in_front):
        result = checks.check("scales.log_from_unit", fn)
        assert result.mistake == "exponent_sign_flipped", str(result)
        assert "wrong sign" in result.hint
        assert "r = log10(low) + u (log10(high) - log10(low))" in result.hint


def test_a_grid_without_its_endpoint_is_named():
    def grid_search(space, n_per_axis, *, max_configs=None):
        counts = _counts(space, n_per_axis)
        axes = [
            [v.item() for v in scale.from_unit(np.linspace(0, 1, counts[name], endpoint=False))]
            for name, scale in space.items()
        ]
        configs = [dict(zip(space, values, strict=True)) for values in itertools.product(*axes)]
        _warn_if_larger(configs, max_configs)
        return configs

    result = checks.check("search.grid_search", grid_search)
    assert result.mistake == "endpoint_excluded", str(result)
    assert "endpoint=False" in result.hint and "top of a range" in result.hint


def test_narrow_with_shrink_as_the_half_width_is_named():
    def narrow(space, best_configs, shrink=0.5):
        new_space = {}
        for name, scale in space.items():
            u = np.clip(scale.to_unit(np.array([c[name] for c in best_configs], dtype=float)), 0, 1)
            centre = (u.min() + u.max()) / 2
            u_low, u_high = max(0.0, centre - shrink), min(1.0, centre + shrink)
            if isinstance(scale, scales.Integer):
                n_values = scale.high - scale.low + 1
                k_low = max(0, int(np.ceil(u_low * n_values - 0.5)))
                k_high = min(n_values - 1, int(np.floor(u_high * n_values - 0.5)))
                new_space[name] = scales.Integer(scale.low + k_low, scale.low + k_high)
            else:
                low, high = scale.from_unit(np.array([u_low, u_high]))
                new_space[name] = type(scale)(float(low), float(high))
        return new_space

    result = checks.check("search.narrow", narrow)
    assert result.mistake == "shrink_as_half_width", str(result)
    assert "not its half-width" in result.hint


def test_a_one_based_index_of_the_best_model_is_named():
    def pick_best(results):
        return int(np.argmax([r["val_accuracy"][-1] for r in results])) + 1

    def pick_best_by_loop(results):
        best, best_accuracy = 1, results[0]["val_accuracy"][-1]
        for k, r in enumerate(results, start=1):
            if r["val_accuracy"][-1] > best_accuracy:
                best, best_accuracy = k, r["val_accuracy"][-1]
        return best

    for fn in (pick_best, pick_best_by_loop):
        result = checks.check("tuning.pick_best", fn)
        assert result.mistake == "one_based_index", str(result)
        assert "Python counts from 0" in result.hint


# ---------------------------------------------------------------- 4. pick_best's report


def test_pick_best_shows_the_last_validation_accuracies_and_the_index_expected():
    def by_test(results):
        return int(np.argmax([r["test_accuracy"] for r in results]))

    result = checks.check("tuning.pick_best", by_test)
    assert result.mistake == "picked_by_test"
    assert result.called == (
        "by_test(results) on 5 models; last validation accuracies: "
        "[0.86, 0.88, 0.91, 0.89, 0.1] -> expected index 2"
    )
    assert result.got == (
        "3, expected 2. Model 3 ends at validation accuracy 0.89 (training 0.92, test 0.93)"
    )


def test_pick_best_says_when_an_index_points_at_no_model():
    def off_the_end(results):
        return len(results)

    result = checks.check("tuning.pick_best", off_the_end)
    assert "There is no model 5: the indices of 5 models run from 0 to 4" in result.got


def test_pick_best_says_which_of_tied_models_is_expected():
    def last_of_ties(results):
        final = [r["val_accuracy"][-1] for r in results]
        return max(k for k, v in enumerate(final) if v == max(final))

    result = checks.check("tuning.pick_best", last_of_ties)
    assert result.mistake == "last_on_tie", str(result)
    assert result.called.endswith(
        "[0.85, 0.9, 0.9, 0.8] -> expected index 1 (the first of the tied best)"
    )


# ---------------------------------------------------------------- 5. the capstone's order


def test_fixed_hyperparameters_in_another_order_is_told_the_order_not_the_keys():
    def sorted_names(best_config, shares, floor):
        return {name: best_config[name] for name in sorted(best_config) if shares[name] <= floor}

    def by_share(best_config, shares, floor):
        ranked = sorted(shares.items(), key=lambda item: item[1])
        return {name: best_config[name] for name, share in ranked if share <= floor}

    for fn in (sorted_names, by_share):
        result = checks.check("tuning.fixed_hyperparameters", fn)
        assert result.mistake == "order_changed", str(result)
        assert "the best config's order" in result.hint
        assert "best_config.items()" in result.hint
        assert result.got.startswith("the right hyperparameters, in another order: ")


def test_fixed_hyperparameters_with_the_wrong_names_keeps_its_hint():
    def above_too(best_config, shares, floor):
        return {name: value for name, value in best_config.items() if shares[name] <= 2 * floor}

    result = checks.check("tuning.fixed_hyperparameters", above_too)
    assert result.mistake == "wrong_keys", str(result)
    assert result.hint.startswith("Compare each hyperparameter's share with the floor")
    assert "whose share is above the floor" in result.got
