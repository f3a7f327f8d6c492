"""The apps of notebook 01 (hyperparameter search): grid against random search, coarse-to-fine."""

from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np
from matplotlib import colormaps
from matplotlib.patches import Rectangle
from matplotlib.widgets import RectangleSelector

from .. import plotting, search
from .app import App

__all__ = ["GridVsRandom", "CoarseToFine", "importance_figure"]


# ---------------------------------------------------------------- 1. grid against random search

#: values per axis of the grid; the trials slider shows their squares, 4 to 49
PER_AXIS = range(2, 8)
MAX_TRIALS = PER_AXIS[-1] ** 2
SEEDS = 10
#: cells per side of the objective's heat map
CELLS = 64
#: the heat map's colours for f from 0 to 1. The map is drawn on every move, as an image of
#: colours: about two thirds of the time of a pcolormesh, a third of an image of f through a
#: colormap (Agg would colour every pixel of the resampled image)
HEAT = colormaps["YlGnBu"]
RUG_Y = -0.075  # the strip under the square where the values of x1 tried are marked


class GridVsRandom(App):
    """Grid and random search with the same number of trials, when x1 matters more than x2.

    The objective is ``search.BumpObjective``: f(x1, x2) = (g(x1) + w g(x2)) / (1 + w), a
    narrow bump in each hyperparameter. A grid of k x k trials tries only k values of x1;
    random search tries k**2 values of it (the rug under each square). With w = 0 only x1
    matters, so the number of distinct x1 values decides how close one gets to the optimum
    (Bergstra and Bengio, 2012); as w grows to 1, x2 matters as much, and the grid's edge in
    covering both evenly comes back.

    The random trials of each seed are drawn once, up front: more trials add points and
    keep the earlier ones.
    """

    def __init__(self, optimum=(0.45, 0.7), width=0.06):
        self.optimum, self.width = optimum, width
        self.u = {s: np.random.default_rng(s).random((MAX_TRIALS, 2)) for s in range(SEEDS)}
        ticks = (np.arange(CELLS) + 0.5) / CELLS  # cell centres
        shape = search.BumpObjective(0.0, optimum, width)
        self.g1, self.g2 = shape.bump(ticks, optimum[0]), shape.bump(ticks, optimum[1])
        self.controls = {
            "w": widgets.FloatSlider(
                value=0.0,
                min=0.0,
                max=1.0,
                step=0.05,
                description="w: how much x2 matters",
                continuous_update=True,
                style={"description_width": "initial"},
            ),
            "n_per_axis": widgets.SelectionSlider(
                options=[(str(k * k), k) for k in PER_AXIS],
                value=5,
                description="trials",
                continuous_update=True,
            ),
            "seed": widgets.IntSlider(
                value=0, min=0, max=SEEDS - 1, description="seed", continuous_update=True
            ),
        }
        self._build_figure()
        self._connect()

    def _build_figure(self):
        colors = plotting.COLORS
        self.fig, axes = plotting.figure(1, 2, figsize=(9.5, 4.2))
        self.fig.subplots_adjust(left=0.07, right=0.985, top=0.9, bottom=0.28, wspace=0.2)
        self.panels = {}
        for ax, kind in zip(axes, ("grid", "random"), strict=True):
            image = plotting.colour_image(
                ax, np.zeros((CELLS, CELLS, 4), np.uint8), (0.0, 1.0, 0.0, 1.0), zorder=0
            )
            (optimum,) = ax.plot(*self.optimum, "+", color="white", ms=12, mew=2, zorder=2)
            (rug,) = ax.plot([], [], "|", color="black", ms=9, mew=1.2, zorder=2)
            (trials,) = ax.plot(
                [], [], "o", ms=5, mfc="white", mec="black", mew=0.8, ls="none", zorder=3
            )
            (best,) = ax.plot(
                [], [], "*", ms=16, color=colors["other"], mec="white", mew=1, zorder=4
            )
            ax.set_xlim(-0.04, 1.04)
            ax.set_ylim(-0.13, 1.04)
            ax.set_xticks([0, 0.25, 0.5, 0.75, 1], ["0", "0.25", "0.5", "0.75", "1"])
            ax.set_yticks([0, 0.5, 1], ["0", "0.5", "1"])
            plotting.label(ax, kind, "x1 (matters)", "x2 (matters w times as much)")
            self.panels[kind] = {
                "ax": ax,
                "image": image,
                "optimum": optimum,
                "rug": rug,
                "trials": trials,
                "best": best,
            }
        self.fig.text(
            0.5,
            0.095,
            "\u2605 best trial     + the optimum     | under the square: the values of x1 tried"
            "     darker: a higher score f",
            ha="center",
            va="bottom",
            fontsize=9,
            color="#444c56",
        )
        self.note = plotting.takeaway(self.fig)
        # in the order a full draw draws them; the optimum does not move, but it lies on the
        # heat map, which does: drawn again over it
        self.moving = (
            *(
                panel[name]
                for panel in self.panels.values()
                for name in ("image", "optimum", "rug", "trials", "best")
            ),
            *(panel["ax"].title for panel in self.panels.values()),
            self.note,
        )

    def trials(self, kind):
        """The trials of one strategy, as unit values. -> (n, 2): columns x1, x2."""
        k = self.controls["n_per_axis"].value
        if kind == "grid":
            configs = search.grid_search(self.objective().space, k)
            return np.array([[c["x1"], c["x2"]] for c in configs])
        return self.u[self.controls["seed"].value][: k * k]

    def objective(self):
        """The objective the controls describe: a BumpObjective with weight w on x2."""
        return search.BumpObjective(self.controls["w"].value, self.optimum, self.width)

    def update(self):
        f = self.objective()
        k = self.controls["n_per_axis"].value
        picture = (self.g1[None, :] + f.w * self.g2[:, None]) / (1.0 + f.w)  # row i: x2 = tick i
        found = {}
        for kind, panel in self.panels.items():
            x = self.trials(kind)
            scores = f.value(x[:, 0], x[:, 1])
            best = int(np.argmax(scores))
            distinct = np.unique(x[:, 0])
            panel["image"].set_data(HEAT(picture, bytes=True))
            panel["trials"].set_data(x[:, 0], x[:, 1])
            panel["rug"].set_data(distinct, np.full(distinct.size, RUG_Y))
            panel["best"].set_data([x[best, 0]], [x[best, 1]])
            found[kind] = (distinct.size, scores[best])
            name = "Grid" if kind == "grid" else "Random"
            # the text only: set_title also resets the title's transform (a full draw)
            panel["ax"].title.set_text(
                f"{name}: {distinct.size} values of x1, best f = {scores[best]:.2f}"
            )
        (k_grid, f_grid), (k_random, f_random) = found["grid"], found["random"]
        # no numbers but the counts: the same sentence for many w, drawn from the text cache
        head = f"{k * k} trials: the grid tries {k_grid} values of x1, random search {k_random}"
        if f"{f_random:.2f}" == f"{f_grid:.2f}":
            self.note.set_text(f"{head}; both get as close to the optimum.")
        elif f_random > f_grid:
            self.note.set_text(f"{head}, and random search gets closer to the optimum.")
        else:
            self.note.set_text(f"{head}, yet the grid gets closer to the optimum.")


