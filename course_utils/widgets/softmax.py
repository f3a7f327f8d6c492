"""The apps of notebook 06 (softmax regression): softmax against hardmax and the temperature,
softmax regression trained live on 2-D blobs, and a linear softmax against a deep network's
softmax head on spirals."""

from __future__ import annotations

from types import SimpleNamespace

import ipywidgets as widgets
import numpy as np
from matplotlib.colors import to_rgb

from .. import data, nn, plotting, softmax
from .app import App

__all__ = ["SoftmaxBars", "SoftmaxRegressionLive", "DeepVsLinear"]

#: one colour per class, the same in every app of the notebook
CLASS_COLORS = [plotting.COLORS[k] for k in ("main", "other", "good", "accent")]


def _epochs(n):
    """'1 epoch', '5 epochs'."""
    return f"{n} epoch" if n == 1 else f"{n} epochs"


def _region_colors():
    """Light versions of the class colours, for the predicted regions behind the points.

    -> (n_classes, 4) uint8 RGBA: row k paints class k.
    """
    light = np.array([0.3 * np.array(to_rgb(c)) + 0.7 for c in CLASS_COLORS])
    return np.round(255 * np.column_stack([light, np.ones(len(CLASS_COLORS))])).astype(np.uint8)


#: the colour of each class's region (see _regions and _paint)
REGION_COLORS = _region_colors()


def _grid(X, n=100, pad=0.4):
    """A square n x n grid over the data. -> (G: (2, n*n), extent) for imshow(origin='lower')."""
    low = X.min() - pad
    high = X.max() + pad
    ticks = np.linspace(low, high, n)
    gx, gy = np.meshgrid(ticks, ticks)  # row i of the image is y = ticks[i]
    return np.stack([gx.ravel(), gy.ravel()]), (low, high, low, high)


def _regions(ax, X, y, n_classes, extent):
    """The class regions (an image, shown with _paint) under the points of each class.

    -> (image, points): points, one line of markers per class, are drawn over the image. Both
    are drawn again on every move, so both take the fast way: an image of colours
    (``plotting.colour_image``: a gather of cells, where an image of classes through a colormap
    is resampled and coloured pixel by pixel), and a line's markers, one stamp repeated, in a
    twentieth of the time of a scatter, which draws each point with a colour of its own.
    """
    image = plotting.colour_image(ax, np.zeros((2, 2, 4), np.uint8), extent, zorder=0)
    points = [
        ax.plot(
            X[0, y == k], X[1, y == k], "o", ms=3, mew=0, color=CLASS_COLORS[k], ls="none", zorder=2
        )[0]
        for k in range(n_classes)
    ]
    ax.set_xlim(extent[:2])
    ax.set_ylim(extent[2:])
    return image, points


def _paint(image, classes):
    """Show classes: (n, n), the predicted class at each point of the grid, in region colours."""
    image.set_data(REGION_COLORS[classes])


# ---------------------------------------------------------------- 1. softmax vs hardmax

TEMPERATURES = (0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 7.0, 10.0)
#: the lecture's example logits
DEFAULT_Z = (5.0, 2.0, -1.0, 3.0)
#: softmax is called nearly uniform when every class's share is this close to 1 / n_classes
NEARLY_UNIFORM = 0.05


