"""Softmax regression (notebook 06): softmax and hardmax, one-hot labels, the cross-entropy,
its gradient and a linear classifier trained by gradient descent.

Examples are columns, as in the notes: X is (n_x, m), Z, Y_hat and Y are (n_classes, m), W is
(n_classes, n_x) and b is (n_classes, 1). For each example (column) z of Z:

    t = e^(z - max(z))        y_hat = t / sum_j t_j         (softmax: a probability per class)
    L(y, y_hat) = -sum_j y_j log y_hat_j                    (cross-entropy of one example)
    J = 1/m sum_i L(y^(i), y_hat^(i))                       (the cost: mean over the m examples)

Subtracting the column's max changes nothing mathematically (t and its sum are multiplied by
the same e^(-max)) and keeps e^z finite for any finite logits. Through softmax and the
cross-entropy together the gradient is one subtraction, dZ = Y_hat - Y; the 1/m of the mean
goes into dW = 1/m dZ X^T and db = 1/m sum_i dz^(i).
"""

from __future__ import annotations

import numpy as np

from .validation import as_columns, as_float_array, check_int, check_real

__all__ = [
    "softmax",
    "hardmax",
    "one_hot",
    "cross_entropy",
    "backward",
    "gradient_step",
    "SoftmaxRegression",
]

#: Columns of Y_hat must sum to one within this tolerance (looser for float32, see below).
SUM_TOLERANCE = 1e-6


# ---------------------------------------------------------------- validation


def _check_logits(Z):
    """Z as a float array, (n_classes, m) or a single example (n_classes,)."""
    Z = as_float_array("Z", Z)
    if Z.ndim not in (1, 2) or Z.shape[0] == 0:
        raise ValueError(
            "Z must have shape (n_classes, m), examples as columns, or (n_classes,) for one "
            f"example, with n_classes >= 1; got Z with shape {Z.shape}"
        )
    return Z


def _check_one_hot(Y):
    """Y: (n_classes, m), each column all zeros but a single one."""
    if not np.all((Y == 0) | (Y == 1)):
        i, j = (int(k) for k in np.argwhere((Y != 0) & (Y != 1))[0])
        raise ValueError(
            f"Y must be one-hot (only 0s and 1s), got Y[{i}, {j}] = {Y[i, j]!r}; "
            "build it with one_hot(y, n_classes)"
        )
    ones = Y.sum(axis=0)
    if np.any(ones != 1):
        j = int(np.argmax(ones != 1))
        raise ValueError(
            f"Y must be one-hot, exactly one 1 per column (example); column {j} has "
            f"{int(ones[j])}; build it with one_hot(y, n_classes)"
        )


def _sum_tolerance(dtype, n_classes):
    """SUM_TOLERANCE, widened to the rounding error of n_classes float32 additions."""
    return max(SUM_TOLERANCE, 16 * n_classes * float(np.finfo(dtype).eps))


def _check_probabilities(Y_hat):
    """Y_hat: (n_classes, m), non-negative columns that sum to one."""
    if np.any(Y_hat < 0):
        i, j = (int(k) for k in np.argwhere(Y_hat < 0)[0])
        raise ValueError(
            f"Y_hat holds probabilities and must be non-negative, got Y_hat[{i}, {j}] = "
            f"{float(Y_hat[i, j])!r}; did you pass Z instead of softmax(Z)?"
        )
    sums = Y_hat.sum(axis=0)
    off = np.abs(sums - 1.0)
    tolerance = _sum_tolerance(Y_hat.dtype, Y_hat.shape[0])
    if np.any(off > tolerance):
        j = int(np.argmax(off))
        raise ValueError(
            f"each column of Y_hat must sum to one (a probability distribution over the "
            f"classes), got {float(sums[j]):.10g} in column {j}; Y_hat = softmax(Z) normalises "
            "over axis=0"
        )


