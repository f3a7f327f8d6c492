"""course_utils.checks: every catalogued mistake is named, and no learner code can break a check."""

import json
import operator
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

import course_utils
from course_utils import checks, progress, scales
from course_utils.exercises import EXERCISES, Exercise

from .support import require

NAMES = sorted(EXERCISES)
MISTAKES = [(name, m.name) for name in NAMES for m in EXERCISES[name].mistakes]
#: every declared form of every mistake (a catalogued mistake may have several)
FORMS = [(name, i) for name in NAMES for i in range(len(EXERCISES[name].forms))]


def test_exercises_are_listed_by_the_dotted_name_of_their_reference():
    assert checks.EXERCISES is EXERCISES
    assert {"scales.log_from_unit", "scales.sample_one_minus_log"} <= set(NAMES)
    for name, exercise in EXERCISES.items():
        assert operator.attrgetter(name)(course_utils) is exercise.reference, name


@pytest.mark.parametrize("name", NAMES)
def test_the_reference_passes(name):
    result = checks.check(name, EXERCISES[name].reference)
    assert result.status == "passed", str(result)
    assert result.mistake is None


@pytest.mark.parametrize("name", NAMES)
def test_every_exercise_catalogues_at_least_three_mistakes(name):
    mistakes = [m.name for m in EXERCISES[name].mistakes]
    assert len(mistakes) >= 3
    assert len(set(mistakes)) == len(mistakes)
    assert all(m.hint for m in EXERCISES[name].mistakes)


@pytest.mark.parametrize(("name", "mistake"), MISTAKES)
def test_every_catalogued_mistake_is_named(name, mistake):
    result = checks.check(name, EXERCISES[name].named(mistake).fn)
    assert result.status == "failed"
    assert result.mistake == mistake, str(result)
    assert result.hint == EXERCISES[name].named(mistake).hint


@pytest.mark.parametrize(("name", "i"), FORMS)
def test_every_form_of_every_mistake_is_named_with_its_hint(name, i):
    form = EXERCISES[name].forms[i]
    if form is EXERCISES[name].named(form.name):
        return  # the catalogued form: test_every_catalogued_mistake_is_named
    result = checks.check(name, form.fn)
    assert result.mistake == form.name, str(result)
    assert result.hint == form.hint == EXERCISES[name].named(form.name).hint


def test_a_mistake_is_declared_once_with_a_hint_and_its_variants_share_it():
    exercise = Exercise("scales.remembered_steps", "02", "t", scales.remembered_steps)

    @exercise.mistake("inverse", "1 / (1 - momentum)")
    def inverse(momentum):
        return 1 / momentum

    assert inverse(0.5) == 2.0  # the decorator returns the function
    variant = exercise.mistake("inverse", fn=lambda momentum: momentum**-1, variant=True)
    assert [m.name for m in exercise.mistakes] == ["inverse"]
    assert [m.fn for m in exercise.forms] == [inverse, variant]
    assert exercise.forms[1].hint == "1 / (1 - momentum)"
    with pytest.raises(ValueError, match="once, with a hint"):
        exercise.mistake("inverse", "again", fn=inverse)
    with pytest.raises(ValueError, match="once, with a hint"):
        exercise.mistake("other")
    with pytest.raises(KeyError):
        exercise.mistake("other", fn=inverse, variant=True)
    with pytest.raises(KeyError):
        exercise.named("other")


def _stub(*args, **kwargs):
    raise NotImplementedError("Replace this line with your code.")


@pytest.mark.parametrize("name", NAMES)
def test_a_stub_is_not_attempted(name):
    result = checks.check(name, _stub)
    assert result.status == "not attempted"
    assert result.mistake is None
    assert "Not attempted" in str(result)


ODD = {
    "returns None": lambda *a, **k: None,
    "returns a list": lambda *a, **k: [1.0, 2.0],
    "returns a string": lambda *a, **k: "0.01",
    "returns a wrong shape": lambda *a, **k: np.zeros((3, 3)),
    "returns NaN": lambda *a, **k: np.full(5, np.nan),
    "returns a dict": lambda *a, **k: {"a": 1},
    "raises ZeroDivisionError": lambda *a, **k: 1 / 0,
    "raises KeyError": lambda *a, **k: {}["x"],
    "takes no arguments": lambda: 1.0,
}


@pytest.mark.parametrize("odd", list(ODD))
@pytest.mark.parametrize("name", NAMES)
def test_odd_functions_fail_with_a_report_and_never_raise(name, odd):
    result = checks.check(name, ODD[odd])
    assert result.status == "failed", str(result)
    assert result.mistake
    report = str(result)
    assert report.startswith("Not yet")
    assert "Hint:" in report
    assert result._repr_html_().count("data-status='failed'") == 1


