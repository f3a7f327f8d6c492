"""The course's exercises: what each is checked against, and its catalogue of common mistakes.

An exercise is a function with the same signature as its reference in ``course_utils``; its
name is the dotted name of that reference (``"scales.log_from_unit"``). Each catalogued mistake
is a small wrong implementation, declared next to its code, so tests can prove the checker
recognises it by name::

    LOG_FROM_UNIT = Exercise(
        "scales.log_from_unit", notebook="02", title="map u to a value on a log scale",
        reference=scales.log_from_unit, cases=_log_from_unit_cases,
    )

    @LOG_FROM_UNIT.mistake("linear_scale", "That is the linear map low + u (high - low). ...")
    def _log_linear(u, low, high):
        return low + u * (high - low)

The modules of this package only declare; ``course_utils.checks`` judges. Deterministic
exercises list ``cases`` (keyword arguments): the learner's function must agree with the
reference on every case, and a wrong answer that agrees with a mistake on every case is named
after it. The other fields are hooks, for the exercises that need them (see ``Exercise``).
Random samplers have a ``judge`` instead, which tests statistical properties (range,
reproducibility from a seeded Generator, a Kolmogorov-Smirnov or chi-square test on the right
scale) and returns a ``Verdict``.
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


@dataclass(eq=False)
class Exercise:
    """One graded exercise of a notebook, and the hooks its judging needs.

    cases() gives the keyword arguments of every case. The hooks, all optional:

    - ``parts``: a ``compare.Parts``, for a result made of named parts (a tuple, a cache
      dict): each part is compared on its own and the report says which one is wrong, or
      that the right parts came back in another order (the generic mistake wrong_order).
    - ``problem(got, expected)``: (mistake, message) when got differs from expected, instead
      of ``compare.compare`` (plain structures: dicts of configs, spaces, shares). Its
      message is the whole report of what came back.
    - ``also(kwargs, got, caught_warnings)``: (mistake, message) for a value that is right
      but still wrong (a float for an int, a missing warning); reported only when no case
      has a wrong value. The learner's warnings are recorded while it is declared.
    - ``raised(kwargs)``: (mistake, note) when the learner's exception on these arguments is
      a catalogued mistake (importance on results that hold failed trials), else None.
    - ``describe(fn_name, i, kwargs)``: the Called line of case i.
    - ``explain(i, kwargs, got)``: a sentence added to a failing case's report (the parts, or
      the result).
    - ``diagnose(cases, results)``: a catalogued mistake's name, from properties of the
      results, when none of the mistakes matches them exactly.
    - ``hints``: generic mistake ("wrong_value", ...) -> this exercise's hint for it; a
      callable (part, expected_part) -> hint for a result made of parts.
    - ``judge(run)``: a Verdict, for an exercise without cases (random samplers).
    """

    name: str
    notebook: str
    title: str
    reference: Callable
    cases: Callable[[], list[dict]] | None = None
    parts: object = None
    problem: Callable | None = None
    also: Callable | None = None
    raised: Callable | None = None
    describe: Callable | None = None
    explain: Callable | None = None
    diagnose: Callable | None = None
    hints: dict = field(default_factory=dict)
    judge: Callable | None = None
    #: every form of every mistake, in the order they are recognised
    forms: list[Mistake] = field(default_factory=list, init=False, repr=False)

    @property
    def mistakes(self) -> tuple[Mistake, ...]:
        """The catalogue: one Mistake per name."""
        seen, catalogue = set(), []
        for m in self.forms:
            if m.name not in seen:
                seen.add(m.name)
                catalogue.append(m)
        return tuple(catalogue)

    def mistake(self, name, hint=None, fn=None, *, variant=False):
        """Declare the mistake `name` with its hint; used as a decorator, or called with fn.

        variant=True declares another form of a mistake declared before: it is recognised
        under the same name, with the same hint (give none). Returns fn.
        """
        if variant:
            if hint is not None:
                raise ValueError(f"{self.name}: a variant of {name!r} has the mistake's hint")
            hint = self.named(name).hint
        elif not hint or any(m.name == name for m in self.forms):
            raise ValueError(f"{self.name}: declare mistake {name!r} once, with a hint")

        def declare(fn):
            self.forms.append(Mistake(name, hint, fn))
            return fn

        return declare if fn is None else declare(fn)

    def named(self, name):
        """The catalogued mistake called name."""
        for m in self.forms:
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
