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
# # 04 · Batch normalization in training
#
# Normalising the inputs of a network (mean 0, variance 1 per feature) makes its cost easier to
# descend. **Batch normalization** does the same inside the network: for every hidden layer it
# normalises $Z^{[l]}$ over the mini-batch, then lets the network choose the mean and spread it
# wants. In this notebook you will
#
# 1. write the forward pass: $\mu$, $\sigma^2$, $Z_\text{norm}$, $\tilde Z$;
# 2. see why the learnable $\gamma$ and $\beta$ are there, and why $b^{[l]}$ is not needed;
# 3. write the backward pass, where $\mu$ and $\sigma^2$ depend on every example;
# 4. measure what batch norm does to training on real data, and see the noise it adds to each
#    example (the source of its accidental regularisation) shrink as the mini-batch grows.
#
# Run the first cell: it checks that this kernel can show the live figures.

# %%
# %matplotlib widget
import numpy as np

from course_utils import batchnorm, checks, conclusions, data, nn, plotting
from course_utils.widgets.batchnorm import BatchNoise, GammaBeta, learning_rate_sweep_figure

# %% [markdown]
# ## The forward pass
#
# Take one layer's pre-activations for a mini-batch of $m$ examples, $Z$ of shape $(n_l, m)$:
# one row per unit, one column per example. For each unit, over the mini-batch:
#
# $$\mu = \frac{1}{m}\sum_{i=1}^{m} z^{(i)}, \qquad
#   \sigma^2 = \frac{1}{m}\sum_{i=1}^{m} \left(z^{(i)} - \mu\right)^2, \qquad
#   z^{(i)}_\text{norm} = \frac{z^{(i)} - \mu}{\sqrt{\sigma^2 + \varepsilon}},$$
#
# $$\tilde z^{(i)} = \gamma\, z^{(i)}_\text{norm} + \beta.$$
#
# $\sigma^2$ is the *biased* variance ($1/m$, numpy's default `var`), and $\varepsilon$
# (`eps`, $10^{-5}$) sits **inside** the square root so that a unit that is constant over the
# batch gives $z_\text{norm} = 0$, not $0/0$. $\gamma$ and $\beta$, each $(n_l, 1)$, are learnt
# like $W$: $\gamma := \gamma - \alpha\, d\gamma$, $\beta := \beta - \alpha\, d\beta$. (This
# $\beta$ is batch norm's shift; the averaging $\beta$ of momentum is called `momentum` in code.)
#
# **Exercise 1.** Write `forward(Z, gamma, beta, eps=1e-5)`. Return `(Z_tilde, cache)`, where
# `cache` is a dict with the keys `"Z"`, `"mu"`, `"var"`, `"Z_norm"`, `"inv_std"`
# ($1/\sqrt{\sigma^2 + \varepsilon}$), `"gamma"` and `"eps"`: what the backward pass will need.
# Reduce over the examples (`axis=1`) and keep the column shape (`keepdims=True`).


# %%
def forward(Z, gamma, beta, eps=1e-5):
    """Z: (n_l, m), gamma, beta: (n_l, 1) -> Z_tilde: (n_l, m), cache: dict."""
    # BEGIN SOLUTION
    mu = Z.mean(axis=1, keepdims=True)
    var = Z.var(axis=1, keepdims=True)
    inv_std = 1 / np.sqrt(var + eps)
    Z_norm = (Z - mu) * inv_std
    Z_tilde = gamma * Z_norm + beta
    cache = {
        "Z": Z,
        "mu": mu,
        "var": var,
        "Z_norm": Z_norm,
        "inv_std": inv_std,
        "gamma": gamma,
        "eps": eps,
    }
    return Z_tilde, cache
    # END SOLUTION


checks.check("batchnorm.forward", forward)

# %% [markdown]
# ## Why $\gamma$ and $\beta$?
#
# Forcing every unit to mean 0 and variance 1 would take information from the layer: a sigmoid
# would always work in its linear middle, a ReLU would always cut every input below the mean
# (about half of them). With $\gamma$ and $\beta$ the network picks the distribution it needs,
# and with $\gamma = \sqrt{\sigma^2 + \varepsilon}$ and $\beta = \mu$ it can undo the
# normalisation entirely: $\tilde z = z$. Move the sliders, then tick the box.

# %%
gamma_beta = GammaBeta()
gamma_beta

# %% [markdown]
# **$b^{[l]}$ becomes redundant.** $Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}$ adds the same $b$ to
# every example, and the very next step subtracts the mean over the examples: $b$ cancels.
# Batch norm's $\beta$ takes its role, so a layer followed by batch norm has no $b$. Measured:

# %%
rng = np.random.default_rng(0)
Z = rng.normal(size=(4, 32))
b = rng.normal(size=(4, 1))
gamma, beta = np.ones((4, 1)), np.zeros((4, 1))
with_b, _ = batchnorm.forward(Z + b, gamma, beta)
without_b, _ = batchnorm.forward(Z, gamma, beta)
print(f"largest difference with and without b: {np.max(np.abs(with_b - without_b)):.1e}")

