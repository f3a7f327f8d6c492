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
# # 03 · Tuning in practice: panda or caviar
#
# Notebooks 01 and 02 chose *which* configurations to try. This one is about how you spend
# two things while they train: **compute** and **attention**. The lecture names two ways.
#
# - **Panda: babysit one model.** Watch its learning curve epoch after epoch, nudge the
#   learning rate, go back when the loss blows up. A panda raises one cub at a time, with care.
# - **Caviar: train many models in parallel**, each with its own hyperparameters, and keep the
#   best. A fish lays a great many eggs and looks after none of them.
#
# (The notes' "pandas" is this strategy, not the library, and "canvav" is caviar.) In this
# notebook you will
#
# 1. babysit a network yourself, then write the rule of a scripted panda;
# 2. train 32 models at once with `nn.train_many` and pick the best **by validation**;
# 3. compare the two strategies on the same compute;
# 4. run the same caviar on a process pool and on a Dask cluster;
# 5. decide when to be a panda and when caviar, from this notebook's own results.
#
# Run the first cell: it checks that this kernel can show the live figures.

# %%
# %matplotlib widget
import functools
import logging
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from course_utils import checks, conclusions, nn, plotting, search, tuning
from course_utils.widgets.tuning import Caviar, Panda, panda_vs_caviar_figure

split = tuning.digits()

# %% [markdown]
# ## The model we tune
#
# The course's tuning problem (notebook 01): handwritten digits, and a network with batch norm
# (notebook 04) and a softmax head (notebook 06), trained with Adam on mini-batches.

# %%
m_train, m_val, m_test = (X.shape[1] for X in (split.X_train, split.X_val, split.X_test))
print(f"digits: {m_train} training, {m_val} validation and {m_test} test images (8 x 8 pixels)")
print(
    f"network: layer sizes {tuning.sizes(tuning.DEFAULTS)}, batch norm, Adam, mini-batches of "
    f"{tuning.DEFAULTS['batch_size']}: {-(-m_train // tuning.DEFAULTS['batch_size'])} steps "
    "per epoch"
)

# %% [markdown]
# ## 1 · Panda: babysit one model
#
# You are the panda. The app trains the network one epoch at a time: press ▶ (or move the
# **epoch** slider). The **alpha** slider sets the learning rate of the *next* epochs, on a log
# scale; move it whenever you like. Left: the training and validation loss; right: the
# learning rate of every epoch; dotted lines mark where you changed alpha.
#
# The app keeps a **checkpoint** after every epoch. When the validation loss jumps, do what a
# panda does: drag the epoch slider back to before the jump (the network returns to that
# checkpoint, exactly), lower alpha, and press ▶ again. The epochs you undid stay on the
# figure, dashed grey.
#
# Try: a few epochs at 0.001 (slow), then 0.01; then push alpha to 0.3 or 1 and watch the loss;
# rewind and lower it.

# %%
panda = Panda()
panda

# %% [markdown]
# Babysitting works, but it costs your attention at every epoch. Can a rule do it? A simple
# one: **whenever the validation loss rises, halve alpha**.
#
# **Exercise 1.** Write `next_alpha(alpha, val_loss, factor=0.5)`: `val_loss` lists the
# validation losses so far, one per epoch. If the last one rose above the one before it,
# return `alpha * factor`; otherwise (it fell or stayed, or there are fewer than two) return
# `alpha`. A loss that blew up to NaN counts as a rise.


# %%
def next_alpha(alpha, val_loss, factor=0.5):
    """The learning rate for the next epoch: alpha * factor if the last loss rose, else alpha."""
    # BEGIN SOLUTION
    if len(val_loss) < 2:
        return alpha
    rose = not val_loss[-1] <= val_loss[-2]  # True for a rise, and for NaN
    return alpha * factor if rose else alpha
    # END SOLUTION


checks.check("tuning.next_alpha", next_alpha)

