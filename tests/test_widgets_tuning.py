"""Notebook 03's apps and the tuning helpers behind them: the panda trains and rewinds exactly as
nn.train would, caviar shows every model and keeps the best by validation."""

from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils import nn, plotting, tuning
from course_utils.conclusions import NOISE_IMAGES
from course_utils.widgets.tuning import ALPHAS, CHANCE_FACTOR, DIVERGED_EPOCHS, Caviar, Panda


@pytest.fixture
def panda():
    app = Panda(max_epochs=8)
    yield app
    plt.close(app.fig)


@pytest.fixture(scope="module")
def caviar():
    app = Caviar()
    yield app
    plt.close(app.fig)


def _by_hand(schedule, seed=0):
    """nn.train one epoch per call at each alpha of schedule, one Adam and one Generator."""
    network, adam, rng = tuning.new_panda(seed=seed)
    split = tuning.digits()
    checkpoints = [network.theta.copy()]
    for alpha in schedule:
        nn.train(network, split, 1, batch_size=64, optimizer=adam, alpha=alpha, seed=rng)
        checkpoints.append(network.theta.copy())
    return checkpoints


def _same_history(a, b):
    for name in ("epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "alpha"):
        assert getattr(a, name) == getattr(b, name), name
    assert a.steps == b.steps and a.step_loss == b.step_loss


def test_panda_at_a_constant_alpha_is_nn_train(panda):
    panda.controls["alpha"].value = 0.01
    panda.controls["epoch"].value = 5
    assert panda.epoch == 5 and panda.failures == []
    network, history = tuning.train_config({**tuning.DEFAULTS, "alpha": 0.01}, 5)
    np.testing.assert_array_equal(panda.network.theta, network.theta)
    for l in network.running_mu:  # noqa: E741
        np.testing.assert_array_equal(panda.network.running_mu[l], network.running_mu[l])
    _same_history(panda.history, history)


def test_an_alpha_change_takes_effect_from_the_next_epoch(panda):
    schedule = [0.003, 0.003, 0.03, 0.03, 0.001]
    for epoch, alpha in enumerate(schedule, start=1):
        panda.controls["alpha"].value = alpha
        assert panda.history.alpha == schedule[: epoch - 1]  # nothing trained yet at the new alpha
        assert panda.train_epoch() == epoch
    assert panda.history.alpha == schedule
    by_hand = _by_hand(schedule)
    for epoch, theta in enumerate(by_hand):
        np.testing.assert_array_equal(panda.checkpoints[epoch].theta, theta)
    np.testing.assert_array_equal(panda.network.theta, by_hand[-1])
    # the changes are marked between epochs 2 and 3, and 4 and 5, on both curves
    for collection in panda.changes.values():
        xs = sorted({x for segment in collection.get_segments() for x, _ in segment})
        assert xs == [2.5, 4.5]
    assert "alpha changed 2 times" in panda.note.get_text()


def test_panda_rewinds_to_identical_checkpoints_and_replays(panda):
    schedule = [0.01, 0.01, 0.1, 0.1, 0.1, 0.003]
    for alpha in schedule:
        panda.controls["alpha"].value = alpha
        panda.train_epoch()
    after_six = panda.network.theta.copy()
    by_hand = _by_hand(schedule)
    assert panda.rewind(2) == 2
    np.testing.assert_array_equal(panda.network.theta, by_hand[2])
    assert panda.history.alpha == schedule[:2] and panda.trained == 6  # nothing undone yet
    assert panda.controls["alpha"].value == 0.1  # the recorded alpha of epoch 3
    assert len(panda.lines["val_loss"].get_xdata()) == 2
    assert len(panda.lines["undone_val_loss"].get_xdata()) == 0
    panda.rewind(6)  # replay
    np.testing.assert_array_equal(panda.network.theta, after_six)
    assert panda.controls["alpha"].value == 0.003
    # back to 0: the untrained network, and the figure as it was at the start
    panda.rewind(0)
    np.testing.assert_array_equal(panda.network.theta, by_hand[0])
    assert panda.note.get_text().startswith("Untrained")


def test_a_new_alpha_after_a_rewind_branches_and_trains_on_from_the_checkpoint(panda):
    for alpha in (0.01, 0.01, 1.0, 1.0):
        panda.controls["alpha"].value = alpha
        panda.train_epoch()
    undone_val_loss = panda.history.val_loss[2:]
    panda.rewind(2)
    panda.controls["alpha"].value = 0.003  # branch: epochs 3 and 4 are undone
    assert panda.trained == 2
    assert panda.undone.epoch == [3, 4] and panda.undone.val_loss == undone_val_loss
    np.testing.assert_array_equal(panda.lines["undone_val_loss"].get_xdata(), [3, 4])
    assert "undone: epochs 3-4" in panda.undone_key.get_text()
    panda.train_epoch()
    panda.train_epoch()
    schedule = [0.01, 0.01, 0.003, 0.003]
    assert panda.history.alpha == schedule
    np.testing.assert_array_equal(panda.network.theta, _by_hand(schedule)[-1])


def test_moving_alpha_at_the_end_of_the_run_undoes_nothing(panda):
    panda.controls["epoch"].value = 3
    panda.controls["alpha"].value = 0.1
    assert panda.trained == 3 and panda.undone.epoch == []
    assert list(panda.next_marker.get_xydata()[0]) == [4, 0.1]  # epoch 4 will run at 0.1


def test_panda_says_when_the_validation_loss_jumps_and_draws_it_on_the_axis(panda):
    panda.controls["alpha"].value = 0.01
    panda.controls["epoch"].value = 3
    panda.controls["alpha"].value = 1.0
    panda.train_epoch()
    val_loss = panda.history.val_loss
    assert val_loss[-1] > 1.5 * min(val_loss[:-1])  # alpha = 1 after three epochs at 0.01
    text = panda.note.get_text()
    assert text.startswith("Epoch 4: the validation loss jumped to")
    assert f"{val_loss[-1]:.2f}" in text and "lower alpha" in text
    drawn = panda.lines["val_loss"].get_ydata()
    assert np.all(np.isfinite(drawn)) and drawn.max() <= 30.0
    assert plotting.figure_problems(panda.fig) == []


def test_panda_alpha_slider_is_log_spaced_and_starts_at_the_default():
    assert np.allclose(np.diff(np.log10(ALPHAS)), 0.5, atol=0.03)
    app = Panda(max_epochs=2)
    assert app.controls["alpha"].value == tuning.DEFAULTS["alpha"]
    assert app.play.max == app.controls["epoch"].max == 2
    assert app.play in app.widget.children[0].children
    plt.close(app.fig)


def test_caviar_shows_every_model_and_highlights_the_best_by_validation(caviar):
    K = len(caviar.configs)
    assert K == tuning.CAVIAR_MODELS == 32
    val = np.array([h.val_accuracy for h in caviar.histories])
    assert val.shape == (K, tuning.CAVIAR_EPOCHS)
    drawn = [line for line in caviar.lines if line.get_visible()]
    assert len(drawn) == K
    for k, line in enumerate(caviar.lines):
        np.testing.assert_array_equal(line.get_ydata(), val[k])
    results = tuning.caviar_results(caviar.configs, caviar.networks, caviar.histories)
    best = tuning.pick_best(results)
    assert best == int(np.argmax(val[:, -1]))
    np.testing.assert_array_equal(caviar.best_line.get_ydata(), val[best])
    assert f"model {best} " in caviar.note.get_text()
    assert f"{val[best, -1]:.1%}" in caviar.note.get_text()
    # at an earlier epoch, the best at that epoch
    caviar.controls["epoch"].value = 2
    assert caviar.best_marker.get_ydata()[0] == val[:, 1].max()
    # among the first 4 models, the best of those 4
    caviar.controls["models"].value = 4
    assert sum(line.get_visible() for line in caviar.lines) == 4
    assert caviar.best_marker.get_ydata()[0] == val[:4, 1].max()
    assert len(caviar.points.get_offsets()) == 4
    caviar.controls["epoch"].value, caviar.controls["models"].value = tuning.CAVIAR_EPOCHS, K


def test_caviar_models_are_train_caviar_of_its_configs(caviar):
    networks, histories = tuning.train_caviar(caviar.configs, tuning.CAVIAR_EPOCHS)
    for k in (0, 7, 31):
        np.testing.assert_array_equal(caviar.networks[k].theta, networks[k].theta)
        assert caviar.histories[k].val_accuracy == histories[k].val_accuracy
    assert caviar.configs == tuning.caviar_configs(tuning.CAVIAR_MODELS, rng=0)


def test_caviar_configs_vary_only_the_caviar_space_on_its_scales():
    configs = tuning.caviar_configs(200, rng=1)
    for name, value in tuning.DEFAULTS.items():
        values = {c[name] for c in configs}
        if name in tuning.CAVIAR_SPACE:
            assert len(values) == 200
        else:
            assert values == {value}
    u = tuning.CAVIAR_SPACE["alpha"].to_unit(np.array([c["alpha"] for c in configs]))
    assert 0.4 < np.mean(u < 0.5) < 0.6  # uniform in log10(alpha)
    with pytest.raises(ValueError, match="same hidden_units"):
        tuning.train_caviar([configs[0], {**configs[1], "hidden_units": 64}], 1)


def test_caviar_grows_live_through_on_epoch():
    configs = tuning.caviar_configs(6, rng=3)
    app = Caviar(configs, epochs=3, train=False)
    assert app.note.get_text().startswith("Not trained yet")
    assert all(len(line.get_xdata()) == 0 for line in app.lines)
    seen = []

    def watch(epoch, histories):
        app.on_epoch(epoch, histories)
        seen.append([len(line.get_xdata()) for line in app.lines])
        assert app.progress.value == epoch

    networks, histories = tuning.train_caviar(configs, 3, on_epoch=watch)
    assert seen == [[1] * 6, [2] * 6, [3] * 6]
    assert app.failures == []
    assert app.best() == tuning.pick_best([{"val_accuracy": h.val_accuracy} for h in histories])
    plt.close(app.fig)


def test_babysit_is_train_config_while_the_loss_falls_and_lowers_alpha_when_it_rises():
    network, history = tuning.babysit(12, alpha=0.03)
    alpha, expected = 0.03, []
    for epoch in range(12):
        expected.append(alpha)
        alpha = tuning.next_alpha(alpha, history.val_loss[: epoch + 1])
    assert history.alpha == pytest.approx(expected, rel=1e-6)  # float32 Adam stores alpha as is
    assert min(history.alpha) < 0.03  # the loss rose at least once at 0.03
    steady, _ = tuning.babysit(4, alpha=0.001, factor=1.0)
    alone, _ = tuning.train_config({**tuning.DEFAULTS, "alpha": 0.001}, 4)
    np.testing.assert_array_equal(steady.theta, alone.theta)


def test_epochs_per_model_never_exceeds_the_budget():
    for budget in range(0, 400, 7):
        for n_models in (1, 3, 32, 50):
            epochs = tuning.epochs_per_model(budget, n_models)
            assert n_models * epochs <= budget < n_models * (epochs + 1)


def test_panda_progress_bar_counts_the_epochs_trained_not_the_epoch_shown():
    panda = Panda(max_epochs=6)
    assert panda.progress in panda.widget.children[0].children
    panda.controls["epoch"].value = 4
    assert panda.progress.value == 4 and panda.progress.max == 6
    panda.rewind(2)
    assert panda.progress.value == 4  # the checkpoints after epoch 2 are still there
    panda.controls["alpha"].value = ALPHAS[-1]
    assert panda.progress.value == 2  # a new alpha at epoch 2 undoes the later epochs


def test_babysit_with_patience_waits_for_the_loss_to_stop_improving():
    network, history = tuning.babysit(12, alpha=0.3, patience=3)
    val_loss, alpha = history.val_loss, history.alpha
    best, waited, expected = float("inf"), 0, [0.3]
    for loss in val_loss[:-1]:
        if loss < best:
            best, waited = loss, 0
        else:
            waited += 1
        if waited == 3:
            expected.append(expected[-1] * 0.5)
            waited = 0
        else:
            expected.append(expected[-1])
    assert alpha == pytest.approx(expected)
    assert len(set(alpha)) > 1, "alpha 0.3 is large enough for the loss to stall at least once"
    with pytest.raises(ValueError, match="patience must be a positive integer"):
        tuning.babysit(2, patience=0)


def test_panda_vs_caviar_figure_shows_every_panda_and_caviars_best():
    from course_utils.widgets.tuning import panda_vs_caviar_figure

    _, hasty = tuning.babysit(4)
    _, patient = tuning.babysit(4, patience=2)
    configs = tuning.caviar_configs(4, rng=0)
    _, caviar = tuning.train_caviar(configs, 1)
    fig = panda_vs_caviar_figure({"patient panda": patient, "hasty panda": hasty}, caviar)
    assert plotting.figure_problems(fig) == []
    ax = fig.axes[0]
    best = max(h.val_accuracy[-1] for h in caviar)
    assert ax.lines[0].get_xydata().tolist() == [[4.0, best]]
    np.testing.assert_allclose(ax.lines[1].get_ydata(), patient.val_accuracy)
    assert "caviar's best" in fig.texts[-1].get_text()
    plt.close(fig)


def _run(val_loss, val_accuracy, alpha):
    """An nn.History of len(val_loss) epochs with these validation curves and alphas."""
    history = nn.History()
    history.epoch = list(range(1, len(val_loss) + 1))
    history.val_loss, history.val_accuracy, history.alpha = val_loss, val_accuracy, alpha
    return history


def test_panda_says_a_run_diverged_when_its_loss_is_not_finite_or_it_stays_near_chance(panda):
    y_val = tuning.digits().y_val
    assert panda.chance == np.bincount(y_val).max() / y_val.size  # about 1/10: 10 classes
    near = CHANCE_FACTOR * panda.chance
    n = DIVERGED_EPOCHS
    # a loss that blew up after a good epoch: back to that epoch, a tenth of alpha
    text = panda._takeaway(_run([0.3, float("nan")], [0.9, 0.1], [0.3, 0.3]), [], 0.3)
    assert text == "Epoch 2: diverged, validation loss nan: rewind to epoch 1, lower alpha to 0.03."
    # near chance for n epochs in a row after two that learned: back to the best of those
    run = _run([0.5, 0.4] + [2.3] * n, [0.8, 0.6] + [near] * n, [0.01, 0.01] + [1.0] * n)
    assert panda._takeaway(run, [3], 1.0) == (
        f"Epoch {n + 2}: diverged, accuracy near chance ({near:.0%}) for {n} epochs: rewind to "
        "epoch 1, lower alpha to 0.1."
    )
    # one epoch fewer near chance, or an accuracy just above it: not (yet) diverged
    run = _run([0.5, 0.4] + [2.3] * (n - 1), [0.6, 0.8] + [near] * (n - 1), [0.01] * (n + 1))
    assert "diverged" not in panda._takeaway(run, [], 0.01)
    above = near + 1 / y_val.size
    assert "diverged" not in panda._takeaway(_run([2.3] * n, [above] * n, [1.0] * n), [], 1.0)
    # near chance from the start: rising by NOISE_IMAGES images over the last n epochs is a
    # slow start, less is stuck; at the slider's smallest alpha no tenth of it to suggest
    images = [30] * (n - 1)
    for last, diverged in ((30 + NOISE_IMAGES, False), (29 + NOISE_IMAGES, True)):
        run = _run([2.4] * n, [i / y_val.size for i in [*images, last]], [ALPHAS[0]] * n)
        text = panda._takeaway(run, [], ALPHAS[0])
        assert ("diverged" in text) == diverged, text
    assert text.endswith("rewind to epoch 0, lower alpha.")


def test_panda_at_chance_for_25_epochs_says_it_diverged_and_to_lower_alpha(monkeypatch):
    y_val = tuning.digits().y_val
    chance = np.bincount(y_val).max() / y_val.size

    def at_chance(network, adam, rng, alpha, history, *, split=None, batch_size=64):
        """An epoch that learned nothing: what always answering one class scores."""
        history.epoch.append(len(history.epoch) + 1)
        for name, value in (("train_loss", 2.4), ("train_accuracy", 0.1), ("val_loss", 2.4)):
            getattr(history, name).append(value)
        history.val_accuracy.append(chance)
        history.alpha.append(alpha)
        history.steps.append(len(history.epoch) * 17)
        history.step_loss.extend([2.4] * 17)
        return history

    monkeypatch.setattr(tuning, "babysit_epoch", at_chance)
    app = Panda(max_epochs=25)
    app.controls["alpha"].value = 0.3
    app.controls["epoch"].value = 25
    assert app.failures == []
    assert app.note.get_text() == (
        f"Epoch 25: diverged, accuracy near chance ({chance:.0%}) for 25 epochs: rewind to epoch "
        "0, lower alpha to 0.03."
    )
    assert plotting.figure_problems(app.fig) == []
    plt.close(app.fig)


def test_panda_does_not_call_a_slow_start_near_chance_diverged():
    app = Panda(max_epochs=8)
    app.controls["alpha"].value = ALPHAS[0]  # 1e-4: near chance for epochs, rising slowly
    for epoch in range(1, 9):
        app.train_epoch()
        assert "diverged" not in app.note.get_text(), (epoch, app.history.val_accuracy)
    near = np.asarray(app.history.val_accuracy) <= CHANCE_FACTOR * app.chance
    assert near[:DIVERGED_EPOCHS].all()  # the rule was asked, and said no
    plt.close(app.fig)


def test_panda_vs_caviar_figure_keeps_the_alpha_label_clear_of_twenty_decades_of_ticks():
    from course_utils.widgets.tuning import panda_vs_caviar_figure

    epochs = np.arange(1, 161)
    pandas = {
        name: SimpleNamespace(
            epoch=list(epochs), val_accuracy=[0.96] * 160, alpha=list(1e-3 * 0.5 ** (epochs // k))
        )
        for name, k in (("patient panda", 8), ("hasty panda", 2))  # down to 1e-27
    }
    caviar = [SimpleNamespace(val_accuracy=[0.9, 0.95]) for _ in range(4)]
    fig = panda_vs_caviar_figure(pandas, caviar)
    assert plotting.figure_problems(fig) == []
    ax = fig.axes[1]
    renderer = fig.canvas.get_renderer()
    fig.draw_without_rendering()
    label = ax.yaxis.label.get_window_extent(renderer)
    low, high = ax.get_ylim()
    ticks = [t for t in ax.yaxis.get_major_ticks() if low <= t.get_loc() <= high]
    assert len(ticks) >= 5
    assert all(label.x1 < t.label1.get_window_extent(renderer).x0 for t in ticks)
    # the dotted line a thousandth of the start below, where the text says a run froze
    assert [1e-6, 1e-6] in [list(line.get_ydata()) for line in ax.lines]
    plt.close(fig)


def _caviar_runs(rng, k=12, epochs=12, start=0.84, end=0.98):
    """k validation curves that rise from about `start` towards at most `end`, as notebook 07's."""
    rise = 1 - np.exp(-np.arange(epochs) / 2)
    finals = rng.uniform(end - 0.04, end, size=(k, 1))
    val = start + (finals - start) * rise + rng.normal(0, 0.004, size=(k, epochs))
    return [SimpleNamespace(val_accuracy=list(np.minimum(v, 1.0))) for v in val]


@pytest.mark.parametrize("case", ["notebook 07", "all equal", "up to 100%", "one diverged"])
def test_caviar_figure_fits_its_y_axis_to_the_data_and_shows_every_point(case):
    from course_utils.widgets.tuning import caviar_figure

    histories = _caviar_runs(np.random.default_rng(0))
    if case == "all equal":
        histories = [SimpleNamespace(val_accuracy=[0.95] * 12) for _ in range(4)]
    elif case == "up to 100%":
        histories[3].val_accuracy[-4:] = [1.0] * 4
    elif case == "one diverged":
        histories[5].val_accuracy = [0.1] * 12
    fig = caviar_figure(histories)
    assert plotting.figure_problems(fig) == []
    ax = fig.axes[0]
    low, high = ax.get_ylim()
    shown = np.concatenate([line.get_ydata() for line in ax.lines])
    assert shown.size == 13 * 12 if case != "all equal" else shown.size == 5 * 12
    assert low < shown.min() and shown.max() < high  # every point inside, none on the edge
    span = shown.max() - shown.min()
    if case != "all equal":
        assert span / (high - low) > 0.8  # the data fill the axis: the differences show
    else:
        assert high - low <= 0.03  # a flat line, not a range of 0 to 100%
    ticks = [t for t in ax.get_yticks() if low <= t <= high]
    assert len(ticks) >= 3 and max(ticks) <= 1.0
    final = np.array([h.val_accuracy[-1] for h in histories])
    chosen = int(np.argmax(final))
    assert fig.texts[-1].get_text() == (
        f"Model {chosen} ends at {final[chosen]:.1%} validation accuracy; the median of the "
        f"{len(histories)} models {np.median(final):.1%}, the worst {final.min():.1%}."
    )
    plt.close(fig)
