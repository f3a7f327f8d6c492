"""course_utils.nn.train_many: K models at once, each equal to its own nn.train."""

import os
import warnings

import numpy as np
import pytest

from course_utils import data, nn
from course_utils.nn.pool import _pool

from .support import require

TOL = 1e-10  # float64: the stacked computation only changes the order of some additions
SIZES = [64, 12, 8, 10]  # two hidden layers: every kind of layer, fast
FIELDS = (
    "epoch",
    "train_loss",
    "train_accuracy",
    "val_loss",
    "val_accuracy",
    "alpha",
    "steps",
    "step_loss",
)
# K = 4 models whose hyperparameters really differ: alpha over three decades, betas, eps,
# decays and momenta on their own scales
PER_MODEL = {
    "alpha": [1e-4, 1e-3, 1e-2, 1e-1],
    "beta1": [0.8, 0.9, 0.95, 0.99],
    "beta2": [0.9, 0.99, 0.999, 0.9999],
    "eps": [1e-8, 1e-6, 1e-4, 1e-7],
    "decay_rate": [0.0, 0.5, 1.0, 2.0],
    "momentum": [0.0, 0.5, 0.9, 0.99],
}


@pytest.fixture(scope="module")
def digits():
    try:
        return data.digits(seed=0, dtype=np.float64)
    except ImportError:
        require(False, "scikit-learn is not installed: python -m pip install -r requirements.txt")


def _hyper(values, k):
    return values[k] if isinstance(values, list) else values


def _train_alone(sizes, data_, epochs, k, *, batchnorm, optimizer, seeds, batch_size, seed, **hp):
    """Model k trained alone by nn.train, as train_many's docstring says it must come out."""
    alpha = _hyper(hp.get("alpha", 0.01), k)
    if optimizer == "adam":
        opt = nn.Adam(
            alpha=alpha,
            beta1=_hyper(hp.get("beta1", 0.9), k),
            beta2=_hyper(hp.get("beta2", 0.999), k),
            eps=_hyper(hp.get("eps", 1e-8), k),
        )
    else:
        opt = nn.Momentum(alpha=alpha, momentum=_hyper(hp.get("momentum", 0.9), k))
    network = nn.Network(sizes, batchnorm, seed=seeds[k], dtype=np.float64)
    history = nn.train(
        network,
        data_,
        epochs,
        batch_size,
        optimizer=opt,
        alpha=alpha,
        decay_rate=_hyper(hp.get("decay_rate", 0.0), k),
        seed=seed,
    )
    return network, history


def _difference(network_a, history_a, network_b, history_b):
    """Max |a - b| over theta, the running statistics and every list of the History."""
    pairs = [(network_a.theta, network_b.theta)]
    for l in network_a.running_mu:  # noqa: E741
        pairs.append((network_a.running_mu[l], network_b.running_mu[l]))
        pairs.append((network_a.running_var[l], network_b.running_var[l]))
    for name in FIELDS:
        a, b = getattr(history_a, name), getattr(history_b, name)
        assert len(a) == len(b), name
        pairs.append((np.asarray(a, dtype=float), np.asarray(b, dtype=float)))
    return max(float(np.max(np.abs(a - b), initial=0.0)) for a, b in pairs)


def _assert_each_equals_train_alone(networks, histories, sizes, data_, epochs, **kwargs):
    seeds = kwargs.pop("seeds", None) or list(range(len(networks)))
    for k, (network, history) in enumerate(zip(networks, histories, strict=True)):
        alone, alone_history = _train_alone(sizes, data_, epochs, k, seeds=seeds, **kwargs)
        assert network.theta.dtype == np.float64
        assert _difference(network, history, alone, alone_history) < TOL, f"model {k}"


# ---------------------------------------------------------------- the central test


@pytest.mark.parametrize("batchnorm", [True, False], ids=["batchnorm", "plain"])
@pytest.mark.parametrize("optimizer", ["adam", "momentum"])
def test_each_model_equals_its_own_training(digits, optimizer, batchnorm):
    """1077 examples in mini-batches of 100: the last one has 77."""
    kwargs = dict(
        optimizer=optimizer, batchnorm=batchnorm, batch_size=100, seed=3, seeds=[5, 1, 4, 1]
    )
    networks, histories = nn.train_many(SIZES, digits, 3, dtype=np.float64, **PER_MODEL, **kwargs)
    assert len(networks) == len(histories) == 4
    assert histories[0].steps == [11, 22, 33]
    _assert_each_equals_train_alone(networks, histories, SIZES, digits, 3, **PER_MODEL, **kwargs)
    # the models really differ: the test would catch a mixed-up hyperparameter
    assert len({h.val_loss[-1] for h in histories}) == 4