# %% [markdown]
# `tuning.babysit(epochs, alpha)` is this scripted panda: it trains one model from `alpha`
# (Adam's default, 0.001) and applies `tuning.next_alpha` after every epoch. It comes back in
# section 3, against caviar.
#
# ## 2 · Caviar: many models at once
#
# Caviar draws K configurations at random, **each hyperparameter on its right scale**
# (notebook 02), and trains them all. Here: $\alpha$ on a log scale, Adam's $\beta_1$ on a log
# scale of $1 - \beta_1$, and the learning-rate decay on a linear scale. The architecture and
# the mini-batch size stay the same for all K, and so do the mini-batches themselves: then
# `nn.train_many` trains the K networks **together**, as one computation with a leading model
# axis (W is $(K, n_l, n_{l-1})$), instead of K separate ones.
#
# How long can each model train? Give both strategies the same compute **budget**, counted in
# epochs of one model: caviar with K models of E epochs each spends $K \cdot E$.
#
# **Exercise 2.** Write `epochs_per_model(budget, n_models)`: the whole number of epochs each
# model can train so that all of them together stay within the budget.


# %%
def epochs_per_model(budget, n_models):
    """The most whole epochs each of n_models can train within budget epochs of compute."""
    # BEGIN SOLUTION
    return budget // n_models
    # END SOLUTION


checks.check("tuning.epochs_per_model", epochs_per_model)

# %%
BUDGET = 160  # epochs of one model: the compute each strategy gets
K = tuning.CAVIAR_MODELS
EPOCHS = tuning.epochs_per_model(BUDGET, K)
rng = np.random.default_rng(3)
configs = [{**tuning.DEFAULTS, **c} for c in search.random_search(tuning.CAVIAR_SPACE, K, rng)]
print(f"caviar: {K} models x {EPOCHS} epochs = {K * EPOCHS} of the {BUDGET} epochs of budget")
print(f"the space: {tuning.CAVIAR_SPACE}")
for k in range(3):
    shown = ", ".join(f"{name} {configs[k][name]:.3g}" for name in tuning.CAVIAR_SPACE)
    print(f"model {k}: {shown}")

# %% [markdown]
# ### App: the caviar, live
#
# The figure below waits for the models; the next cell trains all of them at once and
# `on_epoch` draws their curves after every epoch. Then scrub with the **epoch** slider: the
# best model **by validation** at that epoch is highlighted, and the right panel shows every
# model at that epoch against its $\alpha$. The **models** slider keeps only the first k: the
# best of more models can only be as good or better.

# %%
caviar = Caviar(configs, EPOCHS, train=False)
caviar


# %%
def column(name):
    """One value per model: the K configs' values of a hyperparameter."""
    return [config[name] for config in configs]


start = time.perf_counter()
networks, histories = nn.train_many(
    tuning.sizes(tuning.DEFAULTS),
    split,
    EPOCHS,
    alpha=column("alpha"),
    beta1=column("beta1"),
    decay_rate=column("decay_rate"),
    batch_size=tuning.DEFAULTS["batch_size"],
    seeds=[0] * K,  # the same initial weights for all: only the hyperparameters differ
    on_epoch=caviar.on_epoch,
)
many_seconds = time.perf_counter() - start
print(f"{K} models x {EPOCHS} epochs, trained at once in {many_seconds:.2f} s")

# %% [markdown]
# Which model do we keep? Each has a training, a validation and a test accuracy
# (`tuning.caviar_results`). The networks are the ones after their last epoch.
#
# **Exercise 3.** Write `pick_best(results)`: `results` is a list with one dict per model, with
# `"train_accuracy"` and `"val_accuracy"` (lists, one value per epoch) and `"test_accuracy"`
# (one number). Return the **index** of the model with the highest validation accuracy after
# its last epoch (the first one on a tie).

# %%
results = tuning.caviar_results(configs, networks, histories)