def test_report_says_what_was_called_expected_and_returned():
    def linear(u, low, high):
        return low + u * (high - low)

    result = checks.check("scales.log_from_unit", linear)
    report = str(result)
    assert "Called: linear(u=array([0.  , 0.25, 0.5 , 0.75, 1.  ])" in report
    assert "Expected: array([1.e-04, 1.e-03, 1.e-02, 1.e-01, 1.e+00])" in report
    assert "Got: array(" in report and "values differ" in report
    assert "Mistake: linear_scale" in report
    assert "log10" in result.hint


def test_an_exception_is_reported_with_the_learners_line():
    def broken(u, low, high):
        return np.log10(low) + undefined_name  # noqa: F821

    result = checks.check("scales.log_from_unit", broken)
    assert result.mistake == "raised"
    assert "NameError" in result.got and "undefined_name" in result.got


def test_a_function_that_mutates_its_input_is_flagged():
    def in_place(u, low, high):
        u *= np.log10(high) - np.log10(low)
        u += np.log10(low)
        return 10.0**u

    result = checks.check("scales.log_from_unit", in_place)
    assert result.status == "failed"
    assert result.mistake == "mutates_input"
    assert "u was changed in place" in result.got


def test_the_check_never_mutates_the_learners_results():
    kept = np.array([1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    copy_before = kept.copy()

    def returns_a_global(u, low, high):
        return kept

    checks.check("scales.log_from_unit", returns_a_global)
    np.testing.assert_array_equal(kept, copy_before)


def test_an_endless_function_is_stopped():
    def endless(u, low, high):
        while True:
            pass

    start = time.perf_counter()
    result = checks.check("scales.log_from_unit", endless, timeout=0.3)
    assert time.perf_counter() - start < 3
    assert result.mistake == "too_slow"
    assert "0.3 s" in result.got


def test_an_endless_function_is_given_up_on_outside_the_main_thread():
    def sleepy(u, low, high):
        time.sleep(5)

    box = {}
    worker = threading.Thread(
        target=lambda: box.update(r=checks.check("scales.log_from_unit", sleepy, timeout=0.3))
    )
    start = time.perf_counter()
    worker.start()
    worker.join(4)
    assert time.perf_counter() - start < 3
    assert box["r"].mistake == "too_slow"


@pytest.mark.parametrize("missing", ["setitimer", "SIGALRM"])
def test_without_sigalrm_as_on_windows_the_time_limit_still_holds(monkeypatch, missing):
    """Windows has neither SIGALRM nor setitimer: the checker falls back to a thread."""
    monkeypatch.delattr(checks.signal, missing)
    alarms = []
    monkeypatch.setattr(checks.signal, "signal", lambda *a: alarms.append(a), raising=False)

    def endless(u, low, high):
        while True:
            time.sleep(0.01)

    start = time.perf_counter()
    result = checks.check("scales.log_from_unit", endless, timeout=0.3)
    assert time.perf_counter() - start < 3
    assert result.mistake == "too_slow" and "0.3 s" in result.got
    assert alarms == [], "no signal handler was installed"
    assert checks.check("scales.log_from_unit", scales.log_from_unit, timeout=2).status == "passed"


def test_an_except_clause_in_learner_code_cannot_swallow_the_time_limit():
    def stubborn(u, low, high):
        while True:
            try:
                time.sleep(0.01)
            except Exception:  # noqa: BLE001, S112
                continue

    assert checks.check("scales.log_from_unit", stubborn, timeout=0.3).mistake == "too_slow"


def _sleeps_under_a_bare_except(u, low, high):
    while True:
        try:
            time.sleep(0.01)
        except:  # noqa: E722 - the learner's code under test
            pass


def _spins_under_a_bare_except(u, low, high):
    while True:
        try:
            pass
        except:  # noqa: E722
            pass


def _nests_bare_excepts(u, low, high):
    while True:
        try:
            time.sleep(0.01)
        except:  # noqa: E722
            try:
                time.sleep(0.01)
            except:  # noqa: E722
                continue


def _swallows_inside_a_helper(u, low, high):
    def helper():
        try:
            time.sleep(0.01)
        except:  # noqa: E722
            return None

    while True:
        helper()


@pytest.mark.parametrize(
    "fn",
    [
        _sleeps_under_a_bare_except,
        _spins_under_a_bare_except,
        _nests_bare_excepts,
        _swallows_inside_a_helper,
    ],
)
def test_a_bare_except_in_learner_code_cannot_swallow_the_time_limit(fn):
    tracing = sys.gettrace()
    start = time.perf_counter()
    result = checks.check("scales.log_from_unit", fn, timeout=0.3)
    assert time.perf_counter() - start < 3
    assert result.mistake == "too_slow" and "0.3 s" in result.got
    assert sys.gettrace() is tracing, "the checker leaves tracing as it found it"
    assert checks.check("scales.log_from_unit", scales.log_from_unit, timeout=2).passed


def _leaver(exiter):
    def leaves(*args, **kwargs):
        exiter()

    return leaves


EXITS = {"sys.exit": sys.exit, "exit": exit, "quit": quit}  # noqa: PLR1722 - the case tested


@pytest.mark.parametrize("how", sorted(EXITS))
@pytest.mark.parametrize("name", NAMES)
def test_a_learner_function_that_exits_fails_the_check_and_the_check_goes_on(name, how):
    result = checks.check(name, _leaver(EXITS[how]))
    assert result.status == "failed", str(result)
    assert result.mistake == "called_exit"
    assert "sys.exit(), exit() or quit()" in result.got
    assert "exiter()" in result.got  # the learner's own line
    assert "return" in result.hint


def test_the_learner_pressing_stop_still_stops_the_check():
    def interrupted(u, low, high):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        checks.check("scales.log_from_unit", interrupted)


def test_exit_in_a_kernel_fails_the_check_and_keeps_the_kernel():
    """IPython's exit() asks the kernel to shut down instead of raising; check stops that.
    In the same kernel, a bare except: cannot hold a check past its time limit."""
    import nbformat

    try:
        import nbclient
    except ImportError:
        require(False, "nbclient is not installed: python -m pip install -r requirements-test.txt")

    cells = [
        "from course_utils import checks\n"
        "def log_from_unit(u, low, high):\n"
        "    exit()\n"
        "result = checks.check('scales.log_from_unit', log_from_unit)\n"
        "print(result.status, result.mistake)",
        "print('still here', get_ipython().exit_now)",
        "import time\n"
        "def stubborn(u, low, high):\n"
        "    while True:\n"
        "        try:\n"
        "            time.sleep(0.01)\n"
        "        except:\n"
        "            pass\n"
        "started = time.perf_counter()\n"
        "result = checks.check('scales.log_from_unit', stubborn, timeout=0.5)\n"
        "print(result.mistake, time.perf_counter() - started < 5)",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(nb, timeout=30, kernel_name="python3").execute()
    printed = ["".join(o.get("text", "") for o in cell.outputs) for cell in nb.cells]
    assert printed == ["failed called_exit\n", "still here False\n", "too_slow True\n"]


def test_unknown_names_and_non_functions_are_reported():
    result = checks.check("scales.no_such_thing", lambda: 0)
    assert result.status == "failed" and result.mistake == "unknown_exercise"
    assert "scales.log_from_unit" in result.hint
    result = checks.check("scales.log_from_unit", 42)
    assert result.mistake == "not_a_function"


def test_a_seeded_sampler_that_ignores_its_rng_is_caught():
    def global_random(n, low, high, rng):
        r = np.random.uniform(np.log10(1 - high), np.log10(1 - low), size=n)  # noqa: NPY002
        return 1 - 10.0**r

    assert checks.check("scales.sample_one_minus_log", global_random).mistake == "ignores_rng"


def test_any_correct_sampler_passes_not_only_the_reference():
    def by_inverse(n, low, high, rng):
        return scales_one_minus(rng.random(n), low, high)

    def scales_one_minus(u, low, high):
        return 1 - (1 - low) * ((1 - high) / (1 - low)) ** u

    assert checks.check("scales.sample_one_minus_log", by_inverse).status == "passed"

    def by_choice(n, low, high, rng):
        return rng.choice(np.arange(low, high + 1), size=n)

    assert checks.check("scales.sample_integers", by_choice).status == "passed"


def test_progress_lists_the_notebooks_exercises_with_their_latest_status():
    name = "scales.remembered_steps"
    checks.check(name, EXERCISES[name].reference)
    summary = checks.progress("02")
    rows = {row[1]: row[3] for row in summary.rows}
    assert set(rows) == {n for n, e in EXERCISES.items() if e.notebook == "02"}
    assert rows[name] == "passed"
    checks.check(name, _stub)
    assert {r[1]: r[3] for r in checks.progress("02").rows}[name] == "not attempted"
    assert "exercises passed" in str(summary)
    with pytest.raises(ValueError, match="no exercises for notebook '99'"):
        checks.progress("99")


def _asked_in_sources():
    """{notebook: [exercise names]} in the order each source calls checks.check (read here
    line by line, independently of the grader's regular expression)."""
    sources = sorted((Path(course_utils.__file__).parent.parent / "source").glob("[0-9]*_*.py"))
    asked = {}
    for source in sources:
        for line in source.read_text(encoding="utf-8").splitlines():
            if line.startswith('checks.check("'):
                asked.setdefault(source.name[:2], []).append(line.split('"')[1])
    return asked


def test_progress_lists_notebook_01_in_the_order_the_notebook_asks():
    in_order = ["search.grid_search", "search.random_search", "search.importance", "search.narrow"]
    assert [row[1] for row in checks.progress("01").rows] == in_order
    assert [row["name"] for row in checks.results("01")] == in_order
    shown = str(checks.progress("01"))
    assert [shown.index(f"({name})") for name in in_order] == sorted(
        shown.index(f"({name})") for name in in_order
    )


def test_progress_and_results_follow_every_notebooks_order():
    asked = _asked_in_sources()
    assert sorted(name for names in asked.values() for name in names) == sorted(EXERCISES)
    for notebook, names in asked.items():
        assert [row[1] for row in checks.progress(notebook).rows] == names, notebook
        assert [row["name"] for row in checks.results(notebook)] == names, notebook
    course = checks.progress().rows
    assert [row[1] for row in course] == [name for names in asked.values() for name in names]
    assert [row[0] for row in course] == sorted(row[0] for row in course)


def test_the_order_asked_is_the_one_the_grader_reads():
    """progress and the grader read the same check calls, in the same order."""
    from course_utils.grade import judge

    assert list(progress.exercises_asked().items()) == list(judge.function_names().items())


def test_without_the_courses_sources_progress_keeps_the_exercises_order(monkeypatch, tmp_path):
    """A course_utils installed without source/: progress and results still list every
    exercise, in EXERCISES' order within each notebook."""
    monkeypatch.setattr(progress, "SOURCES", tmp_path / "no-source")
    assert progress.exercises_asked() == {}
    declared = [name for name, ex in EXERCISES.items() if ex.notebook == "01"]
    assert [row[1] for row in checks.progress("01").rows] == declared
    assert [row["name"] for row in checks.results("01")] == declared
    assert {row[1] for row in checks.progress().rows} == set(EXERCISES)


@pytest.fixture
def progress_file(tmp_path, monkeypatch):
    """Checks run in a learner's notebook folder, with the progress file on."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(checks, "SAVE_PROGRESS", True)
    monkeypatch.setattr(progress, "_session", {})
    return tmp_path / progress.FILE_NAME


def test_progress_of_the_whole_course_survives_a_restart(progress_file, monkeypatch):
    checks.check("scales.remembered_steps", EXERCISES["scales.remembered_steps"].reference)
    checks.check("softmax.softmax", EXERCISES["softmax.softmax"].mistakes[0].fn)
    saved = json.loads(progress_file.read_text())["exercises"]
    assert saved["scales.remembered_steps"]["status"] == "passed"
    assert saved["softmax.softmax"]["mistake"] == EXERCISES["softmax.softmax"].mistakes[0].name
    monkeypatch.setattr(progress, "_session", {})  # a new kernel: this session has no checks
    course = checks.progress()
    statuses = {row[1]: row[3] for row in course.rows}
    assert set(statuses) == set(EXERCISES)
    assert statuses["scales.remembered_steps"] == "passed"
    assert statuses["softmax.softmax"] == "failed"
    assert str(course).startswith(f"The course: 1 of {len(EXERCISES)} exercises passed.")
    assert "Notebook 06: 0 of 4" in str(course) and "Notebook 06" in course._repr_html_()
    # what a handed-in notebook's own kernel checked, for python -m course_utils.checks: only
    # this session's, never an earlier one's
    assert {r["name"]: r["status"] for r in checks.results("02")}["scales.remembered_steps"] == (
        "not attempted"
    )


def test_progress_file_can_be_switched_off_and_a_broken_one_is_ignored(progress_file, monkeypatch):
    monkeypatch.setattr(checks, "SAVE_PROGRESS", False)
    checks.check("scales.remembered_steps", EXERCISES["scales.remembered_steps"].reference)
    assert not progress_file.exists()
    progress_file.write_text("{not json")
    monkeypatch.setattr(checks, "SAVE_PROGRESS", True)
    result = checks.check("scales.remembered_steps", _stub)
    assert result.status == "not attempted"  # the check goes on; the file is written anew
    assert json.loads(progress_file.read_text())["exercises"]["scales.remembered_steps"]
    progress_file.unlink()
    progress_file.mkdir()  # a progress file that cannot be written (as root too)
    assert checks.check("scales.remembered_steps", _stub).status == "not attempted"
    assert [p.name for p in progress_file.parent.iterdir()] == [progress.FILE_NAME]  # no litter


def test_the_environment_switches_the_progress_file_off(monkeypatch):
    for setting, saving in (("off", False), ("0", False), ("on", True), (None, True)):
        if setting is None:
            monkeypatch.delenv("COURSE_PROGRESS", raising=False)
        else:
            monkeypatch.setenv("COURSE_PROGRESS", setting)
        assert progress.saving_by_default() is saving, setting


def test_a_zero_dimensional_array_is_a_number():
    def as_array(momentum):
        return np.asarray(1 / (1 - np.asarray(momentum)))

    assert checks.check("scales.remembered_steps", as_array).status == "passed"


def test_rounding_to_whole_steps_is_wrong():
    result = checks.check("scales.remembered_steps", lambda momentum: np.round(1 / (1 - momentum)))
    assert result.status == "failed"
    assert "3.333333333, expected 3.333333333" not in result.got


def test_an_error_raised_inside_numpy_points_at_the_learners_line():
    def swapped(n, low, high, rng):
        return 1 - 10 ** rng.uniform(np.log10(1 - low), np.log10(1 - high))

    result = checks.check("scales.sample_one_minus_log", swapped)
    assert result.mistake == "raised"
    assert "(line " in result.got and "rng.uniform" in result.got


def test_a_sampler_that_ignores_randomness_is_told_so():
    def grid(n, low, high, rng):
        return 1 - np.logspace(np.log10(1 - low), np.log10(1 - high), n)

    result = checks.check("scales.sample_one_minus_log", grid)
    assert result.mistake == "fixed_seed"
    assert "do not depend on rng" in result.hint


# ---------------------------------------------------------------- the exercises' hooks


def _forward(*args):
    return EXERCISES["batchnorm.forward"].reference(*args)


def test_parts_a_cache_without_a_key_is_incomplete_and_the_hint_says_what_to_return():
    def no_var(Z, gamma, beta, eps=1e-5):
        Z_tilde, cache = _forward(Z, gamma, beta, eps)
        return Z_tilde, {k: v for k, v in cache.items() if k != "var"}

    result = checks.check("batchnorm.forward", no_var)
    assert result.mistake == "cache_incomplete"
    assert "cache has no key 'var'" in result.got
    assert result.hint.startswith("Return a tuple (Z_tilde, cache), with cache a dict")


def test_parts_the_report_names_the_wrong_part_and_the_right_ones():
    def shifted(Z, gamma, beta, eps=1e-5):
        Z_tilde, cache = _forward(Z, gamma, beta, eps)
        return Z_tilde + 1.0, cache

    result = checks.check("batchnorm.forward", shifted)
    assert result.mistake == "wrong_value"
    assert result.got.startswith("Z_tilde = ")
    assert result.got.endswith(
        "Right: cache['Z'], cache['mu'], cache['var'], cache['Z_norm'], cache['inv_std'], "
        "cache['gamma'], cache['eps']"
    )
    assert result.expected.startswith("Z_tilde = ") and "cache" not in result.expected


def test_parts_a_part_of_the_wrong_shape_gets_the_exercises_hint():
    def transposed(dZ_tilde, cache):
        dZ, dgamma, dbeta = EXERCISES["batchnorm.backward"].reference(dZ_tilde, cache)
        return dZ, dgamma.T, dbeta

    result = checks.check("batchnorm.backward", transposed)
    assert result.mistake == "wrong_shape"
    assert result.hint.startswith("dgamma has one value per unit, shape (n_l, 1)")


def test_backward_describes_its_call_and_explains_by_finite_differences():
    def double(dZ_tilde, cache):
        dZ, dgamma, dbeta = EXERCISES["batchnorm.backward"].reference(dZ_tilde, cache)
        return 2 * dZ, dgamma, dbeta

    result = checks.check("batchnorm.backward", double)
    assert "cache=forward(Z=" in result.called
    assert "Relative error of your gradients against finite differences" in result.got


def test_a_missing_warning_is_reported_only_when_the_values_are_right():
    def quiet(space, n_per_axis, *, max_configs=None):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return EXERCISES["search.grid_search"].reference(space, n_per_axis)

    result = checks.check("search.grid_search", quiet)
    assert result.mistake == "no_warning"
    assert "no warning about max_configs=5" in result.got
