"""Write constraints.txt: the newest versions the requirements allow, every package pinned.

    python .ci/proven_constraints.py            # then run CI (.ci/run) and commit both

pip resolves requirements-test.txt as a fresh install would (``--dry-run --report``, nothing
is installed) and the file pins each package it would install. The README's commands and CI
install with ``-c constraints.txt``: learners get the versions CI proved, and a new release of
a dependency reaches them only after CI has passed with it.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = """\
# The versions CI proved (Python 3.11-3.13): every package the course and its tests install.
# Made by `python .ci/proven_constraints.py` (the newest versions requirements*.txt allow);
# used as `pip install -r requirements-test.txt -c constraints.txt` by the README and CI.
"""


def resolved(requirements="requirements-test.txt"):
    """{name: version} of what a fresh install of the requirements would install now."""
    report = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--report",
            "-",
            "-r",
            requirements,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    installs = json.loads(report)["install"]
    return {
        item["metadata"]["name"]: item["metadata"]["version"]
        for item in installs
        if not item.get("is_direct")  # the course itself (-e .)
    }


def main():
    pins = resolved()
    lines = [f"{name}=={pins[name]}" for name in sorted(pins, key=str.lower)]
    (ROOT / "constraints.txt").write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"constraints.txt: {len(lines)} packages pinned")


if __name__ == "__main__":
    main()
