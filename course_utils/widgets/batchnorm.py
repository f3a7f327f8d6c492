"""The apps of notebook 04 (batch norm in training): what gamma and beta do, and batch noise."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import batchnorm, plotting
from .app import App

__all__ = ["GammaBeta", "BatchNoise"]

BIN_WIDTH = 0.5  # of GammaBeta's histograms, in units of z
EPS = 1e-5
KEY_X = 0.5  # where GammaBeta's keys start, in axes fractions


def _unit(m, seed):
    """One hidden unit's pre-activations over a mini-batch: skewed, off-centre. -> Z: (1, m)"""
    rng = np.random.default_rng(seed)
    return (3.0 + 2.0 * rng.gamma(2.0, 1.0, size=m) - 4.0).reshape(1, m)


class GammaBeta(App):
    """One unit's Z before and after batch norm; gamma and beta choose the new distribution.

    With "undo" on, gamma = sqrt(var + eps) and beta = mu: the layer gives back Z itself,
    which is why normalising costs the network nothing it could not learn back.
    """

    def __init__(self, m=512, seed=0):
        self.Z = _unit(m, seed)
        slider = {"continuous_update": True, "readout_format": ".2f"}
        self.controls = {
            "gamma": widgets.FloatSlider(value=1.0, min=0.1, max=4.0, step=0.05, **slider),
            "beta": widgets.FloatSlider(value=0.0, min=-4.0, max=4.0, step=0.1, **slider),
            "undo": widgets.Checkbox(value=False, description="gamma = sqrt(var + eps), beta = mu"),
        }
        self.controls["gamma"].description = "gamma"
        self.controls["beta"].description = "beta"
        self._build_figure()
        self._connect()

    def _reach(self):
        """The smallest and largest value either panel can show, over every slider position.

        Z_tilde = gamma Z_norm + beta is linear in gamma and in beta, so its extremes over the
        sliders' ranges lie at their ends; "undo" gives back Z itself.
        """
        values = [self.Z.min(), self.Z.max()]
        for gamma in (self.controls["gamma"].min, self.controls["gamma"].max):
            for beta in (self.controls["beta"].min, self.controls["beta"].max):
                values += [gamma * self.Z_norm.min() + beta, gamma * self.Z_norm.max() + beta]
        return min(values), max(values)

    def _build_figure(self):
        colors = plotting.COLORS
        self.fig, (self.ax_in, self.ax_out) = plotting.figure(1, 2)
        _, cache = batchnorm.forward(self.Z, np.ones((1, 1)), np.zeros((1, 1)), eps=EPS)
        self.mu, self.var = float(cache["mu"][0, 0]), float(cache["var"][0, 0])
        self.Z_norm = cache["Z_norm"]
        # one set of bins for both panels and every slider position: no value falls outside
        low, high = self._reach()
        low, high = 5 * np.floor(low / 5 - 0.02), 5 * np.ceil(high / 5 + 0.02)
        self.bins = np.arange(low, high + BIN_WIDTH / 2, BIN_WIDTH)
        counts = np.histogram(self.Z, self.bins)[0]
        self.in_hist = self.ax_in.stairs(counts, self.bins, fill=True, color=colors["muted"])
        self.ax_in.axvline(self.mu, color=colors["accent"], ls="--")
        # the keys right of the middle, clear of every dashed line (beta is at most 4)
        plotting.key(
            self.ax_in,
            [(f"mu = {self.mu:.2f}, sigma = {self.var**0.5:.2f}", colors["accent"])],
            x=KEY_X,
        )
        plotting.label(self.ax_in, "Z of one unit (a mini-batch)", "z", "examples")
        self.out_hist = self.ax_out.stairs(counts * 0, self.bins, fill=True, color=colors["main"])
        self.out_mean = self.ax_out.axvline(0, color=colors["accent"], ls="--")
        (self.out_key,) = plotting.key(self.ax_out, [("", colors["accent"])], x=KEY_X)
        for ax in (self.ax_in, self.ax_out):
            ax.set_xlim(self.bins[0], self.bins[-1])
            ax.set_ylim(0, counts.max() * 1.4)
            ax.set_xticks(np.arange(low, high + 1, 5 if high - low <= 40 else 10))
        plotting.label(self.ax_out, "Z_tilde = gamma Z_norm + beta", "z_tilde", "examples")
        self.note = plotting.takeaway(self.fig)
        self.moving = (self.out_hist, self.out_mean, self.out_key, self.note)

    def gamma_beta(self):
        """The gamma and beta in use: the sliders', or those that undo the normalisation."""
        if self.controls["undo"].value:
            return np.sqrt(self.var + EPS), self.mu
        return self.controls["gamma"].value, self.controls["beta"].value

    def update(self):
        gamma, beta = self.gamma_beta()
        for name in ("gamma", "beta"):
            self.controls[name].disabled = self.controls["undo"].value
        Z_tilde, _ = batchnorm.forward(self.Z, np.full((1, 1), gamma), np.full((1, 1), beta), EPS)
        counts = np.histogram(Z_tilde, self.bins)[0]
        self.out_hist.set_data(values=counts)
        plotting.fit_height(self.ax_out, counts.max(), margin=1.4)
        self.out_mean.set_xdata([beta, beta])
        self.out_key.set_text(f"mean = {Z_tilde.mean():.2f}, std = {Z_tilde.std():.2f}")
        if self.controls["undo"].value:
            error = np.max(np.abs(Z_tilde - self.Z))
            self.note.set_text(
                "gamma = sqrt(var + eps) and beta = mu give back Z "
                f"(largest difference {error:.1e})."
            )
        else:
            self.note.set_text(
                f"Z_tilde has mean beta = {beta:.2f} and std gamma = {gamma:.2f}, whatever Z was."
            )


