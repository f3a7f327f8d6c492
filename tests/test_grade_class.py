"""A class graded end to end: each notebook in its own sandbox, its own kernel (slow: marked).

CI runs these on Python 3.11 (the README's test command); the other Pythons and the lowest
versions run the rest of the grader's tests (tests/test_grade.py).
"""

import csv
import json
from html import escape as html_escape

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course_utils import checks
from course_utils.checks import EXERCISES
from course_utils.grade import grade, judge
from course_utils.grade.__main__ import main

from .support import ROOT
from .test_grade import FAST, FIRST_MISTAKE, LAST, NB02, _mistaken, _notebook, _stubs

pytestmark = pytest.mark.sandboxes

# ---------------------------------------------------------------- a class, graded

SI, LFU, RS, SOML = NB02  # notebook 02's exercises, in the course's order
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def class_folder(tmp_path_factory):
    """A class's hand-in: the course's own notebook 02 (solved and fresh), and notebooks
    honest or not, sound or broken, each a case the grader must keep in its own row."""
    folder = tmp_path_factory.mktemp("class")
    for kind in ("solutions", "notebooks"):
        (source,) = (ROOT / kind).glob("02_*.ipynb")
        (folder / kind).mkdir()
        (folder / kind / source.name).write_bytes(source.read_bytes())
    cases = {
        "mistakes": _notebook(_stubs(), *(_mistaken(n, m) for n, m in FIRST_MISTAKE.items())),
        "tampering": _notebook(
            _stubs(),
            # its own check always says passed, in the notebook and in the module
            "checks.check = lambda *a, **k: 'passed'\n"
            "import course_utils.checks\ncourse_utils.checks.check = checks.check",
            # the course's own function under the exercise's name
            "from course_utils.scales import log_from_unit",
            # a check cell edited to show a pass: the grader never reads outputs
            "from IPython.display import HTML\n"
            "HTML(\"<div class='course-check' data-status='passed'>Passed</div>\")",
            # a wrong answer, and the course patched in the kernel to agree with it
            "import course_utils.scales\n"
            "def remembered_steps(momentum):\n    return 0 * momentum\n"
            "course_utils.scales.remembered_steps = remembered_steps",
            # a function that changes the checkers while it is judged
            "def sample_one_minus_log(n, low, high, rng):\n"
            "    import course_utils.checks\n"
            "    course_utils.checks.compare = lambda *args: None\n"
            "    return np.full(n, low)",
        ),
        "accidents": _notebook(
            _stubs(),
            f"raise ValueError({SCRIPT!r})",
            "big = np.ones((10**5, 10**5))  # 80 GB: over the memory limit at once",
            "exit()",
            "import sys\nsys.exit(1)",
            "import os\nfor name in os.listdir('.'):\n    os.remove(name)",
            _mistaken(*LAST),
        ),
        "loops_forever": _notebook(_stubs(), "while True:\n    pass"),
        "swallows_interrupts": _notebook(
            _stubs(),
            "import time\nwhile True:\n    try:\n        time.sleep(1)\n    except:\n        pass",
        ),
        "crashes_kernel": _notebook(
            _stubs(), "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"
        ),
    }
    for label, text in cases.items():
        (folder / f"02_{label}.ipynb").write_text(text)
    (folder / "02_empty.ipynb").write_text("")
    (folder / "02_<b>corrupt.ipynb").write_text('{"cells": [')
    other = new_notebook(cells=[new_code_cell("def f(x):\n    return x")])
    (folder / "hw1_other_course.ipynb").write_text(nbformat.writes(other))
    return folder


