"""Exercise checkers with instant, precise feedback, and a progress summary.

``check(name, fn)`` runs the learner's ``fn`` against the exercise ``name`` (the dotted name of
its reference, listed in ``EXERCISES``) and returns a ``CheckResult``; shown in a notebook, the
result is a short report: what was called, what was expected, what came back, and, for a
recognised mistake, its name and a hint.

A check never raises and never mutates the learner's arguments or results. It survives any
exception or odd return value (None, a list, a wrong shape, NaN), flags a function that mutates
its input, and gives up on a function that runs longer than ``timeout`` seconds (even one
that catches every exception with a bare ``except:``).

This module is the one engine that judges exercises (their declarations are in
``course_utils.exercises``): it runs the learner's function on every case of the exercise,
compares each result with the reference's (part by part for a result made of named parts),
names the catalogued mistake that gives the same results, and writes the report. A random
sampler's exercise brings its own ``judge`` (statistical tests); the same runner calls the
learner's function for it.

Before handing in, ``python -m course_utils.checks notebooks/02_sampling_scales.ipynb [...]``
runs each notebook top to bottom in a fresh kernel and lists its exercises as passed, failed
(with the mistake's name) or not attempted; it exits with 0 only when every exercise passed.
"""

from __future__ import annotations

import copy
import html
import inspect
import signal
import sys
import threading
import traceback
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from .exercises import EXERCISES, Verdict
from .exercises.compare import Parts, compare, format_call, format_value, is_number
from .progress import Progress, exercises_asked, load, record, saving_by_default, session

__all__ = ["EXERCISES", "CheckResult", "check", "progress", "results", "compare"]

PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not attempted"

#: Mistakes any exercise can make; they are not in the exercises' catalogues.
GENERIC_HINTS = {
    "not_implemented": "Replace the `raise NotImplementedError` line with your code.",
    "raised": "Your function raised the exception shown under Got: fix that line first.",
    "too_slow": "Your function did not return in time: look for a loop that never ends.",
    "renamed_parameters": "The check passes the arguments by name, with the parameter names of "
    "the exercise's function (see Called above): keep those names in your def line.",
    "called_exit": "An exercise returns its answer: replace sys.exit(), exit() or quit() with "
    "`return` and the value the exercise asks for.",
    "mutates_input": "Your function changed an argument it was given (an array, list or dict); "
    "build a new one instead.",
    "returned_none": "Your function returned None: did you forget the `return` line?",
    "wrong_type": "Return the same kind of value as the reference: see Expected above.",
    "wrong_shape": "Check the axis you reduce or sample over, and the number of values asked for.",
    "wrong_order": "Return the parts in the order the exercise asks for: see Expected above.",
    "nan": "NaN appeared: look for 0/0, log of a non-positive number, or an overflow.",
    "wrong_value": "Work out the expected value by hand, then follow your code on that input.",
    "fixed_seed": "Your samples do not depend on rng: draw them from the rng you are given "
    "(rng.random, rng.uniform, rng.integers), not from fixed values or a Generator of your own.",
    "out_of_range": "Every value must lie in [low, high], both ends included: check the bounds "
    "you pass and, on a log scale, the exponent.",
    "exponent_sign": "The exponent r must be negative (1 - beta = 10**r is below 1).",
    "wrong_distribution": "The values are in range but not uniform on the right scale: draw the "
    "exponent r uniformly, then map it.",
    "not_uniform": "Each integer of the range should come up about equally often.",
}

