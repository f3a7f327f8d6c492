"""The apps of notebook 05 (batch norm at test time): running estimates of mu and sigma^2."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import batchnorm, plotting
from .app import App

__all__ = ["RunningEstimates"]

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
            ax.set_ylim(0, 2 * truth)
            ax.set_xticks([0, 100, 200, 300])
            ax.set_yticks([0, truth, 2 * truth])
            plotting.label(ax, f"Running {what}", "mini-batches seen", f"estimate of {what}")
        (self.lines["corrected"],) = self.ax_mu.plot([], [], color=colors["other"], lw=1, ls="--")
        plotting.key(
            self.ax_mu,
            [
                ("batch estimates", colors["muted"]),
                ("running average", colors["main"]),
                ("bias-corrected", colors["other"]),
                ("- - true value", colors["good"]),
            ],
            x=0.6,
            y=0.3,
        )
        self.note = plotting.takeaway(self.fig)

    def running(self, momentum):
        """Running mu and sigma^2 after each mini-batch, from 0 and 1. -> two (N_STEPS,)"""
        mu, var = np.zeros((1, 1)), np.ones((1, 1))
        mus, variances = np.empty(N_STEPS), np.empty(N_STEPS)
        for i in range(N_STEPS):
            mu, var = batchnorm.update_running(
                mu, var, self.batch_mu[i : i + 1, None], self.batch_var[i : i + 1, None], momentum
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
        far = np.flatnonzero(np.abs(mus - TRUE_MU) >= 0.1 * TRUE_MU)
        settled = 1 if far.size == 0 else int(far[-1]) + 2  # from then on within 10%
        noise = np.std(mus[N_STEPS // 2 :] - TRUE_MU)
        when = f"from mini-batch {settled} on" if settled <= N_STEPS else "not yet"
        self.note.set_text(
            f"momentum {momentum:g}: running mu stays within 10% of the truth {when}; "
            f"late wobble +/- {noise:.2f}."
        )
