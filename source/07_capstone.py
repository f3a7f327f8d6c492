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
# # 07 · Capstone: tune a network from start to finish
#
# Everything of this course, once, on one real problem: the batch-norm network with a softmax
# head (notebooks 04 to 06) on the handwritten digits. You start from the configuration anyone
# would try first and end with a tuned model, in five steps:
#
# 1. **the right scales** for each hyperparameter (notebook 02);
# 2. a **random search** over all of them, and which ones **matter** (notebook 01);
# 3. **coarse to fine** on the ones that matter (notebook 01);
# 4. **caviar**: many models at once in the best region, picked by validation (notebook 03);
# 5. **one** look at the test set, at the very end, for the chosen model and the untuned one.
#
# The test set stays closed until step 5. Every choice before it is made on the validation set:
# a choice made on the test set would make its accuracy an optimistic estimate, not a measurement.
#
# Run the first cell: it checks that this kernel can show the live figures.

# %%
# %matplotlib widget
import numpy as np

from course_utils import checks, conclusions, nn, plotting, search, tuning
from course_utils.widgets.search import importance_figure
from course_utils.widgets.tuning import caviar_figure

rng = np.random.default_rng(7)
split = tuning.digits()
print(split)

# %% [markdown]
# ## Your budget
#
# Change these and run the notebook again: more trials and epochs find better models and take
# longer. (The defaults run in seconds.)

# %%
n_random = 64  # step 2: random trials over every hyperparameter
n_rounds, n_per_round = 3, 12  # step 3: coarse-to-fine
K, caviar_epochs = 32, 12  # step 4: models trained at once, and for how long

# %% [markdown]
# ## The untuned baseline
#
# The configuration a learner tries first: Adam's defaults ($\alpha = 0.001$, $\beta_1 = 0.9$,
# $\beta_2 = 0.999$, $\varepsilon = 10^{-8}$), two hidden layers of 32 units, mini-batches of 64,
# no decay. Trained as long as each caviar model will be; its **validation** accuracy:

# %%
default_network, default_history = tuning.train_config(tuning.DEFAULTS, caviar_epochs)
print(f"default config: {tuning.describe(tuning.DEFAULTS)}")
print(f"validation accuracy after {caviar_epochs} epochs: {default_history.val_accuracy[-1]:.1%}")

# %% [markdown]
# ## Step 1 · The right scales
#
# Each hyperparameter is sampled uniformly on **its** scale: $\alpha$ and $\varepsilon$ on a log
# scale, $\beta_1$ and $\beta_2$ on a log scale of $1 - \beta$, the mini-batch size over powers
# of two, #units and #layers as integers, the decay linearly. Five evenly spaced $u$ on each
# (#layers has only three values, so two of them repeat):

# %%
u = np.linspace(0, 1, 5)
for name, scale in tuning.SPACE.items():
    values = ", ".join(f"{v:.4g}" for v in scale.from_unit(u))
    print(f"{name:12} {scale!r:26} {values}")

# %% [markdown]
# ## Step 2 · Random search, and what matters here
#
# Every hyperparameter drawn independently on its scale; each trial trains a network for a few
# epochs and reports its validation accuracy.

# %%
configs = search.random_search(tuning.SPACE, n_random, rng)
results = search.run_trials(tuning.validation_accuracy, configs)
shares = search.importance(tuning.SPACE, configs, results)
floor = search.importance_noise_floor(tuning.SPACE, configs, results, rng)
matter = [name for name in sorted(shares, key=shares.get, reverse=True) if shares[name] > floor]
best_random = configs[int(np.argmax(results))]
above = ", ".join(f"{name} ({shares[name]:.1%})" for name in matter) or "none"
print(f"best random trial: {max(results):.1%}")
print(f"shares above the noise floor of {floor:.1%}: {above}")

# %%
fig = importance_figure(tuning.SPACE, configs, results, shares, tuning.NOTES_TIERS, floor)
plotting.show(fig)

# %% [markdown]
# ## Step 3 · Coarse to fine on what matters
#
# A hyperparameter whose share does not beat the noise floor showed no effect we can tell from
# luck: searching it further would spend trials on luck. Fix it where the best random trial had
# it (a config known to work), and search the others again, round by round, in a region that
# narrows around the best trials and never leaves the space.
#
# **Exercise.** Write `fixed_hyperparameters(best_config, shares, floor)`: a dict of the
# hyperparameters whose share is **at most** the floor, each at the best config's value, in the
# best config's order.