#: Keep each check's result in the progress file beside the notebooks (course_utils.progress),
#: so progress() shows the whole course across sessions. False: this session only.
SAVE_PROGRESS = saving_by_default()


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check; in a notebook it shows as a short report."""

    name: str
    status: str
    mistake: str | None = None
    called: str = ""
    expected: str = ""
    got: str = ""
    hint: str = ""
    title: str = ""

    @property
    def passed(self):
        return self.status == PASSED

    def _lines(self):
        head = {
            PASSED: f"Passed: {self.title or self.name}.",
            FAILED: f"Not yet: {self.title or self.name}.",
            NOT_ATTEMPTED: f"Not attempted yet: {self.title or self.name}.",
        }[self.status]
        lines = [("", head)]
        if self.status == PASSED:
            return lines  # the details stay on the result (.called, .expected, .got)
        for label, text in (
            ("Called", self.called),
            ("Expected", self.expected),
            ("Got", self.got),
            ("Mistake", self.mistake or ""),
            ("Hint", self.hint),
        ):
            if text:
                lines.append((label, text))
        return lines

    def __str__(self):
        return "\n".join(f"{label}: {text}" if label else text for label, text in self._lines())

    def _repr_html_(self):
        colour = {PASSED: "#1a7f37", FAILED: "#cf222e", NOT_ATTEMPTED: "#9a6700"}[self.status]
        rows = []
        for label, text in self._lines():
            text = html.escape(text)
            if label:
                rows.append(f"<div><b>{label}:</b> <code>{text}</code></div>")
            else:
                rows.append(f"<div style='font-weight:bold;color:{colour}'>{text}</div>")
        return (
            f"<div class='course-check' data-status='{self.status}' "
            f"style='border-left:4px solid {colour};padding:4px 10px;margin:4px 0'>"
            + "".join(rows)
            + "</div>"
        )

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))


class _Stop(Exception):
    """Raised inside a judge when the learner's function could not be judged further."""

    def __init__(self, result_fields):
        super().__init__(result_fields.get("mistake"))
        self.fields = result_fields


class _TimedOut(BaseException):
    """BaseException, so that a learner's `except Exception` cannot swallow it."""


#: After the time limit, how often the learner's function is told again to stop (seconds).
_REMIND = 0.05


def _stop_at_every_line(frame, event, arg):
    """A trace function: past the time limit, every line the learner's code runs raises."""
    if event == "line":
        raise _TimedOut
    return _stop_at_every_line


