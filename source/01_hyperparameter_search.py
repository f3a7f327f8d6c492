# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 · Hyperparameter search: what matters, and how to look for it
#
# A deep network has many knobs: the learning rate $\alpha$, the momentum $\beta$, the number
# of hidden units and layers, the mini-batch size, the learning-rate decay, Adam's $\beta_1$,
# $\beta_2$ and $\varepsilon$. You cannot try every combination, so two questions decide how well
# you tune: **which knobs matter**, and **where to put the few trials you can afford**. In this
# notebook you will
#
# 1. write a grid search and a random search over a *space* of hyperparameters;
# 2. see, live and then over many repeats, why random search beats a grid when only a few
#    hyperparameters matter;
# 3. run a real random search on a network and **measure** which hyperparameters matter, then
#    compare with the lecture's ranking;
# 4. zoom in, coarse to fine.
#
# Run the first cell: it checks that this kernel can show the live figures.

# %%
# %matplotlib widget
import time

import numpy as np
from scipy import stats

from course_utils import checks, conclusions, plotting, scales, search, tuning
from course_utils.widgets.search import CoarseToFine, GridVsRandom, importance_figure

rng = np.random.default_rng(1)

# %% [markdown]
# ## What the lecture says matters
#
# | tier | hyperparameters |
# |---|---|
# | 1: tune first | learning rate $\alpha$ |
# | 2 | momentum $\beta$ (Adam's $\beta_1$), #hidden units, mini-batch size |
# | 3 | #layers, learning-rate decay |
# | 4: almost never | Adam's $\beta_2$ and $\varepsilon$ (defaults 0.999 and $10^{-8}$) |
#
# With Adam, the lecture's momentum term $\beta$ *is* Adam's $\beta_1$ (the average of the
# gradients). The notes list $\beta_1$ once more at the bottom, beside $\beta_2$ and
# $\varepsilon$; we give it the momentum's tier 2 and let the measurement below judge that choice.
#
# This is a rule of thumb from experience, not a law: Bergstra and Bengio (2012) found that a
# few hyperparameters matter on each data set, but **which** ones differs from one data set to the
# next. So we will measure it on ours.
#
# ## A space of hyperparameters
#
# A **space** is a dict from a name to a scale (notebook 02): each scale maps $u \in [0, 1]$ onto
# the hyperparameter's range, on the right scale. The space we tune in this course:

# %%
for name, scale in tuning.SPACE.items():
    print(f"{name:12} {scale!r:28} tier {tuning.NOTES_TIERS[name]}")

# %% [markdown]
# A **config** is one trial: a dict from each name to a value, `{"alpha": 0.003, ...}`.
#
# ## 1 · Grid search
#
# A grid tries every combination of a few values per hyperparameter. The values of each axis are
# evenly spaced **in $u$**, i.e. on the hyperparameter's own scale: `scale.grid(n)`.
#
# **Exercise 1.** Write `grid_search(space, n_per_axis, *, max_configs=None)` (`max_configs` is
# keyword-only: `grid_search(space, 3, max_configs=100)`). `n_per_axis` is one number for every
# axis or a dict name -> number. Return every combination as a list of configs
# (plain dicts, keys in the space's order, the **last** hyperparameter varying fastest, as
# `itertools.product` does). A grid grows as the product of its axes: if it is larger than
# `max_configs`, do **not** cut it silently (which hyperparameters would lose their values?):
# return it whole and `warnings.warn(...)` naming both sizes.


# %%
def grid_search(space, n_per_axis, *, max_configs=None):
    """Every combination of n_per_axis values (evenly spaced in u) of each hyperparameter."""
    # BEGIN SOLUTION
    import itertools
    import warnings

    counts = n_per_axis if isinstance(n_per_axis, dict) else dict.fromkeys(space, n_per_axis)
    axes = [[value.item() for value in scale.grid(counts[name])] for name, scale in space.items()]
    configs = [dict(zip(space, values, strict=True)) for values in itertools.product(*axes)]
    if max_configs is not None and len(configs) > max_configs:
        warnings.warn(
            f"the grid has {len(configs)} configs, more than max_configs={max_configs}",
            stacklevel=2,
        )
    return configs
    # END SOLUTION


