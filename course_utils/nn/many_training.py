"""``train_many``: K networks of the same sizes trained at once, each with its own
hyperparameters (caviar, notebooks 01, 03 and 07).

Here: the checks of the arguments, the per-model hyperparameters broadcast to K values, and
the choice of where the K models train: together in this process (``many._train_stacked``)
or, for n_jobs > 1, split over the worker processes of ``pool``.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..validation import check_int, check_real
from .many import _train_stacked
from .network import Network
from .optimizers import OPTIMIZERS
from .pool import _train_in_processes
from .training import _check_epochs_and_batch_size, _checked_data

__all__ = ["train_many"]


def _per_model_values(named_values, seeds):
    """Broadcast the per-model hyperparameters to K values each; K from the sequences given.

    named_values: name -> a number (shared by all K models) or a 1-D sequence (one per model).
    Returns (K, {name: list of K values}, seeds as a list of K ints).
    """
    lengths = {}
    for name, value in named_values.items():
        if isinstance(value, np.ndarray) and value.ndim == 0:
            named_values[name] = value = value.item()
        if isinstance(value, str | bytes) or np.ndim(value) > 1:
            raise ValueError(f"{name} must be a number or a 1-D sequence, got {name}={value!r}")
        if np.ndim(value) == 1:
            lengths[name] = len(value)
    if seeds is not None:
        if isinstance(seeds, str | bytes) or np.ndim(seeds) != 1:
            raise ValueError(f"seeds must be a 1-D sequence of ints, got seeds={seeds!r}")
        lengths["seeds"] = len(seeds)
    if len(set(lengths.values())) > 1:
        given = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise ValueError(
            f"the per-model sequences must all have the same length K (one value per model): "
            f"{given}"
        )
    K = next(iter(lengths.values()), 1)
    if K == 0:
        raise ValueError(f"train_many needs at least one model, got empty sequences: {lengths}")
    values = {}
    for name, value in named_values.items():
        values[name] = list(value) if np.ndim(value) == 1 else [value] * K
    seeds = list(range(K)) if seeds is None else list(seeds)
    return K, values, [check_int(f"seeds[{k}]", s) for k, s in enumerate(seeds)]


def _check_per_model(name, values, **bounds):
    """check_real on each of K values; an error names the model (alpha[3]) when K > 1."""
    if len(values) == 1:
        return [check_real(name, values[0], **bounds)]
    return [check_real(f"{name}[{k}]", v, **bounds) for k, v in enumerate(values)]


def train_many(
    sizes,
    data,
    epochs,
    *,
    alpha,
    decay_rate=0.0,
    optimizer="adam",
    beta1=0.9,
    beta2=0.999,
    eps=1e-8,
    momentum=0.9,
    batch_size=64,
    batchnorm=True,
    seeds=None,
    seed=0,
    dtype=np.float32,
    on_epoch=None,
    n_jobs=1,
):
    """Train K networks of the same ``sizes`` at once, each with its own hyperparameters.

    -> (networks, histories): K ``Network`` objects and their K ``History``.

    alpha, decay_rate, beta1, beta2, eps (Adam's) and momentum (Momentum's) are each a number,
    shared by all models, or a sequence of K numbers, one per model; seeds are the K networks'
    initialisation seeds (default 0, ..., K-1). K is the common length of the sequences given
    (1 when all are numbers). Shared by all models: the optimizer ("adam" or "momentum"), the
    mini-batches (batch_size and the shuffle ``seed``), batchnorm and dtype.

    Model k ends where ``train`` takes it alone,
    ``train(Network(sizes, batchnorm, seeds[k], dtype=dtype), data, epochs, batch_size,
    Adam(alpha[k], beta1[k], beta2[k], eps[k]), alpha[k], decay_rate[k], seed)``: the same
    weights, running statistics and history up to rounding (in float64 ~1e-13 after a few
    epochs; in float32 at a large alpha the two trainings can drift apart over the epochs, as
    any two that add in a different order do). But the K models are computed
    together: every array has a leading model axis (W^[l]: (K, n_l, n_{l-1}), Z^[l]:
    (K, n_l, m), theta: (K, P)), so that each numpy operation does the work of K models and
    numpy's cost per call is paid once, not K times.

    on_epoch(epoch, histories), if given, is called after each epoch with the histories so far
    (for a live figure). n_jobs > 1 splits the K models into n_jobs groups trained in parallel
    processes (one BLAS thread each), with the same results; the processes are kept for the
    next calls (starting them costs as much as a few epochs); on_epoch needs n_jobs=1.

    A model whose loss overflows (alpha far too large) gets NaN or inf in its own weights and
    history, as with ``train``, and leaves the other models unchanged: numpy's floating-point
    warnings are silenced during the computation, and one RuntimeWarning at the end names the
    models that diverged.
    """
    _check_epochs_and_batch_size(epochs, batch_size)
    if not (isinstance(optimizer, str) and optimizer in OPTIMIZERS):
        raise ValueError(f"optimizer must be 'adam' or 'momentum', got optimizer={optimizer!r}")
    if on_epoch is not None and not callable(on_epoch):
        raise ValueError(f"on_epoch must be callable(epoch, histories), got on_epoch={on_epoch!r}")
    check_int("n_jobs", n_jobs, 1)
    if on_epoch is not None and n_jobs > 1:
        raise ValueError(
            "on_epoch sees each epoch as it ends, in this process: use it with n_jobs=1 "
            f"(got n_jobs={n_jobs})"
        )
    K, hp, seeds = _per_model_values(
        {
            "alpha": alpha,
            "decay_rate": decay_rate,
            "beta1": beta1,
            "beta2": beta2,
            "eps": eps,
            "momentum": momentum,
        },
        seeds,
    )
    settings = {
        "optimizer": optimizer,
        "batch_size": int(batch_size),
        "seed": seed,
        "alpha": _check_per_model("alpha", hp["alpha"], low=0, low_open=True),
        "decay_rate": _check_per_model("decay_rate", hp["decay_rate"], low=0),
    }
    if optimizer == "adam":
        settings["beta1"] = _check_per_model("beta1", hp["beta1"], low=0, high=1, high_open=True)
        settings["beta2"] = _check_per_model("beta2", hp["beta2"], low=0, high=1, high_open=True)
        settings["eps"] = _check_per_model("eps", hp["eps"], low=0, low_open=True)
    else:
        momentum = _check_per_model("momentum", hp["momentum"], low=0, high=1, high_open=True)
        settings["momentum"] = momentum
    networks = [Network(sizes, batchnorm, seed=s, dtype=dtype) for s in seeds]
    data = _checked_data(networks[0], data)
    np.random.default_rng(seed)  # a bad shuffle seed fails here, before any work
    if seed is None:  # fix it, so that the n_jobs processes draw the same mini-batches
        seed = int(np.random.default_rng().integers(2**63))
    settings["seed"] = seed

    if n_jobs == 1 or K == 1:
        histories = _train_stacked(networks, data, epochs, on_epoch=on_epoch, **settings)
    else:
        histories = _train_in_processes(networks, seeds, data, epochs, min(n_jobs, K), settings)
    diverged = [
        k for k, h in enumerate(histories) if not np.all(np.isfinite(h.step_loss + h.val_loss))
    ]
    if diverged:
        warnings.warn(
            f"train_many: the loss of model(s) {diverged} became NaN or inf (alpha too large?); "
            "the other models are not affected",
            RuntimeWarning,
            stacklevel=2,
        )
    return networks, histories