# ---------------------------------------------------------------- 2. coarse to fine

ROUNDS = 4
KEEP = 0.2  # the share of a round's trials the next round zooms around, as coarse_to_fine
SHRINK = 0.5  # each automatic zoom halves the width on both axes, as narrow
MIN_WIDTH = 0.02  # in u: the smallest box a drag may choose (about 0.08 decades of alpha)
MAX_PER_ROUND = 30
#: one colour and marker per round, in both panels
ROUND_STYLE = [
    (plotting.COLORS["muted"], "o"),
    (plotting.COLORS["main"], "s"),
    (plotting.COLORS["good"], "^"),
    (plotting.COLORS["other"], "D"),
]
ROUND_GLYPH = {"o": "\u25cf", "s": "\u25a0", "^": "\u25b2", "D": "\u25c6"}
ALPHA_TICKS = (1e-4, 1e-3, 1e-2, 1e-1, 1.0)
MOMENTUM_TICKS = (0.9, 0.99, 0.999)


def _percent(share):
    """A share as a percentage with two significant digits: 100%, 25%, 6.2%, 0.04%.

    Never in exponent form (``f"{100:.2g}"`` is "1e+02"), and a share below 1 never reads as
    100%: it gets the digits it needs (99.7%).
    """
    for digits in range(2, 7):
        text = np.format_float_positional(
            100 * share, precision=digits, unique=False, fractional=False, trim="-"
        )
        if share >= 1 or float(text) < 100:
            return f"{text}%"
    return "nearly 100%"


