"""course_utils.live and App.redraw: whole images only, nothing before the page is ready, and
blitted frames that are the same pixels as drawing everything again."""

import html
import io
import threading

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from course_utils import compat, live, plotting
from course_utils.widgets import all_apps
from course_utils.widgets.batchnorm import GammaBeta

from . import support
from .test_widgets import _values

APPS = all_apps()
MAX_ORDER_PIXELS = 20  # of ~177,000: where drawing the moving artists last changes the order


@pytest.fixture
def ipympl_canvas():
    """A factory of ipympl canvases for course figures; the messages they send are recorded."""
    backend = plt.get_backend()
    try:
        from ipympl.backend_nbagg import new_figure_manager_given_figure  # switches pyplot
    finally:
        plt.switch_backend(backend)  # the other tests draw with Agg
    made = []

    def attach(fig):
        canvas = new_figure_manager_given_figure(1000 + len(made), fig).canvas
        canvas.sent = []
        canvas.send = lambda content, buffers=None: canvas.sent.append((content, buffers))
        made.append(fig)
        return canvas

    yield attach
    for fig in made:
        plt.close(fig)


def _images(canvas):
    """The images the canvas sent, decoded: [(H, W, 4) uint8]."""
    return [
        np.asarray(Image.open(io.BytesIO(bytes(buffers[0]))).convert("RGBA"))
        for _content, buffers in canvas.sent
        if buffers
    ]


def _page_says(canvas, message_type):
    """What ipywidgets does with a custom message from the page: calls the on_msg handlers."""
    canvas._handle_custom_msg({"type": message_type}, [])


def test_every_image_of_a_course_figure_is_sent_whole_never_as_a_diff(ipympl_canvas):
    """matplotlib sends a diff (unchanged pixels transparent) unless a pixel is translucent."""
    fig, ax = plotting.figure()
    (line,) = ax.plot([0, 1], [0, 1])
    plotting.label(ax, "t", "x", "y")
    canvas = ipympl_canvas(fig)
    _page_says(canvas, "initialized")
    canvas.draw()
    line.set_ydata([0, 0.5])
    canvas.draw()  # a small change: would be a diff image for an opaque figure
    images = _images(canvas)
    assert len(images) == 2
    for image in images:
        assert image[..., 3].min() > 0, "a diff image (transparent pixels) was sent"
    assert not np.array_equal(images[0], images[1])


def test_an_opaque_figure_would_be_sent_as_a_diff(ipympl_canvas):
    """The other side of the test above: without the translucent background, diffs go out."""
    fig, ax = plotting.figure()
    fig.patch.set_alpha(1.0)
    (line,) = ax.plot([0, 1], [0, 1])
    canvas = ipympl_canvas(fig)
    _page_says(canvas, "initialized")
    canvas.draw()
    line.set_ydata([0, 0.5])
    canvas.draw()
    assert _images(canvas)[1][..., 3].min() == 0


def test_the_background_looks_white():
    fig, _ = plotting.figure()
    assert round(255 * fig.patch.get_alpha()) == 254
    plt.close(fig)


def test_an_app_draws_nothing_before_the_page_is_ready_then_sends_pngs(ipympl_canvas):
    """ipympl 0.10 (#472) sent raw pixels for an image drawn before "initialized"."""
    app = GammaBeta()
    canvas = ipympl_canvas(app.fig)
    app._connect()  # as an app built under %matplotlib widget: it watches its canvas
    app.controls["gamma"].value = 2.0
    assert _images(canvas) == []  # drawn before the page is ready: nothing sent
    _page_says(canvas, "initialized")
    app.controls["gamma"].value = 3.0
    buffers = [bytes(b[0]) for _c, b in canvas.sent if b]
    assert len(buffers) == 1 and buffers[0].startswith(b"\x89PNG")
    assert _images(canvas)[0][..., 3].min() > 0


def test_a_draw_the_page_asks_for_before_it_says_initialized_sends_a_png(ipympl_canvas):
    """JupyterLab 4.6 can deliver a page's "draw" before its "initialized" (main shell vs
    subshell): ipympl 0.10 then sent raw pixels and kept a broken data URL (#472)."""
    fig, ax = plotting.figure()
    ax.plot([0, 1], [0, 1])
    canvas = ipympl_canvas(fig)
    compat.binary_images_only(canvas)  # what plotting.figure does under %matplotlib widget
    data_url = canvas._data_url
    canvas.draw()  # the page's "draw" request, no "initialized" yet
    (buffer,) = [bytes(b[0]) for _c, b in canvas.sent if b]
    assert buffer.startswith(b"\x89PNG")
    assert canvas._data_url == data_url  # no data URL kept for the widget's state


