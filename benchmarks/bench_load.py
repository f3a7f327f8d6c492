"""The course in JupyterLab on a busy machine: blank figures, errors, slider latency and drags.

    python benchmarks/bench_load.py [--runs 5] [--load quiet --load "one busy core"]
                                    [--moves 10] [--notebook solutions/04_batchnorm_training.ipynb]

For each load (default: quiet, and one core kept busy by another process; add `--load "both
cores busy"` for the heavy mode), runs every learner and solution notebook `--runs` times in a
fresh page of an isolated JupyterLab (as the browser tests do), and counts figures that stayed
blank and errors (error outputs, widget failures, console errors, errors shown by an app). The
loads take turns, a whole run of the notebooks each, so that their columns share the machine's
hour (its speed drifts). In each run, every app's first slider is moved `--moves` times with
the keyboard (key press to changed pixels, as in bench_browser.py), and in the solution
notebooks it is dragged with the mouse for 2 s, end to end: the frames the figure showed during
the drag, and the time from releasing the mouse to the last frame.

Each run also measures the floor first (as bench_browser.py does): a probe app that moves one
dot, the time the way from a key to the pixels takes by itself on this machine under the same
load. It has no budget; an app's p95 beside it says how much of that p95 is the app's own.

Prints the counts, then per app p50/p95 of the key press latency and the drag figures, one
column per load, side by side, against the budgets: no blank figure and no error under load;
key press to pixels p95 < 60 ms quiet and < 100 ms with a core busy; release to final frame
< 150 ms.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bench_browser import (  # noqa: E402
    FLOOR,
    LATENCY_JS,
    _app_label,
    _settle,
    _write_floor,
    measure_app,
)

from tests.browser import lab  # noqa: E402

BUDGET_P95_MS = {"quiet": 60, "one busy core": 100, "both cores busy": 100}
BUDGET_RELEASE_MS = 150
FLOOR_LABEL = Path(FLOOR).stem  # how the floor's row starts (bench_browser._app_label)
ARTIFACTS = lab.ROOT / "test-artifacts" / "bench-load"  # screenshots of runs that went wrong
DRAG_SECONDS = 2.0
DRAG_STEPS = 100


@dataclass
class Tally:
    """What went wrong under one load, over all its runs so far."""

    runs: int = 0  # notebook runs (the floor's not counted)
    blank: int = 0  # blank figures
    errors: list = field(default_factory=list)
    seconds: float = 0.0
    seen: list = field(default_factory=list)  # the blank figures and the errors, named


def problems_of(notebook, found):
    """Blank figures and errors of a notebook that has run: -> ([blank figures], [errors])."""
    blank = [
        f"cell {f['cell']}: figure {f['id']} blank ({f['width']}x{f['height']} canvas)"
        for f in found["figures"]
        if f["colours"] <= 1
    ]
    errors = [
        f"cell {o['cell']}: {o['text'][:120]}" for o in notebook.js("() => __course.errorOutputs()")
    ]
    errors += [
        f"cell {p['cell']}: {p['problem']}" for p in notebook.js("() => __course.widgetProblems()")
    ]
    errors += [f"app in cell {a['cell']}: {e[:120]}" for a in found["apps"] for e in a["errors"]]
    errors += [f"console: {text[:120]}" for _kind, text, _where in notebook.console_errors()]
    return blank, errors


def drag(notebook, app, seconds=DRAG_SECONDS, steps=DRAG_STEPS):
    """Drag the app's first slider end to end with the mouse; -> (frames, release_to_last_ms).

    frames: canvas changes between pressing and releasing the mouse; release_to_last_ms: from
    releasing it to the last change (0 when the last frame came before the release).
    """
    page = notebook.page
    handle = page.locator(f'[data-course-control="{app["id"]}"]')
    handle.scroll_into_view_if_needed()
    track = handle.locator("xpath=ancestor::*[contains(@class, 'noUi-target')][1]")
    box, grip = track.bounding_box(), handle.bounding_box()
    y = grip["y"] + grip["height"] / 2
    start = grip["x"] + grip["width"] / 2
    # towards the far end: right, unless the handle already sits in the right half
    end = box["x"] + box["width"] if start < box["x"] + box["width"] / 2 else box["x"]
    notebook.js("(ids) => __latency.arm(ids)", app["figures"])
    page.mouse.move(start, y)
    page.mouse.down()
    pressed = notebook.js("() => performance.now()")
    for i in range(1, steps + 1):
        page.mouse.move(start + (end - start) * i / steps, y)
        time.sleep(seconds / steps)
    page.mouse.up()
    released = notebook.js("() => performance.now()")
    _settle(notebook, quiet_ms=300, timeout=10)
    frames = notebook.js("() => __latency.frames")
    notebook.js("() => { __latency.armed = false; }")
    during = sum(pressed <= t <= released for t in frames)
    last = max(frames, default=released)
    return during, max(0.0, last - released)


def run_notebook(browser, server, rel_path, moves, timings, drags):
    """One fresh run of a notebook; -> (blank figures, errors). Adds to timings and drags."""
    notebook = lab.NotebookPage(browser, server, rel_path, init_scripts=[LATENCY_JS])
    try:
        notebook.open()
        notebook.run_all()
        found = notebook.wait_for_figures()
        blank, errors = problems_of(notebook, found)
        apps = notebook.tag(controls=".noUi-handle")["apps"]
        for app in apps:
            label = _app_label(rel_path, app)
            samples, timeouts = measure_app(notebook, app, moves, 1, 10)
            timings[label] += [s["latency"] for s in samples]
            if timeouts:
                errors.append(f"{label}: {timeouts} key presses changed nothing")
        if rel_path.startswith("solutions/"):
            for app in apps:
                drags[_app_label(rel_path, app)].append(drag(notebook, app))
        blank_after, errors_after = problems_of(notebook, notebook.tag())
        blank = sorted(set(blank) | {f"{b} (still after the moves)" for b in blank_after})
        if blank or errors:  # a picture of what went wrong, for a person to look at
            name = f"{lab.artifact_name(rel_path)}-{time.strftime('%H%M%S')}.png"
            notebook.screenshot(ARTIFACTS / name)
        return blank, sorted(set(errors) | set(errors_after))
    except AssertionError as error:  # the notebook did not open or run: an error of its own
        return [], [f"stopped: {str(error)[:200]}"]
    finally:
        notebook.close()
        server.shutdown_sessions(rel_path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of every notebook (5)")
    parser.add_argument(
        "--load", action="append", choices=list(lab.LOADS), help="quiet, one busy core, ..."
    )
    parser.add_argument("--moves", type=int, default=10, help="key presses per app and run")
    parser.add_argument("--notebook", action="append", help="notebook(s) (default: all)")
    args = parser.parse_args(argv)
    loads = args.load or ["quiet", "one busy core"]
    notebooks = args.notebook or lab.notebook_paths()
    problem = lab.browser_problem()
    if problem:
        print(f"cannot run: {problem}; {lab.INSTALL_HINT}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    counts = {load: Tally() for load in loads}
    timings = {load: defaultdict(list) for load in loads}
    drags = {load: defaultdict(list) for load in loads}
    with tempfile.TemporaryDirectory(prefix="bench-load-") as workdir, sync_playwright() as pw:
        server = lab.LabServer.start(workdir)
        _write_floor(server.root_dir)
        browser = lab.launch_chromium(pw)
        try:
            # the loads take turns, run by run: this machine's speed drifts over an hour, and
            # loads measured one after the other would compare two different hours
            for run in range(args.runs):
                for load in loads:
                    count = counts[load]
                    started = time.monotonic()
                    with lab.busy_cores(lab.LOADS[load]):
                        # the floor first: not one of the course's notebook runs, but what goes
                        # wrong in it is counted (it is an App like the others)
                        for rel_path in [FLOOR, *notebooks]:
                            b, e = run_notebook(
                                browser, server, rel_path, args.moves, timings[load], drags[load]
                            )
                            count.runs += rel_path != FLOOR
                            count.blank += len(b)
                            count.errors += e
                            count.seen += [f"run {run + 1} {rel_path}: {text}" for text in b + e]
                    count.seconds += time.monotonic() - started
                    print(
                        f"run {run + 1}, {load}: {count.runs} notebook runs so far, "
                        f"{count.blank} blank figures, {len(count.errors)} errors",
                        flush=True,
                    )
                if run + 1 < args.runs:  # the figures so far, in case a later run is cut short
                    report(loads, counts, timings, drags)
        finally:
            browser.close()
            server.stop()
    return report(loads, counts, timings, drags)


def report(loads, counts, timings, drags):
    """Print everything side by side; -> exit status (1 when a budget is missed)."""
    failed = False
    print(f"\n{'':44}" + "".join(f"{load:>26}" for load in loads))
    for what, value in (
        ("notebook runs", lambda count: count.runs),
        ("blank figures", lambda count: count.blank),
        ("errors", lambda count: len(count.errors)),
        ("minutes", lambda count: f"{count.seconds / 60:.1f}"),
    ):
        print(f"{what:44}" + "".join(f"{value(counts[load])!s:>26}" for load in loads))
    for load in loads:
        if counts[load].blank or counts[load].errors:
            failed = True
        for text in counts[load].seen[:20]:
            print(f"  [{load}] {text}")

    print(
        "\nKey press to changed pixels, p50 / p95 ms (budget p95: "
        + ", ".join(f"{load} < {BUDGET_P95_MS[load]}" for load in loads)
        + ")"
    )
    labels = sorted(  # the floor first, then the apps by name
        {label for load in loads for label in timings[load]},
        key=lambda label: (not label.startswith(FLOOR_LABEL), label),
    )
    for label in labels:
        is_floor = label.startswith(FLOOR_LABEL)
        cells = []
        for load in loads:
            values = np.array(timings[load].get(label, []))
            if not values.size:
                cells.append("-")
                continue
            p50, p95 = np.percentile(values, [50, 95])
            over = p95 >= BUDGET_P95_MS[load] and not is_floor  # the floor has no budget
            failed |= over
            cells.append(f"{p50:5.1f} / {p95:5.1f} (n={values.size}){' OVER' if over else ''}")
        shown = "floor: one dot, no budget" if is_floor else label
        print(f"{shown[:44]:44}" + "".join(f"{c:>26}" for c in cells))

    print(
        f"\nDragging the first slider for {DRAG_SECONDS:g} s: frames shown during the drag, "
        f"release to last frame (median / max ms; budget < {BUDGET_RELEASE_MS})"
    )
    labels = sorted({label for load in loads for label in drags[load]})
    for label in labels:
        cells = []
        for load in loads:
            results = drags[load].get(label, [])
            if not results:
                cells.append("-")
                continue
            frames = np.array([f for f, _ in results])
            release = np.array([r for _, r in results])
            over = release.max() >= BUDGET_RELEASE_MS
            failed |= over
            cells.append(
                f"{np.median(frames):3.0f} fr, {np.median(release):5.1f} / {release.max():5.1f}"
                + (" OVER" if over else "")
            )
        print(f"{label[:44]:44}" + "".join(f"{c:>26}" for c in cells))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