def pick_best(results):
    """The index of the model with the highest validation accuracy after its last epoch."""
    # BEGIN SOLUTION
    final = [result["val_accuracy"][-1] for result in results]
    return int(np.argmax(final))
    # END SOLUTION


checks.check("tuning.pick_best", pick_best)

# %%
best = tuning.pick_best(results)
by_test = int(np.argmax([r["test_accuracy"] for r in results]))
chosen = results[best]
print(conclusions.choice_by_validation(results, best, by_test, tuning.CAVIAR_SPACE, m_test))

# %% [markdown]
# ## 3 · Panda against caviar, on the same compute
#
# The scripted panda gets the whole budget for its one model, from $\alpha$ = 0.001. Two of
# them: the **hasty** one uses your rule, halving $\alpha$ after every epoch whose validation
# loss rose (`tuning.babysit(BUDGET)`); the **patient** one halves it only when the validation
# loss has not beaten its best for 5 epochs (`patience=5`, what Keras' ReduceLROnPlateau does).
# Neither rule has a floor for $\alpha$ (nor has ReduceLROnPlateau by default: `min_lr=0`).
# On the left, all of them against the compute spent: a panda's epoch costs one epoch of compute,
# a caviar epoch K of them. On the right, the pandas' learning rates; below the dotted line,
# $\alpha$ is less than a thousandth of where it started and barely moves the weights: the run
# has frozen.

# %%
start = time.perf_counter()
hasty_network, hasty_history = tuning.babysit(BUDGET, alpha=tuning.DEFAULTS["alpha"])
panda_seconds = time.perf_counter() - start
panda_network, panda_history = tuning.babysit(BUDGET, alpha=tuning.DEFAULTS["alpha"], patience=5)
panda_val = np.array(panda_history.val_accuracy)
caviar_final = chosen["val_accuracy"][-1]
panda_final = panda_val[-1]
# caviar's wall-clock time, counted in the panda's epochs: EPOCHS with one machine per model;
# here, trained at once in one process, what the clock measured
in_caviar_time = int(np.clip(round(many_seconds / (panda_seconds / BUDGET)), 1, BUDGET))
panda_test = nn.accuracy(panda_network, split.X_test, split.y_test)
halvings = int(np.count_nonzero(np.diff(hasty_history.alpha)))

fig = panda_vs_caviar_figure(
    {"patient panda": panda_history, "hasty panda": hasty_history}, histories
)
plotting.show(fig)

# %%
print(
    conclusions.caviar_vs_panda(
        caviar_final,
        panda_history,
        hasty_history,
        caviar_test=chosen["test_accuracy"],
        panda_test=panda_test,
        m_val=m_val,
        m_test=m_test,
        budget=BUDGET,
        n_models=K,
        epochs=EPOCHS,
        halvings=halvings,
        in_caviar_time=in_caviar_time,
        many_seconds=many_seconds,
        panda_seconds=panda_seconds,
        own_epoch=panda.epoch,
        own_history=panda.history,
    )
)

# %% [markdown]
# ## 4 · Scaling caviar out: a process pool, then a cluster
#
# Caviar's models are independent, so they can train anywhere. `search.run_trials(objective,
# configs, executor)` runs one trial per config on any `concurrent.futures.Executor`: a process
# pool on this machine, or Dask's scheduler for a cluster. Each worker is another Python
# process, so the objective must be **picklable**: a function defined at module level in an
# importable module (`tuning.validation_accuracy` trains one config alone and returns its
# validation accuracy), or a `functools.partial` of one. A lambda, or a function defined in
# this notebook, cannot be sent to a worker that has not run this notebook.
#
# The workers are *spawned*: each starts a fresh Python and imports what it needs, as on macOS
# and Windows (and on Linux from Python 3.14). A *forked* worker would copy this kernel, with
# its threads, as it is, which can deadlock. Dask's `LocalCluster` spawns its workers too.
#
# First in this process, one by one; then on a pool of two worker processes.

