"""The exercise of notebook 07 (the capstone) and its catalogue of common mistakes.

Judged case by case against ``tuning.fixed_hyperparameters``: shares on both sides of the noise
floor, one exactly at it, and a best config whose values differ from the defaults, so that each
mistake gives a different answer from the reference on at least one case. The exercise asks for
the fixed hyperparameters in the best config's order: the right ones in another order are the
mistake ``order_changed``, not ``wrong_keys`` (the wrong hyperparameters). A report shows the
learner's dict whole and names every key that is missing, extra or at a wrong value.
"""

from __future__ import annotations

from .. import tuning
from . import Exercise
from .compare import dict_problem, numbers_problem

NOTEBOOK = "07"


def _cases():
    best = {
        "alpha": 0.012,
        "beta1": 0.95,
        "hidden_units": 96,
        "batch_size": 32,
        "layers": 3,
        "decay_rate": 0.4,
        "beta2": 0.995,
        "eps": 3e-9,
    }
    shares = {
        "alpha": 0.62,
        "beta1": 0.02,
        "hidden_units": 0.15,
        "batch_size": 0.07,  # exactly at the floor: no effect we can tell from luck
        "layers": 0.05,
        "decay_rate": 0.01,
        "beta2": 0.03,
        "eps": 0.04,
    }
    two = {"alpha": 0.2, "eps": 1e-7}
    return [
        {"best_config": best, "shares": shares, "floor": 0.07},
        {"best_config": best, "shares": shares, "floor": 0.2},
        {"best_config": two, "shares": {"alpha": 0.7, "eps": 0.1}, "floor": 0.09},
    ]


def _fixed_problem(got, expected):
    """(mistake, message) when got is not the dict of fixed hyperparameters expected, else None.

    The message shows got whole, then every difference: the names fixed that should be
    searched, the names left out, and each value that is not the best config's.
    """
    if not isinstance(expected, dict):  # a catalogued mistake's answer of another type
        return None if got == expected else ("wrong_value", f"{got!r}")
    if not isinstance(got, dict):
        return dict_problem(got, expected, "name -> value")
    extra = [name for name in got if name not in expected]
    missing = [name for name in expected if name not in got]
    wrong = [
        problem
        for name in expected
        if name in got
        and (problem := numbers_problem({name: got[name]}, {name: expected[name]}, "result"))
    ]
    if not (extra or missing or wrong):
        if list(got) == list(expected):
            return None
        # the right hyperparameters; the exercise asks for them in the best config's order
        return (
            "order_changed",
            f"the right hyperparameters, in another order: {list(got)}, expected the best "
            f"config's order {list(expected)}",
        )
    differences = []
    if extra:
        differences.append(f"fixed {extra}, whose share is above the floor (search them)")
    if missing:
        differences.append(f"left out {missing}, whose share is at most the floor (fix them)")
    differences += [message for _, message in wrong]
    mistake = "wrong_keys" if extra or missing else wrong[0][0]
    return mistake, f"{got!r}: " + "; ".join(differences)


WRONG_KEYS_HINT = (
    "Compare each hyperparameter's share with the floor: fix (keep in the dict) every one whose "
    "share is at most the floor, and leave out the others, which are searched again."
)


FIXED_HYPERPARAMETERS = Exercise(
    name="tuning.fixed_hyperparameters",
    notebook=NOTEBOOK,
    title="fix what does not matter, at the best trial's values",
    reference=tuning.fixed_hyperparameters,
    cases=_cases,
    problem=_fixed_problem,
    hints={"wrong_keys": WRONG_KEYS_HINT},
)


@FIXED_HYPERPARAMETERS.mistake(
    "fixed_the_important",
    "The comparison is the wrong way round: fix the hyperparameters whose share is AT "
    "MOST the floor (no effect beyond luck), and keep searching the ones above it.",
)
def _fixed_the_important(best_config, shares, floor):
    return {name: value for name, value in best_config.items() if shares[name] > floor}


@FIXED_HYPERPARAMETERS.mistake(
    "defaults_not_best",
    "Fix them at the best trial's values, best_config[name], not at the defaults: the "
    "best trial is a config that is known to work together.",
)
def _defaults(best_config, shares, floor):
    return {
        name: tuning.DEFAULTS.get(name, value)
        for name, value in best_config.items()
        if shares[name] <= floor
    }


@FIXED_HYPERPARAMETERS.mistake(
    "strictly_below",
    "A share equal to the floor is no more than chance gives: use shares[name] <= floor.",
)
def _strictly_below(best_config, shares, floor):
    return {name: value for name, value in best_config.items() if shares[name] < floor}


@FIXED_HYPERPARAMETERS.mistake(
    "bottom_half",
    "How many hyperparameters to fix is the noise floor's decision, not a fixed half: "
    "compare each share with the floor.",
)
def _bottom_half(best_config, shares, floor):
    ranked = sorted(best_config, key=lambda name: shares[name])
    keep = set(ranked[: len(ranked) // 2])
    return {name: value for name, value in best_config.items() if name in keep}


@FIXED_HYPERPARAMETERS.mistake(
    "order_changed",
    "You fixed the right hyperparameters, but the exercise asks for them in the best config's "
    "order (a dict keeps the order its keys were put in): loop over best_config.items() and "
    "keep each one whose share is at most the floor, instead of sorting the names or the "
    "shares.",
)
def _order_changed(best_config, shares, floor):
    return {name: best_config[name] for name in sorted(best_config) if shares[name] <= floor}


def _by_share(best_config, shares, floor):
    ranked = sorted(best_config, key=lambda name: shares[name])
    return {name: best_config[name] for name in ranked if shares[name] <= floor}


FIXED_HYPERPARAMETERS.mistake("order_changed", fn=_by_share, variant=True)


@FIXED_HYPERPARAMETERS.mistake(
    "only_the_names",
    "Return a dict name -> value (the value to fix it at), not only the names.",
)
def _the_names(best_config, shares, floor):
    return [name for name in best_config if shares[name] <= floor]


EXERCISES = (FIXED_HYPERPARAMETERS,)
