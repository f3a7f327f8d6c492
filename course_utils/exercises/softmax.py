"""Exercises of notebook 06 (softmax regression) and their catalogues of common mistakes.

Every exercise is judged case by case against its reference in ``course_utils.softmax``; a
wrong answer that agrees with a catalogued mistake on every case is named after it.
``softmax.gradient_step`` returns a tuple (W, b, cost), read as named parts so that the report
says which part is wrong, or that the right parts came back in another order. Softmax has
cases with huge logits (1000, 1e4, -1e4): an answer that overflows is told where inf or NaN
came from, and one that matches no catalogued mistake exactly is still diagnosed by what its
columns sum to.
"""

from __future__ import annotations

from itertools import permutations

import numpy as np

from .. import softmax
from . import Exercise
from .compare import Parts

NOTEBOOK = "06"
#: np.exp(x) is inf above this in float64 (e^709.78 is the largest double).
EXP_OVERFLOW = 709.78
#: np.exp(x) is exactly 0 below minus this in float64 (subnormals end near e^-745).
EXP_UNDERFLOW = 745.2


# ---------------------------------------------------------------- cases


def _random_probabilities(rng, n_classes, m, scale=1.5):
    """(Y_hat, Y): Y_hat a softmax of random logits (every entry well inside (0, 1)), Y a
    one-hot of random labels."""
    Y_hat = softmax.softmax(rng.normal(scale=scale, size=(n_classes, m)))
    Y = softmax.one_hot(rng.integers(0, n_classes, size=m), n_classes)
    return Y_hat, Y


# ---------------------------------------------------------------- softmax


def _softmax_cases():
    rng = np.random.default_rng(60)
    return [
        {"Z": rng.normal(scale=2.0, size=(4, 5))},
        # huge logits: e^1000 overflows; the last column is far below the largest logit
        {"Z": np.array([[1000.0, 10.0, -3.0], [999.0, 12.0, -1000.0], [998.0, 11.0, -2.0]])},
        {"Z": np.array([[1e4, -1e4, 0.0, 3.0], [-1e4, 1e4, 0.0, 2.0]])},
        {"Z": rng.normal(size=(3, 1))},
    ]


def _diagnose_softmax(cases, results):
    """A catalogued mistake named from what the results are, for variants of the catalogue.

    The cases whose results are finite show how the columns are normalised; when those are all
    right, inf or NaN on the huge logits means e^z overflowed (or underflowed to 0 / 0).
    """
    finite = []
    for kwargs, got in zip(cases, results, strict=True):
        Z = kwargs["Z"]
        if not isinstance(got, np.ndarray) or got.shape != Z.shape:
            return None
        if not np.issubdtype(got.dtype, np.number):
            return None
        got = np.asarray(got, dtype=float)
        if np.all(np.isfinite(got)):
            finite.append((got, softmax.softmax(Z)))
    if all(np.allclose(got, want) for got, want in finite):
        return "no_max_subtraction" if len(finite) < len(cases) else None

    def every(test):
        return all(test(got, want) for got, want in finite)

    if every(lambda got, want: np.allclose(got.sum(axis=1), 1.0)):
        return "wrong_axis"
    if every(lambda got, want: np.isclose(got.sum(), 1.0)):
        return "normalised_whole_matrix"
    if every(lambda got, want: np.allclose(got, want * got.sum(axis=0, keepdims=True))):
        return "not_normalised"
    return None


def _explain_softmax(i, kwargs, got):
    """Where inf or NaN came from, when the learner's softmax has them."""
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return None
    Z = kwargs["Z"]
    if got.shape != Z.shape or np.all(np.isfinite(got)):
        return None
    j = int(np.argwhere(~np.isfinite(got))[0][1])
    column = Z[:, j]
    if column.max() > EXP_OVERFLOW:
        return (
            f"Column {j} has the logit {column.max():g}: np.exp({column.max():g}) overflows to inf "
            f"(float64 ends near e^{EXP_OVERFLOW}), and inf / inf is NaN"
        )
    if Z.max() - column.max() > EXP_UNDERFLOW:
        return (
            f"Column {j} lies far below the largest logit of Z ({Z.max():g}): shifted by that "
            "max, every e^z of the column underflows to 0, and 0 / 0 is NaN"
        )
    return None


