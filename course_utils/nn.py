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
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

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
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got epochs={epochs!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral):
        raise ValueError(f"batch_size must be a positive integer, got batch_size={batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got batch_size={batch_size!r}")
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
