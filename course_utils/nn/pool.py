"""The worker pool of ``train_many(n_jobs > 1)``.

The K models are split into n_jobs groups, each trained by ``many._train_stacked`` in a worker
process of a ProcessPoolExecutor (one BLAS thread each, as every training). A worker
returns its models' arrays and histories; the parent copies the arrays into its own Network
objects (a pickled Network would lose its views into theta). The pool is started at the first
call and kept for the next ones: starting it costs as much as a few epochs of training.
"""

from __future__ import annotations

import atexit
import functools

import numpy as np

from .many import _train_stacked
from .network import Network


@functools.cache
def _pool(n_jobs):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # "spawn": fresh interpreters that inherit none of this process's open files; a forked
    # worker, kept alive, would hold a copy of every pipe open now (a browser driver's, a
    # kernel's) and keep the other end from ever seeing it close.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(n_jobs, mp_context=context)
    atexit.register(pool.shutdown)  # stop the workers while the interpreter is still whole
    return pool


def _train_group(sizes, batchnorm, seeds, dtype, data, epochs, settings):
    """In a worker: train one group of models -> (their arrays, their histories)."""
    networks = [Network(sizes, batchnorm, seed=s, dtype=dtype) for s in seeds]
    histories = _train_stacked(networks, data, epochs, **settings)
    return [(n.theta, n.dtheta, n.running_mu, n.running_var) for n in networks], histories


def _train_in_processes(networks, seeds, data, epochs, n_jobs, settings):
    """train_many's work split over n_jobs processes; fills ``networks``, returns histories."""
    from concurrent.futures.process import BrokenProcessPool

    first = networks[0]
    groups = np.array_split(np.arange(len(networks)), n_jobs)
    per_model = [name for name, value in settings.items() if isinstance(value, list)]
    futures = []
    for group in groups:
        group_settings = {
            **settings,
            **{name: [settings[name][k] for k in group] for name in per_model},
        }
        futures.append(
            _pool(n_jobs).submit(
                _train_group,
                first.sizes,
                first.batchnorm,
                [seeds[k] for k in group],
                first.dtype,
                data,
                epochs,
                group_settings,
            )
        )
    histories = [None] * len(networks)
    try:
        results = [future.result() for future in futures]
    except BrokenProcessPool:  # a worker died: start a new pool next time
        _pool.cache_clear()
        raise
    for group, (arrays, group_histories) in zip(groups, results, strict=True):
        for k, (theta, dtheta, running_mu, running_var), history in zip(
            group, arrays, group_histories, strict=True
        ):
            networks[k].theta[...] = theta
            networks[k].dtheta[...] = dtheta
            networks[k].running_mu.update(running_mu)
            networks[k].running_var.update(running_var)
            histories[k] = history
    return histories
