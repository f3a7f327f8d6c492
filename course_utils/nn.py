"""A small deep network in numpy: dense layers, batch norm, ReLU and a softmax head (notebook 04;
used by 01, 03, 05-07).

Examples are columns, as in the notes: X is (n_x, m), Z^[l] and A^[l] are (n_l, m), Y and Y_hat
are (n_classes, m), W^[l] is (n_l, n_{l-1}), b^[l], gamma^[l] and beta^[l] are (n_l, 1).

A hidden layer l computes

    Z = W A_prev                       (+ b when batch norm is off)
    Z_tilde = gamma Z_norm + beta      (batch norm, ``course_utils.batchnorm``)
    A = relu(Z_tilde)

and the head computes Z = W A_prev + b and Y_hat = softmax(Z), trained on the cross-entropy.

- Layers are pure functions in pairs: ``*_forward(...) -> (out, cache)`` and
  ``*_backward(dout, cache)`` returning the gradients in the order of the forward's arguments.
- ``Network`` keeps every parameter in ONE flat array ``theta`` with named views into it
  (``params["W1"]``, ``params["gamma1"]``, ...), and the gradients in a second flat array
  ``dtheta`` with the same names (``grads["W1"]`` is dW1): an optimizer updates the whole model
  in one vectorised step, however many layers it has.
- Optimizers (``Momentum``, ``Adam``) are small state objects with one contract,
  ``update(params, grads)``, which changes ``params`` in place.
- ``train`` runs mini-batch gradient descent with learning-rate decay and returns a ``History``.
- ``train_many`` trains K such networks at once, each with its own hyperparameters (caviar,
  notebooks 01, 03 and 07): the same computation with a leading model axis on every array.
"""

from __future__ import annotations

import atexit
import functools
import math
import numbers
import warnings
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np

from . import batchnorm
from .softmax import one_hot

__all__ = [
    "dense_forward",
    "dense_backward",
    "relu_forward",
    "relu_backward",
    "softmax",
    "softmax_cross_entropy",
    "Network",
    "Momentum",
    "Adam",
    "decayed_alpha",
    "History",
    "train",
    "train_many",
    "evaluate",
    "predict",
    "accuracy",
]

MODES = ("train", "inference")


# ---------------------------------------------------------------- layers


def dense_forward(A_prev, W, b=None):
    """A_prev: (n_prev, m), W: (n_l, n_prev), b: (n_l, 1) or None -> Z: (n_l, m), cache.

    Z = W A_prev + b; without b (a dense layer followed by batch norm) Z = W A_prev.
    """
    Z = W @ A_prev
    if b is not None:
        Z += b
    return Z, (A_prev, W, b)


def dense_backward(dZ, cache, need_dA_prev=True):
    """dZ: (n_l, m), cache from dense_forward -> dA_prev: (n_prev, m), dW: (n_l, n_prev), db.

    db: (n_l, 1), or None when the layer has no b. The 1/m of the mean loss is already in dZ
    (the fused head divides once, below), so dW = dZ A_prev^T and db = sum of dZ over the
    examples. (``softmax.backward`` of notebook 06 returns Y_hat - Y and puts the 1/m into dW
    and db instead: the same numbers.) need_dA_prev=False skips dA_prev (returns None): the
    first layer's A_prev is X, whose gradient nobody needs.
    """
    A_prev, W, b = cache
    dW = dZ @ A_prev.T
    db = None if b is None else dZ.sum(axis=1, keepdims=True)
    dA_prev = W.T @ dZ if need_dA_prev else None
    return dA_prev, dW, db


def relu_forward(Z):
    """Z: (n_l, m) -> A = max(Z, 0): (n_l, m), cache."""
    return np.maximum(Z, 0.0), Z


def relu_backward(dA, cache):
    """dA: (n_l, m), cache from relu_forward -> dZ = dA where Z > 0, else 0: (n_l, m)."""
    Z = cache
    return dA * (Z > 0)


def softmax(Z):
    """Z: (n_classes, m) -> Y_hat: (n_classes, m), each column exp(z) / sum(exp(z)).

    Subtracting each column's max first changes nothing mathematically and keeps exp finite.
    """
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


def softmax_cross_entropy(Z, Y):
    """The softmax head and its loss, fused. Z, Y: (n_classes, m) -> (loss, dZ, Y_hat).

    loss = -1/m sum_i sum_k Y_ki log Y_hat_ki, the mean cross-entropy over the m examples, with
    log Y_hat computed as Z - max - log(sum exp(Z - max)), finite even where Y_hat underflows.
    dZ = (Y_hat - Y) / m: the softmax's Jacobian and the log's 1 / Y_hat cancel, so the
    gradient of the mean loss with respect to the head's Z is this one subtraction.
    """
    m = Z.shape[1]
    shifted = Z - Z.max(axis=0, keepdims=True)
    E = np.exp(shifted)
    sum_E = E.sum(axis=0, keepdims=True)
    Y_hat = E / sum_E
    log_Y_hat = shifted - np.log(sum_E)
    loss = -float(np.sum(Y * log_Y_hat)) / m
    dZ = (Y_hat - Y) / m
    return loss, dZ, Y_hat


# ---------------------------------------------------------------- the network


def _check_mode(mode):
    if mode not in MODES:
        raise ValueError(f"mode must be 'train' or 'inference', got mode={mode!r}")


