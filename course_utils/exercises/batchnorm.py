"""Exercises of notebooks 04 (batch norm in training) and 05 (batch norm at test time), and their
catalogues of common mistakes.

``batchnorm.forward``, ``batchnorm.backward`` and ``batchnorm.update_running`` return several
arrays at once, so they declare their results' named parts (``Z_tilde``, ``cache['mu']``, ...,
``dZ``, ``dgamma``, ``dbeta``), each compared with the reference's: the report says which part
is wrong. The backward exercise also explains a failure with each gradient's error against
central finite differences of the scalar L = sum(dZ_tilde * Z_tilde), an independent check of
the reference and the learner.
The forward exercise checks every key of the cache the exercise asks for (a wrong one is
named, with what it should hold) and has a case of pre-activations near 1e4 with a small
spread, where the one-pass variance mean(Z**2) - mu**2 loses its digits.
``batchnorm.inference`` returns one array and is checked case by case like any exercise.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import batchnorm
from ..gradcheck import numerical_gradient, relative_error
from . import Exercise
from .compare import Parts, compare, format_call, format_value

TRAINING, TEST_TIME = "04", "05"

# ---------------------------------------------------------------- hints


def _shape_hint(part, expected):
    """The hint for a part of the wrong shape: a column per unit, or the shape of Z."""
    if len(np.shape(expected)) == 2 and np.shape(expected)[1] == 1:
        return (
            f"{part} has one value per unit, shape (n_l, 1): reduce over the m examples "
            "(axis=1) with keepdims=True."
        )
    return f"{part} has the shape of Z, (n_l, m): one column per example."


def _columns(rng, n_l, low=0.5, high=2.0):
    """An (n_l, 1) column with values of both signs, |value| in [low, high]."""
    return rng.uniform(low, high, size=(n_l, 1)) * rng.choice([-1.0, 1.0], size=(n_l, 1))


def _forward_inputs():
    """(Z, gamma, beta, eps) for the forward and backward exercises; m = 1 comes last."""
    rng = np.random.default_rng(4)
    wide = rng.normal(size=(2, 8)) * np.array([[30.0], [0.01]]) + np.array([[5.0], [-1.0]])
    constant = rng.normal(1.0, 2.0, size=(4, 6))
    constant[2] = 3.0  # a unit that is constant over the batch: var = 0, Z_norm = 0
    return [
        (rng.normal(2.0, 3.0, size=(3, 5)), _columns(rng, 3), rng.normal(size=(3, 1)), 1e-5),
        (wide, _columns(rng, 2), rng.normal(size=(2, 1)), 1e-5),
        (constant, _columns(rng, 4), rng.normal(size=(4, 1)), 1e-3),
        (rng.normal(size=(3, 1)), _columns(rng, 3), rng.normal(size=(3, 1)), 1e-5),
    ]


# ---------------------------------------------------------------- forward (notebook 04)


def _offset_case():
    """Pre-activations near 1e4 with a spread of 0.01, where the one-pass variance
    mean(Z**2) - mu**2 cancels: it subtracts two numbers near 1e8 whose difference is 1e-4.

    Measured (float64, this case): the one-pass var is off by a relative 2e-4 to 1.3e-3 per
    unit, far outside the checker's rtol of 1e-7; the two-pass var, mean((Z - mu)**2), and
    np.var agree with the reference to the last bit, and with an exact (long double) variance
    to 2e-16.
    """
    rng = np.random.default_rng(0)
    Z = 1e4 + 0.01 * rng.normal(size=(3, 8))
    return {"Z": Z, "gamma": _columns(rng, 3), "beta": rng.normal(size=(3, 1)), "eps": 1e-5}


def _forward_cases():
    cases = [
        {"Z": Z, "gamma": gamma, "beta": beta, "eps": eps}
        for Z, gamma, beta, eps in _forward_inputs()
    ]
    return [*cases, _offset_case()]


#: The cache's keys, as the exercise asks for them.
CACHE_KEYS = ("Z", "mu", "var", "Z_norm", "inv_std", "gamma", "eps")
FORWARD_PARTS = Parts(("Z_tilde", "cache"), cache="cache", keys=CACHE_KEYS)

#: What each wrong part of forward's result should be: the hint for a wrong value.
_FORWARD_VALUE_HINTS = {
    "Z_tilde": "Follow the formulas one line at a time: mu and var over the examples (axis=1, "
    "keepdims=True, var with 1/m), Z_norm = (Z - mu) / np.sqrt(var + eps), "
    "Z_tilde = gamma * Z_norm + beta.",
    "cache['Z']": "cache['Z'] is the Z you were given, unchanged.",
    "cache['mu']": "mu = np.mean(Z, axis=1, keepdims=True): one mean per unit, over the m "
    "examples.",
    "cache['var']": "var = np.var(Z, axis=1, keepdims=True): the mean of (Z - mu)**2 over the "
    "m examples (1/m).",
    "cache['Z_norm']": "Z_norm = (Z - mu) / np.sqrt(var + eps).",
    "cache['inv_std']": "inv_std = 1 / np.sqrt(var + eps), so that Z_norm = (Z - mu) * inv_std.",
    "cache['gamma']": "cache['gamma'] is the gamma you were given, the array itself.",
    "cache['eps']": "cache['eps'] is the eps you were given (the cases pass other values than "
    "1e-5).",
}


def _forward_value_hint(part, expected):
    return _FORWARD_VALUE_HINTS.get(part, _FORWARD_VALUE_HINTS["Z_tilde"])


def _forward_with(Z, gamma, eps, mu, var, inv_std, Z_norm, Z_tilde):
    cache = {
        "Z": Z,
        "mu": mu,
        "var": var,
        "Z_norm": Z_norm,
        "inv_std": inv_std,
        "gamma": gamma,
        "eps": eps,
    }
    return Z_tilde, cache


def _normalised(Z, gamma, beta, eps, mu, var):
    """forward's result with these mu and var, the rest as the formulas say."""
    inv_std = 1 / np.sqrt(var + eps)
    Z_norm = (Z - mu) * inv_std
    return _forward_with(Z, gamma, eps, mu, var, inv_std, Z_norm, gamma * Z_norm + beta)


