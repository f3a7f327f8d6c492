"""Running one submission safely: its own processes, a temporary folder, time and memory limits.

``run(submission, limits)`` starts ``python -m course_utils.grade.sandbox`` in a new process
group, in a temporary folder holding only a copy of the notebook, with the address space of
every process it starts capped (``limits.memory_mb``). That process runs the notebook's cells
in a fresh kernel (each cell at most ``limits.cell_seconds``, all of them together at most
``limits.notebook_seconds``; a failing cell does not stop the next), takes the exercise
functions out of the kernel (by value, with cloudpickle), shuts the kernel down and judges
them (``judge``). Whatever the notebook does (loop forever, fill memory, exit, delete files,
crash its kernel), the caller gets one row back; a process group still alive at the hard
limit is killed, and its row says ``timeout``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["Limits", "run", "identify", "EXPORT"]

_RESULT = "COURSE_GRADE_RESULT "
MAX_PROBLEMS = 4  # the cells that went wrong, named in a row's note
EXPORT_SECONDS = 15  # taking the functions out of a kernel that is not stuck: well under 1 s
_TIMED_OUT = "CourseGradeTimeout"  # the error nbclient reports for a cell that timed out

# Run in the kernel before the learner's cells: exit() and quit() raise SystemExit, as in plain
# Python, instead of shutting the kernel down (the cells after them still run).
_PRELUDE = """\
def _course_grade_exit(*args, **kwargs):
    raise SystemExit(*args)
get_ipython().ask_exit = _course_grade_exit
del _course_grade_exit"""

# Run in the kernel after the learner's cells: each exercise's function, pickled by value.
EXPORT = """\
def _course_grade_export(names, path):
    import base64, json, cloudpickle
    found = {{}}
    for exercise, variable in names.items():
        fn = globals().get(variable)
        if fn is None:
            continue
        try:
            found[exercise] = base64.b64encode(cloudpickle.dumps(fn)).decode()
        except Exception as error:
            found[exercise] = {{"error": f"{{type(error).__name__}}: {{error}}"}}
    with open(path, "w") as file:
        json.dump(found, file)
_course_grade_export({names!r}, {path!r})
del _course_grade_export"""


@dataclass(frozen=True)
class Limits:
    """How long and how large one submission may run."""

    cell_seconds: float = 120.0
    notebook_seconds: float = 600.0
    memory_mb: int = 4096
    check_seconds: float = 5.0  # each exercise's check (checks.check's timeout)

    @property
    def hard_seconds(self):
        """When the whole sandbox is killed: the notebook's limit and time to judge it."""
        return self.notebook_seconds + 60 + 30 * self.check_seconds


def _cap_memory(megabytes):
    """Cap the address space of this process and of every process it starts (its kernel)."""
    import resource

    size = megabytes * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (size, size))


def _kill_group(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run(label, content, limits):
    """Grade one submission in its sandbox. -> dict (see ``_grade_here``); never raises."""
    identified = identify(content, label)
    if isinstance(identified, dict):  # not a notebook of the course: no need to run anything
        return identified
    number = identified[1]
    with tempfile.TemporaryDirectory(prefix="course-grade-") as folder:
        notebook = Path(folder) / "notebook" / "submission.ipynb"
        notebook.parent.mkdir()
        notebook.write_bytes(content)
        command = [sys.executable, "-m", "course_utils.grade.sandbox", str(notebook), label]
        command.append(json.dumps(asdict(limits)))
        env = dict(os.environ, PYDEVD_DISABLE_FILE_VALIDATION="1", COURSE_PROGRESS="off")
        process = subprocess.Popen(
            command,
            cwd=notebook.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,  # its own process group: the kernel too is killed
        )
        try:
            out, err = process.communicate(timeout=limits.hard_seconds)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            process.communicate()
            problem = "still running at the limit"
            return {"label": label, "notebook": number, "timeout": True, "problem": problem}
        finally:
            _kill_group(process)  # anything the notebook left running
    for line in out.decode(errors="replace").splitlines():
        if line.startswith(_RESULT):
            return json.loads(line[len(_RESULT) :])
    last = err.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
    if process.returncode in (-signal.SIGKILL, -signal.SIGSEGV) or "MemoryError" in last[0]:
        last = [f"the grading process stopped ({last[0]}): out of memory?"]
    return {"label": label, "notebook": number, "problem": f"could not be graded: {last[0]}"}


# ---------------------------------------------------------------- inside the sandbox


def _execute(nb, folder, names, limits):
    """Run nb's cells in a fresh kernel. -> (exported, problem, timed_out)

    exported: {exercise: the function pickled by value}, or None when the kernel died or
    could not be asked; problem: what went wrong, cell by cell ("; "-separated), or None.
    """
    import time

    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError
    from nbformat.v4 import new_code_cell

    export_path = str(Path(folder) / ".course-grade-export.json")
    client = NotebookClient(
        nb,
        timeout=limits.cell_seconds,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(folder)}},
        interrupt_on_timeout=True,
        error_on_timeout={"ename": _TIMED_OUT, "evalue": ""},
    )
    deadline = time.monotonic() + limits.notebook_seconds
    problems, timed_out = [], False  # what went wrong, cell by cell
    nb.cells = [cell for cell in nb.cells if cell.cell_type == "code" and cell.source.strip()]
    nb.cells.insert(0, new_code_cell(_PRELUDE))
    nb.cells.append(new_code_cell(EXPORT.format(names=names, path=export_path)))
    prelude, *cells, export = nb.cells
    count = stopped = 0
    stuck = False
    with client.setup_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
        try:
            client.execute_cell(prelude, 0, store_history=False)
            for count, cell in enumerate(cells, start=1):
                left = deadline - time.monotonic()
                if left <= 0:
                    problems.append("the notebook ran out of time")
                    timed_out = True
                    break
                client.timeout = max(1, min(limits.cell_seconds, left))
                started = time.monotonic()
                client.execute_cell(cell, count, execution_count=count)
                if time.monotonic() - started >= client.timeout:
                    stopped = count
                    problems.append(f"cell [{count}] was stopped after {client.timeout:g} s")
                else:
                    problems += _raised(cell, count)
            client.timeout = export_seconds = min(EXPORT_SECONDS, limits.cell_seconds)
            started = time.monotonic()
            client.execute_cell(export, len(nb.cells) - 1, store_history=False)
            stuck = time.monotonic() - started >= export_seconds
        except DeadKernelError:
            where = f" in cell [{count}]" if count else ""
            return None, f"the kernel stopped{where} (it crashed or ran out of memory)", timed_out
    try:
        exported = json.loads(Path(export_path).read_text())
    except (OSError, ValueError):
        if stuck:  # the kernel was still busy: a cell went on after its interrupt
            where = f"cell [{stopped}]" if stopped else "a cell"
            return None, f"{where} could not be stopped (it ignores interrupts)", True
        return None, "the notebook's functions could not be read out of its kernel", timed_out
    shown = problems[:MAX_PROBLEMS] + [f"and {len(problems) - MAX_PROBLEMS} more"] * (
        len(problems) > MAX_PROBLEMS
    )
    return exported, "; ".join(shown) or None, timed_out


