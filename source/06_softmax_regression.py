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
# # 06 · Softmax regression: the multi-class head
#
# Every classifier ends in a head that turns the last layer's numbers into a decision. For
# $C$ classes that head is **softmax**. In this notebook you will
#
# 1. choose the head for a task, and see why softmax is a *soft* max (and what temperature does);
# 2. write a softmax that never overflows, the cross-entropy cost over a whole mini-batch, and
#    its famously simple gradient $dZ = \hat Y - Y$;
# 3. check that with two classes softmax regression *is* logistic regression;
# 4. train softmax regression by hand, see its straight-line boundaries, and a deep network's
#    curved ones; then read its mistakes on real handwritten digits.
#
# Run the first cell: it checks that this kernel can show the live figures.

# %%
# %matplotlib widget
import numpy as np

from course_utils import checks, conclusions, data, gradcheck, plotting, softmax
from course_utils.widgets.softmax import DeepVsLinear, SoftmaxBars, SoftmaxRegressionLive

# %% [markdown]
# ## Which head?
#
# | task | output | head $g^{[L]}$ | cost |
# |---|---|---|---|
# | multi-class: one of $C$ classes | $C$ probabilities that sum to 1 | softmax | cross-entropy |
# | binary: yes or no | one probability | sigmoid (logistic regression) | binary cross-entropy |
# | regression: a number | a real number | identity (linear regression) | squared error |
#
# ## The softmax function
#
# The last layer computes $z^{[L]}$, one number per class (the *logits*). Softmax exponentiates
# and normalises:
#
# $$t = e^{z^{[L]}}, \qquad a^{[L]}_i = \frac{t_i}{\sum_{j=1}^{C} t_j}.$$
#
# Every $a_i$ is positive and they sum to 1. For $m$ examples, $Z$ is $(C, m)$ and softmax works
# **column by column**. Why "soft" max: **hardmax** puts 1 on the largest $z_i$ and 0 elsewhere;
# softmax keeps the order but spreads some probability to the others. Dividing the logits by a
# **temperature** $T$ turns one into the other: $T \to 0$ gives hardmax, large $T$ gives the
# uniform distribution. One exception: when $k$ logits tie for the largest, softmax gives each
# of them the same share at every $T$, so as $T \to 0$ it splits the probability equally,
# $1/k$ each, while hardmax, a decision, picks one of them (the first, as `np.argmax` does).
# Move the logits and the temperature, then give two of them the same largest value:

# %%
bars = SoftmaxBars()
bars

# %% [markdown]
# **Overflow.** $e^{z}$ overflows float64 beyond $z \approx 709$: logits of 1000 give
# `inf / inf = nan`. Since $\frac{e^{z_i - c}}{\sum_j e^{z_j - c}} = \frac{e^{z_i}}{\sum_j e^{z_j}}$
# for any constant $c$, subtract each column's maximum first: the largest exponent is then
# $e^0 = 1$.

# %%
z = np.array([[1000.0], [999.0], [990.0]])
with np.errstate(over="ignore", invalid="ignore"):
    naive = np.exp(z) / np.exp(z).sum(axis=0)
print(f"naive softmax of {z.ravel()}: {naive.ravel()}")
print(f"shifted by the max:          {softmax.softmax(z).ravel().round(6)}")

# %% [markdown]
# **Exercise 1.** Write the softmax of $Z$, shape $(C, m)$: column-wise, stable for any finite
# logits (the checker tries logits of $\pm 1000$). It is called `softmax_` here, so that the
# module `softmax` keeps its name in this notebook.


# %%
def softmax_(Z):
    """Z: (C, m) -> Y_hat: (C, m), each column positive and summing to one."""
    # BEGIN SOLUTION
    t = np.exp(Z - Z.max(axis=0, keepdims=True))
    return t / t.sum(axis=0, keepdims=True)
    # END SOLUTION


checks.check("softmax.softmax", softmax_)

# %% [markdown]
# ## The cost: cross-entropy over $Y$ and $\hat Y$
#
# With the label as a one-hot column $y$ (1 for the true class, 0 elsewhere),
#
# $$L(y, \hat y) = -\sum_{j=1}^{C} y_j \log \hat y_j,$$
#
# which is $-\log$ of the probability given to the true class: 0 when $\hat y_j \to 1$ for the
# true $j$, large when it $\to 0$. Over a mini-batch, $Y$ and $\hat Y$ are $(C, m)$, one column
# per example, and the cost averages the $m$ losses:
#
# $$J = \frac{1}{m} \sum_{i=1}^{m} L\left(y^{(i)}, \hat y^{(i)}\right).$$
#
# **Exercise 2.** Write `cross_entropy(Y_hat, Y)`: the mean over the $m$ examples.


