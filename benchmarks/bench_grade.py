"""Grading a class: 100 generated submissions graded by python -m course_utils.grade's engine.

    python benchmarks/bench_grade.py                        # 100 submissions, every core
    python benchmarks/bench_grade.py --n 40 --notebooks 02 06 --dask
    python benchmarks/bench_grade.py --screenshot docs/class-report.png   # the README's picture

Each submission is a course solution notebook in which each exercise is, at random (seeded),
left right (50%), replaced by one of its catalogued mistakes (35%) or left as the learner's
stub (15%). Every submission runs in its own sandbox (a fresh kernel, a temporary folder, time
and memory limits), as in a real class. The benchmark prints the wall time, submissions per
minute, and how many of the gradebook's cells say exactly what was planted; the report goes
to --out (default: a temporary folder) for a person to open; --screenshot saves its top as a
PNG with Debian's Chromium (Playwright: requirements-test.txt).
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell

from course_utils.checks import EXERCISES
from course_utils.grade import Limits, grade, judge

ROOT = Path(__file__).resolve().parents[1]
STUB = "def {variable}(*args, **kwargs):\n    raise NotImplementedError"
MISTAKE = (
    "from course_utils.exercises import EXERCISES as _E\n"
    "{variable} = _E[{name!r}].named({mistake!r}).fn"
)


def _solution(number):
    (path,) = (ROOT / "solutions").glob(f"{number}_*.ipynb")
    return path


def make_submission(number, rng):
    """A solution notebook with planted answers. -> (notebook text, {exercise: expected cell})"""
    path = _solution(number)
    nb = nbformat.read(path, as_version=4)
    names = [name for name, ex in EXERCISES.items() if ex.notebook == number]
    planted = {}
    for name in names:
        variable = judge.function_names()[name]
        (index,) = [
            i
            for i, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and f"def {variable}(" in cell.source
        ]
        kind = rng.choices(["right", "mistake", "stub"], [50, 35, 15])[0]
        if kind == "right":
            planted[name] = "passed"
            continue
        if kind == "stub":
            source, planted[name] = STUB.format(variable=variable), "not attempted"
        else:
            mistake = rng.choice(EXERCISES[name].mistakes).name
            source = MISTAKE.format(variable=variable, name=name, mistake=mistake)
            planted[name] = f"failed: {mistake}"
        nb.cells.insert(index + 1, new_code_cell(source))
    return nbformat.writes(nb), path.name, planted


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="submissions (default 100)")
    parser.add_argument(
        "--notebooks",
        nargs="+",
        default=["02", "04", "06"],
        help="course notebooks to draw submissions from (default 02 04 06)",
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--dask", action="store_true", help="grade on a Dask LocalCluster")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="where the report goes")
    parser.add_argument(
        "--screenshot",
        type=Path,
        default=None,
        help="save the top of the report as a PNG (Chromium): the README's picture",
    )
    args = parser.parse_args()

    rng = random.Random(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="bench-grade-"))
    expected = {}
    for i in range(args.n):
        number = args.notebooks[i % len(args.notebooks)]
        text, name, planted = make_submission(number, rng)
        path = folder / f"learner{i:03d}" / name
        path.parent.mkdir()
        path.write_text(text)
        expected[str(path)] = planted
    out = args.out or folder / "report"
    limits = Limits()
    started = time.perf_counter()
    if args.dask:
        from distributed import Client, LocalCluster

        with (
            LocalCluster(n_workers=args.jobs, threads_per_worker=1) as cluster,
            Client(cluster) as client,
        ):
            rows = grade([folder], out, executor=client.get_executor(), limits=limits)
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(args.jobs, mp_context=spawn) as pool:
            rows = grade([folder], out, executor=pool, limits=limits)
    seconds = time.perf_counter() - started

    cells = agree = 0
    wrong = collections.Counter()
    for row in rows:
        for name, planted in expected[row.submission].items():
            cells += 1
            got = row.cells.get(name)
            agree += got == planted
            if got != planted:
                wrong[(name, planted, got)] += 1
    print(
        f"submissions: {len(rows)} (notebooks {', '.join(args.notebooks)}), "
        f"{'Dask LocalCluster' if args.dask else 'process pool'} of {args.jobs} workers"
    )
    print(f"wall time: {seconds:.1f} s; {60 * len(rows) / seconds:.1f} submissions per minute")
    print(f"gradebook cells as planted: {agree} of {cells}")
    for (name, planted, got), n in wrong.most_common(10):
        print(f"  {n} x {name}: planted {planted!r}, graded {got!r}")
    print(f"report: {out / 'report.html'}")
    if args.screenshot:
        screenshot(out / "report.html", args.screenshot)
        print(f"screenshot: {args.screenshot}")


def screenshot(page_path, png, width=1100, height=1250):
    """The top of the report as an instructor's browser shows it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(page_path.resolve().as_uri())
        png.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=png)
        browser.close()


if __name__ == "__main__":
    main()
