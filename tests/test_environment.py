"""The setup check that opens every notebook."""

import re

from course_utils import environment
from course_utils.environment import check_environment


def test_this_environment_is_ready():
    report = check_environment()
    assert report.ok, str(report)
    assert str(report).startswith("Environment ready: Python 3.")
    assert {"numpy", "ipympl", "ipywidgets", "matplotlib"} <= set(report.versions)


def test_missing_front_end_extensions_are_named_with_a_fix(tmp_path):
    report = check_environment(extension_dirs=[tmp_path])
    assert not report.ok
    text = str(report)
    assert "jupyter-matplotlib" in text and "@jupyter-widgets/jupyterlab-manager" in text
    assert "Error displaying widget" in text
    assert "python -m pip install -r requirements.txt" in text
    assert "data-status" not in report._repr_html_() and "#cf222e" in report._repr_html_()


def test_an_old_package_is_named_with_its_version(monkeypatch):
    monkeypatch.setitem(environment.MINIMUM_VERSIONS, "numpy", "99.0")
    report = check_environment()
    assert any(re.match(r"numpy \S+ is older than 99\.0", p) for p in report.problems)


def test_a_missing_package_is_named(monkeypatch):
    monkeypatch.setitem(environment.MINIMUM_VERSIONS, "no-such-package-xyz", "1.0")
    report = check_environment()
    assert any(p.startswith("no-such-package-xyz is not installed") for p in report.problems)


def test_minimum_versions_match_requirements_txt(root):
    lines = (root / "requirements.txt").read_text().splitlines()
    pins = dict(
        re.match(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?>=(\S+)", line).groups()
        for line in lines
        if ">=" in line
    )
    for package, minimum in environment.MINIMUM_VERSIONS.items():
        assert pins.get(package) == minimum, package


def test_version_parsing():
    assert environment._version_tuple("0.10.0") > environment._version_tuple("0.9.4")
    assert environment._version_tuple("2.4.6rc1") == (2, 4, 6)