BATCH_SIZES = (8, 16, 32, 64, 128, 256, 512)
N_BATCHES = 400
MU_BINS, VAR_BINS = 60, 80


class BatchNoise(App):
    """How noisy a mini-batch's estimates of mu and sigma^2 are, as the mini-batch grows.

    The noise in mu and sigma^2 shifts and scales every example a little differently from
    batch to batch: a slight, unintended regularisation, which shrinks as 1 / sqrt(m).
    """

    def __init__(self, seed=0):
        rng = np.random.default_rng(seed)
        self.population = _unit(100_000, seed + 1).ravel()
        self.mu, self.var = self.population.mean(), self.population.var()
        picks = rng.integers(0, self.population.size, size=(N_BATCHES, max(BATCH_SIZES)))
        self.batches = self.population[picks]  # (N_BATCHES, 512): batch b's first m examples
        self.controls = {
            "m": widgets.SelectionSlider(
                options=BATCH_SIZES, value=64, description="mini-batch", continuous_update=True
            )
        }
        self._build_figure()
        self._connect()

    def _build_figure(self):
        colors = plotting.COLORS
        self.fig, (self.ax_mu, self.ax_var) = plotting.figure(1, 2)
        # bins and y-limits fixed for every mini-batch size, so that the eye can compare them:
        # the bins hold every estimate at every size, the height fits the tallest bar of all
        every = [self.estimates(m) for m in BATCH_SIZES]
        mus = np.concatenate([mu for mu, _ in every])
        variances = np.concatenate([var for _, var in every])
        pad = 0.02 * (mus.max() - mus.min())
        self.mu_bins = np.linspace(mus.min() - pad, mus.max() + pad, MU_BINS + 1)
        self.var_bins = np.linspace(0, 1.02 * variances.max(), VAR_BINS + 1)
        self.counts = {
            m: (np.histogram(mu, self.mu_bins)[0], np.histogram(var, self.var_bins)[0])
            for m, (mu, var) in zip(BATCH_SIZES, every, strict=True)
        }
        self.spread = {m: mu.std() for m, (mu, _) in zip(BATCH_SIZES, every, strict=True)}
        self.mu_hist = self.ax_mu.stairs(
            np.zeros(MU_BINS), self.mu_bins, fill=True, color=colors["main"]
        )
        self.var_hist = self.ax_var.stairs(
            np.zeros(VAR_BINS), self.var_bins, fill=True, color=colors["main"]
        )
        truths = [
            self.ax_mu.axvline(self.mu, color=colors["good"], ls="--"),
            self.ax_var.axvline(self.var, color=colors["good"], ls="--"),
        ]
        keys = []
        for i, (ax, what) in enumerate(((self.ax_mu, "mu"), (self.ax_var, "sigma^2"))):
            tallest = max(counts[i].max() for counts in self.counts.values())
            ax.set_ylim(0, 1.25 * tallest)  # room for the key above the tallest bar
            keys += plotting.key(ax, [(f"- - {what} of all the data", colors["good"])], x=0.55)
        plotting.label(self.ax_mu, "Batch estimates of mu", "mu of a mini-batch", "mini-batches")
        plotting.label(
            self.ax_var, "Batch estimates of sigma^2", "sigma^2 of a mini-batch", "mini-batches"
        )
        self.ax_mu.set_xlim(self.mu_bins[0], self.mu_bins[-1])
        self.ax_var.set_xlim(self.var_bins[0], self.var_bins[-1])
        self.note = plotting.takeaway(self.fig)
        # what lies over the histograms is drawn again over them, in the same order
        self.moving = (self.mu_hist, self.var_hist, *truths, *keys, self.note)

    def estimates(self, m):
        """mu and sigma^2 of each of the N_BATCHES mini-batches of size m. -> two (N_BATCHES,)"""
        # each row is the unit seen by one mini-batch: (N_BATCHES, m), normalised row by row
        Z = self.batches[:, :m]
        ones, zeros = np.ones((N_BATCHES, 1)), np.zeros((N_BATCHES, 1))
        _, cache = batchnorm.forward(Z, ones, zeros)
        return cache["mu"].ravel(), cache["var"].ravel()

    def update(self):
        m = self.controls["m"].value
        mu_counts, var_counts = self.counts[m]
        self.mu_hist.set_data(values=mu_counts)
        self.var_hist.set_data(values=var_counts)
        spread, at_64 = self.spread[m], self.spread[64]
        self.note.set_text(
            f"Mini-batches of {m}: the batch mean wanders +/- {spread:.2f}, {spread / at_64:.2f} x "
            "as much as at 64; the noise shrinks as m grows."
        )


