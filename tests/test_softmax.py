"""course_utils.softmax: the gradient by finite differences, stability, the two-class reduction
to logistic regression, gradient steps by hand, training on blobs, errors; and the checker of
notebook 06 on answers outside its catalogue."""

import warnings

import numpy as np
import pytest

from course_utils import checks, data, nn
from course_utils import softmax as sm
from course_utils.gradcheck import numerical_gradient, relative_error


def _problem(n_classes, m, *, scale=2.0, seed=0):
    """Z: (n_classes, m) logits and a one-hot Y: (n_classes, m), float64."""
    rng = np.random.default_rng(seed)
    Z = rng.normal(scale=scale, size=(n_classes, m))
    Y = sm.one_hot(rng.integers(0, n_classes, size=m), n_classes)
    return Z, Y


def _gradient_error(dZ_claimed, Z, Y, h=1e-5):
    Z = Z.copy()
    numeric = numerical_gradient(lambda Z: sm.cross_entropy(sm.softmax(Z), Y), Z, h)
    return relative_error(dZ_claimed, numeric)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# ---------------------------------------------------------------- the gradient


@pytest.mark.parametrize(("n_classes", "m", "scale"), [(3, 5, 2.0), (2, 1, 1.0), (10, 7, 4.0)])
def test_gradient_of_the_cost_is_Y_hat_minus_Y_over_m(n_classes, m, scale):
    Z, Y = _problem(n_classes, m, scale=scale)
    dZ = sm.backward(sm.softmax(Z), Y)
    np.testing.assert_array_equal(dZ, sm.softmax(Z) - Y)  # backward is the subtraction
    assert _gradient_error(dZ / m, Z, Y) < 1e-7  # the gradient of the mean cost J


def test_the_gradient_check_can_fail():
    Z, Y = _problem(3, 5)
    Y_hat = sm.softmax(Z)
    assert _gradient_error(Y_hat - Y, Z, Y) > 0.5  # 1/m missing: m times too large
    assert _gradient_error(-Y * (1 - Y_hat) / 5, Z, Y) > 1e-2  # the Jacobian's diagonal only


def test_nn_fused_head_agrees_with_softmax_module():
    Z, Y = _problem(4, 6)
    loss, dZ, Y_hat = nn.softmax_cross_entropy(Z, Y)
    np.testing.assert_allclose(Y_hat, sm.softmax(Z), rtol=1e-12)
    assert loss == pytest.approx(sm.cross_entropy(sm.softmax(Z), Y), rel=1e-12)
    np.testing.assert_allclose(dZ, sm.backward(Y_hat, Y) / 6, rtol=1e-12)


# ---------------------------------------------------------------- softmax and hardmax


HUGE = {
    "large positive": np.array([[1e4, 1000.0], [1e4 - 1, 999.0], [1e4 - 2, 998.0]]),
    "large negative": np.array([[-1e4, -1000.0], [-1e4 + 1, -1001.0], [-1e4 + 2, -1002.0]]),
    "mixed": np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0], [0.0, 0.0, -1e4]]),
    "float range": np.array([[1e308, -1e308], [-1e308, 1e308]]),
}


