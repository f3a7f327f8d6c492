"""The setup check that opens every notebook: can this kernel show the course's live apps?

Learners who meet a bare "Error displaying widget" almost always run JupyterLab from one
environment and the kernel from another, or lack the ipympl / ipywidgets front-end extension.
``check_environment()`` finds that before the first figure and says in one sentence what to do.

It knows the front ends the course is tested in: JupyterLab and Jupyter Notebook 7 load the
same prebuilt extensions (``share/jupyter/labextensions``); VS Code's Jupyter extension brings
ipywidgets itself and loads ipympl's widget code from the kernel's environment
(``share/jupyter/nbextensions/jupyter-matplotlib``), and needs no JupyterLab.

``python -m course_utils.environment`` prints what a bug report needs (``bug_report()``): Python
and platform, the front end, package versions, numpy's BLAS, the front-end extensions found,
and this check's verdict; paste it into the report inside a code block.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import platform
import re
import shutil
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

__all__ = [
    "EnvironmentReport",
    "check_environment",
    "front_end",
    "MINIMUM_VERSIONS",
    "LAB_EXTENSIONS",
    "VSCODE_WIDGET_CODE",
    "bug_report",
]

MINIMUM_PYTHON = (3, 11)
#: The same lower bounds as requirements.txt.
MINIMUM_VERSIONS = {
    "numpy": "1.26",
    "scipy": "1.11.1",
    "matplotlib": "3.8",
    "ipywidgets": "8.1",
    "ipympl": "0.9.4",
}
#: The front-end extensions the apps need, by the package that ships each.
LAB_EXTENSIONS = {
    "ipympl": "jupyter-matplotlib",
    "ipywidgets": "@jupyter-widgets/jupyterlab-manager",
}
#: The widget code VS Code loads from the kernel's environment (it brings ipywidgets' own).
VSCODE_WIDGET_CODE = {"ipympl": "jupyter-matplotlib"}
#: Set in every process VS Code starts, its Jupyter kernels included.
VSCODE_VARIABLES = ("VSCODE_PID", "VSCODE_CWD", "VSCODE_IPC_HOOK_CLI")
#: Set by a Jupyter server (JupyterLab, Notebook 7) in the kernels it starts for a notebook,
#: also when that server was started from a terminal inside VS Code.
JUPYTER_SERVER_VARIABLE = "JPY_SESSION_NAME"
#: The packages whose versions a bug report names.
REPORT_PACKAGES = (
    *("numpy", "scipy", "matplotlib", "ipympl", "ipywidgets", "jupyterlab", "notebook"),
    *("jupyter_server", "ipykernel", "nbclient", "dask", "distributed", "threadpoolctl"),
    "course_utils",
)
#: Environment variables that change numpy's BLAS, named in a bug report when set.
BLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS")
FRONT_ENDS = {"jupyter": "JupyterLab or Notebook 7", "vscode": "VS Code"}
FIX = (
    "run `python -m pip install -r requirements.txt` in the course's folder, "
    "then restart JupyterLab (or Notebook)"
)
FIX_VSCODE = (
    "run `python -m pip install -r requirements.txt` in the course's folder, "
    "then restart the kernel"
)


def front_end(environ=None):
    """Which front end started this kernel: "vscode", or "jupyter" (JupyterLab, Notebook 7)."""
    environ = os.environ if environ is None else environ
    if JUPYTER_SERVER_VARIABLE in environ:
        return "jupyter"
    return "vscode" if any(name in environ for name in VSCODE_VARIABLES) else "jupyter"


def _version_tuple(text):
    """ "2.4.6rc1" -> (2, 4, 6): the leading numbers, enough to compare with a minimum."""
    parts = []
    for piece in text.split("."):
        match = re.match(r"\d+", piece)
        if not match:
            break
        parts.append(int(match.group()))
        if match.group() != piece:
            break
    return tuple(parts)


def _extension_dirs(kind, given=None):
    """Where a front end looks for extensions of kind, this kernel's environment first (or the
    folders given)."""
    if given is not None:
        return [Path(d) for d in given]
    dirs = [Path(sys.prefix) / "share" / "jupyter" / kind]
    try:
        from jupyter_core.paths import jupyter_path

        dirs += [Path(p) for p in jupyter_path(kind)]
    except ImportError:
        pass
    return list(dict.fromkeys(dirs))


def _find(dirs, *parts):
    """The first of dirs that holds the file parts (an extension's), or None."""
    return next((d for d in dirs if d.joinpath(*parts).is_file()), None)


@dataclass
class EnvironmentReport:
    """What the check found: versions, and one-sentence problems with their fixes."""

    versions: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    front_end: str = "jupyter"

    @property
    def ok(self):
        return not self.problems

    def __str__(self):
        found = ", ".join(f"{name} {version}" for name, version in self.versions.items())
        if self.ok:
            where = " for VS Code" if self.front_end == "vscode" else ""
            lines = [f"Environment ready{where}: {found}."]
        else:
            lines = ["The course's apps will not work yet:"] + [f"- {p}" for p in self.problems]
        return "\n".join(lines + [f"Note: {n}" for n in self.notes])

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))

    def _repr_html_(self):
        colour = "#1a7f37" if self.ok else "#cf222e"
        body = "<br>".join(html.escape(line) for line in str(self).splitlines())
        return f"<div class='course-environment' style='color:{colour}'>{body}</div>"