class SoftmaxBars(App):
    """Four logits z, and what softmax(z / T) and hardmax(z) make of them.

    softmax keeps every class's share (a "soft" max); hardmax puts 1 on the largest z and 0
    elsewhere. Dividing z by a temperature T < 1 sharpens softmax towards the hardmax; T > 1
    flattens it towards the uniform 1 / 4. T = 1 is the softmax of the course.

    Ties: when k logits tie for the largest, softmax gives each of them the same share at
    every T, and as T goes to 0 it splits the probability equally among them (1/k each);
    hardmax is the one-hot of the argmax (``softmax.hardmax``, a decision: one class), which
    puts 1 on the first of them, as ``np.argmax`` does. So hardmax is softmax's limit at
    T -> 0 only when one logit is the largest; the takeaway says which case is shown.
    """

    def __init__(self):
        slider = {"min": -5.0, "max": 5.0, "step": 0.1, "continuous_update": True}
        self.controls = {
            f"z{k}": widgets.FloatSlider(value=z, description=f"z{k}", **slider)
            for k, z in enumerate(DEFAULT_Z, start=1)
        }
        self.controls["T"] = widgets.SelectionSlider(
            options=[(f"{t:g}", t) for t in TEMPERATURES],
            value=1.0,
            description="temperature T",
            continuous_update=True,
            style={"description_width": "initial"},
        )
        self._build_figure()
        self._connect()

    def _build_figure(self):
        colors = plotting.COLORS
        self.fig, (self.ax_z, self.ax_p) = plotting.figure(
            1, 2, gridspec_kw={"width_ratios": [1, 1.5]}
        )
        k = np.arange(len(DEFAULT_Z))
        names = [f"class {i + 1}" for i in k]
        self.z_bars = self.ax_z.bar(k, np.zeros(k.size), width=0.6, color=colors["muted"])
        self.zero = self.ax_z.axhline(0, color="black", lw=0.8)
        self.ax_z.set_ylim(-5.5, 5.5)
        self.ax_z.set_yticks([-5, -2.5, 0, 2.5, 5])
        plotting.label(self.ax_z, "Logits z (the sliders)", "class", "z")
        width = 0.38
        self.soft_bars = self.ax_p.bar(k - width / 2, np.zeros(k.size), width, color=colors["main"])
        self.hard_bars = self.ax_p.bar(
            k + width / 2, np.zeros(k.size), width, color=colors["accent"]
        )
        self.shares = [
            self.ax_p.text(i - width / 2, 0, "", ha="center", va="bottom", fontsize=9) for i in k
        ]
        self.ax_p.set_ylim(0, 1.45)
        self.ax_p.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
        (self.key_soft, _) = plotting.key(
            self.ax_p,
            [
                ("", colors["main"]),
                ("hardmax(z): 1 on the largest z (a tie: the first)", colors["accent"]),
            ],
        )
        plotting.label(self.ax_p, "softmax(z / T) against hardmax(z)", "class", "probability")
        for ax in (self.ax_z, self.ax_p):
            ax.set_xticks(k, names)
            ax.set_xlim(-0.6, k.size - 0.4)
        self.note = plotting.takeaway(self.fig)
        # the bars, then what a full draw puts over them (the zero line, the spines), in order
        self.moving = (
            *self.z_bars,
            self.zero,
            *self.soft_bars,
            *self.hard_bars,
            *self.ax_p.spines.values(),
            *self.shares,
            self.key_soft,
            self.note,
        )

    def z(self):
        """The logits on the sliders. -> (4, 1), one example as a column."""
        return np.array([[self.controls[f"z{k}"].value] for k in range(1, len(DEFAULT_Z) + 1)])

    def update(self):
        z, T = self.z(), self.controls["T"].value
        y_hat = softmax.softmax(z, temperature=T)[:, 0]
        hard = softmax.hardmax(z)[:, 0]
        for bar, text, value in zip(self.soft_bars, self.shares, y_hat, strict=True):
            bar.set_height(value)
            text.set_y(value + 0.02)
            text.set_text(f"{value:.0%}")
        for bar, height in zip(self.z_bars, z[:, 0], strict=True):
            bar.set_height(height)
        for bar, value in zip(self.hard_bars, hard, strict=True):
            bar.set_height(value)
        self.key_soft.set_text(f"softmax(z / T), T = {T:g}")
        self.note.set_text(self.takeaway(z[:, 0], y_hat, hard, T))

    @staticmethod
    def takeaway(z, y_hat, hard, T):
        """The sentence under the figure, from what it shows: the logits z, the softmax shares
        y_hat and the hardmax (all (4,))."""
        n = y_hat.size
        tied = np.flatnonzero(np.isclose(z, z.max(), rtol=0, atol=1e-9))
        picked = int(np.argmax(hard))
        first = ", the first" if picked == tied[0] else ""
        low, high = y_hat.min(), y_hat.max()
        uniform = f"nearly uniform ({low:.0%} to {high:.0%})"
        nearly_uniform = np.all(np.abs(y_hat - 1 / n) < NEARLY_UNIFORM)
        if tied.size == n:
            return (
                f"T = {T:g}: all {n} logits are equal, so softmax gives each {1 / n:.0%} at "
                f"every T; hardmax picks class {picked + 1}{first}."
            )
        if tied.size > 1:
            equal = " = ".join(f"z{k + 1}" for k in tied)
            rest = 1 - y_hat[tied].sum()
            verdict = uniform if nearly_uniform else f"the others {rest:.0%}"
            return (
                f"T = {T:g}: {equal} tie at the top: softmax {y_hat[tied[0]]:.0%} each, {verdict}; "
                f"hardmax picks class {picked + 1}{first}."
            )
        top = picked
        share = y_hat[top]
        if share > 0.95:
            verdict = "nearly the hardmax"
        elif nearly_uniform:
            verdict = uniform
        else:
            verdict = f"the other classes keep {1 - share:.0%}"
        return (
            f"T = {T:g}: softmax gives class {top + 1} (largest z) {share:.0%}, hardmax 100%; "
            f"{verdict}."
        )