def test_without_it_ipympl_sends_raw_pixels_before_initialized(ipympl_canvas):
    """The other side of the test above: if a new ipympl fixes #472, this fails and
    binary_images_only may go."""
    fig, ax = plotting.figure()
    canvas = ipympl_canvas(fig)
    canvas.draw()
    (buffer,) = [bytes(b[0]) for _c, b in canvas.sent if b]
    assert not buffer.startswith(b"\x89PNG")


def test_a_course_figure_under_ipympl_keeps_no_data_url():
    backend = plt.get_backend()
    plt.switch_backend("module://ipympl.backend_nbagg")
    try:
        fig, _ = plotting.figure()
        assert fig.canvas.syncing_data_url is False
        plt.close(fig)
    finally:
        plt.switch_backend(backend)


def test_an_app_frame_travels_as_ipympls_own_images_and_shows_the_figure(ipympl_canvas):
    """If a new ipympl sends its images otherwise, this fails: live.send_frame must follow."""
    fig, ax = plotting.figure()
    ax.plot([0, 1], [0, 1])
    canvas = ipympl_canvas(fig)
    _page_says(canvas, "initialized")
    canvas.draw()  # ipympl's own way: draw, encode, send_binary
    live.send_frame(canvas)
    (theirs, their_buffers), (ours, our_buffers) = [m for m in canvas.sent if m[1]]
    assert ours == theirs
    assert len(our_buffers) == len(their_buffers) == 1
    matplotlibs, mine = _images(canvas)
    assert np.abs(mine.astype(int) - matplotlibs.astype(int))[..., :3].max() <= 1
    assert mine[..., 3].min() == 255  # opaque: the page paints it whole


def test_two_threads_drawing_one_app_figure_never_send_a_wrong_image(ipympl_canvas):
    """JupyterLab 4.6 handles widget messages on a kernel subshell thread while cells run on
    the main thread: the page's own draw requests and an app's frames can come at once."""
    app = GammaBeta()
    canvas = ipympl_canvas(app.fig)
    app._connect()
    _page_says(canvas, "initialized")
    canvas.draw()
    picture = _images(canvas)[-1][..., :3].astype(int)
    stop = threading.Event()

    def page_draws():
        while not stop.is_set():
            canvas.draw()

    page = threading.Thread(target=page_draws)
    page.start()
    try:
        for _ in range(20):
            app._on_change(None)  # the same values: every image shows the same picture
    finally:
        stop.set()
        page.join()
    images = _images(canvas)
    assert len(images) > 20
    wrong = [int(np.any(np.abs(i[..., :3] - picture) > 1, axis=-1).sum()) for i in images]
    assert max(wrong) <= MAX_ORDER_PIXELS, f"{sum(w > MAX_ORDER_PIXELS for w in wrong)} wrong"


def test_a_live_apps_takeaway_is_a_line_of_html_under_its_figure(ipympl_canvas):
    """Rasterising a new sentence on every move cost more than the rest of a frame."""
    app = GammaBeta()
    fig = app.fig
    fig.canvas.draw()  # Agg, the takeaway in the figure: where it is drawn
    band = app.note.get_window_extent()
    assert app.takeaway_line is None and app.note.get_visible()
    assert len(app.widget.children) == 3  # controls, the static figure, errors

    canvas = ipympl_canvas(fig)
    app._connect()
    _page_says(canvas, "initialized")
    app.controls["gamma"].value = 2.0
    assert "std gamma = 2.00" in app.note.get_text()
    assert html.escape(app.note.get_text()) in app.takeaway_line.value
    assert list(app.widget.children[1:3]) == [canvas, app.takeaway_line]
    assert not app.note.get_visible()
    image = _images(canvas)[-1]
    height = image.shape[0]
    rows = slice(height - int(band.y1) - 1, height - int(band.y0) + 1)
    cols = slice(int(band.x0), int(band.x1) + 1)
    assert (image[rows, cols, :3] >= 250).all(), "the frame still holds the takeaway's pixels"
    assert plotting.figure_problems(fig) == []  # the hidden Text still holds the sentence


def test_live_knows_the_ipympl_canvas_from_agg(ipympl_canvas):
    fig, _ = plotting.figure()
    assert not live.is_live(fig.canvas)  # the tests' Agg
    assert live.is_live(ipympl_canvas(fig))


def _buffer(app):
    return np.asarray(app.fig.canvas.buffer_rgba()).copy()