@pytest.mark.parametrize("name", list(HUGE))
def test_softmax_is_stable_for_huge_logits(name):
    Z = HUGE[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Y_hat = sm.softmax(Z)
    assert np.all(np.isfinite(Y_hat)) and np.all(Y_hat >= 0)
    np.testing.assert_allclose(Y_hat.sum(axis=0), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(np.argmax(Y_hat, axis=0), np.argmax(Z, axis=0))


def test_huge_logits_give_the_exact_probabilities():
    Y_hat = sm.softmax(HUGE["large positive"])
    e = np.exp([0.0, -1.0, -2.0])
    np.testing.assert_allclose(Y_hat, np.stack([e / e.sum()] * 2, axis=1), rtol=1e-12)
    np.testing.assert_allclose(sm.softmax(HUGE["large negative"])[:, 0], e[::-1] / e.sum())
    np.testing.assert_array_equal(sm.softmax(HUGE["mixed"])[:, :2], np.eye(3)[:, :2])


def test_each_column_sums_to_one_and_is_the_formula():
    Z, _ = _problem(5, 8)
    Y_hat = sm.softmax(Z)
    assert Y_hat.shape == (5, 8)
    np.testing.assert_allclose(Y_hat.sum(axis=0), 1.0, rtol=0, atol=1e-12)
    t = np.exp(Z)
    np.testing.assert_allclose(Y_hat, t / t.sum(axis=0), rtol=1e-12)


def test_adding_a_constant_per_column_changes_nothing():
    Z, _ = _problem(4, 6)
    c = np.array([[-300.0, -1.0, 0.0, 2.5, 40.0, 700.0]])
    np.testing.assert_allclose(sm.softmax(Z + c), sm.softmax(Z), rtol=1e-12, atol=1e-15)
    # a constant per row (class) is not allowed: it changes the probabilities
    assert not np.allclose(sm.softmax(Z + np.arange(4.0)[:, None]), sm.softmax(Z))


def test_softmax_keeps_float32_and_takes_one_example():
    Z, _ = _problem(3, 4)
    assert sm.softmax(Z.astype(np.float32)).dtype == np.float32
    z = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(sm.softmax(z), sm.softmax(z[:, None])[:, 0])


def test_temperature_divides_the_logits():
    Z, _ = _problem(4, 5)
    np.testing.assert_allclose(sm.softmax(Z, temperature=0.5), sm.softmax(Z / 0.5), rtol=1e-12)
    np.testing.assert_allclose(sm.softmax(Z, temperature=1e-3), sm.hardmax(Z), atol=1e-12)
    np.testing.assert_allclose(sm.softmax(Z, temperature=1e6), 0.25, atol=1e-5)
    for bad in (0, -1.0, np.inf, np.nan, True, "2"):
        with pytest.raises(ValueError, match="temperature must be a positive number"):
            sm.softmax(Z, temperature=bad)


def test_hardmax_is_the_one_hot_of_the_argmax():
    Z, _ = _problem(4, 9)
    H = sm.hardmax(Z)
    np.testing.assert_array_equal(H, sm.one_hot(np.argmax(Z, axis=0), 4))
    assert H.dtype == np.float64 and H.shape == (4, 9)
    np.testing.assert_array_equal(sm.hardmax(np.array([[1.0], [1.0]])), [[1.0], [0.0]])  # tie
    np.testing.assert_array_equal(sm.hardmax(np.array([0.1, 3.0, -2.0])), [0.0, 1.0, 0.0])


@pytest.mark.parametrize("fn", [sm.softmax, sm.hardmax])
def test_softmax_and_hardmax_reject_bad_logits(fn):
    with pytest.raises(ValueError, match="Z must be finite"):
        fn(np.array([[1.0], [np.nan]]))
    with pytest.raises(ValueError, match=r"shape \(n_classes, m\)"):
        fn(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="array of numbers"):
        fn(np.array([["a"], ["b"]]))


# ---------------------------------------------------------------- one_hot


def test_one_hot_round_trip():
    y = np.array([2, 0, 1, 1, 3])
    Y = sm.one_hot(y, 4)
    assert Y.shape == (4, 5) and Y.dtype == np.float64
    np.testing.assert_array_equal(Y.sum(axis=0), 1.0)
    np.testing.assert_array_equal(np.argmax(Y, axis=0), y)
    np.testing.assert_array_equal(sm.one_hot([2.0, 0.0], 3), sm.one_hot([2, 0], 3))
    assert sm.one_hot([1], 2, dtype=np.float32).dtype == np.float32
    assert sm.one_hot(np.array([], dtype=int), 3).shape == (3, 0)


@pytest.mark.parametrize(
    ("y", "n_classes", "match"),
    [
        ([0, 3, 1], 3, r"\[0, 3\), got y\[1\] = 3"),
        ([0, -1], 3, r"got y\[1\] = -1"),
        ([0.0, 1.5], 3, r"labels must be integers, got y\[1\] = 1.5"),
        ([0.0, np.nan], 3, "labels must be integers"),
        ([[0, 1]], 3, "1-D array"),
        (["a", "b"], 3, "integer labels"),
        ([True, False], 3, "integer labels"),
        ([0, 1], 0, "n_classes must be a positive integer"),
        ([0, 1], 2.0, "n_classes must be a positive integer"),
    ],
)
def test_one_hot_errors_name_the_bad_label(y, n_classes, match):
    with pytest.raises(ValueError, match=match):
        sm.one_hot(y, n_classes)


# ---------------------------------------------------------------- cross_entropy and backward


def test_cross_entropy_is_the_mean_of_minus_log_of_the_true_class():
    Z, Y = _problem(4, 6)
    Y_hat = sm.softmax(Z)
    y = np.argmax(Y, axis=0)
    expected = -np.mean(np.log(Y_hat[y, np.arange(6)]))
    assert sm.cross_entropy(Y_hat, Y) == pytest.approx(expected, rel=1e-12)
    assert isinstance(sm.cross_entropy(Y_hat, Y), float)
    assert sm.cross_entropy(Y, Y) == 0.0  # perfect predictions
    assert sm.cross_entropy(np.full((5, 3), 0.2), sm.one_hot([0, 1, 4], 5)) == pytest.approx(
        np.log(5)
    )


def test_cross_entropy_guards_log_of_zero():
    Y_hat = np.array([[1.0, 0.0], [0.0, 1.0]])
    Y = sm.one_hot([1, 1], 2)  # the first example gives its true class probability 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        J = sm.cross_entropy(Y_hat, Y)
    assert np.isfinite(J) and J == pytest.approx(-np.log(np.finfo(float).tiny) / 2)


def test_cross_entropy_accepts_float32_rounding():
    Z, Y = _problem(10, 64, scale=5.0)
    Y_hat = sm.softmax(Z.astype(np.float32))
    assert sm.cross_entropy(Y_hat, Y.astype(np.float32)) == pytest.approx(
        sm.cross_entropy(sm.softmax(Z), Y), rel=1e-5
    )


BAD_PAIRS = {
    "shapes differ": (np.full((3, 2), 1 / 3), np.eye(3)[:, :3], "same shape"),
    "Y not 0/1": (np.full((2, 2), 0.5), np.full((2, 2), 0.5), r"one-hot \(only 0s and 1s\)"),
    "two ones": (np.full((2, 2), 0.5), np.ones((2, 2)), "exactly one 1 per column"),
    "no one": (np.full((2, 2), 0.5), np.array([[1.0, 0.0], [0.0, 0.0]]), "column 1 has 0"),
    "column sum": (
        np.array([[0.5, 0.5], [0.6, 0.5]]),
        np.eye(2),
        r"sum to one .*got 1.1 in column 0",
    ),
    "logits": (np.array([[2.0, -1.0], [-1.0, 2.0]]), np.eye(2), "non-negative"),
    "NaN": (np.array([[np.nan, 0.5], [0.5, 0.5]]), np.eye(2), "Y_hat must be finite"),
    "1-D": (np.array([0.5, 0.5]), np.array([1.0, 0.0]), r"2-D with shape \(n_classes, m\)"),
    "no example": (np.zeros((2, 0)), np.zeros((2, 0)), "at least one class and one example"),
}


@pytest.mark.parametrize("fn", [sm.cross_entropy, sm.backward])
@pytest.mark.parametrize("case", list(BAD_PAIRS))
def test_cross_entropy_and_backward_reject_what_is_not_probabilities_and_labels(fn, case):
    Y_hat, Y, match = BAD_PAIRS[case]
    with pytest.raises(ValueError, match=match):
        fn(Y_hat, Y)


def test_column_sums_within_the_tolerance_pass():
    Y_hat = np.array([[0.5 + 4e-7, 0.25], [0.5, 0.75]])
    sm.cross_entropy(Y_hat, np.eye(2))
    with pytest.raises(ValueError, match="sum to one"):
        sm.cross_entropy(Y_hat + np.array([[3e-6], [0.0]]), np.eye(2))


def test_backward_is_a_new_array():
    Z, Y = _problem(3, 4)
    Y_hat = sm.softmax(Z)
    kept = Y_hat.copy()
    dZ = sm.backward(Y_hat, Y)
    np.testing.assert_array_equal(dZ, Y_hat - Y)
    dZ += 1
    np.testing.assert_array_equal(Y_hat, kept)


# ---------------------------------------------------------------- two classes: logistic regression


def test_two_class_softmax_is_the_sigmoid_of_the_difference():
    rng = np.random.default_rng(1)
    Z = rng.normal(scale=5.0, size=(2, 50))
    Y_hat = sm.softmax(Z)
    np.testing.assert_allclose(Y_hat[1], _sigmoid(Z[1] - Z[0]), rtol=1e-12)
    np.testing.assert_allclose(Y_hat[0], _sigmoid(Z[0] - Z[1]), rtol=1e-12)


def test_two_class_softmax_regression_is_logistic_regression():
    """With w = w2 - w1 and b = b2 - b1, softmax regression's p(class 1) and cost are logistic
    regression's; dW's two rows are +-dw, so a step of alpha on W is a step of 2 alpha on w."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(3, 40))
    y = (X[0] - 2 * X[1] + 0.5 * rng.normal(size=40) > 0).astype(int)
    Y = sm.one_hot(y, 2)
    W, b = rng.normal(size=(2, 3)), rng.normal(size=(2, 1))
    w, b_log = W[1] - W[0], float(b[1, 0] - b[0, 0])
    alpha, m = 0.3, X.shape[1]
    for _ in range(25):
        p = _sigmoid(w @ X + b_log)
        np.testing.assert_allclose(sm.softmax(W @ X + b)[1], p, rtol=1e-10)
        logistic_cost = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
        dZ = sm.backward(sm.softmax(W @ X + b), Y)
        dW = dZ @ X.T / m
        dw = (p - y) @ X.T / m
        np.testing.assert_allclose(dW[1], dw, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(dW[0], -dw, rtol=1e-10, atol=1e-14)
        W, b, cost = sm.gradient_step(W, b, X, Y, alpha)
        assert cost == pytest.approx(logistic_cost, rel=1e-10)
        w, b_log = w - 2 * alpha * dw, b_log - 2 * alpha * float(np.mean(p - y))
    np.testing.assert_allclose(W[1] - W[0], w, rtol=1e-9)
    assert float(b[1, 0] - b[0, 0]) == pytest.approx(b_log, rel=1e-9)


# ---------------------------------------------------------------- gradient_step and the model


def test_gradient_step_by_hand():
    """W = 0, b = 0: Y_hat = 1/2 everywhere, J = log 2, dZ = +-1/2."""
    W, b = np.zeros((2, 1)), np.zeros((2, 1))
    X = np.array([[1.0, -1.0, 2.0]])
    Y = sm.one_hot([0, 1, 0], 2)
    # dZ = [[-1/2, 1/2, -1/2], [1/2, -1/2, 1/2]]; dW = dZ X^T / 3 = [[-2/3], [2/3]];
    # db = [[-1/6], [1/6]]; alpha = 0.3
    W_new, b_new, cost = sm.gradient_step(W, b, X, Y, 0.3)
    np.testing.assert_allclose(W_new, [[0.2], [-0.2]], rtol=1e-12)
    np.testing.assert_allclose(b_new, [[0.05], [-0.05]], rtol=1e-12)
    assert cost == pytest.approx(np.log(2), rel=1e-12)
    np.testing.assert_array_equal(W, 0.0)  # pure: the inputs are unchanged
    np.testing.assert_array_equal(b, 0.0)


def test_gradient_step_rejects_mismatched_shapes():
    W, b, X, Y = np.zeros((3, 2)), np.zeros((3, 1)), np.zeros((2, 4)), sm.one_hot([0, 1, 2, 0], 3)
    with pytest.raises(ValueError, match=r"b must have shape \(n_classes, 1\) = \(3, 1\)"):
        sm.gradient_step(W, np.zeros(3), X, Y, 0.1)
    with pytest.raises(ValueError, match="n_x = 2 features"):
        sm.gradient_step(W, b, np.zeros((3, 4)), Y, 0.1)
    with pytest.raises(ValueError, match=r"Y must have shape \(n_classes, m\) = \(3, 4\)"):
        sm.gradient_step(W, b, X, Y[:, :3], 0.1)
    with pytest.raises(ValueError, match="alpha must be a positive number"):
        sm.gradient_step(W, b, X, Y, 0.0)
    with pytest.raises(ValueError, match="one-hot"):
        sm.gradient_step(W, b, X, Y * 0.5, 0.1)


def test_step_is_one_gradient_step_and_returns_the_cost_before_it():
    X, y = data.blobs(10, n_classes=3, seed=1)
    Y = sm.one_hot(y, 3)
    model = sm.SoftmaxRegression(2, 3, seed=4)
    W, b = model.W.copy(), model.b.copy()
    W_new, b_new, expected_cost = sm.gradient_step(W, b, X, Y, 0.5)
    assert model.step(X, Y, 0.5) == expected_cost
    np.testing.assert_array_equal(model.W, W_new)
    np.testing.assert_array_equal(model.b, b_new)
    assert model.cost(X, y) < expected_cost


@pytest.mark.parametrize("batch_size", [None, 16])
def test_fit_on_separable_blobs_reaches_high_accuracy(batch_size):
    X, y = data.blobs(60, n_classes=4, seed=3, spread=0.4)
    model = sm.SoftmaxRegression(2, 4, seed=0)
    history = model.fit(X, y, alpha=0.5, epochs=150, batch_size=batch_size, seed=1)
    assert len(history) == 150 and all(np.isfinite(history))
    if batch_size is None:  # small W: nearly uniform before the first step
        assert history[0] == pytest.approx(np.log(4), abs=0.05)
    assert history[-1] < 0.25 * history[0]
    assert model.accuracy(X, y) > 0.97
    proba = model.predict_proba(X)
    assert proba.shape == (4, 240)
    np.testing.assert_allclose(proba.sum(axis=0), 1.0)
    np.testing.assert_array_equal(model.predict(X), np.argmax(proba, axis=0))


def test_fit_is_reproducible_and_full_batch_history_is_the_cost_before_each_step():
    X, y = data.blobs(20, n_classes=3, seed=2)
    a, b = sm.SoftmaxRegression(2, 3, seed=5), sm.SoftmaxRegression(2, 3, seed=5)
    assert a.fit(X, y, epochs=5, batch_size=7, seed=3) == b.fit(
        X, y, epochs=5, batch_size=7, seed=3
    )
    np.testing.assert_array_equal(a.W, b.W)
    model = sm.SoftmaxRegression(2, 3, seed=5)
    before = model.cost(X, y)
    history = model.fit(X, y, alpha=0.1, epochs=3)
    assert history[0] == pytest.approx(before, rel=1e-12)
    assert history == sorted(history, reverse=True)


def test_the_model_rejects_bad_arguments():
    with pytest.raises(ValueError, match="n_classes must be an integer >= 2"):
        sm.SoftmaxRegression(2, 1)
    model = sm.SoftmaxRegression(2, 3)
    X, y = data.blobs(5, n_classes=3)
    with pytest.raises(ValueError, match=r"X must have shape \(n_x, m\) = \(2, m\)"):
        model.predict(X.T)
    with pytest.raises(ValueError, match="labels for"):
        model.fit(X, y[:-1])
    with pytest.raises(ValueError, match=r"\[0, 3\), got y\[0\] = 7"):
        model.fit(X, np.full(15, 7))
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        model.fit(X, y, batch_size=0)
    with pytest.raises(ValueError, match="alpha must be a positive number"):
        model.fit(X, y, alpha=-0.1)


# ---------------------------------------------------------------- the checker beyond its catalogue


def test_an_overflowing_softmax_is_told_where_nan_comes_from():
    def naive(Z):
        return np.exp(Z) / np.sum(np.exp(Z), axis=0, keepdims=True)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = checks.check("softmax.softmax", naive)
    assert result.mistake == "no_max_subtraction"
    assert "np.exp(1000) overflows to inf" in result.got and "NaN" in result.got


def test_variants_outside_the_catalogue_are_diagnosed():
    def rows_unstable(Z):
        return np.exp(Z) / np.sum(np.exp(Z), axis=1, keepdims=True)

    def exp_only(Z):
        return np.exp(Z)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert checks.check("softmax.softmax", rows_unstable).mistake == "wrong_axis"
        assert checks.check("softmax.softmax", exp_only).mistake == "not_normalised"


def test_other_correct_answers_pass():
    def without_keepdims(Z):
        t = np.exp(Z - Z.max(axis=0))
        return t / t.sum(axis=0)

    def by_loop(Y_hat, Y):
        m = Y.shape[1]
        return -sum(np.log(Y_hat[np.argmax(Y[:, i]), i]) for i in range(m)) / m

    assert checks.check("softmax.softmax", without_keepdims).passed
    assert checks.check("softmax.cross_entropy", by_loop).passed


def test_a_step_with_two_mistakes_is_named_after_one_and_shows_the_right_parts():
    def no_m_and_no_b(W, b, X, Y, alpha):
        t = np.exp(W @ X + b)
        Y_hat = t / t.sum(axis=0)
        cost = -np.sum(Y * np.log(Y_hat)) / X.shape[1]
        return W - alpha * (Y_hat - Y) @ X.T, b, cost

    result = checks.check("softmax.gradient_step", no_m_and_no_b)
    assert result.mistake == "forgot_one_over_m"
    assert "Right: cost" in result.got