class Network:
    """A deep network with ReLU hidden layers, batch norm on or off, and a softmax head.

    ``Network(sizes=[64, 64, 32, 10], batchnorm=True, seed=0)``: sizes are n_x, the hidden
    layers' units, and the number of classes. Parameters, by layer l = 1, ..., L:

    - hidden layer with batch norm: W{l}: (n_l, n_{l-1}), gamma{l}, beta{l}: (n_l, 1). No b:
      batch norm subtracts the mean of Z over the mini-batch, and a b added to every column
      of Z is subtracted with it, so b would have no effect (its gradient is always 0);
      beta takes over its role of a shift.
    - hidden layer without batch norm: W{l}, b{l}.
    - the head (l = L): W{L}, b{L}.

    W is drawn from N(0, 2 / n_{l-1}) (He initialisation, for ReLU), b and beta start at 0 and
    gamma at 1; the same seed gives the same weights.

    ``theta`` is every parameter in one flat array and ``params`` names views into it;
    ``dtheta`` and ``grads`` are the same for the gradients (``grads["W1"]`` is dW1). Write
    into the views (``params["W1"][...] = W``), never rebind them. Batch norm's running
    statistics (``running_mu[l]``, ``running_var[l]``: (n_l, 1)) are not trained by gradient
    descent and live outside theta. ``running_momentum`` is their averaging beta (0.9:
    Keras' convention; PyTorch's momentum=0.1).

    dtype: float32 by default (fast, and enough for training); float64 for gradient checks.
    """

    def __init__(
        self,
        sizes,
        batchnorm=True,
        seed=0,
        *,
        dtype=np.float32,
        eps=1e-5,
        running_momentum=0.9,
    ):
        try:
            sizes = list(sizes)
        except TypeError:
            sizes = [sizes]
        if (
            len(sizes) < 2
            or any(isinstance(n, bool) or not isinstance(n, numbers.Integral) for n in sizes)
            or any(n < 1 for n in sizes)
        ):
            raise ValueError(
                f"sizes must list at least two positive integers (n_x, ..., n_classes), "
                f"got sizes={sizes!r}"
            )
        if sizes[-1] < 2:
            raise ValueError(f"a softmax head needs at least 2 classes, got sizes={sizes!r}")
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise ValueError(f"dtype must be float32 or float64, got dtype={dtype!r}")
        if not (isinstance(eps, numbers.Real) and eps > 0):
            raise ValueError(f"eps must be a positive number, got eps={eps!r}")
        if not (isinstance(running_momentum, numbers.Real) and 0 <= running_momentum <= 1):
            raise ValueError(
                f"running_momentum must lie in [0, 1], got running_momentum={running_momentum!r}"
            )
        self.sizes = tuple(int(n) for n in sizes)
        self.batchnorm = bool(batchnorm)
        self.L = len(self.sizes) - 1
        self.eps = float(eps)
        self.running_momentum = float(running_momentum)

        shapes = {}
        for l in range(1, self.L + 1):  # noqa: E741 - l is the layer index of the notes
            shapes[f"W{l}"] = (self.sizes[l], self.sizes[l - 1])
            if self.batchnorm and l < self.L:
                shapes[f"gamma{l}"] = (self.sizes[l], 1)
                shapes[f"beta{l}"] = (self.sizes[l], 1)
            else:
                shapes[f"b{l}"] = (self.sizes[l], 1)
        n_params = sum(math.prod(shape) for shape in shapes.values())
        self.theta = np.zeros(n_params, dtype=self.dtype)
        self.dtheta = np.zeros(n_params, dtype=self.dtype)
        self.params, self.grads = {}, {}
        offset = 0
        for name, shape in shapes.items():
            size = math.prod(shape)
            self.params[name] = self.theta[offset : offset + size].reshape(shape)
            self.grads[name] = self.dtheta[offset : offset + size].reshape(shape)
            offset += size

        rng = np.random.default_rng(seed)
        for l in range(1, self.L + 1):  # noqa: E741
            n_prev = self.sizes[l - 1]
            W = rng.standard_normal((self.sizes[l], n_prev)) * np.sqrt(2.0 / n_prev)
            self.params[f"W{l}"][...] = W
            if f"gamma{l}" in self.params:
                self.params[f"gamma{l}"][...] = 1.0
        self.running_mu = {}
        self.running_var = {}
        if self.batchnorm:
            for l in range(1, self.L):  # noqa: E741
                self.running_mu[l] = np.zeros((self.sizes[l], 1), dtype=self.dtype)
                self.running_var[l] = np.ones((self.sizes[l], 1), dtype=self.dtype)

    def __repr__(self):
        return (
            f"Network(sizes={list(self.sizes)}, batchnorm={self.batchnorm}, "
            f"dtype={self.dtype.name}, {self.theta.size} parameters)"
        )

    def _as_input(self, X):
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim != 2 or X.shape[0] != self.sizes[0]:
            raise ValueError(
                f"X must have shape (n_x, m) = ({self.sizes[0]}, m), examples as columns; "
                f"got X with shape {X.shape}"
            )
        return X

    def scores(self, X, mode="train"):
        """X: (n_x, m) -> Z: (n_classes, m), the head's Z before the softmax, and the cache.

        mode="train" normalises with each mini-batch's own statistics; mode="inference"
        with the running statistics, so that each example's output depends on it alone.
        Nothing is changed: the running statistics move only in ``update_running``.
        """
        _check_mode(mode)
        A = self._as_input(X)
        p = self.params
        caches = []
        for l in range(1, self.L):  # noqa: E741
            if self.batchnorm:
                Z, dense_cache = dense_forward(A, p[f"W{l}"])
                gamma, beta = p[f"gamma{l}"], p[f"beta{l}"]
                if mode == "train":
                    # shapes are right by construction: skip the checks a learner's call gets
                    Z_tilde, bn_cache = batchnorm.forward(Z, gamma, beta, self.eps, check=False)
                else:
                    Z_tilde = batchnorm.inference(
                        Z,
                        gamma,
                        beta,
                        self.running_mu[l],
                        self.running_var[l],
                        self.eps,
                        check=False,
                    )
                    bn_cache = None
            else:
                Z_tilde, dense_cache = dense_forward(A, p[f"W{l}"], p[f"b{l}"])
                bn_cache = None
            A, relu_cache = relu_forward(Z_tilde)
            caches.append((dense_cache, bn_cache, relu_cache))
        Z, dense_cache = dense_forward(A, p[f"W{self.L}"], p[f"b{self.L}"])
        caches.append(dense_cache)
        return Z, caches

    def forward(self, X, mode="train"):
        """X: (n_x, m) -> Y_hat: (n_classes, m), the softmax probabilities, and the cache."""
        Z, cache = self.scores(X, mode)
        return softmax(Z), cache

    def backward(self, dZ, cache):
        """dZ: (n_classes, m), the gradient at the head's Z; cache from scores/forward.

        Goes back through the layers and writes every gradient into ``grads`` (views of
        ``dtheta``); returns ``dtheta``.
        """
        g = self.grads
        dA, dW, db = dense_backward(dZ, cache[-1])
        g[f"W{self.L}"][...] = dW
        g[f"b{self.L}"][...] = db
        for l in range(self.L - 1, 0, -1):  # noqa: E741
            dense_cache, bn_cache, relu_cache = cache[l - 1]
            dZ_tilde = relu_backward(dA, relu_cache)
            if self.batchnorm:
                dZ, dgamma, dbeta = batchnorm.backward(dZ_tilde, bn_cache, check=False)
                g[f"gamma{l}"][...] = dgamma
                g[f"beta{l}"][...] = dbeta
            else:
                dZ = dZ_tilde
            dA, dW, db = dense_backward(dZ, dense_cache, need_dA_prev=l > 1)
            g[f"W{l}"][...] = dW
            if db is not None:
                g[f"b{l}"][...] = db
        return self.dtheta

    def loss_and_gradients(self, X, Y):
        """One training step's computation on a mini-batch X: (n_x, m), Y: (n_classes, m).

        Forward in train mode, the fused softmax cross-entropy, backward. Fills ``grads``;
        returns (loss, Y_hat, cache); the cache holds the batch statistics for
        ``update_running``.
        """
        Z, cache = self.scores(X, "train")
        loss, dZ, Y_hat = softmax_cross_entropy(Z, Y)
        self.backward(dZ, cache)
        return loss, Y_hat, cache

    def loss(self, X, Y, mode="train"):
        """The mean cross-entropy on X: (n_x, m), Y: (n_classes, m), without gradients."""
        Z, _ = self.scores(X, mode)
        return softmax_cross_entropy(Z, Y)[0]

    def update_running(self, cache):
        """Move the running mu and var one step towards the batch statistics in the cache."""
        if not self.batchnorm:
            return
        for l in range(1, self.L):  # noqa: E741
            bn_cache = cache[l - 1][1]
            if bn_cache is None:
                raise ValueError("update_running needs the cache of a train-mode forward pass")
            self.running_mu[l], self.running_var[l] = batchnorm.update_running(
                self.running_mu[l],
                self.running_var[l],
                bn_cache["mu"],
                bn_cache["var"],
                momentum=self.running_momentum,
                check=False,
            )