SOFTMAX = Exercise(
    name="softmax.softmax",
    notebook=NOTEBOOK,
    title="softmax, column by column",
    reference=softmax.softmax,
    cases=_softmax_cases,
    diagnose=_diagnose_softmax,
    explain=_explain_softmax,
    hints={
        "wrong_value": "Per column: t = np.exp(Z - np.max(Z, axis=0, keepdims=True)), then "
        "t / np.sum(t, axis=0, keepdims=True).",
    },
)


@SOFTMAX.mistake(
    "no_max_subtraction",
    "np.exp(1000) is inf, and inf / inf is NaN. Subtract each column's max first, "
    "t = np.exp(Z - np.max(Z, axis=0, keepdims=True)): the ratio t / sum(t) is unchanged.",
)
def _sm_no_max(Z):
    with np.errstate(all="ignore"):
        t = np.exp(Z)
        return t / np.sum(t, axis=0, keepdims=True)


@SOFTMAX.mistake(
    "subtracted_global_max",
    "Subtract each column's own max, np.max(Z, axis=0, keepdims=True), not the max of the "
    "whole Z: a column far below the global max underflows to 0 / 0.",
)
def _sm_global_max(Z):
    with np.errstate(all="ignore"):
        t = np.exp(Z - np.max(Z))
        return t / np.sum(t, axis=0, keepdims=True)


@SOFTMAX.mistake(
    "max_over_rows",
    "Subtract each column's max, np.max(Z, axis=0, keepdims=True): only a shift shared by "
    "all the classes of one example leaves its softmax unchanged.",
)
def _sm_max_over_rows(Z):
    with np.errstate(all="ignore"):
        t = np.exp(Z - np.max(Z, axis=1, keepdims=True))
        return t / np.sum(t, axis=0, keepdims=True)


@SOFTMAX.mistake(
    "wrong_axis",
    "Examples are columns: normalise each column over the classes, "
    "t / np.sum(t, axis=0, keepdims=True), so that every column sums to one.",
)
def _sm_wrong_axis(Z):
    t = np.exp(Z - np.max(Z, axis=1, keepdims=True))
    return t / np.sum(t, axis=1, keepdims=True)


@SOFTMAX.mistake(
    "normalised_whole_matrix",
    "Normalise each example (column) on its own: t / np.sum(t, axis=0, keepdims=True), not "
    "t / np.sum(t), which makes the whole matrix sum to one.",
)
def _sm_whole_matrix(Z):
    t = np.exp(Z - np.max(Z))
    return t / np.sum(t)


@SOFTMAX.mistake(
    "not_normalised",
    "t = e^z is only the first step: divide by the column sums, "
    "Y_hat = t / np.sum(t, axis=0, keepdims=True), so each column sums to one.",
)
def _sm_not_normalised(Z):
    return np.exp(Z - np.max(Z, axis=0, keepdims=True))


# ---------------------------------------------------------------- cross_entropy


def _pair_cases(seed):
    rng = np.random.default_rng(seed)
    cases = []
    for n_classes, m in ((3, 4), (4, 6), (2, 5), (5, 1)):
        Y_hat, Y = _random_probabilities(rng, n_classes, m)
        cases.append({"Y_hat": Y_hat, "Y": Y})
    return cases


def _cross_entropy_cases():
    return _pair_cases(61)


CROSS_ENTROPY = Exercise(
    name="softmax.cross_entropy",
    notebook=NOTEBOOK,
    title="the cross-entropy cost J",
    reference=softmax.cross_entropy,
    cases=_cross_entropy_cases,
    hints={
        "wrong_value": "J = -1/m sum over examples and classes of Y log Y_hat: "
        "-np.sum(Y * np.log(Y_hat)) / m, with m = Y.shape[1].",
    },
)


@CROSS_ENTROPY.mistake(
    "summed_not_averaged",
    "The cost is the mean loss over the m examples: divide the sum by m = Y.shape[1].",
)
def _ce_summed(Y_hat, Y):
    return -np.sum(Y * np.log(Y_hat))