def _one_pass_error_only(kwargs, var):
    """True when var differs from the reference's by no more than float64 rounds mean(Z**2):
    the one-pass formula's cancellation, and no other slip."""
    Z = np.asarray(kwargs["Z"], dtype=float)
    want = batchnorm.forward(**kwargs)[1]["var"]
    bound = 64 * np.finfo(float).eps * np.mean(Z**2, axis=1, keepdims=True)
    return var.shape == want.shape and bool(np.all(np.abs(var - want) <= bound))


def _diagnose_forward(cases, results):
    """one_pass_variance for a variance off only by the one-pass cancellation, on some case.

    The one-pass formula rounds differently depending on how it is written (np.mean, a sum
    divided by m, Z * Z or Z**2), so no catalogued form may match it to 1e-7; its error is
    still bounded by the rounding of mean(Z**2).
    """
    off = False
    for kwargs, raw in zip(cases, results, strict=True):
        parts, _ = FORWARD_PARTS.unpack(raw)
        if parts is None:
            return None
        try:
            var = np.asarray(parts["cache['var']"], dtype=float)
        except (TypeError, ValueError):
            return None
        if not _one_pass_error_only(kwargs, var):
            return None
        off = off or compare(var, batchnorm.forward(**kwargs)[1]["var"]) is not None
    return "one_pass_variance" if off else None


FORWARD = Exercise(
    name="batchnorm.forward",
    notebook=TRAINING,
    title="batch norm forward pass in training",
    reference=batchnorm.forward,
    cases=_forward_cases,
    parts=FORWARD_PARTS,
    diagnose=_diagnose_forward,
    hints={"wrong_value": _forward_value_hint, "wrong_shape": _shape_hint},
)


