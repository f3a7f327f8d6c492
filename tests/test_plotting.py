"""plotting.figure_problems: what a course figure must have, and nothing cut off."""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.image import AxesImage
from packaging.version import Version

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


def test_unchanged_text_is_replayed_from_the_cache_not_rasterised_again(monkeypatch):
    """On every matplotlib the course allows (3.8-3.10 hand Agg a string's bitmap, 3.11 one
    image per glyph): the second draw of an unchanged figure lays out and rasterises no text,
    and its pixels are the first draw's."""
    from matplotlib.backends.backend_agg import RendererAgg

    fig, ax = _labelled_figure()
    fig.canvas.draw()
    first = np.asarray(fig.canvas.buffer_rgba()).copy()
    assert "A title" in {key[0] for key in fig._text_cache}, (
        f"matplotlib {mpl.__version__}: the title was drawn but not recorded"
    )
    rasterised = []
    agg_draw_text = RendererAgg.draw_text

    def counting_draw_text(self, gc, x, y, s, *args, **kwargs):
        rasterised.append(s)
        return agg_draw_text(self, gc, x, y, s, *args, **kwargs)

    monkeypatch.setattr(RendererAgg, "draw_text", counting_draw_text)
    fig.canvas.draw()
    assert rasterised == [], f"matplotlib {mpl.__version__}: drawn again: {rasterised}"
    assert np.array_equal(np.asarray(fig.canvas.buffer_rgba()), first)
    plt.close(fig)


def test_fit_height_grows_at_once_and_shrinks_only_when_the_bars_fill_under_a_third():
    fig, ax = plotting.figure()
    margin = 1.5
    plotting.fit_height(ax, 100, margin=margin)
    assert ax.get_ylim() == (0, margin * 128)
    plotting.fit_height(ax, 129, margin=margin)  # no longer fits: up at once
    assert ax.get_ylim() == (0, margin * 256)
    for count in (127, 129, 100, 200, 86, 256):  # wavering around 128: the limit stays
        plotting.fit_height(ax, count, margin=margin)
        assert ax.get_ylim() == (0, margin * 256), count
    plotting.fit_height(ax, 85, margin=margin)  # under a third of 256: down to fit it
    assert ax.get_ylim() == (0, margin * 128)
    for count in (0, 1, 2, 3, 1000, 5):  # every bar always fits, with its margin
        plotting.fit_height(ax, count, margin=margin)
        assert margin * max(count, 1) <= ax.get_ylim()[1] < 3 * margin * max(count, 1)
    plt.close(fig)


def _pixels_of(fig):
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


EXTENTS = [(0.0, 1.0, 0.0, 1.0), (-2.3, 3.1, -1.7, 4.4), (5.0, -1.0, 0.5, 7.5)]


def _colour_figure(colours, origin, dpi, draw):
    """Three panels of colours, one per extent (the middle one cut by its axes), drawn by draw."""
    fig, axes = plotting.figure(1, 3, dpi=dpi)
    for ax, extent in zip(axes, EXTENTS, strict=True):
        if draw == "imshow":
            ax.imshow(colours, extent=extent, origin=origin, interpolation="nearest")
            ax.set_aspect("auto")
        else:
            image = plotting.colour_image(ax, colours, extent, origin=origin)
            assert isinstance(image, plotting.ColourImage)
    axes[1].set_xlim(-1, 2)
    return fig, axes


def _random_colours(shape):
    colours = np.random.default_rng(0).integers(0, 256, (*shape, 4), dtype=np.uint8)
    colours[..., 3] = 255
    return colours


@pytest.mark.parametrize("shape", [(8, 8), (37, 53)])
@pytest.mark.parametrize("origin", ["lower", "upper"])
@pytest.mark.parametrize("dpi", [72, 137])
def test_a_colour_image_shows_each_cell_where_its_extent_puts_it(shape, origin, dpi):
    colours = _random_colours(shape)
    fig, axes = _colour_figure(colours, origin, dpi, "colour_image")
    pixels = _pixels_of(fig)
    rows, cols = shape
    checked = 0
    for ax, (left, right, bottom, top) in zip(axes, EXTENTS, strict=True):
        for i in range(rows):
            for j in range(cols):
                # the centre of cell (i, j): row 0 at the bottom (origin lower) or top (upper)
                x = left + (j + 0.5) / cols * (right - left)
                r = i if origin == "lower" else rows - 1 - i
                y = bottom + (r + 0.5) / rows * (top - bottom)
                px, py = ax.transData.transform((x, y))
                if not ax.bbox.contains(px, py):
                    continue  # cut by the axes
                assert np.array_equal(pixels[pixels.shape[0] - 1 - int(py), int(px)], colours[i, j])
                checked += 1
    assert checked > rows * cols  # the whole of two panels, part of the third
    plt.close(fig)


@pytest.mark.skipif(
    Version(mpl.__version__) < Version("3.11"),
    reason="matplotlib before 3.11 places some cell edges of an image a pixel apart",
)
@pytest.mark.parametrize("shape", [(100, 100), (8, 8), (37, 53)])
@pytest.mark.parametrize("origin", ["lower", "upper"])
@pytest.mark.parametrize("dpi", [72, 137])
def test_a_colour_image_draws_the_pixels_imshow_draws(shape, origin, dpi):
    colours = _random_colours(shape)
    figures = [_colour_figure(colours, origin, dpi, draw)[0] for draw in ("imshow", "colour")]
    reference, drawn = (_pixels_of(fig) for fig in figures)
    assert np.array_equal(drawn, reference)
    for fig in figures:
        plt.close(fig)


def test_a_colour_image_with_alpha_is_drawn_by_matplotlib_as_usual():
    colours = np.full((4, 4, 4), 200, np.uint8)
    fig, ax = plotting.figure()
    image = plotting.colour_image(ax, colours, (0, 1, 0, 1))
    image.set_alpha(0.5)
    reference = AxesImage.make_image(image, fig.canvas.get_renderer())[0]
    assert np.array_equal(image.make_image(fig.canvas.get_renderer())[0], reference)
    plt.close(fig)
