"""The setup check that opens every notebook."""

import json
import platform
import re
import subprocess
import sys
from importlib import metadata

from course_utils import environment
from course_utils.environment import bug_report, check_environment


def test_this_environment_is_ready():
    report = check_environment(environ={})
    assert report.ok, str(report)
    assert str(report).startswith("Environment ready: Python 3.")
    assert {"numpy", "ipympl", "ipywidgets", "matplotlib"} <= set(report.versions)


def test_missing_front_end_extensions_are_named_with_a_fix(tmp_path):
    report = check_environment(extension_dirs=[tmp_path], environ={})
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
        re.match(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?>=([^\s,]+)", line).groups()
        for line in lines
        if ">=" in line
    )
    for package, minimum in environment.MINIMUM_VERSIONS.items():
        assert pins.get(package) == minimum, package


def test_version_parsing():
    assert environment._version_tuple("0.10.0") > environment._version_tuple("0.9.4")
    assert environment._version_tuple("2.4.6rc1") == (2, 4, 6)


VSCODE = {"VSCODE_PID": "4242", "VSCODE_CWD": "/home/learner"}


def test_the_front_end_is_told_from_the_kernels_environment():
    assert environment.front_end(VSCODE) == "vscode"
    assert environment.front_end({"JPY_SESSION_NAME": "/course/notebooks/01.ipynb"}) == "jupyter"
    assert environment.front_end({}) == "jupyter"
    # JupyterLab started from VS Code's terminal: its kernels inherit VS Code's variables
    jupyter_from_vscode = {**VSCODE, "JPY_SESSION_NAME": "/course/notebooks/01.ipynb"}
    assert environment.front_end(jupyter_from_vscode) == "jupyter"


def _uninstalled(monkeypatch, package):
    """As if package were not installed, for what the environment module asks of metadata."""
    real_version = environment.metadata.version

    def version(name):
        if name == package:
            raise environment.metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr(environment.metadata, "version", version)


def test_in_vscode_this_environment_is_ready_and_no_jupyterlab_is_asked_for(monkeypatch):
    _uninstalled(monkeypatch, "jupyterlab")
    report = check_environment(environ=VSCODE)
    assert report.ok, str(report)
    assert str(report).startswith("Environment ready for VS Code: Python 3.")
    assert report.notes == [], "VS Code needs no JupyterLab"
    # the same kernel in JupyterLab or Notebook 7 would note that JupyterLab runs elsewhere
    assert "JupyterLab is not installed" in check_environment(environ={}).notes[0]


def test_in_vscode_missing_ipympl_widget_code_is_one_sentence_with_a_fix(tmp_path):
    report = check_environment(extension_dirs=[tmp_path], environ=VSCODE)
    assert report.problems == [
        "ipympl's widget code (jupyter-matplotlib) is missing beside this kernel, so VS Code "
        "would show no figures: run `python -m pip install -r requirements.txt` in the "
        "course's folder, then restart the kernel."
    ]
    (tmp_path / "jupyter-matplotlib").mkdir()
    (tmp_path / "jupyter-matplotlib" / "index.js").write_text("// ipympl")
    assert check_environment(extension_dirs=[tmp_path], environ=VSCODE).ok


def test_in_jupyterlab_or_notebook_7_the_lab_extensions_are_what_counts(tmp_path):
    """Notebook 7 loads the same prebuilt extensions as JupyterLab: one check for both."""
    report = check_environment(environ={})
    assert report.ok, str(report)
    assert str(report).startswith("Environment ready: Python 3.")
    for extension in environment.LAB_EXTENSIONS.values():
        (tmp_path / extension).mkdir(parents=True)
        (tmp_path / extension / "package.json").write_text("{}")
    assert check_environment(extension_dirs=[tmp_path], environ={}).ok