@FORWARD.mistake(
    "wrong_axis",
    "Examples are columns: mu and var are per unit, over the m examples, so reduce along "
    "axis=1 with keepdims=True (shape (n_l, 1)), not axis=0.",
)
def _fwd_wrong_axis(Z, gamma, beta, eps=1e-5):
    mu = Z.mean(axis=0, keepdims=True)
    var = Z.var(axis=0, keepdims=True)
    return _normalised(Z, gamma, beta, eps, mu, var)


@FORWARD.mistake(
    "unbiased_variance",
    "Batch norm uses the biased variance, var = 1/m sum (z - mu)**2: np.var(Z, axis=1, "
    "keepdims=True) with the default ddof=0, not ddof=1 or a sum divided by m - 1.",
)
def _fwd_unbiased_variance(Z, gamma, beta, eps=1e-5):
    mu = Z.mean(axis=1, keepdims=True)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # ddof=1 divides by m - 1 = 0 when m = 1
        var = Z.var(axis=1, ddof=1, keepdims=True)
    return _normalised(Z, gamma, beta, eps, mu, var)


@FORWARD.mistake(
    "one_pass_variance",
    "var = mean(Z**2) - mu**2 subtracts two nearly equal numbers when the values sit far from "
    "0 compared with their spread (about 1e8 each here, for a variance below 1e-4): float64 keeps "
    "about 16 digits, and the digits of the variance cancel away. Compute the mean of the "
    "squared deviations, np.mean((Z - mu)**2, axis=1, keepdims=True), as np.var does.",
)
def _fwd_one_pass_variance(Z, gamma, beta, eps=1e-5):
    mu = Z.mean(axis=1, keepdims=True)
    var = np.mean(Z**2, axis=1, keepdims=True) - mu**2
    return _normalised(Z, gamma, beta, eps, mu, var)


@FORWARD.mistake(
    "eps_outside_sqrt",
    "eps goes inside the square root: Z_norm = (Z - mu) / np.sqrt(var + eps), not "
    "(Z - mu) / (np.sqrt(var) + eps).",
)
def _fwd_eps_outside_sqrt(Z, gamma, beta, eps=1e-5):
    mu = Z.mean(axis=1, keepdims=True)
    var = Z.var(axis=1, keepdims=True)
    inv_std = 1 / (np.sqrt(var) + eps)
    Z_norm = (Z - mu) * inv_std
    return _forward_with(Z, gamma, eps, mu, var, inv_std, Z_norm, gamma * Z_norm + beta)


@FORWARD.mistake(
    "forgot_eps",
    "Add eps under the square root: Z_norm = (Z - mu) / np.sqrt(var + eps). Without it a "
    "unit that is constant over the batch (var = 0) gives 0 / 0 = NaN.",
)
def _fwd_forgot_eps(Z, gamma, beta, eps=1e-5):
    mu = Z.mean(axis=1, keepdims=True)
    var = Z.var(axis=1, keepdims=True)
    with np.errstate(all="ignore"):
        inv_std = 1 / np.sqrt(var)
        Z_norm = (Z - mu) * inv_std
    return _forward_with(Z, gamma, eps, mu, var, inv_std, Z_norm, gamma * Z_norm + beta)


@FORWARD.mistake(
    "divides_by_var",
    "Divide by the standard deviation, np.sqrt(var + eps), not by the variance: only then "
    "does Z_norm have variance 1.",
)
def _fwd_divides_by_var(Z, gamma, beta, eps=1e-5):
    mu = Z.mean(axis=1, keepdims=True)
    var = Z.var(axis=1, keepdims=True)
    inv_std = 1 / (var + eps)
    Z_norm = (Z - mu) * inv_std
    return _forward_with(Z, gamma, eps, mu, var, inv_std, Z_norm, gamma * Z_norm + beta)


@FORWARD.mistake(
    "inv_std_not_inverted",
    "cache['inv_std'] is the inverse of the standard deviation, 1 / np.sqrt(var + eps) "
    "(Z_norm = (Z - mu) * inv_std, and backward multiplies by it), not np.sqrt(var + eps).",
)
def _fwd_inv_std_not_inverted(Z, gamma, beta, eps=1e-5):
    mu = Z.mean(axis=1, keepdims=True)
    var = Z.var(axis=1, keepdims=True)
    std = np.sqrt(var + eps)
    Z_norm = (Z - mu) / std
    return _forward_with(Z, gamma, eps, mu, var, std, Z_norm, gamma * Z_norm + beta)


