"""The apps of notebook 02 (sampling scales): the scale explorer and the memory of beta."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import MaxNLocator
from scipy.signal import lfilter

from .. import plotting, scales
from .app import App

__all__ = ["ScaleExplorer", "BetaMemory"]

#: The two quantities the explorer samples; their decades are decades of alpha, or of 1 - beta.
QUANTITIES = {
    "learning rate alpha": {
        "symbol": "alpha",
        "scales": ("linear", "log"),
        "exponents": (-6, 0),
        "default": (-4, 0),
    },
    "momentum beta": {
        "symbol": "beta",
        "scales": ("linear", "log(1 - beta)"),
        "exponents": (-4, -1),
        "default": (-3, -1),
    },
}
MAX_SAMPLES = 2000
MAX_DECADES = 6


def _decade_label(symbol, k):
    """The decade [10**k, 10**(k+1)] of alpha, or of 1 - beta, named by where it starts."""
    if symbol == "alpha":
        return f"1e{k}"
    return f"{1 - 10.0 ** (k + 1):.{max(-k - 1, 1)}f}"


class ScaleExplorer(App):
    """Draw samples of alpha or beta on a chosen scale; see where they land, per decade.

    Left: the samples on a linear axis. Right: the share of samples in each decade (of alpha,
    or of 1 - beta), against the equal share that sampling on the right scale gives.
    """

    def __init__(self, seed=0):
        self.u = np.random.default_rng(seed).random(MAX_SAMPLES)
        first = next(iter(QUANTITIES.values()))
        self.controls = {
            "n": widgets.IntSlider(
                value=300,
                min=20,
                max=MAX_SAMPLES,
                step=20,
                description="samples",
                continuous_update=True,
            ),
            "quantity": widgets.Dropdown(options=list(QUANTITIES), description="quantity"),
            "scale": widgets.ToggleButtons(options=first["scales"], description="scale"),
            "exponents": widgets.IntRangeSlider(
                value=first["default"],
                min=first["exponents"][0],
                max=first["exponents"][1],
                description="decades",
                continuous_update=True,
            ),
        }
        self.controls["quantity"].observe(self._on_quantity, names="value")
        self._build_figure()
        self._connect()

    def _build_figure(self):
        self.fig, (self.ax_linear, self.ax_decades) = plotting.figure(1, 2)
        self.hist = self.ax_linear.stairs(
            np.zeros(30), np.linspace(0, 1, 31), fill=True, color=plotting.COLORS["main"]
        )
        plotting.label(self.ax_linear, "Samples on a linear axis", "value", "samples per bin")
        # few tick labels: each is text, the costliest thing in the figure to draw
        self.ax_linear.yaxis.set_major_locator(MaxNLocator(3, integer=True))
        self.bars = self.ax_decades.bar(
            np.arange(MAX_DECADES), np.zeros(MAX_DECADES), color=plotting.COLORS["main"]
        )
        self.fair = self.ax_decades.axhline(0.25, color=plotting.COLORS["good"], ls="--")
        self.ax_decades.set_ylim(0, 1.2)  # room for the key above a full bar
        self.ax_decades.set_yticks([0, 0.5, 1])
        (self.fair_key,) = plotting.key(
            self.ax_decades, [("- - equal share per decade", plotting.COLORS["good"])]
        )
        plotting.label(self.ax_decades, "Share of samples per decade", "decade", "share of samples")
        # said in each panel while the range is empty (both ends of the slider together)
        self.empty_notes = [
            ax.text(
                0.5,
                0.5,
                "empty range: no samples",
                transform=ax.transAxes,
                ha="center",
                va="center",
                color=plotting.COLORS["muted"],
                visible=False,
            )
            for ax in (self.ax_linear, self.ax_decades)
        ]
        self.note = plotting.takeaway(self.fig)
        self._layout = None  # (symbol, k_low, k_high) the axes were last set up for
        # the spines lie over the bars' edges: drawn again over them, as a full draw does
        self.moving = (
            self.hist,
            *self.ax_linear.spines.values(),
            *self.bars,
            self.fair,
            *self.ax_decades.spines.values(),
            self.note,
        )

    def _on_quantity(self, change):
        """Give scale and range the new quantity's choices, without updating in between.

        No redraw here: the quantity's own change reaches ``_on_change`` next (it observes
        every control and was connected after this), which updates and redraws once.
        """
        q = QUANTITIES[change["new"]]
        exponents = self.controls["exponents"]
        self._batching = True
        try:
            self.controls["scale"].options = q["scales"]
            self.controls["scale"].value = q["scales"][0]
            # widen first so that the new value always fits the bounds in between
            exponents.min, exponents.max = -6, 0
            exponents.value = q["default"]
            exponents.min, exponents.max = q["exponents"]
        finally:
            self._batching = False

    def scale(self):
        """The Scale the controls describe, or None for an empty range."""
        q = QUANTITIES[self.controls["quantity"].value]
        k_low, k_high = self.controls["exponents"].value
        if k_low == k_high:
            return None
        name = self.controls["scale"].value
        if q["symbol"] == "alpha":
            kind = scales.Log if name == "log" else scales.Linear
            return kind(10.0**k_low, 10.0**k_high)
        kind = scales.OneMinusLog if name.startswith("log") else scales.Linear
        return kind(1 - 10.0**k_high, 1 - 10.0**k_low)

    def samples(self):
        """The first n samples on the chosen scale. -> (n,)"""
        return self.scale().from_unit(self.u[: self.controls["n"].value])

    def _set_up_axes(self, scale, symbol, decades):
        """The x limits, ticks and labels of both axes, for a range and its decades."""
        for text in self.empty_notes:
            text.set_visible(False)
        self.fair_key.set_visible(True)
        self.ax_linear.yaxis.set_major_locator(MaxNLocator(3, integer=True))
        self.ax_linear.set_xlim(scale.low, scale.high)
        ends = [scale.low, scale.high]  # the range is what matters: label its two ends
        self.ax_linear.set_xticks(ends, [np.format_float_positional(v, trim="-") for v in ends])
        self.ax_linear.set_xlabel(symbol)
        self.ax_decades.set_xlim(-0.6, len(decades) - 0.4)
        self.ax_decades.set_xticks(
            np.arange(len(decades)), [_decade_label(symbol, k) for k in decades]
        )
        self.ax_decades.set_xlabel(
            "decade of alpha, by its lower end"
            if symbol == "alpha"
            else "decade of 1 - beta, by its lowest beta"
        )

    def _show_empty(self, symbol):
        """Both ends of the range together: no samples, so no histogram, bars, equal share or
        ticks of an earlier range; each panel and the takeaway say the range is empty."""
        k, _ = self.controls["exponents"].value
        for artist in (self.hist, *self.bars, self.fair):
            artist.set_visible(False)
        if self._layout != (symbol, k, k):
            self._layout = (symbol, k, k)  # the axes of a range are set up again after it
            self.ax_linear.set_xticks([])
            self.ax_linear.set_yticks([])
            self.ax_decades.set_xticks([])
            for text in self.empty_notes:
                text.set_visible(True)
            self.fair_key.set_visible(False)
        end = f"{10.0**k:g}" if symbol == "alpha" else f"{1 - 10.0**k:g}"
        self.note.set_text(
            f"The range is empty: both ends at {symbol} = {end}. Move the ends of 'decades' "
            "apart to sample at least one decade."
        )

    def update(self):
        q = QUANTITIES[self.controls["quantity"].value]
        symbol = q["symbol"]
        scale = self.scale()
        if scale is None:
            self._show_empty(symbol)
            return
        for artist in (self.hist, self.fair):
            artist.set_visible(True)
        x = self.samples()
        counts, edges = np.histogram(x, bins=30, range=(scale.low, scale.high))
        self.hist.set_data(values=counts, edges=edges)
        plotting.fit_height(self.ax_linear, counts.max())

        k_low, k_high = self.controls["exponents"].value
        # bars left to right as the value grows: decades of alpha up, decades of 1 - beta down
        decades = (
            np.arange(k_low, k_high) if symbol == "alpha" else np.arange(k_high - 1, k_low - 1, -1)
        )
        distance = x if symbol == "alpha" else 1 - x  # the quantity whose decades matter
        k_of_x = np.clip(np.floor(np.log10(distance)), k_low, k_high - 1)
        shares = np.array([np.mean(k_of_x == k) for k in decades])
        for i, bar in enumerate(self.bars):
            bar.set_visible(i < len(decades))
            bar.set_height(shares[i] if i < len(decades) else 0)
        self.fair.set_ydata([1 / len(decades)] * 2)
        # limits, ticks and labels follow the range only: set again (a full draw) when it changes
        if self._layout != (symbol, k_low, k_high):
            self._layout = (symbol, k_low, k_high)
            self._set_up_axes(scale, symbol, decades)

        # the widest decade, where linear sampling crowds: alpha's highest, 1 - beta's largest
        crowded = shares[-1] if symbol == "alpha" else shares[0]
        if symbol == "alpha":
            where = f"[{scale.high / 10:g}, {scale.high:g}]"
        else:
            where = f"[{scale.low:g}, {1 - (1 - scale.low) / 10:g}]"
        self.note.set_text(
            f"{self.controls['scale'].value.capitalize()} sampling puts {crowded:.0%} of the "
            f"{symbol}s in {where}; the right scale gives each decade {1 / len(decades):.0%}."
        )


#: beta on the slider moves on the log(1 - beta) scale: 1 - beta from 0.5 to 0.00056, so that
#: beta + NUDGE stays below 1; 0.9, 0.99 and 0.999 are among the stops.
BETA_OPTIONS = [1 - float(f"{10.0**-k:.2g}") for k in np.round(np.arange(0.3, 3.26, 0.05), 2)]
NUDGE = 0.0005
SIGNAL_STEPS = 3000
PLOT_EVERY = 4  # the average is smooth: every 4th step draws the same curve, 4 times faster
NOISE = 0.4
#: the share of the weight the last 1 / (1 - beta) steps carry tends to 1 - 1/e as beta -> 1
MEMORY_SHARE = 1 - np.exp(-1)


def _beta(beta):
    """beta with all its digits, as the slider shows it: 0.99944, 0.9005."""
    return f"{beta:.6f}".rstrip("0")


def memory_share(beta):
    """The last k = round(1 / (1 - beta)) steps and the share of the weight they carry.

    The step j back (j = 0 the latest) weighs (1 - beta) beta**j, so the last k steps carry
    1 - beta**k: 75% at beta = 0.5, 65% at 0.9, and 1 - 1/e = 63% only in the limit beta -> 1.
    -> (k, share)
    """
    k = max(1, round(scales.remembered_steps(beta)))
    return k, 1 - beta**k


def _steps(memory):
    """A memory in steps, to one decimal while it is short: 10.1, 2000."""
    return f"{memory:.1f}" if round(memory, 1) < 100 else f"{memory:.0f}"


class BetaMemory(App):
    """How many steps an exponentially weighted average remembers: 1 / (1 - beta).

    Left: the share of the average's weight that lies on the last k steps, 1 - beta**k, with
    k = 1 / (1 - beta) marked, the share at k (rounded) as a dot, and 1 - 1/e, the share's limit
    as beta -> 1, dotted. Right: a noisy signal and its average. With "compare" on, the
    same for beta + 0.0005: nothing changes at 0.9, the memory doubles at 0.999.
    """

    def __init__(self, seed=0):
        rng = np.random.default_rng(seed)
        t = np.arange(SIGNAL_STEPS)
        self.trend = 1 + 0.5 * np.sin(2 * np.pi * t / 700)
        self.signal = self.trend + NOISE * rng.standard_normal(t.size)
        self.k = np.unique(np.round(np.logspace(0, 5, 300)))
        self.controls = {
            "beta": widgets.SelectionSlider(
                options=[(_beta(b), b) for b in BETA_OPTIONS],
                value=0.9,
                description="beta",
                continuous_update=True,
            ),
            "compare": widgets.Checkbox(value=True, description=f"compare with beta + {NUDGE}"),
        }
        self._build_figure()
        self._connect()

    def _build_figure(self):
        colors = plotting.COLORS
        self.fig, (self.ax_share, self.ax_signal) = plotting.figure(1, 2)
        ax = self.ax_share
        ax.set_xscale("log")
        ax.set_xlim(1, 1e5)
        ax.set_ylim(0, 1.02)
        ax.axhline(MEMORY_SHARE, color=colors["muted"], ls=":", lw=1)
        (self.share_line,) = ax.plot([], [], color=colors["main"])
        (self.share_nudged,) = ax.plot([], [], color=colors["other"], ls="--")
        (self.share_dot,) = ax.plot([], [], "o", color=colors["main"], ms=6, zorder=3)
        self.memory_mark = ax.axvline(10, color=colors["main"], lw=1)
        self.memory_nudged = ax.axvline(10, color=colors["other"], lw=1, ls="--")
        ax.minorticks_off()
        # fixed ticks, plain numbers: "10^3" would be mathtext, several times slower to draw
        ax.set_xticks([1, 10, 100, 1e3, 1e4, 1e5], ["1", "10", "100", "1000", "1e4", "1e5"])
        # 63%: the dotted line, the limit of the share at k = 1 / (1 - beta) as beta -> 1
        ax.set_yticks([0, 0.5, MEMORY_SHARE, 1], ["0%", "50%", f"{MEMORY_SHARE:.0%}", "100%"])
        share_keys = plotting.key(
            ax, [("beta", colors["main"]), (f"beta + {NUDGE}", colors["other"])]
        )
        self.nudged_key = share_keys[1]
        plotting.label(
            ax,
            "How far back the average looks",
            "steps back k (log axis)",
            "share of weight in last k",
        )
        ax = self.ax_signal
        # the noise as a band, not a jagged line of 3000 points: a tenth of the drawing time
        t = np.arange(0, SIGNAL_STEPS, PLOT_EVERY)
        trend = self.trend[::PLOT_EVERY]
        ax.fill_between(
            t,
            trend - 2 * NOISE,
            trend + 2 * NOISE,
            color=colors["muted"],
            alpha=0.25,
            lw=0,
        )
        (self.avg_line,) = ax.plot([], [], color=colors["main"], lw=1.5)
        (self.avg_nudged,) = ax.plot([], [], color=colors["other"], lw=1.5, ls="--")
        ax.set_xlim(0, SIGNAL_STEPS)
        ax.set_ylim(-0.5, 2.7)
        ax.set_xticks([0, 1000, 2000, 3000])
        ax.set_yticks([0, 1, 2])
        signal_keys = plotting.key(
            ax,
            [
                ("noisy signal (95% band)", colors["muted"]),
                ("its average, beta", colors["main"]),
                (f"its average, beta + {NUDGE}", colors["other"]),
            ],
        )
        self.avg_nudged_key = signal_keys[2]
        plotting.label(ax, "A noisy signal and its average", "step t", "value")
        self.note = plotting.takeaway(self.fig)
        # the curves, then what a full draw puts over them (spines, keys), in the same order
        self.moving = (
            self.share_line,
            self.share_nudged,
            self.share_dot,
            self.memory_mark,
            self.memory_nudged,
            *self.ax_share.spines.values(),
            *share_keys,
            self.avg_line,
            self.avg_nudged,
            *self.ax_signal.spines.values(),
            *signal_keys,
            self.note,
        )

    def average(self, momentum):
        """v_t = momentum v_(t-1) + (1 - momentum) signal_t. -> (SIGNAL_STEPS,)

        It starts from the first value of the signal, not from 0: from 0 the curve would
        creep up for about 1 / (1 - momentum) steps (the start-up bias that Adam corrects),
        which is not what this figure is about.
        """
        start = [momentum * self.signal[0]]  # so that v_0 = signal_0
        return lfilter([1 - momentum], [1, -momentum], self.signal, zi=start)[0]

    def update(self):
        beta = self.controls["beta"].value
        compare = self.controls["compare"].value
        nudged = beta + NUDGE
        memory, memory_nudged = scales.remembered_steps(beta), scales.remembered_steps(nudged)
        self.share_line.set_data(self.k, 1 - beta**self.k)
        self.memory_mark.set_xdata([memory, memory])
        k, share = memory_share(beta)
        self.share_dot.set_data([k], [share])
        t = np.arange(0, SIGNAL_STEPS, PLOT_EVERY)
        self.avg_line.set_data(t, self.average(beta)[::PLOT_EVERY])
        nudged_artists = (
            self.share_nudged,
            self.memory_nudged,
            self.avg_nudged,
            self.nudged_key,
            self.avg_nudged_key,
        )
        for artist in nudged_artists:
            artist.set_visible(compare)
        if compare:
            self.share_nudged.set_data(self.k, 1 - nudged**self.k)
            self.memory_nudged.set_xdata([memory_nudged, memory_nudged])
            self.avg_nudged.set_data(t, self.average(nudged)[::PLOT_EVERY])
            change = memory_nudged / memory - 1
            change_text = f"{change:+.1%}" if abs(change) < 0.1 else f"{change:+.0%}"
            self.note.set_text(
                f"beta = {_beta(beta)} remembers about {_steps(memory)} steps; beta + {NUDGE} = "
                f"{_beta(nudged)} remembers {_steps(memory_nudged)} ({change_text})."
            )
        else:
            head = (
                f"beta = {_beta(beta)} remembers about {_steps(memory)} steps: the last {k} "
                f"carry {share:.0%} of the weight"
            )
            if f"{share:.0%}" == f"{MEMORY_SHARE:.0%}":
                self.note.set_text(f"{head}, near the limit 1 - 1/e as beta -> 1.")
            else:
                self.note.set_text(f"{head} ({MEMORY_SHARE:.0%} is the limit as beta -> 1).")
