"""Training one network: ``train``, its ``History``, and ``predict``, ``accuracy``, ``evaluate``.

``train`` runs mini-batch gradient descent with learning-rate decay on a ``Network``, with
any optimizer of ``optimizers``, and returns a ``History``; every training of the course runs
with one BLAS thread (``one_blas_thread``), so that the same seeds give the same bits in any
process.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np

from ..softmax import one_hot
from ..validation import check_int, check_real
from .layers import softmax_cross_entropy
from .optimizers import OPTIMIZERS, decayed_alpha

__all__ = ["History", "train", "evaluate", "predict", "accuracy", "one_blas_thread"]


@dataclass
class History:
    """What ``train`` measured, one entry per epoch (epochs 1, 2, ...).

    - train_loss, train_accuracy: the mean over the epoch's mini-batches, measured as they
      were trained on (train mode, before each step's update; Keras reports the same).
    - val_loss, val_accuracy: the whole validation set in inference mode, after the epoch.
    - alpha: the epoch's learning rate; steps: the optimizer steps taken by the end of the
      epoch; step_loss: every step's mini-batch loss, for watching a model train.
    - val_step, val_step_accuracy: with ``train(..., val_every=k)``, the validation accuracy
      after every k-th step (steps k, 2k, ...), for timing a run finer than by epochs.
    """

    epoch: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    alpha: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    step_loss: list = field(default_factory=list)
    val_step: list = field(default_factory=list)
    val_step_accuracy: list = field(default_factory=list)


def _check_labels(network, X, y, name):
    y = np.asarray(y)
    n_classes = network.sizes[-1]
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{name} must be a 1-D array of int labels, got shape {y.shape}")
    if y.size != np.shape(X)[1]:
        raise ValueError(f"{name} has {y.size} labels for {np.shape(X)[1]} examples (columns)")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(
            f"{name} must lie in [0, {n_classes}) for a head of {n_classes} classes, "
            f"got labels {y.min()}..{y.max()}"
        )
    return y


def _check_epochs_and_batch_size(epochs, batch_size):
    check_int("epochs", epochs)
    check_int("batch_size", batch_size, 1)


def _checked_data(network, data):
    """The training and validation sets as arrays of the network's dtype, labels checked."""
    X_train = network._as_input(data.X_train)
    X_val = network._as_input(data.X_val)
    y_train = _check_labels(network, X_train, data.y_train, "y_train")
    y_val = _check_labels(network, X_val, data.y_val, "y_val")
    if X_train.shape[1] == 0:
        raise ValueError("the training set is empty")
    return SimpleNamespace(X_train=X_train, y_train=y_train, X_val=X_val, y_val=y_val)


def predict(network, X):
    """X: (n_x, m) -> (m,) the most probable class of each example (inference mode)."""
    Z, _ = network.scores(X, "inference")
    return np.argmax(Z, axis=0)


def accuracy(network, X, y):
    """The fraction of the examples X: (n_x, m) whose label y: (m,) is predicted."""
    y = _check_labels(network, X, y, "y")
    return float(np.mean(predict(network, X) == y))


def evaluate(network, X, y):
    """(mean cross-entropy, accuracy) on X: (n_x, m), y: (m,), in inference mode."""
    y = _check_labels(network, X, y, "y")
    Z, _ = network.scores(X, "inference")
    loss, _, _ = softmax_cross_entropy(Z, one_hot(y, network.sizes[-1], dtype=network.dtype))
    return loss, float(np.mean(np.argmax(Z, axis=0) == y))


@functools.cache
def _blas():
    """threadpoolctl's handle on numpy's BLAS, built once per process."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread(fn):
    """Run fn with numpy's BLAS on one thread: every training of the course does.

    Why: how a BLAS splits a matrix product over threads changes the order of its additions,
    so the same seed would give other bits with another thread count; and at these sizes more
    threads only wait for each other. With one thread everywhere, a trial trained here, in a
    process pool or on a Dask worker gives the same result to the last bit (on one machine:
    another CPU's kernels may round otherwise).
    """

    @functools.wraps(fn)
    def on_one_thread(*args, **kwargs):
        with _blas().limit(limits=1, user_api="blas"):
            return fn(*args, **kwargs)

    return on_one_thread


@one_blas_thread
def train(
    network,
    data,
    epochs,
    batch_size=64,
    optimizer="adam",
    alpha=0.01,
    decay_rate=0.0,
    seed=0,
    *,
    val_every=None,
):
    """Mini-batch gradient descent on ``data``; changes ``network`` and returns a ``History``.

    data: anything with X_train: (n_x, m), y_train: (m,), X_val, y_val (a ``data.Split``).
    optimizer: "adam", "momentum", or an optimizer object (``Adam(beta1=...)``, ...), whose
    alpha is overwritten by the schedule. Each epoch runs at
    alpha = alpha0 / (1 + decay_rate * epoch) with alpha0 = ``alpha``.

    Each epoch draws one permutation of the training examples (from ``seed``), gathers the
    shuffled X, Y and y once, and walks through them in slices of ``batch_size`` columns (the
    last mini-batch may be smaller). Each step: forward in train mode, backward, one
    optimizer update of the flat ``theta``, and one step of batch norm's running statistics.
    The same network seed and train seed give identical weights and history.

    val_every: also measure the validation accuracy after every ``val_every`` steps (in
    ``history.val_step_accuracy``); it only reads the network, so the run is the same.
    """
    _check_epochs_and_batch_size(epochs, batch_size)
    if val_every is not None:
        check_int("val_every", val_every, 1)
    alpha0 = check_real("alpha", alpha, low=0, low_open=True)
    decay_rate = check_real("decay_rate", decay_rate, low=0)
    if isinstance(optimizer, str):
        if optimizer not in OPTIMIZERS:
            raise ValueError(
                f"optimizer must be 'adam', 'momentum' or an optimizer object, "
                f"got optimizer={optimizer!r}"
            )
        optimizer = OPTIMIZERS[optimizer](alpha=alpha0)
    elif not callable(getattr(optimizer, "update", None)):
        raise ValueError(f"optimizer must have an update(params, grads) method, got {optimizer!r}")

    data = _checked_data(network, data)
    X_train, y_train, X_val, y_val = data.X_train, data.y_train, data.X_val, data.y_val
    Y_train = one_hot(y_train, network.sizes[-1], dtype=network.dtype)
    m = X_train.shape[1]

    rng = np.random.default_rng(seed)
    history = History()
    step = 0
    for epoch in range(1, epochs + 1):
        optimizer.alpha = decayed_alpha(alpha0, decay_rate, epoch)
        order = rng.permutation(m)
        # one gather per epoch; each mini-batch below is a slice (a view) of these
        X_shuffled, Y_shuffled, y_shuffled = X_train[:, order], Y_train[:, order], y_train[order]
        loss_sum, correct = 0.0, 0
        for first in range(0, m, batch_size):
            batch = slice(first, first + batch_size)
            loss, Y_hat, cache = network.loss_and_gradients(
                X_shuffled[:, batch], Y_shuffled[:, batch]
            )
            optimizer.update(network.theta, network.dtheta)
            network.update_running(cache)
            history.step_loss.append(loss)
            loss_sum += loss * Y_hat.shape[1]
            correct += int(np.count_nonzero(np.argmax(Y_hat, axis=0) == y_shuffled[batch]))
            step += 1
            if val_every and step % val_every == 0:
                history.val_step.append(step)
                history.val_step_accuracy.append(float(np.mean(predict(network, X_val) == y_val)))
        val_loss, val_accuracy = evaluate(network, X_val, y_val)
        history.epoch.append(epoch)
        history.train_loss.append(loss_sum / m)
        history.train_accuracy.append(correct / m)
        history.val_loss.append(val_loss)
        history.val_accuracy.append(val_accuracy)
        history.alpha.append(optimizer.alpha)
        history.steps.append(step)
    return history