def _check_pair(Y_hat, Y):
    Y_hat = as_columns("Y_hat", Y_hat, "n_classes")
    Y = as_columns("Y", Y, "n_classes")
    if Y_hat.shape != Y.shape:
        raise ValueError(
            f"Y_hat and Y must have the same shape (n_classes, m); got Y_hat {Y_hat.shape} "
            f"and Y {Y.shape}"
        )
    if Y.shape[0] == 0 or Y.shape[1] == 0:
        raise ValueError(f"Y_hat and Y need at least one class and one example, got {Y.shape}")
    _check_one_hot(Y)
    _check_probabilities(Y_hat)
    return Y_hat, Y


# ---------------------------------------------------------------- softmax and hardmax


def softmax(Z, temperature=1.0, *, check=True):
    """Z: (n_classes, m) -> Y_hat: (n_classes, m), each column t / sum(t), t = e^(z - max(z)).

    Column-wise: one column per example, one row per class; each column of Y_hat is positive
    (up to underflow) and sums to one. Subtracting each column's max first changes nothing
    mathematically and keeps e^z finite for any finite Z (logits of 1e4, -1e4 or both).
    A single example z: (n_classes,) gives y_hat: (n_classes,).

    ``temperature`` T divides the logits, softmax(Z / T): T -> 0 tends to hardmax(Z), large T
    to the uniform distribution. ``check=False`` skips the argument checks (for training
    loops whose arrays are right by construction).
    """
    if check:
        Z = _check_logits(Z)
        temperature = check_real("temperature", temperature, low=0, low_open=True)
    # z - max(z) <= 0, so e^(z - max) <= 1 never overflows. Near the ends of the float range the
    # shift itself may round to -inf (1e308 - (-1e308)), and e^-inf = 0 is then the right value.
    with np.errstate(over="ignore"):
        shifted = Z - Z.max(axis=0, keepdims=True)
        if temperature != 1.0:
            shifted = shifted / temperature  # softmax(Z / T), shifted by max(Z) / T
    t = np.exp(shifted)
    return t / t.sum(axis=0, keepdims=True)


def hardmax(Z):
    """Z: (n_classes, m) -> (n_classes, m), the one-hot of each column's argmax, as floats.

    The "hard" counterpart of softmax: all the probability on the largest logit. On a tie the
    first (lowest) class wins, as in np.argmax. A single example z: (n_classes,) gives
    (n_classes,).
    """
    Z = _check_logits(Z)
    if Z.ndim == 1:
        return one_hot(np.array([np.argmax(Z)]), Z.shape[0], dtype=Z.dtype)[:, 0]
    return one_hot(np.argmax(Z, axis=0), Z.shape[0], dtype=Z.dtype)


# ---------------------------------------------------------------- labels


def one_hot(y, n_classes, *, dtype=np.float64):
    """y: (m,) integer labels in [0, n_classes) -> Y: (n_classes, m), Y[y[i], i] = 1.

    Column i is the one-hot vector of example i. Labels may be integers or whole-valued floats
    (2.0); anything else, or a label outside [0, n_classes), is a ValueError naming it.
    """
    n_classes = check_int("n_classes", n_classes, 1)
    labels = np.asarray(y)
    if labels.ndim != 1:
        raise ValueError(f"y must be a 1-D array of m labels, got y with shape {labels.shape}")
    if labels.dtype == bool or not (
        np.issubdtype(labels.dtype, np.integer) or np.issubdtype(labels.dtype, np.floating)
    ):
        raise ValueError(f"y must hold integer labels, got dtype {labels.dtype}")
    if np.issubdtype(labels.dtype, np.floating):
        whole = np.isfinite(labels) & (labels == np.round(labels))
        if not np.all(whole):
            i = int(np.argmax(~whole))
            raise ValueError(f"labels must be integers, got y[{i}] = {labels[i].item()!r}")
    outside = (labels < 0) | (labels >= n_classes)
    if np.any(outside):
        i = int(np.argmax(outside))
        raise ValueError(
            f"labels must lie in [0, n_classes) = [0, {n_classes}), "
            f"got y[{i}] = {labels[i].item()!r}"
        )
    labels = labels.astype(np.intp)
    Y = np.zeros((n_classes, labels.size), dtype=dtype)
    Y[labels, np.arange(labels.size)] = 1
    return Y


# ---------------------------------------------------------------- cost and gradient