@CROSS_ENTROPY.mistake(
    "missing_minus",
    "log Y_hat is negative (Y_hat < 1), so the cost needs the minus sign: "
    "J = -1/m sum Y log Y_hat is positive and 0 only for perfect predictions.",
)
def _ce_no_minus(Y_hat, Y):
    return np.sum(Y * np.log(Y_hat)) / Y.shape[1]


@CROSS_ENTROPY.mistake(
    "binary_formula",
    "That is logistic regression's loss. With one-hot Y the softmax loss has no (1 - Y) "
    "log(1 - Y_hat) term: L = -sum_j y_j log y_hat_j.",
)
def _ce_binary(Y_hat, Y):
    m = Y.shape[1]
    return -np.sum(Y * np.log(Y_hat) + (1 - Y) * np.log(1 - Y_hat)) / m


@CROSS_ENTROPY.mistake(
    "arguments_swapped",
    "The log is of the prediction, not of the label: Y * np.log(Y_hat). log(Y) is -inf "
    "wherever Y is 0.",
)
def _ce_swapped(Y_hat, Y):
    with np.errstate(all="ignore"):
        return -np.sum(Y_hat * np.log(Y)) / Y.shape[1]


@CROSS_ENTROPY.mistake(
    "averaged_over_classes_too",
    "np.mean divides by n_classes * m. Average over the m examples only: "
    "-np.sum(Y * np.log(Y_hat)) / m.",
)
def _ce_mean_of_entries(Y_hat, Y):
    return -np.mean(Y * np.log(Y_hat))


@CROSS_ENTROPY.mistake(
    "divided_by_m_twice",
    "np.mean over the examples already divides by m: take either -np.mean(np.sum(Y * "
    "np.log(Y_hat), axis=0)) or -np.sum(Y * np.log(Y_hat)) / m, not both.",
)
def _ce_divided_by_m_twice(Y_hat, Y):
    losses = -np.sum(Y * np.log(Y_hat), axis=0)
    return np.mean(losses) / Y.shape[1]


@CROSS_ENTROPY.mistake(
    "divided_by_n_classes",
    "m is the number of examples, the columns: m = Y.shape[1], not Y.shape[0] (the "
    "number of classes).",
)
def _ce_divided_by_n_classes(Y_hat, Y):
    return -np.sum(Y * np.log(Y_hat)) / Y.shape[0]


@CROSS_ENTROPY.mistake(
    "log10_instead_of_ln",
    "The cross-entropy uses the natural logarithm, np.log, not np.log10.",
)
def _ce_log10(Y_hat, Y):
    return -np.sum(Y * np.log10(Y_hat)) / Y.shape[1]


@CROSS_ENTROPY.mistake(
    "per_example_losses",
    "These are the m losses L(y, y_hat), one per example; J is one number, their mean.",
)
def _ce_per_example(Y_hat, Y):
    return -np.sum(Y * np.log(Y_hat), axis=0)


# ---------------------------------------------------------------- backward


def _backward_cases():
    return _pair_cases(62)


BACKWARD = Exercise(
    name="softmax.backward",
    notebook=NOTEBOOK,
    title="the gradient dZ = Y_hat - Y",
    reference=softmax.backward,
    cases=_backward_cases,
    hints={
        "wrong_value": "Through softmax and the cross-entropy, dZ = Y_hat - Y.",
        "wrong_shape": "dZ has the shape of Z and Y_hat, (n_classes, m): one column per example.",
    },
)


@BACKWARD.mistake(
    "sign_flipped",
    "dZ = Y_hat - Y: the gradient points towards more cost, so gradient descent moves "
    "W by -alpha dW away from it.",
)
def _bw_sign(Y_hat, Y):
    return Y - Y_hat


@BACKWARD.mistake(
    "divided_by_m",
    "Keep dZ = Y_hat - Y, one column per example: the 1/m of the mean goes into "
    "dW = 1/m dZ X^T and db = 1/m sum(dZ).",
)
def _bw_divided_by_m(Y_hat, Y):
    return (Y_hat - Y) / Y.shape[1]


@BACKWARD.mistake(
    "jacobian_diagonal_only",
    "Each z_j changes every y_hat_i (they share the denominator sum(t)), so the softmax's "
    "Jacobian is not diagonal. The full chain rule simplifies to dZ = Y_hat - Y.",
)
def _bw_jacobian_diagonal(Y_hat, Y):
    return -Y / Y_hat * Y_hat * (1 - Y_hat)


