"""python -m course_utils.grade SUBMISSION... --out DIR: see course_utils.grade."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .gradebook import Limits, grade


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.grade",
        description="Grade a class's notebooks with the course's own checkers: each runs in a "
        "fresh kernel of its own with time and memory limits. Writes gradebook.csv, "
        "gradebook.json and report.html (pass rates and the most common mistakes).",
    )
    parser.add_argument(
        "submissions",
        nargs="+",
        type=Path,
        metavar="SUBMISSION",
        help="a notebook, a folder of notebooks, or a .zip file of them",
    )
    parser.add_argument("--out", type=Path, required=True, help="the folder to write into")
    defaults = Limits()
    parser.add_argument(
        "--cell-timeout",
        type=float,
        default=defaults.cell_seconds,
        help=f"seconds a cell may run (default {defaults.cell_seconds:g})",
    )
    parser.add_argument(
        "--notebook-timeout",
        type=float,
        default=defaults.notebook_seconds,
        help=f"seconds a notebook may run (default {defaults.notebook_seconds:g})",
    )
    parser.add_argument(
        "--memory-mb",
        type=int,
        default=defaults.memory_mb,
        help=f"memory of a submission's processes (default {defaults.memory_mb})",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="notebooks graded at once on this machine (default: every core)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="grade on a Dask cluster instead (its scheduler's address)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    limits = Limits(args.cell_timeout, args.notebook_timeout, args.memory_mb)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    client = executor = None
    try:
        if args.scheduler:
            from distributed import Client

            client = Client(args.scheduler)
            executor = client.get_executor()
        else:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            spawn = multiprocessing.get_context("spawn")
            executor = ProcessPoolExecutor(max_workers=max(1, args.jobs), mp_context=spawn)
        rows = grade(
            args.submissions, args.out, executor=executor, limits=limits, progress=not args.quiet
        )
    except ValueError as error:  # a path that does not exist, an unreadable .zip file
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        if client is not None:
            client.close()
        elif executor is not None:
            executor.shutdown()
    graded = [row for row in rows if row.cells]
    cells = [cell for row in graded for cell in row.cells.values()]
    passed = sum(cell == "passed" for cell in cells)
    print(
        f"{len(rows)} submissions graded ({len(rows) - len(graded)} without exercises of the "
        f"course); {passed} of {len(cells)} exercises passed."
    )
    for name in ("gradebook.csv", "gradebook.json", "report.html"):
        print(f"wrote {args.out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
