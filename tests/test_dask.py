"""Caviar on a cluster: search.run_trials through Dask's distributed scheduler."""

import contextlib
import logging
import socket
import warnings

import numpy as np
import pytest
from dask.distributed import Client, LocalCluster, get_task_stream

from course_utils import search, tuning

from . import support

#: Where Dask would put its dashboard's HTTP server by default.
DASK_DEFAULT_PORT = 8787


@pytest.fixture(scope="module")
def client():
    """A LocalCluster as notebook 03 starts one, while another program holds port 8787."""
    # a forked worker would see this change (test_the_clusters_workers_are_spawned_not_forked)
    support.STATE = "changed in the parent before the cluster started"
    with contextlib.ExitStack() as stack:
        other = stack.enter_context(socket.socket())
        try:
            other.bind(("127.0.0.1", DASK_DEFAULT_PORT))
            other.listen()
        except OSError:
            pass  # something else holds it already: all the better
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=2,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",  # as in notebook 03
                    silence_logs=logging.ERROR,
                )
            )
            client = stack.enter_context(Client(cluster))
        support.STATE = "as imported"
        client.start_warnings = [str(w.message) for w in caught]
        yield client


def test_starting_the_cluster_warns_of_nothing_when_port_8787_is_taken(client):
    """In a notebook a warning prints in red ("Port 8787 is already in use ...")."""
    assert [w for w in client.start_warnings if "8787" in w or "Port" in w] == []


def _configs(n):
    configs = search.random_search(tuning.SPACE, n, np.random.default_rng(3))
    return [{**config, "batch_size": 128} for config in configs]  # quick trials


def test_real_trials_on_a_local_cluster_equal_a_process_pool(client):
    configs = _configs(6)
    with get_task_stream(client) as stream:
        on_dask = search.run_trials(
            tuning.validation_accuracy, configs, client.get_executor(), progress=False
        )
    with support.spawned_pool(2) as pool:
        on_pool = search.run_trials(tuning.validation_accuracy, configs, pool, progress=False)
    assert on_dask == on_pool
    assert all(isinstance(r, float) and 0 <= r <= 1 for r in on_dask)
    assert len(stream.data) == len(configs), "every trial ran as a task on the cluster"
    assert {task["worker"] for task in stream.data} <= set(client.scheduler_info()["workers"])


def test_a_failing_trial_on_the_cluster_keeps_the_others(client):
    configs = _configs(3)
    configs[1] = {**configs[1], "layers": 0}  # a network without hidden layers is fine ...
    configs[2] = {k: v for k, v in configs[2].items() if k != "eps"}  # ... one without eps is not
    with pytest.warns(UserWarning, match="1 of 3 trials failed"):
        results = search.run_trials(
            tuning.validation_accuracy, configs, client.get_executor(), progress=False
        )
    assert isinstance(results[0], float) and isinstance(results[1], float)
    assert isinstance(results[2], search.TrialError)
    assert results[2].error_type == "ValueError" and "no value for eps" in results[2].message


def test_one_trial_gives_the_same_bits_here_in_a_process_pool_and_on_dask(client):
    """Every training runs with one BLAS thread (nn.one_blas_thread), in any executor."""
    config = {**_configs(1)[0], "batch_size": 64}
    here = tuning.train_config(config, 2)[1]
    with support.spawned_pool(1) as pool:
        in_pool = pool.submit(tuning.train_config, config, 2).result()[1]
    on_dask = client.submit(tuning.train_config, config, 2, pure=False).result()[1]
    for history in (in_pool, on_dask):
        assert history.val_loss == here.val_loss  # float equality: the same bits
        assert history.step_loss == here.step_loss


def test_the_clusters_workers_are_spawned_not_forked(client):
    """Dask starts its worker processes with spawn (its default), as on macOS and Windows."""
    assert client.submit(support.state_in_worker, pure=False).result() == "as imported"