def _fwd_with_Z_norm(Z, gamma, beta, eps, Z_norm, Z_tilde):
    """forward's result whose Z_norm and Z_tilde are wrong, its statistics right."""
    mu = Z.mean(axis=1, keepdims=True)
    var = Z.var(axis=1, keepdims=True)
    return _forward_with(Z, gamma, eps, mu, var, 1 / np.sqrt(var + eps), Z_norm, Z_tilde)


@FORWARD.mistake(
    "not_centred",
    "Subtract the mean before dividing: Z_norm = (Z - mu) / np.sqrt(var + eps), so that "
    "each unit has mean 0.",
)
def _fwd_not_centred(Z, gamma, beta, eps=1e-5):
    Z_norm = Z / np.sqrt(Z.var(axis=1, keepdims=True) + eps)
    return _fwd_with_Z_norm(Z, gamma, beta, eps, Z_norm, gamma * Z_norm + beta)


def _right_Z_norm(Z, eps):
    return (Z - Z.mean(axis=1, keepdims=True)) / np.sqrt(Z.var(axis=1, keepdims=True) + eps)


@FORWARD.mistake(
    "affine_on_Z",
    "Scale and shift the normalised values: Z_tilde = gamma * Z_norm + beta, not gamma * Z + beta.",
)
def _fwd_affine_on_Z(Z, gamma, beta, eps=1e-5):
    return _fwd_with_Z_norm(Z, gamma, beta, eps, _right_Z_norm(Z, eps), gamma * Z + beta)


@FORWARD.mistake(
    "forgot_beta",
    "Add the shift: Z_tilde = gamma * Z_norm + beta. Without beta every unit keeps mean 0 "
    "and the layer cannot move it.",
)
def _fwd_forgot_beta(Z, gamma, beta, eps=1e-5):
    Z_norm = _right_Z_norm(Z, eps)
    return _fwd_with_Z_norm(Z, gamma, beta, eps, Z_norm, gamma * Z_norm)


@FORWARD.mistake(
    "gamma_beta_swapped",
    "gamma scales and beta shifts: Z_tilde = gamma * Z_norm + beta.",
)
def _fwd_gamma_beta_swapped(Z, gamma, beta, eps=1e-5):
    Z_norm = _right_Z_norm(Z, eps)
    return _fwd_with_Z_norm(Z, gamma, beta, eps, Z_norm, beta * Z_norm + gamma)


# ---------------------------------------------------------------- backward (notebook 04)

BACKWARD_PARTS = Parts(("dZ", "dgamma", "dbeta"))


def _backward_inputs():
    """(Z, gamma, beta, eps, dZ_tilde) for each case."""
    rng = np.random.default_rng(5)
    return [
        (Z, gamma, beta, eps, rng.normal(size=Z.shape)) for Z, gamma, beta, eps in _forward_inputs()
    ]


def _backward_cases():
    return [
        {"dZ_tilde": dZ_tilde, "cache": batchnorm.forward(Z, gamma, beta, eps)[1]}
        for Z, gamma, beta, eps, dZ_tilde in _backward_inputs()
    ]


def _describe_backward(fn_name, i, kwargs):
    Z, gamma, beta, eps, _ = _backward_inputs()[i]
    forward_call = format_call("forward", {"Z": Z, "gamma": gamma, "beta": beta, "eps": eps})
    return f"{fn_name}(dZ_tilde={format_value(kwargs['dZ_tilde'])}, cache={forward_call}[1])"


def numerical_gradients(Z, gamma, beta, eps, dZ_tilde, h=1e-6):
    """Central finite differences of L = sum(dZ_tilde * Z_tilde) for Z, gamma and beta.

    dZ_tilde is the gradient of L with respect to Z_tilde, so these estimate dZ, dgamma, dbeta.
    """

    Z, gamma, beta = (np.array(x, dtype=np.float64) for x in (Z, gamma, beta))

    def loss(_changed):
        return float(np.sum(dZ_tilde * batchnorm.forward(Z, gamma, beta, eps)[0]))

    arrays = {"dZ": Z, "dgamma": gamma, "dbeta": beta}
    return {name: numerical_gradient(loss, x, h) for name, x in arrays.items()}


