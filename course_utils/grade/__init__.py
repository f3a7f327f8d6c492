"""The instructor's gradebook: a class's notebooks graded, and its common mistakes seen at once.

``python -m course_utils.grade SUBMISSION... --out DIR`` (files, folders of notebooks, or .zip
files). Each submission runs in a fresh kernel of its own, in a temporary folder, with limits
on time and memory (``sandbox``); then each exercise the notebook holds is judged with the
course's own checkers, loaded afresh, on the learner's function itself (``judge``), never on
what the notebook's own checks said. ``report`` writes ``gradebook.csv``, ``gradebook.json``
and a class report, ``report.html``: the pass rate of each exercise and its most common
mistakes, each with the hint it gets.

Reading order: ``submissions`` (what to grade), ``sandbox`` (running one safely), ``judge``
(honest verdicts), ``gradebook`` (many at once, on any Executor), ``report``.
"""

from .gradebook import GradedSubmission, Limits, grade

__all__ = ["grade", "GradedSubmission", "Limits"]