# %%
def cross_entropy(Y_hat, Y):
    """Y_hat, Y: (C, m) -> J: the mean cross-entropy over the m examples."""
    # BEGIN SOLUTION
    m = Y.shape[1]
    return -np.sum(Y * np.log(Y_hat)) / m
    # END SOLUTION


checks.check("softmax.cross_entropy", cross_entropy)

# %% [markdown]
# ## The gradient: $dZ = \hat Y - Y$
#
# For one example, $\frac{\partial L}{\partial z_i} = \sum_j \frac{\partial L}{\partial \hat y_j}
# \frac{\partial \hat y_j}{\partial z_i}$ with $\frac{\partial L}{\partial \hat y_j} = -y_j/\hat y_j$
# and $\frac{\partial \hat y_j}{\partial z_i} = \hat y_j(\delta_{ij} - \hat y_i)$. So
#
# $$\frac{\partial L}{\partial z_i} = -\sum_j y_j(\delta_{ij} - \hat y_i) = -y_i + \hat y_i \sum_j y_j
# = \hat y_i - y_i,$$
#
# because the $y_j$ sum to 1. For the mini-batch, $dZ = \hat Y - Y$, and the $\frac{1}{m}$ of
# the cost goes into $dW = \frac{1}{m} dZ\, A^{[L-1]T}$ and $db = \frac{1}{m}\sum dZ$. Checked
# by finite differences:

# %%
rng = np.random.default_rng(0)
C, m = 4, 5
Z = rng.normal(size=(C, m))
Y = softmax.one_hot(rng.integers(0, C, size=m), C)
analytic = softmax.backward(softmax.softmax(Z), Y) / m  # dJ/dZ: the 1/m of J included
numeric = gradcheck.numerical_gradient(lambda Z: softmax.cross_entropy(softmax.softmax(Z), Y), Z)
error = gradcheck.relative_error(analytic, numeric)  # ||a - b|| / (||a|| + ||b||)
print(f"relative error between (Y_hat - Y) / m and finite differences: {error:.1e}")

# %% [markdown]
# **Exercise 3.** Write `backward(Y_hat, Y)` returning $dZ = \hat Y - Y$ (without the $1/m$).


# %%
def backward(Y_hat, Y):
    """Y_hat, Y: (C, m) -> dZ: (C, m)."""
    # BEGIN SOLUTION
    return Y_hat - Y
    # END SOLUTION


checks.check("softmax.backward", backward)

# %% [markdown]
# ## Two classes: softmax regression is logistic regression
#
# With $C = 2$, $\hat y_2 = \frac{e^{z_2}}{e^{z_1} + e^{z_2}} = \frac{1}{1 + e^{-(z_2 - z_1)}}
# = \sigma(z_2 - z_1)$: a sigmoid of the difference of the logits. Softmax regression's two
# weight rows act only through $w_2 - w_1$, the weights of a logistic regression. Measured:

# %%
Z2 = rng.normal(scale=3, size=(2, 1000))
sigmoid = 1 / (1 + np.exp(-(Z2[1] - Z2[0])))
gap = np.max(np.abs(softmax.softmax(Z2)[1] - sigmoid))
print(f"largest difference between softmax's class-2 probability and sigmoid(z2 - z1): {gap:.1e}")

# %% [markdown]
# ## Softmax regression, one step at a time
#
# Softmax regression is a network with no hidden layer: $Z = WX + b$, $\hat Y =
# \text{softmax}(Z)$, with $W$ of shape $(C, n_x)$, $b$ of shape $(C, 1)$, $X$ of shape
# $(n_x, m)$. One step of gradient descent:
#
# $$dZ = \hat Y - Y,\qquad dW = \tfrac{1}{m}\, dZ\, X^T,\qquad db = \tfrac{1}{m}\textstyle\sum_i dZ,
# \qquad W := W - \alpha\, dW,\quad b := b - \alpha\, db.$$
#
# **Exercise 4.** Write `gradient_step(W, b, X, Y, alpha)`: one step; return the new `W`, the new
# `b` and the cost $J$ *before* the step, as `(W, b, cost)`. Do not change the arrays you are
# given.