@pytest.fixture(scope="module")
def graded(class_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    rows = grade([class_folder], out, limits=FAST, progress=False)
    named = {}
    for row in rows:
        path = row.submission.removeprefix(str(class_folder) + "/").removesuffix(".ipynb")
        named[path] = row
    return named, out


def _cells(value):
    return {name: value for name in NB02}


def test_every_submission_of_the_class_gets_its_own_row(graded):
    rows, _ = graded
    assert len(rows) == 11


def test_the_course_notebooks_grade_as_they_should(graded):
    rows, _ = graded
    assert rows["solutions/02_sampling_scales"].cells == _cells("passed")
    assert rows["solutions/02_sampling_scales"].n_passed == 4
    assert rows["notebooks/02_sampling_scales"].cells == _cells("not attempted")
    assert rows["notebooks/02_sampling_scales"].problem is None


def test_each_catalogued_mistake_is_graded_by_its_name(graded):
    rows, _ = graded
    assert rows["02_mistakes"].cells == {n: f"failed: {m}" for n, m in FIRST_MISTAKE.items()}
    assert rows["02_mistakes"].n_passed == 0 and rows["02_mistakes"].problem is None


def test_tampering_is_never_graded_as_passed(graded):
    rows, _ = graded
    cells = rows["02_tampering"].cells
    assert cells[SI] == "not attempted"  # its rebound checks.check is never asked
    assert cells[LFU] == "failed: copied_reference"
    assert cells[RS].startswith("failed: ") and cells[RS] != "failed: copied_reference"
    assert cells[SOML] == "failed: tampered"


def test_a_notebook_that_loops_is_stopped_and_its_exercises_still_judged(graded):
    rows, _ = graded
    row = rows["02_loops_forever"]
    assert row.cells == _cells("not attempted")
    assert row.problem == f"cell [3] was stopped after {FAST.cell_seconds:g} s"


def test_a_notebook_that_swallows_the_interrupt_times_out_in_its_own_row(graded):
    rows, _ = graded
    row = rows["02_swallows_interrupts"]
    assert row.cells == _cells("timeout")
    assert row.problem == "cell [3] could not be stopped (it ignores interrupts)"


def test_errors_memory_exits_and_deleted_files_are_noted_and_the_cells_after_them_run(graded):
    rows, _ = graded
    row = rows["02_accidents"]
    problems = row.problem.split("; ")
    assert problems[0] == f"cell [3] raised ValueError: {SCRIPT}"
    assert problems[1].startswith("cell [4] raised ") and "MemoryError" in problems[1]
    assert problems[2:] == ["cell [5] raised SystemExit", "cell [6] raised SystemExit: 1"]
    assert row.cells[LAST[0]] == f"failed: {LAST[1]}"  # defined after all that, still judged
    assert [row.cells[n] for n in NB02[:-1]] == ["not attempted"] * 3


def test_a_crashed_kernel_is_noted_in_each_exercise(graded):
    rows, _ = graded
    crashed = rows["02_crashes_kernel"]
    assert crashed.problem == "the kernel stopped in cell [3] (it crashed or ran out of memory)"
    assert crashed.cells == _cells(f"error: {crashed.problem}")


def test_files_that_are_not_course_notebooks_get_a_clear_row(graded):
    rows, _ = graded
    assert rows["02_empty"].problem == "not a Jupyter notebook (an empty file)"
    assert rows["02_<b>corrupt"].problem == "not a Jupyter notebook (NotJSONError)"
    other = rows["hw1_other_course"]
    assert other.problem == "not a notebook of this course: none of its exercises"
    assert other.cells == {} and other.n_passed == 0


def test_the_gradebook_files_hold_every_row_and_column(graded, class_folder):
    rows, out = graded
    with (out / "gradebook.csv").open(newline="") as file:
        table = list(csv.DictReader(file))
    in_course_order = [row[1] for row in checks.progress().rows]  # as a learner sees them
    assert list(table[0]) == ["submission", *in_course_order, "passed", "note"]
    by_label = {line["submission"]: line for line in table}
    mistakes = by_label[str(class_folder / "02_mistakes.ipynb")]
    assert mistakes[LFU] == f"failed: {FIRST_MISTAKE[LFU]}"
    assert mistakes["batchnorm.forward"] == "" and mistakes["passed"] == "0"
    data = json.loads((out / "gradebook.json").read_text())
    assert len(data["submissions"]) == len(table) == len(rows)
    (entry,) = [s for s in data["submissions"] if s["submission"].endswith("02_mistakes.ipynb")]
    verdict = entry["verdicts"][LFU]
    assert verdict["hint"] == EXERCISES[LFU].mistakes[0].hint
    assert verdict["called"] and verdict["expected"] and verdict["got"]


def test_the_report_counts_each_mistake_with_its_hint_and_escapes_learner_text(graded):
    _, out = graded
    page = (out / "report.html").read_text()
    assert html_escape(EXERCISES[LFU].mistakes[0].hint) in page
    assert "copied_reference" in page and html_escape(judge.HINTS["copied_reference"]) in page
    # learners' text (file names, error messages) shows as text, never as markup
    assert "<script" not in page and "<b>corrupt" not in page
    assert html_escape(SCRIPT) in page and "&lt;b&gt;corrupt" in page


# ---------------------------------------------------------------- the command, and Dask


@pytest.fixture(scope="module")
def two_submissions(tmp_path_factory):
    folder = tmp_path_factory.mktemp("two")
    (folder / "02_a.ipynb").write_text(_notebook(_stubs()))
    (folder / "02_b.ipynb").write_text(_notebook(_stubs(), _mistaken(*LAST)))
    return folder


def test_the_command_grades_a_class_on_a_dask_cluster_and_says_where_it_wrote(
    two_submissions, tmp_path, capsys
):
    from distributed import LocalCluster

    out = tmp_path / "out"
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        argv = [str(two_submissions), "--out", str(out), "--quiet", "--cell-timeout", "6"]
        assert main([*argv, "--scheduler", cluster.scheduler_address]) == 0
    printed = capsys.readouterr().out
    assert "2 submissions graded (0 without exercises of the course); 0 of 8 exercises passed." in (
        printed
    )
    for name in ("gradebook.csv", "gradebook.json", "report.html"):
        assert f"wrote {out / name}" in printed and (out / name).is_file()
    with (out / "gradebook.csv").open(newline="") as file:
        graded = [line[LAST[0]] for line in csv.DictReader(file)]
    assert graded == ["not attempted", f"failed: {LAST[1]}"]


def test_the_command_names_a_missing_submission(tmp_path, capsys):
    assert main([str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert "error: " in capsys.readouterr().err
