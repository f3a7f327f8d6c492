"""The class report (python -m course_utils.grade) as an instructor opens it: in Chromium."""

import random

from course_utils.checks import EXERCISES
from course_utils.grade import GradedSubmission, judge, report

from . import lab


def _class(n=24, seed=0):
    """n graded submissions of notebook 02: each exercise passed, not attempted, or failed
    with a catalogued mistake (earlier mistakes of the catalogue more often)."""
    rng = random.Random(seed)
    names = [name for name, ex in EXERCISES.items() if ex.notebook == "02"]
    rows = []
    for i in range(n):
        verdicts = {}
        for name in names:
            mistakes = [m.name for m in EXERCISES[name].mistakes]
            outcome = rng.choices(["passed", "not attempted", "failed"], [5, 1, 4])[0]
            verdict = {"status": outcome, "mistake": None, "got": "", "hint": ""}
            if outcome == "failed":
                weights = [2.0**-k for k in range(len(mistakes))] + [0.3]
                verdict["mistake"] = rng.choices([*mistakes, None], weights)[0]
            verdicts[name] = {**verdict, "cell": judge.cell(verdict)}
        label = f"class/learner{i:02d}/02_sampling_scales.ipynb"
        rows.append(GradedSubmission(label, "02", verdicts))
    return rows


def test_the_class_report_shows_pass_rates_and_mistakes_most_common_first(browser, tmp_path):
    rows = _class()
    report.write(rows, tmp_path)
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    try:
        page.goto((tmp_path / "report.html").as_uri())
        lab.ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=lab.ARTIFACTS / "class-report.png", full_page=True)
        overview = page.locator(".overview tr")
        assert overview.count() == 4
        for i, name in enumerate(n for n, ex in EXERCISES.items() if ex.notebook == "02"):
            rate = sum(row.cells[name] == "passed" for row in rows) / len(rows)
            track = overview.nth(i).locator(".track").bounding_box()["width"]
            bar = overview.nth(i).locator(".bar").bounding_box()["width"]
            assert abs(bar / track - rate) < 0.02, name
            assert overview.nth(i).locator("td.count").inner_text() == f"{rate:.0%}"
        sections = page.locator(".exercise")
        assert sections.count() == 4  # notebook 02's exercises, and only those
        for name in (n for n, ex in EXERCISES.items() if ex.notebook == "02"):
            section = page.locator(f".exercise[data-exercise='{name}']")
            cells = [row.cells[name] for row in rows]
            passed = cells.count("passed")
            assert f"{passed} of {len(rows)} passed" in section.inner_text()
            counts = [int(c) for c in section.locator("td.count").all_inner_texts()]
            widths = [b.bounding_box()["width"] for b in section.locator(".bar").all()]
            names = section.locator("td.name").all_inner_texts()
            named = [n for n, m in zip(counts, names, strict=True) if m != "not recognised"]
            assert named == sorted(named, reverse=True)  # most common first
            assert names.count("not recognised") <= 1 and "not recognised" not in names[:-1]
            assert sum(counts) == sum(c.startswith("failed") for c in cells)
            # each bar as long as its count, relative to the most common (drawn, not empty)
            assert widths[0] > 50
            for count, width in zip(counts, widths, strict=True):
                assert abs(width / widths[0] - count / counts[0]) < 0.02
            hints = section.locator("td.hint").all_inner_texts()
            for mistake, hint in zip(names, hints, strict=True):
                if mistake != "not recognised":
                    assert hint == EXERCISES[name].named(mistake).hint
        takeaway = page.locator(".takeaway").inner_text()
        assert takeaway.startswith("Hardest: ") and "Most common mistake: " in takeaway
        table = page.locator("table.book tr")
        assert table.count() == len(rows) + 1
    finally:
        page.close()
