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
# # 05 · Batch norm at test time: running statistics
#
# In training, batch norm normalises each unit with the mean and variance of the **mini-batch**.
# At test time there may be no mini-batch: one example comes in, and its prediction must not
# depend on which other examples happen to arrive with it. In this notebook you will
#
# 1. see what batch statistics do to a single example (every example comes out the same);
# 2. keep **running** estimates of $\mu$ and $\sigma^2$ during training, exponentially weighted
#    averages over the mini-batches;
# 3. normalise with them at test time (**inference mode**) and compare with **train mode** on a
#    trained network;
# 4. translate the convention into Keras and PyTorch, whose `momentum` arguments differ.
#
# Run the first cell: it checks that this kernel can show the live figures.

# %%
# %matplotlib widget
import numpy as np

from course_utils import batchnorm, checks, conclusions, data, nn, plotting
from course_utils.widgets.batchnorm_test_time import OneExample, RunningEstimates

# %% [markdown]
# ## 1 · One example has no mini-batch
#
# Recall notebook 04. For a layer's $Z$ of shape $(n_l, m)$, one column per example, batch norm
# computes per unit (row)
#
# $$\mu = \frac{1}{m}\sum_{i} z^{(i)},\qquad \sigma^2 = \frac{1}{m}\sum_{i}\left(z^{(i)}-\mu\right)^2,
# \qquad Z_{\text{norm}} = \frac{Z - \mu}{\sqrt{\sigma^2 + \varepsilon}},
# \qquad \tilde Z = \gamma\, Z_{\text{norm}} + \beta .$$
#
# With $m = 1$, $\mu = z^{(1)}$ and $\sigma^2 = 0$: $Z_{\text{norm}} = 0$ and
# $\tilde Z = \beta$, **whatever the example is**. Two very different examples through
# `batchnorm.forward`, each alone:

# %%
gamma = np.array([[2.0], [0.5], [1.0]])
beta = np.array([[0.3], [-1.0], [0.7]])
outputs = []
for column in ([4.0, -2.0, 0.5], [-7.0, 3.0, 10.0]):
    Z = np.array(column).reshape(3, 1)  # one example: (n_l, m) = (3, 1)
    Z_tilde, cache = batchnorm.forward(Z, gamma, beta)
    outputs.append(Z_tilde)
    print(f"Z = {Z.ravel()}   var = {cache['var'].ravel()}   Z_tilde = {Z_tilde.ravel()}")
print()
print(conclusions.one_example_alone(outputs, beta))

# %% [markdown]
# A batch of a few test examples is not much better: each example's output then depends on
# the others in its batch. So at test time batch norm needs a $\mu$ and a $\sigma^2$ that do not
# come from the test examples: estimates from the **training set**.
#
# ## 2 · Running estimates: exponentially weighted averages over mini-batches
#
# During training, after each mini-batch $t$ with statistics $\mu^{\{t\}}$ and
# $\sigma^{2\{t\}}$ (biased, $1/m$, as above), every batch-norm layer updates, per unit,
#
# $$\mu_{\text{running}} \leftarrow \text{momentum}\cdot\mu_{\text{running}}
# + (1 - \text{momentum})\,\mu^{\{t\}},$$
#
# $$\sigma^2_{\text{running}} \leftarrow \text{momentum}\cdot\sigma^2_{\text{running}}
# + (1 - \text{momentum})\,\sigma^{2\{t\}} .$$
#
# This is the exponentially weighted average of notebook 02: it remembers about
# $\frac{1}{1 - \text{momentum}}$ mini-batches (10 for momentum $= 0.9$), so it tracks the
# statistics of the current weights while smoothing the noise of single batches. They start at
# $\mu_{\text{running}} = 0$ and $\sigma^2_{\text{running}} = 1$. The running estimates are not
# trained by gradient descent; $\gamma$ and $\beta$ are.
#
# **Exercise 1.** Write `update_running(running_mu, running_var, mu, var, momentum=0.9)`. All
# four arrays are $(n_l, 1)$, one value per unit: the current running estimates and the
# statistics `mu`, `var` of one mini-batch. `momentum` is the weight of the **old** running
# value (Keras' convention; section 6 translates it for PyTorch). Return the pair
# `(running_mu, running_var)` of new arrays, in that order; do not change the arrays you are
# given.


