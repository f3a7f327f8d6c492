"""The same formulas as ``layers``, ``network`` and ``optimizers``, made fast by stacking K
models on a leading axis: the kernels of ``train_many`` and its training loop in one process.

K networks of the same sizes, each with its own hyperparameters, trained together: every
array gets a leading model axis k = 0, ..., K-1. W^[l] becomes (K, n_l, n_{l-1}), gamma, beta,
b, mu and var (K, n_l, 1), Z^[l] and A^[l] (K, n_l, m); X (n_x, m) and Y (n_classes, m) are
the same mini-batch for every model and broadcast. A matmul of stacked arrays multiplies each
model's matrices on their own, and every sum runs over the examples (the last axis) or the
classes (axis -2) of one model: the K models never mix. Model k computes what ``train``
computes for it alone, formula by formula, with changes for speed that change only the
rounding (in float64 the results agree to ~1e-13 after a few epochs; in float32 two
trainings at a large alpha may drift apart, as after any change in the order of additions):

- a sum over the m examples is a matrix-vector product with a column of ones
  (``_sum_examples``), several times faster than numpy's sum over a short last axis;
- dW^[1] = dZ X^T multiplies by a contiguous copy of X^T (``_transposed``);
- batch norm at inference applies gamma / sqrt(running_var + eps) as one scale.

The arrays of a step live in a ``_Workspace`` allocated once and are updated in place.
``_train_stacked`` is the training loop over a ``_Stack``; ``many_training.train_many`` checks
the arguments and runs it here or, for n_jobs > 1, in the worker processes of ``pool``.
"""

from __future__ import annotations

import numpy as np

from ..softmax import one_hot
from .layers import dense_forward
from .training import History, one_blas_thread


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