def cross_entropy(Y_hat, Y, *, check=True):
    """Y_hat, Y: (n_classes, m) -> J, the cross-entropy averaged over the m examples (a float).

    J = -1/m sum_i sum_j Y[j, i] log Y_hat[j, i]. Y is one-hot, so each example contributes
    -log of the probability it gives its true class. Classes with Y = 0 contribute nothing
    (0 log 0 = 0), and Y_hat is clipped below at the smallest normal float (about 2.2e-308 in
    float64): a true class given probability 0 costs about 708 instead of inf.

    ValueError when the shapes differ, Y is not one-hot, or a column of Y_hat is negative or
    does not sum to one (within 1e-6; a little more for float32).
    """
    if check:
        Y_hat, Y = _check_pair(Y_hat, Y)
    m = Y.shape[1]
    log_Y_hat = np.log(np.maximum(Y_hat, np.finfo(Y_hat.dtype).tiny))
    return -float(np.sum(Y * log_Y_hat)) / m


def backward(Y_hat, Y, *, check=True):
    """Y_hat, Y: (n_classes, m) -> dZ = Y_hat - Y: (n_classes, m).

    The gradient of each example's loss L = -sum_j y_j log y_hat_j with respect to its logits
    z, through softmax: the softmax's Jacobian and the log's 1 / y_hat cancel to y_hat - y.
    The cost J averages over the m examples; as in the course, that 1/m is not in dZ but goes
    into dW = 1/m dZ X^T and db = 1/m sum_i dz^(i) (see ``gradient_step``).
    """
    if check:
        Y_hat, Y = _check_pair(Y_hat, Y)
    return Y_hat - Y


# ---------------------------------------------------------------- softmax regression


def _check_parameters(W, b, X, Y):
    W = as_columns("W", W, "n_classes")
    n_classes, n_x = W.shape
    b = as_float_array("b", b)
    if b.shape != (n_classes, 1):
        raise ValueError(
            f"b must have shape (n_classes, 1) = ({n_classes}, 1), one value per class; "
            f"got b with shape {b.shape}"
        )
    X = as_columns("X", X, "n_x")
    if X.shape[0] != n_x:
        raise ValueError(
            f"X must have shape (n_x, m) with n_x = {n_x} features (W is {W.shape}); "
            f"got X with shape {X.shape}"
        )
    Y = as_columns("Y", Y, "n_classes")
    if Y.shape != (n_classes, X.shape[1]):
        raise ValueError(
            f"Y must have shape (n_classes, m) = ({n_classes}, {X.shape[1]}), one-hot columns; "
            f"got Y with shape {Y.shape}"
        )
    if X.shape[1] == 0:
        raise ValueError("X needs at least one example (column)")
    _check_one_hot(Y)
    return W, b, X, Y


def gradient_step(W, b, X, Y, alpha, *, check=True):
    """One step of gradient descent on the cost J of softmax regression -> (W, b, cost).

    W: (n_classes, n_x), b: (n_classes, 1), X: (n_x, m), Y: (n_classes, m) one-hot, alpha > 0.

        Z = W X + b            Y_hat = softmax(Z)          cost = J(W, b) (before the step)
        dZ = Y_hat - Y         dW = 1/m dZ X^T             db = 1/m sum_i dz^(i)
        W := W - alpha dW      b := b - alpha db

    Pure: returns new arrays and leaves W and b unchanged. ``check=False`` skips the argument
    checks.
    """
    if check:
        W, b, X, Y = _check_parameters(W, b, X, Y)
        alpha = check_real("alpha", alpha, low=0, low_open=True)
    m = X.shape[1]
    Y_hat = softmax(W @ X + b, check=False)
    cost = cross_entropy(Y_hat, Y, check=False)
    dZ = Y_hat - Y
    dW = dZ @ X.T / m
    db = dZ.sum(axis=1, keepdims=True) / m
    return W - alpha * dW, b - alpha * db, cost