def _explain_backward(i, kwargs, got):
    Z, gamma, beta, eps, dZ_tilde = _backward_inputs()[i]
    numeric = numerical_gradients(Z, gamma, beta, eps, dZ_tilde)
    errors = []
    for name, value in numeric.items():
        try:
            mine = np.asarray(got[name], dtype=float)
        except (TypeError, ValueError):
            continue
        if mine.shape == value.shape and np.all(np.isfinite(mine)):
            errors.append(f"{name} {relative_error(mine, value):.1e}")
    if not errors:
        return "Finite differences of L = sum(dZ_tilde * Z_tilde) confirm the expected gradients"
    return (
        "Relative error of your gradients against finite differences of "
        f"L = sum(dZ_tilde * Z_tilde): {', '.join(errors)} (right: below 1e-7)"
    )


def _short_backward(dZ_tilde, cache, dgamma, dbeta, *, scale=None, sign=-1.0):
    Z_norm, gamma, inv_std = cache["Z_norm"], cache["gamma"], cache["inv_std"]
    m = dZ_tilde.shape[1]
    scale = gamma * inv_std / m if scale is None else scale
    return scale * (m * dZ_tilde - dbeta + sign * Z_norm * dgamma)


def _sums(dZ_tilde, cache):
    dbeta = np.sum(dZ_tilde, axis=1, keepdims=True)
    dgamma = np.sum(dZ_tilde * cache["Z_norm"], axis=1, keepdims=True)
    return dgamma, dbeta


BACKWARD = Exercise(
    name="batchnorm.backward",
    notebook=TRAINING,
    title="batch norm backward pass",
    reference=batchnorm.backward,
    cases=_backward_cases,
    parts=BACKWARD_PARTS,
    describe=_describe_backward,
    explain=_explain_backward,
    hints={
        "wrong_value": "Check the wrong gradient against its formula: dbeta = "
        "np.sum(dZ_tilde, axis=1, keepdims=True), dgamma = np.sum(dZ_tilde * Z_norm, "
        "axis=1, keepdims=True), dZ = gamma / np.sqrt(var + eps) / m * (m * dZ_tilde - "
        "dbeta - Z_norm * dgamma).",
        "wrong_shape": _shape_hint,
    },
)


@BACKWARD.mistake(
    "mean_and_var_as_constants",
    "mu and var depend on every z^(i) of the mini-batch, so dZ has two more terms: "
    "dZ = gamma / np.sqrt(var + eps) / m * (m * dZ_tilde - dbeta - Z_norm * dgamma).",
)
def _bwd_mean_and_var_as_constants(dZ_tilde, cache):
    dgamma, dbeta = _sums(dZ_tilde, cache)
    return dZ_tilde * cache["gamma"] * cache["inv_std"], dgamma, dbeta


@BACKWARD.mistake(
    "dgamma_wrong_axis",
    "gamma has one value per unit, so dgamma sums over the m examples: "
    "np.sum(dZ_tilde * Z_norm, axis=1, keepdims=True), shape (n_l, 1).",
)
def _bwd_dgamma_wrong_axis(dZ_tilde, cache):
    dbeta = np.sum(dZ_tilde, axis=1, keepdims=True)
    dgamma = np.sum(dZ_tilde * cache["Z_norm"], axis=0, keepdims=True)
    return _short_backward(dZ_tilde, cache, dgamma, dbeta), dgamma, dbeta


@BACKWARD.mistake(
    "dbeta_not_summed",
    "beta is added to every example, so its gradient sums over them: "
    "dbeta = np.sum(dZ_tilde, axis=1, keepdims=True), shape (n_l, 1).",
)
def _bwd_dbeta_not_summed(dZ_tilde, cache):
    dgamma, _ = _sums(dZ_tilde, cache)
    dbeta = dZ_tilde
    return _short_backward(dZ_tilde, cache, dgamma, dbeta), dgamma, dbeta


