"""The course's figure style: every figure has a title, labelled axes and a one-line takeaway.

Figures are built once (under ``plt.ioff()``, so they do not show twice) and then updated in
place. With ``%matplotlib widget`` the canvas is an ipympl widget; it is kept lean (no header,
no footer, fixed size) because every pixel of it is re-encoded on each redraw.
"""

from __future__ import annotations

import matplotlib.pyplot as plt

__all__ = ["COLORS", "figure", "label", "key", "takeaway", "show", "figure_problems"]

#: One colour per role, used the same way in every notebook.
COLORS = {
    "main": "#1f6feb",
    "other": "#d1242f",
    "good": "#1a7f37",
    "muted": "#8c959f",
    "accent": "#bf8700",
}

STYLE = {
    "figure.dpi": 72,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    # a fixed title position: matplotlib otherwise measures every tick label on each draw
    "axes.titley": 1.02,
    "legend.frameon": False,
    "legend.fontsize": 9,
}


def figure(nrows=1, ncols=1, *, figsize=(9.5, 3.6), **subplot_kw):
    """A new figure in the course's style, not yet shown. -> (fig, axes)"""
    with plt.ioff(), plt.rc_context(STYLE):
        fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False, **subplot_kw)
        fig.subplots_adjust(left=0.08, right=0.98, top=0.88, bottom=0.25, wspace=0.28)
    canvas = fig.canvas
    for attribute, value in (
        ("header_visible", False),
        ("footer_visible", False),
        ("resizable", False),
        ("toolbar_position", "right"),
    ):
        if hasattr(canvas, attribute):  # the ipympl canvas; Agg has none of these
            setattr(canvas, attribute, value)
    axes = axes.ravel()
    for ax in axes:
        ax.minorticks_off()
    return fig, (axes[0] if axes.size == 1 else axes)


def label(ax, title, xlabel, ylabel):
    """Title and axis labels, all three required, at fixed places (measuring them costs each draw)."""
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.xaxis.set_label_coords(0.5, -0.16)
    ax.yaxis.set_label_coords(-0.11, 0.5)
    return ax


def key(ax, entries, *, x=0.03, y=0.95):
    """A legend as coloured words in the axes' corner: [(text, colour), ...] -> [Text].

    Cheaper to draw than ``ax.legend()`` (no frame, no handles), which matters on every redraw.
    """
    texts = []
    for i, (text, color) in enumerate(entries):
        texts.append(
            ax.text(x, y - 0.09 * i, text, color=color, transform=ax.transAxes, va="top", fontsize=9)
        )
    return texts


def takeaway(fig, text=""):
    """The figure's one-sentence takeaway, under the axes; update it with .set_text()."""
    return fig.text(0.5, 0.035, text, ha="center", va="bottom", fontsize=10.5, style="italic")


def figure_problems(fig):
    """What the figure lacks of the course's style: untitled or unlabelled axes, no takeaway."""
    problems = []
    for i, ax in enumerate(fig.axes):
        if not ax.get_visible():
            continue
        for part, text in (
            ("title", ax.get_title()),
            ("x label", ax.get_xlabel()),
            ("y label", ax.get_ylabel()),
        ):
            if not text.strip():
                problems.append(f"axes {i} has no {part}")
    if not any(t.get_text().strip() for t in fig.texts):
        problems.append("the figure has no takeaway")
    return problems


def show(fig):
    """Show a figure once: the live canvas under %matplotlib widget, else a static image."""
    from IPython.display import display
    from ipywidgets import DOMWidget

    display(fig.canvas if isinstance(fig.canvas, DOMWidget) else fig)