class SoftmaxRegression:
    """A linear classifier with a softmax output, Y_hat = softmax(W X + b).

    W: (n_classes, n_x) starts small and random (0.01 N(0, 1), from ``seed``), b: (n_classes, 1)
    at zero. The decision boundary between two classes j and k is where z_j = z_k, a straight
    line (a hyperplane): (w_j - w_k) x + b_j - b_k = 0.
    """

    def __init__(self, n_x, n_classes, seed=0):
        self.n_x = check_int("n_x", n_x, 1)
        self.n_classes = check_int("n_classes", n_classes, 2)
        rng = np.random.default_rng(seed)
        self.W = 0.01 * rng.standard_normal((self.n_classes, self.n_x))
        self.b = np.zeros((self.n_classes, 1))

    def __repr__(self):
        return f"SoftmaxRegression(n_x={self.n_x}, n_classes={self.n_classes})"

    def _check_X(self, X):
        X = as_columns("X", X, "n_x")
        if X.shape[0] != self.n_x:
            raise ValueError(
                f"X must have shape (n_x, m) = ({self.n_x}, m), examples as columns; "
                f"got X with shape {X.shape}"
            )
        return X

    def scores(self, X):
        """X: (n_x, m) -> Z = W X + b: (n_classes, m), the logits."""
        return self.W @ self._check_X(X) + self.b

    def predict_proba(self, X):
        """X: (n_x, m) -> Y_hat = softmax(W X + b): (n_classes, m)."""
        return softmax(self.scores(X), check=False)

    def predict(self, X):
        """X: (n_x, m) -> (m,) the most probable class of each example."""
        return np.argmax(self.scores(X), axis=0)

    def accuracy(self, X, y):
        """The fraction of the examples X: (n_x, m) whose label y: (m,) is predicted."""
        Y = one_hot(y, self.n_classes)
        if Y.shape[1] != np.shape(X)[1]:
            raise ValueError(f"y has {Y.shape[1]} labels for {np.shape(X)[1]} examples (columns)")
        return float(np.mean(self.predict(X) == np.argmax(Y, axis=0)))

    def cost(self, X, y):
        """The cost J (mean cross-entropy) on X: (n_x, m) with labels y: (m,)."""
        Y_hat = self.predict_proba(X)
        return cross_entropy(Y_hat, one_hot(y, self.n_classes), check=False)

    def step(self, X, Y, alpha):
        """One gradient-descent step on X: (n_x, m), one-hot Y: (n_classes, m); returns the
        cost before the step. See ``gradient_step``."""
        self.W, self.b, cost = gradient_step(self.W, self.b, X, Y, alpha)
        return cost

    def fit(self, X, y, alpha=0.5, epochs=100, batch_size=None, seed=0):
        """Train by (mini-batch) gradient descent on X: (n_x, m) with labels y: (m,).

        batch_size=None takes all m examples in every step (batch gradient descent, one step per
        epoch); an int takes mini-batches of that size from a fresh shuffle (from ``seed``) in
        each epoch. Returns the history of the cost: one float per epoch, the mean over the
        epoch's steps of the cost before each step (with batch_size=None, J before the step).
        """
        X = self._check_X(X)
        Y = one_hot(y, self.n_classes)
        m = X.shape[1]
        if Y.shape[1] != m:
            raise ValueError(f"y has {Y.shape[1]} labels for {m} examples (columns of X)")
        if m == 0:
            raise ValueError("X needs at least one example (column)")
        alpha = check_real("alpha", alpha, low=0, low_open=True)
        epochs = check_int("epochs", epochs, 0)
        if batch_size is not None:
            batch_size = min(check_int("batch_size", batch_size, 1), m)
        rng = np.random.default_rng(seed)
        history = []
        for _ in range(epochs):
            if batch_size is None:
                self.W, self.b, cost = gradient_step(self.W, self.b, X, Y, alpha, check=False)
                history.append(cost)
                continue
            order = rng.permutation(m)
            total = 0.0
            for start in range(0, m, batch_size):
                batch = order[start : start + batch_size]
                self.W, self.b, cost = gradient_step(
                    self.W, self.b, X[:, batch], Y[:, batch], alpha, check=False
                )
                total += cost * batch.size
            history.append(total / m)
        return history
