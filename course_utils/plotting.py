"""The course's figure style: every figure has a title, labelled axes and a one-line takeaway.

Figures are built once (under ``plt.ioff()``, so they do not show twice) and then updated in
place. With ``%matplotlib widget`` the canvas is an ipympl widget; it is kept lean (no header,
no footer, fixed size) because every pixel of it is re-encoded on each redraw.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import contextmanager
from functools import partial

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.font_manager import findfont
from matplotlib.image import AxesImage
from matplotlib.text import Text
from matplotlib.transforms import offset_copy

from . import compat, live

__all__ = [
    "COLORS",
    "figure",
    "label",
    "key",
    "fit_height",
    "colour_image",
    "takeaway",
    "show",
    "figure_problems",
]

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


class CourseFigure(Figure):
    """A Figure that redraws unchanged text from a cache: the same pixels, drawn faster.

    Why: Agg lays out and rasterises every string with FreeType on each draw (matplotlib 3.11:
    every glyph by itself, 70% of an app's redraw), though most of an app's text (titles, axis
    and tick labels) is the same at the same place every time. So the first time a string is
    drawn, the images Agg blends onto the canvas for it (the string's bitmap, or each glyph's)
    are recorded (through Agg's private core: see ``compat``); when the same string is drawn
    with the same font at the same place again, the recorded images are blended instead.
    Colour, alpha and clipping still come from the current draw. Text that moves or changes
    is simply drawn and recorded afresh; mathtext, usetex and PDF or SVG output are not cached.
    """

    TEXT_CACHE_SIZE = 200  # strings; at most a few MB (a long takeaway is ~20 kB)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._text_cache = OrderedDict()  # key of a drawn string -> its glyph images
        self.draws = 0  # full draws so far: an app's saved background is older than the last
        # held by every draw: a kernel draws from more than one thread (see compat.one_at_a_time)
        self.lock = threading.RLock()

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_text_cache", None)  # not worth pickling: rebuilt by the next draw
        state.pop("lock", None)  # a lock cannot be pickled
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        self._text_cache = OrderedDict()
        self.lock = threading.RLock()

    def draw(self, renderer):
        with self.lock:
            self.draws += 1
            with self.cached_text(renderer):
                return super().draw(renderer)

    @contextmanager
    def cached_text(self, renderer):
        """While the block draws on renderer, its text goes through the cache (Agg only)."""
        nested = "draw_text" in vars(renderer)  # a draw inside a draw: already cached
        if nested or not compat.has_agg_core(renderer):
            yield
            return
        renderer.draw_text = partial(self._draw_text, renderer, renderer.draw_text)
        try:
            yield
        finally:
            del renderer.draw_text

    def _draw_text(
        self, renderer, agg_draw_text, gc, x, y, s, prop, angle, ismath=False, mtext=None
    ):
        """Agg's draw_text, replaying the recorded glyph images of plain text when it can."""
        if ismath:
            return agg_draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        key = (
            s,
            findfont(prop),
            prop.get_size_in_points(),
            x,
            y,
            angle,
            gc.get_antialiased(),
            renderer.dpi,
            renderer.height,
            mpl.rcParams["text.hinting"],
            mpl.rcParams["text.hinting_factor"],
            getattr(mtext, "get_fontfeatures", lambda: None)(),
            getattr(mtext, "get_language", lambda: None)(),
        )
        glyphs = self._text_cache.get(key)
        if glyphs is not None:
            self._text_cache.move_to_end(key)
            compat.replay_glyphs(renderer, glyphs, gc)
            return
        with compat.recording_glyphs(renderer) as recorder:
            agg_draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        if recorder.complete:
            self._text_cache[key] = recorder.glyphs
            if len(self._text_cache) > self.TEXT_CACHE_SIZE:
                self._text_cache.popitem(last=False)  # the least recently drawn


def figure(nrows=1, ncols=1, *, figsize=(9.5, 3.6), **subplot_kw):
    """A new figure in the course's style, not yet shown. -> (fig, axes)"""
    with plt.ioff(), plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            nrows, ncols, figsize=figsize, squeeze=False, FigureClass=CourseFigure, **subplot_kw
        )
        fig.subplots_adjust(left=0.08, right=0.98, top=0.88, bottom=0.25, wspace=0.28)
    fig.patch.set_alpha(live.FULL_FRAME_ALPHA)  # every live image sent whole: see course_utils.live
    canvas = fig.canvas
    for attribute, value in (
        ("header_visible", False),
        ("footer_visible", False),
        ("resizable", False),
        ("toolbar_position", "right"),
    ):
        if hasattr(canvas, attribute):  # the ipympl canvas; Agg has none of these
            setattr(canvas, attribute, value)
    if live.is_live(canvas):
        compat.binary_images_only(canvas)
    axes = axes.ravel()
    for ax in axes:
        ax.minorticks_off()
    return fig, (axes[0] if axes.size == 1 else axes)


LABEL_PAD = (20, 34)  # points from the axes to the x label's top and the y label's right side


def label(ax, title, xlabel, ylabel):
    """Title and axis labels, all three required, at fixed places (measuring costs each draw)."""
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    # a fixed distance in points from the axes, whatever the axes' size
    fig = ax.get_figure()
    below = offset_copy(ax.transAxes, fig, y=-LABEL_PAD[0], units="points")
    left = offset_copy(ax.transAxes, fig, x=-LABEL_PAD[1], units="points")
    ax.xaxis.set_label_coords(0.5, 0.0, transform=below)
    ax.yaxis.set_label_coords(0.0, 0.5, transform=left)
    return ax


def key(ax, entries, *, x=0.03, y=0.95):
    """A legend as coloured words in the axes' corner: [(text, colour), ...] -> [Text].

    Cheaper to draw than ``ax.legend()`` (no frame, no handles), which matters on every redraw.
    """
    texts = []
    for i, (text, color) in enumerate(entries):
        texts.append(
            ax.text(
                x, y - 0.09 * i, text, color=color, transform=ax.transAxes, va="top", fontsize=9
            )
        )
    return texts


def fit_height(ax, count, margin=1.15):
    """y from 0 to margin x a power of 2 at least the tallest bar's count; changed seldom.

    A limit that followed every bar would change on every move of a slider, and each change
    needs a full draw. So the limit moves in steps of 2x: up as soon as the tallest bar no
    longer fits, down only once the bar fills less than a third of it (``SHRINK_BELOW``).
    Between the two, a bar that wavers around a power of 2 as a slider moves keeps the limit
    where it is, and a live app redraws only what moves.
    """
    bottom, top = ax.get_ylim()
    height = margin * max(count, 1)  # the room the tallest bar needs
    if bottom == 0 and height <= top and height > SHRINK_BELOW * top:
        return
    ax.set_ylim(0, margin * 2 ** np.ceil(np.log2(max(count, 1))))


#: fit_height lowers the limit once the tallest bar (with its margin) is below this share.
SHRINK_BELOW = 1 / 3


def colour_image(ax, colours, extent, origin="lower", aspect="auto", **kwargs):
    """An image of colours over extent, one flat rectangle per cell; update: .set_data(). -> image

    colours: (rows, cols, 4) uint8 RGBA. extent: (left, right, bottom, top) in data units; row 0
    lies at the bottom with origin "lower", at the top with "upper". Like
    ``ax.imshow(colours, extent=extent, origin=origin, interpolation="nearest", aspect=aspect)``,
    drawn to the same pixels (``ColourImage``) in a fraction of the time.
    """
    image = ColourImage(ax, origin=origin, interpolation="nearest", **kwargs)
    image.set_data(colours)
    image.set_clip_path(ax.patch)
    ax.add_image(image)
    image.set_extent(extent)  # as imshow: the axes' data limits take in the image
    ax.set_aspect(aspect)
    return image


class ColourImage(AxesImage):
    """An AxesImage of RGBA bytes that Agg draws by picking, for each pixel, its nearest cell.

    Why: an app's class map or heat map changes on every move of a slider. matplotlib makes any
    image through its general resampler, with masked arrays around the data: about 1.5 ms per
    image and frame. For colours already chosen, shown nearest-neighbour on an axis-aligned
    grid, each pixel's colour is that of the cell under its centre: one numpy gather. With
    matplotlib 3.11 these are exactly the pixels its resampler gives; older releases place some
    cell edges a pixel apart (``tests/test_plotting.py`` checks both). Anything else (alpha,
    another interpolation, a vector backend's magnification) is drawn by matplotlib as usual.
    """

    def make_image(self, renderer, magnification=1.0, unsampled=False):
        colours = np.ma.getdata(self.get_array())
        trans = self.get_transform()
        if (
            unsampled
            or magnification != 1.0
            or self.get_alpha() is not None
            or self.get_interpolation() != "nearest"
            or not trans.is_affine
            or colours.dtype != np.uint8
            or colours.shape[2:] != (4,)
        ):
            return super().make_image(renderer, magnification, unsampled)
        rows, cols = colours.shape[:2]
        left, right, bottom, top = self.get_extent()
        if self.origin == "upper":
            bottom, top = top, bottom
        # in pixels: the outer edges of column 0 and row 0 at (x0, y0), of the last ones at (x1, y1)
        (x0, y0), (x1, y1) = trans.transform([[left, bottom], [right, top]])
        clip = self.get_clip_box() if self.get_clip_on() else None
        clip = clip.extents if clip is not None else (0, 0, renderer.width, renderer.height)
        xmin, xmax = max(min(x0, x1), clip[0]), min(max(x0, x1), clip[2])
        ymin, ymax = max(min(y0, y1), clip[1]), min(max(y0, y1), clip[3])
        # the pixels whose centres lie on the image, from the bottom-left one
        px = np.arange(np.ceil(xmin - 0.5), np.floor(xmax - 0.5) + 1)
        py = np.arange(np.ceil(ymin - 0.5), np.floor(ymax - 0.5) + 1)
        if px.size == 0 or py.size == 0:
            return None, 0, 0, None
        j = np.clip(((px + 0.5 - x0) / (x1 - x0) * cols).astype(int), 0, cols - 1)
        i = np.clip(((py + 0.5 - y0) / (y1 - y0) * rows).astype(int), 0, rows - 1)
        cells = np.ascontiguousarray(colours).view(np.uint32).reshape(rows, cols)  # a cell: 4 bytes
        pixels = cells.take(i, axis=0).take(j, axis=1)
        return pixels.view(np.uint8).reshape(i.size, j.size, 4), px[0], py[0], None


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
    renderer = fig.canvas.get_renderer()
    fig.draw_without_rendering()  # once, for both measures below
    problems += [f"cut off at the figure's edge: {t!r}" for t in _cut_off_texts(fig, renderer)]
    problems += [f"runs out of its axes: {t!r}" for t in _texts_out_of_axes(fig, renderer)]
    return problems


def _drawn_tick_labels(axis):
    """The major tick labels inside the axis' view, the ones a draw shows."""
    low, high = sorted(axis.get_view_interval())
    slack = 1e-9 * (high - low)
    return [
        tick.label1
        for tick in axis.get_major_ticks()
        if low - slack <= tick.get_loc() <= high + slack
    ]


def _cut_off_texts(fig, renderer):
    """The texts (takeaway, titles, labels, tick labels, keys) that stick out of the figure,
    as last drawn."""
    axes = [axis for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)]
    # tick labels only where a tick is drawn (the others sit outside the limits, undrawn)
    tick_labels = {
        id(label)
        for axis in axes
        for tick in axis.get_major_ticks() + axis.get_minor_ticks()
        for label in (tick.label1, tick.label2)
    }
    texts = [text for text in fig.findobj(Text) if id(text) not in tick_labels]
    texts += [label for axis in axes for label in _drawn_tick_labels(axis)]
    width, height = fig.bbox.width, fig.bbox.height
    cut = []
    for text in texts:
        if not (text.get_visible() and text.get_text().strip()):
            continue
        box = text.get_window_extent(renderer)
        if box.x0 < -1 or box.y0 < -1 or box.x1 > width + 1 or box.y1 > height + 1:
            cut.append(text.get_text())
    return cut


def _texts_out_of_axes(fig, renderer):
    """The texts placed in an axes (keys, notes, bar labels) that reach past its sides into
    another axes or its title, labels and tick labels, as last drawn."""
    shown = [ax for ax in fig.axes if ax.get_visible()]
    out = []
    for ax in shown:
        frame = ax.get_window_extent(renderer)
        for text in ax.texts:
            if not (text.get_visible() and text.get_text().strip()):
                continue
            box = text.get_window_extent(renderer)
            if frame.x0 - 1 <= box.x0 and box.x1 <= frame.x1 + 1:
                continue  # inside its axes: the common case, measured without the others
            others = (other.get_tightbbox(renderer) for other in shown if other is not ax)
            if any(box.overlaps(other) for other in others):
                out.append(text.get_text())
    return out


def show(fig):
    """Show a figure once: the live canvas under %matplotlib widget, else a static image."""
    from IPython.display import display
    from ipywidgets import DOMWidget

    display(fig.canvas if isinstance(fig.canvas, DOMWidget) else fig)
