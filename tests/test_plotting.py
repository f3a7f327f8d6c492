"""plotting.figure_problems: what a course figure must have, and nothing cut off."""

import matplotlib.pyplot as plt

from course_utils import plotting


def _labelled_figure():
    fig, ax = plotting.figure()
    plotting.label(ax, "A title", "x", "y")
    plotting.takeaway(fig, "A takeaway.")
    ax.plot([0, 1], [0, 1])
    return fig, ax


def test_a_complete_figure_has_no_problems():
    fig, _ = _labelled_figure()
    assert plotting.figure_problems(fig) == []
    plt.close(fig)


def test_any_text_past_the_edge_is_named_ticks_outside_the_limits_are_not():
    fig, ax = _labelled_figure()
    ax.set_title("a left title " * 30, loc="left")
    ax.legend(["a key"], loc="upper left", bbox_to_anchor=(1.2, 1))
    ax.set_xticks([0, 0.5, 1, 40])  # 40 lies outside the limits: not drawn
    ax.set_xlim(0, 1)
    cut = [p for p in plotting.figure_problems(fig) if p.startswith("cut off")]
    assert any("a left title" in p for p in cut), cut
    assert any("a key" in p for p in cut), cut
    assert not any("40" in p for p in cut), cut
    plt.close(fig)


def test_a_key_that_runs_into_the_next_panel_is_named_one_in_the_margin_is_not():
    fig, (left, right) = plotting.figure(1, 2)
    for ax in (left, right):
        plotting.label(ax, "A title", "x", "y")
    plotting.takeaway(fig, "A takeaway.")
    plotting.key(left, [("a key far too long for its panel " * 2, "black")], x=0.5)
    plotting.key(right, [("short", "black")], x=0.9)  # past the frame, in the figure's margin
    out = [p for p in plotting.figure_problems(fig) if p.startswith("runs out")]
    assert len(out) == 1 and "far too long" in out[0], out
    plt.close(fig)
