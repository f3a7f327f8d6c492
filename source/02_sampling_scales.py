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
# # 02 · Sampling scales: uniform on the *right* scale
#
# Random search draws each hyperparameter at random. But "at random" hides a choice: uniform
# **on which scale**? Pick the wrong one and most of your trials land where nothing interesting
# happens. In this notebook you will
#
# 1. sample #layers and #hidden units uniformly on a **linear** scale (as integers);
# 2. sample the learning rate $\alpha$ on a **log** scale;
# 3. sample an averaging $\beta$ (momentum) on the scale of $\log(1-\beta)$, and see why
#    $1/(1-\beta)$, the number of steps an average remembers, is what matters;
# 4. check how the libraries you will use next do it, and find a trap in one of them.
#
# Run the first cell: it checks that this kernel can show the live figures.

# %%
# %matplotlib widget
import numpy as np
from scipy import stats

from course_utils import checks, conclusions, plotting, scales
from course_utils.widgets.scales import BetaMemory, ScaleExplorer

rng = np.random.default_rng(2)

# %% [markdown]
# ## One idea: a scale maps the unit interval onto a range
#
# Every search strategy of this course starts from $u \in [0, 1]$: random search draws
# $u \sim U[0, 1]$, a grid takes evenly spaced $u$, coarse-to-fine narrows the interval of $u$.
# A **scale** turns $u$ into a value $x$ in $[\text{low}, \text{high}]$, and `to_unit` turns it
# back:
#
# | scale | $x$ from $u$ | use it for |
# |---|---|---|
# | `Linear(low, high)` | $x = \text{low} + u\,(\text{high} - \text{low})$ | values that act additively |
# | `Integer(low, high)` | $x = \text{low} + \lfloor u\,(\text{high} - \text{low} + 1) \rfloor$ (capped at high): each integer equally likely | #layers, #hidden units |
# | `Log(low, high)` | $\log_{10} x$ uniform | learning rate $\alpha$ |
# | `OneMinusLog(low, high)` | $\log_{10}(1 - x)$ uniform | averaging $\beta$ in $[0.9, 0.999]$ |
#
# The same five values of $u$ on three scales:

# %%
u = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
for scale in (scales.Linear(1e-4, 1.0), scales.Log(1e-4, 1.0), scales.OneMinusLog(0.9, 0.999)):
    print(f"{scale!r:28} {np.array2string(scale.from_unit(u), precision=4)}")

# %% [markdown]
# ## 1 · Linear: #layers and #hidden units
#
# For the number of hidden units in $[50, 100]$ or the number of layers in $[2, 4]$, every
# value is as plausible as the next, and the range spans less than one factor of ten: sample
# **uniformly on a linear scale**. These are integers, so each integer of the range, both ends
# included, must be equally likely.
#
# **Exercise 1.** Write `sample_integers(n, low, high, rng)`: `n` integers, uniform on
# $\{\text{low}, \dots, \text{high}\}$, drawn from the Generator `rng` (so a seed reproduces them).


# %%
def sample_integers(n, low, high, rng):
    """n integers drawn uniformly from [low, high], both ends included. -> (n,) int"""
    # BEGIN SOLUTION
    return rng.integers(low, high + 1, size=n)
    # END SOLUTION


checks.check("scales.sample_integers", sample_integers)

# %% [markdown]
# ## 2 · Log: the learning rate $\alpha$
#
# Suppose $\alpha$ may lie anywhere in $[10^{-4}, 1]$. Sampled uniformly on a linear scale,
# how often does a trial land in each factor-of-ten range (each *decade*)?

# %%
alpha_linear = scales.Linear(1e-4, 1.0).sample(100_000, rng)
decades = [(10.0**k, 10.0 ** (k + 1)) for k in range(-4, 0)]
linear_shares = [np.mean((alpha_linear >= lo) & (alpha_linear < hi)) for lo, hi in decades]
for (lo, hi), share in zip(decades, linear_shares, strict=True):
    print(f"alpha in [{lo:g}, {hi:g}): {share:6.1%} of the samples")