def _clip_box(box):
    """A box ((a_low, a_high), (m_low, m_high)) in u, made at least MIN_WIDTH wide and put
    inside the unit square: too narrow a side grows around its centre; a side that sticks
    out is cut at the border (and shifted in, if cutting would leave it too narrow)."""
    sides = []
    for low, high in box:
        low, high = sorted((float(low), float(high)))
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ValueError(f"a box's ends must be finite numbers, got {box!r}")
        if high - low < MIN_WIDTH:
            centre = (low + high) / 2
            low, high = centre - MIN_WIDTH / 2, centre + MIN_WIDTH / 2
        low, high = max(low, 0.0), min(high, 1.0)
        if high - low < MIN_WIDTH:  # cut at a border: shift back in
            low, high = (0.0, MIN_WIDTH) if low == 0.0 else (1.0 - MIN_WIDTH, 1.0)
        sides.append((low, high))
    return tuple(sides)


class CoarseToFine(App):
    """Coarse-to-fine random search of ``search.toy_accuracy`` over alpha and momentum beta.

    Round 1 draws its trials anywhere in the space; each next round draws as many inside a
    smaller box: by default the one ``search.narrow`` centres on the best 20% of the round
    before (half as wide on each axis, in u: on the hyperparameters' own scales). Drag a
    rectangle on the left panel to choose the next round's box yourself (or call ``zoom``);
    it is kept inside the space. The axes are in u, so a Log axis reads in decades.

    A choice made after round r replaces the automatic box of round r + 1; the later rounds
    follow automatically. No box, chosen or automatic, is narrower than MIN_WIDTH in u. The
    random numbers are drawn once per seed, so the same box gives the same trials.
    """

    def __init__(self):
        self.space = search.toy_accuracy_space()
        self.random = {
            s: np.random.default_rng(s).random((ROUNDS, MAX_PER_ROUND, 2)) for s in range(SEEDS)
        }
        self.chosen = {}  # round index r (1..ROUNDS - 1, from 0) -> a box the learner chose
        self.controls = {
            "round": widgets.IntSlider(
                value=1, min=1, max=ROUNDS, description="round", continuous_update=True
            ),
            "trials": widgets.IntSlider(
                value=15,
                min=5,
                max=MAX_PER_ROUND,
                step=5,
                description="trials/round",
                continuous_update=True,
                style={"description_width": "initial"},
            ),
            "seed": widgets.IntSlider(
                value=3, min=0, max=SEEDS - 1, description="seed", continuous_update=True
            ),
        }
        self._build_figure()
        self.selector = RectangleSelector(
            self.ax_map,
            self._on_select,
            minspanx=MIN_WIDTH / 2,
            minspany=MIN_WIDTH / 2,
            button=[1],
            props={"facecolor": "none", "edgecolor": "black", "linestyle": ":", "linewidth": 1},
        )
        self._connect()

    # ------------------------------------------------------------ the search

    def _values(self, u):
        """Unit values (n, 2) of the whole space -> alpha (n,), momentum (n,)."""
        alpha, momentum = self.space["alpha"], self.space["momentum"]
        return alpha.from_unit(np.clip(u[:, 0], 0, 1)), momentum.from_unit(np.clip(u[:, 1], 0, 1))

    def _box_space(self, box):
        """The space of a box in u: the same Scale types, with the box's ends as bounds."""
        return {
            name: type(scale)(*(float(v) for v in scale.from_unit(np.array(side))))
            for (name, scale), side in zip(self.space.items(), box, strict=True)
        }

    def _narrowed(self, box, u, accuracy):
        """The box ``search.narrow`` gives around the best KEEP share of a round's trials."""
        keep = max(1, math.ceil(KEEP * len(accuracy)))
        best = np.argsort(-accuracy, kind="stable")[:keep]
        alpha, momentum = self._values(u[best])
        configs = [
            {"alpha": float(a), "momentum": float(m)} for a, m in zip(alpha, momentum, strict=True)
        ]
        new = search.narrow(self._box_space(box), configs, SHRINK)
        return _clip_box(
            [
                self.space[name].to_unit(np.array([new[name].low, new[name].high]))
                for name in self.space
            ]
        )

    def rounds(self):
        """Every round's box and trials for the controls' trials and seed.

        -> list of ROUNDS dicts: "box" (the box in u searched), "u" (n, 2) the trials in u,
        "alpha", "momentum", "accuracy" (n,) each, and "next" (the box of the next round,
        None after the last).
        """
        n, seed = self.controls["trials"].value, self.controls["seed"].value
        box = ((0.0, 1.0), (0.0, 1.0))
        history = []
        for r in range(ROUNDS):
            (a_low, a_high), (m_low, m_high) = box
            unit = self.random[seed][r, :n]
            low, width = np.array([a_low, m_low]), np.array([a_high - a_low, m_high - m_low])
            u = low + width * unit
            alpha, momentum = self._values(u)
            accuracy = search.toy_accuracy({"alpha": alpha, "momentum": momentum})
            history.append(
                {"box": box, "u": u, "alpha": alpha, "momentum": momentum, "accuracy": accuracy}
            )
            if r + 1 < ROUNDS:
                box = self.chosen.get(r + 1) or self._narrowed(box, u, accuracy)
            history[-1]["next"] = box if r + 1 < ROUNDS else None
        return history

    def zoom_unit(self, box, after_round=None):
        """Choose the box the round after ``after_round`` searches, in u of the whole space.

        box: ((alpha_low, alpha_high), (momentum_low, momentum_high)), each in [0, 1] (ends
        outside are cut at the border; a side narrower than MIN_WIDTH grows around its
        centre). after_round: 1 to ROUNDS - 1, the round shown by default. The choices for
        rounds after it are dropped (they were made on trials that now change), and the round
        slider moves on to the new round. -> the box used.
        """
        shown = self.controls["round"].value
        after_round = shown if after_round is None else after_round
        if not 1 <= after_round < ROUNDS:
            raise ValueError(
                f"after_round must lie in 1..{ROUNDS - 1} (round {ROUNDS} is the last), "
                f"got {after_round!r}"
            )
        box = _clip_box(box)
        self.chosen = {r: b for r, b in self.chosen.items() if r < after_round}
        self.chosen[after_round] = box
        with self._batch():
            self.controls["round"].value = after_round + 1
        return box

    def zoom(self, alpha_range, momentum_range, after_round=None):
        """``zoom_unit`` in the hyperparameters' values: zoom((1e-3, 1e-2), (0.97, 0.99)).

        Values outside the space are cut at its ends. -> the box used, in values.
        """
        box = []
        for scale, side in zip(self.space.values(), (alpha_range, momentum_range), strict=True):
            ends = np.clip(np.array(side, dtype=float), scale.low, scale.high)
            box.append(np.clip(scale.to_unit(ends), 0.0, 1.0))
        used = self.zoom_unit(box, after_round)
        space = self._box_space(used)
        return tuple((space[name].low, space[name].high) for name in self.space)

    def reset(self):
        """Forget every box chosen: all rounds zoom automatically again."""
        self.chosen = {}
        self._on_change(None)

    def _on_select(self, press, release):
        """The RectangleSelector's callback: the dragged box becomes the next round's."""
        box = ((press.xdata, release.xdata), (press.ydata, release.ydata))
        if min(abs(b - a) for a, b in box) < MIN_WIDTH / 2:
            return  # a click, not a drag
        if self.controls["round"].value == ROUNDS:
            self.note.set_text(
                f"Round {ROUNDS} is the last: move the round slider back to choose a round's "
                "box again."
            )
            self.redraw()
            return
        self._guarded(lambda: self.zoom_unit(box))

    # ------------------------------------------------------------ the figure

    def _build_figure(self):
        colors = plotting.COLORS
        self.fig, (self.ax_map, self.ax_trials) = plotting.figure(
            1, 2, figsize=(9.5, 4.2), gridspec_kw={"width_ratios": [1.15, 1]}
        )
        self.fig.subplots_adjust(left=0.085, right=0.83, top=0.9, bottom=0.2, wspace=0.24)
        ax = self.ax_map
        grid = np.linspace(0, 1, 120)
        ua, um = np.meshgrid(grid, grid)
        alpha, momentum = self._values(np.stack([ua.ravel(), um.ravel()], axis=1))
        truth = search.toy_accuracy({"alpha": alpha, "momentum": momentum}).reshape(ua.shape)
        contours = ax.contour(
            ua, um, truth, levels=[0.3, 0.5, 0.7, 0.9], colors=colors["muted"], linewidths=0.7
        )
        # the labels under the trials and the boxes, which are drawn over them on each move
        ax.clabel(contours, fmt=lambda v: f"{v:.0%}", fontsize=7, inline_spacing=2, zorder=1.5)
        ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, ec="black", lw=0.8))
        self.points, self.boxes = [], []
        for color, marker in ROUND_STYLE:
            (points,) = ax.plot([], [], marker, color=color, ms=5, ls="none", zorder=3)
            self.points.append(points)
            box = Rectangle((0, 0), 1, 1, fill=False, ec=color, lw=1.5, zorder=2)
            ax.add_patch(box)
            self.boxes.append(box)
        self.next_box = Rectangle((0, 0), 1, 1, fill=False, lw=1.5, ls="--", zorder=2)
        ax.add_patch(self.next_box)
        (self.best_mark,) = ax.plot(
            [], [], "*", ms=16, color=colors["accent"], mec="black", mew=0.8, zorder=4
        )
        ax.set_xlim(-0.03, 1.03)
        ax.set_ylim(-0.03, 1.03)
        alpha_scale, momentum_scale = self.space["alpha"], self.space["momentum"]
        ax.set_xticks(alpha_scale.to_unit(np.array(ALPHA_TICKS)), [f"{a:g}" for a in ALPHA_TICKS])
        ax.set_yticks(
            np.clip(momentum_scale.to_unit(np.array(MOMENTUM_TICKS)), 0, 1),
            [f"{m:g}" for m in MOMENTUM_TICKS],
        )
        plotting.label(
            ax, "Round 1", "learning rate alpha (log scale)", "momentum beta (log of 1 - beta)"
        )

        ax = self.ax_trials
        top = float(truth.max())
        ax.axhline(top, color=colors["accent"], ls=":", lw=1)  # under the trials
        self.trial_points = []
        for color, marker in ROUND_STYLE:
            (points,) = ax.plot([], [], marker, color=color, ms=4, ls="none")
            self.trial_points.append(points)
        (self.best_line,) = ax.plot([], [], color="black", lw=1.5, drawstyle="steps-post")
        ax.set_ylim(0, 1)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1], ["0%", "25%", "50%", "75%", "100%"])
        plotting.key(
            ax,
            [(f"{ROUND_GLYPH[m]} round {r + 1}", c) for r, (c, m) in enumerate(ROUND_STYLE)]
            + [
                ("\u2605 best trial so far", colors["accent"]),
                ("\u2014 best so far, by trial", "black"),
                (f"\u00b7\u00b7 best possible, {top:.0%}", colors["accent"]),
                ("- - next round's box;", "black"),
                ("     drag on the left", "black"),
                ("     to choose it", "black"),
            ],
            x=1.04,
            y=1.0,
        )
        plotting.label(
            ax, "Every trial, and the best so far", "trial number", "validation accuracy"
        )
        self.note = plotting.takeaway(self.fig)
        # in the order a full draw draws them (by zorder: boxes, trials, the best trial); the
        # axis line on the left does not move, but it is drawn over the first trials
        self.moving = (
            *self.boxes,
            self.next_box,
            *self.points,
            self.best_mark,
            *self.trial_points,
            self.best_line,
            self.ax_trials.spines["left"],
            self.ax_map.title,
            self.note,
        )

    def update(self):
        shown = self.controls["round"].value
        n = self.controls["trials"].value
        history = self.rounds()
        accuracy = np.concatenate([h["accuracy"] for h in history[:shown]])
        u = np.concatenate([h["u"] for h in history[:shown]])
        best = int(np.argmax(accuracy))
        for r, h in enumerate(history):
            visible = r < shown
            self.points[r].set_visible(visible)
            self.trial_points[r].set_visible(visible)
            self.points[r].set_data(h["u"][:, 0], h["u"][:, 1])
            self.trial_points[r].set_data(np.arange(r * n, (r + 1) * n) + 1, h["accuracy"])
            (a_low, a_high), (m_low, m_high) = h["box"]
            self.boxes[r].set_bounds(a_low, m_low, a_high - a_low, m_high - m_low)
            self.boxes[r].set_visible(visible and r > 0)  # round 1's box is the whole space
        following = history[shown - 1]["next"]
        self.next_box.set_visible(following is not None)
        if following is not None:
            (a_low, a_high), (m_low, m_high) = following
            self.next_box.set_bounds(a_low, m_low, a_high - a_low, m_high - m_low)
            self.next_box.set_edgecolor(ROUND_STYLE[shown][0])
        self.best_mark.set_data([u[best, 0]], [u[best, 1]])
        steps = np.arange(accuracy.size + 1) + 0.5
        running = np.maximum.accumulate(accuracy)
        self.best_line.set_data(steps, np.append(running, running[-1]))
        # the trials axis changes with the trials per round only: then it needs a full draw
        if self.ax_trials.get_xlim() != (0, ROUNDS * n + 1):
            self.ax_trials.set_xlim(0, ROUNDS * n + 1)
        ticks = np.arange(ROUNDS + 1) * n
        if not np.array_equal(self.ax_trials.get_xticks(), ticks):
            self.ax_trials.set_xticks(ticks)
        alpha = np.concatenate([h["alpha"] for h in history[:shown]])[best]
        momentum = np.concatenate([h["momentum"] for h in history[:shown]])[best]
        # the text only: set_title also resets the title's transform (a full draw)
        self.ax_map.title.set_text(f"Round {shown} of {ROUNDS}: best so far {accuracy[best]:.1%}")
        self.note.set_text(self._takeaway(history, shown, accuracy[best], alpha, momentum))

    def _takeaway(self, history, shown, best, alpha, momentum):
        where = f"at alpha = {alpha:.2g}, beta = {momentum:.4f}"
        if shown == 1:
            return f"Round 1 searched the whole space and found {best:.1%} {where}."
        (a_low, a_high), (m_low, m_high) = history[shown - 1]["box"]
        share = (a_high - a_low) * (m_high - m_low)
        if shown - 1 in self.chosen:
            head = f"Round {shown} searched your box"
        else:
            head = f"Round {shown} zoomed around round {shown - 1}'s best"
        head += f", {_percent(share)} of the space"
        before = max(h["accuracy"].max() for h in history[: shown - 1])
        if best > before:
            return f"{head}: a new best, {best:.1%}, {where}."
        return f"{head}: the best is still {best:.1%}, {where}."