def _run_with_timeout(fn, kwargs, seconds):
    """fn(**kwargs), interrupted after `seconds`; raises _TimedOut.

    A learner's bare ``except:`` catches any exception, _TimedOut too. So from the time limit
    on, _TimedOut is raised again every _REMIND seconds and, through a trace function, at the
    next line the learner's code runs: the line after the ``except:`` (its handler) raises
    too, outside the ``try``, and the loop ends.
    """
    alarm = hasattr(signal, "SIGALRM") and hasattr(signal, "setitimer")  # not on Windows
    if alarm and threading.current_thread() is threading.main_thread():
        own = sys._getframe()
        tracing = sys.gettrace()

        def _alarm(signum, frame):
            while frame is not None and frame is not own:  # the learner's frames, not ours
                frame.f_trace = _stop_at_every_line
                frame = frame.f_back
            sys.settrace(_stop_at_every_line)
            raise _TimedOut

        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds, _REMIND)
        try:
            return fn(**kwargs)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            sys.settrace(tracing)
            signal.signal(signal.SIGALRM, previous)
    box = {}

    def _target():
        try:
            box["value"] = fn(**kwargs)
        except BaseException as error:  # noqa: BLE001 - reported to the learner
            box["error"] = error

    worker = threading.Thread(target=_target, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise _TimedOut
    if "error" in box:
        raise box["error"]
    return box["value"]


def _same(a, b):
    """Equal, NaN included, for the values the checker passes in (arrays, numbers, Generators)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, np.random.Generator):
        return a.bit_generator.state == b.bit_generator.state
    try:
        return bool(a == b) or (a != a and b != b)
    except Exception:  # noqa: BLE001 - an odd object: treat as changed only if repr differs
        return repr(a) == repr(b)


def _is_rng(value):
    return isinstance(value, np.random.Generator)


class _Runner:
    """Calls the learner's function safely: on copies, with a time limit, watching for mutation."""

    def __init__(self, fn, timeout):
        self.fn = fn
        self.timeout = timeout
        self.fn_name = getattr(fn, "__name__", "your_function")
        self.takes = set()  # the argument names fn is known to take, by name

    def __call__(self, **kwargs):
        """The learner's result on kwargs; raises _Stop when it cannot be judged."""
        called = format_call(self.fn_name, kwargs)
        unbound = None if tuple(kwargs) in self.takes else _cannot_take(self.fn, kwargs)
        if unbound is None:
            self.takes.add(tuple(kwargs))
        else:
            raise _Stop(
                {
                    "status": FAILED,
                    "mistake": "renamed_parameters",
                    "called": called,
                    "got": unbound,
                }
            )
        given = {k: copy.deepcopy(v) for k, v in kwargs.items()}
        snapshot = {k: copy.deepcopy(v) for k, v in kwargs.items() if not _is_rng(v)}
        try:
            with _exit_raises():
                value = _run_with_timeout(self.fn, given, self.timeout)
        except NotImplementedError:
            raise _Stop({"status": NOT_ATTEMPTED, "mistake": None, "called": called}) from None
        except _TimedOut:
            raise _Stop(
                {
                    "status": FAILED,
                    "mistake": "too_slow",
                    "called": called,
                    "got": f"no answer within {self.timeout:g} s",
                }
            ) from None
        except SystemExit as error:  # sys.exit(), exit(), quit(): the check goes on
            raise _Stop(
                {
                    "status": FAILED,
                    "mistake": "called_exit",
                    "called": called,
                    "got": _describe(error, "your function called sys.exit(), exit() or quit()"),
                }
            ) from None
        except Exception as error:  # noqa: BLE001 - any learner error becomes a report
            raise _Stop(
                {"status": FAILED, "mistake": "raised", "called": called, "got": _describe(error)}
            ) from None
        for k, before in snapshot.items():
            if not _same(given[k], before):
                raise _Stop(
                    {
                        "status": FAILED,
                        "mistake": "mutates_input",
                        "called": called,
                        "got": f"the argument {k} was changed in place",
                    }
                )
        try:
            return copy.deepcopy(value)
        except Exception:  # noqa: BLE001 - cannot be copied (a generator): judged as it is, unread
            return value


def _cannot_take(fn, kwargs):
    """Why fn cannot be called with kwargs by name (its parameters renamed, or too few), or
    None; a TypeError inside the learner's code stays an error of that code."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # no signature to read: let the call tell
        return None
    try:
        signature.bind(**kwargs)
    except TypeError as error:
        return (
            f"{getattr(fn, '__name__', 'your function')}{signature} cannot take "
            f"{', '.join(kwargs)} by name ({error})"
        )
    return None


@contextmanager
def _exit_raises():
    """In a Jupyter kernel, exit() and quit() raise SystemExit, as in plain Python.

    IPython's exit() does not raise: it asks the kernel to shut down after the cell, which
    would end the learner's session. While the learner's function runs, it raises instead.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        shell = None
    else:
        shell = get_ipython()
    if shell is None or not hasattr(shell, "ask_exit"):
        yield
        return

    def ask_exit(*args, **kwargs):
        raise SystemExit

    hidden = vars(shell).get("ask_exit")
    shell.ask_exit = ask_exit  # an instance attribute hides the method while fn runs
    try:
        yield
    finally:
        if hidden is None:
            del shell.ask_exit
        else:
            shell.ask_exit = hidden


def _describe(error, what=None):
    """The exception's type and message, with the line of the learner's code that raised it."""
    frames = traceback.extract_tb(error.__traceback__)
    where = ""
    for frame in reversed(frames):
        path = frame.filename.replace("\\", "/")
        library = "course_utils" in path or "-packages/" in path or path.endswith(".pyx")
        if frame.line and not library:
            where = f" (line {frame.lineno}: {frame.line})"
            break
    return f"{type(error).__name__}: {what or error}{where}"


# ---------------------------------------------------------------- judging an exercise's cases


@dataclass
class _Case:
    """One case: its arguments, the reference's result and the learner's, and what differs.

    For an exercise whose result has parts, expected and got are dicts part -> value (got is
    None when the learner's result cannot be read as parts: see unreadable).
    """

    kwargs: dict
    expected: object
    raw: object
    got: object
    unreadable: tuple | None = None  # (mistake, message, hint)
    problems: list = field(default_factory=list)  # [(part or None, mistake, message)]
    also: tuple | None = None  # (mistake, message) from the exercise's `also`

    @property
    def failed(self):
        return bool(self.unreadable or self.problems)


def _quietly(fn, kwargs):
    """fn(**kwargs) on copies, without warnings (a reference may warn, a mistake overflow)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn(**copy.deepcopy(kwargs))


def _run_case(exercise, run, kwargs, expected):
    """The learner's result on kwargs, and the warnings it gave if the exercise looks at them.

    Raises _Stop when the learner's function cannot be judged; the result is a Verdict when
    the exercise recognises the exception it raised as a catalogued mistake.
    """
    try:
        if exercise.also is None:
            return run(**kwargs), []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            return run(**kwargs), caught
    except _Stop as stop:
        fields = stop.fields
        known = exercise.raised(kwargs) if exercise.raised else None
        if fields.get("mistake") != "raised" or known is None:
            raise
        mistake, note = known
        verdict = Verdict(
            False,
            fields.get("called") or format_call(run.fn_name, kwargs),
            format_value(expected),
            f"{fields.get('got', 'an exception')}, {note}",
            mistake,
        )
        return verdict, []


def _judge_cases(exercise, run):
    """Compare with the reference on every case; name a catalogued mistake that explains all."""
    parts = exercise.parts
    cases = []
    for kwargs in exercise.cases():
        expected = _quietly(exercise.reference, kwargs)
        raw, caught = _run_case(exercise, run, kwargs, expected)
        if isinstance(raw, Verdict):
            return raw
        if parts is None:
            case = _Case(kwargs, expected, raw, raw)
            problem = (exercise.problem or compare)(raw, expected)
            case.problems = [(None, *problem)] if problem else []
        else:
            case = _Case(kwargs, parts.unpack(expected)[0], raw, *parts.unpack(raw))
            case.problems = [] if case.unreadable else Parts.problems(case.got, case.expected)
        if exercise.also is not None and not case.failed:
            case.also = exercise.also(kwargs, raw, caught)
        cases.append(case)

    def called(i):
        if exercise.describe:
            return exercise.describe(run.fn_name, i, cases[i].kwargs)
        return format_call(run.fn_name, cases[i].kwargs)

    # a wrong value first: it says more than a right value's type or a missing warning
    failing = [i for i, c in enumerate(cases) if c.failed] or [
        i for i, c in enumerate(cases) if c.also
    ]
    if not failing:
        first = cases[0]
        if parts is None:
            return Verdict(True, called(0), format_value(first.expected), format_value(first.raw))
        shown = Parts.show
        return Verdict(
            True, called(0), shown(first.expected, first.expected), shown(first.got, first.got)
        )
    i = failing[0]
    case = cases[i]
    recognised = _recognise(exercise, cases)
    if recognised is None and exercise.diagnose is not None:
        recognised = exercise.diagnose([c.kwargs for c in cases], [c.raw for c in cases])
    if case.unreadable:
        generic, message, hint = case.unreadable
        if generic == "cache_incomplete":  # the keys are what is missing, not the values
            keys = ", ".join(repr(key) for key in parts.keys)
            expected = f"{parts.layout}, {parts.cache} a dict with the keys {keys}"
        else:
            expected = f"{parts.layout}: " + Parts.show(case.expected, case.expected)
        got = message if case.raw is None else f"{format_value(case.raw)}: {message}"
        hint = exercise.hints.get(generic) or hint
    elif parts is not None and case.problems and (order := parts.order(case.got, case.expected)):
        got = f"the right values in the order ({', '.join(order)})"
        expected = f"{parts.layout}: " + Parts.show(case.expected, case.expected)
        generic, hint = "wrong_order", exercise.hints.get("wrong_order")
    elif parts is not None:
        wrong = [name for name, _, _ in case.problems]
        right = [name for name in case.expected if name not in wrong]
        got = "; ".join(
            _part_problem(name, case.got[name], mistake, message)
            for name, mistake, message in case.problems
        )
        if right:
            got += f". Right: {', '.join(right)}"
        expected = Parts.show(case.expected, wrong)
        part, generic, _ = case.problems[0]
        hint = exercise.hints.get(generic)
        if callable(hint):
            hint = hint(part, case.expected[part])
    else:
        _, generic, message = case.problems[0] if case.problems else (None, *case.also)
        plain = generic == "returned_none" or isinstance(case.raw, int | float | np.number)
        got = message if exercise.problem or plain else f"{format_value(case.raw)}: {message}"
        expected = format_value(case.expected)
        hint = exercise.hints.get(generic)
    if exercise.explain is not None and not case.unreadable and generic != "wrong_order":
        sentence = exercise.explain(i, case.kwargs, case.got)
        if sentence:
            got += f". {sentence}"
    return Verdict(
        False, called(i), expected, got, recognised or generic, None if recognised else hint
    )


def _part_problem(name, value, mistake, message):
    """'name = value: message' for a wrong part; 'name = message' for a wrong number, whose
    message starts with the value already ('1e-05, expected 0.001')."""
    if is_number(value) and mistake == "wrong_value":
        return f"{name} = {message}"
    return f"{name} = {format_value(value)}: {message}"


def _recognise(exercise, cases):
    """The catalogued mistake that explains the learner's results, or None.

    First a mistake that equals the learner's results on every case (in every part); then,
    for results made of parts, one whose wrong parts the learner shares on every case (the
    learner may have made another mistake besides).
    """
    outputs = []
    for mistake in exercise.forms:
        try:
            outputs.append((mistake.name, [_quietly(mistake.fn, c.kwargs) for c in cases]))
        except Exception:  # noqa: BLE001, S112 - a mistake may fail where the learner's did not
            continue
    parts = exercise.parts
    same = exercise.problem or compare
    for name, raws in outputs:
        pairs = zip(cases, raws, strict=True)
        try:
            if parts is None and all(same(c.raw, raw) is None for c, raw in pairs):
                return name
            if parts is not None and all(_same_parts(c, raw, parts) for c, raw in pairs):
                return name
        except Exception:  # noqa: BLE001, S112 - a mistake's answer may not compare with the learner's
            continue
    if parts is None or any(c.got is None for c in cases):
        return None
    for name, raws in outputs:
        outs = [parts.unpack(raw)[0] for raw in raws]
        if any(out is None for out in outs):
            continue
        pairs = list(zip(cases, outs, strict=True))
        its_wrong_parts = [
            part
            for part in cases[0].expected
            if any(compare(out[part], c.expected[part]) for c, out in pairs)
        ]
        if any(
            all(compare(c.got[part], out[part]) is None for c, out in pairs)
            for part in its_wrong_parts
        ):
            return name
    return None


def _same_parts(case, raw, parts):
    """True when a mistake's result raw equals the learner's on this case, part by part."""
    theirs, problem = parts.unpack(raw)
    if case.got is not None and theirs is not None:
        return all(compare(case.got[name], theirs[name]) is None for name in case.expected)
    if case.got is None and theirs is None:
        if isinstance(raw, np.ndarray | float | int):  # e.g. one array instead of a pair
            return compare(case.raw, raw) is None
        return problem[:2] == case.unreadable[:2]
    return False


def _hint(exercise, mistake):
    for m in exercise.mistakes:
        if m.name == mistake:
            return m.hint
    return GENERIC_HINTS.get(mistake, "")


def check(name, fn, *, timeout=5.0):
    """Check the learner's fn against exercise `name`; returns a CheckResult, never raises."""
    try:
        exercise = EXERCISES[name]
    except (KeyError, TypeError):
        known = ", ".join(sorted(EXERCISES))
        return CheckResult(str(name), FAILED, "unknown_exercise", hint=f"Known exercises: {known}.")
    if not callable(fn):
        return _record(
            CheckResult(
                name,
                FAILED,
                "not_a_function",
                got=f"a {type(fn).__name__}",
                hint="Pass the function itself, without calling it: check(name, my_function).",
                title=exercise.title,
            )
        )
    run = _Runner(fn, timeout)
    try:
        verdict = exercise.judge(run) if exercise.judge else _judge_cases(exercise, run)
    except _Stop as stop:
        fields = stop.fields
        mistake = fields.get("mistake")
        return _record(
            CheckResult(
                name,
                fields["status"],
                mistake,
                called=fields.get("called", ""),
                got=fields.get("got", ""),
                hint=GENERIC_HINTS.get(mistake or "not_implemented", ""),
                title=exercise.title,
            )
        )
    except Exception as error:  # noqa: BLE001 - the checker itself must never raise
        return _record(
            CheckResult(
                name,
                FAILED,
                "raised",
                got=_describe(error),
                hint="The check could not finish with what your function returned.",
                title=exercise.title,
            )
        )
    return _record(
        CheckResult(
            name,
            PASSED if verdict.passed else FAILED,
            None if verdict.passed else verdict.mistake,
            called=verdict.called,
            expected=verdict.expected,
            got=verdict.got,
            hint="" if verdict.passed else (verdict.hint or _hint(exercise, verdict.mistake)),
            title=exercise.title,
        )
    )


def _record(result):
    record(result, save=SAVE_PROGRESS)
    return result


def _notebooks():
    return sorted({ex.notebook for ex in EXERCISES.values()})


def _in_course_order():
    """Every exercise's name, notebook by notebook, each notebook's in the order it asks them.

    That order is the order of the ``checks.check`` calls in the course's sources
    (``progress.exercises_asked``). Where the sources are not at hand (a course_utils installed
    on its own), each notebook's exercises keep EXERCISES' order.
    """
    try:
        place = {name: i for i, name in enumerate(exercises_asked())}
    except OSError:  # a source that cannot be read: the order matters less than the progress
        place = {}
    return sorted(
        EXERCISES, key=lambda name: (EXERCISES[name].notebook, place.get(name, len(place)))
    )


def progress(notebook=None):
    """Which exercises pass: of `notebook` ("02"), or of the whole course with no argument;
    each notebook's in the order it asks them.

    Each exercise's latest check, in this session or an earlier one (the progress file beside
    the notebooks; see ``SAVE_PROGRESS``).
    """
    if notebook is not None and notebook not in _notebooks():
        raise ValueError(
            f"no exercises for notebook {notebook!r}; notebooks with exercises: {_notebooks()}"
        )
    latest = {name: entry["status"] for name, entry in load().items()}
    latest.update({name: result.status for name, result in session().items()})
    rows = tuple(
        (EXERCISES[name].notebook, name, EXERCISES[name].title, latest.get(name, NOT_ATTEMPTED))
        for name in _in_course_order()
        if notebook in (None, EXERCISES[name].notebook)
    )
    return Progress(notebook, rows)


def results(notebook):
    """The checks of `notebook` in this session only, as plain data: a dict (name, title,
    status, mistake) per exercise, in the order the notebook asks them (what
    ``python -m course_utils.checks`` reads)."""
    if notebook not in _notebooks():
        raise ValueError(
            f"no exercises for notebook {notebook!r}; notebooks with exercises: {_notebooks()}"
        )
    latest = session()
    rows = []
    for name in _in_course_order():
        ex = EXERCISES[name]
        if ex.notebook != notebook:
            continue
        status = latest[name].status if name in latest else NOT_ATTEMPTED
        mistake = latest[name].mistake if status == FAILED else None
        rows.append({"name": name, "title": ex.title, "status": status, "mistake": mistake})
    return rows


if __name__ == "__main__":  # python -m course_utils.checks NOTEBOOK...: see checks_cli
    from .checks_cli import main

    sys.exit(main())
