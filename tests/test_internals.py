"""The private parts of matplotlib and ipympl the course relies on, each checked by itself.

requirements.txt caps both libraries below their next minor release, with a comment naming
what the course touches. Before the cap is raised, CI installs the new release (its proven
versions: constraints.txt) and these tests say in one sentence what changed and where the
course uses it, instead of a figure that quietly draws wrong.
"""

import re
from importlib import metadata
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.backends.backend_agg import RendererAgg

from course_utils import live, plotting

ROOT = Path(__file__).resolve().parents[1]


def _where(library):
    return f"{library} {metadata.version(library)}"


def test_agg_renderer_core_draws_text_images():
    """plotting.CourseFigure's text cache draws a cached glyph image through Agg's C++ core."""
    core = getattr(RendererAgg(20, 20, 72), "_renderer", None)
    assert core is not None and callable(getattr(core, "draw_text_image", None)), (
        f"{_where('matplotlib')}: RendererAgg._renderer.draw_text_image is gone; "
        "plotting.CourseFigure.cached_text draws text through it (see requirements.txt)"
    )


def test_pyplot_figures_draw_themselves_through_stale_callback():
    """App._connect sets fig.stale_callback to None so that pyplot does not redraw on each
    changed artist (the app redraws once per move): that is pyplot's only hook."""
    fig, _ = plotting.figure()
    try:
        hook = fig.stale_callback
        assert callable(hook) and hook.__name__ == "_auto_draw_if_interactive", (
            f"{_where('matplotlib')}: a pyplot figure's stale_callback is {hook!r}, not pyplot's "
            "_auto_draw_if_interactive; App._connect switches that one off"
        )
    finally:
        plt.close(fig)


def test_ipympl_canvas_has_what_live_uses():
    """live.py: the canvas' syncing_data_url (off: its state holds no data URL), its message
    channel and its draw."""
    from matplotlib.figure import Figure

    backend = plt.get_backend()
    try:
        from ipympl.backend_nbagg import Canvas  # switches pyplot to ipympl
    finally:
        plt.switch_backend(backend)  # the other tests draw with Agg

    canvas = Canvas(Figure())
    missing = [name for name in ("syncing_data_url", "on_msg", "send", "draw", "send_binary")]
    missing = [name for name in missing if not hasattr(canvas, name)]
    assert not missing, (
        f"{_where('ipympl')}: its Canvas has no {', '.join(missing)}; course_utils/live.py "
        "uses them (see its docstring)"
    )
    live.binary_images_only(canvas)
    sent = []
    canvas.send = lambda content, buffers=None: sent.append(buffers)
    canvas.send_binary(b"a PNG")
    assert sent == [[b"a PNG"]] and canvas._data_url is None, (
        f"{_where('ipympl')}: with syncing_data_url off, send_binary no longer sends the image "
        "as it is and leaves the data URL alone; live.binary_images_only relies on it"
    )
    canvas.close()


def test_the_requirements_cap_each_library_whose_internals_the_course_uses():
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    for library in ("matplotlib", "ipympl"):
        (i,) = [i for i, line in enumerate(lines) if re.match(rf"{library}\b", line)]
        cap = re.search(r",<(\d+)\.(\d+)$", lines[i])
        assert cap, f"requirements.txt: {lines[i]!r} has no cap below the next minor release"
        # the comment above it names what is private: tests/test_project.py
        installed = tuple(int(part) for part in metadata.version(library).split(".")[:2])
        assert installed < (int(cap.group(1)), int(cap.group(2))), (library, installed)