# %%
def update_running(running_mu, running_var, mu, var, momentum=0.9):
    """One step of the running averages. All arrays (n_l, 1) -> (running_mu, running_var)."""
    # BEGIN SOLUTION
    running_mu = momentum * running_mu + (1 - momentum) * mu
    running_var = momentum * running_var + (1 - momentum) * var
    return running_mu, running_var
    # END SOLUTION


checks.check("batchnorm.update_running", update_running)

# %% [markdown]
# ### App: running estimates over mini-batches
#
# One unit whose $z$ has true mean 2 and variance 4, seen in mini-batches of 32. Grey dots: each
# mini-batch's own $\mu^{\{t\}}$ and $\sigma^{2\{t\}}$. Blue: the running estimates, started at
# 0 and 1. The slider moves momentum on the scale of $\log(1 - \text{momentum})$, as in
# notebook 02. Watch two things: the larger the momentum, the smoother the estimate and the
# longer it stays **biased** towards its start value; dividing by $1 - \text{momentum}^t$
# (Adam's bias correction, red dashed) removes the bias of a start at 0. The libraries do not
# correct: after thousands of training steps the start is forgotten.

# %%
running_app = RunningEstimates()
running_app

# %% [markdown]
# ## 3 · Inference mode: normalise with the running estimates
#
# At test time each layer uses the running estimates, fixed numbers, instead of the batch's:
#
# $$Z_{\text{norm}} = \frac{Z - \mu_{\text{running}}}{\sqrt{\sigma^2_{\text{running}} + \varepsilon}},
# \qquad \tilde Z = \gamma\, Z_{\text{norm}} + \beta .$$
#
# Each column is now normalised on its own: an example gets the same $\tilde Z$ alone, in a
# batch of 8 or in the whole test set.
#
# **Exercise 2.** Write `inference(Z, gamma, beta, running_mu, running_var, eps=1e-5)`: `Z` is
# $(n_l, m)$, the other four arrays $(n_l, 1)$. Return only $\tilde Z$, $(n_l, m)$ (no cache).
# `eps` goes inside the square root, as in training.


# %%
def inference(Z, gamma, beta, running_mu, running_var, eps=1e-5):
    """Batch norm at test time. Z: (n_l, m), the others (n_l, 1) -> Z_tilde: (n_l, m)."""
    # BEGIN SOLUTION
    Z_norm = (Z - running_mu) / np.sqrt(running_var + eps)
    Z_tilde = gamma * Z_norm + beta
    return Z_tilde
    # END SOLUTION


checks.check("batchnorm.inference", inference)

# %% [markdown]
# ## 4 · Train mode and inference mode in a network
#
# | | train mode | inference mode |
# |---|---|---|
# | $\mu$, $\sigma^2$ | of the current mini-batch | $\mu_{\text{running}}$, $\sigma^2_{\text{running}}$ |
# | running estimates | updated after each step | only read |
# | an example's output depends on | its whole mini-batch | the example alone |
# | in `course_utils.nn` | `network.scores(X, mode="train")`, used by `nn.train` | `mode="inference"`, used by `nn.predict`, `nn.accuracy` |
#
# A small network on the handwritten digits (8 x 8 images, 10 classes; $X$ is $(64, m)$), two
# hidden layers with batch norm, trained for a few epochs. `nn.train` runs train mode and calls
# `update_running` (the reference in `course_utils.batchnorm`) after every mini-batch.

