"""Every notebook, learner and solution, proven where learners use it: JupyterLab and Jupyter
Notebook 7, in Chromium.

Each notebook is opened fresh (its own browser context, a fresh workspace), run with Run > Run
All Cells, and must show no error output, no "Error displaying widget", no console error, and a
drawn (not blank) canvas for every figure; for every app (a widget output with controls and an
ipympl figure), moving its first control must change the canvas' pixels. A screenshot of the
whole notebook goes to test-artifacts/browser/ for a person to look at.

The runs, with no retries:
- in JupyterLab, every notebook with one core kept busy by another process (a learner's laptop
  often is), each app's first control moved with the keyboard;
- in Notebook 7, every learner notebook on a quiet machine, each app's first control moved with
  the mouse (Notebook 7 hands key presses to its own shortcuts first: ArrowRight on a focused
  slider jumps to the next heading there instead of moving the slider).
tests/browser/test_live_figures.py runs its probe quiet and busy; benchmarks/bench_load.py runs
every notebook in JupyterLab both ways, N times.
New notebooks (notebooks/NN_*.ipynb, solutions/NN_*.ipynb) are found by glob and tested too.
Without Chromium or the playwright package these tests skip (they fail under CI=true).
"""

from __future__ import annotations

import json
import os
import re
import sys

import pytest

from . import lab

_problem = lab.browser_problem()
if _problem:
    lab.skip_or_fail(_problem)

from playwright.sync_api import Error as PlaywrightError  # noqa: E402 - only once it exists

pytestmark = pytest.mark.browser

#: Console errors that are not the course's fault, per front end, each by a precise pattern and
#: why. (JupyterLab needs none: news and update checks are off in the isolated settings.)
ALLOWED_CONSOLE_ERRORS: dict[str, list[tuple[str, str]]] = {
    "lab": [],
    "notebook": [
        (
            r"^Cannot read properties of undefined \(reading 'schema'\)$",
            "Notebook 7.6's keyboard-shortcuts plugin reads, at page load, the settings schema of "
            "a plugin it has not registered; seen on a notebook of one cell, `1+1`",
        )
    ],
}

#: What the server's log must never say about a notebook's kernel (kernels share its stderr):
#: ipykernel's own errors (an exception in a comm handler, ...) and kernel restarts.
KERNEL_LOG_PROBLEMS = re.compile(
    r"\[IPKernelApp\] (ERROR|CRITICAL)|KernelRestarter|kernel \S+ restarted"
)

MOVE_TIMEOUT = 10  # seconds from a key press to changed pixels, at most


#: Kernel stderr outside any cell that is not the course's doing. When JupyterLab connects to a
#: kernel, its widget manager opens a "jupyter.widget.control" comm to fetch the kernel's
#: widgets; until a cell has imported ipywidgets the kernel has no such comm target and says so,
#: then answers "No such comm" to the follow-up messages on that refused comm. And JupyterLab
#: 4.6 sends a new comm's first message (the comm_open) to the kernel's main shell, behind the
#: cells that run, but later ones to a subshell thread, so a follow-up can arrive before its
#: comm_open (seen in CI with a busy core). Both only reach the server's log, and the widgets
#: work (checked above). Only these are let through: the control probe, and "No such comm" for
#: a control comm the page opened.
CONTROL_COMM_PROBE = re.compile(r"No such comm target registered: jupyter\.widget\.control")
REFUSED_COMM = re.compile(r"No such comm: ([0-9a-f-]{32,36})")


def _allowed(text, front_end):
    return any(re.search(pattern, text) for pattern, _why in ALLOWED_CONSOLE_ERRORS[front_end])


def _app_name(app):
    match = re.search(r"\b([A-Z]\w*)\(", app["source"])
    name = match.group(1) if match else "app"
    return f"{name} (cell {app['cell']}, first control {app['control']['label']!r})"


def _kernel_name(rel_path):
    notebook = json.loads((lab.ROOT / rel_path).read_text(encoding="utf-8"))
    return notebook.get("metadata", {}).get("kernelspec", {}).get("name")


def _runs():
    """(front end, load, notebook) of every run: see the module's docstring."""
    paths = lab.notebook_paths()
    runs = [("lab", "one busy core", path) for path in paths]
    runs += [("notebook", "quiet", path) for path in paths if path.startswith("notebooks/")]
    return runs


FRONT_END_NAMES = {"lab": "JupyterLab", "notebook": "Notebook 7"}


@pytest.mark.parametrize(
    ("front_end", "load", "rel_path"),
    _runs(),
    ids=lambda v: v.removesuffix(".ipynb").replace(" ", "-"),
)
def test_notebook_runs_in_the_browser(front_end, load, rel_path, browser, request):
    server = request.getfixturevalue("lab_server" if front_end == "lab" else "notebook_server")
    with lab.busy_cores(lab.LOADS[load]):
        _run_notebook(rel_path, load, browser, server)


