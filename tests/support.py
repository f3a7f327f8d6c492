"""What the tests share: the course's root, and the rule that CI never skips a missing tool."""

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition, message):
    """Skip when a tool is missing on a developer's machine; fail under CI=true."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{message} (CI=true: a missing tool is a failure)")
    pytest.skip(message)


#: Set to another value by a test in the parent process: a worker that was forked sees the
#: change, a worker that was spawned (a fresh interpreter) sees the value it imported.
STATE = "as imported"


def state_in_worker():
    """What a worker process sees of STATE (see above)."""
    return STATE


def spawned_pool(workers):
    """A process pool that spawns its workers, as every pool the course starts (and as macOS
    and Windows do)."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))


def page_moves(control, value):
    """What ipywidgets does with a page's "update" message: -> the messages the kernel sent."""
    sent = []
    control._send = lambda msg, buffers=None: sent.append(msg)
    name = "index" if "index" in control.keys else "value"
    control._handle_msg(
        {
            "content": {"data": {"method": "update", "state": {name: value}, "buffer_paths": []}},
            "buffers": [],
        }
    )
    del control._send
    return sent