# %%
digits = data.digits(seed=0)
network = nn.Network([64, 32, 32, 10], batchnorm=True, seed=0)
history = nn.train(network, digits, epochs=8, batch_size=32, optimizer="adam", alpha=0.01)
print(digits)
print(
    f"{history.steps[-1]} mini-batches of 32; validation accuracy (inference mode) "
    f"{history.val_accuracy[-1]:.1%}"
)

# %% [markdown]
# How close are the running estimates of layer 1 to the statistics of its $Z^{[1]} = W^{[1]} X$
# over the whole training set, with the final weights?

# %%
Z1 = network.params["W1"] @ digits.X_train  # layer 1 has no b: (32, m_train)
population_mu = Z1.mean(axis=1, keepdims=True)
population_var = Z1.var(axis=1, keepdims=True)  # biased (1/m)
# the gaps: of mu in standard deviations of the unit, of var as a ratio
gap_mu = np.max(np.abs(network.running_mu[1] - population_mu) / np.sqrt(population_var))
gap_var = np.max(np.abs(network.running_var[1] / population_var - 1))
print(
    f"unit 0: running mu {network.running_mu[1][0, 0]:.3f}, training set {population_mu[0, 0]:.3f}"
)
print(
    f"unit 0: running var {network.running_var[1][0, 0]:.3f}, "
    f"training set {population_var[0, 0]:.3f}"
)
print(
    f"\nOver the 32 units: mu differs by at most {gap_mu:.2f} standard deviations and var by "
    f"at most {gap_var:.0%}, though the running estimates only ever saw mini-batches of 32, "
    "and the weights changed under them."
)

# %% [markdown]
# And the promise of inference mode: test example 0 alone, and the same example inside a test
# batch of 64. The largest change of its class scores (the head's $Z$) in each mode:

# %%
alone, in_batch = digits.X_test[:, :1], digits.X_test[:, :64]
change = {}
for mode in ("inference", "train"):
    Z_alone, _ = network.scores(alone, mode=mode)
    Z_in_batch, _ = network.scores(in_batch, mode=mode)
    change[mode] = np.max(np.abs(Z_alone[:, 0] - Z_in_batch[:, 0]))
    print(f"{mode:9} mode: scores of example 0 change by {change[mode]:.3g}")
print()
print(conclusions.example_alone_or_in_batch(change))

# %% [markdown]
# ### App: one test example, running statistics or its batch's statistics
#
# The trained network above classifies one test digit. Blue: inference mode, with the running
# statistics. Red: train mode, with the statistics of a test batch of the chosen size that
# holds the example (the test set cut into consecutive batches). Move the example; then move
# the batch size from 1 to the whole test set.

# %%
one_example = OneExample(network, digits)
one_example

# %% [markdown]
# ## 5 · Experiment: test accuracy with running or batch statistics
#
# The whole test set through the trained network: once in inference mode, and in train mode
# cut into test batches of 1, 8, 64 and all 360 examples (the last batch of 64 holds the 40
# left over).


# %%
def accuracy_with_batch_statistics(network, X, y, m):
    """Test accuracy when each batch of m consecutive examples is normalised with its own mu, var."""
    correct = 0
    for first in range(0, X.shape[1], m):
        Z, _ = network.scores(X[:, first : first + m], mode="train")
        correct += np.sum(np.argmax(Z, axis=0) == y[first : first + m])
    return correct / X.shape[1]


m_test = digits.y_test.size
results = {"running statistics": nn.accuracy(network, digits.X_test, digits.y_test)}
for m in (1, 8, 64, m_test):
    name = f"batches of {m}"
    results[name] = accuracy_with_batch_statistics(network, digits.X_test, digits.y_test, m)
for name, value in results.items():
    print(f"{name:20} test accuracy {value:6.1%}")

