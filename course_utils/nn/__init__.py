"""A small deep network in numpy: dense layers, batch norm, ReLU and a softmax head (notebook 04;
used by 01, 03, 05-07), and ``train_many``, which trains K such networks at once.

Examples are columns, as in the notes: X is (n_x, m), Y and Y_hat are (n_classes, m). Every
name below is used as ``nn.X`` (``from course_utils import nn``). Reading order:

1. ``layers``: the layers as pure functions, ``*_forward(...) -> (out, cache)`` and
   ``*_backward(dout, cache)``: dense, ReLU, the fused softmax cross-entropy head;
2. ``network``: ``Network``, the layers and batch norm in a model whose parameters live in
   one flat array ``theta`` (and the gradients in ``dtheta``);
3. ``optimizers``: ``Momentum`` and ``Adam`` (``update(params, grads)`` in place) and
   ``decayed_alpha``;
4. ``training``: ``train`` (mini-batch gradient descent) and its ``History``; ``predict``,
   ``accuracy``, ``evaluate``;
5. ``many``, ``many_training`` and ``pool``: the same formulas with a leading model axis for
   ``train_many`` (caviar, notebooks 01, 03 and 07), and its worker processes for n_jobs > 1.
"""

from .layers import (
    dense_backward,
    dense_forward,
    relu_backward,
    relu_forward,
    softmax,
    softmax_cross_entropy,
)
from .many_training import train_many
from .network import Network
from .optimizers import Adam, Momentum, decayed_alpha
from .training import History, accuracy, evaluate, one_blas_thread, predict, train

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
    "one_blas_thread",
]
