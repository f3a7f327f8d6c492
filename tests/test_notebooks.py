"""Every learner and solution notebook runs headless, top to bottom, with live figures on."""

import functools
import json
import re
import tempfile
from pathlib import Path

import nbformat
import pytest

from course_utils.exercises import EXERCISES
from course_utils.grade import judge, sandbox

from .support import ROOT, require

# The learner notebooks (marked: CI runs them on every Python but 3.12 and 3.13, where the
# solutions suffice: the two differ only in the exercises' bodies)
NOTEBOOKS = [
    pytest.param(path, marks=pytest.mark.learner_notebook, id=f"{path.parent.name}/{path.name}")
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
]
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
# Appended to each notebook before it runs: the style problems of every figure it made.
FIGURE_AUDIT = """
import json, matplotlib.pyplot as plt
from course_utils import plotting
problems = {n: plotting.figure_problems(plt.figure(n)) for n in plt.get_fignums()}
print("FIGURES" + json.dumps(problems))
"""
STATUS = re.compile(r"class='course-check' data-status='([a-z ]+)'")
# Appended after it: the notebook's exercise functions, taken out as the grader takes them.
EXPORTS = Path(tempfile.mkdtemp(prefix="course-notebook-exports-"))


@functools.cache
def _execute(path):
    """The notebook at path, executed once per test session."""
    try:
        from nbclient import NotebookClient
    except ImportError:
        require(False, "nbclient is not installed: python -m pip install -r requirements-test.txt")
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(FIGURE_AUDIT))
    names = {name: judge.function_names()[name] for name in _exercises_of(path)}
    export = EXPORTS / f"{path.parent.name}-{path.stem}.json"
    nb.cells.append(nbformat.v4.new_code_cell(sandbox.EXPORT.format(names=names, path=str(export))))
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return nb


def _outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            yield from cell.outputs


def _statuses(nb):
    return [
        m.group(1)
        for out in _outputs(nb)
        for m in STATUS.finditer(out.get("data", {}).get("text/html", ""))
    ]


def _exercises_of(path):
    return [name for name, ex in EXERCISES.items() if ex.notebook == path.name[:2]]


def _assert_clean(nb, path):
    for out in _outputs(nb):
        assert out.output_type != "error", f"{path.name}: {out.get('ename')}: {out.get('evalue')}"
        if out.output_type == "stream":
            assert out.name != "stderr" or "Warning" not in out.text, f"{path.name}: {out.text}"
    env = "".join(str(o.get("data", {}).get("text/plain", "")) for o in _outputs(nb))
    assert "Environment ready" in env, f"{path.name}: the setup check did not pass"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_solution_notebook_runs_and_every_check_passes(path):
    nb = _execute(path)
    _assert_clean(nb, path)
    statuses = _statuses(nb)
    assert len(statuses) == len(_exercises_of(path)) >= 1
    assert statuses == ["passed"] * len(statuses)


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_fresh_learner_notebook_runs_with_every_check_not_attempted(path):
    nb = _execute(path)
    _assert_clean(nb, path)
    statuses = _statuses(nb)
    assert len(statuses) == len(_exercises_of(path)) >= 1
    assert statuses == ["not attempted"] * len(statuses)


def _graded(path):
    """{exercise: the grader's cell} for the functions the executed notebook defined."""
    _execute(path)
    exported = json.loads((EXPORTS / f"{path.parent.name}-{path.stem}.json").read_text())
    return {name: judge.judge(name, exported.get(name))["cell"] for name in _exercises_of(path)}


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_the_grader_passes_every_exercise_of_a_solution_notebook(path):
    assert _graded(path) == {name: "passed" for name in _exercises_of(path)}


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_the_grader_finds_every_exercise_of_a_fresh_learner_notebook_not_attempted(path):
    assert _graded(path) == {name: "not attempted" for name in _exercises_of(path)}


@pytest.mark.parametrize(
    "path", [pytest.param(p, id=f"{p.parent.name}/{p.name}") for p in SOLUTIONS] + NOTEBOOKS
)
def test_every_figure_has_title_labels_takeaway_and_nothing_cut_off(path):
    audit = [o.text for o in _outputs(_execute(path)) if o.get("text", "").startswith("FIGURES")]
    assert len(audit) == 1
    problems = json.loads(audit[0][len("FIGURES") :])
    assert len(problems) >= 2, "expected at least two live apps"
    assert {n: p for n, p in problems.items() if p} == {}


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_notebooks_show_live_figures(path):
    nb = _execute(path)
    views = [
        out["data"]["application/vnd.jupyter.widget-view+json"]
        for out in _outputs(nb)
        if "application/vnd.jupyter.widget-view+json" in out.get("data", {})
    ]
    assert len(views) >= 2, "expected at least two live apps"


def test_notebook_02_has_at_least_three_exercises():
    assert len([e for e in EXERCISES.values() if e.notebook == "02"]) >= 3


def test_run_trials_shows_a_progress_bar_that_ends_full_in_a_live_kernel():
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "from course_utils import search\n"
            "configs = [{'alpha': a} for a in (0.1, 0.01, 0.001)]\n"
            "results = search.run_trials(search.example_objective, configs)\n"
            "print(results)"
        )
    )
    NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True).execute()
    outputs = nb.cells[0].outputs
    shown = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(shown) == 1, "one progress bar is displayed"
    states = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    model_id = shown[0]["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
    parts = [
        states[ref.removeprefix("IPY_MODEL_")] for ref in states[model_id]["state"]["children"]
    ]
    bar = next(
        p["state"] for p in parts if p["model_name"] in {"FloatProgressModel", "IntProgressModel"}
    )
    assert bar["value"] == bar["max"] == 3, "the bar ends full"
    texts = " ".join(p["state"].get("value", "") for p in parts if p["model_name"] == "HTMLModel")
    assert "trials" in texts and "3/3" in texts, texts
    from course_utils import search

    expected = [search.example_objective({"alpha": a}) for a in (0.1, 0.01, 0.001)]
    assert str(expected) in "".join(o.get("text", "") for o in outputs)