# ---------------------------------------------------------------- optimizers


def _check_rate(name, value, low, high, *, low_open=False, high_open=True):
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)
    ok = ok and (value > low if low_open else value >= low)
    ok = ok and (value < high if high_open else value <= high)
    if not ok:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        raise ValueError(f"{name} must lie in {left}{low}, {high}{right}, got {name}={value!r}")
    return float(value)


def _check_update_args(params, grads):
    if params.shape != grads.shape:
        raise ValueError(
            f"params and grads must have the same shape, got {params.shape} and {grads.shape}"
        )


class Momentum:
    """Gradient descent with momentum; one step of ``update(params, grads)``:

        v = momentum * v + (1 - momentum) * grads      (an exponentially weighted average)
        params -= alpha * v

    v starts at 0. momentum = 0 is plain gradient descent; momentum = 0.9 averages over about
    1 / (1 - 0.9) = 10 steps.
    """

    def __init__(self, alpha=0.01, momentum=0.9):
        self.alpha = _check_rate("alpha", alpha, 0, math.inf, low_open=True)
        self.momentum = _check_rate("momentum", momentum, 0, 1)
        self.v = None

    def __repr__(self):
        return f"Momentum(alpha={self.alpha!r}, momentum={self.momentum!r})"

    def update(self, params, grads):
        """Change params in place, one step; params, grads: arrays of the same shape."""
        _check_update_args(params, grads)
        if self.v is None:
            self.v = np.zeros_like(params)
        self.v *= self.momentum
        self.v += (1 - self.momentum) * grads
        params -= self.alpha * self.v


