"""Print a pip constraints file that pins every requirement to its lower bound.

    python .ci/lowest_constraints.py > lowest.txt
    python -m pip install -r requirements-test.txt -c lowest.txt

CI installs the course this way too and runs the fast tests, so that every ">=" in the
requirements is a version the course works with, not a guess.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = ("requirements.txt", "requirements-test.txt")
BOUND = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*>=\s*([^\s,;#]+)")


def lower_bounds(files=FILES, root=ROOT):
    """{package: its lower bound} over the requirements files."""
    bounds = {}
    for name in files:
        for line in (root / name).read_text(encoding="utf-8").splitlines():
            match = BOUND.match(line.strip())
            if match:
                bounds[match.group(1)] = match.group(2)
    return bounds


def main():
    for package, version in lower_bounds().items():
        sys.stdout.write(f"{package}=={version}\n")


if __name__ == "__main__":
    main()
