"""The instructor's gradebook: honest verdicts, safe with untrusted notebooks, a report to read."""

import base64
import zipfile

import cloudpickle
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course_utils import scales
from course_utils.checks import EXERCISES
from course_utils.grade import Limits, judge
from course_utils.grade.submissions import collect

from .support import ROOT

NB02 = [name for name, ex in EXERCISES.items() if ex.notebook == "02"]
# Short cell limits, so that a looping notebook is stopped soon; room for a busy machine else.
FAST = Limits(cell_seconds=4, notebook_seconds=60, memory_mb=2048, check_seconds=10)
FIRST_MISTAKE = {name: EXERCISES[name].mistakes[0].name for name in NB02}
LAST = NB02[-1], FIRST_MISTAKE[NB02[-1]]  # the exercise the exiting notebook answers


def _notebook(*cells, number="02"):
    """A small notebook of the course's notebook `number`: an import cell, then the cells."""
    nb = new_notebook(cells=[new_code_cell("import numpy as np\nfrom course_utils import checks")])
    nb.cells += [new_code_cell(source) for source in cells]
    nb.metadata["course"] = {"built_from": f"source/{number}_x.py"}
    return nbformat.writes(nb)


def _stubs():
    """Notebook 02's exercises as the learner notebook has them: raising NotImplementedError."""
    return "\n".join(
        f"def {judge.function_names()[n]}(*args, **kwargs):\n    raise NotImplementedError"
        for n in NB02
    )


def _mistaken(name, mistake):
    """Source that defines the learner's function for name as a catalogued mistake's code."""
    return (
        "from course_utils.exercises import EXERCISES as _E\n"
        f"{judge.function_names()[name]} = _E[{name!r}].named({mistake!r}).fn"
    )


def _pickled(fn):
    return base64.b64encode(cloudpickle.dumps(fn)).decode()


# ---------------------------------------------------------------- judging one function


def _wraps_the_reference(u, low, high):
    return scales.log_from_unit(u, low, high)


def _calls_a_helper_that_wraps_it(u, low, high):
    return _wraps_the_reference(u, low, high)


def _changes_the_checker(u, low, high):
    import course_utils.checks

    course_utils.checks.compare = lambda *args: None
    return low + 0 * u


def test_the_judge_names_a_copied_reference_however_it_is_reached():
    for fn in (scales.log_from_unit, _wraps_the_reference, _calls_a_helper_that_wraps_it):
        verdict = judge.judge("scales.log_from_unit", _pickled(fn))
        assert verdict["cell"] == "failed: copied_reference", fn
        assert "course_utils.scales.log_from_unit" in verdict["got"]


@pytest.mark.parametrize("name", list(EXERCISES))
def test_the_judge_gives_every_catalogued_mistake_its_name_and_hint(name):
    """As checks.check does; a mistake that makes Python warn is not taken for tampering."""
    for mistake in EXERCISES[name].mistakes:
        verdict = judge.judge(name, _pickled(mistake.fn))
        assert verdict["cell"] == f"failed: {mistake.name}"
        assert verdict["hint"] == mistake.hint
    assert judge.judge(name, _pickled(EXERCISES[name].reference))["cell"] == (
        "failed: copied_reference"
    )


def test_a_function_that_changes_the_checkers_is_caught_and_the_checkers_restored():
    import course_utils.checks

    compare = course_utils.checks.compare
    verdict = judge.judge("scales.log_from_unit", _pickled(_changes_the_checker))
    assert verdict["cell"] == "failed: tampered"
    assert "course_utils.checks" in verdict["got"]
    assert course_utils.checks.compare is compare


def test_a_missing_or_unreadable_function_is_an_error_and_one_never_defined_in_time_a_timeout():
    assert (
        judge.judge("scales.log_from_unit", None)["cell"]
        == "error: function log_from_unit not found"
    )
    assert judge.judge("scales.log_from_unit", None, timed_out=True)["cell"] == "timeout"
    unreadable = judge.judge("scales.log_from_unit", {"error": "PicklingError: a lock"})
    assert unreadable["cell"].startswith("error: log_from_unit could not be read: PicklingError")
    garbled = judge.judge("scales.log_from_unit", base64.b64encode(b"not a pickle").decode())
    assert garbled["cell"].startswith("error: log_from_unit could not be loaded")


def test_every_exercise_has_one_function_name_in_the_course_notebooks():
    names = judge.function_names()
    assert set(names) == set(EXERCISES)
    for name, variable in names.items():
        number = EXERCISES[name].notebook
        (source,) = (ROOT / "source").glob(f"{number}_*.py")
        assert f"def {variable}(" in source.read_text(), (name, variable)


# ---------------------------------------------------------------- what to grade


def test_submissions_are_files_folders_and_zip_files_labelled_as_given(tmp_path):
    (tmp_path / "class" / "alice").mkdir(parents=True)
    (tmp_path / "class" / "alice" / "02.ipynb").write_text("a")
    (tmp_path / "class" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "class" / ".ipynb_checkpoints" / "02-checkpoint.ipynb").write_text("old")
    (tmp_path / "class" / "notes.txt").write_text("not a notebook")
    with zipfile.ZipFile(tmp_path / "late.zip", "w") as archive:
        archive.writestr("bob/06.ipynb", "b")
        archive.writestr("__MACOSX/bob/._06.ipynb", "resource fork")
    (tmp_path / "single.txt").write_text("named on the command line: graded")
    found = collect([tmp_path / "class", tmp_path / "late.zip", tmp_path / "single.txt"])
    assert [(s.label.replace(str(tmp_path), ""), s.content) for s in found] == [
        ("/class/alice/02.ipynb", b"a"),
        ("/late.zip/bob/06.ipynb", b"b"),
        ("/single.txt", b"named on the command line: graded"),
    ]
    with pytest.raises(ValueError, match="no such file or folder"):
        collect([tmp_path / "missing.ipynb"])
    (tmp_path / "broken.zip").write_bytes(b"PK no zip")
    with pytest.raises(ValueError, match="broken.zip: not a readable .zip file"):
        collect([tmp_path / "broken.zip"])


def test_a_notebook_killed_at_the_hard_limit_is_timeout_in_each_of_its_exercises():
    from course_utils.grade.gradebook import _row

    row = _row("02_x.ipynb", {"timeout": True, "problem": "still running", "notebook": "02"})
    assert row.cells == {name: "timeout" for name in NB02}
    assert row.problem == "still running" and row.n_passed == 0