class Adam:
    """Adam: momentum and RMSprop with bias correction; one step of ``update(params, grads)``:

        t += 1
        v = beta1 * v + (1 - beta1) * grads            s = beta2 * s + (1 - beta2) * grads**2
        v_hat = v / (1 - beta1**t)                     s_hat = s / (1 - beta2**t)
        params -= alpha * v_hat / (sqrt(s_hat) + eps)

    v and s start at 0; the bias correction undoes that start for the first steps.
    """

    def __init__(self, alpha=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.alpha = _check_rate("alpha", alpha, 0, math.inf, low_open=True)
        self.beta1 = _check_rate("beta1", beta1, 0, 1)
        self.beta2 = _check_rate("beta2", beta2, 0, 1)
        self.eps = _check_rate("eps", eps, 0, math.inf, low_open=True)
        self.v = self.s = None
        self.t = 0

    def __repr__(self):
        return (
            f"Adam(alpha={self.alpha!r}, beta1={self.beta1!r}, beta2={self.beta2!r}, "
            f"eps={self.eps!r})"
        )

    def update(self, params, grads):
        """Change params in place, one step; params, grads: arrays of the same shape."""
        _check_update_args(params, grads)
        if self.v is None:
            self.v = np.zeros_like(params)
            self.s = np.zeros_like(params)
        self.t += 1
        v, s, beta1, beta2 = self.v, self.s, self.beta1, self.beta2
        v *= beta1
        v += (1 - beta1) * grads
        s *= beta2
        s += (1 - beta2) * np.square(grads)
        # alpha * v_hat / (sqrt(s_hat) + eps) with both bias corrections moved onto scalars
        # (Kingma and Ba, 2015, end of section 2): the same step, two array operations fewer.
        # With c1 = 1 - beta1**t and c2 = sqrt(1 - beta2**t): sqrt(s_hat) = sqrt(s) / c2, so
        # the step is alpha * c2 / c1 * v / (sqrt(s) + eps * c2).
        c1 = 1 - beta1**self.t
        c2 = math.sqrt(1 - beta2**self.t)
        params -= (self.alpha * c2 / c1) * v / (np.sqrt(s) + self.eps * c2)


OPTIMIZERS = {"momentum": Momentum, "adam": Adam}


def decayed_alpha(alpha0, decay_rate, epoch):
    """The learning rate of an epoch: alpha = alpha0 / (1 + decay_rate * epoch).

    epoch counts from 1, as in the lecture: with alpha0 = 0.2 and decay_rate = 1 the epochs
    1, 2, 3, 4 run at 0.1, 0.067, 0.05, 0.04. decay_rate = 0 keeps alpha0.
    """
    _check_rate("alpha0", alpha0, 0, math.inf, low_open=True)
    _check_rate("decay_rate", decay_rate, 0, math.inf)
    epoch = np.asarray(epoch)
    if not np.issubdtype(epoch.dtype, np.integer) or np.any(epoch < 1):
        raise ValueError(f"epoch must be an integer >= 1, got epoch={epoch!r}")
    alpha = alpha0 / (1 + decay_rate * epoch)
    return float(alpha) if alpha.ndim == 0 else alpha


# ---------------------------------------------------------------- training


@dataclass
class History:
    """What ``train`` measured, one entry per epoch (epochs 1, 2, ...).

    - train_loss, train_accuracy: the mean over the epoch's mini-batches, measured as they
      were trained on (train mode, before each step's update; Keras reports the same).
    - val_loss, val_accuracy: the whole validation set in inference mode, after the epoch.
    - alpha: the epoch's learning rate; steps: the optimizer steps taken by the end of the
      epoch; step_loss: every step's mini-batch loss, for watching a model train.
    """

    epoch: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    alpha: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    step_loss: list = field(default_factory=list)


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
    """
    _check_epochs_and_batch_size(epochs, batch_size)
    alpha0 = _check_rate("alpha", alpha, 0, math.inf, low_open=True)
    decay_rate = _check_rate("decay_rate", decay_rate, 0, math.inf)
    if isinstance(optimizer, str):
        if optimizer not in OPTIMIZERS:
            raise ValueError(
                f"optimizer must be 'adam', 'momentum' or an optimizer object, "
                f"got optimizer={optimizer!r}"
            )
        optimizer = OPTIMIZERS[optimizer](alpha=alpha0)
    elif not callable(getattr(optimizer, "update", None)):
        raise ValueError(f"optimizer must have an update(params, grads) method, got {optimizer!r}")

    X_train = network._as_input(data.X_train)
    X_val = network._as_input(data.X_val)
    y_train = _check_labels(network, X_train, data.y_train, "y_train")
    y_val = _check_labels(network, X_val, data.y_val, "y_val")
    Y_train = one_hot(y_train, network.sizes[-1], dtype=network.dtype)
    m = X_train.shape[1]
    if m == 0:
        raise ValueError("the training set is empty")

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
        val_loss, val_accuracy = evaluate(network, X_val, y_val)
        history.epoch.append(epoch)
        history.train_loss.append(loss_sum / m)
        history.train_accuracy.append(correct / m)
        history.val_loss.append(val_loss)
        history.val_accuracy.append(val_accuracy)
        history.alpha.append(optimizer.alpha)
        history.steps.append(step)
    return history


# ---------------------------------------------------------------- many models at once (caviar)
#
# K networks of the same sizes, each with its own hyperparameters, trained together: every
# array gets a leading model axis k = 0, ..., K-1. W^[l] becomes (K, n_l, n_{l-1}), gamma, beta,
# b, mu and var (K, n_l, 1), Z^[l] and A^[l] (K, n_l, m); X (n_x, m) and Y (n_classes, m) are
# the same mini-batch for every model and broadcast. A matmul of stacked arrays multiplies each
# model's matrices on their own, and every sum runs over the examples (the last axis) or the
# classes (axis -2) of one model: the K models never mix. Model k computes what ``train``
# computes for it alone, formula by formula, with changes for speed that change only the
# rounding (in float64 the results agree to ~1e-13 after a few epochs; in float32 two
# trainings at a large alpha may drift apart, as after any change in the order of additions):
#
# - a sum over the m examples is a matrix-vector product with a column of ones
#   (``_sum_examples``), several times faster than numpy's sum over a short last axis;
# - dW^[1] = dZ X^T multiplies by a contiguous copy of X^T (``_transposed``);
# - batch norm at inference applies gamma / sqrt(running_var + eps) as one scale.
#
# The arrays of a step live in a ``_Workspace`` allocated once and are updated in place.


def _sum_examples(A, out=None):
    """A: (K, n_l, m) -> (K, n_l, 1), the sum over the m examples: A @ ones, ones: (m, 1)."""
    return np.matmul(A, np.ones((A.shape[-1], 1), dtype=A.dtype), out=out)


def _transposed(A):
    """A^T for dW = dZ A^T: A: (K, n_l, m) -> a view (K, m, n_l); X: (n_x, m) -> X^T: (m, n_x).

    X^T, shared by the K models, is a contiguous copy: BLAS multiplies by a transposed view
    of it about twice as slowly (for the hidden layers' A it makes no difference).
    """
    if A.ndim == 2:
        return np.ascontiguousarray(A.T)
    return np.swapaxes(A, -1, -2)


def _batchnorm_forward_many(Z, gamma, beta, eps, out):
    """Z: (K, n_l, m), gamma, beta: (K, n_l, 1) -> Z_tilde: (K, n_l, m), cache.

    ``batchnorm.forward`` of each model, over its m examples (the last axis):

        mu = 1/m sum Z      var = 1/m sum (Z - mu)^2      (biased, as in the notes)
        Z_norm = (Z - mu) / sqrt(var + eps)               Z_tilde = gamma Z_norm + beta

    In place: Z is overwritten by Z_norm, and Z_tilde is written into ``out`` (K, n_l, m).
    cache: (Z_norm, mu, var, inv_std, gamma); mu, var, inv_std = 1 / sqrt(var + eps): (K, n_l, 1).
    """
    m = Z.shape[-1]
    mu = _sum_examples(Z) / m
    Z_centred = np.subtract(Z, mu, out=Z)
    var = _sum_examples(np.square(Z_centred, out=out)) / m
    inv_std = 1.0 / np.sqrt(var + eps)
    Z_norm = np.multiply(Z_centred, inv_std, out=Z)
    Z_tilde = np.multiply(gamma, Z_norm, out=out)
    Z_tilde += beta
    return Z_tilde, (Z_norm, mu, var, inv_std, gamma)


def _batchnorm_backward_many(dZ_tilde, cache, dgamma, dbeta, scratch):
    """dZ_tilde: (K, n_l, m), cache from _batchnorm_forward_many -> dZ: (K, n_l, m).

    ``batchnorm.backward`` of each model, the short formula with the 1/m inside:

        dbeta = sum dZ_tilde      dgamma = sum dZ_tilde Z_norm      (over the m examples)
        dZ = gamma / sqrt(var + eps) * (dZ_tilde - dbeta / m - Z_norm dgamma / m)

    dgamma, dbeta: (K, n_l, 1) arrays (views of the stack's gradients) that receive the two
    sums. In place: dZ_tilde is overwritten by dZ; scratch: (K, n_l, m).
    """
    Z_norm, _, _, inv_std, gamma = cache
    m = dZ_tilde.shape[-1]
    _sum_examples(dZ_tilde, out=dbeta)
    _sum_examples(np.multiply(dZ_tilde, Z_norm, out=scratch), out=dgamma)
    dZ = dZ_tilde
    dZ -= np.multiply(Z_norm, dgamma / m, out=scratch)
    dZ -= dbeta / m
    dZ *= gamma * inv_std
    return dZ


def _batchnorm_inference_many(Z, gamma, beta, running_mu, running_var, eps):
    """Z: (K, n_l, m), gamma, beta, running_mu, running_var: (K, n_l, 1) -> Z_tilde: (K, n_l, m).

    ``batchnorm.inference`` of each model, gamma (Z - running_mu) / sqrt(running_var + eps) + beta,
    in place in Z (Z_norm is not formed: two passes over Z instead of four).
    """
    scale = gamma / np.sqrt(running_var + eps)
    Z *= scale
    Z += beta - running_mu * scale
    return Z


def _softmax_cross_entropy_many(Z, Y):
    """The fused head of K models. Z: (K, n_classes, m), Y: (n_classes, m) -> (loss, dZ, Y_hat).

    ``softmax_cross_entropy`` of each model, over the classes (axis -2): loss: (K,) float64,
    the mean cross-entropy of each model; dZ = (Y_hat - Y) / m and Y_hat: (K, n_classes, m).
    Z is overwritten (it ends as Y log Y_hat).
    """
    m = Z.shape[-1]
    shifted = np.subtract(Z, Z.max(axis=-2, keepdims=True), out=Z)
    E = np.exp(shifted)
    sum_E = E.sum(axis=-2, keepdims=True)
    Y_hat = np.divide(E, sum_E, out=E)
    log_Y_hat = np.subtract(shifted, np.log(sum_E), out=Z)
    loss = -np.multiply(Y, log_Y_hat, out=Z).sum(axis=(-2, -1), dtype=np.float64) / m
    dZ = Y_hat - Y
    dZ /= m
    return loss, dZ, Y_hat


class _Workspace:
    """The arrays of one forward and backward pass of K models on m examples, allocated once.

    Reused at every step of that mini-batch size: a fresh array of this size at every step
    costs more than the arithmetic on it (the memory comes back from the system page by page).
    For hidden layer l, index l - 1: Z (Z, then Z_norm), A (Z_tilde, then A), positive
    (Z_tilde > 0), scratch, dA: (K, n_l, m).
    """

    def __init__(self, K, sizes, m, dtype, backward=True):
        hidden = sizes[1:-1]

        def arrays(dt=dtype):
            return [np.empty((K, n, m), dtype=dt) for n in hidden]

        self.Z, self.A, self.positive = arrays(), arrays(), arrays(bool)
        if backward:
            self.scratch, self.dA = arrays(), arrays()


class _Stack:
    """K networks of the same sizes, stacked on a leading model axis.

    ``theta``: (K, P), model k's ``Network.theta`` in row k; ``params[name]``: (K, *shape)
    views into it (W1: (K, n_1, n_x), gamma1: (K, n_1, 1), ...); ``dtheta`` and ``grads`` the
    same for the gradients; ``running_mu[l]``, ``running_var[l]``: (K, n_l, 1).
    """

    def __init__(self, networks):
        first = networks[0]
        self.sizes, self.L, self.batchnorm = first.sizes, first.L, first.batchnorm
        self.eps, self.running_momentum = first.eps, first.running_momentum
        self.K = K = len(networks)
        self.theta = np.stack([network.theta for network in networks])
        self.dtheta = np.zeros_like(self.theta)
        self.params, self.grads = {}, {}
        offset = 0
        for name, view in first.params.items():  # the order of Network's flat buffer
            size = view.size
            self.params[name] = self.theta[:, offset : offset + size].reshape(K, *view.shape)
            self.grads[name] = self.dtheta[:, offset : offset + size].reshape(K, *view.shape)
            offset += size
        self.running_mu, self.running_var = {}, {}
        for l in first.running_mu:  # noqa: E741
            self.running_mu[l] = np.stack([network.running_mu[l] for network in networks])
            self.running_var[l] = np.stack([network.running_var[l] for network in networks])
        self.workspaces = {}

    def unstack(self, networks):
        """Copy model k's parameters and running statistics back into networks[k]."""
        for k, network in enumerate(networks):
            network.theta[...] = self.theta[k]
            network.dtheta[...] = self.dtheta[k]
            for l in network.running_mu:  # noqa: E741
                network.running_mu[l] = self.running_mu[l][k].copy()
                network.running_var[l] = self.running_var[l][k].copy()

    def workspace(self, m, mode):
        key = (m, mode)
        if key not in self.workspaces:
            self.workspaces[key] = _Workspace(
                self.K, self.sizes, m, self.theta.dtype, backward=mode == "train"
            )
        return self.workspaces[key]

    def scores(self, X, mode="train"):
        """X: (n_x, m), shared -> Z: (K, n_classes, m), the heads' Z, and the cache.

        ``Network.scores`` of every model at once; mode="train" normalises with each model's
        batch statistics, mode="inference" with its running statistics. The arrays of the
        cache are the workspace's: valid until the next call with the same m and mode.
        """
        p = self.params
        ws = self.workspace(X.shape[1], mode)
        A = np.ascontiguousarray(X)  # the data sets keep each example contiguous (F order)
        caches = []
        for l in range(1, self.L):  # noqa: E741
            Z = np.matmul(p[f"W{l}"], A, out=ws.Z[l - 1])
            if not self.batchnorm:
                Z_tilde, bn_cache = np.add(Z, p[f"b{l}"], out=ws.A[l - 1]), None
            elif mode == "train":
                Z_tilde, bn_cache = _batchnorm_forward_many(
                    Z, p[f"gamma{l}"], p[f"beta{l}"], self.eps, out=ws.A[l - 1]
                )
            else:
                Z_tilde, bn_cache = (
                    _batchnorm_inference_many(
                        Z,
                        p[f"gamma{l}"],
                        p[f"beta{l}"],
                        self.running_mu[l],
                        self.running_var[l],
                        self.eps,
                    ),
                    None,
                )
            positive = np.greater(Z_tilde, 0, out=ws.positive[l - 1])
            A_prev, A = A, np.multiply(Z_tilde, positive, out=Z_tilde)  # relu, in place
            caches.append((A_prev, bn_cache, positive))
        Z, _ = dense_forward(A, p[f"W{self.L}"], p[f"b{self.L}"])
        caches.append(A)
        return Z, caches

    def backward(self, dZ, cache):
        """dZ: (K, n_classes, m), the gradient at the heads' Z -> fills ``grads`` (``dtheta``).

        ``Network.backward`` of every model at once: dW = dZ A_prev^T, db = the sum of dZ over
        the examples, dA_prev = W^T dZ, relu and batch norm in between; each gradient is
        written straight into its view of ``dtheta``.
        """
        p, g, L = self.params, self.grads, self.L
        ws = self.workspace(dZ.shape[-1], "train")
        np.matmul(dZ, _transposed(cache[-1]), out=g[f"W{L}"])
        _sum_examples(dZ, out=g[f"b{L}"])
        for l in range(L - 1, 0, -1):  # noqa: E741
            A_prev, bn_cache, positive = cache[l - 1]
            dA = np.matmul(np.swapaxes(p[f"W{l + 1}"], -1, -2), dZ, out=ws.dA[l - 1])
            dZ_tilde = np.multiply(dA, positive, out=dA)  # relu: dA where Z_tilde > 0, else 0
            if self.batchnorm:
                dZ = _batchnorm_backward_many(
                    dZ_tilde, bn_cache, g[f"gamma{l}"], g[f"beta{l}"], ws.scratch[l - 1]
                )
            else:
                dZ = dZ_tilde
                _sum_examples(dZ, out=g[f"b{l}"])
            np.matmul(dZ, _transposed(A_prev), out=g[f"W{l}"])
        return self.dtheta

    def update_running(self, cache):
        """One step of every model's running mu and var towards its batch statistics."""
        if not self.batchnorm:
            return
        momentum = self.running_momentum
        for l in range(1, self.L):  # noqa: E741
            _, mu, var, _, _ = cache[l - 1][1]
            self.running_mu[l] = momentum * self.running_mu[l] + (1.0 - momentum) * mu
            self.running_var[l] = momentum * self.running_var[l] + (1.0 - momentum) * var


def _column(values, dtype):
    """K per-model numbers -> a (K, 1) column that broadcasts over each model's row of theta."""
    return np.array(values, dtype=dtype).reshape(-1, 1)


class _AdamMany:
    """``Adam`` for the K rows of a stacked theta: (K, P), each row with its own alpha, beta1,
    beta2 and eps: the same step as ``Adam.update``, with the per-model numbers as (K, 1)
    columns. ``alpha`` (K floats) is set by the training loop at each epoch.
    """

    def __init__(self, alpha, beta1, beta2, eps, shape, dtype):
        self.alpha, self.dtype = alpha, dtype
        # float64 columns for the bias corrections, columns of dtype for the arrays
        self.beta1, self.beta2, self.eps = (_column(x, np.float64) for x in (beta1, beta2, eps))
        self.beta1_col, self.beta2_col = _column(beta1, dtype), _column(beta2, dtype)
        self.one_minus_beta1 = _column([1 - b for b in beta1], dtype)
        self.one_minus_beta2 = _column([1 - b for b in beta2], dtype)
        self.v, self.s = np.zeros(shape, dtype), np.zeros(shape, dtype)
        self.buffer, self.step = np.empty(shape, dtype), np.empty(shape, dtype)
        self.t = 0

    def update(self, theta, dtheta):
        """theta, dtheta: (K, P); theta changes in place, one step for every model."""
        self.t += 1
        v, s, buffer, step = self.v, self.s, self.buffer, self.step
        # v = beta1 v + (1 - beta1) dtheta          s = beta2 s + (1 - beta2) dtheta^2
        v *= self.beta1_col
        v += np.multiply(self.one_minus_beta1, dtheta, out=buffer)
        s *= self.beta2_col
        s += np.multiply(self.one_minus_beta2, np.square(dtheta, out=buffer), out=buffer)
        # as in Adam.update: theta -= alpha c2 / c1 v / (sqrt(s) + eps c2), with the bias
        # corrections c1 = 1 - beta1^t and c2 = sqrt(1 - beta2^t), one pair per model
        c1 = 1 - self.beta1**self.t
        c2 = np.sqrt(1 - self.beta2**self.t)
        np.sqrt(s, out=buffer)
        buffer += (self.eps * c2).astype(self.dtype)
        np.multiply((_column(self.alpha, np.float64) * c2 / c1).astype(self.dtype), v, out=step)
        step /= buffer
        theta -= step


class _MomentumMany:
    """``Momentum`` for the K rows of a stacked theta: (K, P), each with its own alpha and
    momentum: v = momentum v + (1 - momentum) dtheta, theta -= alpha v.
    """

    def __init__(self, alpha, momentum, shape, dtype):
        self.alpha, self.dtype = alpha, dtype
        self.momentum = _column(momentum, dtype)
        self.one_minus_momentum = _column([1 - b for b in momentum], dtype)
        self.v, self.buffer = np.zeros(shape, dtype), np.empty(shape, dtype)

    def update(self, theta, dtheta):
        v, buffer = self.v, self.buffer
        v *= self.momentum
        v += np.multiply(self.one_minus_momentum, dtheta, out=buffer)
        theta -= np.multiply(_column(self.alpha, self.dtype), v, out=buffer)


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
    for k, s in enumerate(seeds):
        if isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 0:
            raise ValueError(f"seeds must be non-negative integers, got seeds[{k}]={s!r}")
    return K, values, [int(s) for s in seeds]


def _check_per_model(name, values, low, high, **kwargs):
    """_check_rate on each of K values; an error names the model (alpha[3]) when K > 1."""
    if len(values) == 1:
        return [_check_rate(name, values[0], low, high, **kwargs)]
    return [_check_rate(f"{name}[{k}]", v, low, high, **kwargs) for k, v in enumerate(values)]


def _check_epochs_and_batch_size(epochs, batch_size):
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got epochs={epochs!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral):
        raise ValueError(f"batch_size must be a positive integer, got batch_size={batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got batch_size={batch_size!r}")


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
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs < 1:
        raise ValueError(f"n_jobs must be a positive integer, got n_jobs={n_jobs!r}")
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
        "alpha": _check_per_model("alpha", hp["alpha"], 0, math.inf, low_open=True),
        "decay_rate": _check_per_model("decay_rate", hp["decay_rate"], 0, math.inf),
    }
    if optimizer == "adam":
        settings["beta1"] = _check_per_model("beta1", hp["beta1"], 0, 1)
        settings["beta2"] = _check_per_model("beta2", hp["beta2"], 0, 1)
        settings["eps"] = _check_per_model("eps", hp["eps"], 0, math.inf, low_open=True)
    else:
        settings["momentum"] = _check_per_model("momentum", hp["momentum"], 0, 1)
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


def _checked_data(network, data):
    """The training and validation sets as arrays of the network's dtype, labels checked."""
    X_train = network._as_input(data.X_train)
    X_val = network._as_input(data.X_val)
    y_train = _check_labels(network, X_train, data.y_train, "y_train")
    y_val = _check_labels(network, X_val, data.y_val, "y_val")
    if X_train.shape[1] == 0:
        raise ValueError("the training set is empty")
    return SimpleNamespace(X_train=X_train, y_train=y_train, X_val=X_val, y_val=y_val)


@one_blas_thread
def _train_stacked(
    networks,
    data,
    epochs,
    *,
    optimizer,
    alpha,
    decay_rate,
    batch_size,
    seed,
    beta1=None,
    beta2=None,
    eps=None,
    momentum=None,
    on_epoch=None,
):
    """The training loop of ``train_many`` in this process; changes ``networks``.

    The arguments are checked (``data`` as from ``_checked_data``), the per-model
    hyperparameters are lists of K floats. Returns the K histories.
    """
    K = len(networks)
    stack = _Stack(networks)
    if optimizer == "adam":
        updater = _AdamMany(alpha, beta1, beta2, eps, stack.theta.shape, stack.theta.dtype)
    else:
        updater = _MomentumMany(alpha, momentum, stack.theta.shape, stack.theta.dtype)
    n_classes = networks[0].sizes[-1]
    X_train, y_train, X_val, y_val = data.X_train, data.y_train, data.X_val, data.y_val
    Y_train = one_hot(y_train, n_classes, dtype=stack.theta.dtype)
    Y_val = one_hot(y_val, n_classes, dtype=stack.theta.dtype)
    m = X_train.shape[1]
    n_batches = -(-m // batch_size)

    rng = np.random.default_rng(seed)
    histories = [History() for _ in range(K)]
    step = 0
    for epoch in range(1, epochs + 1):
        # decayed_alpha of each model, computed as train computes it
        updater.alpha = [a / (1 + d * epoch) for a, d in zip(alpha, decay_rate, strict=True)]
        order = rng.permutation(m)
        # one gather per epoch, shared by the K models; each mini-batch is a slice of these
        X_shuffled, Y_shuffled, y_shuffled = X_train[:, order], Y_train[:, order], y_train[order]
        step_loss = np.empty((n_batches, K))
        loss_sum, correct = np.zeros(K), np.zeros(K, dtype=np.int64)
        with np.errstate(all="ignore"):  # a diverging model's NaN and inf stay in its own row
            for i, first in enumerate(range(0, m, batch_size)):
                batch = slice(first, first + batch_size)
                Z, cache = stack.scores(X_shuffled[:, batch], "train")
                loss, dZ, Y_hat = _softmax_cross_entropy_many(Z, Y_shuffled[:, batch])
                predicted = np.argmax(Y_hat, axis=-2)  # (K, m)
                correct += np.count_nonzero(predicted == y_shuffled[batch], axis=-1)
                stack.backward(dZ, cache)
                updater.update(stack.theta, stack.dtheta)
                stack.update_running(cache)
                step_loss[i] = loss
                loss_sum += loss * Y_hat.shape[-1]
                step += 1
            Z, _ = stack.scores(X_val, "inference")
            val_accuracy = np.mean(np.argmax(Z, axis=-2) == y_val, axis=-1)
            val_loss, _, _ = _softmax_cross_entropy_many(Z, Y_val)
        for k, history in enumerate(histories):
            history.epoch.append(epoch)
            history.train_loss.append(float(loss_sum[k] / m))
            history.train_accuracy.append(int(correct[k]) / m)
            history.val_loss.append(float(val_loss[k]))
            history.val_accuracy.append(float(val_accuracy[k]))
            history.alpha.append(updater.alpha[k])
            history.steps.append(step)
            history.step_loss.extend(step_loss[:, k].tolist())
        if on_epoch is not None:
            on_epoch(epoch, histories)
    stack.unstack(networks)
    return histories


# ---------------------------------------------------------------- train_many(n_jobs > 1)
#
# The K models are split into n_jobs groups, each trained by _train_stacked in a worker process
# of a ProcessPoolExecutor (one BLAS thread each, as every training). A worker
# returns its models' arrays and histories; the parent copies the arrays into its own Network
# objects (a pickled Network would lose its views into theta). The pool is started at the first
# call and kept for the next ones: starting it costs as much as a few epochs of training.


@functools.cache
def _pool(n_jobs):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # "spawn": fresh interpreters that inherit none of this process's open files; a forked
    # worker, kept alive, would hold a copy of every pipe open now (a browser driver's, a
    # kernel's) and keep the other end from ever seeing it close.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(n_jobs, mp_context=context)
    atexit.register(pool.shutdown)  # stop the workers while the interpreter is still whole
    return pool


def _train_group(sizes, batchnorm, seeds, dtype, data, epochs, settings):
    """In a worker: train one group of models -> (their arrays, their histories)."""
    networks = [Network(sizes, batchnorm, seed=s, dtype=dtype) for s in seeds]
    histories = _train_stacked(networks, data, epochs, **settings)
    return [(n.theta, n.dtheta, n.running_mu, n.running_var) for n in networks], histories


def _train_in_processes(networks, seeds, data, epochs, n_jobs, settings):
    """train_many's work split over n_jobs processes; fills ``networks``, returns histories."""
    from concurrent.futures.process import BrokenProcessPool

    first = networks[0]
    groups = np.array_split(np.arange(len(networks)), n_jobs)
    per_model = [name for name, value in settings.items() if isinstance(value, list)]
    futures = []
    for group in groups:
        group_settings = {
            **settings,
            **{name: [settings[name][k] for k in group] for name in per_model},
        }
        futures.append(
            _pool(n_jobs).submit(
                _train_group,
                first.sizes,
                first.batchnorm,
                [seeds[k] for k in group],
                first.dtype,
                data,
                epochs,
                group_settings,
            )
        )
    histories = [None] * len(networks)
    try:
        results = [future.result() for future in futures]
    except BrokenProcessPool:  # a worker died: start a new pool next time
        _pool.cache_clear()
        raise
    for group, (arrays, group_histories) in zip(groups, results, strict=True):
        for k, (theta, dtheta, running_mu, running_var), history in zip(
            group, arrays, group_histories, strict=True
        ):
            networks[k].theta[...] = theta
            networks[k].dtheta[...] = dtheta
            networks[k].running_mu.update(running_mu)
            networks[k].running_var.update(running_var)
            histories[k] = history
    return histories
