"""The notebook pipeline: sources -> learner and solution notebooks, stale and edit protection."""

import json
import shutil

import nbformat
import pytest

from course_utils import build
from course_utils.exercises import EXERCISES

SOURCE = '''# %% [markdown]
# # A notebook

# %%
def f(x):
    """Double x."""
    # BEGIN SOLUTION
    y = 2 * x
    return y
    # END SOLUTION


print(f)
'''


def _course(tmp_path, text=SOURCE):
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "01_demo.py").write_text(text)
    return tmp_path


def test_committed_notebooks_are_what_the_sources_build(root):
    assert build.stale_notebooks(root) == [], "run `python -m course_utils.build`"


def test_every_notebook_has_a_source_and_a_solution(root):
    sources = {p.stem for p in (root / "source").glob("[0-9][0-9]_*.py")}
    assert sources, "no notebook sources"
    assert {p.stem for p in (root / "notebooks").glob("*.ipynb")} == sources
    assert {p.stem for p in (root / "solutions").glob("*.ipynb")} == sources


@pytest.mark.parametrize("folder", ["notebooks", "solutions"])
def test_built_notebooks_have_a_kernelspec_no_outputs_and_an_environment_check(root, folder):
    for path in sorted((root / folder).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert nb.metadata.kernelspec.name == "python3", path
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), path
        assert "check_environment()" in code[0].source, f"{path}: first cell must check the setup"


def test_the_build_opens_every_notebook_with_the_one_setup_cell(tmp_path, root):
    learner, solution = build.build_notebooks(_course(tmp_path) / "source" / "01_demo.py")
    for nb in (learner, solution):
        kinds = [c.cell_type for c in nb.cells]
        assert kinds == ["markdown", "code", "code"]
        assert nb.cells[1].source == build.SETUP_CELL
    sources = (root / "source").glob("*.py")
    pasted = [p.name for p in sources if "check_environment" in p.read_text()]
    assert pasted == [], "the setup cell is kept once, in build.SETUP_CELL, not in sources"


def test_learner_notebooks_hold_stubs_where_the_solutions_hold_code(root):
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        learner = nbformat.read(path, as_version=4)
        solution = nbformat.read(root / "solutions" / path.name, as_version=4)
        assert len(learner.cells) == len(solution.cells)
        stubs = 0
        for lc, sc in zip(learner.cells, solution.cells, strict=True):
            assert "BEGIN SOLUTION" not in lc.source + sc.source
            if lc.source != sc.source:
                assert "raise NotImplementedError" in lc.source
                stubs += 1
        exercises = [e for e in EXERCISES.values() if e.notebook == path.name[:2]]
        assert stubs == len(exercises) >= 1, f"{path}: one stub per exercise of the notebook"


def test_strip_solutions_keeps_indentation_and_the_code_around():
    learner, solution = build.strip_solutions(SOURCE.split("# %%\n")[1])
    assert (
        '    # YOUR CODE HERE\n    raise NotImplementedError("Replace this line with your code.")'
        in learner
    )
    assert "y = 2 * x" not in learner and "print(f)" in learner
    assert "    y = 2 * x\n    return y" in solution
    assert "SOLUTION" not in solution


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("# BEGIN SOLUTION\nx = 1\n", "line 1: # BEGIN SOLUTION is never closed"),
        ("x = 1\n# END SOLUTION\n", "line 2: # END SOLUTION without a # BEGIN SOLUTION"),
        (
            "# BEGIN SOLUTION\n# BEGIN SOLUTION\nx = 1\n# END SOLUTION\n# END SOLUTION\n",
            "line 2: # BEGIN SOLUTION inside the block opened at line 1",
        ),
        ("x = 1  # BEGIN SOLUTION\n", "line 1: a solution marker must stand alone"),
    ],
)
def test_unbalanced_or_nested_markers_are_errors(code, message):
    with pytest.raises(build.MarkerError, match=message):
        build.strip_solutions(code, where="demo")


def test_a_marker_in_a_markdown_cell_is_an_error(tmp_path):
    course = _course(tmp_path, "# %% [markdown]\n# # BEGIN SOLUTION\n")
    with pytest.raises(build.MarkerError, match="markdown"):
        build.write_notebooks(course)


def test_build_writes_both_notebooks_and_then_nothing_is_stale(tmp_path):
    course = _course(tmp_path)
    written = build.write_notebooks(course)
    assert sorted(p.relative_to(course).as_posix() for p in written) == [
        "notebooks/01_demo.ipynb",
        "solutions/01_demo.ipynb",
    ]
    assert build.stale_notebooks(course) == []
    assert build.write_notebooks(course) == []  # nothing changed, nothing written


def test_a_changed_source_makes_the_notebooks_stale_and_rebuilds_them(tmp_path):
    course = _course(tmp_path)
    build.write_notebooks(course)
    (course / "source" / "01_demo.py").write_text(SOURCE.replace("Double x.", "Twice x."))
    assert len(build.stale_notebooks(course)) == 2
    assert len(build.write_notebooks(course)) == 2  # built, never edited: safe to overwrite


@pytest.mark.parametrize("edit", ["source", "outputs"])
def test_an_edited_notebook_is_never_overwritten_without_force(tmp_path, edit):
    course = _course(tmp_path)
    build.write_notebooks(course)
    path = course / "notebooks" / "01_demo.ipynb"
    nb = json.loads(path.read_text())
    if edit == "source":
        nb["cells"][1]["source"] = "def f(x):\n    return x + x  # my answer\n"
    else:
        nb["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "hi"}]
        nb["cells"][1]["execution_count"] = 1
    path.write_text(json.dumps(nb))
    mine = path.read_text()
    (course / "source" / "01_demo.py").write_text(SOURCE.replace("Double x.", "Twice x."))
    with pytest.raises(build.EditedNotebookError, match="notebooks/01_demo.ipynb"):
        build.write_notebooks(course)
    assert path.read_text() == mine
    assert build.main(["--root", str(course)]) == 1
    assert path.read_text() == mine
    build.write_notebooks(course, force=True)
    assert "my answer" not in path.read_text() and "Twice x." in path.read_text()


def test_check_mode_reports_stale_notebooks(tmp_path, capsys):
    course = _course(tmp_path)
    assert build.main(["--check", "--root", str(course)]) == 1
    assert "out of date" in capsys.readouterr().out
    assert build.main(["--root", str(course)]) == 0
    assert build.main(["--check", "--root", str(course)]) == 0


def test_the_real_sources_build_in_a_copy(root, tmp_path):
    shutil.copytree(root / "source", tmp_path / "source")
    build.write_notebooks(tmp_path)
    for name in ("notebooks", "solutions"):
        for path in (root / name).glob("*.ipynb"):
            assert (tmp_path / name / path.name).read_text() == path.read_text()
