"""A learner's progress: the latest check of every exercise, kept across sessions.

``checks.check`` records each result here: for this session, and in a small file beside the
notebooks, ``.course-progress.json`` (in the kernel's working folder, which Jupyter sets to the
notebook's folder). So ``checks.progress()`` shows the whole course after a kernel restart or on
another day. To keep no file, set ``checks.SAVE_PROGRESS = False`` in a notebook, or
``COURSE_PROGRESS=off`` in the environment (the grader and the tests do).

Saving never gets in the way of a check: a folder that cannot be written, or a file that is
not the course's, is left alone.

Progress lists each notebook's exercises in the order the notebook asks them: the order of its
``checks.check`` calls in the course's sources (``exercises_asked``).
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

__all__ = [
    "FILE_NAME",
    "saving_by_default",
    "record",
    "session",
    "load",
    "exercises_asked",
    "Progress",
]

FILE_NAME = ".course-progress.json"
PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not attempted"

_session: dict = {}  # exercise name -> its latest CheckResult in this session

#: A check cell of a notebook's source: checks.check("<exercise>", <the learner's function>).
CHECK_CALL = re.compile(r"""checks\.check\(\s*["']([\w.]+)["']\s*,\s*(\w+)""")
#: The course's notebook sources, NN_name.py (jupytext percent format), beside the package.
SOURCES = Path(__file__).resolve().parent.parent / "source"


def exercises_asked():
    """{exercise name: the name of the learner's function}, in the order the notebooks ask
    them: notebook after notebook, each in the order of its ``checks.check`` calls.

    Read from the course's sources (``SOURCES``; once per folder); {} where they are not at
    hand (a course_utils installed without them).
    """
    return dict(_read_check_calls(SOURCES))


@functools.cache
def _read_check_calls(folder):
    names = {}
    for source in sorted(Path(folder).glob("[0-9][0-9]_*.py")):
        for exercise, variable in CHECK_CALL.findall(source.read_text(encoding="utf-8")):
            names[exercise] = variable
    return tuple(names.items())


def saving_by_default():
    """False when the environment says COURSE_PROGRESS=off (or 0, no, false)."""
    setting = os.environ.get("COURSE_PROGRESS", "on").strip().lower()
    return setting not in {"off", "0", "no", "false"}


def session():
    """{exercise name: its latest CheckResult} of this session."""
    return dict(_session)


def load(folder="."):
    """{exercise name: {"status", "mistake", "checked"}} from the folder's progress file."""
    try:
        data = json.loads((Path(folder) / FILE_NAME).read_text(encoding="utf-8"))
        exercises = data["exercises"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    if not isinstance(exercises, dict):
        return {}
    return {
        name: entry
        for name, entry in exercises.items()
        if isinstance(entry, dict) and entry.get("status") in {PASSED, FAILED, NOT_ATTEMPTED}
    }


def record(result, *, save, folder="."):
    """Keep result (a CheckResult) as its exercise's latest; in the file too when save."""
    _session[result.name] = result
    if not save:
        return
    entries = load(folder)
    entries[result.name] = {
        "status": result.status,
        "mistake": result.mistake,
        "checked": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    path = Path(folder) / FILE_NAME
    try:
        with tempfile.NamedTemporaryFile(
            "w", dir=path.parent, prefix=".course-progress-", delete=False, encoding="utf-8"
        ) as file:
            json.dump({"course": "course_utils", "exercises": entries}, file, indent=1)
        os.replace(file.name, path)  # whole or not at all, even if the kernel stops mid-write
    except OSError:
        try:
            os.unlink(file.name)
        except (OSError, NameError, UnboundLocalError):
            pass


@dataclass(frozen=True)
class Progress:
    """Which exercises pass: of one notebook, or of the whole course (notebook None)."""

    notebook: str | None
    rows: tuple[tuple[str, str, str, str], ...]  # (notebook, name, title, status)

    @property
    def n_passed(self):
        return sum(row[3] == PASSED for row in self.rows)

    def _head(self):
        where = "The course" if self.notebook is None else f"Notebook {self.notebook}"
        return f"{where}: {self.n_passed} of {len(self.rows)} exercises passed."

    def _groups(self):
        groups = {}
        for row in self.rows:
            groups.setdefault(row[0], []).append(row)
        return groups

    def __str__(self):
        lines = [self._head()]
        for number, rows in self._groups().items():
            if self.notebook is None:
                passed = sum(row[3] == PASSED for row in rows)
                lines.append(f"Notebook {number}: {passed} of {len(rows)}")
            lines += [f"  [{status}] {title} ({name})" for _, name, title, status in rows]
        return "\n".join(lines)

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))

    def _repr_html_(self):
        mark = {PASSED: "&#10003;", FAILED: "&#10007;", NOT_ATTEMPTED: "&middot;"}
        rows = []
        for number, group in self._groups().items():
            if self.notebook is None:
                passed = sum(row[3] == PASSED for row in group)
                rows.append(
                    f"<tr><td colspan='4'><b>Notebook {html.escape(number)}</b>: {passed} of "
                    f"{len(group)}</td></tr>"
                )
            rows += [
                f"<tr><td>{mark.get(status, '&middot;')}</td><td>{html.escape(title)}</td>"
                f"<td><code>{html.escape(name)}</code></td><td>{status}</td></tr>"
                for _, name, title, status in group
            ]
        return (
            f"<div class='course-progress'><b>{html.escape(self._head())}</b>"
            f"<table>{''.join(rows)}</table></div>"
        )
