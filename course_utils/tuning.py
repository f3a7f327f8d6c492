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
import math

import numpy as np

from . import data, nn
from .scales import Integer, Linear, Log, OneMinusLog, PowerOfTwo
from .search import random_search

__all__ = [
    "SPACE",
    "NOTES_TIERS",
    "EPOCHS",
    "DEFAULTS",
    "sizes",
    "digits",
    "train_config",
    "validation_accuracy",
    "CAVIAR_SPACE",
    "CAVIAR_MODELS",
    "CAVIAR_EPOCHS",
    "next_alpha",
    "epochs_per_model",
    "pick_best",
    "caviar_configs",
    "train_caviar",
    "caviar_results",
    "new_panda",
    "babysit_epoch",
    "babysit",
    "fixed_hyperparameters",
    "describe",
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


def _adam(config):
    """The config's Adam: alpha, beta1, beta2 and eps."""
    return nn.Adam(
        alpha=float(config["alpha"]),
        beta1=float(config["beta1"]),
        beta2=float(config["beta2"]),
        eps=float(config["eps"]),
    )


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
    optimizer = _adam(config)
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


# ---------------------------------------------------------------- panda and caviar (notebook 03)

#: What caviar varies: the most important hyperparameters that leave the architecture and the
#: mini-batches alone, each on its right scale, so that ``nn.train_many`` can train every
#: model at once (the same sizes and batch size for all; everything else from ``DEFAULTS``).
CAVIAR_SPACE = {name: SPACE[name] for name in ("alpha", "beta1", "decay_rate")}
CAVIAR_MODELS = 32
#: the epochs of each caviar model: EPOCHS, so that ``validation_accuracy`` is one caviar trial
CAVIAR_EPOCHS = EPOCHS


def next_alpha(alpha, val_loss, factor=0.5):
    """The scripted panda's rule: the learning rate for the next epoch (notebook 03).

    val_loss: the validation losses so far, one per epoch (the last is the epoch just done).
    If the last one rose above the one before it, continue with ``alpha * factor``; otherwise
    (it fell or stayed, or there are fewer than two to compare) keep ``alpha``. A loss that
    is NaN or inf has blown up: that counts as a rise.

    >>> next_alpha(0.01, [0.9, 0.5, 0.6])
    0.005
    >>> next_alpha(0.01, [0.9, 0.5, 0.4])
    0.01
    """
    if len(val_loss) < 2:
        return alpha
    last, before = val_loss[-1], val_loss[-2]
    rose = not last <= before  # True for a rise, and for NaN (every comparison with NaN fails)
    return alpha * factor if rose else alpha


def epochs_per_model(budget, n_models):
    """How many epochs each of ``n_models`` can train within a compute budget (notebook 03).

    budget: the compute, in epochs of one model (caviar with K models of E epochs each spends
    K * E). Every model gets the same number of whole epochs, as many as fit: the largest E
    with n_models * E <= budget, which is budget // n_models (0 when the budget cannot give
    every model one epoch).

    >>> epochs_per_model(160, 32)
    5
    >>> epochs_per_model(100, 32)
    3
    """
    return budget // n_models


def pick_best(results):
    """The index of the best model of a caviar run, chosen by VALIDATION accuracy (notebook 03).

    results: one dict per model (``caviar_results``), with "train_accuracy" and
    "val_accuracy" (one value per epoch) and "test_accuracy" (after the last epoch). The
    networks are the ones after their last epoch, so the choice is by each model's
    validation accuracy after its last epoch; the first model on a tie. Never by the test
    accuracy: a test set that chose the model no longer measures it without bias.

    >>> pick_best([{"val_accuracy": [0.5, 0.9]}, {"val_accuracy": [0.7, 0.95]}])
    1
    """
    final = [result["val_accuracy"][-1] for result in results]
    return int(np.argmax(final))


def caviar_configs(n=CAVIAR_MODELS, rng=0):
    """n random configs for caviar: ``CAVIAR_SPACE`` drawn on its scales, the rest ``DEFAULTS``."""
    return [{**DEFAULTS, **drawn} for drawn in random_search(CAVIAR_SPACE, n, rng)]


def _shared(configs, names):
    """The value every config shares for each of names; ValueError when they differ."""
    shared = {}
    for name in names:
        values = {config[name] for config in configs}
        if len(values) != 1:
            raise ValueError(
                f"train_many trains models of one architecture on the same mini-batches: "
                f"every config needs the same {name}, got {sorted(values)}"
            )
        shared[name] = values.pop()
    return shared


def train_caviar(configs, epochs=CAVIAR_EPOCHS, *, split=None, seed=0, seeds=None, on_epoch=None):
    """Train every config at once with ``nn.train_many`` -> (networks, histories).

    Model k does what ``train_config(configs[k], epochs, seed=seed)`` does alone: the same
    initial weights (seed) and mini-batches (equal in float64; in float32 the two add in a
    different order and may drift apart at a large alpha). seeds: one initialisation seed per
    config instead (the mini-batches still follow ``seed``). The configs must share the
    architecture (hidden_units, layers) and the batch_size. on_epoch(epoch, histories): see
    train_many.
    """
    configs = [_config(config) for config in configs]
    if not configs:
        raise ValueError("train_caviar needs at least one config")
    shared = _shared(configs, ("hidden_units", "layers", "batch_size"))
    split = digits() if split is None else split

    def column(name):
        return [float(config[name]) for config in configs]

    return nn.train_many(
        sizes(configs[0]),
        split,
        epochs,
        alpha=column("alpha"),
        beta1=column("beta1"),
        beta2=column("beta2"),
        eps=column("eps"),
        decay_rate=column("decay_rate"),
        batch_size=int(shared["batch_size"]),
        seeds=[seed] * len(configs) if seeds is None else list(seeds),
        seed=seed,
        dtype=split.X_train.dtype,
        on_epoch=on_epoch,
    )


def caviar_results(configs, networks, histories, *, split=None):
    """One dict per model: its config, its accuracies per epoch, and its test accuracy.

    -> [{"config", "train_accuracy", "val_accuracy", "test_accuracy"}, ...]. The test accuracy
    of every model is here only so that notebook 03 can show what choosing by it would report;
    in a project, the test set measures once, the model chosen by validation.
    """
    split = digits() if split is None else split
    return [
        {
            "config": dict(config),
            "train_accuracy": list(history.train_accuracy),
            "val_accuracy": list(history.val_accuracy),
            "test_accuracy": nn.accuracy(network, split.X_test, split.y_test),
        }
        for config, network, history in zip(configs, networks, histories, strict=True)
    ]


def new_panda(config=None, *, split=None, seed=0):
    """A network, its Adam and the mini-batch Generator for babysitting -> (network, adam, rng).

    ``nn.train(network, split, 1, ..., optimizer=adam, alpha=a, seed=rng)`` then trains one
    epoch at a time: the Adam keeps its averages and step count across calls, and the
    Generator (numpy's default_rng returns a Generator it is given as it is) draws the next
    epoch's shuffle, so that epochs one by one at a constant alpha equal one ``train_config``.
    """
    config = _config({**DEFAULTS, **(config or {})})
    split = digits() if split is None else split
    network = nn.Network(sizes(config), batchnorm=True, seed=seed, dtype=split.X_train.dtype)
    adam = _adam(config)
    return network, adam, np.random.default_rng(seed)


def babysit_epoch(network, adam, rng, alpha, history, *, split=None, batch_size=64):
    """The panda's step: train one more epoch at ``alpha``, and append it to ``history``.

    network, adam, rng: from ``new_panda``, changed in place. The epoch is numbered after the
    ones already in history; its steps count on from theirs.
    """
    split = digits() if split is None else split
    # a blown-up epoch is a result too (the panda reacts): no overflow warnings
    with np.errstate(all="ignore"):
        part = nn.train(
            network, split, 1, batch_size=int(batch_size), optimizer=adam, alpha=alpha, seed=rng
        )
    done = history.steps[-1] if history.steps else 0
    history.epoch.append(len(history.epoch) + 1)
    for name in ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "alpha"):
        getattr(history, name).append(getattr(part, name)[0])
    history.steps.append(done + part.steps[0])
    history.step_loss.extend(part.step_loss)
    return history