def test_one_model_with_the_defaults_equals_train(digits):
    networks, histories = nn.train_many(SIZES, digits, 2, alpha=0.01, dtype=np.float64)
    assert len(networks) == 1
    network, history = _train_alone(
        SIZES, digits, 2, 0, batchnorm=True, optimizer="adam", seeds=[0], batch_size=64, seed=0
    )
    assert _difference(networks[0], histories[0], network, history) < TOL


@pytest.mark.parametrize("sizes", [[64, 10], [64, 7, 10]], ids=["softmax-regression", "L=2"])
def test_scalars_broadcast_and_seeds_default_to_range_k(digits, sizes):
    """K from the one sequence given (decay_rate), scalars shared, seeds 0..K-1."""
    kwargs = dict(optimizer="momentum", batchnorm=True, batch_size=128, seed=1)
    hp = dict(alpha=0.05, momentum=0.8, decay_rate=[0.0, 1.0, 3.0])
    networks, histories = nn.train_many(sizes, digits, 2, dtype=np.float64, **hp, **kwargs)
    assert len(networks) == 3
    _assert_each_equals_train_alone(networks, histories, sizes, digits, 2, **hp, **kwargs)
    assert [h.alpha[-1] for h in histories] == [0.05, 0.05 / 3, 0.05 / 7]


def test_the_networks_are_ordinary_networks(digits):
    """Unstacked: params are views of theta, and predict / evaluate use the running stats."""
    networks, histories = nn.train_many(SIZES, digits, 3, alpha=[0.03, 0.01], seeds=[3, 4])
    for network, history in zip(networks, histories, strict=True):
        assert isinstance(network, nn.Network) and network.theta.dtype == np.float32
        assert network.params["W1"].base is network.theta or np.shares_memory(
            network.params["W1"], network.theta
        )
        assert not np.allclose(network.running_var[1], 1)
        loss, accuracy = nn.evaluate(network, digits.X_val, digits.y_val)
        assert loss == pytest.approx(history.val_loss[-1], rel=1e-5)
        assert accuracy == pytest.approx(history.val_accuracy[-1], abs=1 / 360)
        assert nn.accuracy(network, digits.X_test, digits.y_test) > 0.5  # 10 classes
        assert nn.predict(network, digits.X_test).shape == (360,)


# ---------------------------------------------------------------- on_epoch, divergence, n_jobs


def test_on_epoch_is_called_once_per_epoch_with_the_histories_so_far(digits):
    calls = []

    def on_epoch(epoch, histories):
        calls.append((epoch, [len(h.val_loss) for h in histories], len(histories[0].step_loss)))

    _, histories = nn.train_many(SIZES, digits, 3, alpha=[0.01, 0.1], on_epoch=on_epoch)
    assert calls == [(1, [1, 1], 17), (2, [2, 2], 34), (3, [3, 3], 51)]
    seen = []
    nn.train_many(SIZES, digits, 1, alpha=0.01, on_epoch=lambda e, h: seen.append(h))
    assert len(seen) == 1 and len(seen[0]) == 1


def test_a_diverging_model_does_not_spoil_the_others(digits):
    """alpha = 1e30 sends model 1's loss to inf and NaN; models 0 and 2 are unchanged."""
    kwargs = dict(optimizer="momentum", batchnorm=False, batch_size=100, seed=0)
    alpha = [0.1, 1e30, 0.01]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        networks, histories = nn.train_many(
            [64, 12, 10], digits, 2, alpha=alpha, dtype=np.float64, **kwargs
        )
    # numpy's overflow warnings are silenced; one warning names the model that diverged
    assert [str(w.message) for w in caught] == [
        "train_many: the loss of model(s) [1] became NaN or inf (alpha too large?); "
        "the other models are not affected"
    ]
    assert not np.all(np.isfinite(histories[1].step_loss))
    assert np.isnan(histories[1].val_loss[-1])
    for k in (0, 2):
        network, history = _train_alone(
            [64, 12, 10], digits, 2, k, seeds=[0, 1, 2], alpha=alpha, **kwargs
        )
        assert np.all(np.isfinite(networks[k].theta))
        assert _difference(networks[k], histories[k], network, history) < TOL


def test_n_jobs_splits_the_models_over_processes_with_the_same_results(digits):
    kwargs = dict(alpha=[1e-3, 1e-2, 1e-1], beta1=[0.8, 0.9, 0.99], dtype=np.float64)
    networks, histories = nn.train_many(SIZES, digits, 2, **kwargs)
    parallel, parallel_histories = nn.train_many(SIZES, digits, 2, n_jobs=2, **kwargs)
    assert parallel_histories == histories
    for a, b in zip(networks, parallel, strict=True):
        np.testing.assert_array_equal(a.theta, b.theta)
        np.testing.assert_array_equal(a.running_var[2], b.running_var[2])
        assert np.shares_memory(b.params["W2"], b.theta)  # views survive the trip
    # the kept pool serves the next call
    again = nn.train_many(SIZES, digits, 2, n_jobs=2, **kwargs)[1]
    assert again == histories


