"""The apps of notebook 03 (tuning in practice): the panda babysits one model and changes alpha
while it trains; caviar trains many models at once and keeps the best by validation."""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import offset_copy

from .. import nn, plotting, tuning
from ..conclusions import NOISE_IMAGES
from .app import App

__all__ = ["Panda", "Caviar", "Checkpoint", "caviar_figure", "panda_vs_caviar_figure"]

#: the learning rates on the panda's slider: half-decades of tuning.SPACE's alpha range
ALPHAS = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)
MAX_EPOCHS = 30
LOSS_LIMITS = (1e-3, 30.0)  # the loss axis (log); values beyond are drawn at its edge
JUMP = 1.5  # a validation loss this many times its best so far has blown up, says the takeaway
#: the takeaway calls a run diverged when its validation loss is not finite, or when its
#: validation accuracy stayed near chance for this many epochs in a row without rising
DIVERGED_EPOCHS = 3
#: near chance: at most this many times the accuracy of always answering the validation set's
#: most common class (about 1/10 for the digits' 10 classes)
CHANCE_FACTOR = 2.0


def _plural(n, word):
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# ---------------------------------------------------------------- 1. panda


@dataclass(frozen=True)
class Checkpoint:
    """Everything the next epochs depend on, copied after an epoch: the weights, batch norm's
    running statistics, Adam's averages and step count, and the shuffle's Generator state.
    Restoring one and training on gives exactly what training on from that epoch gave."""

    theta: np.ndarray
    running_mu: dict
    running_var: dict
    v: np.ndarray | None
    s: np.ndarray | None
    t: int
    rng_state: dict

    @classmethod
    def take(cls, network, adam, rng):
        def copy(array):
            return None if array is None else array.copy()

        return cls(
            network.theta.copy(),
            {l: mu.copy() for l, mu in network.running_mu.items()},  # noqa: E741
            {l: var.copy() for l, var in network.running_var.items()},  # noqa: E741
            copy(adam.v),
            copy(adam.s),
            adam.t,
            rng.bit_generator.state,
        )

    def restore(self, network, adam, rng):
        """Put the checkpoint back into network, adam and rng (in place: views stay valid)."""
        network.theta[...] = self.theta
        network.running_mu = {l: mu.copy() for l, mu in self.running_mu.items()}  # noqa: E741
        network.running_var = {l: v.copy() for l, v in self.running_var.items()}  # noqa: E741
        adam.v = None if self.v is None else self.v.copy()
        adam.s = None if self.s is None else self.s.copy()
        adam.t = self.t
        rng.bit_generator.state = self.rng_state