def test_the_bug_report_names_python_and_each_package_with_its_installed_version():
    report = bug_report(environ={})
    assert f"Python: {sys.version}\nPython executable: {sys.executable}\n" in report
    assert f"Platform: {platform.platform()}" in report
    assert "Front end: JupyterLab or Notebook 7" in report
    asked_for = "numpy scipy matplotlib ipympl ipywidgets jupyterlab notebook jupyter_server "
    asked_for += "ipykernel nbclient dask distributed threadpoolctl course_utils"
    assert set(asked_for.split()) <= set(environment.REPORT_PACKAGES)
    for package in environment.REPORT_PACKAGES:
        line = rf"^  {re.escape(package)} +{re.escape(metadata.version(package))}$"
        assert re.search(line, report, re.MULTILINE), package
    assert "Setup check:\n  Environment ready: Python 3." in report


def test_the_bug_report_says_not_installed_for_a_missing_package(monkeypatch):
    numpy_version = metadata.version("numpy")
    _uninstalled(monkeypatch, "dask")
    report = bug_report(environ={})
    assert re.search(r"^  dask +not installed$", report, re.MULTILINE)
    assert re.search(rf"^  numpy +{re.escape(numpy_version)}$", report, re.MULTILINE)


def test_the_bug_report_names_numpys_blas_and_the_variables_that_change_it():
    from threadpoolctl import threadpool_info

    report = bug_report(environ={"OPENBLAS_CORETYPE": "Haswell", "OMP_NUM_THREADS": "1"})
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas, "numpy is loaded, so threadpoolctl sees its BLAS"
    for pool in blas:
        api, version, threads = pool["internal_api"], pool["version"], pool["num_threads"]
        assert f"  {api} {version}, {threads} threads" in report
    assert "  OPENBLAS_CORETYPE=Haswell\n  OMP_NUM_THREADS=1\n" in report
    assert "OPENBLAS_L2_SIZE" not in report


def test_the_bug_report_lists_the_extensions_in_each_folder_and_the_checks_verdict(tmp_path):
    extension = tmp_path / "@course" / "fake-extension"
    extension.mkdir(parents=True)
    (extension / "package.json").write_text(
        json.dumps({"name": "@course/fake-extension", "version": "1.2.3"})
    )
    report = bug_report(extension_dirs=[tmp_path], environ=VSCODE)
    assert f"  {tmp_path}:\n    @course/fake-extension 1.2.3\n" in report
    assert "Front end: VS Code" in report
    assert "  ipympl (jupyter-matplotlib): missing" in report
    assert "Setup check:\n  The course's apps will not work yet:" in report
    (tmp_path / "jupyter-matplotlib").mkdir()
    (tmp_path / "jupyter-matplotlib" / "index.js").write_text("// ipympl")
    report = bug_report(extension_dirs=[tmp_path], environ=VSCODE)
    assert f"  ipympl (jupyter-matplotlib): {tmp_path}" in report
    assert "Setup check:\n  Environment ready for VS Code" in report
    empty = tmp_path / "empty"
    empty.mkdir()
    assert f"  {empty}: none\n" in bug_report(extension_dirs=[empty], environ={})


def test_main_prints_the_whole_report_and_exits_1_when_the_check_finds_a_problem(
    monkeypatch, capsys
):
    assert environment.main([]) == 0
    assert "Setup check:\n  Environment ready" in capsys.readouterr().out
    monkeypatch.setitem(environment.MINIMUM_VERSIONS, "no-such-package-xyz", "1.0")
    assert environment.main([]) == 1
    out = capsys.readouterr().out
    assert "Packages:" in out and "Lab extensions" in out
    assert "- no-such-package-xyz is not installed for this kernel" in out


def test_the_command_prints_the_report(root):
    result = subprocess.run(
        [sys.executable, "-m", "course_utils.environment"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"Python: {platform.python_version()} ")
    assert "Setup check:\n  Environment ready" in result.stdout
    assert result.stderr == "", result.stderr  # e.g. runpy's warning of a module run twice
