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
