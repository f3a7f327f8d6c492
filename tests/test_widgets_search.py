"""The apps of notebook 01: grid against random search, and coarse-to-fine with a drag to zoom."""

import math
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backend_bases import MouseEvent

from course_utils import search
from course_utils.widgets import search as apps
from course_utils.widgets.search import CoarseToFine, GridVsRandom


@pytest.fixture
def grid_vs_random():
    app = GridVsRandom()
    yield app
    plt.close(app.fig)


@pytest.fixture
def coarse_to_fine():
    app = CoarseToFine()
    yield app
    plt.close(app.fig)


def _quoted(text, pattern):
    return float(re.search(pattern, text).group(1))


# ---------------------------------------------------------------- GridVsRandom


def test_grid_vs_random_shows_the_trials_their_distinct_x1_and_the_best(grid_vs_random):
    app = grid_vs_random
    for k in (2, 5, 7):
        app.controls["n_per_axis"].value = k
        grid = search.grid_search(search.BumpObjective().space, k)
        expected = np.array([[c["x1"], c["x2"]] for c in grid])
        assert np.allclose(app.panels["grid"]["trials"].get_xydata(), expected)
        assert len(app.panels["random"]["trials"].get_xdata()) == k * k
        f = app.objective()
        for kind, distinct in (("grid", k), ("random", k * k)):
            panel = app.panels[kind]
            x1, x2 = panel["trials"].get_data()
            scores = f.value(x1, x2)
            assert len(panel["rug"].get_xdata()) == distinct  # the rug: one tick per value
            assert sorted(panel["rug"].get_xdata()) == sorted(set(x1))
            best = np.argmax(scores)
            assert panel["best"].get_xydata()[0] == pytest.approx([x1[best], x2[best]])
            title = panel["ax"].get_title()
            assert f"{distinct} values of x1" in title
            assert _quoted(title, r"best f = ([\d.]+)") == pytest.approx(scores.max(), abs=0.005)
        assert app.note.get_text().startswith(
            f"{k * k} trials: the grid tries {k} values of x1, random search {k * k}"
        )


def test_grid_vs_random_heat_map_is_the_objective_at_the_cell_centres(grid_vs_random):
    app = grid_vs_random
    app.controls["w"].value = 0.6
    image = app.panels["random"]["image"].get_array()  # (n, n, 4): the colour of f in each cell
    n = image.shape[0]
    ticks = (np.arange(n) + 0.5) / n
    x1, x2 = np.meshgrid(ticks, ticks)  # row i: x2 = ticks[i]
    assert np.array_equal(image, apps.HEAT(app.objective().value(x1, x2), bytes=True))


def test_grid_vs_random_more_trials_keep_the_earlier_random_ones(grid_vs_random):
    app = grid_vs_random
    app.controls["n_per_axis"].value = 3
    few = app.panels["random"]["trials"].get_xydata().copy()
    app.controls["n_per_axis"].value = 6
    assert np.array_equal(app.panels["random"]["trials"].get_xydata()[: len(few)], few)


def test_grid_vs_random_random_wins_on_most_seeds_when_only_x1_matters(grid_vs_random):
    """w = 0: random search wins on every seed shown; w = 1: the grid wins on some of them."""
    app = grid_vs_random

    def random_wins():
        wins = 0
        for seed in range(apps.SEEDS):
            app.controls["seed"].value = seed
            grid, random = (
                _quoted(app.panels[k]["ax"].get_title(), r"best f = ([\d.]+)")
                for k in ("grid", "random")
            )
            wins += random > grid
            if random != grid:
                verdict = "and random search gets" if random > grid else "yet the grid gets"
                assert f"{verdict} closer to the optimum" in app.note.get_text()
        return wins

    assert random_wins() >= 0.9 * apps.SEEDS
    app.controls["w"].value = 1.0
    assert random_wins() < 0.9 * apps.SEEDS


# ---------------------------------------------------------------- CoarseToFine


def _inside(inner, outer, slack=1e-9):
    return all(
        o[0] - slack <= i[0] < i[1] <= o[1] + slack for i, o in zip(inner, outer, strict=True)
    )


def _width(box):
    return [high - low for low, high in box]


def _drag(app, start, end):
    """Press at start, move to end, release there: (u_alpha, u_momentum) points on the map."""
    canvas, ax = app.fig.canvas, app.ax_map
    canvas.draw()
    (x0, y0), (x1, y1) = ax.transData.transform([start, end])
    for name, x, y in (
        ("button_press_event", x0, y0),
        ("motion_notify_event", (x0 + x1) / 2, (y0 + y1) / 2),
        ("motion_notify_event", x1, y1),
        ("button_release_event", x1, y1),
    ):
        event = MouseEvent(name, canvas, x, y, button=1)
        canvas.callbacks.process(name, event)


