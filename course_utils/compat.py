"""The private parts of matplotlib, ipympl and ipywidgets the course relies on, nothing else.

Every use of a name these libraries do not document sits here, so that a new release that
changes one breaks one small module. Proven with the versions in ``PROVEN``
(requirements.txt caps matplotlib and ipympl below their next minor release);
``tests/test_internals.py``
fails, naming the part and the version, when a new release changes any of them:

- matplotlib's Agg renderer draws plain text through its C++ core, ``RendererAgg._renderer``:
  ``draw_text_image(image, x, y, angle, gc)``, once per string with the font's bitmap
  (3.8-3.10) or once per glyph (3.11); the text cache of ``plotting.CourseFigure`` records
  and replays those calls;
- a pyplot figure redraws itself through its ``stale_callback`` (apps switch it off and
  redraw once per update, themselves);
- ipympl's canvas keeps each image as a data URL unless ``syncing_data_url`` is off, and
  draws and sends an image in ``draw`` (wrapped to hold a lock; see ``live``);
- ipywidgets echoes every value a page sends back to the page unless the trait's metadata says
  ``echo_update=False``, which traitlets reads from a widget's own ``_<name>_metadata`` first
  (``no_echo``). Should a release stop reading it, the echo comes back: a slower move, not a
  wrong one, so ipywidgets is not capped for it.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
from matplotlib.backends.backend_agg import RendererAgg

__all__ = [
    "PROVEN",
    "has_agg_core",
    "recording_glyphs",
    "replay_glyphs",
    "no_pyplot_redraw",
    "binary_images_only",
    "one_at_a_time",
    "no_echo",
]

#: The releases these private parts are proven on: (lowest, highest minor release).
PROVEN = {"matplotlib": ("3.8", "3.11"), "ipympl": ("0.9.4", "0.10")}


# ---------------------------------------------------------------- matplotlib: Agg's text


def has_agg_core(renderer):
    """True for an Agg renderer whose C++ core draws glyph images (the cache can work)."""
    return isinstance(renderer, RendererAgg) and hasattr(renderer, "_renderer")


@contextmanager
def recording_glyphs(renderer):
    """While the block draws one string on renderer, note its glyph images. -> recorder

    ``recorder.glyphs`` is a list of (image, x, y, angle); ``recorder.complete`` is False when
    the core was asked for anything else (then the string cannot be replayed).
    """
    core = renderer._renderer
    renderer._renderer = recorder = _GlyphRecorder(core)
    try:
        yield recorder
    finally:
        renderer._renderer = core


def replay_glyphs(renderer, glyphs, gc):
    """Blend recorded glyph images onto renderer's canvas in the colour and clip of gc."""
    for image, *where in glyphs:
        renderer._renderer.draw_text_image(image, *where, gc)


class _GlyphRecorder:
    """Stands in for the Agg renderer's C++ core while one string is drawn; notes its glyphs.

    Agg draws plain text as ``draw_text_image(image, x, y, angle, gc)`` calls: 8-bit coverage
    images (the whole string's, or one per glyph) blended in the colour of ``gc``. Any other
    call is passed on too, but then the string is not cached (another matplotlib version may
    draw text otherwise).
    """

    def __init__(self, core):
        self.core = core
        self.glyphs = []  # (image, x, y, angle)
        self.complete = True

    def draw_text_image(self, image, x, y, angle, gc):
        self.core.draw_text_image(image, x, y, angle, gc)
        try:  # an array (3.11: one glyph) or the font's own bitmap (3.8-3.10: the whole string)
            pixels = np.array(image, dtype=np.uint8)  # a copy: the font reuses its bitmap
        except (TypeError, ValueError):
            pixels = None
        if pixels is not None and pixels.ndim == 2:
            self.glyphs.append((pixels, x, y, angle))
        else:
            self.complete = False

    def __getattr__(self, name):
        self.complete = False
        return getattr(self.core, name)


# ---------------------------------------------------------------- matplotlib: pyplot


def no_pyplot_redraw(artist):
    """pyplot no longer asks for a redraw when artist (a figure or one of its artists) changes.

    An app's update changes many artists; pyplot would ask for a redraw on the first. Off a
    moving artist, a change does not mark the figure stale either (``fig.stale`` then says
    whether anything else changed).
    """
    artist.stale_callback = None


# ---------------------------------------------------------------- ipympl: the canvas


def binary_images_only(canvas):
    """ipympl sends canvas' images as binary PNG messages only, never as a data URL.

    The data URL (the widget's ``_data_url``) is for a page that opens the notebook later
    without a kernel; before the page says "initialized" ipympl 0.10 makes it broken (see
    ``live``).
    """
    canvas.syncing_data_url = False


def one_at_a_time(canvas, lock):
    """Every ``canvas.draw()`` (ipympl's: draw, then encode and send the image) holds lock.

    The page's "draw" requests call ``canvas.draw``; an app takes the same lock around its own
    frames, so no thread paints the canvas while another encodes it.
    """
    draw = canvas.draw

    def draw_holding_the_lock(*args, **kwargs):
        with lock:
            return draw(*args, **kwargs)

    canvas.draw = draw_holding_the_lock


# ---------------------------------------------------------------- ipywidgets: the echo


def no_echo(control):
    """The kernel no longer echoes the values the page sends for control back to the page.

    ipywidgets 8 answers each change a page makes with an "echo_update" message of the same
    value, so that other pages showing the widget follow. An app's page is the one that moved
    the control: the echo is one more message per move for the kernel to send and for the page
    to handle while the kernel draws the frame. A slider's synced value is ``value``; a
    selection slider's is ``index``.
    """
    for name in ("value", "index"):
        if name in control.keys:
            setattr(control, f"_{name}_metadata", {"echo_update": False})