print(
    f"\nSampled linearly, {linear_shares[-1]:.0%} of the trials go to [0.1, 1] "
    f"and only {sum(linear_shares[:-1]):.0%} to the three decades below it."
)

# %% [markdown]
# A learning rate of $10^{-3}$ and one of $10^{-2}$ differ as much as $10^{-2}$ and $10^{-1}$:
# what matters is the *ratio*. So sample the **exponent** uniformly:
#
# $$r = -4 + 4u,\quad u \sim U[0, 1], \qquad \alpha = 10^{r} \in [10^{-4}, 1].$$
#
# $r$ is uniform on $[-4, 0]$: each decade gets a quarter of the trials. (The notes write
# $r = -4 \cdot \text{rand}()$, the same distribution counted from the top; their
# $r = -\beta \cdot \text{rand}()$ is a slip.) For any range $[\text{low}, \text{high}]$, $r$ runs
# from $\log_{10}\text{low}$ to $\log_{10}\text{high}$.
#
# **Exercise 2.** Write `log_from_unit(u, low, high)`: map $u \in [0, 1]$ (an array) to
# $10^r$ with $r = \log_{10}\text{low} + u\,(\log_{10}\text{high} - \log_{10}\text{low})$, so
# that $u = 0$ gives low and $u = 1$ gives high.


# %%
def log_from_unit(u, low, high):
    """u: (...) in [0, 1] -> 10**r with r uniform between log10(low) and log10(high)."""
    # BEGIN SOLUTION
    r_low, r_high = np.log10(low), np.log10(high)
    r = r_low + u * (r_high - r_low)
    return 10.0**r
    # END SOLUTION


checks.check("scales.log_from_unit", log_from_unit)

# %% [markdown]
# ### App: the scale explorer
#
# Choose the quantity, the scale, and the range in decades; move the number of samples. Left:
# the samples on a linear axis. Right: the share that lands in each decade, against the equal
# share (dashed) that sampling on the right scale gives. Try `linear` for alpha over six decades.

# %%
explorer = ScaleExplorer()
explorer

# %% [markdown]
# ## 3 · Log of $1 - \beta$: averaging $\beta$
#
# Momentum (and Adam's $\beta_1$, $\beta_2$) keeps an exponentially weighted average
# $v_t = \beta\, v_{t-1} + (1 - \beta)\,\theta_t$. The step $j$ back ($j = 0$ the latest) gets
# the weight $(1 - \beta)\,\beta^j$, so the last $k$ steps carry $1 - \beta^k$ of the weight.
# For $k = \frac{1}{1-\beta}$ that is $1 - \beta^{1/(1-\beta)}$: more than $1 - 1/e \approx 63\%$
# for every $\beta$, and 63% only in the limit $\beta \to 1$. Either way those steps carry most
# of the weight: **the average remembers about $\frac{1}{1-\beta}$ steps**.

# %%
for beta in (0.5, 0.9, 0.99, 0.999):
    k = round(1 / (1 - beta))
    print(f"beta = {beta:<5}: the last {k:>4} steps carry {1 - beta**k:.1%} of the weight")
print(f"limit as beta -> 1: 1 - 1/e = {1 - np.exp(-1):.1%}")

# %% [markdown]
# **Exercise 3.** Write `remembered_steps(momentum)`: $1 / (1 - \text{momentum})$, for a number
# or an array. (In code the averaging $\beta$ is called `momentum`, so that it is never confused
# with batch norm's shift $\beta$ of notebook 04.)


# %%
def remembered_steps(momentum):
    """How many past steps an exponentially weighted average with this momentum remembers."""
    # BEGIN SOLUTION
    return 1 / (1 - momentum)
    # END SOLUTION


