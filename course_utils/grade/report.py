"""The gradebook's three files: gradebook.csv, gradebook.json and the class report, report.html.

The CSV has one row per submission (``submission``: its path as given), one column per exercise
named as in ``checks.EXERCISES`` (empty where the submission's notebook does not hold it), the
number passed and a note on why a notebook stopped or could not be graded. The JSON holds the
same and the checkers' messages. The report shows, per exercise, the pass rate and a bar chart
of the named mistakes, most common first, each with the hint a learner gets; then every
submission's row. Everything a submission wrote is escaped: it is the learners' text.
"""

from __future__ import annotations

import csv
import html
import json
from collections import Counter
from datetime import UTC, datetime

from ..checks import EXERCISES, GENERIC_HINTS, PASSED
from .judge import HINTS, function_names

__all__ = ["write", "hint", "columns"]

UNRECOGNISED = "-"  # a wrong answer no catalogued mistake explains


def hint(exercise, mistake):
    """The hint a learner gets for mistake on exercise ('' for an unrecognised one)."""
    try:
        return EXERCISES[exercise].named(mistake).hint
    except KeyError:
        return GENERIC_HINTS.get(mistake) or HINTS.get(mistake, "")


def columns():
    """The exercises' names in the course's order: notebook by notebook, each in the order the
    notebook asks them (as checks.progress lists them)."""
    return list(function_names())


def _csv(rows, path):
    names = columns()
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["submission", *names, "passed", "note"])
        for row in rows:
            cells = row.cells
            writer.writerow(
                [
                    row.submission,
                    *(cells.get(n, "") for n in names),
                    row.n_passed,
                    row.problem or "",
                ]
            )