# %% [markdown]
# ## The backward pass
#
# Given $d\tilde Z = \partial J / \partial \tilde Z$, the parameters' gradients sum over the
# examples, like $db$ does:
#
# $$d\beta = \sum_{i} d\tilde z^{(i)}, \qquad d\gamma = \sum_{i} d\tilde z^{(i)}\, z^{(i)}_\text{norm}.$$
#
# For $dZ$, remember that $\mu$ and $\sigma^2$ are computed *from* $Z$: moving one example moves
# the mean and the variance, and so every $z_\text{norm}$ of its unit. The chain rule through
# $\mu$ and $\sigma^2$ (see `batchnorm.backward_staged`) simplifies to
#
# $$dZ = \frac{\gamma}{m\sqrt{\sigma^2 + \varepsilon}}
#        \left(m\, d\tilde Z - d\beta - Z_\text{norm}\, d\gamma\right).$$
#
# Drop the two correction terms and you get $\gamma\, d\tilde Z / \sqrt{\sigma^2+\varepsilon}$,
# the gradient as if $\mu$ and $\sigma^2$ were constants: the most common mistake.
#
# **Exercise 2.** Write `backward(dZ_tilde, cache)` returning `(dZ, dgamma, dbeta)`. `cache` is
# the dict that the reference `forward` returns (keys as in Exercise 1). The checker compares
# with finite differences and tells you which of the three gradients is wrong.


# %%
def backward(dZ_tilde, cache):
    """dZ_tilde: (n_l, m), cache from forward -> dZ: (n_l, m), dgamma, dbeta: (n_l, 1)."""
    # BEGIN SOLUTION
    Z_norm, gamma, inv_std = cache["Z_norm"], cache["gamma"], cache["inv_std"]
    m = dZ_tilde.shape[1]
    dbeta = dZ_tilde.sum(axis=1, keepdims=True)
    dgamma = (dZ_tilde * Z_norm).sum(axis=1, keepdims=True)
    dZ = gamma * inv_std / m * (m * dZ_tilde - dbeta - Z_norm * dgamma)
    return dZ, dgamma, dbeta
    # END SOLUTION


checks.check("batchnorm.backward", backward)

# %% [markdown]
# ## Why it helps: an experiment on handwritten digits
#
# The same network, $64 \to 64 \to 32 \to 10$ with ReLU and a softmax head, trained on scikit-learn's
# 1797 handwritten digits (8x8 pixels) by mini-batch gradient descent with momentum, with and
# without batch norm, over learning rates on a log scale. Ioffe and Szegedy (2015) found that
# batch norm reached the same accuracy in 14 times fewer steps and tolerated much larger
# learning rates. What does our small run show? Each run measures its validation accuracy after
# every step (`val_every=1`), so that "steps to 90%" is exact, not rounded up to a whole epoch.

# %%
digits = data.digits(seed=0, dtype=np.float32)
alphas = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0]
target = 0.9
runs = {}
for use_batchnorm in (True, False):
    for alpha in alphas:
        network = nn.Network([64, 64, 32, 10], batchnorm=use_batchnorm, seed=0)
        runs[(use_batchnorm, alpha)] = nn.train(
            network,
            digits,
            epochs=15,
            batch_size=64,
            optimizer="momentum",
            alpha=alpha,
            seed=0,
            val_every=1,
        )
final = {key: history.val_accuracy[-1] for key, history in runs.items()}
print("final validation accuracy")
print("alpha      " + "".join(f"{a:>8g}" for a in alphas))
for use_batchnorm in (True, False):
    row = "".join(f"{final[(use_batchnorm, a)]:8.3f}" for a in alphas)
    print(f"{'with BN' if use_batchnorm else 'without':10} {row}")

# %%
fig, steps = learning_rate_sweep_figure(alphas, runs, target)
plotting.show(fig)


# %%
print(conclusions.with_and_without_batchnorm(steps, final, target, alphas))

# %% [markdown]
# ## An unintended regulariser
#
# $\mu$ and $\sigma^2$ come from the mini-batch, so each example is shifted and scaled a little
# differently depending on which other examples share its batch: noise, like dropout's. The
# lecture notes credit this noise with a slight regularising effect, a side effect and not a
# reason to use batch norm, which weakens as the mini-batch grows (64 $\to$ 512). The app
# below measures the noise itself, how far a batch's $\mu$ and $\sigma^2$ wander from those
# of all the data; it does not measure the regularisation. Move the mini-batch size:

# %%
noise = BatchNoise()
noise

# %% [markdown]
# ## Your progress

# %%
checks.progress("04")

# %% [markdown]
# ## Recap
#
# - Batch norm normalises each unit over the mini-batch:
#   $Z_\text{norm} = (Z - \mu)/\sqrt{\sigma^2 + \varepsilon}$, biased $\sigma^2$, $\varepsilon$
#   inside the root; then $\tilde Z = \gamma Z_\text{norm} + \beta$ with learnt $\gamma$, $\beta$.
# - $\gamma$ and $\beta$ give back what normalising took: they can undo it. $b^{[l]}$ is
#   redundant before batch norm.
# - Backward: $d\beta = \sum d\tilde Z$, $d\gamma = \sum d\tilde Z\, Z_\text{norm}$, and $dZ$
#   carries two correction terms because $\mu$ and $\sigma^2$ depend on every example.
# - Why it helps is still debated. The original paper's reason, less *internal covariate shift*
#   (each layer's inputs changing as the layers before it learn), is not what this notebook
#   measures. What the experiment measures is the steps to a target accuracy and which
#   learning rates still train, alpha by alpha; read its conclusion above. The app measures
#   the noise that the batch's $\mu$ and $\sigma^2$ add to each example, the source of the
#   slight regularisation the lecture describes; it shrinks as $1/\sqrt{m}$.
#
# Next: notebook 05, batch norm at test time, where there is no mini-batch.
