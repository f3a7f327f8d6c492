"""Honest verdicts: the learner's function itself, judged by checkers loaded afresh.

The grader never reads what a notebook's own checks said: a notebook may rebind
``checks.check``, patch ``course_utils`` or edit its check cells, and none of that reaches
this process, which imports the course's checkers itself. It judges the function the
notebook defined (taken out of its kernel by value) and says so when that function is the
course's own reference, or calls it (``copied_reference``), or changes the checkers while it
runs (``tampered``).
"""

from __future__ import annotations

import base64
import sys
import types

from ..checks import EXERCISES, FAILED, check
from ..progress import exercises_asked

__all__ = ["HINTS", "function_names", "exercises_by_notebook", "judge", "unjudged", "cell"]

#: The hints of the verdicts only the grader gives.
HINTS = {
    "copied_reference": "Write the function yourself: the course's own implementation (imported "
    "or called) is not an answer.",
    "tampered": "Your function changed the course's code while it ran; an exercise returns its "
    "answer and changes nothing else.",
}


def function_names():
    """{exercise name: the name of the learner's function in the course's notebooks}, in the
    order the notebooks ask them (read from the course's sources: progress.exercises_asked)."""
    names = exercises_asked()
    missing = sorted(set(EXERCISES) - set(names))
    if missing:
        raise RuntimeError(f"no notebook checks {', '.join(missing)}: cannot grade them")
    return names


def exercises_by_notebook():
    """{notebook number: [exercise names]}, each notebook's in the order it asks them."""
    numbers = {}
    for name in function_names():
        numbers.setdefault(EXERCISES[name].notebook, []).append(name)
    return numbers


def _code_names(code):
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def _reaches(fn, target, depth=3):
    """True when fn is target, or its code names target through a global, a module
    attribute or a closure, directly or through helpers it calls (up to depth)."""
    if fn is target:
        return True
    code = getattr(fn, "__code__", None)
    if code is None or depth == 0:
        return False
    names = _code_names(code)
    scope = getattr(fn, "__globals__", {})
    values = [scope.get(name) for name in names if name in scope]
    values += [cell.cell_contents for cell in fn.__closure__ or () if _filled(cell)]
    for value in values:
        if value is target:
            return True
        if isinstance(value, types.ModuleType):
            if any(getattr(value, name, None) is target for name in names):
                return True
        elif isinstance(value, types.FunctionType) and _reaches(value, target, depth - 1):
            return True
    return False


def _filled(cell):
    try:
        cell.cell_contents  # noqa: B018 - an empty cell raises
    except ValueError:
        return False
    return True


def _course_state():
    """The objects every course_utils module binds, to see whether a learner's function
    changed any of them."""
    return {
        name: dict(vars(module))
        for name, module in list(sys.modules.items())
        if name == "course_utils" or name.startswith("course_utils.")
    }


def _restore(state):
    for name, saved in state.items():
        module = sys.modules.get(name)
        if module is not None:
            vars(module).clear()
            vars(module).update(saved)


#: Names Python itself adds to a module while it runs: not a learner's doing.
_PYTHONS_OWN = {"__warningregistry__"}


def _changed(before, after):
    """The first module whose names were rebound or removed (or given a new non-module)."""
    for name, saved in before.items():
        now = {k: v for k, v in after.get(name, {}).items() if k not in _PYTHONS_OWN}
        saved = {k: v for k, v in saved.items() if k not in _PYTHONS_OWN}
        added = [k for k in now.keys() - saved.keys() if not isinstance(now[k], types.ModuleType)]
        if added or any(k not in now or now[k] is not v for k, v in saved.items()):
            return name
    return None


def cell(verdict):
    """The gradebook's cell for a verdict: passed, failed: MISTAKE, not attempted, ..."""
    status = verdict["status"]
    if status == FAILED:
        return f"failed: {verdict.get('mistake') or '-'}"
    if status == "error":
        return f"error: {verdict.get('got', '')}"
    return status


def _verdict(status, mistake=None, got="", hint=""):
    return {
        "status": status,
        "mistake": mistake,
        "called": "",
        "expected": "",
        "got": got,
        "hint": hint,
    }


def unjudged(status, got):
    """The verdict on an exercise that could not be judged: status error or timeout."""
    verdict = _verdict(status, got=got)
    return {**verdict, "cell": cell(verdict)}


def judge(name, exported, check_seconds=5.0, timed_out=False):
    """The verdict on exercise name of one submission. -> dict with status, mistake, called,
    expected, got, hint (as checks.check gives them), and cell (the gradebook's text).

    exported: the function pickled by value (base64 text), {"error": ...} when it could not
    be pickled, or None when the notebook did not define it.
    """
    verdict = _judge(name, exported, check_seconds, timed_out)
    return {**verdict, "cell": cell(verdict)}


def _judge(name, exported, check_seconds, timed_out):
    import cloudpickle

    variable = function_names()[name]
    if exported is None:
        if timed_out:
            return _verdict("timeout", got="the notebook ran out of time before defining it")
        return _verdict("error", got=f"function {variable} not found")
    if isinstance(exported, dict):
        return _verdict("error", got=f"{variable} could not be read: {exported.get('error')}")
    try:
        fn = cloudpickle.loads(base64.b64decode(exported))
    except Exception as error:  # noqa: BLE001 - e.g. it needs a module not installed here
        return _verdict("error", got=f"{variable} could not be loaded: {type(error).__name__}")
    before = _course_state()
    result = check(name, fn, timeout=check_seconds)
    changed = _changed(before, _course_state())
    if changed:
        _restore(before)
        return _verdict(FAILED, "tampered", f"{variable} changed {changed}", HINTS["tampered"])
    reference = EXERCISES[name].reference
    if result.passed and _reaches(fn, reference):  # right, but not the learner's own work
        got = f"{variable} is or calls the course's own {reference.__module__}.{reference.__name__}"
        return _verdict(FAILED, "copied_reference", got, HINTS["copied_reference"])
    return {
        "status": result.status,
        "mistake": result.mistake if result.status == FAILED else None,
        "called": result.called,
        "expected": result.expected,
        "got": result.got,
        "hint": result.hint,
    }
