"""``python -m course_utils.checks NOTEBOOK...``: a learner's notebooks checked before handing in.

Each notebook runs top to bottom in a fresh kernel (nbclient), as "Run All" would; then the
same kernel says how its checks went (``checks.results``). The report lists each exercise as
passed, failed (with the mistake's name) or not attempted, names a cell that raised, and the
exit status is 0 only when every exercise of every notebook passed (a GitHub Classroom action
can run it too).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from .checks import EXERCISES, NOT_ATTEMPTED, PASSED, results

__all__ = ["main"]


_TIMED_OUT = "CourseChecksTimeout"  # the error nbclient reports for a cell that timed out
# Run in the notebook's kernel after its cells: what its checks recorded, written to a file.
# Not printed: a cell's printed output may reach nbclient after it has stopped waiting for it
# (a few seconds after the cell's reply, on a loaded machine), and would then be lost.
_RESULTS_CELL = (
    "import json as _json, course_utils.checks as _checks\n"
    "with open({path!r}, 'w', encoding='utf-8') as _file:\n"
    "    _json.dump(_checks.results({notebook!r}), _file)"
)


def _first_line(text, width=80):
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= width else line[: width - 3] + "..."


def _error_line(error):
    """'NameError: name 'x' is not defined', without the file name IPython gives syntax errors."""
    message = re.sub(r" \(\d+\.py, line \d+\)$", "", _first_line(error.evalue, 160))
    return f"{error.ename}: {message}"


def _where(error, cell):
    """'line 2: code' of the cell's line that raised, read from the kernel's traceback."""
    lines = cell.source.splitlines()
    plain = re.sub(r"\x1b\[[0-9;]*m", "", error.traceback)  # without colours
    match = re.search(r"Cell In\[\d+\], line (\d+)", plain)
    if match and 1 <= int(match.group(1)) <= len(lines):
        return f"line {match.group(1)}: {_first_line(lines[int(match.group(1)) - 1])}"
    return _first_line(cell.source)


def _run_cells(client, nb):
    """Run nb's code cells in order until one fails; a few lines on the one that did, or None."""
    from nbclient.exceptions import CellExecutionError, DeadKernelError

    exits = []  # exit() and quit() do not raise in a kernel: they ask it to shut down

    def on_cell_executed(cell, cell_index, execute_reply):
        payload = execute_reply["content"].get("payload", [])
        exits.extend(p for p in payload if p.get("source") == "ask_exit")

    client.on_cell_executed = on_cell_executed
    count = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        count += 1
        try:
            client.execute_cell(cell, index, execution_count=count)
        except CellExecutionError as error:
            if error.ename == _TIMED_OUT:
                return f"Cell [{count}] was still running after {client.timeout} s (--timeout)."
            return f"Cell [{count}] raised {_error_line(error)}\n    {_where(error, cell)}"
        except DeadKernelError:
            return f"The kernel stopped (it crashed or ran out of memory) in cell [{count}]."
        if exits:
            return f"Cell [{count}] called exit() or quit(), which stops the kernel."
    return None


def _run_notebook(nb, folder, notebook, timeout):
    """Run nb in a fresh kernel, in folder, until a cell fails; then read its checks' results.

    Returns (rows, problem): rows as results(notebook) gives them in that kernel, or None when
    they could not be read; problem, a few lines on why the notebook stopped, or None.
    """
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
        interrupt_on_timeout=True,  # the kernel lives on, so the results can still be read
        error_on_timeout={"ename": _TIMED_OUT, "evalue": ""},
    )
    # The kernel's own stdout and stderr (not the cells') would only clutter the report.
    with client.setup_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
        problem = _run_cells(client, nb)
        if problem:
            problem += "\nThe cells after it did not run: their checks count as not attempted."
        with tempfile.TemporaryDirectory(prefix="course-checks-") as folder_for_results:
            path = Path(folder_for_results) / "results.json"
            cell = new_code_cell(_RESULTS_CELL.format(path=str(path), notebook=notebook))
            nb.cells.append(cell)
            client.timeout = min(timeout, 60)  # instant, unless the kernel is stuck
            try:
                client.execute_cell(cell, len(nb.cells) - 1, store_history=False)
                return json.loads(path.read_text(encoding="utf-8")), problem
            except Exception:  # noqa: BLE001, S110 - the kernel is gone or stuck: no results
                pass
    unread = "The results of its checks could not be read: every exercise counts as not attempted."
    return None, f"{problem or ''}\n{unread}"


def _check_notebook(path, timeout):
    """Run the notebook at path and print its report; True when every exercise passed."""
    import nbformat

    print(path)
    notebook = path.name[:2]
    if not path.is_file():
        print("  No such file." if not path.exists() else "  This is a folder, not a notebook.")
        return False
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # noqa: BLE001 - any unreadable file gets the same one-line answer
        print("  Not a Jupyter notebook: it could not be read as one.")
        return False
    try:
        # the notebook's exercises, to list when its own kernel cannot say how they went
        rows = [{**row, "status": NOT_ATTEMPTED, "mistake": None} for row in results(notebook)]
    except ValueError:
        numbers = ", ".join(sorted({ex.notebook for ex in EXERCISES.values()}))
        print(
            "  No exercises: a course notebook's name starts with its number, one of "
            f"{numbers} (as in 02_sampling_scales.ipynb)."
        )
        return False
    try:
        ran, problem = _run_notebook(nb, path.resolve().parent, notebook, timeout)
    except Exception as error:  # noqa: BLE001 - e.g. no python3 kernel: one line, no traceback
        ran, problem = None, f"Could not run it: {type(error).__name__}: {_first_line(str(error))}"
    if problem:
        print("\n".join(f"  {line}" for line in problem.strip().splitlines()))
    for row in ran or rows:
        mistake = f": {row['mistake']}" if row["mistake"] else ""
        print(f"  {row['status']:<13}  {row['title']} ({row['name']}){mistake}")
    n_passed = sum(row["status"] == PASSED for row in ran or [])
    print(f"  {n_passed} of {len(rows)} exercises passed.")
    return problem is None and n_passed == len(rows)


def main(argv=None) -> int:
    """Check notebooks from a terminal; 0 when every exercise of every notebook passed."""
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.checks",
        description="Run each notebook top to bottom in a fresh kernel and list its exercises: "
        "passed, failed (with the mistake's name) or not attempted. Exits with 0 only when "
        "every exercise of every notebook passed.",
    )
    parser.add_argument(
        "notebooks", nargs="+", type=Path, metavar="NOTEBOOK", help="e.g. notebooks/02_*.ipynb"
    )
    parser.add_argument(
        "--timeout", type=int, default=600, help="seconds a cell may run (default: 600)"
    )
    args = parser.parse_args(argv)
    # the kernels this starts inherit it: ipykernel 6's debugger warns of frozen modules as a
    # kernel starts, past the kernel's discarded stderr
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    try:
        import nbclient  # noqa: F401 - installed with JupyterLab
    except ImportError:
        print("nbclient is missing: python -m pip install -r requirements.txt", file=sys.stderr)
        return 1
    try:
        passed = [_check_notebook(path, args.timeout) for path in args.notebooks]
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
    if len(passed) > 1:
        print(f"{sum(passed)} of {len(passed)} notebooks: every exercise passed.")
    return 0 if all(passed) else 1


if __name__ == "__main__":
    sys.exit(main())