checks.check("search.grid_search", grid_search)

# %% [markdown]
# How big is a grid of our 8 hyperparameters? (An integer axis with fewer values than the grid
# asks for, like #layers in 1..3, even repeats values: the grid spends trials on duplicates.)

# %%
grid_sizes = {n: n ** len(tuning.SPACE) for n in (2, 3, 5)}
for n, size in grid_sizes.items():
    print(f"{n} values per axis: {size:>7,} configs, and still only {n} values of alpha")

# %% [markdown]
# ## 2 · Random search
#
# Random search draws every hyperparameter of every trial **independently**: its own
# $u \sim U[0, 1]$, mapped through its own scale. Then each continuous hyperparameter takes as
# many distinct values as there are trials.
#
# **Exercise 2.** Write `random_search(space, n, rng)`: `n` configs, each value
# `scale.from_unit(u)` with a fresh `u` from the Generator `rng`. Common ways to get it wrong:
# sampling every range linearly (`low + u * (high - low)`), or drawing **one** `u` per trial and
# reusing it for every hyperparameter (then they all move together, and the search explores a
# single line through the space).


# %%
def random_search(space, n, rng):
    """n configs, each hyperparameter drawn uniformly on its own scale, independently."""
    # BEGIN SOLUTION
    u = rng.random((len(space), n))
    columns = [scale.from_unit(u[i]) for i, scale in enumerate(space.values())]
    return [
        {name: column[j].item() for name, column in zip(space, columns, strict=True)}
        for j in range(n)
    ]
    # END SOLUTION


checks.check("search.random_search", random_search)

# %% [markdown]
# ### App: grid versus random when one hyperparameter matters
#
# An objective of two hyperparameters: the first matters, the second matters as much as the
# slider says (0: not at all). Both searches get the same number of trials. The rug along each
# horizontal axis shows the **distinct values of the important hyperparameter** each search
# tried: a grid of $n$ trials tries only $\sqrt{n}$ of them. Move the importance of the second
# hyperparameter up to 1 and see when the grid catches up.

# %%
grid_vs_random = GridVsRandom()
grid_vs_random

# %% [markdown]
# ### Experiment: how often does random search win?
#
# One app setting is one draw of luck. Over many repeats, each with its optimum at a new random
# place, how often does random search find a better trial than a grid of the same size? (A tie
# counts as half a win, so 50% means neither has the edge.)

# %%
n_per_axis, repeats = 5, 400
space_toy = search.BumpObjective().space
wins = {
    w: search.random_beats_grid(
        lambda rng, w=w: search.BumpObjective.random(rng, w=w),
        space_toy,
        n_per_axis,
        repeats,
        rng=rng,
    )
    for w in (0.0, 0.25, 0.5, 1.0)
}
for w, share in wins.items():
    print(f"second hyperparameter's weight w = {w:4}: random search wins {share:5.1%}")
print()
print(conclusions.random_vs_grid(wins, n_per_axis, repeats))

# %% [markdown]
# ## 3 · Which hyperparameters matter on our data?
#
# Now a real search: the batch-norm network of notebook 04 with a softmax head, on the
# handwritten digits, trained for a few epochs per trial; the result of a trial is its
# **validation** accuracy. All 8 hyperparameters are drawn at random on their scales.
# `search.run_trials` runs the trials (here one after the other; notebook 03 spreads them over a
# process pool and a cluster) and shows a progress bar.

# %%
n_trials = 128
configs = search.random_search(tuning.SPACE, n_trials, rng)
start = time.perf_counter()
results = search.run_trials(tuning.validation_accuracy, configs)
per_trial = (time.perf_counter() - start) / n_trials
best = int(np.argmax(results))
print(f"{n_trials} trials; validation accuracy from {min(results):.1%} to {max(results):.1%}")
print(f"best: {results[best]:.1%} with {tuning.describe(configs[best])}")
print(
    f"A trial took {per_trial:.3f} s on average: the grid of 5 values per axis "
    f"({grid_sizes[5]:,} trials) would take {grid_sizes[5] * per_trial / 3600:.1f} hours."
)

