"""The layers of ``Network``, as pure functions: dense, ReLU and the softmax head.

Examples are columns, as in the notes: A_prev is (n_{l-1}, m), Z and A are (n_l, m), W is
(n_l, n_{l-1}) and b is (n_l, 1). Each layer is a pair, ``*_forward(...) -> (out, cache)`` and
``*_backward(dout, cache)``, which returns the gradients in the order of the forward's
arguments. A hidden layer is dense, batch norm (``course_utils.batchnorm``) and ReLU; the head
is dense and softmax, trained on the cross-entropy through the fused
``softmax_cross_entropy``.
"""

from __future__ import annotations

import numpy as np

from ..softmax import softmax as _softmax

__all__ = [
    "dense_forward",
    "dense_backward",
    "relu_forward",
    "relu_backward",
    "softmax",
    "softmax_cross_entropy",
]


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
    It is notebook 06's ``course_utils.softmax.softmax`` without its argument checks.
    """
    return _softmax(Z, check=False)


def softmax_cross_entropy(Z, Y):
    """The softmax head and its loss, fused. Z, Y: (n_classes, m) -> (loss, dZ, Y_hat).

    loss = -1/m sum_i sum_k Y_ki log Y_hat_ki, the mean cross-entropy over the m examples, with
    log Y_hat computed as Z - max - log(sum exp(Z - max)), finite even where Y_hat underflows.
    dZ = (Y_hat - Y) / m: the softmax's Jacobian and the log's 1 / Y_hat cancel, so the
    gradient of the mean loss with respect to the head's Z is this one subtraction.
    """
    m = Z.shape[1]
    # softmax's own steps, not a call to it: log Y_hat needs its shifted Z and sum_E (log of
    # softmax's Y_hat would be -inf where Y_hat underflows), and a call would compute exp twice
    shifted = Z - Z.max(axis=0, keepdims=True)
    E = np.exp(shifted)
    sum_E = E.sum(axis=0, keepdims=True)
    Y_hat = E / sum_E
    log_Y_hat = shifted - np.log(sum_E)
    loss = -float(np.sum(Y * log_Y_hat)) / m
    dZ = (Y_hat - Y) / m
    return loss, dZ, Y_hat