def _set(app, name, value):
    """Change a control and update the artists, without the redraw (the test draws itself)."""
    app._batching = True
    try:
        app.controls[name].value = value
    finally:
        app._batching = False
    app._guarded(app.update)
    assert not app.failures, app.failures[-1]


def _sweep(app, per_control=6):
    """A few values of every control, one after the other, then back to the start."""
    for name, control in app.controls.items():
        values = _values(control)
        picks = [values[int(i)] for i in np.linspace(0, len(values) - 1, per_control)]
        start = control.value
        for value in [*picks, start]:
            yield name, value


@pytest.mark.exhaustive
@pytest.mark.parametrize("cls", APPS, ids=lambda c: c.__name__)
def test_a_blitted_frame_is_the_same_as_drawing_the_whole_figure_again(cls):
    """Whatever changed, the frame is right: the background is redrawn whenever it is stale."""
    app = cls()
    app._draw_frame()
    blitted = 0
    for name, value in _sweep(app):
        full_before = app._background is None or app.fig.stale
        _set(app, name, value)
        draws = app.fig.draws
        app._draw_frame()
        blitted += app.fig.draws == draws and not full_before
        frame = _buffer(app)
        FigureCanvasAgg.draw(app.fig.canvas)  # every artist in its z-order, as the page's draws
        plain = _buffer(app)
        app._background = None  # forget the background: everything drawn afresh
        app._draw_frame()
        fresh = _buffer(app)
        assert np.array_equal(frame, fresh), f"{cls.__name__}: {name} = {value!r}: stale pixels"
        # the moving artists are drawn last: where a still artist lies over them, a few pixels
        # may differ from a plain draw (the moving lists keep such artists to a handful)
        differ = int(np.any(frame != plain, axis=-1).sum())
        assert differ <= MAX_ORDER_PIXELS, (
            f"{cls.__name__}: {name} = {value!r}: {differ} pixels differ from a plain draw"
        )
    if app.moving:
        assert blitted, f"{cls.__name__} lists moving artists but never blitted"
    plt.close(app.fig)


@pytest.mark.parametrize("cls", APPS, ids=lambda c: c.__name__)
def test_the_moving_artists_belong_to_the_figure(cls):
    app = cls()
    everything = set(app.fig.findobj())
    assert all(artist in everything for artist in app.moving)
    assert len(set(app.moving)) == len(app.moving)
    plt.close(app.fig)


def test_a_draw_by_the_page_makes_the_next_frame_draw_the_background_again():
    app = GammaBeta()
    app._draw_frame()
    app.fig.canvas.draw()  # what the page's own "draw" request does
    draws = app.fig.draws
    _set(app, "beta", 1.0)
    app._draw_frame()
    assert app.fig.draws == draws + 1
    plt.close(app.fig)


def test_only_moving_artists_changed_means_a_blit():
    app = GammaBeta()
    app._draw_frame()
    draws = app.fig.draws
    for beta in np.linspace(-1, 1, 5):
        _set(app, "beta", float(beta))  # moves the histogram, same height
        app._draw_frame()
    assert app.fig.draws == draws
    plt.close(app.fig)


@pytest.mark.parametrize("cls", APPS, ids=lambda c: c.__name__)
def test_a_frame_is_a_png_of_exactly_the_canvas_and_no_larger_than_pillows(cls):
    """live.frame_png writes its rows unfiltered: the same pixels, and compressed about as well
    as Pillow's encoder, which filters every row (one frame of each app)."""
    app = cls()
    FigureCanvasAgg.draw(app.fig.canvas)
    png = live.frame_png(app.fig.canvas)
    image = Image.open(io.BytesIO(png))
    image.load()  # checks every chunk's CRC and the compressed data
    assert (image.format, image.mode) == ("PNG", "RGB")
    rgba = _buffer(app)
    assert np.array_equal(np.asarray(image), rgba[..., :3])
    with io.BytesIO() as pillows:
        Image.fromarray(rgba).convert("RGB").save(pillows, format="png", compress_level=1)
        assert len(png) <= 1.2 * len(pillows.getvalue()), (len(png), len(pillows.getvalue()))
    plt.close(app.fig)


def test_an_apps_controls_send_no_echo_of_what_the_page_moved():
    """compat.no_echo: a page's move reaches the app, and nothing is sent back for it."""
    app = GammaBeta()
    gamma = app.controls["gamma"]
    draws = app.fig.draws
    assert support.page_moves(gamma, 2.0) == []
    assert gamma.value == 2.0 and app.fig.draws > draws  # the move was taken and drawn
    plt.close(app.fig)
