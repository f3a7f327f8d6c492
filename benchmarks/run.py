"""Benchmarks of the course, printed side by side with their budgets.

    python benchmarks/run.py            # notebooks and apps
    python benchmarks/run.py apps       # only the apps
    python benchmarks/run.py notebooks  # only the notebooks

- notebooks: the time to execute each solution and learner notebook headless (nbclient, with
  %matplotlib widget), and the whole course; budget 20 s per notebook, 60 s for the course.
- apps: for every control of every app, the time of a control change (the app's handler) plus
  one full draw of its figure (Agg), over 40 changes; budget p95 under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_BUDGET_S, COURSE_BUDGET_S, APP_BUDGET_MS = 20.0, 60.0, 50.0
CHANGES = 40


def _apps():
    """Every App class of course_utils.widgets, by module."""
    from course_utils.widgets import all_apps

    return all_apps()


def _next_values(control):
    """CHANGES values for a control, cycling over its range."""
    if hasattr(control, "options"):
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return [options[i % len(options)] for i in range(1, CHANGES + 1)]
    if isinstance(control.value, bool):
        return [bool(i % 2) for i in range(1, CHANGES + 1)]
    if isinstance(control.value, tuple):
        lo, hi = control.min, control.max
        return [(lo + i % (hi - lo), hi) for i in range(1, CHANGES + 1)]
    steps = np.linspace(control.min, control.max, CHANGES)
    return [type(control.value)(v) for v in np.roll(steps, -1)]


def bench_apps():
    print(
        f"App control change + one full draw (Agg), {CHANGES} changes, "
        f"budget p95 < {APP_BUDGET_MS:.0f} ms"
    )
    print(f"{'app':16} {'control':10} {'p50 ms':>8} {'p95 ms':>8}  verdict")
    worst = 0.0
    for cls in _apps():
        app = cls()
        app.fig.canvas.draw_idle = lambda: None  # time exactly one full draw, below
        app.fig.canvas.draw()
        for name, control in app.controls.items():
            times = []
            for value in _next_values(control):
                start = time.perf_counter()
                control.value = value
                app.fig.canvas.draw()
                times.append(time.perf_counter() - start)
            p50, p95 = np.percentile(times, [50, 95]) * 1000
            worst = max(worst, p95)
            verdict = "ok" if p95 < APP_BUDGET_MS else "OVER BUDGET"
            print(f"{cls.__name__:16} {name:10} {p50:8.1f} {p95:8.1f}  {verdict}")
    return worst < APP_BUDGET_MS


def bench_notebooks():
    import nbformat
    from nbclient import NotebookClient

    print(f"\nNotebooks executed headless (nbclient), budget {NOTEBOOK_BUDGET_S:.0f} s each")
    ok, course = True, 0.0
    for folder in ("solutions", "notebooks"):
        for path in sorted((ROOT / folder).glob("[0-9][0-9]_*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            start = time.perf_counter()
            NotebookClient(
                nb,
                timeout=600,
                kernel_name="python3",
                resources={"metadata": {"path": str(path.parent)}},
            ).execute()
            seconds = time.perf_counter() - start
            if folder == "solutions":
                course += seconds
            ok &= seconds < NOTEBOOK_BUDGET_S
            verdict = "ok" if seconds < NOTEBOOK_BUDGET_S else "OVER BUDGET"
            print(f"{folder}/{path.name:40} {seconds:6.1f} s  {verdict}")
    verdict = "ok" if course < COURSE_BUDGET_S else "OVER BUDGET"
    print(
        f"{'the whole course (solutions)':50} {course:6.1f} s  {verdict} "
        f"(budget {COURSE_BUDGET_S:.0f} s)"
    )
    return ok and course < COURSE_BUDGET_S


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("what", nargs="?", choices=["all", "apps", "notebooks"], default="all")
    args = parser.parse_args(argv)
    print(
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"matplotlib {matplotlib.__version__}"
    )
    ok = True
    if args.what in ("all", "apps"):
        ok &= bench_apps()
    if args.what in ("all", "notebooks"):
        ok &= bench_notebooks()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
