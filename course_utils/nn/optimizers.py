"""Optimizers and the learning-rate schedule.

An optimizer (``Momentum``, ``Adam``) is a small state object with one contract,
``update(params, grads)``, which changes ``params`` in place: given a ``Network``'s flat
``theta`` and ``dtheta``, one vectorised step updates the whole model. ``decayed_alpha`` is the
learning rate of an epoch under decay.
"""

from __future__ import annotations

import math

import numpy as np

from ..validation import check_real

__all__ = ["Momentum", "Adam", "decayed_alpha"]


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
        self.alpha = check_real("alpha", alpha, low=0, low_open=True)
        self.momentum = check_real("momentum", momentum, low=0, high=1, high_open=True)
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
        self.alpha = check_real("alpha", alpha, low=0, low_open=True)
        self.beta1 = check_real("beta1", beta1, low=0, high=1, high_open=True)
        self.beta2 = check_real("beta2", beta2, low=0, high=1, high_open=True)
        self.eps = check_real("eps", eps, low=0, low_open=True)
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
    check_real("alpha0", alpha0, low=0, low_open=True)
    check_real("decay_rate", decay_rate, low=0)
    epoch = np.asarray(epoch)
    if not np.issubdtype(epoch.dtype, np.integer) or np.any(epoch < 1):
        raise ValueError(f"epoch must be an integer >= 1, got epoch={epoch!r}")
    alpha = alpha0 / (1 + decay_rate * epoch)
    return float(alpha) if alpha.ndim == 0 else alpha
