"""Exercises of notebook 03 (tuning in practice: panda and caviar) and their catalogues of
common mistakes.

Each is judged case by case against its reference in ``course_utils.tuning``; a wrong answer
that agrees with a catalogued mistake on every case is named after it. The cases are chosen so
that every mistake differs from the reference, and from the mistakes before it, on at least
one case: a rise, a fall and no change of the loss, a factor other than 0.5 and a NaN loss for
the panda's rule; budgets that do not divide evenly for the epochs per model, whose check also
asks for a whole number (an int, not 5.0); results whose best model differs by validation,
training and test accuracy, by the peak, the mean and the first of the epochs, whose best model
is the last one, and a tie (the first model wins), for picking the best.
"""

from __future__ import annotations

import math

import numpy as np

from .. import tuning
from . import Exercise

NOTEBOOK = "03"


# ---------------------------------------------------------------- next_alpha


def _next_alpha_cases():
    return [
        {"alpha": 0.01, "val_loss": [0.9, 0.5, 0.6], "factor": 0.5},  # rose: halve
        {"alpha": 0.01, "val_loss": [0.9, 0.5, 0.4], "factor": 0.5},  # fell: keep
        {"alpha": 0.1, "val_loss": [0.4, 0.3, 0.35], "factor": 0.3},  # rose, another factor
        {"alpha": 0.02, "val_loss": [0.5, 0.9, 0.6], "factor": 0.5},  # fell, still above the first
        {"alpha": 0.01, "val_loss": [0.9, 0.5, 0.5], "factor": 0.5},  # stayed: keep
        {"alpha": 0.3, "val_loss": [0.8, 0.7, float("nan")], "factor": 0.5},  # blew up: a rise
        {"alpha": 0.003, "val_loss": [0.5], "factor": 0.5},  # one epoch: nothing to compare
        {"alpha": 0.003, "val_loss": [], "factor": 0.5},  # no epoch yet
    ]


def _rose(val_loss):
    return len(val_loss) >= 2 and not val_loss[-1] <= val_loss[-2]


NEXT_ALPHA = Exercise(
    name="tuning.next_alpha",
    notebook=NOTEBOOK,
    title="the scripted panda's rule: lower alpha when the validation loss rises",
    reference=tuning.next_alpha,
    cases=_next_alpha_cases,
)


@NEXT_ALPHA.mistake(
    "halved_when_falling",
    "The comparison is the wrong way round: lower alpha when the loss ROSE, "
    "val_loss[-1] > val_loss[-2]; a falling loss means alpha is working.",
)
def _na_halved_when_falling(alpha, val_loss, factor=0.5):
    fell = len(val_loss) >= 2 and val_loss[-1] < val_loss[-2]
    return alpha * factor if fell else alpha


@NEXT_ALPHA.mistake(
    "compared_with_first",
    "Compare the last epoch with the epoch just before it, val_loss[-2], not with the "
    "first epoch val_loss[0]: the rule reacts to what the last epoch did.",
)
def _na_compared_with_first(alpha, val_loss, factor=0.5):
    rose = len(val_loss) >= 2 and not val_loss[-1] <= val_loss[0]
    return alpha * factor if rose else alpha


@NEXT_ALPHA.mistake(
    "ignored_factor",
    "Multiply by the factor you are given, alpha * factor; 0.5 is only its default.",
)
def _na_ignored_factor(alpha, val_loss, factor=0.5):
    return alpha / 2 if _rose(val_loss) else alpha


@NEXT_ALPHA.mistake(
    "divided_by_factor",
    "factor is below 1: alpha * factor lowers alpha, alpha / factor raises it, the "
    "opposite of what a rising loss asks for.",
)
def _na_divided_by_factor(alpha, val_loss, factor=0.5):
    return alpha / factor if _rose(val_loss) else alpha


