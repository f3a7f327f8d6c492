"""The apps of notebook 05 (batch norm at test time): running estimates of mu and sigma^2, and
one test example classified with running statistics or with the statistics of its batch."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib import colormaps

from .. import batchnorm, nn, plotting
from ..data import digits
from .app import App

__all__ = ["RunningEstimates", "OneExample", "batch_statistics_probabilities"]

N_STEPS = 300
BATCH = 32
TRUE_MU, TRUE_VAR = 2.0, 4.0
#: momentum on the slider moves on the log(1 - momentum) scale, as in notebook 02
MOMENTA = [1 - float(f"{10.0**-k:.2g}") for k in np.round(np.arange(0.3, 3.01, 0.1), 2)]


class RunningEstimates(App):
    """Running mu and sigma^2 of one unit, updated after each mini-batch, against the truth.

    Each mini-batch's own estimates are noisy; the exponentially weighted running averages
    (``batchnorm.update_running``) smooth them over about 1 / (1 - momentum) mini-batches.
    Started from mu = 0 and sigma^2 = 1, as the libraries do, they are biased early on; dividing
    by 1 - momentum**t (Adam's bias correction) removes that bias from a start at 0.
    """

    def __init__(self, seed=0):
        rng = np.random.default_rng(seed)
        Z = rng.normal(TRUE_MU, np.sqrt(TRUE_VAR), size=(N_STEPS, BATCH))
        self.batch_mu, self.batch_var = Z.mean(axis=1), Z.var(axis=1)  # biased, as in the notes
        self.t = np.arange(1, N_STEPS + 1)
        self.controls = {
            "momentum": widgets.SelectionSlider(
                options=[(f"{m:.6f}".rstrip("0"), m) for m in MOMENTA],
                value=0.9,
                description="momentum",
                continuous_update=True,
            ),
            "corrected": widgets.Checkbox(value=True, description="show bias-corrected mu"),
        }
        self._build_figure()
        self._connect()

    def _build_figure(self):
        colors = plotting.COLORS
        self.fig, (self.ax_mu, self.ax_var) = plotting.figure(1, 2)
        self.lines = {}
        for ax, batch, truth, what in (
            (self.ax_mu, self.batch_mu, TRUE_MU, "mu"),
            (self.ax_var, self.batch_var, TRUE_VAR, "sigma^2"),
        ):
            ax.plot(self.t, batch, ".", ms=2, color=colors["muted"])
            ax.axhline(truth, color=colors["good"], ls="--")
            (self.lines[what],) = ax.plot([], [], color=colors["main"], lw=1.5)
            ax.set_xlim(0, N_STEPS)
            ax.set_ylim(0, 2.5 * truth)  # the top fifth, above every batch estimate, for the key
            ax.set_xticks([0, 100, 200, 300])
            ax.set_yticks([0, truth, 2 * truth])
            plotting.label(ax, f"Running {what}", "mini-batches seen", f"estimate of {what}")
        (self.lines["corrected"],) = self.ax_mu.plot([], [], color=colors["other"], lw=1, ls="--")
        keys = [
            *plotting.key(
                self.ax_mu,
                [("batch estimates", colors["muted"]), ("running average", colors["main"])],
                y=0.97,
            ),
            *plotting.key(
                self.ax_mu,
                [("- - bias-corrected", colors["other"]), ("- - true value", colors["good"])],
                x=0.5,
                y=0.97,
            ),
        ]
        self.note = plotting.takeaway(self.fig)
        # in the order a full draw draws them; the axis lines and the keys do not move, but
        # they lie inside the area the curves redraw
        self.moving = (
            self.lines["mu"],
            self.lines["corrected"],
            self.lines["sigma^2"],
            *(ax.spines[side] for ax in (self.ax_mu, self.ax_var) for side in ("left", "bottom")),
            *keys,
            self.note,
        )

    def running(self, momentum):
        """Running mu and sigma^2 after each mini-batch, from 0 and 1. -> two (N_STEPS,)"""
        mu, var = np.zeros((1, 1)), np.ones((1, 1))
        mus, variances = np.empty(N_STEPS), np.empty(N_STEPS)
        for i in range(N_STEPS):
            mu, var = batchnorm.update_running(
                mu,
                var,
                self.batch_mu[i : i + 1, None],
                self.batch_var[i : i + 1, None],
                momentum,
                check=False,  # known-good arrays: 300 steps per slider move
            )
            mus[i], variances[i] = mu[0, 0], var[0, 0]
        return mus, variances

    def update(self):
        momentum = self.controls["momentum"].value
        mus, variances = self.running(momentum)
        corrected = mus / (1 - momentum**self.t)  # exact for a start at 0
        self.lines["mu"].set_data(self.t, mus)
        self.lines["sigma^2"].set_data(self.t, variances)
        self.lines["corrected"].set_data(self.t, corrected)
        self.lines["corrected"].set_visible(self.controls["corrected"].value)
        self.note.set_text(self.takeaway(momentum, mus))

    def takeaway(self, momentum, mus):
        """What the running mu did, measured on the curve: when it first came within 10% of the
        truth and how it wobbles from then on; or, if it never did, how much its start still
        weighs (momentum**t: the bias that the dashed correction removes)."""
        inside = np.abs(mus - TRUE_MU) < 0.1 * TRUE_MU
        batch_wobble = np.std(self.batch_mu - TRUE_MU)
        if not inside.any():
            start_weight = momentum**N_STEPS
            corrected = mus[-1] / (1 - start_weight)
            return (
                f"momentum {momentum:g}: running mu ends at {mus[-1]:.2f}, short of {TRUE_MU:g}: "
                f"the start 0 weighs {momentum:g}^{N_STEPS} = {start_weight:.0%}; "
                f"bias-corrected: {corrected:.2f}."
            )
        first = int(np.argmax(inside))
        return (
            f"momentum {momentum:g}: first within 10% of the truth at mini-batch {first + 1}, "
            f"then +/- {np.std(mus[first:] - TRUE_MU):.2f} around it (one batch: "
            f"+/- {batch_wobble:.2f})."
        )


#: OneExample's network when none is given: the recipe notebook 05 trains (about 0.2 s).
SIZES = (64, 32, 32, 10)
EPOCHS, BATCH_SIZE, ALPHA = 8, 32, 0.01
#: test batch sizes on the slider; the last stop is the whole test set
TEST_BATCH_SIZES = (1, 2, 8, 64)


def batch_statistics_probabilities(network, X, m):
    """X: (n_x, M) -> Y_hat: (n_classes, M), each example normalised with its batch's statistics.

    The M examples are cut into consecutive batches of m (the last one may be smaller), and
    each batch goes through the network in train mode: batch norm uses that batch's mu and var.
    """
    M = X.shape[1]
    Y_hat = np.empty((network.sizes[-1], M))
    for first in range(0, M, m):
        Y_hat[:, first : first + m] = network.forward(X[:, first : first + m], mode="train")[0]
    return Y_hat


def _bars(ax, x, width, color):
    """Bars of the given width centred at x, all in one filled outline (a StepPatch), which
    draws in one go where ``ax.bar`` draws a patch per bar. -> the StepPatch (see heights)"""
    edges = np.column_stack([x - width / 2, x + width / 2]).ravel()
    return ax.stairs(np.zeros(edges.size - 1), edges, fill=True, color=color)


def set_heights(bars, heights):
    """Give the bars of _bars these heights (between bars, the outline stays at 0)."""
    values = np.zeros(2 * len(heights) - 1)
    values[::2] = heights
    bars.set_data(values=values)


def heights(bars):
    """The heights of the bars of _bars. -> (n,)"""
    return bars.get_data().values[::2]


class OneExample(App):
    """One test digit, classified with running statistics or with the statistics of its batch.

    Left: the 8 x 8 image. Right: the class probabilities in inference mode (running mu and
    var, the example alone) and in train mode on a test batch of the chosen size that holds
    the example (the test set cut into consecutive batches, as in the notebook's experiment).
    With a batch of 1, var = 0 in every unit: Z_norm = 0, Z_tilde = beta, and every example
    gets the same probabilities.

    network: a trained ``nn.Network`` with batch norm; data: its ``data.Split``. Without them
    the app trains ``Network(SIZES)`` on ``digits(0)`` itself, as the notebook does.
    """

    def __init__(self, network=None, data=None):
        if data is None:
            data = digits(0)
        if network is None:
            network = nn.Network(SIZES, batchnorm=True, seed=0)
            nn.train(network, data, epochs=EPOCHS, batch_size=BATCH_SIZE, alpha=ALPHA)
        if not network.batchnorm:
            raise ValueError("OneExample needs a network with batch norm (batchnorm=True)")
        self.network, self.data = network, data
        X, y = data.X_test, data.y_test
        M = y.size
        # the raw pixels (0-16) back from the standardised ones, one 8 x 8 image per column
        images = (X * data.std + data.mean).T.reshape(M, 8, 8)
        self.colours = colormaps["gray_r"](images / 16, bytes=True)  # 0 white, 16 black
        self.running = network.forward(X, mode="inference")[0]  # (n_classes, M)
        sizes = sorted({m for m in TEST_BATCH_SIZES if m < M} | {M})
        self.batch = {m: batch_statistics_probabilities(network, X, m) for m in sizes}
        self.accuracy = {m: float(np.mean(P.argmax(axis=0) == y)) for m, P in self.batch.items()}
        self.accuracy["running"] = float(np.mean(self.running.argmax(axis=0) == y))
        self.controls = {
            "example": widgets.IntSlider(
                value=0, min=0, max=M - 1, description="example", continuous_update=True
            ),
            "m": widgets.SelectionSlider(
                options=[(f"{m} (all)" if m == M else str(m), m) for m in sizes],
                value=1,
                description="test batch",
                continuous_update=True,
            ),
        }
        self._build_figure()
        self._connect()

    def _build_figure(self):
        colors = plotting.COLORS
        n_classes = self.network.sizes[-1]
        self.fig, (self.ax_image, self.ax_probs) = plotting.figure(
            1, 2, gridspec_kw={"width_ratios": [1, 3]}
        )
        ax = self.ax_image
        self.image = plotting.colour_image(
            ax, self.colours[0], (-0.5, 7.5, 7.5, -0.5), origin="upper", aspect="equal"
        )
        ax.set_xticks([0, 7])
        ax.set_yticks([0, 7])
        plotting.label(ax, "Test example", "pixel column", "pixel row")
        ax = self.ax_probs
        classes = np.arange(n_classes)
        self.running_bars = _bars(ax, classes - 0.2, 0.4, colors["main"])
        self.batch_bars = _bars(ax, classes + 0.2, 0.4, colors["other"])
        (self.label_mark,) = ax.plot([0], [1.06], "v", color=colors["good"], ms=8)
        ax.set_xlim(-0.6, n_classes - 0.4)
        ax.set_ylim(0, 1.6)  # room for the key above a full bar
        ax.set_xticks(classes)
        ax.set_yticks([0, 0.5, 1])
        self.running_key, self.batch_key, self.label_key = plotting.key(
            ax, [("running", colors["main"]), ("batch", colors["other"]), ("label", colors["good"])]
        )
        plotting.label(ax, "Class probabilities", "class (digit)", "probability")
        self.note = plotting.takeaway(self.fig)
        # in the order a full draw draws them; the image fills its axes, whose axis lines do
        # not move but are drawn over it
        self.moving = (
            self.image,
            self.ax_image.spines["left"],
            self.ax_image.spines["bottom"],
            self.ax_image.title,
            self.running_bars,
            self.batch_bars,
            self.label_mark,
            self.running_key,
            self.batch_key,
            self.label_key,
            self.note,
        )

    def batch_of(self, i, m):
        """The test examples in the batch of m that holds example i. -> range"""
        first = i // m * m
        return range(first, min(first + m, self.data.y_test.size))

    def update(self):
        i, m = self.controls["example"].value, self.controls["m"].value
        label = int(self.data.y_test[i])
        running, batch = self.running[:, i], self.batch[m][:, i]
        self.image.set_data(self.colours[i])
        # the text only: set_title also resets the title's transform (a full draw)
        self.ax_image.title.set_text(f"Test example {i}: a {label}")
        set_heights(self.running_bars, running)
        set_heights(self.batch_bars, batch)
        self.label_mark.set_xdata([label])
        members = self.batch_of(i, m)
        self.running_key.set_text(
            f"running statistics, example alone: {running.argmax()} ({running.max():.0%})"
        )
        self.batch_key.set_text(
            f"statistics of its batch of {len(members)} (examples {members[0]}-{members[-1]}): "
            f"{batch.argmax()} ({batch.max():.0%})"
            if len(members) > 1
            else f"statistics of its batch of 1: {batch.argmax()} ({batch.max():.0%})"
        )
        self.label_key.set_text(f"\u25bc true label: {label}")
        accuracy, running_accuracy = self.accuracy[m], self.accuracy["running"]
        P = self.batch[m]
        if m == 1 and np.ptp(P, axis=1).max() < 1e-6:
            text = (
                f"With a batch of 1, every example gets the same probabilities: "
                f"{accuracy:.0%} of the test set right."
            )
        else:
            text = (
                f"Test batches of {m}: {accuracy:.0%} of the test set right; "
                f"running statistics: {running_accuracy:.0%}."
            )
        self.note.set_text(text)