def babysit(
    epochs, alpha=DEFAULTS["alpha"], factor=0.5, *, patience=1, config=None, split=None, seed=0
):
    """The scripted panda: one model, alpha lowered as it trains. -> (network, history)

    Starts at ``alpha``. With ``patience=1``, after every epoch it continues with
    ``next_alpha(alpha, val_loss, factor)``: alpha times factor whenever the validation loss
    rose. With ``patience=p > 1`` it waits: alpha is lowered only when the validation loss has
    not beaten its best for p epochs in a row, and then the count starts again (Keras'
    ReduceLROnPlateau). The other hyperparameters come from ``config`` (default
    ``DEFAULTS``); the history's alpha lists the learning rate of every epoch.
    """
    if isinstance(patience, bool) or not isinstance(patience, int) or patience < 1:
        raise ValueError(f"patience must be a positive integer, got patience={patience!r}")
    config = _config({**DEFAULTS, **(config or {})})
    split = digits() if split is None else split
    network, adam, rng = new_panda(config, split=split, seed=seed)
    history = nn.History()
    best, waited = math.inf, 0
    for _ in range(epochs):
        babysit_epoch(
            network, adam, rng, alpha, history, split=split, batch_size=config["batch_size"]
        )
        if patience == 1:
            alpha = next_alpha(alpha, history.val_loss, factor)
            continue
        loss = history.val_loss[-1]
        if loss < best:
            best, waited = loss, 0
        else:  # no better than the best so far (a NaN loss neither)
            waited += 1
            if waited == patience:
                alpha, waited = alpha * factor, 0
    return network, history


# ---------------------------------------------------------------- the capstone (notebook 07)


def fixed_hyperparameters(best_config, shares, floor):
    """The hyperparameters not worth searching further, at the best trial's values.

    best_config: the best trial of a random search, name -> value; shares: name -> the share
    of the results' variance it explains (``search.importance``); floor: the noise floor, the
    share chance alone reaches. A hyperparameter whose share is at most the floor showed no
    effect we can tell from luck: fix it where the best trial had it (that value worked), and
    spend the next trials on the others. -> dict name -> value, in best_config's order.
    """
    return {name: value for name, value in best_config.items() if shares[name] <= floor}


def describe(config):
    """A config as a short line for people: 'alpha 0.0253, beta1 0.9958, layers 3, ...'."""
    return ", ".join(
        f"{name} {value:.4g}" if isinstance(value, float) else f"{name} {value}"
        for name, value in config.items()
    )
