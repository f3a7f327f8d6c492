"""Tuning the course's network in practice (notebooks 01, 03 and 07).

The tuning problem every later notebook shares: the batch-norm network of notebook 04 with a
softmax head, on the digits of ``data.digits``, as a function of its hyperparameters.

- ``SPACE``: the hyperparameters of the lecture, each on its right scale (notebook 02).
- ``NOTES_TIERS``: how the lecture ranks them, most important first.
- ``sizes(config)``: the layer sizes a config asks for.
- ``train_config(config, epochs)``: one trial, the trained network and its ``History``.
- ``validation_accuracy(config)``: one trial as a number, the objective of a random search; a
  module-level function, so that a process pool or a Dask cluster can run it.
"""

from __future__ import annotations

import functools

import numpy as np

from . import data, nn
from .scales import Integer, Linear, Log, OneMinusLog, PowerOfTwo

__all__ = [
    "SPACE",
    "NOTES_TIERS",
    "EPOCHS",
    "DEFAULTS",
    "sizes",
    "digits",
    "train_config",
    "validation_accuracy",
]

# The lecture's hyperparameters, in its order of importance. With Adam, the lecture's momentum
# term beta is Adam's beta1 (the average of the gradients); beta2 and eps are Adam's own.
SPACE = {
    "alpha": Log(1e-4, 1.0),
    "beta1": OneMinusLog(0.8, 0.999),
    "hidden_units": Integer(8, 128),
    "batch_size": PowerOfTwo(16, 256),
    "layers": Integer(1, 3),
    "decay_rate": Linear(0.0, 1.0),
    "beta2": OneMinusLog(0.99, 0.9999),
    "eps": Log(1e-10, 1e-6),
}

# The lecture's ranking: tier 1 matters most, tier 4 almost never.
NOTES_TIERS = {
    "alpha": 1,
    "beta1": 2,
    "hidden_units": 2,
    "batch_size": 2,
    "layers": 3,
    "decay_rate": 3,
    "beta2": 4,
    "eps": 4,
}

# What a learner gets without tuning: Adam's defaults and a middle-sized network.
DEFAULTS = {
    "alpha": 0.001,
    "beta1": 0.9,
    "hidden_units": 32,
    "batch_size": 64,
    "layers": 2,
    "decay_rate": 0.0,
    "beta2": 0.999,
    "eps": 1e-8,
}

EPOCHS = 5
N_CLASSES = 10


@functools.cache
def digits():
    """The course's data set (``data.digits(seed=0)``) in float32, loaded once per process."""
    return data.digits(seed=0, dtype=np.float32)


def _config(config):
    missing = [name for name in SPACE if name not in config]
    if missing:
        raise ValueError(f"the config has no value for {', '.join(missing)}; it needs all of SPACE")
    return {**config}


def sizes(config):
    """The network's layer sizes: n_x = 64, ``layers`` hidden layers of ``hidden_units``, 10."""
    config = _config(config)
    hidden = [int(config["hidden_units"])] * int(config["layers"])
    return [64, *hidden, N_CLASSES]


def train_config(config, epochs=EPOCHS, *, split=None, seed=0):
    """Train the batch-norm network a config describes -> (network, history).

    config: a dict with a value for every name of ``SPACE``; split: the data (default
    ``digits()``); seed: the network's initial weights and the order of the mini-batches.
    """
    config = _config(config)
    split = digits() if split is None else split
    network = nn.Network(sizes(config), batchnorm=True, seed=seed, dtype=split.X_train.dtype)
    optimizer = nn.Adam(
        alpha=float(config["alpha"]),
        beta1=float(config["beta1"]),
        beta2=float(config["beta2"]),
        eps=float(config["eps"]),
    )
    with np.errstate(all="ignore"):  # a diverging trial is a result too: a low accuracy
        history = nn.train(
            network,
            split,
            epochs,
            batch_size=int(config["batch_size"]),
            optimizer=optimizer,
            alpha=float(config["alpha"]),
            decay_rate=float(config["decay_rate"]),
            seed=seed,
        )
    return network, history


def validation_accuracy(config, epochs=EPOCHS):
    """One trial: the validation accuracy after training the config's network ``epochs``."""
    _, history = train_config(config, epochs)
    return history.val_accuracy[-1]