@NEXT_ALPHA.mistake(
    "nan_not_a_rise",
    "A NaN loss has blown up, but nan > x is False, so your rule keeps alpha. Test "
    "`not val_loss[-1] <= val_loss[-2]` (any comparison with NaN is False, so its `not` "
    "counts NaN as a rise), or check np.isnan(val_loss[-1]) first.",
)
def _na_nan_not_a_rise(alpha, val_loss, factor=0.5):
    rose = len(val_loss) >= 2 and val_loss[-1] > val_loss[-2]
    return alpha * factor if rose else alpha


@NEXT_ALPHA.mistake(
    "lowered_every_epoch",
    "Lower alpha only when the last validation loss rose above the one before; when "
    "it fell or stayed, keep alpha.",
)
def _na_every_epoch(alpha, val_loss, factor=0.5):
    return alpha * factor if len(val_loss) >= 2 else alpha


@NEXT_ALPHA.mistake(
    "stayed_is_a_rise",
    "A loss that stayed the same did not rise: keep alpha. `not val_loss[-1] < "
    "val_loss[-2]` (that is, >=) lowers alpha on equal losses too; test `not "
    "val_loss[-1] <= val_loss[-2]`, which is True for a rise and for NaN only.",
)
def _na_stayed_is_a_rise(alpha, val_loss, factor=0.5):
    rose = len(val_loss) >= 2 and not val_loss[-1] < val_loss[-2]
    return alpha * factor if rose else alpha


# ---------------------------------------------------------------- epochs_per_model


def _epochs_cases():
    return [
        {"budget": 160, "n_models": 32},  # divides evenly
        {"budget": 100, "n_models": 32},  # 3.125: round 3, ceil 4
        {"budget": 90, "n_models": 32},  # 2.8125: round 3, ceil 3
        {"budget": 20, "n_models": 32},  # less than one epoch each
        {"budget": 7, "n_models": 1},  # the panda: one model gets it all
    ]


def _whole_number_problem(kwargs, got, caught_warnings):
    """(mistake, message) when got, of the right value, is not an int (a float such as 5.0).

    A wrong value is reported first: it says more than its type.
    """
    if isinstance(got, int | np.integer) and not isinstance(got, bool):
        return None
    if isinstance(got, np.ndarray) and got.ndim == 0 and np.issubdtype(got.dtype, np.integer):
        return None
    return (
        "float_epochs",
        f"{got!r}, a {type(got).__name__}: the value is right, but a model trains a whole "
        "number of epochs, an int",
    )


EPOCHS_PER_MODEL = Exercise(
    name="tuning.epochs_per_model",
    notebook=NOTEBOOK,
    title="epochs per model for a fixed compute budget",
    reference=tuning.epochs_per_model,
    cases=_epochs_cases,
    also=_whole_number_problem,
)


@EPOCHS_PER_MODEL.mistake(
    "rounded_up",
    "Rounding up plans more than the budget: 32 models of ceil(100 / 32) = 4 epochs "
    "spend 128 > 100. Take the whole epochs that fit, budget // n_models.",
)
def _epochs_rounded_up(budget, n_models):
    return math.ceil(budget / n_models)


@EPOCHS_PER_MODEL.mistake(
    "rounded_to_nearest",
    "round(budget / n_models) rounds up half the time, and then the plan exceeds the "
    "budget: take the whole epochs that fit, budget // n_models.",
)
def _epochs_rounded_to_nearest(budget, n_models):
    return round(budget / n_models)


@EPOCHS_PER_MODEL.mistake(
    "true_division",
    "budget / n_models is a fraction of an epoch; a model trains whole epochs: budget // n_models.",
)
def _epochs_true_division(budget, n_models):
    return budget / n_models


@EPOCHS_PER_MODEL.mistake(
    "forgot_the_models",
    "The budget is shared: n_models models of E epochs each spend n_models * E, so "
    "each gets budget // n_models, not the whole budget.",
)
def _epochs_forgot_the_models(budget, n_models):
    return budget


@EPOCHS_PER_MODEL.mistake(
    "multiplied",
    "The models share the budget, so divide it among them: budget // n_models.",
)
def _epochs_multiplied(budget, n_models):
    return budget * n_models