def learning_rate_sweep_figure(alphas, runs, target):
    """The experiment of notebook 04: training with and without batch norm over alphas.

    runs: {(batchnorm: bool, alpha): History}, trained with ``val_every=1`` (the validation
    accuracy after every step; without it, after every epoch). Left: validation accuracy
    against optimizer steps at the smallest and the largest alpha; right: the steps each run
    needed to first reach `target` validation accuracy (runs that never did are drawn at the
    top, as "never"; hollow: the run fell below `target` again by its end); the takeaway counts
    the learning rates at which each arm reached `target` and ended above it.
    -> (fig, steps) with steps: {(batchnorm, alpha): int or None}.
    """
    colors = {True: plotting.COLORS["main"], False: plotting.COLORS["other"]}
    fig, (ax_curves, ax_steps) = plotting.figure(1, 2)
    steps = {key: _steps_to(history, target) for key, history in runs.items()}
    for bn in (True, False):
        for alpha, style in ((alphas[0], ":"), (alphas[-1], "-")):
            ax_curves.plot(*_accuracy_by_step(runs[(bn, alpha)]), style, color=colors[bn])
    ax_curves.axhline(target, color=plotting.COLORS["muted"], lw=1)
    ax_curves.set_ylim(0, 1.02)
    plotting.key(
        ax_curves,
        [
            ("with batch norm", colors[True]),
            ("without batch norm", colors[False]),
            (f"dotted: alpha {alphas[0]:g}, solid: {alphas[-1]:g}", plotting.COLORS["muted"]),
        ],
        y=0.5,
        x=0.4,
    )
    plotting.label(ax_curves, "Validation accuracy while training", "steps", "accuracy")
    never = 1.3 * max([s for s in steps.values() if s] or [1])
    for bn in (True, False):
        ys = [steps[(bn, a)] or never for a in alphas]
        ax_steps.plot(alphas, ys, "-", color=colors[bn])
        lost = [
            steps[(bn, a)] is not None and runs[(bn, a)].val_accuracy[-1] < target for a in alphas
        ]
        ax_steps.scatter(
            alphas,
            ys,
            s=30,
            facecolors=["white" if lost_it else colors[bn] for lost_it in lost],
            edgecolors=colors[bn],
            zorder=3,
        )
    ax_steps.axhline(never, color=plotting.COLORS["muted"], ls=":", lw=1)
    ax_steps.text(
        1.0,
        never,
        "never ",
        transform=ax_steps.get_yaxis_transform(),
        ha="right",
        va="bottom",
        fontsize=9,
    )
    ax_steps.text(
        0.3,
        0.7,
        f"hollow: below {target:.0%} at the end",
        transform=ax_steps.transAxes,
        va="top",
        fontsize=9,
        color=plotting.COLORS["muted"],
    )
    ax_steps.set_xscale("log")
    ax_steps.minorticks_off()
    ax_steps.set_xticks(alphas, [f"{a:g}" for a in alphas])
    ax_steps.set_ylim(0, never * 1.12)
    plotting.label(
        ax_steps, f"Steps to {target:.0%} validation accuracy", "learning rate alpha", "steps"
    )
    ended_above = {
        bn: sum(
            steps[(bn, a)] is not None and runs[(bn, a)].val_accuracy[-1] >= target for a in alphas
        )
        for bn in (True, False)
    }
    plotting.takeaway(
        fig,
        f"{target:.0%} reached, and ended above, at {ended_above[True]} of {len(alphas)} learning "
        f"rates with batch norm, at {ended_above[False]} without.",
    )
    return fig, steps


def _accuracy_by_step(history):
    """(steps, validation accuracy) of a run: after every measured step, or every epoch."""
    if history.val_step:
        return history.val_step, history.val_step_accuracy
    return history.steps, history.val_accuracy


def _steps_to(history, target):
    """The optimizer steps a run took to first reach `target` validation accuracy, or None.

    As fine as the run was measured: every step with ``train(..., val_every=1)``, else every
    epoch (then a run that reached it within epoch e counts all of epoch e's steps).
    """
    for step, accuracy in zip(*_accuracy_by_step(history), strict=True):
        if accuracy >= target:
            return step
    return None
