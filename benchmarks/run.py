"""Benchmarks of the course, printed side by side with their budgets.

    python benchmarks/run.py            # notebooks and apps
    python benchmarks/run.py apps       # only the apps
    python benchmarks/run.py notebooks  # only the notebooks

- notebooks: the time to execute each solution and learner notebook headless (nbclient, with
  %matplotlib widget), and the whole course; budget 20 s per notebook, 60 s for the course.
- apps: for every control of every app, over 40 changes, what a live app does on a change (its
  update, the frame: blitted when only its moving artists moved, else drawn whole; the PNG), in
  medians, p50 and p95 of the sum, and beside it the p95 of update + a full draw + matplotlib's
  PNG; budget p95 under 50 ms. The PNG column (``live.frame_png``: rows unfiltered) has
  Pillow's encoding of the same frame beside it (every row filtered), and their ratio.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from functools import partial
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
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


def _timed(fn):
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _set(app, control, value):
    """The control's new value and the app's update, without the redraw (timed separately)."""
    app._batching = True
    control.value = value
    app._batching = False
    app._guarded(app.update)


def _pillow_png(canvas):
    """The frame as Pillow encodes it at the same zlib level (it filters every row)."""
    from PIL import Image

    with io.BytesIO() as png:
        rgb = Image.fromarray(np.asarray(canvas.buffer_rgba())).convert("RGB")
        rgb.save(png, format="png", compress_level=1)
        return png.getvalue()


def bench_apps():
    """Per control: what a live app does on a change (update, frame, PNG), and a full redraw."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from course_utils import live

    print(
        f"App control change, {CHANGES} changes: update + frame (blitted when only the moving "
        f"artists moved) + PNG, as a live app does, against update + full draw + matplotlib's "
        f"PNG; budget p95 < {APP_BUDGET_MS:.0f} ms"
    )
    print(
        f"{'app':22} {'control':10} {'update':>7} {'frame':>7} {'blit':>5} {'PNG':>6} "
        f"{'p50':>6} {'p95':>6} {'full p95':>9}  verdict      {'Pillow':>6} {'ratio':>5}"
    )
    pillow_ratios = []
    worst = 0.0
    for cls in _apps():
        app = cls()
        app._draw_frame()
        for name, control in app.controls.items():
            parts = {"update": [], "frame": [], "png": [], "total": [], "full": [], "pillow": []}
            blits = 0
            for value in _next_values(control):
                canvas = app.fig.canvas
                update = _timed(partial(_set, app, control, value))
                draws = app.fig.draws
                frame = _timed(app._draw_frame)
                blits += app.fig.draws == draws
                png = _timed(partial(live.frame_png, canvas))
                full = _timed(partial(FigureCanvasAgg.draw, canvas))
                full += _timed(partial(canvas.print_png, io.BytesIO()))
                pillow = _timed(partial(_pillow_png, canvas))
                # the comparison's draw left the app's saved background as good as it was
                app._background = (app._background[0], app.fig.draws)
                totals = (update, frame, png, update + frame + png, update + full, pillow)
                for key, ms in zip(parts, totals, strict=True):
                    parts[key].append(ms)
            p50, p95 = np.percentile(parts["total"], [50, 95])
            worst = max(worst, p95)
            verdict = "ok" if p95 < APP_BUDGET_MS else "OVER BUDGET"
            medians = [np.median(parts[k]) for k in ("update", "frame", "png", "pillow")]
            pillow_ratios.append(medians[3] / medians[2])
            print(
                f"{cls.__name__:22} {name:10} {medians[0]:7.1f} {medians[1]:7.1f} "
                f"{blits / CHANGES:5.0%} {medians[2]:6.1f} {p50:6.1f} {p95:6.1f} "
                f"{np.percentile(parts['full'], 95):9.1f}  {verdict:11}  {medians[3]:6.1f} "
                f"{pillow_ratios[-1]:5.1f}"
            )
        plt.close(app.fig)
    print(
        f"PNG: Pillow takes {min(pillow_ratios):.1f} to {max(pillow_ratios):.1f} times as long "
        f"as live.frame_png (median {np.median(pillow_ratios):.1f})"
    )
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
