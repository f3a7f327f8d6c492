"""What every app of the course shares: controls, one figure updated in place, visible errors.

An app builds its figure once and keeps its artists; on each change of a control it updates
them (``set_data``, ``set_height``, ...) and redraws once (see ``redraw``). Tests
reach ``app.controls`` (name -> widget) and ``app.fig``: they set a control's value and look
at what the artists now show. Errors inside a callback go to ``app.errors``, an Output the
learner sees under the figure, instead of vanishing into the kernel log.
"""

from __future__ import annotations

import traceback
from contextlib import contextmanager

import ipywidgets as widgets
from IPython.display import display

__all__ = ["App"]


class App:
    """Base class: subclasses set self.controls and self.fig, then call self._connect()."""

    controls: dict
    fig: object

    def _connect(self):
        self.errors = widgets.Output()
        self.failures = []  # tracebacks of failed updates, for tests
        self._batching = False
        # pyplot would ask for a redraw of its own on the first artist an update changes; the
        # app redraws once, itself, after the whole update
        self.fig.stale_callback = None
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self._guarded(self.update)

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
        self._guarded(self.update)
        self.redraw()

    def redraw(self):
        """Draw the figure once and send it to the page.

        Under ipympl, once the page shows the figure (ipympl then stops syncing the image as a
        data URL), draw directly: ``draw_idle()`` would cost a round trip to the page and back,
        10-15 ms per slider step. Before that, draw nothing: the page asks for a full image
        when it shows the figure (and a draw before it would be ipympl's #472 case, which
        ``plotting.send_valid_images`` makes harmless, but not useful).
        Other canvases (Agg in the tests) draw on ``draw_idle()`` at once.
        """
        canvas = self.fig.canvas
        syncing = getattr(canvas, "syncing_data_url", None)
        if syncing is None:
            canvas.draw_idle()
        elif not syncing:
            canvas.draw()

    def _guarded(self, fn):
        try:
            fn()
        except Exception:  # noqa: BLE001 - shown to the learner, never lost
            self.failures.append(traceback.format_exc())
            with self.errors:
                print(self.failures[-1])

    @property
    def widget(self):
        """Controls above the figure, errors below it."""
        canvas = self.fig.canvas
        figure_view = canvas if isinstance(canvas, widgets.DOMWidget) else self._static_figure()
        controls = widgets.HBox(
            list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap")
        )
        return widgets.VBox([controls, figure_view, self.errors])

    def _static_figure(self):
        """Without ipympl (no %matplotlib widget) the figure shows once, as an image."""
        out = widgets.Output()
        with out:
            display(self.fig)
        return out

    def _ipython_display_(self):
        display(self.widget)
