"""Every process the course starts is spawned, not forked: the same on Linux, macOS and Windows.

A forked worker copies the parent (a Jupyter kernel with its threads) as it is, which can
deadlock, and Python 3.12 warns about it in a learner's notebook; macOS, Windows and, from
Python 3.14, Linux spawn by default. The Dask cluster's workers: tests/test_dask.py.
"""

import ast

from course_utils.nn.pool import _pool

from . import support


def test_the_worker_pool_of_train_many_spawns_its_workers(monkeypatch):
    monkeypatch.setattr(support, "STATE", "changed in the parent")
    pool = _pool.__wrapped__(1)  # a pool of its own, started after the change
    try:
        assert pool.submit(support.state_in_worker).result(timeout=120) == "as imported"
    finally:
        pool.shutdown()


def _pool_calls(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name in ("ProcessPoolExecutor", "Pool", "Process"):
                yield node


def test_every_process_pool_in_the_course_and_its_notebooks_is_given_a_start_method():
    sources = sorted((support.ROOT / "course_utils").rglob("*.py"))
    sources += sorted((support.ROOT / "source").glob("*.py"))
    found, unset = 0, []
    for path in sources:
        for call in _pool_calls(path):
            found += 1
            if not any(k.arg in ("mp_context", "context") for k in call.keywords):
                unset.append(f"{path.relative_to(support.ROOT)}:{call.lineno}")
    assert found >= 2, "the course starts a pool in nn and in notebook 03"
    assert unset == [], f"a process pool without mp_context (spawn): {unset}"