# %% [markdown]
# How much of the variation in the results does each hyperparameter explain **on its own**? Cut
# its unit values $u$ into a few equal bins, average the results in each bin, and compare the
# spread of those bin means with the spread of all results:
#
# $$\text{share} = \frac{\sum_b n_b\,(\bar y_b - \bar y)^2 / n}{\operatorname{Var}(y)}$$
#
# A hyperparameter that does not matter has about the same mean in every bin: a share near 0.
# This is the main effect of fANOVA (Hutter, Hoos and Leyton-Brown, 2014) in its simplest form.
#
# **Exercise 3.** Write `importance(space, configs, results, n_bins=5)` -> a dict name -> share.
# Bin by `scale.to_unit(x)` (on a Log axis, equal bins of *value* would put almost every trial in
# the top bin), weight each bin's mean by its number of trials, leave out failed trials
# (results that are not finite numbers).


# %%
def importance(space, configs, results, n_bins=5):
    """The share of the results' variance each hyperparameter explains on its own."""
    # BEGIN SOLUTION
    import numbers

    y = np.array([r if isinstance(r, numbers.Real) else np.nan for r in results], dtype=float)
    ok = np.isfinite(y)
    y = y[ok]
    configs = [c for c, good in zip(configs, ok, strict=True) if good]
    shares = {}
    for name, scale in space.items():
        u = scale.to_unit(np.array([c[name] for c in configs], dtype=float))
        b = np.clip((u * n_bins).astype(int), 0, n_bins - 1)
        counts = np.bincount(b, minlength=n_bins)
        means = np.bincount(b, weights=y, minlength=n_bins)[counts > 0] / counts[counts > 0]
        between = np.sum(counts[counts > 0] * (means - y.mean()) ** 2) / y.size
        shares[name] = float(between / y.var()) if y.var() > 0 else 0.0
    return shares
    # END SOLUTION


checks.check("search.importance", importance)

# %% [markdown]
# Even a hyperparameter that does not matter gets a share above 0 by chance: with few trials per
# bin, the bin means scatter. To know what chance gives, shuffle the results (which breaks any
# link to the hyperparameters) and measure again, many times: the **noise floor** is the share
# that 95% of the shuffles stay below.

# %%
shares = search.importance(tuning.SPACE, configs, results)
floor = search.importance_noise_floor(tuning.SPACE, configs, results, rng)
ranking = sorted(shares, key=shares.get, reverse=True)
for name in ranking:
    above = "above" if shares[name] > floor else "below"
    print(
        f"{name:12} {shares[name]:5.1%}  ({above} the noise floor)  notes' tier {tuning.NOTES_TIERS[name]}"
    )

# %%
fig = importance_figure(tuning.SPACE, configs, results, shares, tuning.NOTES_TIERS, floor)
plotting.show(fig)

# %% [markdown]
# Does our measurement agree with the lecture? Compare the measured ranking with the notes' tiers
# (Spearman's rank correlation: 1 is the same order, 0 no relation), and ask the two questions
# that matter most in practice: is $\alpha$ the most important, and are the last tier's
# $\beta_2$ and $\varepsilon$ lost in the noise?

# %%
tiers = [tuning.NOTES_TIERS[name] for name in shares]
rho = stats.spearmanr(tiers, [-shares[name] for name in shares]).statistic
print(conclusions.importance_vs_lecture(shares, floor, tuning.NOTES_TIERS, rho))

# %% [markdown]
# ## 4 · Coarse to fine
#
# Once a first random search has shown where the good trials are, search again **only there**:
# take the best few, shrink each hyperparameter's interval of $u$ around them, and draw a new
# round of random trials in the smaller space. Working in $u$ keeps each scale: a Log range
# narrows by a *factor* (from $[10^{-4}, 1]$ to $[10^{-3}, 10^{-1}]$), not by a distance.
#
# **Exercise 4.** Write `narrow(space, best_configs, shrink=0.5)`: for each hyperparameter, the
# best configs' unit values $u$; an interval of width `shrink` centred on the middle of their
# range, **clipped to $[0, 1]$** (never leave the space: a learning rate above the range you
# allowed is a trial you did not mean to run); its ends mapped back with `from_unit`; a new scale
# of the same type. An `Integer` scale is the exception: its new bounds are the smallest and the
# largest integer $k$ whose bin centre `scale.to_unit(k)` $= (k - \text{low} + 0.5) /
# (\text{high} - \text{low} + 1)$ lies in the interval, and at least two integers stay.
# (`search.narrow` also narrows a `PowerOfTwo` scale by its exponents; the checker's spaces do
# not use one.)