@BACKWARD.mistake(
    "averaged_parameter_gradients",
    "Sum over the examples, do not average: dZ_tilde already carries the cost's 1/m, so "
    "dgamma and dbeta are np.sum(..., axis=1, keepdims=True).",
)
def _bwd_averaged(dZ_tilde, cache):
    m = dZ_tilde.shape[1]
    dgamma, dbeta = _sums(dZ_tilde, cache)
    return _short_backward(dZ_tilde, cache, dgamma, dbeta), dgamma / m, dbeta / m


@BACKWARD.mistake(
    "sign_error",
    "The Z_norm term is subtracted too: m * dZ_tilde - dbeta - Z_norm * dgamma.",
)
def _bwd_sign_error(dZ_tilde, cache):
    dgamma, dbeta = _sums(dZ_tilde, cache)
    return _short_backward(dZ_tilde, cache, dgamma, dbeta, sign=1.0), dgamma, dbeta


@BACKWARD.mistake(
    "missing_one_over_m",
    "The bracket (m * dZ_tilde - dbeta - Z_norm * dgamma) is m times the gradient: "
    "multiply it by gamma / np.sqrt(var + eps) / m.",
)
def _bwd_missing_one_over_m(dZ_tilde, cache):
    dgamma, dbeta = _sums(dZ_tilde, cache)
    scale = cache["gamma"] * cache["inv_std"]
    return _short_backward(dZ_tilde, cache, dgamma, dbeta, scale=scale), dgamma, dbeta


@BACKWARD.mistake(
    "forgot_gamma",
    "Z_tilde = gamma * Z_norm + beta, so dZ_norm = gamma * dZ_tilde: dZ needs the factor gamma.",
)
def _bwd_forgot_gamma(dZ_tilde, cache):
    dgamma, dbeta = _sums(dZ_tilde, cache)
    scale = cache["inv_std"] / dZ_tilde.shape[1]
    return _short_backward(dZ_tilde, cache, dgamma, dbeta, scale=scale), dgamma, dbeta


@BACKWARD.mistake(
    "dgamma_uses_Z",
    "gamma multiplies Z_norm, not Z: dgamma = np.sum(dZ_tilde * Z_norm, axis=1, keepdims=True).",
)
def _bwd_dgamma_uses_Z(dZ_tilde, cache):
    dbeta = np.sum(dZ_tilde, axis=1, keepdims=True)
    dgamma = np.sum(dZ_tilde * cache["Z"], axis=1, keepdims=True)
    return _short_backward(dZ_tilde, cache, dgamma, dbeta), dgamma, dbeta


@BACKWARD.mistake(
    "gradients_out_of_order",
    "Return the gradients in the order of forward's arguments: dZ, dgamma, dbeta.",
)
def _bwd_out_of_order(dZ_tilde, cache):
    dgamma, dbeta = _sums(dZ_tilde, cache)
    return _short_backward(dZ_tilde, cache, dgamma, dbeta), dbeta, dgamma


# ---------------------------------------------------------------- update_running (notebook 05)

RUNNING_PARTS = Parts(("running_mu", "running_var"))


def _update_running_cases():
    rng = np.random.default_rng(6)
    cases = []
    for n_l, momentum in ((3, 0.9), (5, 0.99), (2, 0.75), (4, 0.0)):
        cases.append(
            {
                "running_mu": rng.normal(size=(n_l, 1)),
                "running_var": rng.uniform(0.5, 2.0, size=(n_l, 1)),
                "mu": rng.normal(size=(n_l, 1)),
                "var": rng.uniform(0.1, 4.0, size=(n_l, 1)),
                "momentum": momentum,
            }
        )
    return cases


def _rescaled(got, want):
    """The factor c with got = c * want for both statistics of a case, or None."""
    try:
        got = np.concatenate([np.asarray(g, dtype=float).ravel() for g in got])
    except (TypeError, ValueError):
        return None
    want = np.concatenate([w.ravel() for w in want])
    if got.shape != want.shape or not np.all(np.isfinite(got)):
        return None
    c = float(got @ want / (want @ want))
    return c if np.allclose(got, c * want, rtol=1e-7, atol=1e-12) else None


