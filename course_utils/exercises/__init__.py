"""The course's exercises: what each is checked against, and its catalogue of common mistakes.

An exercise is a function with the same signature as its reference in ``course_utils``; its
name is the dotted name of that reference (``"scales.log_from_unit"``). Each catalogued mistake
is a small wrong implementation, so tests can prove the checker recognises it by name.

Deterministic exercises list ``cases`` (keyword arguments): the learner's function must agree
with the reference on every case, and a wrong answer that agrees with a mistake on every case
is named after it. Random samplers have a ``judge`` instead, which tests statistical properties
(range, reproducibility from a seeded Generator, a Kolmogorov-Smirnov or chi-square test on the
right scale) and returns a ``Verdict``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mistake:
    """A named common mistake: a wrong implementation and the hint that fixes it."""

    name: str
    hint: str
    fn: Callable


@dataclass(frozen=True)
class Verdict:
    """What a judge concluded about a learner's function on one call."""

    passed: bool
    called: str
    expected: str
    got: str
    mistake: str | None = None
    hint: str | None = None


@dataclass(frozen=True)
class Exercise:
    """One graded exercise of a notebook."""

    name: str
    notebook: str
    title: str
    reference: Callable
    mistakes: tuple[Mistake, ...]
    cases: Callable[[], list[dict]] | None = None
    judge: Callable | None = None
    extra: dict = field(default_factory=dict)

    def mistake(self, name):
        """The catalogued mistake called name."""
        for m in self.mistakes:
            if m.name == name:
                return m
        raise KeyError(f"{self.name} has no catalogued mistake {name!r}")


def _collect():
    from . import batchnorm, capstone, scales, search, softmax, tuning

    exercises = {}
    for module in (scales, batchnorm, softmax, search, tuning, capstone):
        for exercise in module.EXERCISES:
            if exercise.name in exercises:
                raise RuntimeError(f"exercise {exercise.name!r} is defined twice")
            exercises[exercise.name] = exercise
    return exercises


EXERCISES: dict[str, Exercise] = _collect()