running, one = results["running statistics"], results["batches of 1"]
# alone, with batch statistics: which classes does the network predict at all?
alone_classes = np.unique(
    [np.argmax(network.scores(digits.X_test[:, [i]], mode="train")[0]) for i in range(m_test)]
)
print()
print(conclusions.running_vs_batch_statistics(results, alone_classes, digits.y_test))

# %%
fig, ax = plotting.figure(figsize=(9.5, 3.4))
names = list(results)
colors = [plotting.COLORS["main"]] + [plotting.COLORS["other"]] * (len(names) - 1)
bars = ax.bar(np.arange(len(names)), [results[n] for n in names], color=colors)
ax.bar_label(bars, [f"{results[n]:.0%}" for n in names], padding=2)
ax.set_xticks(
    np.arange(len(names)), ["running"] + [n.removeprefix("batches of ") for n in names[1:]]
)
ax.set_ylim(0, 1.15)
ax.set_yticks([0, 0.5, 1])
plotting.label(
    ax, "Test accuracy by the statistics batch norm uses", "running or test batch size", "accuracy"
)
plotting.takeaway(
    fig,
    f"Running statistics: {running:.0%}, each example alone; batch statistics: {one:.0%} alone, "
    f"{results['batches of 8']:.0%} in batches of 8.",
)
plotting.show(fig)

# %% [markdown]
# ## 6 · The same thing in Keras and PyTorch
#
# The two libraries put `momentum` on opposite weights. Ours and Keras' is the weight of the
# old value, $\text{running} \leftarrow \text{momentum}\cdot\text{running} +
# (1-\text{momentum})\cdot\text{batch}$; PyTorch's is the weight of the batch,
# $\text{running} \leftarrow (1-\text{momentum})\cdot\text{running} +
# \text{momentum}\cdot\text{batch}$.
#
# | | this course | Keras `BatchNormalization` | PyTorch `BatchNorm1d` |
# |---|---|---|---|
# | `momentum` weighs | the old value | the old value | the batch |
# | our 0.9 is | `momentum=0.9` | `momentum=0.9` | `momentum=0.1` |
# | default | 0.9 | 0.99 (~100 batches) | 0.1 (our 0.9) |
# | running variance | biased, $1/m$ | biased, $1/m$ | **unbiased**, $1/(m-1)$ |
# | $\varepsilon$ default | `1e-5` | `epsilon=1e-3` | `eps=1e-5` |
# | inference mode | `mode="inference"` | `training=False` | `model.eval()` |
#
# So when you port a model, `momentum=0.1` in PyTorch and `momentum=0.9` in Keras are the same
# average, and PyTorch's running variance is larger by the factor $m/(m-1)$ (1.6% for $m = 64$).
# PyTorch's `BatchNorm1d` also takes examples in rows, $(m, n_l)$: the transpose of our $Z$.
# Forgetting `model.eval()` in PyTorch is exactly the "batches of m" results of the experiment.

# %% [markdown]
# ## Your progress

# %%
checks.progress("05")

# %% [markdown]
# ## Recap
#
# - With batch statistics a single example has $\sigma^2 = 0$ and comes out as $\beta$; in a
#   small batch its output depends on its companions.
# - During training, keep per-unit running estimates:
#   $\text{running} \leftarrow \text{momentum}\cdot\text{running} + (1-\text{momentum})\cdot\text{batch}$
#   for $\mu$ and $\sigma^2$; they remember about $1/(1-\text{momentum})$ mini-batches.
# - Train mode normalises with the mini-batch and updates the running estimates; inference mode
#   normalises with $\mu_{\text{running}}$, $\sigma^2_{\text{running}}$ and each example alone:
#   $\tilde Z = \gamma\,(Z - \mu_{\text{running}})/\sqrt{\sigma^2_{\text{running}} + \varepsilon} + \beta$.
# - Our momentum 0.9 = Keras `momentum=0.9` = PyTorch `momentum=0.1`; PyTorch keeps the
#   unbiased running variance.
#
# Next: notebook 06, softmax regression.
