"""Build the course's notebooks from their text sources.

Each notebook is written once, as a solution, in jupytext's percent format
(``source/NN_name.py``). From it this module writes two notebooks without outputs:

- ``solutions/NN_name.ipynb``: the source as it is, the solution markers removed;
- ``notebooks/NN_name.ipynb``: the learner's version, where each block between
  ``# BEGIN SOLUTION`` and ``# END SOLUTION`` becomes a stub that raises NotImplementedError.

Both open with the same setup cell (``SETUP_CELL``, kept here once): the build puts it before
the source's first code cell.

A notebook on disk that someone has edited or run (its cells no longer match the fingerprint
the build stored in its metadata) is never overwritten unless ``force=True``.

Usage: ``python -m course_utils.build`` (write), ``--check`` (fail if stale), ``--force``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

import jupytext
import nbformat

__all__ = [
    "MarkerError",
    "EditedNotebookError",
    "SETUP_CELL",
    "strip_solutions",
    "build_notebooks",
    "write_notebooks",
    "stale_notebooks",
]

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
STUB = '# YOUR CODE HERE\nraise NotImplementedError("Replace this line with your code.")'
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
#: The first code cell of every notebook: it checks that the kernel can show live figures.
SETUP_CELL = """\
try:
    import course_utils
except ModuleNotFoundError:
    raise ModuleNotFoundError(
        "course_utils is not installed for this kernel: run "
        "`python -m pip install -r requirements.txt` in the course's folder, then restart the kernel."
    ) from None
course_utils.check_environment()"""  # noqa: E501 (the cell's text, as learners see it)
MARKER = re.compile(r"^(\s*)(# BEGIN SOLUTION|# END SOLUTION)\s*$")


class MarkerError(ValueError):
    """Solution markers that do not pair up: unbalanced or nested."""


class EditedNotebookError(RuntimeError):
    """A notebook on disk was edited or run since it was built; it is not overwritten."""


def strip_solutions(code, where="cell"):
    """-> (learner_code, solution_code): stubs in the one, the markers removed from the other."""
    learner, solution = [], []
    opened = None  # (line number, indentation) of the open BEGIN marker
    for number, line in enumerate(code.splitlines(), start=1):
        match = MARKER.match(line)
        if not match and (BEGIN in line or END in line):
            raise MarkerError(
                f"{where}, line {number}: a solution marker must stand alone on its line"
            )
        if match and match.group(2) == BEGIN:
            if opened:
                raise MarkerError(
                    f"{where}, line {number}: {BEGIN} inside the block opened at line {opened[0]}"
                )
            opened = (number, match.group(1))
            learner.extend(opened[1] + stub_line for stub_line in STUB.splitlines())
        elif match:
            if not opened:
                raise MarkerError(f"{where}, line {number}: {END} without a {BEGIN} before it")
            opened = None
        elif opened:
            solution.append(line)
        else:
            learner.append(line)
            solution.append(line)
    if opened:
        raise MarkerError(f"{where}, line {opened[0]}: {BEGIN} is never closed by {END}")
    return "\n".join(learner), "\n".join(solution)


def _fingerprint(nb):
    cells = [(cell.cell_type, cell.source) for cell in nb.cells]
    return hashlib.sha256(json.dumps(cells).encode()).hexdigest()


def _notebook(cells, source_name):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": dict(KERNELSPEC),
        "language_info": {"name": "python"},
    }
    for index, (cell_type, text) in enumerate(cells):
        make = nbformat.v4.new_code_cell if cell_type == "code" else nbformat.v4.new_markdown_cell
        cell = make(text)
        cell.id = f"cell-{index:03d}"
        cell.metadata = {}
        nb.cells.append(cell)
    nb.metadata["course"] = {"built_from": source_name, "fingerprint": _fingerprint(nb)}
    return nb


def build_notebooks(source):
    """The (learner, solution) notebooks of one source file, in memory."""
    source = Path(source)
    text = source.read_text(encoding="utf-8")
    parsed = jupytext.reads(text, fmt="py:percent")
    learner_cells, solution_cells = [], []
    for index, cell in enumerate(parsed.cells):
        if cell.cell_type == "code" and not any(kind == "code" for kind, _ in solution_cells):
            learner_cells.append(("code", SETUP_CELL))
            solution_cells.append(("code", SETUP_CELL))
        if cell.cell_type == "code":
            learner, solution = strip_solutions(cell.source, where=f"{source.name}, cell {index}")
        else:
            for marker in (BEGIN, END):
                if marker in cell.source:
                    raise MarkerError(f"{source.name}, cell {index}: {marker} in a markdown cell")
            learner = solution = cell.source
        learner_cells.append((cell.cell_type, learner))
        solution_cells.append((cell.cell_type, solution))
    name = f"source/{source.name}"
    return _notebook(learner_cells, name), _notebook(solution_cells, name)


def _targets(source, root):
    stem = Path(source).stem
    return root / "notebooks" / f"{stem}.ipynb", root / "solutions" / f"{stem}.ipynb"


def _sources(root):
    return sorted((root / "source").glob("[0-9][0-9]_*.py"))


def _text(nb):
    return nbformat.writes(nb) + "\n"


def _edited(path):
    """True when the notebook at path was changed or run since it was built."""
    nb = nbformat.read(path, as_version=4)
    stored = nb.metadata.get("course", {}).get("fingerprint")
    has_outputs = any(cell.get("outputs") for cell in nb.cells if cell.cell_type == "code")
    return has_outputs or stored != _fingerprint(nb)


def write_notebooks(root=ROOT, *, force=False):
    """Build every source under root/source; -> the paths written. Edited notebooks are kept."""
    root = Path(root)
    written, refused = [], []
    for source in _sources(root):
        for nb, path in zip(build_notebooks(source), _targets(source, root), strict=True):
            new = _text(nb)
            if path.exists() and path.read_text(encoding="utf-8") == new:
                continue
            if path.exists() and _edited(path) and not force:
                refused.append(path)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(new, encoding="utf-8")
            written.append(path)
    if refused:
        names = ", ".join(str(p.relative_to(root)) for p in refused)
        raise EditedNotebookError(
            f"not overwritten, because they were edited or run since they were built: {names}. "
            "Save your work under another name, or build with --force to replace them."
        )
    return written


def stale_notebooks(root=ROOT):
    """The notebooks on disk that differ from what the sources build (or are missing)."""
    root = Path(root)
    stale = []
    for source in _sources(root):
        for nb, path in zip(build_notebooks(source), _targets(source, root), strict=True):
            if not path.exists() or path.read_text(encoding="utf-8") != _text(nb):
                stale.append(path)
    return stale


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m course_utils.build", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if a notebook is out of date")
    parser.add_argument("--force", action="store_true", help="overwrite edited notebooks")
    parser.add_argument("--root", type=Path, default=ROOT, help="the course's folder")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_notebooks(args.root)
        for path in stale:
            print(f"out of date: {path}")
        return 1 if stale else 0
    try:
        for path in write_notebooks(args.root, force=args.force):
            print(f"wrote {path}")
    except (MarkerError, EditedNotebookError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
