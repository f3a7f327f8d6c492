"""The exercises' cases tell the wrong answers a learner review found from the right ones.

Each wrong implementation below used to pass its checker; it must now fail, named after the
catalogued mistake whose hint fixes it. Correct alternatives to the references still pass.
"""

import copy
import math
import warnings

import numpy as np
import pytest

from course_utils import checks, scales, search
from course_utils.exercises import EXERCISES
from course_utils.exercises import search as search_exercises

# ---------------------------------------------------------------- tuning.pick_best


def _final_val(results):
    return [r["val_accuracy"][-1] for r in results]


def pick_without_the_last(results):
    return int(np.argmax(_final_val(results[:-1])))


def pick_loop_without_the_last(results):
    best = 0
    for k in range(len(results) - 1):
        if results[k]["val_accuracy"][-1] > results[best]["val_accuracy"][-1]:
            best = k
    return best


def pick_last_on_tie(results):
    final = _final_val(results)
    return len(final) - 1 - int(np.argmax(final[::-1]))


def pick_sorted_last(results):
    return sorted(range(len(results)), key=lambda k: results[k]["val_accuracy"][-1])[-1]


def pick_first_epoch(results):
    return int(np.argmax([r["val_accuracy"][0] for r in results]))


def pick_first_on_tie_by_loop(results):
    best = 0
    for k, r in enumerate(results):
        if r["val_accuracy"][-1] > results[best]["val_accuracy"][-1]:
            best = k
    return best


# ---------------------------------------------------------------- tuning.next_alpha


def alpha_stayed_is_a_rise(alpha, val_loss, factor=0.5):
    if len(val_loss) >= 2 and not val_loss[-1] < val_loss[-2]:
        return alpha * factor
    return alpha


def alpha_by_isnan(alpha, val_loss, factor=0.5):
    if len(val_loss) < 2:
        return alpha
    if math.isnan(val_loss[-1]) or val_loss[-1] > val_loss[-2]:
        return alpha * factor
    return alpha


# ---------------------------------------------------------------- tuning.epochs_per_model