def _diagnose_running(cases, results):
    """bias_corrected when each case's result is the right average times one factor of its own
    (1 / (1 - momentum**t) for a step counter t the learner keeps, or any other rescaling)."""
    factors = []
    for kwargs, raw in zip(cases, results, strict=True):
        parts, _ = RUNNING_PARTS.unpack(raw)
        if parts is None:
            return None
        factors.append(_rescaled(list(parts.values()), batchnorm.update_running(**kwargs)))
    if any(c is None for c in factors) or all(np.isclose(c, 1.0) for c in factors):
        return None
    return "bias_corrected"


UPDATE_RUNNING = Exercise(
    name="batchnorm.update_running",
    notebook=TEST_TIME,
    title="update the running mean and variance",
    reference=batchnorm.update_running,
    cases=_update_running_cases,
    parts=RUNNING_PARTS,
    diagnose=_diagnose_running,
    hints={
        "wrong_value": "Each running statistic is an exponentially weighted average: "
        "running = momentum * running + (1 - momentum) * batch.",
        "wrong_shape": _shape_hint,
    },
)


@UPDATE_RUNNING.mistake(
    "momentum_swapped",
    "momentum is the weight of the old average (Keras' convention): running = momentum "
    "* running + (1 - momentum) * batch. PyTorch's momentum=0.1 is the other weight.",
)
def _run_momentum_swapped(running_mu, running_var, mu, var, momentum=0.9):
    return (
        (1 - momentum) * running_mu + momentum * mu,
        (1 - momentum) * running_var + momentum * var,
    )


@UPDATE_RUNNING.mistake(
    "var_not_updated",
    "Update both statistics: running_var = momentum * running_var + (1 - momentum) * var.",
)
def _run_var_not_updated(running_mu, running_var, mu, var, momentum=0.9):
    return momentum * running_mu + (1 - momentum) * mu, running_var


@UPDATE_RUNNING.mistake(
    "returns_only_mu",
    "Return both new statistics as a pair: return running_mu, running_var.",
)
def _run_only_mu(running_mu, running_var, mu, var, momentum=0.9):
    return momentum * running_mu + (1 - momentum) * mu


@UPDATE_RUNNING.mistake(
    "mu_into_var",
    "The running variance averages the batch variances: (1 - momentum) * var, not "
    "(1 - momentum) * mu.",
)
def _run_mu_into_var(running_mu, running_var, mu, var, momentum=0.9):
    return (
        momentum * running_mu + (1 - momentum) * mu,
        momentum * running_var + (1 - momentum) * mu,
    )


@UPDATE_RUNNING.mistake(
    "missing_one_minus_momentum",
    "The weights must add up to 1: the batch statistic gets (1 - momentum), so "
    "running = momentum * running + (1 - momentum) * batch.",
)
def _run_missing_one_minus(running_mu, running_var, mu, var, momentum=0.9):
    return momentum * running_mu + mu, momentum * running_var + var


@UPDATE_RUNNING.mistake(
    "returns_batch_statistics",
    "Average, do not replace: running = momentum * running + (1 - momentum) * batch "
    "remembers about 1 / (1 - momentum) mini-batches.",
)
def _run_returns_batch(running_mu, running_var, mu, var, momentum=0.9):
    return mu, var


@UPDATE_RUNNING.mistake(
    "hardcoded_momentum",
    "Use the momentum you are given, not a fixed 0.9: running = momentum * running + "
    "(1 - momentum) * batch.",
)
def _run_hardcoded_momentum(running_mu, running_var, mu, var, momentum=0.9):
    return 0.9 * running_mu + 0.1 * mu, 0.9 * running_var + 0.1 * var


