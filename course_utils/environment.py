"""The setup check that opens every notebook: can this kernel show the course's live apps?

Learners who meet a bare "Error displaying widget" almost always run JupyterLab from one
environment and the kernel from another, or lack the ipympl / ipywidgets front-end extension.
``check_environment()`` finds that before the first figure and says in one sentence what to do.
"""

from __future__ import annotations

import html
import re
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

__all__ = ["EnvironmentReport", "check_environment", "MINIMUM_VERSIONS", "LAB_EXTENSIONS"]

MINIMUM_PYTHON = (3, 11)
#: The same lower bounds as requirements.txt.
MINIMUM_VERSIONS = {
    "numpy": "1.26",
    "scipy": "1.11",
    "matplotlib": "3.8",
    "ipywidgets": "8.1",
    "ipympl": "0.9.4",
}
#: The front-end extensions the apps need, by the package that ships each.
LAB_EXTENSIONS = {
    "ipympl": "jupyter-matplotlib",
    "ipywidgets": "@jupyter-widgets/jupyterlab-manager",
}
FIX = (
    "run `python -m pip install -r requirements.txt` in the course's folder, "
    "then restart JupyterLab"
)


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


def _labextension_dirs():
    """Where JupyterLab looks for prebuilt extensions, this kernel's environment first."""
    dirs = [Path(sys.prefix) / "share" / "jupyter" / "labextensions"]
    try:
        from jupyter_core.paths import jupyter_path

        dirs += [Path(p) for p in jupyter_path("labextensions")]
    except ImportError:
        pass
    return list(dict.fromkeys(dirs))


@dataclass
class EnvironmentReport:
    """What the check found: versions, and one-sentence problems with their fixes."""

    versions: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems

    def __str__(self):
        found = ", ".join(f"{name} {version}" for name, version in self.versions.items())
        if self.ok:
            lines = [f"Environment ready: {found}."]
        else:
            lines = ["The course's apps will not work yet:"] + [f"- {p}" for p in self.problems]
        return "\n".join(lines + [f"Note: {n}" for n in self.notes])

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))

    def _repr_html_(self):
        colour = "#1a7f37" if self.ok else "#cf222e"
        body = "<br>".join(html.escape(line) for line in str(self).splitlines())
        return f"<div class='course-environment' style='color:{colour}'>{body}</div>"


def check_environment(extension_dirs=None):
    """Check Python, package versions and the front-end extensions; -> EnvironmentReport."""
    report = EnvironmentReport()
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
    dirs = _labextension_dirs() if extension_dirs is None else [Path(d) for d in extension_dirs]
    for package, extension in LAB_EXTENSIONS.items():
        if not any((d / extension / "package.json").is_file() for d in dirs):
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
    return report