def epochs_as_float(budget, n_models):
    return float(budget // n_models)


def epochs_np_floor(budget, n_models):
    return np.floor(budget / n_models)


def epochs_int_of_division(budget, n_models):
    return int(budget / n_models)


def epochs_floor_divide(budget, n_models):
    return np.floor_divide(budget, n_models)


# ---------------------------------------------------------------- search.importance


def _importance_with(scores_of, leave_out_failed):
    def importance(space, configs, results, n_bins=5):
        y = scores_of(results)
        if leave_out_failed:
            ok = np.isfinite(y)
            y = y[ok]
            configs = [c for c, good in zip(configs, ok, strict=True) if good]
        shares = {}
        for name, scale in space.items():
            u = scale.to_unit(np.array([c[name] for c in configs], dtype=float))
            bins = np.clip(np.floor(u * n_bins), 0, n_bins - 1).astype(int)
            filled = [b for b in range(n_bins) if np.any(bins == b)]
            means = np.array([y[bins == b].mean() for b in filled])
            counts = np.array([np.sum(bins == b) for b in filled])
            between = np.sum(counts * (means - y.mean()) ** 2) / y.size
            shares[name] = float(between / y.var())
        return shares

    return importance


def _tolerant(results):
    scores = []
    for r in results:
        try:
            scores.append(float(r))
        except (TypeError, ValueError):
            scores.append(np.nan)
    return np.array(scores)


def _as_given(results):
    """np.asarray(results): float32 values stay float32."""
    if all(isinstance(r, np.float32) for r in results):
        return np.asarray(results)
    return _tolerant(results)


importance_kept_nan = _importance_with(_tolerant, leave_out_failed=False)
importance_as_float_array = _importance_with(
    lambda results: np.asarray(results, dtype=float), leave_out_failed=False
)
importance_filters_nan_only = _importance_with(
    lambda results: np.asarray(results, dtype=float), leave_out_failed=True
)
importance_filtered = _importance_with(_tolerant, leave_out_failed=True)
importance_in_float32 = _importance_with(_as_given, leave_out_failed=True)


# ---------------------------------------------------------------- search.random_search


def _random_with(integers):
    def random_search(space, n, rng):
        columns = {}
        for name, scale in space.items():
            if isinstance(scale, scales.Integer):
                columns[name] = integers(scale, n, rng)
            else:
                columns[name] = scale.from_unit(rng.random(n))
        return [{name: columns[name][j].item() for name in space} for j in range(n)]

    return random_search


random_high_left_out = _random_with(lambda s, n, rng: rng.integers(s.low, s.high, size=n))
random_low_left_out = _random_with(lambda s, n, rng: rng.integers(s.low + 1, s.high + 1, size=n))
random_rounded = _random_with(
    lambda s, n, rng: np.round(s.low + rng.random(n) * (s.high - s.low)).astype(int)
)
random_high_plus_one = _random_with(lambda s, n, rng: rng.integers(s.low, s.high + 1, size=n))
random_endpoint = _random_with(lambda s, n, rng: rng.integers(s.low, s.high, n, endpoint=True))


# ---------------------------------------------------------------- search.narrow


def _narrow_with(integer_bounds):
    """A whole narrow, the Integer bounds taken by integer_bounds(scale, u_low, u_high)."""

    def narrow(space, best_configs, shrink=0.5):
        new = {}
        for name, scale in space.items():
            u = scale.to_unit(np.array([c[name] for c in best_configs], dtype=float))
            centre = (u.min() + u.max()) / 2
            u_low, u_high = max(0.0, centre - shrink / 2), min(1.0, centre + shrink / 2)
            if isinstance(scale, scales.Integer):
                new[name] = scales.Integer(*integer_bounds(scale, u_low, u_high))
            else:
                low, high = scale.from_unit(np.array([u_low, u_high]))
                new[name] = type(scale)(float(low), float(high))
        return new

    return narrow


def _linear(scale, u):
    return scale.low + u * (scale.high - scale.low)


def _by_centres(scale, u_low, u_high):
    n_values = scale.high - scale.low + 1
    kept = [
        k
        for k in range(scale.low, scale.high + 1)
        if u_low <= (k - scale.low + 0.5) / n_values <= u_high
    ]
    return kept[0], kept[-1]


narrow_from_unit = _narrow_with(
    lambda s, lo, hi: tuple(int(k) for k in s.from_unit(np.array([lo, hi])))
)
narrow_rounded = _narrow_with(lambda s, lo, hi: (round(_linear(s, lo)), round(_linear(s, hi))))
narrow_np_rounded = _narrow_with(
    lambda s, lo, hi: (int(np.round(_linear(s, lo))), int(np.round(_linear(s, hi))))
)
narrow_ceil_floor = _narrow_with(
    lambda s, lo, hi: (math.ceil(_linear(s, lo)), math.floor(_linear(s, hi)))
)
narrow_by_centres = _narrow_with(_by_centres)


def narrow_from_unit_everywhere(space, best_configs, shrink=0.5):
    """The naive narrow: every scale's ends mapped back with from_unit, Integer ones too."""
    new = {}
    for name, scale in space.items():
        u = scale.to_unit(np.array([c[name] for c in best_configs], dtype=float))
        centre = (u.min() + u.max()) / 2
        ends = np.clip([centre - shrink / 2, centre + shrink / 2], 0.0, 1.0)
        low, high = scale.from_unit(ends)
        new[name] = type(scale)(low.item(), high.item())
    return new


# ---------------------------------------------------------------- the wrong answers


WRONG = [
    ("tuning.pick_best", pick_without_the_last, "left_out_last"),
    ("tuning.pick_best", pick_loop_without_the_last, "left_out_last"),
    ("tuning.pick_best", pick_last_on_tie, "last_on_tie"),
    ("tuning.pick_best", pick_sorted_last, "last_on_tie"),
    ("tuning.pick_best", pick_first_epoch, "first_epoch"),
    ("tuning.next_alpha", alpha_stayed_is_a_rise, "stayed_is_a_rise"),
    ("tuning.epochs_per_model", epochs_as_float, "float_epochs"),
    ("tuning.epochs_per_model", epochs_np_floor, "float_epochs"),
    ("search.importance", importance_kept_nan, "kept_failed_trials"),
    ("search.importance", importance_as_float_array, "kept_failed_trials"),
    ("search.importance", importance_filters_nan_only, "kept_failed_trials"),
    ("search.random_search", random_high_left_out, "upper_end_left_out"),
    ("search.random_search", random_low_left_out, "lower_end_left_out"),
    ("search.random_search", random_rounded, "not_uniform"),
    ("search.narrow", narrow_from_unit, "integer_from_unit"),
    ("search.narrow", narrow_from_unit_everywhere, "integer_from_unit"),
    ("search.narrow", narrow_rounded, "integer_rounded_linearly"),
    ("search.narrow", narrow_np_rounded, "integer_rounded_linearly"),
    ("search.narrow", narrow_ceil_floor, "integer_rounded_linearly"),
]


@pytest.mark.parametrize(
    ("name", "fn", "mistake"), WRONG, ids=[f"{n}-{f.__name__}" for n, f, _ in WRONG]
)
def test_a_wrong_answer_fails_with_its_mistake(name, fn, mistake):
    result = checks.check(name, fn)
    assert result.status == "failed", str(result)
    assert result.mistake == mistake, str(result)
    assert result.hint, str(result)
    catalogued = [m.name for m in EXERCISES[name].mistakes]
    if mistake in catalogued:
        assert result.hint == EXERCISES[name].named(mistake).hint


RIGHT = [
    ("tuning.pick_best", pick_first_on_tie_by_loop),
    ("tuning.next_alpha", alpha_by_isnan),
    ("tuning.epochs_per_model", epochs_int_of_division),
    ("tuning.epochs_per_model", epochs_floor_divide),
    ("search.importance", importance_filtered),
    ("search.importance", importance_in_float32),
    ("search.random_search", random_high_plus_one),
    ("search.random_search", random_endpoint),
    ("search.narrow", narrow_by_centres),
]


@pytest.mark.parametrize(("name", "fn"), RIGHT, ids=[f"{n}-{f.__name__}" for n, f in RIGHT])
def test_a_right_answer_other_than_the_reference_passes(name, fn):
    result = checks.check(name, fn)
    assert result.status == "passed", str(result)


# ---------------------------------------------------------------- the reports


def test_a_float_number_of_epochs_is_shown_as_a_float():
    result = checks.check("tuning.epochs_per_model", epochs_as_float)
    assert "5.0, a float" in result.got
    assert "budget // n_models" in result.hint


def test_a_wrong_value_is_reported_before_a_float_type():
    result = checks.check(
        "tuning.epochs_per_model", lambda budget, n_models: np.round(budget / n_models)
    )
    assert result.mistake == "rounded_to_nearest", str(result)
    assert "expected 2" in result.got


def test_importance_that_raises_on_failed_trials_says_so():
    result = checks.check("search.importance", importance_as_float_array)
    assert "TypeError" in result.got and "failed trials" in result.got
    assert "None, nan, TrialError(" in result.called


def test_importance_that_raises_on_clean_results_is_a_plain_error():
    def broken(space, configs, results, n_bins=5):
        raise ValueError("no")

    assert checks.check("search.importance", broken).mistake == "raised"


def test_random_search_reports_the_missing_end_and_its_probability():
    result = checks.check("search.random_search", random_high_left_out)
    assert "never took its upper end 256" in result.got
    assert "rng.integers(low, high) leaves high out" in result.hint


def test_random_search_of_unrounded_integers_is_a_wrong_type():
    unrounded = _random_with(lambda s, n, rng: s.low + rng.random(n) * (s.high - s.low))
    result = checks.check("search.random_search", unrounded)
    assert result.mistake == "wrong_type"
    assert "not a whole number" in result.got


# ---------------------------------------------------------------- the cases themselves


def test_a_correct_sampler_misses_an_integer_end_with_probability_below_1e_3():
    draws = 2 * 2000  # seeds 0 and 1
    missed = sum(
        2 * (1 - 1 / (s.high - s.low + 1)) ** draws
        for s in search_exercises._random_space().values()
        if isinstance(s, scales.Integer)
    )
    assert missed < 1e-3


def test_pick_best_has_a_case_whose_best_is_the_last_and_one_with_a_tie():
    picks, ties = [], []
    for kwargs in EXERCISES["tuning.pick_best"].cases():
        final = _final_val(kwargs["results"])
        picks.append(int(np.argmax(final)) == len(final) - 1)
        ties.append(final.count(max(final)) > 1)
    assert any(picks) and any(ties)


def test_importance_has_failed_trials_and_float32_results():
    cases = EXERCISES["search.importance"].cases()
    results = [r for case in cases for r in case["results"]]
    assert any(isinstance(r, search.TrialError) for r in results)
    assert any(r is None for r in results)
    assert any(isinstance(r, float) and math.isnan(r) for r in results)
    assert any(isinstance(r, np.float32) for r in results)


def _replay(outputs):
    """A function that returns outputs, one call after the other."""
    replies = iter(outputs)

    def replay(**kwargs):
        return next(replies)

    return replay


WITH_CASES = sorted(name for name, exercise in EXERCISES.items() if exercise.cases)


@pytest.mark.parametrize("name", WITH_CASES)
def test_every_mistake_runs_on_every_case_and_differs_from_the_reference(name):
    """Each form of each mistake runs on every case, and some case tells it from the reference."""
    exercise = EXERCISES[name]
    cases = exercise.cases()
    for form in exercise.forms:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            outputs = [form.fn(**copy.deepcopy(kwargs)) for kwargs in cases]  # raises if one fails
        result = checks.check(name, _replay(outputs))
        assert result.status == "failed", (form.name, str(result))