def _run_notebook(rel_path, load, browser, lab_server):
    front_end = lab_server.front_end
    shown_in = FRONT_END_NAMES[front_end]
    expected_kernel = _kernel_name(rel_path)
    assert expected_kernel, f"{rel_path} has no metadata.kernelspec: {shown_in} would ask for one"
    name = lab.artifact_name(rel_path) + ("" if front_end == "lab" else "-" + front_end)
    name += "" if load == "quiet" else "-" + load.replace(" ", "-")
    problems = []
    found = {"figures": [], "apps": []}
    log_start = lab_server.log_size()
    notebook = lab.NotebookPage(browser, lab_server, rel_path)
    try:
        state = notebook.open()
        if state["kernelName"] != expected_kernel or state["kernelDisplayName"] == "No Kernel":
            problems.append(
                f"kernel {state['kernelName']!r} ({state['kernelDisplayName']!r}), "
                f"expected {expected_kernel!r}"
            )

        state = notebook.run_all()
        not_run = [c["index"] for c in state["cells"] if not c["count"]]
        if not_run:
            problems.append(f"code cells {not_run} did not run (Run All stopped early?)")
        for out in notebook.js("() => __course.errorOutputs()"):
            problems.append(f"cell {out['cell']}: {out['kind']} output: {out['text']}")

        found = notebook.wait_for_figures()
        for problem in notebook.js("() => __course.widgetProblems()"):
            problems.append(f"cell {problem['cell']}: {problem['problem']}")
        for figure in found["figures"]:
            if figure["colours"] <= 1:
                problems.append(
                    f"cell {figure['cell']}: figure {figure['id']} is blank "
                    f"({figure['width']}x{figure['height']} canvas, one colour or none)"
                )

        for app in found["apps"]:
            label = _app_name(app)
            problems += [f"{label} shows an error: {text[:300]}" for text in app["errors"]]
            before = [p["hash"] for p in notebook.figure_pixels(app["figures"])]
            if front_end == "lab":
                notebook.focus_control(app["id"])
                how = notebook.press(app["id"])
            else:
                how = notebook.drag(app["id"])
            if not notebook.wait_for_change(app["figures"], before, timeout=MOVE_TIMEOUT):
                moved = notebook.js("(id) => __course.describeControl(id)", app["id"])
                problems.append(
                    f"{label}: {how} did not change its canvas within {MOVE_TIMEOUT} s "
                    f"(control before {app['control']}, after {moved})"
                )
        if found["apps"]:
            after = notebook.tag()
            for app in after["apps"]:
                problems += [
                    f"{_app_name(app)} shows an error after the move: {text[:300]}"
                    for text in app["errors"]
                ]

        outside = notebook.js("() => __course.kernelOutput()")
        control_comms = set(notebook.js("() => __course.controlComms()"))
        for out in outside:
            text = out["text"].strip()
            refused = REFUSED_COMM.fullmatch(text)
            if CONTROL_COMM_PROBE.fullmatch(text) or (refused and refused[1] in control_comms):
                continue
            problems.append(f"the kernel sent {out['kind']} outside a cell: {out['text']}")

        prefix = notebook.kernel_prefix()
        if os.path.realpath(prefix) != os.path.realpath(sys.prefix):
            problems.append(f"the kernel runs in {prefix}, not in this environment {sys.prefix}")
    except (AssertionError, PlaywrightError) as error:  # report it with what else went wrong
        problems.append(f"stopped early: {str(error).strip()}")
    finally:
        log = lab_server.log_since(log_start)  # before the teardown, which the server logs
        try:
            notebook.screenshot(lab.ARTIFACTS / f"{name}.png")
        finally:
            lab.ARTIFACTS.mkdir(parents=True, exist_ok=True)
            (lab.ARTIFACTS / f"{name}.console.txt").write_text(
                "".join(f"[{kind}] {text}  ({where})\n" for kind, text, where in notebook.console)
            )
            notebook.close()
            lab_server.shutdown_sessions(rel_path)

    for kind, text, where in notebook.console_errors():
        if not _allowed(text, front_end):
            problems.append(f"console {kind}: {text[:500]} ({where})")
    (lab.ARTIFACTS / f"{name}.server.log").write_text(log)
    for match in KERNEL_LOG_PROBLEMS.finditer(log):
        excerpt = log[match.start() : match.start() + 600]
        problems.append(f"the server/kernel log reports: {excerpt}")
        break

    counts = f"{len(found['figures'])} figures, {len(found['apps'])} apps"
    print(f"{rel_path} ({shown_in}, {load}): {counts}")
    assert not problems, (
        f"{rel_path} in {shown_in}, {load} (screenshot, console and server log in "
        f"{lab.ARTIFACTS.relative_to(lab.ROOT)}/{name}.*):\n- " + "\n- ".join(problems)
    )