def _truncated(history, n):
    """(the first n epochs of history, the epochs after them), both as History."""
    head, tail = nn.History(), nn.History()
    steps = history.steps[n - 1] if n else 0
    for name in ("epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "alpha"):
        values = getattr(history, name)
        setattr(head, name, values[:n])
        setattr(tail, name, values[n:])
    head.steps, tail.steps = history.steps[:n], history.steps[n:]
    head.step_loss, tail.step_loss = history.step_loss[:steps], history.step_loss[steps:]
    return head, tail


def _epoch_ticks(n):
    """A few epoch ticks, 1 and about every quarter of the run: each tick costs a draw."""
    step = max(5, int(round(n / 4 / 5)) * 5) if n >= 10 else max(1, n // 4)
    return [1, *range(step, n + 1, step)] if step > 1 else list(range(1, n + 1))


def _drawn_loss(values):
    """Losses as drawn on the log axis: clipped to it, a blown-up (non-finite) one at its top."""
    values = np.nan_to_num(np.asarray(values, dtype=float), nan=LOSS_LIMITS[1])
    return np.clip(values, *LOSS_LIMITS)


class Panda(App):
    """Babysit one model: train it epoch by epoch and change alpha whenever you like.

    The network is the course's default (``tuning.DEFAULTS``: 64-32-32-10 with batch norm,
    Adam, mini-batches of 64) on the digits. Controls:

    - alpha: the learning rate of the NEXT epochs (a log-spaced slider); a change takes effect
      from the next epoch on.
    - epoch: where the run stands. Moving it forward trains the missing epochs at the alpha
      shown (the Play button moves it one epoch at a time); moving it back rewinds to the
      checkpoint kept after that epoch. Moving forward again replays the recorded epochs, so
      alpha then shows the learning rate of the epoch after the one shown. Changing alpha
      at an earlier epoch branches off: the later epochs are undone (drawn in grey) and
      training continues from that checkpoint with the new alpha.

    ``train_epoch()`` and ``rewind(epoch)`` do the same from code; ``history`` is the run up to
    the epoch shown (an ``nn.History``), ``checkpoints[e]`` the state after epoch e.
    """

    def __init__(self, config=None, *, max_epochs=MAX_EPOCHS, split=None, seed=0):
        self.config = {**tuning.DEFAULTS, **(config or {})}
        self.split = tuning.digits() if split is None else split
        self.max_epochs = max_epochs
        self.network, self.adam, self.rng = tuning.new_panda(
            self.config, split=self.split, seed=seed
        )
        self.checkpoints = [Checkpoint.take(self.network, self.adam, self.rng)]
        self.records = nn.History()  # every epoch trained on the current branch
        self.undone = nn.History()  # the epochs the last branch undid
        self.position = 0
        # what always answering the most common class scores on validation: chance level
        y_val = np.asarray(self.split.y_val)
        self.chance = float(np.bincount(y_val).max() / y_val.size)
        alpha = min(ALPHAS, key=lambda a: abs(np.log(a / self.config["alpha"])))
        self.controls = {
            "alpha": widgets.SelectionSlider(
                options=[(f"{a:g}", a) for a in ALPHAS],
                value=alpha,
                description="alpha",
                continuous_update=True,
            ),
            "epoch": widgets.IntSlider(
                value=0,
                min=0,
                max=max_epochs,
                step=1,
                description="epoch",
                continuous_update=False,
            ),
        }
        self.play = widgets.Play(
            value=0, min=0, max=max_epochs, step=1, interval=400, description="train"
        )
        widgets.jslink((self.play, "value"), (self.controls["epoch"], "value"))
        # how far this run has trained (the slider may show an earlier checkpoint)
        self.progress = widgets.IntProgress(value=0, min=0, max=max_epochs, description="trained")
        self._alpha_seen = alpha
        self._quiet = False
        self._build_figure()
        self._connect()

    # ------------------------------------------------------------ the run

    @property
    def epoch(self):
        """The epoch shown: the network is the one after this epoch."""
        return self.position

    @property
    def trained(self):
        """How many epochs the current branch holds (the epoch slider may show fewer)."""
        return len(self.checkpoints) - 1

    @property
    def history(self):
        """The run up to the epoch shown, as an ``nn.History``."""
        return _truncated(self.records, self.position)[0]

    def train_epoch(self):
        """Train (or replay) one more epoch, as the Play button does. -> the epoch shown."""
        if self.position < self.max_epochs:
            self.controls["epoch"].value = self.position + 1
        return self.position

    def rewind(self, epoch):
        """Go back to the checkpoint after ``epoch`` (0: the untrained network)."""
        self.controls["epoch"].value = epoch
        return self.position

    def _train_to(self, target):
        """Replay or train until the epoch shown is target."""
        if target <= self.trained:
            self.checkpoints[target].restore(self.network, self.adam, self.rng)
            self.position = target
            return
        if self.position != self.trained:
            self.checkpoints[self.trained].restore(self.network, self.adam, self.rng)
        alpha = self.controls["alpha"].value
        for _ in range(self.trained, target):
            tuning.babysit_epoch(
                self.network,
                self.adam,
                self.rng,
                alpha,
                self.records,
                split=self.split,
                batch_size=self.config["batch_size"],
            )
            self.checkpoints.append(Checkpoint.take(self.network, self.adam, self.rng))
        self.position = target

    def _branch(self):
        """Undo the epochs after the one shown: the run continues from here with a new alpha."""
        self.records, self.undone = _truncated(self.records, self.position)
        del self.checkpoints[self.position + 1 :]

    def _show_alpha_of_next_epoch(self):
        """Set the alpha slider (quietly) to the recorded alpha of the epoch after the one shown."""
        if not self.records.alpha:
            return
        alpha = self.records.alpha[min(self.position, self.trained - 1)]
        if alpha != self.controls["alpha"].value:
            self._quiet = True
            try:
                self.controls["alpha"].value = alpha
            finally:
                self._quiet = False
        self._alpha_seen = alpha

    def _on_change(self, change):
        if not self._quiet:
            super()._on_change(change)

    # ------------------------------------------------------------ the figure

    def _build_figure(self):
        colors = plotting.COLORS
        self.fig, (self.ax_loss, self.ax_alpha) = plotting.figure(
            1, 2, gridspec_kw={"width_ratios": [1.4, 1]}
        )
        self.lines = {}
        for part, color in (("train", colors["main"]), ("val", colors["other"])):
            (self.lines[f"undone_{part}_loss"],) = self.ax_loss.plot(
                [], [], color=colors["muted"], lw=1, ls="--"
            )
            (self.lines[f"{part}_loss"],) = self.ax_loss.plot([], [], color=color, lw=1.8)
        # where alpha changed: a dotted line between the two epochs, on both panels
        self.changes = {}
        for name, ax in (("loss", self.ax_loss), ("alpha", self.ax_alpha)):
            self.changes[name] = LineCollection(
                [],
                colors=colors["accent"],
                linestyles=":",
                lw=1.2,
                transform=ax.get_xaxis_transform(),
            )
            ax.add_collection(self.changes[name])
        (self.lines["undone_alpha"],) = self.ax_alpha.plot(
            [], [], color=colors["muted"], lw=1, ls="--", drawstyle="steps-mid"
        )
        (self.lines["alpha"],) = self.ax_alpha.plot(
            [], [], color=colors["accent"], lw=1.8, drawstyle="steps-mid"
        )
        (self.next_marker,) = self.ax_alpha.plot(
            [], [], "o", mfc="white", mec=colors["accent"], mew=1.5, clip_on=False
        )
        for ax in (self.ax_loss, self.ax_alpha):
            ax.set_xlim(0.5, self.max_epochs + 0.5)
            ax.set_xticks(_epoch_ticks(self.max_epochs))
            ax.set_yscale("log")
            ax.minorticks_off()
        # plain tick labels: matplotlib's 10^k ones are mathtext, laid out anew on every draw
        self.ax_loss.set_ylim(*LOSS_LIMITS)
        self.ax_loss.set_yticks([1e-3, 1e-2, 1e-1, 1.0, 10.0], ["0.001", "0.01", "0.1", "1", "10"])
        self.ax_alpha.set_ylim(ALPHAS[0] / 2, ALPHAS[-1] * 30)  # room for the keys above 1
        self.ax_alpha.set_yticks(
            [1e-4, 1e-3, 1e-2, 1e-1, 1.0], ["0.0001", "0.001", "0.01", "0.1", "1"]
        )
        loss_keys = plotting.key(
            self.ax_loss,
            [("training", colors["main"]), ("validation", colors["other"])],
            x=0.05,
            y=0.21,
        )
        (self.undone_key,) = plotting.key(self.ax_loss, [("", colors["muted"])], x=0.5, y=0.12)
        self.next_key, changed_key = plotting.key(
            self.ax_alpha,
            [
                ("o  alpha of the next epoch", colors["accent"]),
                ("...  alpha changed", colors["accent"]),
            ],
            x=0.05,
        )
        plotting.label(self.ax_loss, "Loss while you babysit", "epoch", "cross-entropy (log)")
        plotting.label(self.ax_alpha, "Your learning rate", "epoch", "alpha (log)")
        self.note = plotting.takeaway(self.fig)
        # in the order a full draw draws them; the keys and the axis line do not move, but
        # the curves, the dotted lines and the next epoch's marker cross them
        lines = self.lines
        self.moving = (
            lines["undone_train_loss"],
            lines["train_loss"],
            lines["undone_val_loss"],
            lines["val_loss"],
            self.changes["loss"],
            self.changes["alpha"],
            lines["undone_alpha"],
            lines["alpha"],
            self.next_marker,
            self.ax_alpha.spines["left"],
            *loss_keys,
            self.undone_key,
            self.next_key,
            changed_key,
            self.note,
        )

    def update(self):
        alpha = self.controls["alpha"].value
        if alpha != self._alpha_seen:  # the learner moved alpha
            self._alpha_seen = alpha
            if self.position < self.trained and self.records.alpha[self.position] != alpha:
                self._branch()
        target = self.controls["epoch"].value
        if target != self.position:
            self._train_to(target)
            self._show_alpha_of_next_epoch()
        self.progress.value = self.trained
        self._draw_run()

    def _draw_run(self):
        shown, undone = self.history, self.undone
        epochs = np.asarray(shown.epoch, dtype=float)
        gone = np.asarray(undone.epoch, dtype=float)
        for name, run, x in (("", shown, epochs), ("undone_", undone, gone)):
            self.lines[f"{name}train_loss"].set_data(x, _drawn_loss(run.train_loss))
            self.lines[f"{name}val_loss"].set_data(x, _drawn_loss(run.val_loss))
            self.lines[f"{name}alpha"].set_data(x, run.alpha)
        self.undone_key.set_text(
            f"- -  undone: epochs {undone.epoch[0]}-{undone.epoch[-1]}" if undone.epoch else ""
        )
        alpha = self.controls["alpha"].value
        changed = [e for e in shown.epoch[1:] if shown.alpha[e - 1] != shown.alpha[e - 2]]
        for collection in self.changes.values():
            collection.set_segments([[(e - 0.5, 0.0), (e - 0.5, 1.0)] for e in changed])
        if self.position < self.max_epochs:
            self.next_marker.set_data([self.position + 1], [alpha])
        else:
            self.next_marker.set_data([], [])
        self.note.set_text(self._takeaway(shown, changed, alpha))

    def _takeaway(self, shown, changed, alpha):
        if not shown.epoch:
            return (
                f"Untrained: press play or move the epoch slider to train epoch 1 at alpha "
                f"{alpha:g}."
            )
        val_loss = np.asarray(shown.val_loss, dtype=float)
        accuracy = np.asarray(shown.val_accuracy, dtype=float)
        e = shown.epoch[-1]
        diverged = self._diverged(shown)
        if diverged:
            return diverged
        if e >= 2:
            # the best loss before this epoch (a blown-up one is no best)
            j = int(np.argmin(np.where(np.isfinite(val_loss[:-1]), val_loss[:-1], np.inf)))
            if val_loss[-1] > JUMP * val_loss[j]:
                return (
                    f"Epoch {e}: the validation loss jumped to {val_loss[-1]:.2f} (best "
                    f"{val_loss[j]:.2f}, epoch {j + 1}): rewind there and lower alpha."
                )
        best = int(np.argmax(accuracy))
        return (
            f"Epoch {e} of {self.max_epochs}: validation accuracy {accuracy[-1]:.1%} "
            f"(best {accuracy[best]:.1%}, epoch {best + 1}); alpha changed "
            f"{_plural(len(changed), 'time')}."
        )

    def _diverged(self, shown):
        """The takeaway of a run that diverged, or "" when it did not.

        Diverged: the last validation loss is not finite, or the validation accuracy has been
        near chance (``CHANCE_FACTOR`` times ``self.chance`` or less) for the last
        ``DIVERGED_EPOCHS`` epochs without rising: the last is not ``NOISE_IMAGES`` images
        above the best before them (a slow start at a small alpha rises every epoch). Advice:
        rewind to the epoch of the best validation accuracy (0 if that was near chance too)
        and lower alpha to a tenth of the last epoch's (the slider's nearest value below).
        """
        val_loss = np.asarray(shown.val_loss, dtype=float)
        accuracy = np.asarray(shown.val_accuracy, dtype=float)
        near_chance = accuracy <= CHANCE_FACTOR * self.chance
        run = len(accuracy) - (
            int(np.flatnonzero(~near_chance)[-1]) + 1 if (~near_chance).any() else 0
        )
        stuck = False
        if run >= DIVERGED_EPOCHS:
            before = accuracy[: len(accuracy) - DIVERGED_EPOCHS + 1]  # to the first of the last
            m_val = self.split.y_val.size
            gain = round(accuracy[-1] * m_val) - round(before.max() * m_val)  # images
            stuck = gain < NOISE_IMAGES
        blown_up = not np.isfinite(val_loss[-1])
        if not (blown_up or stuck):
            return ""
        why = (
            f"validation loss {val_loss[-1]:g}"
            if blown_up
            else f"accuracy near chance ({accuracy[-1]:.0%}) for {_plural(run, 'epoch')}"
        )
        best = int(np.argmax(accuracy))
        back = best + 1 if not near_chance[best] else 0
        smaller = [a for a in ALPHAS if a <= shown.alpha[-1] / 10 * (1 + 1e-9)]
        return f"Epoch {len(accuracy)}: diverged, {why}: rewind to epoch {back}, " + (
            f"lower alpha to {max(smaller):g}." if smaller else "lower alpha."
        )

    def _control_row(self):
        """alpha, Play, the epoch slider and the progress bar above the figure."""
        return [self.controls["alpha"], self.play, self.controls["epoch"], self.progress]


# ---------------------------------------------------------------- 2. caviar


class Caviar(App):
    """Caviar: K models with random hyperparameters, trained at once; the best by validation.

    The configs (default: ``tuning.caviar_configs()``, 32 draws of alpha, beta1 and
    decay_rate on their scales) share the architecture and the mini-batches, so that
    ``nn.train_many`` trains them together. Left: every model's validation accuracy per
    epoch, the best one at the epoch on the slider highlighted. Right: each model at that
    epoch against its alpha. The "models" slider keeps the first k models only: the best of
    more models is at least as good.

    ``train=True`` trains in the constructor; with ``train=False`` the figure waits for
    ``train()``, or for ``nn.train_many(..., on_epoch=app.on_epoch)``, and grows live.
    """

    def __init__(self, configs=None, epochs=tuning.CAVIAR_EPOCHS, *, train=True, seed=0):
        self.configs = tuning.caviar_configs(rng=seed) if configs is None else list(configs)
        self.epochs = epochs
        K = len(self.configs)
        self.histories = []  # the K histories, as far as trained
        self.networks = None
        self.controls = {
            "epoch": widgets.IntSlider(
                value=epochs, min=1, max=epochs, step=1, description="epoch"
            ),
            "models": widgets.IntSlider(value=K, min=1, max=K, step=1, description="models"),
        }
        self.progress = widgets.IntProgress(value=0, min=0, max=epochs, description="epochs")
        self._build_figure()
        self._connect()
        if train:
            self.train()

    @property
    def trained_epochs(self):
        return len(self.histories[0].epoch) if self.histories else 0

    def train(self):
        """Train every config at once (``tuning.train_caviar``), the figure growing live.

        -> (networks, histories)."""
        self.networks, histories = tuning.train_caviar(
            self.configs, self.epochs, on_epoch=self.on_epoch
        )
        return self.networks, histories

    def on_epoch(self, epoch, histories):
        """For ``nn.train_many(on_epoch=...)``: show the K histories so far."""
        self.histories = histories
        self.progress.value = epoch
        self._guarded(self.update)
        self.redraw()

    def _build_figure(self):
        colors = plotting.COLORS
        self.fig, (self.ax_curves, self.ax_alpha) = plotting.figure(
            1, 2, gridspec_kw={"width_ratios": [1.2, 1]}
        )
        self.lines = [
            self.ax_curves.plot([], [], color=colors["muted"], lw=0.8, alpha=0.7)[0]
            for _ in self.configs
        ]
        (self.best_line,) = self.ax_curves.plot([], [], color=colors["main"], lw=2.2)
        (self.best_marker,) = self.ax_curves.plot([], [], "o", color=colors["main"])
        (self.epoch_line,) = self.ax_curves.plot([], [], color=colors["accent"], lw=1, ls=":")
        self.points = self.ax_alpha.scatter([], [], s=18, color=colors["muted"])
        (self.best_point,) = self.ax_alpha.plot([], [], "o", color=colors["main"], ms=8)
        self.ax_curves.set_xlim(0.8, self.epochs + 0.2)
        self.ax_curves.set_xticks(range(1, self.epochs + 1))
        self.ax_alpha.set_xscale("log")
        low, high = tuning.CAVIAR_SPACE["alpha"].low, tuning.CAVIAR_SPACE["alpha"].high
        self.ax_alpha.set_xlim(low / 1.5, high * 1.5)
        ticks = [1e-4, 1e-3, 1e-2, 1e-1, 1.0]
        self.ax_alpha.set_xticks(ticks, ["0.0001", "0.001", "0.01", "0.1", "1"])
        self.ax_alpha.minorticks_off()
        for ax in (self.ax_curves, self.ax_alpha):
            ax.set_ylim(0, 1.02)
            ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
        (self.curves_key,) = plotting.key(self.ax_curves, [("", colors["main"])], x=0.45, y=0.12)
        plotting.label(
            self.ax_curves, f"{len(self.configs)} models at once", "epoch", "validation accuracy"
        )
        plotting.label(
            self.ax_alpha, "Each model at the epoch chosen", "alpha (log)", "validation accuracy"
        )
        self.note = plotting.takeaway(self.fig)
        # what the epoch slider moves, in the order a full draw draws them; the grey curves
        # change only with training and the models slider (then a full draw)
        self.moving = (
            self.best_line,
            self.best_marker,
            self.epoch_line,
            self.points,
            self.best_point,
            self.curves_key,
            self.note,
        )

    def best(self, epoch=None, models=None):
        """The index of the best of the first ``models`` models by validation after ``epoch``."""
        epoch = self.trained_epochs if epoch is None else epoch
        models = len(self.configs) if models is None else models
        return tuning.pick_best(
            [{"val_accuracy": h.val_accuracy[:epoch]} for h in self.histories[:models]]
        )

    def update(self):
        n_models = self.controls["models"].value
        trained = self.trained_epochs
        for k, line in enumerate(self.lines):
            line.set_visible(k < n_models)
        if trained == 0:
            for line in (*self.lines, self.best_line, self.best_marker, self.best_point):
                line.set_data([], [])
            self.epoch_line.set_data([], [])
            self.points.set_offsets(np.empty((0, 2)))
            self.curves_key.set_text("")
            self.note.set_text(
                f"Not trained yet: {len(self.configs)} models will train here at once."
            )
            return
        epoch = min(self.controls["epoch"].value, trained)
        epochs = np.arange(1, trained + 1)
        val = np.array([h.val_accuracy for h in self.histories], dtype=float)
        for k, line in enumerate(self.lines):
            # new data only after an epoch of training: the epoch slider leaves them alone
            if not np.array_equal(line.get_ydata(), val[k], equal_nan=True):
                line.set_data(epochs, val[k])
        best = self.best(epoch, n_models)
        self.best_line.set_data(epochs, val[best])
        self.best_marker.set_data([epoch], [val[best, epoch - 1]])
        self.epoch_line.set_data([epoch, epoch], [0, 1.02])
        alphas = np.array([c["alpha"] for c in self.configs[:n_models]], dtype=float)
        self.points.set_offsets(np.column_stack([alphas, val[:n_models, epoch - 1]]))
        config = self.configs[best]
        self.best_point.set_data([config["alpha"]], [val[best, epoch - 1]])
        self.curves_key.set_text(f"best by validation: model {best}")
        median = float(np.median(val[:n_models, epoch - 1]))
        self.note.set_text(
            f"Epoch {epoch}: the best of {n_models} by validation, model {best} (alpha "
            f"{config['alpha']:.2g}, beta1 {config['beta1']:.3f}), {val[best, epoch - 1]:.1%}; "
            f"median {median:.1%}."
        )

    def _control_row(self):
        """The controls and the progress bar above the figure."""
        return [*self.controls.values(), self.progress]


def caviar_figure(histories, chosen=None):
    """A caviar run as a static figure: every model's validation accuracy per epoch, with the
    chosen model (default: the best by validation after the last epoch) highlighted. -> fig"""
    colors = plotting.COLORS
    if chosen is None:
        chosen = tuning.pick_best([{"val_accuracy": h.val_accuracy} for h in histories])
    fig, ax = plotting.figure(figsize=(9.5, 3.4))
    val = np.array([h.val_accuracy for h in histories], dtype=float)
    epochs = np.arange(1, val.shape[1] + 1)
    for k in range(len(histories)):
        ax.plot(epochs, val[k], color=colors["muted"], lw=0.8, alpha=0.7)
    ax.plot(epochs, val[chosen], color=colors["main"], lw=2.2)
    # fitted to the data: from 0 to 100% the models' differences of a few points would vanish
    _fitted_accuracy_axis(ax, val)
    ax.set_xticks(_epoch_ticks(len(epochs)))
    plotting.key(
        ax,
        [
            (f"model {chosen}, chosen by validation", colors["main"]),
            ("the others", colors["muted"]),
        ],
        x=0.55,
        y=0.3,
    )
    plotting.label(ax, f"{len(histories)} models trained at once", "epoch", "validation accuracy")
    final = val[:, -1]
    plotting.takeaway(
        fig,
        f"Model {chosen} ends at {final[chosen]:.1%} validation accuracy; the median of the "
        f"{len(histories)} models {np.median(final):.1%}, the worst {final.min():.1%}.",
    )
    return fig


def _fitted_accuracy_axis(ax, values, margin=0.06, least=0.02):
    """A y axis of accuracies fitted to values: their range, at least ``least`` wide, and
    ``margin`` of it above and below (not below 0), with ticks in percent up to 100%."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    low, high = values.min(), values.max()
    middle, span = (low + high) / 2, max(high - low, least)
    bottom = max(middle - (0.5 + margin) * span, 0.0)
    top = middle + (0.5 + margin) * span
    ticks = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]).tick_values(bottom, min(top, 1.0))
    ticks = ticks[(ticks >= bottom - 1e-12) & (ticks <= min(top, 1.0) + 1e-12)]
    whole = np.allclose(100 * ticks, np.round(100 * ticks))
    ax.set_ylim(bottom, top)
    ax.set_yticks(ticks, [f"{t:.0%}" if whole else f"{t:.1%}" for t in ticks])


def _decade_ticks(ax, values, most=8):
    """A log y axis over values, with at most ``most`` ticks at powers of ten, labelled 1e-k
    (plain text: alpha may fall through twenty decades, too many to write as decimals)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    top, bottom = int(np.ceil(np.log10(values.max()))), int(np.floor(np.log10(values.min())))
    span = max(top - bottom, 1)
    step = int(np.ceil(span / (most - 1)))
    step = 3 * int(np.ceil(step / 3)) if span > most - 1 else step  # a multiple of 3 decades
    exponents = range(top, bottom - 1, -step)
    ax.set_yscale("log")
    ax.set_ylim(10.0 ** (bottom - 0.1 * span), 10.0 ** (top + 0.05 * span))
    ax.set_yticks([10.0**k for k in exponents], [f"1e{k}" if k else "1" for k in exponents])
    ax.minorticks_off()


def _ylabel_clear_of_ticks(ax, gap=6):
    """Move the y label left of the widest tick label, gap points from it: ``plotting.label``
    puts its right side at a fixed distance, made for tick labels a few characters wide.
    Measures one draw: for static figures."""
    fig = ax.get_figure()
    renderer = fig.canvas.get_renderer()
    fig.draw_without_rendering()
    low, high = sorted(ax.get_ylim())
    drawn = [
        tick.label1.get_window_extent(renderer).x0
        for tick in ax.yaxis.get_major_ticks()
        if low <= tick.get_loc() <= high and tick.label1.get_text()
    ]
    points = (ax.bbox.x0 - min(drawn, default=ax.bbox.x0)) * 72 / fig.dpi + gap
    if points > plotting.LABEL_PAD[1]:
        label_at = offset_copy(ax.transAxes, fig, x=-points, units="points")
        ax.yaxis.set_label_coords(0.0, 0.5, transform=label_at)


def panda_vs_caviar_figure(pandas, caviar_histories):
    """Notebook 03's comparison on the same compute. -> fig

    pandas: {label: History} of scripted pandas (one model each, one epoch of compute per
    epoch); caviar_histories: the K histories of caviar, whose epoch e costs K epochs of
    compute. Left: validation accuracy against the compute spent (caviar: its best model by
    validation at each epoch). Right: each panda's learning rate, epoch by epoch.
    """
    colors = plotting.COLORS
    styles = [(colors["other"], "-"), (colors["accent"], "--"), (colors["muted"], ":")]
    K = len(caviar_histories)
    caviar_val = np.array([h.val_accuracy for h in caviar_histories])  # (K, epochs)
    caviar_best = caviar_val.max(axis=0)
    fig, (ax, ax_alpha) = plotting.figure(1, 2, gridspec_kw={"width_ratios": [1.4, 1]})
    entries = [(f"caviar: the best of {K} models", colors["main"])]
    epochs = np.arange(1, caviar_best.size + 1)
    ax.plot(K * epochs, caviar_best, "o-", color=colors["main"], lw=1.8)
    for (label, history), (color, style) in zip(pandas.items(), styles, strict=False):
        compute = np.asarray(history.epoch)
        ax.plot(compute, history.val_accuracy, style, color=color, lw=1.5)
        ax_alpha.plot(compute, history.alpha, style, color=color, lw=1.8)
        entries.append((label, color))
    # the race is decided in the last points: zoom on the top (the first epochs run below it)
    ax.set_ylim(0.85, 1.0)
    ax.set_yticks([0.85, 0.9, 0.95, 1.0], ["85%", "90%", "95%", "100%"])
    plotting.key(ax, entries, x=0.35, y=0.45)
    plotting.label(ax, "Validation accuracy against compute", "epochs of compute", "accuracy")
    # where a panda's alpha is a thousandth of its start: below it, the run has frozen
    start = max(history.alpha[0] for history in pandas.values())
    ax_alpha.axhline(1e-3 * start, color=colors["muted"], lw=1, ls=":")
    plotting.key(ax_alpha, [("... a thousandth of the start", colors["muted"])], x=0.03, y=0.12)
    _decade_ticks(ax_alpha, [a for history in pandas.values() for a in history.alpha])
    plotting.label(ax_alpha, "The pandas' learning rates", "epoch", "alpha (log)")
    _ylabel_clear_of_ticks(ax_alpha)
    finals = {label: history.val_accuracy[-1] for label, history in pandas.items()}
    budget = max(len(h.epoch) for h in pandas.values())
    plotting.takeaway(
        fig,
        f"{budget} epochs of compute: caviar's best {caviar_best[-1]:.1%}, "
        + ", ".join(f"{label} {accuracy:.1%}" for label, accuracy in finals.items())
        + ".",
    )
    return fig
