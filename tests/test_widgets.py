"""The apps: every control swept over its range; no exception, warning or NaN; artists follow."""

import itertools
import re
import warnings

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import Collection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

from course_utils import plotting
from course_utils.widgets import App, all_apps
from course_utils.widgets import softmax as softmax_apps
from course_utils.widgets.batchnorm import BatchNoise, GammaBeta
from course_utils.widgets.batchnorm_test_time import OneExample, RunningEstimates
from course_utils.widgets.batchnorm_test_time import heights as bar_heights
from course_utils.widgets.scales import BetaMemory, ScaleExplorer
from course_utils.widgets.softmax import DeepVsLinear, SoftmaxBars, SoftmaxRegressionLive

APPS = all_apps()


def test_all_apps_finds_the_apps_of_every_notebook():
    known = {ScaleExplorer, BetaMemory, GammaBeta, BatchNoise, RunningEstimates, OneExample}
    known |= {SoftmaxBars, SoftmaxRegressionLive, DeepVsLinear}
    assert known <= set(APPS)
    assert len(APPS) == len(set(APPS))


#: Values swept per slider: every one of a short range; of a long one (an example, an epoch,
#: a sample size), this many spread over it, both ends included; the same code draws each.
SWEEP = 41


def _values(control):
    """The values a learner can give the control (all of them, or SWEEP of a long range)."""
    if isinstance(control, widgets.Checkbox | widgets.ToggleButton):
        return [False, True]
    if hasattr(control, "options"):
        return _option_values(control)
    if isinstance(control, widgets.IntRangeSlider):
        lo, hi = control.min, control.max
        return [(a, b) for a in range(lo, hi + 1) for b in range(a, hi + 1)]
    if isinstance(control, widgets.IntSlider):
        values = sorted(set(range(control.min, control.max + 1, control.step)) | {control.max})
        spread = np.linspace(0, len(values) - 1, SWEEP).round().astype(int)
        return [values[i] for i in np.unique(spread)]
    if isinstance(control, widgets.FloatSlider):
        return list(np.linspace(control.min, control.max, 41))
    raise TypeError(f"no sweep for {type(control).__name__}")


def _option_values(control):
    return [o[1] if isinstance(o, tuple) else o for o in control.options]


def _artist_state(fig, draw=True):
    """Everything the figure shows after a draw, as plain data: to detect change and find NaN."""
    if draw:
        fig.canvas.draw()
    state = []
    for artist in fig.findobj():
        if not artist.get_visible():
            continue
        if isinstance(artist, Line2D):
            state.append(np.asarray(artist.get_xydata(), dtype=float))
        elif isinstance(artist, Text):
            state.append(artist.get_text())
        elif isinstance(artist, Patch):
            state.append(np.asarray(artist.get_path().vertices, dtype=float))
            state.append(np.asarray(artist.get_patch_transform().get_matrix(), dtype=float))
        elif isinstance(artist, Collection):
            state.extend(np.asarray(p.vertices, dtype=float) for p in artist.get_paths())
    for ax in fig.axes:
        state.append(np.array(ax.get_xlim() + ax.get_ylim()))
    return state


def _has_nan(state):
    for item in state:
        if isinstance(item, str):
            if "nan" in item.lower().split() or "inf" in item.lower().split():
                return True
        elif np.any(~np.isfinite(item)):
            return True
    return False


def _same(a, b):
    return len(a) == len(b) and all(
        (x == y) if isinstance(x, str) else (np.shape(x) == np.shape(y) and np.allclose(x, y))
        for x, y in zip(a, b, strict=True)
    )


@pytest.fixture(params=APPS, ids=lambda cls: cls.__name__)
def app(request):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        made = request.param()
    yield made
    plt.close(made.fig)


def test_app_is_an_app_with_reachable_controls_and_figure(app):
    assert isinstance(app, App)
    assert app.controls and all(isinstance(c, widgets.ValueWidget) for c in app.controls.values())
    first = next(iter(app.controls.values()))
    assert isinstance(first, widgets.IntSlider | widgets.FloatSlider | widgets.SelectionSlider), (
        "the first control must be a slider (the browser test moves it with the keyboard)"
    )
    assert isinstance(app.widget, widgets.VBox)
    assert plotting.figure_problems(app.fig) == []