def check_environment(extension_dirs=None, environ=None):
    """Check Python, package versions and the front end's extensions; -> EnvironmentReport.

    extension_dirs: where to look for the front end's extensions (default: where it looks);
    environ: the environment variables that tell the front end (default: os.environ).
    """
    report = EnvironmentReport(front_end=front_end(environ))
    python = sys.version_info[:3]
    report.versions["Python"] = ".".join(map(str, python))
    if python[:2] < MINIMUM_PYTHON:
        report.problems.append(
            f"Python {report.versions['Python']} is older than 3.11: start JupyterLab from a "
            "Python 3.11 (or newer) environment."
        )
    for package, minimum in MINIMUM_VERSIONS.items():
        try:
            version = metadata.version(package)
        except metadata.PackageNotFoundError:
            report.problems.append(f"{package} is not installed for this kernel: {FIX}.")
            continue
        report.versions[package] = version
        if _version_tuple(version) < _version_tuple(minimum):
            report.problems.append(
                f"{package} {version} is older than {minimum}: "
                f"run `python -m pip install -U -r requirements.txt`, then restart the kernel."
            )
    if report.front_end == "vscode":
        _check_vscode(report, extension_dirs)
    else:
        _check_jupyter(report, extension_dirs)
    return report


def _check_jupyter(report, extension_dirs):
    """JupyterLab or Notebook 7: the prebuilt extensions beside this kernel."""
    dirs = _extension_dirs("labextensions", extension_dirs)
    for package, extension in LAB_EXTENSIONS.items():
        if _find(dirs, extension, "package.json") is None:
            report.problems.append(
                f"the {package} front-end extension ({extension}) is missing beside this kernel, "
                f"so its figures would show 'Error displaying widget': {FIX}."
            )
    try:
        report.versions["jupyterlab"] = metadata.version("jupyterlab")
    except metadata.PackageNotFoundError:
        report.notes.append(
            "JupyterLab is not installed beside this kernel, so it runs from another environment; "
            "if figures show 'Error displaying widget', install requirements.txt there too."
        )


def _check_vscode(report, extension_dirs):
    """VS Code: ipympl's widget code beside this kernel (VS Code has ipywidgets' own)."""
    dirs = _extension_dirs("nbextensions", extension_dirs)
    for package, code in VSCODE_WIDGET_CODE.items():
        if _find(dirs, code, "index.js") is None:
            report.problems.append(
                f"{package}'s widget code ({code}) is missing beside this kernel, so VS Code "
                f"would show no figures: {FIX_VSCODE}."
            )


def _lab_extensions(directory):
    """The prebuilt extensions in directory, "name version" each (scoped ones a level deeper)."""
    found = []
    manifests = [*directory.glob("*/package.json"), *directory.glob("@*/*/package.json")]
    for manifest in sorted(manifests):
        try:
            package = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            package = {}
        name = package.get("name", manifest.parent.relative_to(directory).as_posix())
        found.append(f"{name} {package.get('version', '(no version)')}")
    return found


def _blas(environ):
    """numpy's BLAS as threadpoolctl sees it, and the variables that change it."""
    try:
        import numpy  # noqa: F401  (loads the BLAS that threadpoolctl looks at)
        from threadpoolctl import threadpool_info
    except ImportError as error:
        return [f"unknown: {error.name} is not installed"]
    lines = [
        f"{pool['internal_api']} {pool['version']}, {pool['num_threads']} threads, "
        f"architecture {pool.get('architecture', 'unknown')}: {pool['filepath']}"
        for pool in threadpool_info()
        if pool["user_api"] == "blas"
    ] or ["none found"]
    return lines + [f"{name}={environ[name]}" for name in BLAS_VARIABLES if name in environ]


def bug_report(extension_dirs=None, environ=None, check=None):
    """What a bug report needs, as plain text to paste inside a code block.

    extension_dirs and environ as for check_environment(); check: its result, if already known.
    """
    environ = os.environ if environ is None else environ
    check = check_environment(extension_dirs, environ) if check is None else check
    lines = [
        f"Python: {sys.version}",
        f"Python executable: {sys.executable}",
        f"Platform: {platform.platform()}",
        f"jupyter command: {shutil.which('jupyter', path=environ.get('PATH')) or 'not found'}",
        f"Front end: {FRONT_ENDS[check.front_end]} (as this process's variables tell)",
        "",
        "Packages:",
    ]
    for package in REPORT_PACKAGES:
        try:
            version = metadata.version(package)
        except metadata.PackageNotFoundError:
            version = "not installed"
        lines.append(f"  {package:<15} {version}")
    lines += ["", "numpy's BLAS:"] + [f"  {line}" for line in _blas(environ)]
    lines += ["", "Lab extensions (JupyterLab, Notebook 7):"]
    for directory in _extension_dirs("labextensions", extension_dirs):
        extensions = _lab_extensions(directory)
        lines.append(f"  {directory}:{'' if extensions else ' none'}")
        lines += [f"    {extension}" for extension in extensions]
    lines += ["", "VS Code widget code (nbextensions):"]
    nbextension_dirs = _extension_dirs("nbextensions", extension_dirs)
    for package, code in VSCODE_WIDGET_CODE.items():
        where = _find(nbextension_dirs, code, "index.js")
        lines.append(f"  {package} ({code}): {where or 'missing'}")
    lines += ["", "Setup check:"] + [f"  {line}" for line in str(check).splitlines()]
    return "\n".join(lines)


def main(argv=None):
    """Print bug_report(); exit status 1 when the setup check finds a problem, else 0.

    The report is printed in full either way; the status lets a script (or CI) use the command
    as a setup check too.
    """
    argparse.ArgumentParser(
        prog="python -m course_utils.environment",
        description="Print what a bug report about the course needs; paste it into the report.",
    ).parse_args(argv)
    check = check_environment()
    print(bug_report(check=check))
    return 0 if check.ok else 1


if __name__ == "__main__":
    sys.exit(main())