def test_a_drag_on_the_map_chooses_the_next_rounds_box(coarse_to_fine):
    app = coarse_to_fine
    before = app.rounds()[1]["box"]
    _drag(app, (0.6, 0.2), (0.8, 0.5))
    assert app.failures == []
    assert app.controls["round"].value == 2  # moved on to the round the drag chose
    box = app.rounds()[1]["box"]
    assert box != before
    assert np.allclose(box, ((0.6, 0.8), (0.2, 0.5)), atol=2e-3)  # to the pixel
    assert app.chosen == {1: box}
    # round 2's trials lie in the box, the box is drawn, and the takeaway says whose it is
    u = app.rounds()[1]["u"]
    assert np.all((u >= [box[0][0], box[1][0]]) & (u <= [box[0][1], box[1][1]]))
    assert app.boxes[1].get_visible()
    assert app.boxes[1].get_x() == pytest.approx(box[0][0])
    assert app.boxes[1].get_width() == pytest.approx(box[0][1] - box[0][0])
    assert app.note.get_text().startswith("Round 2 searched your box")
    # the next round zooms automatically inside the chosen box
    assert _inside(app.rounds()[2]["box"], box)


def test_a_click_without_a_drag_and_a_drag_after_the_last_round_change_nothing(coarse_to_fine):
    app = coarse_to_fine
    rounds = app.rounds()
    _drag(app, (0.5, 0.5), (0.5, 0.5))
    assert app.chosen == {} and app.controls["round"].value == 1
    app.controls["round"].value = apps.ROUNDS
    _drag(app, (0.1, 0.1), (0.4, 0.4))
    assert app.failures == [] and app.chosen == {}
    assert app.note.get_text().startswith(f"Round {apps.ROUNDS} is the last")
    for a, b in zip(rounds, app.rounds(), strict=True):
        assert a["box"] == b["box"] and np.array_equal(a["u"], b["u"])


def test_a_drag_past_the_edges_is_cut_at_the_space(coarse_to_fine):
    app = coarse_to_fine
    _drag(app, (-0.02, 0.7), (0.2, 1.02))  # from outside the square to its far corner
    assert np.allclose(app.chosen[1], ((0.0, 0.2), (0.7, 1.0)), atol=2e-3)
    assert _inside(app.chosen[1], ((0, 1), (0, 1)), slack=0)


def test_boxes_never_leave_the_space_whatever_is_asked(coarse_to_fine):
    app = coarse_to_fine
    rng = np.random.default_rng(0)
    space = search.toy_accuracy_space()
    for _ in range(60):
        after = int(rng.integers(1, apps.ROUNDS))
        app.controls["round"].value = after
        ends = rng.uniform(-0.5, 1.5, size=(2, 2))
        if rng.random() < 0.3:
            ends[0, 1] = ends[0, 0]  # no width at all
        box = app.zoom_unit(ends)
        assert _inside(box, ((0, 1), (0, 1)), slack=0)
        assert min(_width(box)) >= apps.MIN_WIDTH - 1e-12
        for h in app.rounds():
            assert _inside(h["box"], ((0, 1), (0, 1)), slack=0)
            assert all(space["alpha"].contains(h["alpha"]))
            assert all(space["momentum"].contains(h["momentum"]))
    assert app.failures == []


def test_zoom_in_values_and_its_errors(coarse_to_fine):
    app = coarse_to_fine
    used = app.zoom((1e-3, 1e-2), (0.95, 0.99))
    assert used[0] == pytest.approx((1e-3, 1e-2)) and used[1] == pytest.approx((0.95, 0.99))
    box = app.rounds()[1]["box"]
    assert np.allclose(box, ((0.25, 0.5), (np.log10(2) / 2, 0.5)))
    # values outside the space are cut at its ends
    used = app.zoom((1e-7, 1e-3), (0.5, 0.9999), after_round=1)
    assert np.allclose(used, ((1e-4, 1e-3), (0.9, 0.999)), rtol=1e-12, atol=0)
    with pytest.raises(ValueError, match="round 4 is the last"):
        app.zoom_unit(((0, 1), (0, 1)), after_round=apps.ROUNDS)


def test_choosing_again_after_an_earlier_round_drops_the_later_choices(coarse_to_fine):
    app = coarse_to_fine
    app.zoom_unit(((0.2, 0.4), (0.3, 0.5)))  # after round 1
    app.zoom_unit(((0.25, 0.3), (0.35, 0.4)))  # after round 2
    assert set(app.chosen) == {1, 2} and app.controls["round"].value == 3
    app.zoom_unit(((0.5, 0.9), (0.1, 0.3)), after_round=1)
    assert set(app.chosen) == {1} and app.controls["round"].value == 2
    app.reset()
    assert app.chosen == {}