def test_an_app_is_a_widget_that_sits_in_other_widgets(app):
    """Shown like any widget (a widget view, so JupyterLab, Notebook 7, VS Code and Voila show
    it), and two apps side by side in an HBox."""
    assert isinstance(app, widgets.VBox)
    assert app.widget is app
    controls, figure_view = app.children[:2]
    assert all(control in controls.children for control in app.controls.values())
    assert app.errors in app.children
    bundle = app._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == app.model_id
    other = GammaBeta()
    side_by_side = widgets.HBox([app, other])
    assert side_by_side.children == (app, other)
    plt.close(other.fig)


@pytest.mark.exhaustive
def test_every_control_swept_over_its_range(app):
    """Each control alone over all its values, the others at their defaults."""
    for name, control in app.controls.items():
        default = control.value
        values = _values(control)
        for value in values:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                control.value = value  # the app draws (Agg: at once), its warnings count too
                state = _artist_state(app.fig, draw=app.fig.stale)  # drawn once, unless not yet
            assert app.failures == [], f"{name}={value!r}: {app.failures[-1]}"
            assert not _has_nan(state), f"NaN or inf in an artist at {name}={value!r}"
            assert plotting.figure_problems(app.fig) == []
        control.value = default


def test_artists_change_when_any_control_changes(app):
    for name, control in app.controls.items():
        default = control.value
        before = _artist_state(app.fig)
        values = _values(control)
        changed = [v for v in values if v != default]
        control.value = changed[len(changed) // 2]
        assert not _same(before, _artist_state(app.fig)), f"nothing changed when {name} changed"
        control.value = default
        assert _same(before, _artist_state(app.fig)), f"{name} back to default, figure differs"


@pytest.mark.exhaustive
def test_scale_explorer_every_combination_of_quantity_scale_and_range():
    app = ScaleExplorer()
    quantity, scale, exponents = (app.controls[k] for k in ("quantity", "scale", "exponents"))
    for q in quantity.options:
        quantity.value = q
        pairs = list(
            itertools.combinations_with_replacement(range(exponents.min, exponents.max + 1), 2)
        )
        for s in scale.options:
            scale.value = s
            for pair in pairs:
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    exponents.value = pair
                assert app.failures == []
                assert not _has_nan(_artist_state(app.fig))
                if pair[0] < pair[1]:
                    shares = [b.get_height() for b in app.bars if b.get_visible()]
                    assert len(shares) == pair[1] - pair[0]
                    assert sum(shares) == pytest.approx(1.0)
    plt.close(app.fig)


def test_scale_explorer_right_scale_gives_equal_shares_and_linear_crowds_the_top():
    app = ScaleExplorer()
    app.controls["n"].value = app.controls["n"].max
    app.controls["scale"].value = "log"
    log_shares = [b.get_height() for b in app.bars if b.get_visible()]
    app.controls["scale"].value = "linear"
    linear_shares = [b.get_height() for b in app.bars if b.get_visible()]
    assert max(log_shares) - min(log_shares) < 0.06
    assert linear_shares[-1] > 0.85
    assert (
        "90%" in app.note.get_text() or "89%" in app.note.get_text() or "91%" in app.note.get_text()
    )
    plt.close(app.fig)


def test_beta_memory_marks_one_over_one_minus_beta():
    app = BetaMemory()
    app.controls["beta"].value = 0.999
    assert app.memory_mark.get_xdata()[0] == pytest.approx(1000)
    assert app.memory_nudged.get_xdata()[0] == pytest.approx(2000)
    assert "+100%" in app.note.get_text()
    app.controls["beta"].value = 0.9
    assert "remembers 10.1 (+0.5%)" in app.note.get_text()
    plt.close(app.fig)


def test_beta_memory_quotes_the_real_share_of_its_last_steps():
    """The last k = round(1 / (1 - beta)) steps carry 1 - beta**k of the weight (the sum of
    (1 - beta) beta**j, j < k): 75% at 0.5, 65% at 0.9; 63% is only the limit as beta -> 1."""
    app = BetaMemory()
    app.controls["compare"].value = False
    for beta in _option_values(app.controls["beta"]):
        app.controls["beta"].value = beta
        k = round(1 / (1 - beta))
        share = sum((1 - beta) * beta**j for j in range(k))
        note = app.note.get_text()
        assert f"the last {k} carry {share:.0%} of the weight" in note, note
        assert app.share_dot.get_xydata()[0] == pytest.approx([k, share])
        if f"{share:.0%}" == "63%":
            assert note.endswith(", near the limit 1 - 1/e as beta -> 1."), note
        else:
            assert note.endswith(" (63% is the limit as beta -> 1)."), note
    for beta, quoted in ((0.5, "the last 2 carry 75%"), (0.9, "the last 10 carry 65%")):
        app.controls["beta"].value = beta
        assert quoted in app.note.get_text()
    plt.close(app.fig)


@pytest.mark.parametrize(
    "quantity, empty, other, end",
    [
        ("learning rate alpha", (-2, -2), (-3, -3), ("alpha = 0.01", "alpha = 0.001")),
        ("momentum beta", (-3, -3), (-1, -1), ("beta = 0.999", "beta = 0.9")),
    ],
)
def test_scale_explorer_an_empty_range_shows_nothing_stale_and_comes_back(
    quantity, empty, other, end
):
    app = ScaleExplorer()
    app.controls["quantity"].value = quantity
    exponents = app.controls["exponents"]
    default = exponents.value
    before = _artist_state(app.fig)
    for pair, value in zip((empty, other), end, strict=True):
        exponents.value = pair
        _artist_state(app.fig)  # drawn
        note = app.note.get_text()
        assert note.startswith("The range is empty: both ends at ") and value in note, note
        assert not app.hist.get_visible() and not app.fair.get_visible()
        assert not any(bar.get_visible() for bar in app.bars)
        assert not app.fair_key.get_visible()  # no key of a line that is not there
        for ticks in (app.ax_linear.get_xticks(), app.ax_linear.get_yticks()):
            assert len(ticks) == 0
        assert len(app.ax_decades.get_xticks()) == 0
        assert all(text.get_visible() for text in app.empty_notes)
        assert plotting.figure_problems(app.fig) == []
        assert app.failures == []
    app.controls["n"].value = 1000  # other controls leave it empty
    assert not app.hist.get_visible() and app.note.get_text().startswith("The range is empty")
    app.controls["n"].value = 300
    exponents.value = default
    assert not any(text.get_visible() for text in app.empty_notes)
    assert _same(before, _artist_state(app.fig)), "back from an empty range, the figure differs"
    plt.close(app.fig)


def test_errors_in_an_update_are_shown_not_raised():
    app = BetaMemory()

    def broken():
        raise RuntimeError("boom")

    app.update = broken
    app.controls["beta"].value = 0.99
    assert len(app.failures) == 1 and "RuntimeError: boom" in app.failures[0]
    plt.close(app.fig)


@pytest.mark.exhaustive
@pytest.mark.parametrize("cls", APPS, ids=lambda cls: cls.__name__)
def test_the_text_cache_draws_the_same_pixels_as_matplotlib(cls):
    """CourseFigure replays recorded glyphs; after any control change it must equal a plain draw."""
    app = cls()
    for name, control in app.controls.items():
        values = _values(control)
        for value in values[:: max(1, len(values) // 4)]:
            control.value = value
            app.fig.canvas.draw()
            cached = np.asarray(app.fig.canvas.buffer_rgba()).copy()
            app.fig._text_cache.clear()
            app.fig.canvas.draw()
            plain = np.asarray(app.fig.canvas.buffer_rgba())
            assert np.array_equal(cached, plain), f"{name}={value!r}: cached text differs"
    plt.close(app.fig)


def test_scale_explorer_takeaway_quotes_the_bar_it_names():
    """The takeaway's share is the bar of the widest decade: alpha's last, 1 - beta's first."""
    app = ScaleExplorer()
    for quantity in app.controls["quantity"].options:
        app.controls["quantity"].value = quantity
        for scale in app.controls["scale"].options:
            app.controls["scale"].value = scale
            shares = [b.get_height() for b in app.bars if b.get_visible()]
            crowded = shares[-1] if quantity.endswith("alpha") else shares[0]
            quoted = int(re.search(r"puts (\d+)% of the", app.note.get_text()).group(1))
            assert quoted == round(100 * crowded), (quantity, scale, app.note.get_text())
    plt.close(app.fig)


def test_gamma_beta_set_the_mean_and_spread_and_can_undo_the_normalisation():
    app = GammaBeta()
    app.controls["gamma"].value, app.controls["beta"].value = 2.0, -1.0
    assert app.out_key.get_text() == "mean = -1.00, std = 2.00"
    app.controls["undo"].value = True
    assert app.controls["gamma"].disabled and app.controls["beta"].disabled
    text = app.note.get_text()
    assert "give back Z" in text
    assert float(text.split("largest difference ")[1].split(")")[0]) < 1e-9
    plt.close(app.fig)


def _inside(hist, ax):
    """The stairs' bins lie inside the axes' x-limits and its tallest bar under the top."""
    data = hist.get_data()
    low, high = ax.get_xlim()
    return low <= data.edges[0] and data.edges[-1] <= high and data.values.max() < ax.get_ylim()[1]


def test_gamma_beta_histograms_hold_every_value_at_every_extreme_of_the_sliders():
    app = GammaBeta()
    m = app.Z.shape[1]
    assert app.in_hist.get_data().values.sum() == m and _inside(app.in_hist, app.ax_in)
    gamma, beta = app.controls["gamma"], app.controls["beta"]
    settings = [(g, b, False) for g in (gamma.min, gamma.max) for b in (beta.min, beta.max)]
    for g, b, undo in [*settings, (gamma.max, beta.max, True), (gamma.min, beta.min, True)]:
        with app._batch():
            gamma.value, beta.value, app.controls["undo"].value = g, b, undo
        assert app.out_hist.get_data().values.sum() == m, (g, b, undo)  # none outside the bins
        assert _inside(app.out_hist, app.ax_out), (g, b, undo)
    plt.close(app.fig)


def test_batch_noise_every_histogram_fits_the_same_axes_at_every_mini_batch_size():
    from course_utils.widgets.batchnorm import N_BATCHES

    app = BatchNoise()
    limits = set()
    for m in app.controls["m"].options:
        app.controls["m"].value = m
        for hist, ax in ((app.mu_hist, app.ax_mu), (app.var_hist, app.ax_var)):
            assert hist.get_data().values.sum() == N_BATCHES, m  # every batch's estimate
            assert _inside(hist, ax), m  # no bar cut at the top
        limits.add((app.ax_mu.get_ylim(), app.ax_var.get_ylim()))
    assert len(limits) == 1  # fixed: the eye compares the sizes on the same axes
    plt.close(app.fig)


def test_batch_noise_shrinks_as_one_over_sqrt_m():
    app = BatchNoise()
    spread_64 = app.estimates(64)[0].std()
    spread_512 = app.estimates(512)[0].std()
    assert spread_512 / spread_64 == pytest.approx(np.sqrt(64 / 512), rel=0.15)
    app.controls["m"].value = 512
    assert ", 0.3" in app.note.get_text()  # about 0.35 times the wander at 64
    plt.close(app.fig)


def test_running_estimates_follow_update_running_and_bias_correction_is_exact():
    app = RunningEstimates()
    app.controls["momentum"].value = 0.99
    mus = app.lines["mu"].get_ydata()
    expected = 0.0
    for t in range(5):
        expected = 0.99 * expected + 0.01 * app.batch_mu[t]
        assert mus[t] == pytest.approx(expected)
    corrected = app.lines["corrected"].get_ydata()
    weights = 0.01 * 0.99 ** np.arange(4, -1, -1)  # the first five batches, newest last
    assert corrected[4] == pytest.approx(weights @ app.batch_mu[:5] / weights.sum())
    slow, fast = app.note.get_text(), None
    app.controls["momentum"].value = 0.5
    fast = app.note.get_text()
    assert slow != fast and "first within 10%" in fast
    plt.close(app.fig)


def test_one_example_alone_every_example_gets_the_same_probabilities_but_not_in_inference():
    app = OneExample()
    assert app.controls["m"].value == 1
    heights = []
    for i in (0, 1, 2):
        app.controls["example"].value = i
        heights.append([list(bar_heights(bars)) for bars in (app.running_bars, app.batch_bars)])
        assert np.allclose(
            heights[-1][0],
            app.network.forward(app.data.X_test[:, [i]], "inference")[0][:, 0],
            atol=1e-6,
        )
    running, batch = np.array(heights).transpose(1, 0, 2)
    assert np.allclose(batch, batch[0], atol=1e-6)  # a batch of 1: beta, whatever the example
    assert not np.allclose(running, running[0], atol=1e-3)
    assert app.note.get_text().startswith("With a batch of 1, every example gets the same")
    plt.close(app.fig)


def test_one_example_batch_bars_are_train_mode_on_the_batch_that_holds_the_example():
    app = OneExample()
    app.controls["example"].value, app.controls["m"].value = 13, 8
    Y_hat, _ = app.network.forward(app.data.X_test[:, 8:16], mode="train")
    assert list(bar_heights(app.batch_bars)) == pytest.approx(Y_hat[:, 5], abs=1e-6)
    assert "examples 8-15" in app.batch_key.get_text()
    quoted = int(app.note.get_text().split("batches of 8: ")[1].split("%")[0])
    assert quoted == round(100 * app.accuracy[8])
    plt.close(app.fig)


def test_softmax_bars_are_a_stable_softmax_of_the_sliders_over_t_and_hardmax_at_the_argmax():
    app = SoftmaxBars()
    for z, T in (((5.0, 2.0, -1.0, 3.0), 1.0), ((5.0, -5.0, 4.9, 0.0), 0.1), ((1, 2, 3, 4), 10.0)):
        with app._batch():
            for k, value in enumerate(z, start=1):
                app.controls[f"z{k}"].value = value
            app.controls["T"].value = T
        z = np.array(z, dtype=float)
        expected = np.exp((z - z.max()) / T) / np.exp((z - z.max()) / T).sum()
        soft = np.array([b.get_height() for b in app.soft_bars])
        assert soft == pytest.approx(expected, abs=1e-12)
        assert soft.sum() == pytest.approx(1.0)
        assert [b.get_height() for b in app.hard_bars] == [float(i == z.argmax()) for i in range(4)]
        assert [b.get_height() for b in app.z_bars] == pytest.approx(z)
        quoted = int(app.note.get_text().split("(largest z) ")[1].split("%")[0])
        assert quoted == round(100 * expected.max())
    assert app.note.get_text().endswith("nearly uniform (21% to 29%).")  # T = 10 on 1, 2, 3, 4
    app.controls["T"].value = 0.1
    assert app.note.get_text().endswith("nearly the hardmax.")
    plt.close(app.fig)


def _bars_at(app, z, T):
    """Set the SoftmaxBars' logits and temperature; -> (the softmax shares shown, the takeaway)."""
    with app._batch():
        for k, value in enumerate(z, start=1):
            app.controls[f"z{k}"].value = value
        app.controls["T"].value = T
    shown = np.array([float(text.get_text().rstrip("%")) / 100 for text in app.shares])
    return shown, app.note.get_text()


def test_softmax_bars_takeaway_says_what_the_bars_show_in_every_case():
    app = SoftmaxBars()
    # ties at low T: softmax splits the mass equally among the tied classes, hardmax (argmax)
    # puts all of it on the first of them
    shown, text = _bars_at(app, (2.0, 5.0, -1.0, 5.0), 0.1)
    assert shown.tolist() == [0.0, 0.5, 0.0, 0.5]
    assert [b.get_height() for b in app.hard_bars] == [0.0, 1.0, 0.0, 0.0]
    assert text == (
        "T = 0.1: z2 = z4 tie at the top: softmax 50% each, the others 0%; "
        "hardmax picks class 2, the first."
    )
    assert "nearly uniform" not in text and "nearly the hardmax" not in text
    shown, text = _bars_at(app, (5.0, 5.0, 5.0, -2.0), 0.1)
    assert text.startswith("T = 0.1: z1 = z2 = z3 tie at the top: softmax 33% each, the others 0%")
    # every logit tied: uniform at every T, which is then true over all the classes
    shown, text = _bars_at(app, (1.0, 1.0, 1.0, 1.0), 0.1)
    assert shown.tolist() == [0.25] * 4 and "softmax gives each 25% at every T" in text
    # ties at high T: nearly uniform over all the classes, said with the shown range
    shown, text = _bars_at(app, (5.0, 5.0, 5.0, 3.0), 10.0)
    assert text == (
        "T = 10: z1 = z2 = z3 tie at the top: softmax 26% each, nearly uniform (21% to 26%); "
        "hardmax picks class 1, the first."
    )
    assert shown.min() == 0.21 and shown.max() == 0.26
    # no tie at low T: the hardmax, or not yet when the runner-up is close
    shown, text = _bars_at(app, (5.0, 2.0, -1.0, 3.0), 0.1)
    assert text.endswith("(largest z) 100%, hardmax 100%; nearly the hardmax.")
    shown, text = _bars_at(app, (5.0, 4.9, -1.0, 3.0), 0.1)
    assert text.endswith(f"(largest z) 73%, hardmax 100%; the other classes keep {1 - 0.73:.0%}.")
    assert shown[:2].tolist() == [0.73, 0.27]
    # high T: nearly uniform only when every class is within 5 points of 1/4
    shown, text = _bars_at(app, (1.0, 2.0, 3.0, 4.0), 10.0)
    assert np.all(np.abs(shown - 0.25) <= 0.05) and text.endswith("nearly uniform (21% to 29%).")
    shown, text = _bars_at(app, (5.0, 2.0, -1.0, 3.0), 10.0)
    assert np.any(np.abs(shown - 0.25) > 0.05) and "nearly uniform" not in text
    assert text.endswith(f"the other classes keep {1 - shown[0]:.0%}.")
    # T = 1, the lecture's logits
    shown, text = _bars_at(app, (5.0, 2.0, -1.0, 3.0), 1.0)
    assert text == (
        "T = 1: softmax gives class 1 (largest z) 84%, hardmax 100%; the other classes keep 16%."
    )
    assert plotting.figure_problems(app.fig) == []
    plt.close(app.fig)


def test_softmax_regression_live_shows_the_model_trained_that_long_and_its_accuracy():
    from course_utils import softmax

    app = SoftmaxRegressionLive()
    app.controls["alpha"].value, app.controls["epochs"].value = 0.1, 30
    # the model shown is SoftmaxRegression.fit (batch gradient descent) for 30 epochs at 0.1
    model = softmax.SoftmaxRegression(2, app.n_classes, seed=0)
    model.fit(app.X, app.y, alpha=0.1, epochs=30)
    W, b = app.model(0.1, 30)
    assert W == pytest.approx(model.W) and b == pytest.approx(model.b)
    # the regions are the argmax of W x + b on the grid; the circled points are the mistakes
    n = app.image.get_array().shape[0]
    classes = np.argmax(W @ app.G + b, axis=0).reshape(n, n)
    assert np.array_equal(app.image.get_array(), softmax_apps.REGION_COLORS[classes])
    wrong = model.predict(app.X) != app.y
    assert np.array_equal(app.wrong.get_xydata(), app.X[:, wrong].T)
    quoted = int(app.note.get_text().split("training accuracy ")[1].split("%")[0])
    assert quoted == round(100 * model.accuracy(app.X, app.y)) == round(100 * (1 - wrong.mean()))
    assert app.marker.get_ydata()[0] == pytest.approx(model.cost(app.X, app.y))
    plt.close(app.fig)


def test_notebook_06_says_as_many_classes_as_softmax_regression_live_shows():
    from .support import ROOT

    text = (ROOT / "source" / "06_softmax_regression.py").read_text()
    said = re.findall(r"# (\w+) classes of points in the plane", text)
    numbers = {"Two": 2, "Three": 3, "Four": 4, "Five": 5, "Six": 6}
    app = SoftmaxRegressionLive()
    assert [numbers[word] for word in said] == [app.n_classes] == [len(np.unique(app.y))]
    plt.close(app.fig)


def test_softmax_regression_live_cost_decreases_over_the_epochs():
    app = SoftmaxRegressionLive()
    for alpha in (0.01, 0.1, 0.3, 1.0):
        app.controls["alpha"].value = alpha
        costs = app.cost_line.get_ydata()
        assert costs[0] == pytest.approx(np.log(app.n_classes), abs=0.05)  # W starts near 0
        assert np.all(np.diff(costs) <= 1e-12), alpha
    app.controls["epochs"].value = app.controls["epochs"].max
    assert app.accuracy > 0.85
    plt.close(app.fig)


def test_deep_vs_linear_the_network_beats_softmax_regression_on_spirals():
    app = DeepVsLinear()
    last = app.controls["epochs"].options[-1]
    app.controls["epochs"].value = last
    linear, deep = app.accuracies["linear"][-1], app.accuracies["deep"][-1]
    assert linear < 0.7 and deep > 0.9
    text = app.note.get_text()
    assert f"softmax regression {linear:.0%}" in text and f"deep network {deep:.0%}" in text
    n = app.images["deep"].get_array().shape[0]
    linear_classes = app.linear.predict(app.G).reshape(n, n)
    assert np.array_equal(
        app.images["linear"].get_array(), softmax_apps.REGION_COLORS[linear_classes]
    )
    from course_utils import nn

    deep_classes = nn.predict(app.network, app.G).reshape(n, n)
    assert np.array_equal(app.images["deep"].get_array(), softmax_apps.REGION_COLORS[deep_classes])
    app.controls["epochs"].value = 0
    assert app.note.get_text().startswith("Untrained:")
    plt.close(app.fig)


def test_the_tests_draw_with_agg():
    assert plt.get_backend().lower() == "agg"
