"""python -m course_utils.checks: runs whole notebooks and reports each exercise's status."""

import re
import subprocess
import sys

import nbformat
import pytest

from course_utils import checks, checks_cli
from course_utils.exercises import EXERCISES

from .support import ROOT, require

LEARNER = ROOT / "notebooks" / "02_sampling_scales.ipynb"
SOLUTION = ROOT / "solutions" / "02_sampling_scales.ipynb"
NAMES = [name for name, ex in EXERCISES.items() if ex.notebook == "02"]  # in the notebook's order
ROW = re.compile(r"^  (passed|failed|not attempted) +.* \(([\w.]+)\)(?:: (\w+))?$")


@pytest.fixture(autouse=True)
def _nbclient():
    try:
        import nbclient  # noqa: F401
    except ImportError:
        require(False, "nbclient is not installed: python -m pip install -r requirements-test.txt")


def _rows(report):
    """(name, status, mistake) of each exercise line of a report, in order."""
    return [(m[2], m[1], m[3]) for m in map(ROW.match, report.splitlines()) if m]


def _command(*args):
    return subprocess.run(
        [sys.executable, "-m", "course_utils.checks", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
    )


def _notebook_in(tmp_path, *sources):
    """A short notebook of notebook 02's exercises (quick to run), saved in tmp_path."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    path = tmp_path / SOLUTION.name
    nbformat.write(nb, path)
    return path


def _checked(name, fn="scales." + "{}"):
    """A cell that checks exercise name with fn (the reference itself by default)."""
    return f"checks.check({name!r}, {fn.format(name.split('.')[1])})"


IMPORTS = "from course_utils import checks, scales"


def test_the_fresh_learner_notebook_reports_every_exercise_not_attempted_and_fails():
    run = _command(LEARNER)
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.stdout.splitlines()[0] == str(LEARNER)
    assert _rows(run.stdout) == [(name, "not attempted", None) for name in NAMES]
    assert run.stdout.splitlines()[-1] == f"  0 of {len(NAMES)} exercises passed."
    assert run.stderr == ""


def test_the_solution_notebook_passes_every_exercise_and_exits_0(tmp_path, capsys):
    path = _notebook_in(tmp_path, IMPORTS, *map(_checked, NAMES))
    assert checks_cli.main([str(path)]) == 0
    out = capsys.readouterr().out
    assert _rows(out) == [(name, "passed", None) for name in NAMES]
    assert out.splitlines()[-1] == f"  {len(NAMES)} of {len(NAMES)} exercises passed."


def test_an_exercise_done_wrong_is_reported_failed_with_its_mistake(tmp_path, capsys):
    wrong = "scales.remembered_steps"
    off_by_one = "lambda momentum: momentum / (1 - momentum)"
    cells = [_checked(name, off_by_one) if name == wrong else _checked(name) for name in NAMES]
    path = _notebook_in(tmp_path, IMPORTS, *cells)
    before = path.read_bytes()
    assert checks_cli.main([str(path)]) == 1
    out = capsys.readouterr().out
    expected = [(n, "failed", "off_by_one") if n == wrong else (n, "passed", None) for n in NAMES]
    assert _rows(out) == expected
    assert f"{len(NAMES) - 1} of {len(NAMES)} exercises passed." in out
    assert path.read_bytes() == before, "the learner's notebook is never written"


def test_a_cell_that_raises_is_named_and_the_exercises_after_it_are_not_attempted(tmp_path, capsys):
    first, *rest = NAMES
    raising = "values = [1, 2, 3]\nvalues[3]"
    path = _notebook_in(tmp_path, IMPORTS, _checked(first), raising, *map(_checked, rest))
    assert checks_cli.main([str(path)]) == 1
    out = capsys.readouterr().out
    assert "  Cell [3] raised IndexError: list index out of range\n" in out
    assert "    line 2: values[3]\n" in out
    assert "Traceback" not in out and "\x1b[" not in out
    assert _rows(out) == [(first, "passed", None)] + [(n, "not attempted", None) for n in rest]
    assert out.splitlines()[-1] == f"  1 of {len(NAMES)} exercises passed."


def test_the_results_are_read_even_when_the_notebooks_output_never_arrives(tmp_path, capsys):
    """A cell's printed output can reach nbclient after it has stopped waiting for it (on a
    loaded machine), and is then lost; the results do not travel that way. Here the kernel's
    printed output is silenced altogether."""
    first, *rest = NAMES
    silence = 'import os, sys\nsys.stdout = open(os.devnull, "w")'
    path = _notebook_in(tmp_path, IMPORTS, silence, _checked(first))
    assert checks_cli.main([str(path)]) == 1
    out = capsys.readouterr().out
    assert "could not be read" not in out
    assert _rows(out) == [(first, "passed", None)] + [(n, "not attempted", None) for n in rest]


def test_a_missing_file_or_not_a_notebook_says_so_in_one_line_and_fails(tmp_path):
    text = tmp_path / "02_notes.ipynb"
    text.write_text("my notes, not a notebook")
    unnumbered = tmp_path / "sampling.ipynb"
    unnumbered.write_bytes(SOLUTION.read_bytes())
    missing = tmp_path / "02_missing.ipynb"
    run = _command(missing, text, unnumbered)
    assert run.returncode == 1
    assert run.stderr == ""
    assert run.stdout.splitlines() == [
        str(missing),
        "  No such file.",
        str(text),
        "  Not a Jupyter notebook: it could not be read as one.",
        str(unnumbered),
        "  No exercises: a course notebook's name starts with its number, one of "
        f"{', '.join(sorted({e.notebook for e in EXERCISES.values()}))} "
        "(as in 02_sampling_scales.ipynb).",
        "0 of 3 notebooks: every exercise passed.",
    ]


def test_results_gives_each_exercise_of_a_notebook_as_plain_data():
    checks.check("scales.remembered_steps", lambda momentum: momentum / (1 - momentum))
    rows = {row["name"]: row for row in checks.results("02")}
    assert list(rows) == NAMES
    assert rows["scales.remembered_steps"] == {
        "name": "scales.remembered_steps",
        "title": EXERCISES["scales.remembered_steps"].title,
        "status": "failed",
        "mistake": "off_by_one",
    }