@BACKWARD.mistake(
    "elementwise_derivative",
    "Y_hat (1 - Y_hat) is only the diagonal of the softmax's Jacobian, and it ignores "
    "the labels. Through softmax and the cross-entropy together, dZ = Y_hat - Y.",
)
def _bw_elementwise_derivative(Y_hat, Y):
    return Y_hat * (1 - Y_hat)


@BACKWARD.mistake(
    "gradient_wrt_Y_hat",
    "-Y / Y_hat is dL/dY_hat. Carry it through softmax to the logits: dZ = Y_hat - Y.",
)
def _bw_gradient_wrt_Y_hat(Y_hat, Y):
    return -Y / Y_hat


@BACKWARD.mistake(
    "summed_over_examples",
    "dZ has one column per example, shape (n_classes, m): do not sum over the examples "
    "(that sum, divided by m, is db).",
)
def _bw_summed_over_examples(Y_hat, Y):
    return np.sum(Y_hat - Y, axis=1, keepdims=True)


# ---------------------------------------------------------------- gradient_step

STEP_PARTS = ("W", "b", "cost")


def _gradient_step_cases():
    """Square W (n_classes = n_x), so that a transposed dW gives wrong values, not an error."""
    rng = np.random.default_rng(63)
    cases = []
    for n, m, alpha in ((3, 5, 0.5), (2, 4, 0.1), (4, 7, 1.0)):
        cases.append(
            {
                "W": rng.normal(scale=0.5, size=(n, n)),
                "b": rng.normal(scale=0.5, size=(n, 1)),
                "X": rng.normal(size=(n, m)),
                "Y": softmax.one_hot(rng.integers(0, n, size=m), n),
                "alpha": alpha,
            }
        )
    return cases


def _stable_softmax(Z):
    t = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    return t / np.sum(t, axis=0, keepdims=True)


def _step(W, b, X, Y, alpha, *, scale=None, transpose=False, sign=-1.0, Y_hat=None):
    """One step with the usual pieces, some of them replaced by a mistake."""
    m = X.shape[1]
    Z = W @ X + b
    if Y_hat is None:
        Y_hat = _stable_softmax(Z)
    with np.errstate(all="ignore"):
        cost = -np.sum(Y * np.log(Y_hat)) / m
    dZ = Y_hat - Y
    scale = 1 / m if scale is None else scale
    dW = (X @ dZ.T if transpose else dZ @ X.T) * scale
    db = np.sum(dZ, axis=1, keepdims=True) * scale
    return W + sign * alpha * dW, b + sign * alpha * db, cost


GRADIENT_STEP = Exercise(
    name="softmax.gradient_step",
    notebook=NOTEBOOK,
    title="one gradient-descent step of softmax regression",
    reference=softmax.gradient_step,
    cases=_gradient_step_cases,
    parts=Parts(STEP_PARTS),
    hints={
        "wrong_value": "Z = W X + b, Y_hat = softmax(Z), cost = -1/m sum Y log Y_hat, "
        "dZ = Y_hat - Y, dW = 1/m dZ X^T, db = 1/m sum(dZ, axis=1, keepdims=True); "
        "return W - alpha dW, b - alpha db, cost.",
        "wrong_type": "Return the new parameters and the cost as a tuple: return W, b, cost.",
        "returned_none": "Return the new parameters and the cost: return W, b, cost.",
        "wrong_shape": "W keeps its shape (n_classes, n_x) and b its shape (n_classes, 1): "
        "dW = dZ @ X.T / m, db = np.sum(dZ, axis=1, keepdims=True) / m.",
    },
)


@GRADIENT_STEP.mistake(
    "forgot_one_over_m",
    "J averages over the m examples, so its gradients do too: dW = 1/m dZ X^T and "
    "db = 1/m sum(dZ, axis=1, keepdims=True).",
)
def _gs_forgot_one_over_m(W, b, X, Y, alpha):
    return _step(W, b, X, Y, alpha, scale=1.0)