# ---------------------------------------------------------------- 2. softmax regression, live

ALPHAS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
MAX_EPOCHS = 100


def _trajectory(W, b, X, Y, alpha, epochs):
    """Batch gradient descent from (W, b), one ``softmax.gradient_step`` per epoch.

    -> Ws: (epochs + 1, n_classes, n_x), bs: (epochs + 1, n_classes, 1), costs: (epochs + 1,);
    entry t is the model after t epochs and its cost J.
    """
    Ws, bs, costs = [W], [b], []
    for _ in range(epochs):
        W, b, cost = softmax.gradient_step(W, b, X, Y, alpha, check=False)  # cost before
        Ws.append(W)
        bs.append(b)
        costs.append(cost)
    costs.append(softmax.cross_entropy(softmax.softmax(W @ X + b), Y, check=False))
    return np.array(Ws), np.array(bs), np.array(costs)


class SoftmaxRegressionLive(App):
    """Softmax regression Y_hat = softmax(W X + b) trained by gradient descent on 2-D blobs.

    Left: the points, coloured by class, over the class each point of the plane is predicted
    to be (argmax of Z): the regions meet along straight lines, because each boundary is where
    two rows of W X + b are equal, a linear equation in x. Circled points are misclassified.
    Right: the cost J over the epochs (full-batch steps), marked at the epoch shown.

    Every learning rate starts from the same small random W (seed) and b = 0; the whole
    trajectory of each is computed once, up front (a few ms), so the sliders only look it up.
    """

    def __init__(self, n_per_class=60, n_classes=4, seed=0):
        self.X, self.y = data.blobs(n_per_class, n_classes, seed=seed, spread=0.8)
        self.n_classes = n_classes
        self.Y = softmax.one_hot(self.y, n_classes)
        start = softmax.SoftmaxRegression(2, n_classes, seed=seed)  # small random W, b = 0
        self.G, self.extent = _grid(self.X)
        self.Ws, self.bs, self.costs = {}, {}, {}
        for alpha in ALPHAS:
            self.Ws[alpha], self.bs[alpha], self.costs[alpha] = _trajectory(
                start.W, start.b, self.X, self.Y, alpha, MAX_EPOCHS
            )
        self.controls = {
            "alpha": widgets.SelectionSlider(
                options=[(f"{a:g}", a) for a in ALPHAS],
                value=0.3,
                description="alpha",
                continuous_update=True,
            ),
            "epochs": widgets.IntSlider(
                value=20,
                min=0,
                max=MAX_EPOCHS,
                step=1,
                description="epochs",
                continuous_update=True,
            ),
        }
        self._build_figure()
        self._connect()

    def _build_figure(self):
        colors = plotting.COLORS
        self.fig, (self.ax_map, self.ax_cost) = plotting.figure(
            1, 2, gridspec_kw={"width_ratios": [1, 1.3]}
        )
        self.image, points = _regions(self.ax_map, self.X, self.y, self.n_classes, self.extent)
        (self.wrong,) = self.ax_map.plot(
            [], [], "o", ms=6.3, mfc="none", mec="black", mew=0.8, ls="none", zorder=3
        )
        plotting.label(self.ax_map, "Predicted class regions", "x1", "x2")
        (self.cost_line,) = self.ax_cost.plot([], [], color=colors["main"])
        (self.marker,) = self.ax_cost.plot([], [], "o", color=colors["other"], clip_on=False)
        self.ax_cost.set_xlim(0, MAX_EPOCHS)
        top = max(c.max() for c in self.costs.values())
        self.ax_cost.set_ylim(0, 1.15 * top)
        (self.cost_key,) = plotting.key(self.ax_cost, [("", colors["other"])], x=0.35)
        plotting.label(self.ax_cost, "Cost J while training", "epochs", "cross-entropy J")
        self.note = plotting.takeaway(self.fig)
        # what changes, and what a full draw puts over it (the points, the spines), in order
        self.moving = (
            self.image,
            *points,
            *self.ax_map.spines.values(),
            self.wrong,
            self.cost_line,
            self.marker,
            *self.ax_cost.spines.values(),
            self.cost_key,
            self.note,
        )

    def model(self, alpha, epochs):
        """(W: (n_classes, 2), b: (n_classes, 1)) after `epochs` steps at `alpha`."""
        return self.Ws[alpha][epochs], self.bs[alpha][epochs]

    def predict(self, X, alpha, epochs):
        """X: (2, m) -> (m,) the predicted classes: the argmax of Z = W X + b."""
        W, b = self.model(alpha, epochs)
        return np.argmax(W @ X + b, axis=0)

    def update(self):
        alpha, epochs = self.controls["alpha"].value, self.controls["epochs"].value
        n = int(round(np.sqrt(self.G.shape[1])))
        _paint(self.image, self.predict(self.G, alpha, epochs).reshape(n, n))
        predicted = self.predict(self.X, alpha, epochs)
        wrong = predicted != self.y
        self.wrong.set_data(self.X[0, wrong], self.X[1, wrong])
        costs = self.costs[alpha]
        self.cost_line.set_data(np.arange(costs.size), costs)
        self.marker.set_data([epochs], [costs[epochs]])
        self.cost_key.set_text(f"J = {costs[epochs]:.3f} after {_epochs(epochs)}")
        self.accuracy = float(np.mean(~wrong))
        self.note.set_text(
            f"After {_epochs(epochs)} at alpha {alpha:g}: training accuracy {self.accuracy:.0%} "
            f"(circled: the {int(wrong.sum())} misclassified); the boundaries are straight lines."
        )