checks.check("scales.remembered_steps", remembered_steps)

# %% [markdown]
# Now the reason $\beta$ needs its own scale. Nudge $\beta$ by the same $0.0005$ at both ends of
# $[0.9, 0.999]$:

# %%
nudge = 0.0005
for beta in (0.9, 0.999):
    before, after = scales.remembered_steps(beta), scales.remembered_steps(beta + nudge)
    print(
        f"beta {beta:<6} -> {beta + nudge:<7g}: memory {before:7.1f} -> {after:7.1f} steps "
        f"({after / before - 1:+.1%})"
    )
change_low = scales.remembered_steps(0.9 + nudge) / scales.remembered_steps(0.9) - 1
change_high = scales.remembered_steps(0.999 + nudge) / scales.remembered_steps(0.999) - 1
print(
    f"\nThe same step changes the memory by {change_low:.1%} near 0.9 and by {change_high:.0%} "
    "near 0.999: the closer beta is to 1, the more a small change matters."
)

# %% [markdown]
# So sample where the memory changes evenly: $1 - \beta$ on a log scale. For
# $\beta \in [0.9, 0.999]$, $1 - \beta \in [0.001, 0.1]$:
#
# $$r \sim U[-3, -1], \qquad 1 - \beta = 10^r, \qquad \beta = 1 - 10^r.$$
#
# Then memories of 10 to 100 steps and of 100 to 1000 steps get the same number of trials.
#
# ### App: how far back an average looks
#
# The slider moves $\beta$ on this very scale. Left: the share of the average's weight on the
# last $k$ steps, with $k = 1/(1-\beta)$ marked and the share there, $1 - \beta^k$, as a dot (the
# dotted line is its limit, $1 - 1/e$, as $\beta \to 1$). Right: a noisy signal and its average.
# Compare $\beta$ with $\beta + 0.0005$ near 0.9 and near 0.999.

# %%
memory = BetaMemory()
memory

# %% [markdown]
# **Exercise 4.** Write `sample_one_minus_log(n, low, high, rng)`: `n` values of $\beta$ in
# $[\text{low}, \text{high}]$ with $\log_{10}(1 - \beta)$ uniform, drawn from `rng`. The checker
# tests the distribution with a Kolmogorov-Smirnov test, not exact values, so any correct way of
# drawing passes.


# %%
def sample_one_minus_log(n, low, high, rng):
    """n values of beta in [low, high] with log10(1 - beta) uniform. -> (n,)"""
    # BEGIN SOLUTION
    r = rng.uniform(np.log10(1 - high), np.log10(1 - low), size=n)
    return 1 - 10.0**r
    # END SOLUTION


checks.check("scales.sample_one_minus_log", sample_one_minus_log)

# %% [markdown]
# ## 4 · How the libraries do it
#
# - **SciPy**: `scipy.stats.loguniform(low, high)` is the log scale.
# - **Optuna**: `trial.suggest_float("alpha", 1e-4, 1.0, log=True)`; and for $\beta$, sample
#   $1-\beta$ on a log scale yourself:
#   `beta = 1 - trial.suggest_float("one_minus_beta", 1e-3, 1e-1, log=True)`.
# - **KerasTuner**: `hp.Float("beta", 0.9, 0.999, sampling="reverse_log")` looks like the answer
#   for $\beta$, but it computes $\text{value} = \text{max} + \text{min} - \text{min}\cdot
#   (\text{max}/\text{min})^{1-u}$: a log scale *mirrored inside the range*, not a log scale of
#   $1 - \beta$. On $[0.9, 0.999]$, where max/min is only 1.11, that is almost linear.
#
# Measured side by side: SciPy against our `Log`, and KerasTuner's formula against `OneMinusLog`.

# %%
n = 20_000
ours = scales.Log(1e-4, 1.0).sample(n, rng)
theirs = stats.loguniform(1e-4, 1.0).rvs(size=n, random_state=rng)
same_p = stats.ks_2samp(ours, theirs).pvalue
print(f"scipy.stats.loguniform vs scales.Log: two-sample KS p = {same_p:.2f}")