# ---------------------------------------------------------------- the network's search (static)

TIER_COLORS = {1: "main", 2: "good", 3: "accent", 4: "muted"}


def importance_figure(space, configs, results, shares, tiers, floor):
    """Which hyperparameters mattered in a random search: the figure of notebooks 01 and 07.

    Left: each hyperparameter's share of the results' variance (``search.importance``), highest
    first, coloured by the lecture's tier, with the noise floor (the share 95% of shuffled
    results stay below) as a dashed line. Right: every trial's result against the most
    important hyperparameter, on its own scale. -> fig
    """
    ranking = sorted(shares, key=shares.get, reverse=True)
    fig, (ax_bars, ax_top) = plotting.figure(1, 2, figsize=(9.5, 3.8))
    fig.subplots_adjust(bottom=0.34, wspace=0.3)
    colors = [plotting.COLORS[TIER_COLORS[tiers[name]]] for name in ranking]
    ax_bars.bar(range(len(ranking)), [shares[name] for name in ranking], color=colors)
    ax_bars.axhline(floor, color=plotting.COLORS["other"], ls="--", lw=1)
    ax_bars.text(
        len(ranking) - 0.5,
        floor,
        "noise floor",
        color=plotting.COLORS["other"],
        ha="right",
        va="bottom",
        fontsize=9,
    )
    ax_bars.set_xticks(range(len(ranking)), ranking, rotation=35, ha="right", fontsize=9)
    ax_bars.set_ylim(0, max(1.1 * max(shares.values()), 1.3 * floor, 0.05))
    plotting.key(
        ax_bars,
        [(f"lecture's tier {t}", plotting.COLORS[c]) for t, c in TIER_COLORS.items()],
        x=0.55,
    )
    ax_bars.xaxis.set_label_coords(0.5, -0.36, transform=ax_bars.transAxes)
    ax_bars.set_title("Share of the variation explained")
    ax_bars.set_xlabel("hyperparameter (most important first)")
    ax_bars.set_ylabel("share of variance")

    top = ranking[0]
    scale = space[top]
    x = np.array([c[top] for c in configs], dtype=float)
    y = np.array([r if isinstance(r, int | float) else np.nan for r in results], dtype=float)
    ax_top.scatter(x, y, s=14, color=plotting.COLORS["main"], alpha=0.7)
    if type(scale).__name__ == "Log":
        ax_top.set_xscale("log")
        ax_top.minorticks_off()
    plotting.label(
        ax_top, f"Every trial against {top} (\u2605 the best)", top, "validation accuracy"
    )
    best = int(np.nanargmax(y))
    ax_top.scatter([x[best]], [y[best]], s=60, marker="*", color=plotting.COLORS["accent"])
    above = [name for name in ranking if shares[name] > floor]
    plotting.takeaway(
        fig,
        f"{top} explains {shares[top]:.0%} of the variation; {len(above)} of {len(ranking)} "
        f"hyperparameters rise above the noise floor of {floor:.0%}.",
    )
    return fig