def _raised(cell, count):
    """['cell [3] raised MemoryError: ...'] for a cell with an error output, else []."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error" and output.get("ename") != _TIMED_OUT:
            message = str(output.get("evalue", "")).strip().splitlines()[:1]
            detail = f": {message[0][:100]}" if message else ""
            return [f"cell [{count}] raised {output.get('ename')}{detail}"]
    return []


def _notebook_number(nb, label, exercises_by_notebook, names):
    """Which course notebook nb is: its build metadata, else its file name, else its defs."""
    built = nb.get("metadata", {}).get("course", {}).get("built_from", "")
    for text in (Path(built).name, Path(label).name):
        match = re.match(r"(\d\d)_", text)
        if match and match.group(1) in exercises_by_notebook:
            return match.group(1)
    code = "\n".join(c.get("source", "") for c in nb.cells if c.get("cell_type") == "code")
    defined = set(re.findall(r"^def (\w+)\(", code, re.M))
    scores = {
        number: sum(names[name] in defined for name in exercise_names)
        for number, exercise_names in exercises_by_notebook.items()
    }
    best = max(scores, key=scores.get, default=None)
    return best if best is not None and scores[best] else None


def identify(content, label):
    """-> (notebook, its course number), or a result dict saying why it cannot be graded."""
    import nbformat

    from . import judge

    try:
        nb = nbformat.reads(content.decode("utf-8"), as_version=4)
        if not isinstance(nb.get("cells"), list):
            raise ValueError("no cells")
    except Exception as error:  # noqa: BLE001 - any unreadable file: one clear row
        what = "an empty file" if not content.strip() else type(error).__name__
        return {"label": label, "problem": f"not a Jupyter notebook ({what})"}
    number = _notebook_number(nb, label, judge.exercises_by_notebook(), judge.function_names())
    if number is None:
        return {"label": label, "problem": "not a notebook of this course: none of its exercises"}
    return nb, number


def _grade_here(path, label, limits):
    """In the sandbox process: read, run, take out and judge one notebook. -> dict"""
    from . import judge

    identified = identify(Path(path).read_bytes(), label)
    if isinstance(identified, dict):
        return identified
    nb, number = identified
    names = judge.function_names()
    exercise_names = judge.exercises_by_notebook()[number]
    wanted = {name: names[name] for name in exercise_names}
    try:
        exported, problem, timed_out = _execute(nb, Path(path).parent, wanted, limits)
    except Exception as error:  # noqa: BLE001 - e.g. no python3 kernel
        return {"label": label, "notebook": number, "problem": f"could not run it: {error!r}"}
    if exported is None:  # nothing to judge: each exercise says why
        status, got = ("timeout", problem) if timed_out else ("error", problem)
        verdicts = {name: judge.unjudged(status, got) for name in exercise_names}
    else:
        verdicts = {
            name: judge.judge(name, exported.get(name), limits.check_seconds, timed_out)
            for name in exercise_names
        }
    return {"label": label, "notebook": number, "problem": problem, "verdicts": verdicts}


def main(argv=None):
    path, label, limits = (argv or sys.argv[1:])[:3]
    limits = Limits(**json.loads(limits))
    _cap_memory(limits.memory_mb)
    result = _grade_here(path, label, limits)
    sys.stdout.write(_RESULT + json.dumps(result) + "\n")
    sys.stdout.flush()
    os._exit(0)  # no atexit hook of the learner's functions runs after the result


if __name__ == "__main__":
    main()