def reverse_log(u, low, high):
    """KerasTuner's sampling='reverse_log': value = max + min - min * (max / min)**(1 - u)."""
    return high + low - low * (high / low) ** (1 - u)


u = rng.random(n)
betas = {
    "KerasTuner reverse_log": reverse_log(u, 0.9, 0.999),
    "log(1 - beta) scale": scales.OneMinusLog(0.9, 0.999).from_unit(u),
    "linear": scales.Linear(0.9, 0.999).from_unit(u),
}
above = {name: np.mean(b > 0.99) for name, b in betas.items()}
for name, b in betas.items():
    print(f"{name:24} share above 0.99: {above[name]:5.1%}   median: {np.median(b):.4f}")

# %%
fig, ax = plotting.figure(figsize=(9.5, 3.4))
bins = np.linspace(-3, -1, 21)  # log10(1 - beta): ten bins per decade
colors = [plotting.COLORS["other"], plotting.COLORS["main"], plotting.COLORS["muted"]]
for b, color in zip(betas.values(), colors, strict=True):
    ax.stairs(np.histogram(np.log10(1 - b), bins)[0] / n, bins, color=color, lw=2)
plotting.key(ax, [(name, color) for name, color in zip(betas, colors, strict=True)], x=0.55)
ax.set_xticks([-3, -2, -1], ["0.999", "0.99", "0.9"])
ax.invert_xaxis()
plotting.label(
    ax, "Where each method puts beta", "beta (log scale of 1 - beta)", "share of samples"
)
plotting.takeaway(
    fig,
    f"Above 0.99: reverse_log {above['KerasTuner reverse_log']:.0%} of the betas, "
    f"linear {above['linear']:.0%}, the log(1 - beta) scale {above['log(1 - beta) scale']:.0%}.",
)
plotting.show(fig)

# %% [markdown]
# ## Experiment: what does the wrong scale cost a real search?
#
# A random search of 20 trials for $\alpha \in [10^{-4}, 1]$, repeated 2000 times: how often
# does a search never try a learning rate below $10^{-2}$ (where, for many networks, the good
# ones are)?

# %%
n_trials, n_searches = 20, 2000
never_small = {}
for name, scale in (("linear", scales.Linear(1e-4, 1.0)), ("log", scales.Log(1e-4, 1.0))):
    searches = scale.sample(n_trials * n_searches, rng).reshape(n_searches, n_trials)
    never_small[name] = np.mean(np.all(searches >= 1e-2, axis=1))
    per_decade = [np.mean((searches >= lo) & (searches < hi)) * n_trials for lo, hi in decades]
    print(
        f"{name:6}: trials per decade {np.round(per_decade, 1)}; "
        f"searches with no alpha below 0.01: {never_small[name]:.1%}"
    )
print()
print(conclusions.linear_vs_log(never_small))

# %% [markdown]
# ## Your progress

# %%
checks.progress("02")

# %% [markdown]
# ## Recap
#
# - Random search is uniform in $u$; the **scale** decides where the trials land.
# - Linear (integers) for #layers and #hidden units; log for $\alpha$: $r = -4 + 4u$,
#   $\alpha = 10^r$; log of $1 - \beta$ for an averaging $\beta$: $\beta = 1 - 10^r$,
#   $r \in [-3, -1]$.
# - An average with momentum $\beta$ remembers about $1/(1-\beta)$ steps: near 1, tiny changes
#   of $\beta$ matter, which is why its scale must stretch there.
# - In a library, ask what "log" means: `loguniform` and Optuna's `log=True` are log scales of
#   the value; KerasTuner's `reverse_log` is not a log scale of $1 - \beta$.
#
# Next: notebook 03, tuning in practice (panda or caviar).