# %%
objective = functools.partial(tuning.validation_accuracy, epochs=EPOCHS)
seconds = {"train_many, this process": many_seconds}

start = time.perf_counter()
here = search.run_trials(objective, configs)
seconds["one by one, this process"] = time.perf_counter() - start

start = time.perf_counter()
spawn = multiprocessing.get_context("spawn")
with ProcessPoolExecutor(max_workers=2, mp_context=spawn) as pool:
    pooled = search.run_trials(objective, configs, pool)
seconds["process pool, 2 workers"] = time.perf_counter() - start

# %% [markdown]
# Now Dask. `LocalCluster` starts a scheduler and two worker processes on this machine;
# `client.get_executor()` is a `concurrent.futures.Executor` that sends the trials to them.
# The `with` block closes the client and the cluster at its end.

# %%
from dask.distributed import Client, LocalCluster

start = time.perf_counter()
with (
    LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",  # any free port: another cluster may hold 8787
        silence_logs=logging.ERROR,
    ) as cluster,
    Client(cluster) as client,
):
    executor = client.get_executor()
    on_dask = search.run_trials(objective, configs, executor)
seconds["Dask LocalCluster, 2 workers (with start and stop)"] = time.perf_counter() - start

# %% [markdown]
# Do the three places agree? Each trial starts from its own seed, and every training of the
# course runs numpy's matrix products on one thread (`nn.one_blas_thread`), here, in the pool's
# workers and on Dask's: a product then adds its terms in the same order in every process, so
# on one machine a trial gives the same bits wherever it runs. (Another CPU's arithmetic kernels
# may round a last digit otherwise: its accuracies can differ from these, and still agree with
# each other there.)

# %%
vectorised = [h.val_accuracy[-1] for h in histories]
print(conclusions.scaling_out(here, pooled, on_dask, vectorised, seconds, os.cpu_count()))

# %% [markdown]
# **On a real cluster** only the first line changes: `client = Client("tcp://scheduler-address:8786")`
# connects to a running scheduler instead of starting a `LocalCluster`. Every worker needs the
# same environment: `course_utils` and the same numpy installed, since a worker finds
# `tuning.validation_accuracy` by its name and loads the digits itself. Only configs travel out
# and numbers come back.
#
# ## 5 · When to be a panda, when caviar

# %%
print(
    conclusions.panda_or_caviar(
        caviar_final,
        panda_final,
        caviar_test=chosen["test_accuracy"],
        panda_test=panda_test,
        m_val=m_val,
        m_test=m_test,
        budget=BUDGET,
        n_models=K,
        many_seconds=many_seconds,
        panda_seconds=panda_seconds,
    )
)

# %% [markdown]
# ## Your progress

# %%
checks.progress("03")

# %% [markdown]
# ## Recap
#
# - **Panda**: one model, watched every epoch; change $\alpha$ as it trains, keep a checkpoint
#   per epoch and go back when the loss blows up. Cheap in compute, expensive in attention.
#   A scripted rule saves the attention, but a rule that only ever lowers $\alpha$, with no
#   floor, freezes the model in the end: halving at every rise of the validation loss reacts to
#   noise and freezes it early; patience only postpones the freeze. Watch when the validation
#   accuracy stops improving, not only the loss.
# - **Caviar**: many configurations drawn on their right scales, trained at once. With the same
#   architecture and mini-batches, `nn.train_many` trains K models as one vectorised
#   computation; on a cluster, `search.run_trials` sends one trial per config to any
#   `Executor`. The objective must be picklable.
# - Keep the model with the best **validation** accuracy after its last epoch. The test set
#   measures the chosen model once; a model chosen by the test set has no honest measure left.
# - The compute budget is models $\times$ epochs: `budget // n_models` whole epochs each.
#
# Next: notebook 04, batch normalization in training.