# ---------------------------------------------------------------- 3. linear vs deep

#: epochs on DeepVsLinear's slider; both models are trained once, up front, through all of them
EPOCH_STOPS = (0, 1, 2, 3, 5, 10, 20, 50)
HIDDEN = (32, 32)
LINEAR_ALPHA, DEEP_ALPHA, BATCH = 0.5, 0.01, 32


class DeepVsLinear(App):
    """Spirals: no straight line separates the classes. Softmax regression against a deep
    network whose last layer is the same softmax head, on top of two hidden layers (ReLU and
    batch norm) that bend the plane first.

    Softmax regression is ``softmax.SoftmaxRegression`` (Z = W X + b) trained by mini-batch
    gradient descent; the network is ``nn.Network([2, 32, 32, n_classes])`` trained with Adam;
    both on mini-batches of 32, for the number of epochs on the slider (both are trained once,
    up front, through every stop: about 0.2 s). Left and middle: each one's predicted class
    regions; right: the training accuracy of both over the epochs.
    """

    def __init__(self, n_per_class=100, n_classes=3, seed=0):
        self.X, self.y = data.spirals(n_per_class, n_classes, seed=seed)
        self.n_classes = n_classes
        X_val, y_val = data.spirals(n_per_class, n_classes, seed=seed + 1)
        split = SimpleNamespace(X_train=self.X, y_train=self.y, X_val=X_val, y_val=y_val)
        self.G, self.extent = _grid(self.X, pad=0.15)
        self.linear = softmax.SoftmaxRegression(2, n_classes, seed=seed)
        self.network = nn.Network([2, *HIDDEN, n_classes], batchnorm=True, seed=seed)
        # per model, per stop: the predicted class of each grid point and the training accuracy
        self.maps = {"linear": [], "deep": []}
        self.accuracies = {"linear": [], "deep": []}
        done = 0
        for stop in EPOCH_STOPS:
            self.linear.fit(
                self.X, self.y, LINEAR_ALPHA, stop - done, batch_size=BATCH, seed=seed + stop
            )
            nn.train(
                self.network,
                split,
                stop - done,
                batch_size=BATCH,
                alpha=DEEP_ALPHA,
                seed=seed + stop,
            )
            done = stop
            self.maps["linear"].append(self.linear.predict(self.G))
            self.accuracies["linear"].append(self.linear.accuracy(self.X, self.y))
            self.maps["deep"].append(nn.predict(self.network, self.G))
            self.accuracies["deep"].append(nn.accuracy(self.network, self.X, self.y))
        self.controls = {
            "epochs": widgets.SelectionSlider(
                options=EPOCH_STOPS, value=20, description="epochs", continuous_update=True
            )
        }
        self._build_figure()
        self._connect()

    def _build_figure(self):
        colors = plotting.COLORS
        self.fig, (self.ax_linear, self.ax_deep, self.ax_acc) = plotting.figure(
            1, 3, gridspec_kw={"width_ratios": [1, 1, 1.1]}
        )
        self.images = {}
        on_maps = []  # the class regions and what a full draw puts over them, in order
        sizes = "-".join(str(n) for n in self.network.sizes)
        for name, ax, title in (
            ("linear", self.ax_linear, "Softmax regression"),
            ("deep", self.ax_deep, f"Deep network {sizes}"),
        ):
            self.images[name], points = _regions(ax, self.X, self.y, self.n_classes, self.extent)
            on_maps += [self.images[name], *points, *ax.spines.values()]
            ax.set_xticks([-1, 0, 1])
            ax.set_yticks([-1, 0, 1])
            plotting.label(ax, title, "x1", "x2")
        curve_colors = {"linear": colors["muted"], "deep": colors["main"]}
        for name, color in curve_colors.items():
            self.ax_acc.plot(EPOCH_STOPS, self.accuracies[name], "-", color=color)
        self.ax_acc.axhline(1 / self.n_classes, color=colors["muted"], ls=":", lw=1)
        # the markers last, over every line: then they can be drawn alone (see self.moving)
        self.markers = {
            name: self.ax_acc.plot([], [], "o", color=color)[0]
            for name, color in curve_colors.items()
        }
        # linear up to 1 epoch, logarithmic after: the slider's stops 0 ... 50 at honest distances
        self.ax_acc.set_xscale("symlog", linthresh=1, linscale=0.5)
        self.ax_acc.set_xlim(-0.2, EPOCH_STOPS[-1] * 1.1)  # room for the marker at 0
        self.ax_acc.minorticks_off()
        self.ax_acc.set_xticks(EPOCH_STOPS, [str(e) for e in EPOCH_STOPS])
        self.ax_acc.set_ylim(0, 1.05)
        self.ax_acc.set_yticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
        plotting.key(
            self.ax_acc,
            [
                ("deep network", colors["main"]),
                ("softmax regression", colors["muted"]),
                (f"... chance: 1 / {self.n_classes}", colors["muted"]),
            ],
            x=0.3,
            y=0.27,
        )
        plotting.label(self.ax_acc, "Training accuracy", "epochs (log scale after 1)", "accuracy")
        self.note = plotting.takeaway(self.fig)
        self.moving = (*on_maps, *self.markers.values(), self.note)

    def update(self):
        i = EPOCH_STOPS.index(self.controls["epochs"].value)
        n = int(round(np.sqrt(self.G.shape[1])))
        for name, image in self.images.items():
            _paint(image, self.maps[name][i].reshape(n, n))
            self.markers[name].set_data([EPOCH_STOPS[i]], [self.accuracies[name][i]])
        linear, deep = self.accuracies["linear"][i], self.accuracies["deep"][i]
        if EPOCH_STOPS[i] == 0:
            self.note.set_text(
                f"Untrained: softmax regression {linear:.0%}, the deep network {deep:.0%}; "
                f"chance is {1 / self.n_classes:.0%}."
            )
            return
        self.note.set_text(
            f"{_epochs(EPOCH_STOPS[i])}: softmax regression {linear:.0%} (straight lines); "
            f"the deep network {deep:.0%} (boundaries free to bend)."
        )
