"""Batch normalization: forward and backward in training (notebook 04), running statistics and
inference (notebook 05).

Examples are columns: Z is (n_l, m), one column per example of the mini-batch; gamma, beta,
mu and var are (n_l, 1), one value per unit. In training each unit is normalised with the
statistics of the mini-batch, then scaled and shifted by the learnable gamma and beta:

    mu = 1/m sum_i z^(i)                     var = 1/m sum_i (z^(i) - mu)^2  (biased, as the notes)
    Z_norm = (Z - mu) / sqrt(var + eps)      Z_tilde = gamma * Z_norm + beta

At test time there is no mini-batch to average over: ``inference`` uses running estimates of
mu and var, exponentially weighted averages kept during training by ``update_running``.
"""

from __future__ import annotations

import numpy as np

from .validation import as_columns, as_float_array, check_real

__all__ = ["forward", "backward", "backward_staged", "update_running", "inference"]


# ---------------------------------------------------------------- validation


def _check_column(name, value, n_l):
    """value as an (n_l, 1) float array."""
    value = as_float_array(name, value)
    if value.shape != (n_l, 1):
        raise ValueError(
            f"{name} must have shape (n_l, 1) = ({n_l}, 1), one value per unit; "
            f"got {name} with shape {value.shape}"
        )
    return value


def _check_non_negative(name, var):
    if np.any(var < 0):
        raise ValueError(
            f"{name} is a variance and must be non-negative, got {name}.min()={var.min()!r}"
        )


# ---------------------------------------------------------------- training (notebook 04)


def forward(Z, gamma, beta, eps=1e-5, *, check=True):
    """Z: (n_l, m), gamma, beta: (n_l, 1) -> Z_tilde: (n_l, m), cache: dict.

    Normalise each unit (row) over the m examples of the mini-batch, then scale and shift:
    Z_tilde = gamma * (Z - mu) / sqrt(var + eps) + beta, with mu and the biased variance var
    (1/m) taken over axis 1. eps keeps the division finite when a unit is constant over the
    batch (var = 0, e.g. m = 1): then Z_norm = 0 and Z_tilde = beta.

    The cache holds what ``backward`` and the running statistics need: "Z", "mu", "var",
    "Z_norm", "inv_std" (1 / sqrt(var + eps)), "gamma" and "eps".

    ``check=False`` skips the argument checks, for the training loop of ``nn`` (whose shapes
    are right by construction); a learner's call keeps them.
    """
    if check:
        Z = as_columns("Z", Z, "n_l")
        gamma = _check_column("gamma", gamma, Z.shape[0])
        beta = _check_column("beta", beta, Z.shape[0])
        eps = check_real("eps", eps, low=0, low_open=True)
    m = Z.shape[1]
    mu = Z.sum(axis=1, keepdims=True) / m
    Z_centred = Z - mu
    var = (Z_centred * Z_centred).sum(axis=1, keepdims=True) / m  # biased: 1/m, as in the notes
    inv_std = 1.0 / np.sqrt(var + eps)
    Z_norm = Z_centred * inv_std
    Z_tilde = gamma * Z_norm + beta
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


def _check_backward_args(dZ_tilde, cache):
    if not isinstance(cache, dict) or "Z_norm" not in cache:
        raise ValueError("cache must be the dict returned by forward(Z, gamma, beta)")
    dZ_tilde = as_float_array("dZ_tilde", dZ_tilde)
    expected = np.shape(cache["Z_norm"])
    if dZ_tilde.shape != expected:
        raise ValueError(
            f"dZ_tilde must have the shape of Z in the cache, {expected}; "
            f"got dZ_tilde with shape {dZ_tilde.shape}"
        )
    return dZ_tilde


def backward(dZ_tilde, cache, *, check=True):
    """dZ_tilde: (n_l, m), cache from forward -> dZ: (n_l, m), dgamma, dbeta: (n_l, 1).

    The short formula, one line per gradient. mu and var depend on every example of the batch,
    so dZ has two correction terms besides dZ_tilde: the mean of the gradient (dbeta / m) and
    its projection on Z_norm (Z_norm * dgamma / m):

        dZ = gamma / sqrt(var + eps) / m * (m * dZ_tilde - dbeta - Z_norm * dgamma)

    ``backward_staged`` derives the same result step by step through mu and var.
    ``check=False`` skips the argument checks (see ``forward``).
    """
    if check:
        dZ_tilde = _check_backward_args(dZ_tilde, cache)
    Z_norm, gamma, inv_std = cache["Z_norm"], cache["gamma"], cache["inv_std"]
    m = dZ_tilde.shape[1]
    dbeta = dZ_tilde.sum(axis=1, keepdims=True)
    dgamma = (dZ_tilde * Z_norm).sum(axis=1, keepdims=True)
    dZ = (gamma * inv_std / m) * (m * dZ_tilde - dbeta - Z_norm * dgamma)
    return dZ, dgamma, dbeta