def _json(rows, path):
    data = {
        "exercises": [
            {"name": name, "title": EXERCISES[name].title, "notebook": EXERCISES[name].notebook}
            for name in columns()
        ],
        "submissions": [
            {
                "submission": row.submission,
                "notebook": row.notebook,
                "passed": row.n_passed,
                "note": row.problem,
                "cells": row.cells,
                "verdicts": row.verdicts,
            }
            for row in rows
        ],
    }
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#1f2328}
h1{font-size:22px;margin:0 0 4px} .takeaway{font-size:15px;margin:4px 0}
h2{font-size:17px;margin:28px 0 8px}
.muted{color:#656d76} .exercise{border-top:1px solid #d0d7de;padding:10px 0}
.exercise h3{font-size:15px;margin:0 0 2px} .rate{font-weight:600}
.bars{margin:6px 0 0;border-collapse:collapse;width:100%}
.bars td{padding:3px 6px;vertical-align:top} .bars td.name{white-space:nowrap;width:210px}
.bars td.count{width:46px;text-align:right} .bars td.plot{width:220px}
.bar{height:14px;background:#cf222e;border-radius:2px;margin-top:3px}
.bar.unrecognised{background:#8c959f} .bar.good{background:#1a7f37}
.overview td.name{width:300px;white-space:normal}
.overview .track{background:#eaeef2;border-radius:2px} .overview .bar{margin-top:0}
.hint{color:#656d76;font-size:13px}
table.book{border-collapse:collapse;font-size:12px;margin-top:8px}
.book th,.book td{border:1px solid #d0d7de;padding:3px 6px;text-align:left}
.book th{background:#f6f8fa;position:sticky;top:0}
.passed{background:#dafbe1} .failed{background:#ffebe9} .attempted{background:#fff8c5}
.error,.timeout{background:#eaeef2}
"""


def _kind(cell):
    return cell.split(":")[0].replace("not attempted", "attempted") if cell else ""


def _mistakes(cells):
    """[(mistake, count)] of the failed cells: named ones most common first, then the
    answers no catalogued mistake explains."""
    counts = Counter(cell.split(": ", 1)[1] for cell in cells if cell.startswith("failed: "))
    named = [(m, n) for m, n in counts.most_common() if m != UNRECOGNISED]
    return named + ([(UNRECOGNISED, counts[UNRECOGNISED])] if counts[UNRECOGNISED] else [])


def _takeaway(rows):
    """One sentence: the exercise most learners missed, and the most common mistake."""
    rates = {}
    for name in columns():
        cells = [row.cells[name] for row in rows if name in row.cells]
        if cells:
            rates[name] = sum(cell == PASSED for cell in cells) / len(cells)
    if not rates:
        return "No submission held an exercise of the course."
    hardest = min(rates, key=rates.get)
    sentence = f"Hardest: {EXERCISES[hardest].title} ({hardest}), passed by {rates[hardest]:.0%}."
    everywhere = Counter(
        (name, mistake)
        for name in rates
        for mistake, n in _mistakes([row.cells.get(name, "") for row in rows])
        for _ in range(n)
        if mistake != UNRECOGNISED
    )
    if everywhere:
        (name, mistake), n = everywhere.most_common(1)[0]
        sentence += f" Most common mistake: {mistake} in {name} ({n} submissions)."
    return sentence


def _overview(rows):
    """One line per exercise: its pass rate as a green bar, for the whole class at a glance."""
    lines = []
    for name in columns():
        cells = [row.cells[name] for row in rows if name in row.cells]
        if not cells:
            continue
        passed = sum(cell == PASSED for cell in cells)
        rate = passed / len(cells)
        lines.append(
            f"<tr><td class='name'>{html.escape(EXERCISES[name].title)}</td>"
            f"<td class='plot'><div class='track'><div class='bar good' "
            f"style='width:{100 * rate:.0f}%'></div></div></td><td class='count'>{rate:.0%}</td>"
            f"<td class='muted'>{passed} of {len(cells)} ({html.escape(name)})</td></tr>"
        )
    return f"<table class='bars overview'>{''.join(lines)}</table>" if lines else ""


def _exercise_section(name, rows):
    cells = [row.cells[name] for row in rows if name in row.cells]
    if not cells:
        return ""
    passed = sum(cell == PASSED for cell in cells)
    statuses = Counter(_kind(cell) for cell in cells if cell != PASSED)
    other = ", ".join(
        f"{n} {label}"
        for label, n in (
            ("failed", statuses["failed"]),
            ("not attempted", statuses["attempted"]),
            ("could not be run", statuses["error"]),
            ("ran out of time", statuses["timeout"]),
        )
        if n
    )
    mistakes = _mistakes(cells)
    most = max((n for _, n in mistakes), default=1)
    bars = "".join(
        f"<tr><td class='name'><code>{html.escape(m if m != UNRECOGNISED else 'not recognised')}"
        f"</code></td><td class='count'>{n}</td><td class='plot'><div class='bar"
        f"{' unrecognised' if m == UNRECOGNISED else ''}' style='width:{100 * n / most:.0f}%'>"
        f"</div></td><td class='hint'>{html.escape(hint(name, m))}</td></tr>"
        for m, n in mistakes
    )
    title = html.escape(EXERCISES[name].title)
    return (
        f"<div class='exercise' data-exercise='{html.escape(name)}'>"
        f"<h3>{title} <span class='muted'>({html.escape(name)}, notebook "
        f"{EXERCISES[name].notebook})</span></h3>"
        f"<div><span class='rate'>{passed} of {len(cells)} passed ({passed / len(cells):.0%})"
        f"</span>{'; ' + other if other else ''}.</div>"
        + (f"<table class='bars'>{bars}</table>" if bars else "")
        + "</div>"
    )


def _table(rows):
    names = [n for n in columns() if any(n in row.cells for row in rows)]
    head = "".join(
        f"<th title='{html.escape(EXERCISES[n].title)}'>{html.escape(n)}</th>" for n in names
    )
    body = []
    for row in rows:
        cells = "".join(
            f"<td class='{_kind(row.cells.get(n, ''))}'>{html.escape(row.cells.get(n, ''))}</td>"
            for n in names
        )
        note = html.escape(row.problem or "")
        body.append(
            f"<tr><td>{html.escape(row.submission)}</td>{cells}<td>{row.n_passed}</td>"
            f"<td class='muted'>{note}</td></tr>"
        )
    return (
        f"<table class='book'><tr><th>submission</th>{head}<th>passed</th><th>note</th></tr>"
        + "".join(body)
        + "</table>"
    )


def _html(rows, path):
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    sections = "".join(_exercise_section(name, rows) for name in columns())
    graded = sum(bool(row.cells) for row in rows)
    page = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Class report</title>"
        f"<style>{STYLE}</style></head><body>"
        "<h1>Class report</h1>"
        f"<p class='takeaway'>{html.escape(_takeaway(rows))}</p>"
        f"<div class='muted'>{len(rows)} submissions, {graded} with exercises of the course; "
        f"graded {when}. Each bar counts the submissions whose answer one catalogued mistake "
        "explains, most common first, with the hint the learner was given; grey: wrong answers "
        "no catalogued mistake explains (their details are in gradebook.json).</div>"
        f"<h2>Pass rates</h2>{_overview(rows)}"
        f"<h2>Mistakes, exercise by exercise</h2>{sections or '<p>No exercise was graded.</p>'}"
        f"<h2>Submissions</h2>{_table(rows)}</body></html>"
    )
    path.write_text(page, encoding="utf-8")


def write(rows, out):
    """Write gradebook.csv, gradebook.json and report.html into the folder out."""
    out.mkdir(parents=True, exist_ok=True)
    _csv(rows, out / "gradebook.csv")
    _json(rows, out / "gradebook.json")
    _html(rows, out / "report.html")