# %%
def narrow(space, best_configs, shrink=0.5):
    """One round of coarse-to-fine: a smaller space around the best configs."""
    # BEGIN SOLUTION
    new_space = {}
    for name, scale in space.items():
        u = np.clip(scale.to_unit(np.array([c[name] for c in best_configs], dtype=float)), 0, 1)
        centre = (u.min() + u.max()) / 2
        u_low, u_high = max(0.0, centre - shrink / 2), min(1.0, centre + shrink / 2)
        if isinstance(scale, scales.Integer):
            n_values = scale.high - scale.low + 1
            k_low = max(0, int(np.ceil(u_low * n_values - 0.5)))
            k_high = min(n_values - 1, int(np.floor(u_high * n_values - 0.5)))
            if k_high <= k_low:
                k_low, k_high = (k_low, k_low + 1) if k_low < n_values - 1 else (k_low - 1, k_low)
            new_space[name] = scales.Integer(scale.low + k_low, scale.low + k_high)
        else:
            low, high = scale.from_unit(np.array([u_low, u_high]))
            new_space[name] = type(scale)(float(low), float(high))
    return new_space
    # END SOLUTION


checks.check("search.narrow", narrow)

# %% [markdown]
# ### App: zoom in yourself
#
# Each round draws random trials in the current region. Drag a rectangle on the scatter to choose
# where the next round looks (or leave it, and it zooms around the best trials as `narrow` does).
# The slider steps through the rounds. Does the best so far still improve in the last round?
# (Without a mouse: `coarse_to_fine.zoom(alpha_range=(1e-3, 1e-2), momentum_range=(0.95, 0.99))`
# chooses the next region by values.)

# %%
coarse_to_fine = CoarseToFine()
coarse_to_fine

# %% [markdown]
# ### Coarse to fine on the network
#
# The same on the real network: three rounds of 12 trials over the two hyperparameters this
# search ranked highest, the others at the defaults a learner starts from (Adam's, a middle-sized
# network).

# %%
top_two = ranking[:2]
space_c2f = {name: tuning.SPACE[name] for name in top_two}


def objective_c2f(config):
    return tuning.validation_accuracy({**tuning.DEFAULTS, **config})


rounds = search.coarse_to_fine(objective_c2f, space_c2f, rng, rounds=3, n_per_round=12)
best_by_round = [max(r.results) for r in rounds]
mean_by_round = [float(np.mean(r.results)) for r in rounds]
for i, r in enumerate(rounds, 1):
    region = ", ".join(f"{name} in [{s.low:.3g}, {s.high:.3g}]" for name, s in r.space.items())
    print(f"round {i}: {region}; mean {mean_by_round[i - 1]:.1%}, best {best_by_round[i - 1]:.1%}")
m_val = tuning.digits().y_val.size
print()
print(
    conclusions.coarse_to_fine(top_two, mean_by_round, best_by_round, m_val, len(rounds[0].configs))
)

# %% [markdown]
# ## Your progress

# %%
checks.progress("01")

# %% [markdown]
# ## Recap
#
# - A **space** maps each hyperparameter to a scale; a **config** is one trial.
# - A grid of $n$ trials tries only $n^{1/d}$ values of each of $d$ hyperparameters, and grows
#   as a product; random search tries $n$ values of each. When few hyperparameters matter (the
#   usual case), random search finds better trials with the same budget.
# - Measure what matters: the share of the results' variance each hyperparameter explains, with
#   a noise floor to tell an effect from luck. The lecture's ranking ($\alpha$ first) is a good
#   prior; your data may reorder the rest.
# - Coarse to fine: search again, smaller, around the best trials, on each hyperparameter's own
#   scale and never outside the space.
#
# Next: notebook 02, sampling on the right scale.
