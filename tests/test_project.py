"""The project as a newcomer meets it: two commands in the README, CI running the same one, lint."""

import re
import shutil
import subprocess
import sys
import tomllib

from .support import ROOT, require


def _readme_commands():
    text = (ROOT / "README.md").read_text()
    return {
        kind: match.group(1).strip()
        for kind, match in (
            (k, re.search(rf"<!-- {k}-command -->\n```bash\n(.*?)\n```", text, re.S))
            for k in ("open", "test")
        )
        if match
    }


def test_readme_has_exactly_two_command_lines():
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)\n```", text, re.S)
    assert len(blocks) == 2, "the README gives exactly two command blocks"
    assert all(len(b.strip().splitlines()) == 1 for b in blocks)
    commands = _readme_commands()
    assert commands["open"].startswith("python -m pip install -r requirements.txt")
    assert "jupyterlab" in commands["open"]
    assert commands["test"] == (
        "python -m pip install -r requirements-test.txt -c constraints.txt && python -m pytest"
    )


def test_ci_runs_the_readme_test_command():
    script = (ROOT / ".ci" / "run").read_text()
    assert "<!-- test-command -->" in script and 'eval "$test_command"' in script
    extracted = subprocess.run(
        ["bash", "-c", "sed -n '/<!-- test-command -->/,/^```$/p' README.md | sed '1,2d;$d'"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert extracted == _readme_commands()["test"]


def _comment_above(lines, i):
    """The comment lines right above line i, as one string."""
    above = []
    while i > 0 and lines[i - 1].startswith("#"):
        i -= 1
        above.insert(0, lines[i])
    return " ".join(above)


def test_requirements_pin_lower_bounds_and_cap_only_what_uses_private_internals():
    """A lower bound everywhere; an upper cap only under a comment naming a private internal
    (tests/test_internals.py checks those)."""
    for name in ("requirements.txt", "requirements-test.txt"):
        lines = (ROOT / name).read_text().splitlines()
        for i, line in enumerate(lines):
            line = line.strip()
            if not line or line.startswith(("#", "-r", "-e")):
                continue
            match = re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+>=[0-9.]+(,<[0-9.]+)?", line)
            assert match, f"{name}: {line}"
            if match.group(1):
                reason = _comment_above(lines, i)
                assert "private" in reason, f"{name}: {line} is capped without a reason"


def _ruff():
    found = shutil.which("ruff") or (
        subprocess.run([sys.executable, "-m", "ruff", "--version"], capture_output=True).returncode
        == 0
    )
    require(bool(found), "ruff is not installed: python -m pip install -r requirements-test.txt")
    return [sys.executable, "-m", "ruff"]


def test_the_test_command_runs_the_examples_in_docstrings():
    """`python -m pytest` runs every `>>>` example in course_utils (pyproject's pytest options)."""
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "--doctest-modules" in options["addopts"].split()
    assert "course_utils" in options["testpaths"]
    with_examples = [p for p in (ROOT / "course_utils").rglob("*.py") if ">>> " in p.read_text()]
    assert with_examples, "no docstring examples found: the check above would be idle"


def test_ruff_check_is_clean():
    result = subprocess.run([*_ruff(), "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = subprocess.run(
        [*_ruff(), "format", "--check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_lowest_constraints_pin_every_requirement_to_its_lower_bound():
    """CI installs with these pins too (.ci/run), so every lower bound is a tested version."""
    import runpy

    script = runpy.run_path(str(ROOT / ".ci" / "lowest_constraints.py"))
    bounds = script["lower_bounds"]()
    for name in ("requirements.txt", "requirements-test.txt"):
        for line in (ROOT / name).read_text().splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith(("-r", "-e")):
                pin = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?>=([^\s,]+)", line)
                assert bounds[pin.group(1)] == pin.group(2), f"{name}: {line}"
    assert len(bounds) >= 15


def test_constraints_pin_every_requirement_to_a_version_it_allows():
    """constraints.txt (python .ci/proven_constraints.py) holds the versions CI proved; the
    README's commands install with it."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version
    for name in ("requirements.txt", "requirements-test.txt"):
        for line in (ROOT / name).read_text().splitlines():
            line = line.split("#")[0].strip()
            if not line or line.startswith(("-r", "-e")):
                continue
            requirement = Requirement(line)
            pinned = pins.get(canonicalize_name(requirement.name))
            assert pinned, f"constraints.txt pins no version of {requirement.name}"
            assert requirement.specifier.contains(pinned), (
                f"{requirement}: constraints say {pinned}"
            )
    for command in _readme_commands().values():
        assert "-c constraints.txt" in command, command
