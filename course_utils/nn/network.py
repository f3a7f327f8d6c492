"""``Network``: dense layers, batch norm on or off, ReLU and a softmax head (notebook 04).

Examples are columns, as in the notes: X is (n_x, m), Z^[l] and A^[l] are (n_l, m), Y and Y_hat
are (n_classes, m), W^[l] is (n_l, n_{l-1}), b^[l], gamma^[l] and beta^[l] are (n_l, 1).

A hidden layer l computes

    Z = W A_prev                       (+ b when batch norm is off)
    Z_tilde = gamma Z_norm + beta      (batch norm, ``course_utils.batchnorm``)
    A = relu(Z_tilde)

and the head computes Z = W A_prev + b and Y_hat = softmax(Z), trained on the cross-entropy
(the layers: ``layers``). ``Network`` keeps every parameter in ONE flat array ``theta`` with
named views into it (``params["W1"]``, ``params["gamma1"]``, ...), and the gradients in a
second flat array ``dtheta`` with the same names (``grads["W1"]`` is dW1): an optimizer updates
the whole model in one vectorised step, however many layers it has.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .. import batchnorm
from ..validation import check_real
from .layers import (
    dense_backward,
    dense_forward,
    relu_backward,
    relu_forward,
    softmax,
    softmax_cross_entropy,
)

__all__ = ["Network"]

MODES = ("train", "inference")


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
        check_real("eps", eps, low=0, low_open=True)
        check_real("running_momentum", running_momentum, low=0, high=1)
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
