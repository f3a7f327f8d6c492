"""Many submissions graded at once, on any concurrent.futures.Executor.

``grade(paths, out)`` collects the submissions, grades each in its own sandbox (a process
pool of both cores by default; ``Client.get_executor()`` of a Dask cluster for a large class)
and writes the gradebook and the class report into out.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from . import judge, report, sandbox
from .sandbox import Limits
from .submissions import collect

__all__ = ["GradedSubmission", "Limits", "grade", "grade_one"]


@dataclass
class GradedSubmission:
    """One row of the gradebook: a submission and the verdict on each exercise it holds."""

    submission: str
    notebook: str | None = None
    verdicts: dict = field(default_factory=dict)  # exercise -> verdict dict (judge.judge)
    problem: str | None = None  # why the notebook stopped or could not be graded

    @property
    def cells(self):
        """{exercise: the gradebook's text}, for the exercises of this submission's notebook."""
        return {name: verdict["cell"] for name, verdict in self.verdicts.items()}

    @property
    def n_passed(self):
        return sum(cell == "passed" for cell in self.cells.values())


def _row(label, result):
    """A GradedSubmission from what the sandbox returned."""
    verdicts = dict(result.get("verdicts") or {})
    number = result.get("notebook")
    if number and not verdicts:  # could not run at all: each of its exercises says why
        names = judge.exercises_by_notebook()[number]
        status = "timeout" if result.get("timeout") else "error"
        verdicts = {name: judge.unjudged(status, result.get("problem")) for name in names}
    return GradedSubmission(label, number, verdicts, result.get("problem"))


def grade_one(submission, limits=None):
    """Grade one Submission in its sandbox. -> GradedSubmission (never raises)."""
    result = sandbox.run(submission.label, submission.content, limits or Limits())
    return _row(submission.label, result)


def _progress(total, show):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="notebook", desc="grading", disable=not show)


def grade(paths, out, *, executor=None, limits=None, progress=True):
    """Grade the submissions at paths; write the gradebook and the report into out. -> rows

    executor: any concurrent.futures.Executor (default: a process pool on every core); each
    submission is one task, given its bytes, so a Dask cluster's workers need no shared files.
    """
    submissions = collect(paths)
    limits = limits or Limits()
    rows = [None] * len(submissions)
    own = executor is None
    if own:
        spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing inherited
        executor = ProcessPoolExecutor(max_workers=os.cpu_count() or 1, mp_context=spawn)
    try:
        futures = {
            executor.submit(grade_one, submission, limits): i
            for i, submission in enumerate(submissions)
        }
        with _progress(len(futures), progress) as bar:
            for future in as_completed(futures):
                i = futures[future]
                try:
                    rows[i] = future.result()
                except Exception as error:  # noqa: BLE001 - a lost worker: this row says so
                    rows[i] = GradedSubmission(submissions[i].label, problem=f"lost: {error!r}")
                bar.update()
    finally:
        if own:
            executor.shutdown()
    report.write(rows, Path(out))
    return rows
