"""What every app of the course shares: controls, one figure updated in place, visible errors.

An app builds its figure once and keeps its artists; on each change of a control it updates
them (``set_data``, ``set_height``, ...) and redraws once (see ``redraw``). Tests
reach ``app.controls`` (name -> widget) and ``app.fig``: they set a control's value and look
at what the artists now show. Errors inside a callback go to ``app.errors``, an Output the
learner sees under the figure, instead of vanishing into the kernel log.

An app lists in ``self.moving`` the artists its update changes on most moves (a curve, a
histogram, the takeaway). When nothing else changed, a redraw draws only those over a cached
image of the rest (blitting): the axes, ticks and labels are not drawn again.

An app's takeaway (``self.note``, from ``plotting.takeaway``) is a sentence under its axes that
quotes the controls' values, so it changes on almost every move, and rasterising a new
sentence was the largest part of a frame. Under a live figure it therefore shows as a line of
HTML right under the canvas (``takeaway_line``), which the page lays out at once; the Text
stays in the figure, hidden, and holds the same sentence (tests and ``figure_problems`` read
it). A static figure (no ``%matplotlib widget``) draws it as before.
"""

from __future__ import annotations

import html
import traceback
from contextlib import contextmanager

import ipywidgets as widgets
from IPython.display import display
from matplotlib.backends.backend_agg import FigureCanvasAgg

from .. import compat, live

__all__ = ["App"]


class App(widgets.VBox):
    """Base class: subclasses set self.controls and self.fig (from plotting.figure), then call
    self._connect().

    An app is a widget (a VBox: controls above the figure; its takeaway, when live, and its
    errors below), so it shows wherever widgets do (JupyterLab, Notebook 7, VS Code, Voila) and
    sits in other widgets: ``HBox([GammaBeta(), BatchNoise()])`` puts two apps side by side.
    """

    controls: dict
    fig: object
    moving: tuple = ()  # the artists update() changes on most moves; drawn over a background

    def _connect(self):
        self.errors = widgets.Output()
        self.failures = []  # tracebacks of failed updates, for tests
        self._batching = False
        self._page_ready = False
        self._background = None  # (image of everything but the moving artists, draw count)
        # pyplot would ask for a redraw of its own on the first artist an update changes; the
        # app redraws once, itself, after the whole update
        compat.no_pyplot_redraw(self.fig)
        for artist in self.moving:
            # a moving artist's change does not mark the figure stale: fig.stale then says
            # whether anything *else* changed, which needs a full draw
            compat.no_pyplot_redraw(artist)
        self.takeaway_line = None  # the takeaway under a live figure (see the module's doc)
        if live.is_live(self.fig.canvas):
            live.watch_ready(self.fig.canvas, self._on_page_ready)
            compat.one_at_a_time(self.fig.canvas, self.fig.lock)
            self._takeaway_as_html()
        for control in self.controls.values():
            compat.no_echo(control)  # the page that moved it needs no echo (see compat)
            control.observe(self._on_change, names="value")
        self._guarded(self.update)
        widgets.VBox.__init__(self, children=self._parts())

    @contextmanager
    def _batch(self):
        """Change several controls at once, then update and redraw once."""
        self._batching = True
        try:
            yield
        finally:
            self._batching = False
        self._on_change(None)

    def update(self):
        """Bring every artist in line with the controls."""
        raise NotImplementedError

    def _on_change(self, change):
        if self._batching:
            return
        with self.fig.lock:  # no other thread draws between the update and its frame
            self._guarded(self.update)
            self.redraw()

    def redraw(self):
        """Draw the figure once and send it to the page.

        Under ipympl, once the page has said it is ready, draw directly: ``draw_idle()`` would
        cost a round trip to the page and back per slider step. Before that, draw nothing
        (``live.watch_ready``): the page asks for a whole image when it is ready. Other
        canvases (Agg in the tests) draw on ``draw_idle()`` at once.
        """
        canvas = self.fig.canvas
        if not live.is_live(canvas):
            canvas.draw_idle()
            return
        # before the frame: the page lays the new sentence out while the kernel draws
        self._show_takeaway()
        with self.fig.lock:  # see compat.one_at_a_time
            if self._page_ready:
                self._draw_frame()
                live.send_frame(canvas)

    def _takeaway_as_html(self):
        """Show the takeaway as HTML under the live canvas, where the figure drew it."""
        note = getattr(self, "note", None)
        if note is None:
            return
        note.set_visible(False)
        fig = self.fig
        size = note.get_fontsize() * fig.dpi / 72  # px, as the figure drew it
        # up into the band the figure keeps free for it, under the x label
        lift = note.get_position()[1] * fig.bbox.height + 1.5 * size
        self._takeaway_style = (
            f"text-align:center;font-style:italic;font-size:{size:.1f}px;line-height:1.4"
        )
        self.takeaway_line = widgets.HTML(
            layout=widgets.Layout(width=f"{fig.bbox.width:.0f}px", margin=f"-{lift:.0f}px 0 0 0")
        )
        self.takeaway_line.add_class("course-takeaway")
        self._show_takeaway()

    def _show_takeaway(self):
        if self.takeaway_line is None:
            return
        text = html.escape(self.note.get_text())
        value = f"<div style='{self._takeaway_style}'>{text}</div>"
        if self.takeaway_line.value != value:
            self.takeaway_line.value = value

    def _on_page_ready(self):
        self._page_ready = True

    def _draw_frame(self):
        """Render the figure into the canvas' buffer, blitting when only moving artists moved.

        A full draw is needed when anything but the moving artists changed (fig.stale), and
        when someone else drew the figure since the background was saved (the page asks for
        draws of its own): then the background is drawn again, without the moving artists.
        """
        fig, canvas = self.fig, self.fig.canvas
        if fig.stale or self._background is None or self._background[1] != fig.draws:
            shown = [artist.get_visible() for artist in self.moving]
            for artist in self.moving:
                artist.set_visible(False)
            try:
                FigureCanvasAgg.draw(canvas)  # renders only; the caller sends
            finally:
                for artist, visible in zip(self.moving, shown, strict=True):
                    artist.set_visible(visible)
            self._background = (canvas.copy_from_bbox(fig.bbox), fig.draws)
        else:
            canvas.restore_region(self._background[0])
        renderer = canvas.get_renderer()
        with fig.cached_text(renderer):  # a plotting.CourseFigure, as fig.draws above
            for artist in self.moving:
                artist.draw(renderer)

    def _guarded(self, fn):
        try:
            fn()
        except Exception:  # noqa: BLE001 - shown to the learner, never lost
            self.failures.append(traceback.format_exc())
            with self.errors:
                print(self.failures[-1])

    @property
    def widget(self):
        """The app itself (it is the widget); kept for notebooks that display ``app.widget``."""
        return self

    def _control_row(self):
        """The widgets in the row above the figure: the controls (an app may add others)."""
        return list(self.controls.values())

    def _parts(self):
        """Controls above the figure; its takeaway (when live) and errors below it."""
        canvas = self.fig.canvas
        figure_view = canvas if isinstance(canvas, widgets.DOMWidget) else self._static_figure()
        controls = widgets.HBox(self._control_row(), layout=widgets.Layout(flex_flow="row wrap"))
        under = [self.takeaway_line] if self.takeaway_line is not None else []
        return [controls, figure_view, *under, self.errors]

    def _static_figure(self):
        """Without ipympl (no %matplotlib widget) the figure shows once, as an image."""
        out = widgets.Output()
        with out:
            display(self.fig)
        return out