# %%
def fixed_hyperparameters(best_config, shares, floor):
    """The hyperparameters not worth searching further, at the best trial's values."""
    # BEGIN SOLUTION
    return {name: value for name, value in best_config.items() if shares[name] <= floor}
    # END SOLUTION


checks.check("tuning.fixed_hyperparameters", fixed_hyperparameters)

# %%
fixed = tuning.fixed_hyperparameters(best_random, shares, floor)
space_fine = {name: tuning.SPACE[name] for name in best_random if name not in fixed}
if not space_fine:  # nothing beat the noise: search the lecture's first choice again
    fixed.pop("alpha")
    space_fine = {"alpha": tuning.SPACE["alpha"]}
print(f"fixed: {tuning.describe(fixed)}")
print(f"searched again: {list(space_fine)}")


def objective(config):
    return tuning.validation_accuracy({**fixed, **config})


rounds = search.coarse_to_fine(objective, space_fine, rng, rounds=n_rounds, n_per_round=n_per_round)
for i, r in enumerate(rounds, 1):
    region = ", ".join(f"{name} in [{s.low:.3g}, {s.high:.3g}]" for name, s in r.space.items())
    print(f"round {i}: {region}; best {max(r.results):.1%}")
final_round = rounds[-1]
best_fine = {**fixed, **final_round.configs[int(np.argmax(final_round.results))]}
print()
print(
    conclusions.capstone_coarse_to_fine(
        max(results), [max(r.results) for r in rounds], split.y_val.size
    )
)

# %% [markdown]
# ## Step 4 · Caviar in the final region
#
# The last round's region is small; now spend the compute on many models at once, each trained
# longer than a search trial. What step 3 fixed stays fixed, and so do the architecture and the
# mini-batch size, at the best config's values (so that the K models can be trained together,
# in one vectorised computation). The optimizer's hyperparameters that are still searched are
# drawn at random in the final region, and every model starts from its own random weights. The
# best model is picked **by validation accuracy**.

# %%
optimizer_names = ("alpha", "beta1", "beta2", "eps", "decay_rate")
caviar_space = {name: scale for name, scale in final_round.space.items() if name in optimizer_names}
drawn = search.random_search(caviar_space, K, rng) if caviar_space else [{}] * K
caviar_configs = [{**best_fine, **config} for config in drawn]
print(f"caviar draws {list(caviar_space) or 'no hyperparameter'} at random; the rest is fixed")

networks, histories = tuning.train_caviar(caviar_configs, caviar_epochs, seeds=range(K))
val = [h.val_accuracy[-1] for h in histories]
chosen = int(np.argmax(val))
print(f"{K} models, validation accuracy {min(val):.1%} to {max(val):.1%}; chosen: model {chosen}")
print(f"chosen config: {tuning.describe(caviar_configs[chosen])}")

# %%
fig = caviar_figure(histories, chosen)
plotting.show(fig)

# %% [markdown]
# ## Step 5 · One look at the test set
#
# Both models in inference mode (batch norm with its running statistics, notebook 05), their
# softmax outputs turned into predicted digits (notebook 06), on test examples neither has ever
# been chosen by.

# %%
tuned_loss, tuned_test = nn.evaluate(networks[chosen], split.X_test, split.y_test)
default_loss, default_test = nn.evaluate(default_network, split.X_test, split.y_test)
trials = n_random + n_rounds * n_per_round + K
print(f"untuned: test accuracy {default_test:.1%} (cross-entropy {default_loss:.3f})")
print(f"tuned:   test accuracy {tuned_test:.1%} (cross-entropy {tuned_loss:.3f})")
steps = {"untuned": default_history.steps[-1], "tuned": histories[chosen].steps[-1]}
print()
print(
    conclusions.tuned_vs_untuned(
        trials, default_test, tuned_test, split.y_test.size, caviar_epochs, steps
    )
)

# %% [markdown]
# ## Your progress
#
# This notebook's exercise, then the whole course: each exercise as you last checked it, in this
# session or an earlier one (kept in `.course-progress.json` beside the notebooks).

# %%
checks.progress("07")

# %%
checks.progress()

# %% [markdown]
# ## Recap: tuning a network on your own
#
# 1. Put each hyperparameter on its scale: log for $\alpha$ and $\varepsilon$, log of $1-\beta$
#    for averaging betas, integers for sizes, powers of two for mini-batches.
# 2. Random search over all of them, a few epochs per trial; measure which ones matter, with a
#    noise floor.
# 3. Fix what does not matter; coarse to fine on what does.
# 4. With compute to spare, caviar: many models at once, picked by validation. With little
#    compute, babysit one (panda).
# 5. Look at the test set once, at the end. Report that number.
