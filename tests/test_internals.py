"""The private parts of matplotlib, ipympl and ipywidgets the course relies on, each checked by
itself.

course_utils/compat.py holds every use of them and names the releases they are proven on;
requirements.txt caps matplotlib and ipympl below their next minor release, with a comment
naming what the course touches. Before the cap is raised, CI installs the new release (its proven
versions: constraints.txt) and these tests say in one sentence what changed and where the
course uses it, instead of a figure that quietly draws wrong.
"""

import re
from importlib import metadata
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.backends.backend_agg import RendererAgg

from course_utils import compat

from . import support

ROOT = Path(__file__).resolve().parents[1]


def _where(library):
    return f"{library} {metadata.version(library)}"


def test_agg_renderer_core_draws_text_images():
    """compat.replay_glyphs draws a cached glyph image through Agg's C++ core."""
    core = getattr(RendererAgg(20, 20, 72), "_renderer", None)
    assert core is not None and callable(getattr(core, "draw_text_image", None)), (
        f"{_where('matplotlib')}: RendererAgg._renderer.draw_text_image is gone; "
        "compat.recording_glyphs and replay_glyphs draw text through it (see requirements.txt)"
    )


def test_pyplot_figures_draw_themselves_through_stale_callback():
    """compat.no_pyplot_redraw sets fig.stale_callback to None so that pyplot does not redraw
    on each changed artist (the app redraws once per move): that is pyplot's only hook.

    pyplot sets it on a figure made while its display hook for a plain Python prompt is on:
    under ``plt.ion()`` here, and in a session's first figure (matplotlib turns the hook on as
    it loads its backend, and ``plotting.figure``'s ``plt.ioff()`` turns it off again after).
    """
    with plt.ion():
        fig = plt.figure()
    try:
        hook = fig.stale_callback
        assert callable(hook) and hook.__name__ == "_auto_draw_if_interactive", (
            f"{_where('matplotlib')}: a pyplot figure's stale_callback is {hook!r}, not pyplot's "
            "_auto_draw_if_interactive; compat.no_pyplot_redraw switches that one off"
        )
    finally:
        plt.close(fig)


def test_ipympl_canvas_has_what_compat_uses():
    """compat.py: the canvas' syncing_data_url (off: its state holds no data URL), its message
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
        f"{_where('ipympl')}: its Canvas has no {', '.join(missing)}; course_utils/compat.py "
        "and live.py use them (see their docstrings)"
    )
    compat.binary_images_only(canvas)
    sent = []
    canvas.send = lambda content, buffers=None: sent.append(buffers)
    canvas.send_binary(b"a PNG")
    assert sent == [[b"a PNG"]] and canvas._data_url is None, (
        f"{_where('ipympl')}: with syncing_data_url off, send_binary no longer sends the image "
        "as it is and leaves the data URL alone; compat.binary_images_only relies on it"
    )
    canvas.close()


def _release(text):
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def test_the_requirements_allow_just_the_releases_compat_is_proven_on():
    """requirements.txt: from compat.PROVEN's lowest release to below the minor release after
    its highest; the installed release lies in that range."""
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    for library, (lowest, highest) in compat.PROVEN.items():
        (line,) = [line for line in lines if re.match(rf"{library}\b", line)]
        bounds = re.fullmatch(rf"{library}>=([\d.]+),<([\d.]+)", line)
        assert bounds, f"requirements.txt: {line!r} is not '{library}>=LOW,<CAP'"
        # the comment above it names what is private: tests/test_project.py
        major, minor = _release(highest)[:2]
        assert _release(bounds.group(1)) == _release(lowest), (line, compat.PROVEN[library])
        assert _release(bounds.group(2)) == (major, minor + 1), (line, compat.PROVEN[library])
        installed = _release(metadata.version(library))
        assert _release(lowest) <= installed < (major, minor + 1), (library, installed)


def test_ipywidgets_echoes_a_pages_move_unless_no_echo_says_not_to():
    """compat.no_echo sets the trait metadata ipywidgets reads before it echoes a value back
    (a FloatSlider syncs its value, a SelectionSlider its index). If a new ipywidgets stops
    echoing, no_echo can go; if it stops reading that metadata, the echo comes back."""
    import ipywidgets as widgets

    for control in (widgets.FloatSlider(), widgets.SelectionSlider(options=["a", "b"])):
        name = "index" if "index" in control.keys else "value"
        (echo,) = support.page_moves(control, 1)
        assert echo["method"] == "echo_update" and echo["state"] == {name: 1}
        compat.no_echo(control)
        assert support.page_moves(control, 0) == []