# %%
def gradient_step(W, b, X, Y, alpha):
    """W: (C, n_x), b: (C, 1), X: (n_x, m), Y: (C, m) -> (W, b, cost)."""
    # BEGIN SOLUTION
    m = X.shape[1]
    Y_hat = softmax.softmax(W @ X + b)
    cost = softmax.cross_entropy(Y_hat, Y)
    dZ = Y_hat - Y
    dW = dZ @ X.T / m
    db = dZ.sum(axis=1, keepdims=True) / m
    return W - alpha * dW, b - alpha * db, cost
    # END SOLUTION


checks.check("softmax.gradient_step", gradient_step)

# %% [markdown]
# ### App: softmax regression, trained live
#
# Four classes of points in the plane; the colours behind them are the class softmax
# regression predicts there. Move the learning rate and the number of epochs: however long it
# trains, the boundaries between classes stay **straight lines**, because $z_i - z_j$ is linear
# in $x$.

# %%
live = SoftmaxRegressionLive()
live

# %% [markdown]
# ### App: straight lines versus a deep network's softmax head
#
# On data that straight lines cannot separate, the same softmax head on top of two hidden
# layers draws curved boundaries: the hidden layers bend the space, the head still cuts it with
# straight lines.

# %%
deep = DeepVsLinear()
deep

# %% [markdown]
# ## Experiment: softmax regression on handwritten digits
#
# scikit-learn's 1797 digits, 8x8 pixels, $n_x = 64$, $C = 10$. Train softmax regression on
# the training split, pick nothing on the test split, then look at what it confuses.

# %%
digits = data.digits(seed=0)
model = softmax.SoftmaxRegression(n_x=64, n_classes=10, seed=0)
history = model.fit(digits.X_train, digits.y_train, alpha=0.5, epochs=100, seed=0)
val_accuracy = np.mean(model.predict(digits.X_val) == digits.y_val)
test_pred = model.predict(digits.X_test)
test_accuracy = np.mean(test_pred == digits.y_test)
print(f"validation accuracy {val_accuracy:.1%}, test accuracy {test_accuracy:.1%}")

confusion = np.zeros((10, 10), dtype=int)  # rows: true digit, columns: predicted digit
np.add.at(confusion, (digits.y_test, test_pred), 1)
off_diagonal = confusion * (1 - np.eye(10, dtype=int))
pairs = sorted(
    ((off_diagonal[i, j], i, j) for i in range(10) for j in range(10) if off_diagonal[i, j]),
    reverse=True,
)

# %%
fig, ax = plotting.figure(figsize=(6.5, 5.2))
image = ax.imshow(confusion, cmap="Blues")
for i, j in zip(*np.nonzero(confusion), strict=True):
    ax.text(
        j,
        i,
        confusion[i, j],
        ha="center",
        va="center",
        fontsize=8,
        color="white" if confusion[i, j] > confusion.max() / 2 else "black",
    )
ax.set_xticks(range(10), [str(k) for k in range(10)])
ax.set_yticks(range(10), [str(k) for k in range(10)])
ax.grid(False)
plotting.label(ax, "Confusion matrix on the test set", "predicted digit", "true digit")
count, true_digit, predicted_digit = pairs[0] if pairs else (0, None, None)
plotting.takeaway(
    fig,
    f"Test accuracy {test_accuracy:.1%}; most confused: {true_digit} taken for "
    f"{predicted_digit} ({count} times)."
    if pairs
    else f"Test accuracy {test_accuracy:.1%}.",
)
plotting.show(fig)

# %%
print(conclusions.softmax_on_digits(test_accuracy, len(digits.y_test), pairs))

# %% [markdown]
# ## Your progress

# %%
checks.progress("06")

# %% [markdown]
# ## Recap
#
# - Multi-class: softmax head and cross-entropy; binary: sigmoid; regression: linear.
# - Softmax: $t = e^{z}$, $a = t / \sum_j t_j$, column by column; subtract the column's max.
#   Hardmax is its limit as the temperature goes to 0 when one logit is the largest; when $k$
#   logits tie for the largest, the limit gives each of them $1/k$, and hardmax picks the first.
# - $L = -\sum_j y_j \log \hat y_j$, $J$ = its mean over the $m$ examples; $dZ = \hat Y - Y$.
# - Two classes: softmax regression is logistic regression on $z_2 - z_1$.
# - Softmax regression draws straight boundaries; hidden layers let the same head draw curves.
#
# Next: notebook 07, the capstone.
