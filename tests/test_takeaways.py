"""The sentences under the figures of notebooks 04-07 say what the figures show: each number
is measured again here, independently, on the figure's own data."""

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils.widgets.batchnorm_test_time import N_STEPS, TRUE_MU, RunningEstimates


def _numbers(text):
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", text)]


def _points_under(texts, artists):
    """The data points of `artists` (lines' vertices) that fall inside a text's box on screen."""
    fig = texts[0].get_figure()
    renderer = fig.canvas.get_renderer()
    fig.draw_without_rendering()
    boxes = [text.get_window_extent(renderer) for text in texts if text.get_text()]
    under = []
    for artist in artists:
        if not artist.get_visible():
            continue
        xy = artist.get_transform().transform(artist.get_xydata())
        for box in boxes:
            hit = (
                (xy[:, 0] >= box.x0)
                & (xy[:, 0] <= box.x1)
                & (xy[:, 1] >= box.y0)
                & (xy[:, 1] <= box.y1)
            )
            under += [tuple(point) for point in artist.get_xydata()[hit]]
    return under


@pytest.fixture(scope="module")
def running_app():
    app = RunningEstimates()
    yield app
    plt.close(app.fig)


def test_running_estimates_says_when_the_curve_first_comes_within_ten_percent(running_app):
    app = running_app
    app.controls["momentum"].value = 0.9
    mus = app.lines["mu"].get_ydata()
    first = next(t for t, mu in enumerate(mus, 1) if abs(mu - TRUE_MU) < 0.1 * TRUE_MU)
    text = app.note.get_text()
    assert f"first within 10% of the truth at mini-batch {first}," in text
    # the figure's curve has shed its start by then: the start weighs 0.9^t < 10% from t = 22
    assert 15 <= first <= 35
    wobble = np.std(mus[first - 1 :] - TRUE_MU)
    assert f"then +/- {wobble:.2f} around it" in text
    assert f"(one batch: +/- {np.std(app.batch_mu - TRUE_MU):.2f})" in text
    assert wobble < 0.1 * TRUE_MU  # it settled: its wobble is inside the 10% band


def test_running_estimates_says_a_curve_that_never_arrives_is_still_biased(running_app):
    app = running_app
    app.controls["momentum"].value = 0.999
    mus = app.lines["mu"].get_ydata()
    assert np.all(np.abs(mus - TRUE_MU) >= 0.1 * TRUE_MU)
    text = app.note.get_text()
    assert f"running mu ends at {mus[-1]:.2f}, short of 2" in text
    assert f"0.999^{N_STEPS} = {0.999**N_STEPS:.0%}" in text  # 74%
    corrected = app.lines["corrected"].get_ydata()[-1]
    assert f"bias-corrected: {corrected:.2f}." in text
    assert abs(corrected - TRUE_MU) < 0.1 * TRUE_MU
    assert "wobble" not in text and "not yet" not in text


@pytest.mark.parametrize("momentum", [0.5, 0.9, 0.99, 0.999])
def test_running_estimates_key_covers_no_data(running_app, momentum):
    app = running_app
    app.controls["momentum"].value = momentum
    keys = [text for text in app.ax_mu.texts]
    assert len(keys) == 4
    assert _points_under(keys, app.ax_mu.lines) == []


def test_softmax_regression_live_says_what_the_circles_are():
    from course_utils.widgets.softmax import SoftmaxRegressionLive

    app = SoftmaxRegressionLive()
    for epochs in (0, 3, 20):
        app.controls["epochs"].value = epochs
        circled = len(app.wrong.get_xdata())
        predicted = app.predict(app.X, app.controls["alpha"].value, epochs)
        assert circled == int(np.sum(predicted != app.y))
        assert f"(circled: the {circled} misclassified)" in app.note.get_text()
    plt.close(app.fig)


def test_deep_vs_linear_puts_each_epoch_at_its_distance():
    from course_utils.widgets.softmax import EPOCH_STOPS, DeepVsLinear

    app = DeepVsLinear()
    for name, line in zip(("linear", "deep"), app.ax_acc.lines, strict=False):
        assert list(line.get_xdata()) == list(EPOCH_STOPS), name
    app.controls["epochs"].value = 20
    assert [m.get_xdata()[0] for m in app.markers.values()] == [20, 20]
    # 5 -> 10 and 10 -> 20 look as far apart (both double), 1 -> 2 too: a log scale after 1
    x = {e: app.ax_acc.transData.transform((e, 0))[0] for e in (1, 2, 5, 10, 20)}
    assert x[20] - x[10] == pytest.approx(x[10] - x[5]) == pytest.approx(x[2] - x[1])
    assert "boundaries free to bend" in app.note.get_text()
    plt.close(app.fig)


def test_the_sweep_times_runs_step_by_step_and_marks_a_run_that_lost_the_target():
    from course_utils import nn
    from course_utils.widgets.batchnorm import learning_rate_sweep_figure

    def history(by_step, steps_per_epoch=4):
        h = nn.History()
        h.val_step = list(range(1, len(by_step) + 1))
        h.val_step_accuracy = list(by_step)
        h.steps = h.val_step[steps_per_epoch - 1 :: steps_per_epoch]
        h.val_accuracy = h.val_step_accuracy[steps_per_epoch - 1 :: steps_per_epoch]
        return h

    runs = {
        (True, 0.1): history([0.5, 0.7, 0.8, 0.85, 0.88, 0.91, 0.92, 0.93]),  # step 6
        (True, 1.0): history([0.6, 0.92, 0.9, 0.95, 0.95, 0.96, 0.95, 0.96]),  # step 2
        (False, 0.1): history([0.5, 0.6, 0.7, 0.8, 0.8, 0.8, 0.85, 0.89]),  # never
        (False, 1.0): history([0.7, 0.91, 0.5, 0.2, 0.1, 0.1, 0.1, 0.1]),  # step 2, then lost
    }
    fig, steps = learning_rate_sweep_figure([0.1, 1.0], runs, 0.9)
    # by step: the epochs' ends (steps 4, 8) would say 8, 4, None, None
    assert steps == {(True, 0.1): 6, (True, 1.0): 2, (False, 0.1): None, (False, 1.0): 2}
    ax_steps = fig.axes[1]
    faces = [c.get_facecolors() for c in ax_steps.collections]  # with batch norm, without
    hollow = [[bool(np.allclose(f[:3], 1)) for f in face] for face in faces]
    assert hollow == [[False, False], [False, True]]
    assert plt.matplotlib.colors.to_hex(faces[1][0]) != "#ffffff"  # never: drawn filled, on top
    # reached and ended above: 0.1 and 1.0 with batch norm; without, none (never; then lost)
    assert fig.texts[-1].get_text() == (
        "90% reached, and ended above, at 2 of 2 learning rates with batch norm, at 0 without."
    )
    plt.close(fig)