@EPOCHS_PER_MODEL.mistake(
    "float_epochs",
    "The value is right but it is a float such as 5.0: a model trains a whole number of "
    "epochs, an int. budget // n_models of two ints is an int; budget / n_models is a "
    "float, and so is np.floor of it (or float(...)).",
)
def _epochs_float_epochs(budget, n_models):
    return float(budget // n_models)


# ---------------------------------------------------------------- pick_best


def _result(train, val, test, alpha):
    return {
        "config": {"alpha": alpha},
        "train_accuracy": list(train),
        "val_accuracy": list(val),
        "test_accuracy": test,
    }


def _pick_cases():
    """Results whose best model differs by each criterion a mistake would use."""
    first = [
        _result([0.60, 0.80, 0.90], [0.62, 0.78, 0.86], 0.84, 0.0003),
        _result([0.80, 0.95, 1.00], [0.70, 0.85, 0.88], 0.87, 0.03),  # best by training
        _result([0.70, 0.85, 0.93], [0.68, 0.83, 0.91], 0.89, 0.003),  # best by validation
        _result([0.75, 0.88, 0.92], [0.74, 0.92, 0.89], 0.93, 0.01),  # best by test and peak
        _result([0.10, 0.10, 0.10], [0.11, 0.09, 0.10], 0.10, 0.9),  # blew up: the worst
    ]
    second = [
        _result([0.85, 0.90], [0.84, 0.88], 0.90, 0.005),  # best mean, best by test
        _result([0.50, 0.90], [0.40, 0.87], 0.86, 0.0005),  # worst mean
        _result([0.60, 0.97], [0.58, 0.93], 0.88, 0.02),  # best by validation and training
        _result([0.70, 0.80], [0.70, 0.80], 0.79, 0.2),  # the worst at the end
    ]
    third = [
        _result([0.90], [0.95], 0.91, 0.01),  # one epoch, one best
        _result([0.95], [0.90], 0.96, 0.1),
    ]
    last = [
        _result([0.78, 0.83, 0.86], [0.80, 0.82, 0.84], 0.83, 0.004),  # best mean
        _result([0.91, 0.80, 0.82], [0.89, 0.70, 0.80], 0.85, 0.3),  # best first epoch
        _result([0.60, 0.85, 0.89], [0.60, 0.88, 0.90], 0.86, 0.008),  # the best is the last
    ]
    tie = [
        _result([0.72, 0.86], [0.70, 0.85], 0.84, 0.001),
        _result([0.81, 0.92], [0.80, 0.90], 0.89, 0.002),  # tied for the best: the first wins
        _result([0.87, 0.93], [0.86, 0.90], 0.88, 0.006),  # tied for the best
        _result([0.62, 0.81], [0.60, 0.80], 0.79, 0.05),
    ]
    return [
        {"results": first},
        {"results": second},
        {"results": third},
        {"results": last},
        {"results": tie},
    ]


def _final(results, key):
    return [r[key][-1] if isinstance(r[key], list) else r[key] for r in results]


def _accuracies(values):
    return "[" + ", ".join(f"{float(v):.4g}" for v in values) + "]"


def _pick_describe(fn_name, i, kwargs):
    """The Called line: the results are too long to show, their last val accuracies are not."""
    final = _final(kwargs["results"], "val_accuracy")
    best = int(np.argmax(final))
    tie = " (the first of the tied best)" if final.count(final[best]) > 1 else ""
    return (
        f"{fn_name}(results) on {len(final)} models; last validation accuracies: "
        f"{_accuracies(final)} -> expected index {best}{tie}"
    )


def _pick_explain(i, kwargs, got):
    """What the learner's index points at: its model's accuracies, or no model at all."""
    results = kwargs["results"]
    if isinstance(got, bool) or not isinstance(got, int | np.integer):
        return None
    k, n = int(got), len(results)
    if not 0 <= k < n:
        return f"There is no model {k}: the indices of {n} models run from 0 to {n - 1}"
    r = results[k]
    return (
        f"Model {k} ends at validation accuracy {float(r['val_accuracy'][-1]):.4g} (training "
        f"{float(r['train_accuracy'][-1]):.4g}, test {float(r['test_accuracy']):.4g})"
    )


PICK_BEST = Exercise(
    name="tuning.pick_best",
    notebook=NOTEBOOK,
    title="pick caviar's best model by validation accuracy",
    reference=tuning.pick_best,
    cases=_pick_cases,
    describe=_pick_describe,
    explain=_pick_explain,
)


@PICK_BEST.mistake(
    "picked_by_test",
    "Never choose by the test accuracy: the test set would then be part of the "
    "tuning, and its accuracy an optimistic estimate. Choose by r['val_accuracy'][-1].",
)
def _pick_picked_by_test(results):
    return int(np.argmax(_final(results, "test_accuracy")))


@PICK_BEST.mistake(
    "picked_by_training",
    "The training accuracy rewards the model that fits (or overfits) its training "
    "data best. Choose by the validation accuracy, r['val_accuracy'][-1].",
)
def _pick_picked_by_training(results):
    return int(np.argmax(_final(results, "train_accuracy")))


@PICK_BEST.mistake(
    "argmin",
    "The best model has the HIGHEST validation accuracy: np.argmax, not np.argmin.",
)
def _pick_argmin(results):
    return int(np.argmin(_final(results, "val_accuracy")))


@PICK_BEST.mistake(
    "returned_the_accuracy",
    "Return which model is best, its index k (np.argmax), not its accuracy (np.max).",
)
def _pick_returned_the_accuracy(results):
    return float(np.max(_final(results, "val_accuracy")))


@PICK_BEST.mistake(
    "peak_epoch",
    "The networks you keep are the ones after their LAST epoch; a model's peak at an "
    "earlier epoch is gone with that epoch's weights. Compare r['val_accuracy'][-1].",
)
def _pick_peak_epoch(results):
    return int(np.argmax([max(r["val_accuracy"]) for r in results]))


@PICK_BEST.mistake(
    "mean_over_epochs",
    "The mean over the epochs rewards a fast start, not where a model ends: compare "
    "the validation accuracy after the last epoch, r['val_accuracy'][-1].",
)
def _pick_mean_over_epochs(results):
    return int(np.argmax([np.mean(r["val_accuracy"]) for r in results]))


@PICK_BEST.mistake(
    "first_epoch",
    "r['val_accuracy'][0] is the accuracy after the FIRST epoch; the networks you keep "
    "are the ones after their last epoch: compare r['val_accuracy'][-1].",
)
def _pick_first_epoch(results):
    return int(np.argmax([r["val_accuracy"][0] for r in results]))


@PICK_BEST.mistake(
    "left_out_last",
    "The last model was never considered: loop over all of results (range(len(results)),"
    " not range(len(results) - 1) or results[:-1]).",
)
def _pick_left_out_last(results):
    return int(np.argmax(_final(results[:-1], "val_accuracy")))


@PICK_BEST.mistake(
    "last_on_tie",
    "On a tie the FIRST of the tied models wins, as np.argmax does. A loop that updates "
    "the best on >= (or sorted(...)[-1]) keeps the last one: update only on >.",
)
def _pick_last_on_tie(results):
    best = 0
    for k, r in enumerate(results):
        if r["val_accuracy"][-1] >= results[best]["val_accuracy"][-1]:
            best = k
    return best


@PICK_BEST.mistake(
    "one_based_index",
    "Python counts from 0: the first model is results[0], so the best one's index is "
    "np.argmax(...) as it is, without + 1 (and enumerate(results) without start=1).",
)
def _pick_one_based_index(results):
    return int(np.argmax(_final(results, "val_accuracy"))) + 1


EXERCISES = (NEXT_ALPHA, EPOCHS_PER_MODEL, PICK_BEST)