@GRADIENT_STEP.mistake(
    "divided_by_m_twice",
    "The 1/m of the mean goes in once: keep dZ = Y_hat - Y, then dW = dZ @ X.T / m and "
    "db = np.sum(dZ, axis=1, keepdims=True) / m. Dividing dZ by m as well makes every step "
    "m times too small.",
)
def _gs_divided_by_m_twice(W, b, X, Y, alpha):
    return _step(W, b, X, Y, alpha, scale=1 / X.shape[1] ** 2)


@GRADIENT_STEP.mistake(
    "dW_transposed",
    "dW has the shape of W, (n_classes, n_x): dW = dZ @ X.T / m, not X @ dZ.T.",
)
def _gs_dW_transposed(W, b, X, Y, alpha):
    return _step(W, b, X, Y, alpha, transpose=True)


@GRADIENT_STEP.mistake(
    "gradient_ascent",
    "Step against the gradient: W - alpha dW and b - alpha db. With + the cost grows.",
)
def _gs_plus(W, b, X, Y, alpha):
    return _step(W, b, X, Y, alpha, sign=1.0)


@GRADIENT_STEP.mistake(
    "b_not_updated",
    "b came back unchanged. Either b is not updated (return b - alpha * db), or db sums dZ over "
    "every entry: each column of dZ = Y_hat - Y sums to 0 (both columns sum to 1), so np.sum(dZ) "
    "is 0. Sum over the examples only: db = np.sum(dZ, axis=1, keepdims=True) / m.",
)
def _gs_b_not_updated(W, b, X, Y, alpha):
    W_new, _, cost = _step(W, b, X, Y, alpha)
    return W_new, b, cost


@GRADIENT_STEP.mistake(
    "softmax_skipped",
    "Y_hat is softmax(Z), not Z = W X + b: apply softmax before the cost and dZ = Y_hat - Y.",
)
def _gs_softmax_skipped(W, b, X, Y, alpha):
    return _step(W, b, X, Y, alpha, Y_hat=W @ X + b)


@GRADIENT_STEP.mistake(
    "cost_after_step",
    "Return the cost of the parameters you were given, computed from Y_hat before the "
    "update: it is the value the step is trying to lower.",
)
def _gs_cost_after_step(W, b, X, Y, alpha):
    W_new, b_new, _ = _step(W, b, X, Y, alpha)
    Y_hat = _stable_softmax(W_new @ X + b_new)
    return W_new, b_new, -np.sum(Y * np.log(Y_hat)) / X.shape[1]


@GRADIENT_STEP.mistake(
    "cost_not_averaged",
    "The cost is the mean loss over the m examples: -np.sum(Y * np.log(Y_hat)) / m.",
)
def _gs_cost_not_averaged(W, b, X, Y, alpha):
    W_new, b_new, cost = _step(W, b, X, Y, alpha)
    return W_new, b_new, cost * X.shape[1]


@GRADIENT_STEP.mistake(
    "db_not_summed",
    "b has one value per class, so db sums dZ over the examples: "
    "db = np.sum(dZ, axis=1, keepdims=True) / m, shape (n_classes, 1).",
)
def _gs_db_not_summed(W, b, X, Y, alpha):
    W_new, _, cost = _step(W, b, X, Y, alpha)
    dZ = _stable_softmax(W @ X + b) - Y
    return W_new, b - alpha * dZ / X.shape[1], cost


def _in_order(order):
    """One right step, returned with its parts in this order."""

    def gradient_step(W, b, X, Y, alpha):
        parts = dict(zip(STEP_PARTS, _step(W, b, X, Y, alpha), strict=True))
        return tuple(parts[name] for name in order)

    return gradient_step


GRADIENT_STEP.mistake(
    "returned_in_wrong_order",
    "The exercise asks for (W, b, cost), the new parameters first: return W, b, cost.",
    fn=_in_order(("cost", "W", "b")),
)
for _order in permutations(STEP_PARTS):  # every other order is the same mistake
    if _order not in (STEP_PARTS, ("cost", "W", "b")):
        GRADIENT_STEP.mistake("returned_in_wrong_order", fn=_in_order(_order), variant=True)


EXERCISES = (SOFTMAX, CROSS_ENTROPY, BACKWARD, GRADIENT_STEP)