def backward_staged(dZ_tilde, cache):
    """dZ_tilde: (n_l, m), cache from forward -> dZ: (n_l, m), dgamma, dbeta: (n_l, 1).

    The chain rule one step at a time, backwards through the forward pass
    (Ioffe and Szegedy, 2015). Same result as ``backward``, slower; it is here for the lesson.
    """
    dZ_tilde = _check_backward_args(dZ_tilde, cache)
    Z, mu, var, eps = cache["Z"], cache["mu"], cache["var"], cache["eps"]
    Z_norm, gamma = cache["Z_norm"], cache["gamma"]
    m = Z.shape[1]
    # Z_tilde = gamma * Z_norm + beta
    dbeta = dZ_tilde.sum(axis=1, keepdims=True)
    dgamma = (dZ_tilde * Z_norm).sum(axis=1, keepdims=True)
    dZ_norm = dZ_tilde * gamma
    # Z_norm = (Z - mu) * (var + eps)**(-1/2): var reaches every Z_norm of its unit
    dvar = (dZ_norm * (Z - mu)).sum(axis=1, keepdims=True) * -0.5 * (var + eps) ** -1.5
    # mu reaches Z_norm directly and through var = 1/m sum (Z - mu)**2
    dmu = (-dZ_norm / np.sqrt(var + eps)).sum(axis=1, keepdims=True) + dvar * (
        -2.0 * (Z - mu)
    ).mean(axis=1, keepdims=True)
    # each z^(i) reaches Z_norm directly, var through (z^(i) - mu)**2 / m, and mu through z^(i) / m
    dZ = dZ_norm / np.sqrt(var + eps) + dvar * 2.0 * (Z - mu) / m + dmu / m
    return dZ, dgamma, dbeta


# ---------------------------------------------------------------- test time (notebook 05)


def update_running(running_mu, running_var, mu, var, momentum=0.9, *, check=True):
    """running_mu, running_var, mu, var: (n_l, 1) -> (running_mu, running_var): (n_l, 1) each.

    One step of the exponentially weighted averages of the batch statistics, in Keras'
    convention: running = momentum * running + (1 - momentum) * batch. momentum = 0.9 remembers
    about 1 / (1 - 0.9) = 10 mini-batches.

    PyTorch writes the same average the other way round, running = (1 - m) running + m batch,
    so its default momentum=0.1 is our 0.9. PyTorch also keeps the unbiased variance
    (1/(m - 1)) in its running estimate; we keep the biased one (1/m), as the notes do.

    Returns new arrays; the inputs are never changed. ``check=False`` skips the argument checks
    (see ``forward``).
    """
    if check:
        running_mu, running_var, mu, var, momentum = _check_running_args(
            running_mu, running_var, mu, var, momentum
        )
    new_mu = momentum * running_mu + (1.0 - momentum) * mu
    new_var = momentum * running_var + (1.0 - momentum) * var
    return new_mu, new_var


def _check_running_args(running_mu, running_var, mu, var, momentum):
    running_mu = as_float_array("running_mu", running_mu)
    if running_mu.ndim != 2 or running_mu.shape[1] != 1:
        raise ValueError(
            f"running_mu must have shape (n_l, 1), one value per unit; "
            f"got running_mu with shape {running_mu.shape}"
        )
    n_l = running_mu.shape[0]
    running_var = _check_column("running_var", running_var, n_l)
    mu = _check_column("mu", mu, n_l)
    var = _check_column("var", var, n_l)
    _check_non_negative("running_var", running_var)
    _check_non_negative("var", var)
    momentum = check_real("momentum", momentum, low=0, high=1)
    return running_mu, running_var, mu, var, momentum


def inference(Z, gamma, beta, running_mu, running_var, eps=1e-5, *, check=True):
    """Z: (n_l, m), gamma, beta, running_mu, running_var: (n_l, 1) -> Z_tilde: (n_l, m).

    Batch norm at test time: normalise with the running statistics kept during training, not
    with the statistics of Z, so that each example's output depends on that example alone (a
    single test example, m = 1, has var = 0 and would come out as beta):

        Z_tilde = gamma * (Z - running_mu) / sqrt(running_var + eps) + beta

    ``check=False`` skips the argument checks (see ``forward``).
    """
    if check:
        Z = as_columns("Z", Z, "n_l")
        n_l = Z.shape[0]
        gamma = _check_column("gamma", gamma, n_l)
        beta = _check_column("beta", beta, n_l)
        running_mu = _check_column("running_mu", running_mu, n_l)
        running_var = _check_column("running_var", running_var, n_l)
        _check_non_negative("running_var", running_var)
        eps = check_real("eps", eps, low=0, low_open=True)
    Z_norm = (Z - running_mu) / np.sqrt(running_var + eps)
    return gamma * Z_norm + beta