def test_on_epoch_with_n_jobs_is_refused_with_a_reason(digits):
    with pytest.raises(ValueError, match="on_epoch sees each epoch as it ends.*n_jobs=1"):
        nn.train_many(SIZES, digits, 2, alpha=[0.01, 0.1], n_jobs=2, on_epoch=print)


# ---------------------------------------------------------------- bad arguments


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(alpha=[0.1, 0.2], beta1=[0.9, 0.9, 0.9]), r"alpha has 2, beta1 has 3"),
        (dict(alpha=[0.1, 0.2], seeds=[1, 2, 3]), r"alpha has 2, seeds has 3"),
        (dict(alpha=[]), r"at least one model"),
        (dict(alpha=0.0), r"alpha must be a positive number, got alpha=0.0"),
        (dict(alpha=[0.1, -1.0]), r"alpha\[1\] must be a positive number, got alpha\[1\]=-1.0"),
        (dict(alpha=[[0.1, 0.2]]), r"alpha must be a number or a 1-D sequence"),
        (dict(alpha="0.1"), r"alpha must be a number or a 1-D sequence"),
        (dict(alpha=0.1, beta1=[0.9, 1.0]), r"beta1\[1\] must be a number in \[0, 1\), got .*=1.0"),
        (dict(alpha=0.1, beta1=-0.1), r"beta1 must be a number in \[0, 1\)"),
        (dict(alpha=0.1, beta2=1.0), r"beta2 must be a number in \[0, 1\)"),
        (dict(alpha=0.1, eps=0.0), r"eps must be a positive number"),
        (dict(alpha=0.1, optimizer="momentum", momentum=1.5), r"momentum must be .* \[0, 1\)"),
        (dict(alpha=0.1, decay_rate=-1.0), r"decay_rate must be a non-negative number"),
        (dict(alpha=0.1, optimizer="sgd"), r"optimizer must be 'adam' or 'momentum'"),
        (dict(alpha=0.1, optimizer=nn.Adam()), r"optimizer must be 'adam' or 'momentum'"),
        (dict(alpha=0.1, seeds=[0, -1]), r"seeds\[1\] must be a non-negative integer, got .*=-1"),
        (dict(alpha=0.1, seeds=[0.5]), r"seeds\[0\] must be a non-negative integer"),
        (dict(alpha=0.1, seeds=3), r"seeds must be a 1-D sequence of ints"),
        (dict(alpha=0.1, batch_size=0), r"batch_size must be a positive integer"),
        (dict(alpha=0.1, on_epoch="print"), r"on_epoch must be callable"),
        (dict(alpha=0.1, n_jobs=0), r"n_jobs must be a positive integer"),
        (dict(alpha=0.1, dtype=np.int32), r"dtype must be float32 or float64"),
    ],
)
def test_bad_arguments_raise_a_clear_value_error(digits, kwargs, message):
    with pytest.raises(ValueError, match=message):
        nn.train_many(SIZES, digits, 1, **kwargs)


def test_bad_sizes_epochs_and_data_are_named(digits):
    with pytest.raises(ValueError, match="sizes must list at least two positive integers"):
        nn.train_many([64], digits, 1, alpha=0.1)
    with pytest.raises(ValueError, match="epochs must be a non-negative integer"):
        nn.train_many(SIZES, digits, -1, alpha=0.1)
    with pytest.raises(ValueError, match=r"y_train must lie in \[0, 3\)"):
        nn.train_many([64, 8, 3], digits, 1, alpha=0.1)
    with pytest.raises(ValueError, match=r"X must have shape \(n_x, m\) = \(32, m\)"):
        nn.train_many([32, 8, 10], digits, 1, alpha=0.1)
    with pytest.raises(TypeError):
        nn.train_many(SIZES, digits, 1, 0.1)  # alpha is keyword-only


def test_numpy_arrays_and_numpy_scalars_are_accepted(digits):
    networks, histories = nn.train_many(
        SIZES,
        digits,
        1,
        alpha=np.array([0.01, 0.02]),
        beta1=np.float64(0.8),
        eps=np.array(1e-7),
        seeds=np.arange(3, 5),
    )
    assert len(networks) == 2 and histories[1].alpha == [0.02]


def test_the_kept_worker_processes_hold_no_pipe_of_this_process(digits):
    """A kept worker that inherited this process's pipes would keep their readers waiting."""
    _pool(2).shutdown()
    _pool.cache_clear()
    read_end, write_end = os.pipe()
    nn.train_many(SIZES, digits, 1, alpha=[0.01, 0.1], n_jobs=2)  # starts new workers
    os.close(write_end)
    os.set_blocking(read_end, False)
    try:
        assert os.read(read_end, 1) == b"", "the pipe's reader sees its end: no worker holds it"
    except BlockingIOError:
        pytest.fail("a worker process holds the pipe's write end: the reader would wait forever")
    finally:
        os.close(read_end)