def test_automatic_rounds_narrow_as_search_narrow_does(coarse_to_fine):
    app = coarse_to_fine
    space = search.toy_accuracy_space()
    for seed in range(apps.SEEDS):
        for n in (5, 15, 30):
            app.controls["seed"].value, app.controls["trials"].value = seed, n
            history = app.rounds()
            assert history[0]["box"] == ((0.0, 1.0), (0.0, 1.0))
            for before, after in zip(history, history[1:], strict=False):
                assert _inside(after["box"], before["box"])
                assert all(
                    a <= apps.SHRINK * b + 1e-9
                    for a, b in zip(_width(after["box"]), _width(before["box"]), strict=True)
                )
                # the very box search.narrow gives around the best ceil(KEEP * n) trials
                keep = math.ceil(apps.KEEP * n)
                best = np.argsort(-before["accuracy"], kind="stable")[:keep]
                configs = [
                    {"alpha": float(before["alpha"][j]), "momentum": float(before["momentum"][j])}
                    for j in best
                ]
                new = search.narrow(app._box_space(before["box"]), configs, apps.SHRINK)
                for (low, high), (name, scale) in zip(after["box"], space.items(), strict=True):
                    assert scale.from_unit(np.array([low, high])) == pytest.approx(
                        [new[name].low, new[name].high], rel=1e-9
                    )
                # and its trials lie inside it
                u = after["u"]
                (a_low, a_high), (m_low, m_high) = after["box"]
                assert np.all((u[:, 0] >= a_low) & (u[:, 0] <= a_high))
                assert np.all((u[:, 1] >= m_low) & (u[:, 1] <= m_high))


def test_best_so_far_never_gets_worse_and_is_what_the_figure_quotes(coarse_to_fine):
    app = coarse_to_fine
    for seed in (0, 3, 7):
        app.controls["seed"].value = seed
        quoted = []
        for r in range(1, apps.ROUNDS + 1):
            app.controls["round"].value = r
            history = app.rounds()[:r]
            accuracy = np.concatenate([h["accuracy"] for h in history])
            steps = app.best_line.get_ydata()
            assert np.all(np.diff(steps) >= 0)
            assert steps[-1] == pytest.approx(accuracy.max())
            best = _quoted(app.ax_map.get_title(), r"best so far ([\d.]+)%")
            assert best == pytest.approx(100 * accuracy.max(), abs=0.05)
            u = np.concatenate([h["u"] for h in history])
            assert app.best_mark.get_xydata()[0] == pytest.approx(u[np.argmax(accuracy)])
            quoted.append(best)
            # only the rounds so far are shown, and the next round's box when there is one
            assert [p.get_visible() for p in app.points] == [i < r for i in range(apps.ROUNDS)]
            assert app.next_box.get_visible() == (r < apps.ROUNDS)
        assert quoted == sorted(quoted)
        assert quoted[-1] > 90  # four rounds of coarse-to-fine come close to the 95% possible


@pytest.mark.parametrize(
    "share, text",
    [
        (1.0, "100%"),
        (0.25, "25%"),
        (0.0625, "6.2%"),
        (0.001, "0.1%"),
        (apps.MIN_WIDTH**2, "0.04%"),
        (0.997, "99.7%"),
        (0.99999, "99.999%"),
        (1 - 1e-9, "nearly 100%"),
    ],
)
def test_shares_of_the_space_read_as_plain_percentages(share, text):
    assert apps._percent(share) == text


def test_the_takeaway_quotes_the_share_of_the_space_the_round_searched(coarse_to_fine):
    """The whole space reads 100% (not 1e+02%); every share is the box's area, never in
    exponent form, in automatic rounds and in chosen boxes alike."""
    app = coarse_to_fine
    app.zoom_unit(((0.0, 1.0), (0.0, 1.0)))  # round 2 searches the whole space again
    assert "searched your box, 100% of the space:" in app.note.get_text()
    app.zoom_unit(((0.2, 0.25), (0.5, 0.52)), after_round=1)  # 0.05 x 0.02
    assert "searched your box, 0.1% of the space:" in app.note.get_text()
    app.reset()
    for seed in (0, 3):
        app.controls["seed"].value = seed
        for r in range(2, apps.ROUNDS + 1):
            app.controls["round"].value = r
            note = app.note.get_text()
            assert f"zoomed around round {r - 1}'s best" in note
            area = math.prod(_width(app.rounds()[r - 1]["box"]))
            assert f", {apps._percent(area)} of the space:" in note
            assert "e+" not in note and "e-" not in note