@UPDATE_RUNNING.mistake(
    "bias_corrected",
    "Return the plain average, running = momentum * running + (1 - momentum) * batch, not "
    "rescaled. Adam divides by 1 - momentum**t (the app's dashed curve) only to read an "
    "average that started at 0; what update_running returns is stored and fed back at the next "
    "step, so a rescaled average drifts, and running_var starts at 1, not 0. Batch norm's "
    "libraries do not correct it.",
)
def _run_bias_corrected(running_mu, running_var, mu, var, momentum=0.9, t=1):
    running_mu = momentum * running_mu + (1 - momentum) * mu
    running_var = momentum * running_var + (1 - momentum) * var
    return running_mu / (1 - momentum**t), running_var / (1 - momentum**t)


# ---------------------------------------------------------------- inference (notebook 05)


def _inference_cases():
    rng = np.random.default_rng(7)
    cases = []
    for n_l, m, eps in ((3, 1, 1e-5), (3, 5, 1e-5), (2, 4, 1e-3), (4, 6, 1e-5)):
        cases.append(
            {
                "Z": rng.normal(1.0, 2.0, size=(n_l, m)),
                "gamma": _columns(rng, n_l),
                "beta": rng.normal(size=(n_l, 1)),
                "running_mu": rng.normal(size=(n_l, 1)),
                "running_var": rng.uniform(0.01, 3.0, size=(n_l, 1)),
                "eps": eps,
            }
        )
    return cases


INFERENCE = Exercise(
    name="batchnorm.inference",
    notebook=TEST_TIME,
    title="batch norm at test time",
    reference=batchnorm.inference,
    cases=_inference_cases,
    hints={
        "wrong_type": "Return only Z_tilde, one array of shape (n_l, m): unlike forward, "
        "inference keeps no cache, since nothing is learnt at test time (no backward pass).",
    },
)


@INFERENCE.mistake(
    "batch_statistics",
    "At test time normalise with running_mu and running_var, not with the statistics of "
    "Z: a single test example (m = 1) has var = 0 and would always come out as beta.",
)
def _inf_batch_statistics(Z, gamma, beta, running_mu, running_var, eps=1e-5):
    mu = Z.mean(axis=1, keepdims=True)
    var = Z.var(axis=1, keepdims=True)
    return gamma * (Z - mu) / np.sqrt(var + eps) + beta


@INFERENCE.mistake(
    "forgot_eps",
    "Keep eps at test time too: Z_norm = (Z - running_mu) / np.sqrt(running_var + eps), "
    "as in training.",
)
def _inf_forgot_eps(Z, gamma, beta, running_mu, running_var, eps=1e-5):
    return gamma * (Z - running_mu) / np.sqrt(running_var) + beta


@INFERENCE.mistake(
    "eps_outside_sqrt",
    "eps goes inside the square root: np.sqrt(running_var + eps), not np.sqrt(running_var) + eps.",
)
def _inf_eps_outside_sqrt(Z, gamma, beta, running_mu, running_var, eps=1e-5):
    return gamma * (Z - running_mu) / (np.sqrt(running_var) + eps) + beta


@INFERENCE.mistake(
    "var_without_sqrt",
    "Divide by the standard deviation, np.sqrt(running_var + eps), not by the variance.",
)
def _inf_var_without_sqrt(Z, gamma, beta, running_mu, running_var, eps=1e-5):
    return gamma * (Z - running_mu) / (running_var + eps) + beta


@INFERENCE.mistake(
    "no_gamma_beta",
    "Apply the learned scale and shift after normalising: Z_tilde = gamma * Z_norm + beta.",
)
def _inf_no_gamma_beta(Z, gamma, beta, running_mu, running_var, eps=1e-5):
    return (Z - running_mu) / np.sqrt(running_var + eps)


@INFERENCE.mistake(
    "gamma_beta_swapped",
    "gamma scales and beta shifts: Z_tilde = gamma * Z_norm + beta.",
)
def _inf_gamma_beta_swapped(Z, gamma, beta, running_mu, running_var, eps=1e-5):
    return beta * (Z - running_mu) / np.sqrt(running_var + eps) + gamma


EXERCISES = (FORWARD, BACKWARD, UPDATE_RUNNING, INFERENCE)
