"""course_utils.batchnorm: gradients by finite differences, known moments, conventions, errors."""

import re

import numpy as np
import pytest

from course_utils import batchnorm
from course_utils.exercises import batchnorm as bn_exercises
from course_utils.gradcheck import numerical_gradient, relative_error

RNG_SEED = 0


def _layer(n_l, m, *, scale=2.0, seed=RNG_SEED):
    """Z: (n_l, m), gamma, beta: (n_l, 1) and an upstream gradient W: (n_l, m), all float64."""
    rng = np.random.default_rng(seed)
    Z = rng.normal(1.0, scale, size=(n_l, m))
    gamma = rng.uniform(0.5, 2.0, size=(n_l, 1)) * rng.choice([-1.0, 1.0], size=(n_l, 1))
    beta = rng.normal(size=(n_l, 1))
    W = rng.normal(size=(n_l, m))
    return Z, gamma, beta, W


def _gradient_errors(Z, gamma, beta, W, eps, h):
    """Relative errors of backward's dZ, dgamma, dbeta against finite differences of
    L = sum(W * Z_tilde), whose gradient with respect to Z_tilde is W."""
    Z, gamma, beta = Z.copy(), gamma.copy(), beta.copy()

    def loss(_changed):
        return np.sum(W * batchnorm.forward(Z, gamma, beta, eps)[0])

    dZ, dgamma, dbeta = batchnorm.backward(W, batchnorm.forward(Z, gamma, beta, eps)[1])
    return (
        relative_error(dZ, numerical_gradient(loss, Z, h)),
        relative_error(dgamma, numerical_gradient(loss, gamma, h)),
        relative_error(dbeta, numerical_gradient(loss, beta, h)),
    )


# (n_l, m, spread of Z, eps). With m = 2, Z_norm = +-1 whatever Z is, up to eps: the gradient
# with respect to Z is O(eps / var) and only measurable when the spread is close to sqrt(eps).
GRADIENT_CASES = [
    (3, 2, 3e-3, 1e-5),
    (2, 2, 1.0, 0.5),
    (3, 5, 2.0, 1e-5),
    (1, 7, 0.5, 1e-5),
    (4, 64, 2.0, 1e-5),
]


@pytest.mark.parametrize(("n_l", "m", "scale", "eps"), GRADIENT_CASES)
def test_backward_matches_finite_differences(n_l, m, scale, eps):
    Z, gamma, beta, W = _layer(n_l, m, scale=scale)
    errors = _gradient_errors(Z, gamma, beta, W, eps, h=1e-4 * scale)
    assert max(errors) < 1e-7, dict(zip(("dZ", "dgamma", "dbeta"), errors, strict=True))


def test_the_gradient_check_can_fail():
    """Treating mu and var as constants is a real error of about 20%, far above 1e-7."""
    Z, gamma, beta, W = _layer(3, 5)
    _, cache = batchnorm.forward(Z, gamma, beta)
    wrong = W * gamma * cache["inv_std"]
    right = batchnorm.backward(W, cache)[0]
    assert relative_error(wrong, right) > 0.05


@pytest.mark.parametrize(("n_l", "m"), [(3, 1), (3, 2), (4, 6), (2, 64), (5, 33)])
def test_staged_and_short_backward_agree(n_l, m):
    Z, gamma, beta, W = _layer(n_l, m)
    Z[0] = 1.5  # one constant unit
    _, cache = batchnorm.forward(Z, gamma, beta)
    short = batchnorm.backward(W, cache)
    staged = batchnorm.backward_staged(W, cache)
    for name, a, b in zip(("dZ", "dgamma", "dbeta"), short, staged, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12, err_msg=name)


def test_the_checkers_finite_differences_confirm_the_reference_on_every_case():
    """The backward report quotes relative errors against finite differences, 'right: below
    1e-7': true of the reference on every case the checker uses."""
    for Z, gamma, beta, eps, W in bn_exercises._backward_inputs():
        numeric = bn_exercises.numerical_gradients(Z, gamma, beta, eps, W)
        grads = batchnorm.backward(W, batchnorm.forward(Z, gamma, beta, eps)[1])
        for name, grad in zip(("dZ", "dgamma", "dbeta"), grads, strict=True):
            assert relative_error(grad, numeric[name]) < 1e-7, (Z.shape, name)


def test_one_example_stays_finite_and_comes_out_as_beta():
    Z, gamma, beta, W = _layer(3, 1)
    Z_tilde, cache = batchnorm.forward(Z, gamma, beta)
    np.testing.assert_array_equal(cache["var"], 0.0)
    np.testing.assert_array_equal(cache["Z_norm"], 0.0)
    np.testing.assert_allclose(Z_tilde, beta)
    dZ, dgamma, dbeta = batchnorm.backward(W, cache)
    assert all(np.all(np.isfinite(g)) for g in (dZ, dgamma, dbeta))
    np.testing.assert_allclose(dZ, 0.0, atol=1e-12)  # the output does not depend on Z at all
    np.testing.assert_allclose(dbeta, W)
    np.testing.assert_array_equal(dgamma, 0.0)


def test_a_constant_unit_stays_finite_and_its_gradient_is_right():
    Z, gamma, beta, W = _layer(3, 6)
    Z[1] = -2.0
    Z_tilde, cache = batchnorm.forward(Z, gamma, beta)
    np.testing.assert_array_equal(cache["Z_norm"][1], 0.0)
    np.testing.assert_allclose(Z_tilde[1], beta[1, 0])
    grads = batchnorm.backward(W, cache)
    assert all(np.all(np.isfinite(g)) for g in grads)
    assert np.abs(grads[0][1]).max() > 1  # large (1 / sqrt(eps)) but finite
    assert max(_gradient_errors(Z, gamma, beta, W, 1e-5, h=1e-7)) < 1e-7


@pytest.mark.parametrize(("n_l", "m"), [(3, 2), (4, 10), (2, 500)])
def test_Z_norm_has_mean_0_and_variance_1_per_unit(n_l, m):
    Z, gamma, beta, _ = _layer(n_l, m, scale=5.0)
    Z = Z * np.array([[1.0], [100.0], [0.1], [3.0]])[:n_l] + 7.0
    eps = 1e-5
    _, cache = batchnorm.forward(Z, gamma, beta, eps)
    Z_norm, var = cache["Z_norm"], cache["var"]
    np.testing.assert_allclose(cache["mu"], Z.mean(axis=1, keepdims=True))
    np.testing.assert_allclose(var, Z.var(axis=1, keepdims=True))  # biased: 1/m
    np.testing.assert_allclose(Z_norm.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z_norm.var(axis=1, keepdims=True), var / (var + eps), rtol=1e-10)
    np.testing.assert_allclose(Z_norm.var(axis=1), 1.0, atol=1e-3)


def test_the_variance_is_the_biased_one():
    Z = np.array([[1.0, 3.0]])
    _, cache = batchnorm.forward(Z, np.ones((1, 1)), np.zeros((1, 1)))
    assert cache["var"][0, 0] == pytest.approx(1.0)  # ((1 - 2)**2 + (3 - 2)**2) / 2, not / 1


def test_gamma_and_beta_can_undo_the_normalisation():
    Z, _, _, _ = _layer(4, 9, scale=3.0)
    eps = 1e-5
    mu, var = Z.mean(axis=1, keepdims=True), Z.var(axis=1, keepdims=True)
    Z_tilde, _ = batchnorm.forward(Z, np.sqrt(var + eps), mu, eps)
    np.testing.assert_allclose(Z_tilde, Z, rtol=1e-12, atol=1e-12)


def test_the_affine_step_scales_and_shifts_Z_norm():
    Z, gamma, beta, _ = _layer(3, 8)
    Z_tilde, cache = batchnorm.forward(Z, gamma, beta)
    np.testing.assert_allclose(Z_tilde, gamma * cache["Z_norm"] + beta)
    np.testing.assert_allclose(Z_tilde.mean(axis=1, keepdims=True), beta)


def test_inference_equals_training_when_the_running_statistics_are_the_batch_statistics():
    Z, gamma, beta, _ = _layer(4, 12)
    Z_tilde, cache = batchnorm.forward(Z, gamma, beta, eps=1e-3)
    test_time = batchnorm.inference(Z, gamma, beta, cache["mu"], cache["var"], eps=1e-3)
    np.testing.assert_allclose(test_time, Z_tilde, rtol=1e-12, atol=1e-12)


def test_inference_treats_each_example_on_its_own():
    Z, gamma, beta, _ = _layer(3, 6)
    running_mu, running_var = np.array([[0.5], [-1.0], [2.0]]), np.array([[1.0], [4.0], [0.25]])
    together = batchnorm.inference(Z, gamma, beta, running_mu, running_var)
    alone = batchnorm.inference(Z[:, 2:3], gamma, beta, running_mu, running_var)
    np.testing.assert_allclose(alone, together[:, 2:3])
    expected = gamma * (Z - running_mu) / np.sqrt(running_var + 1e-5) + beta
    np.testing.assert_allclose(together, expected)


def test_update_running_follows_keras_convention():
    running_mu, running_var = np.array([[1.0], [2.0]]), np.array([[1.0], [0.5]])
    mu, var = np.array([[3.0], [-2.0]]), np.array([[2.0], [4.5]])
    new_mu, new_var = batchnorm.update_running(running_mu, running_var, mu, var, momentum=0.9)
    np.testing.assert_allclose(new_mu, [[0.9 * 1.0 + 0.1 * 3.0], [0.9 * 2.0 + 0.1 * -2.0]])
    np.testing.assert_allclose(new_var, [[1.1], [0.9]])
    kept = batchnorm.update_running(running_mu, running_var, mu, var, momentum=1.0)
    replaced = batchnorm.update_running(running_mu, running_var, mu, var, momentum=0.0)
    np.testing.assert_array_equal(kept[0], running_mu)
    np.testing.assert_array_equal(replaced[1], var)


def _pytorch_update(running, batch, momentum):
    """PyTorch's BatchNorm formula: running = (1 - momentum) * running + momentum * batch."""
    return (1 - momentum) * running + momentum * batch


def test_our_momentum_0_9_is_pytorchs_0_1():
    rng = np.random.default_rng(1)
    running_mu, running_var, mu = rng.normal(size=(3, 5, 1))
    var = rng.uniform(0.1, 3.0, size=(5, 1))
    running_var = np.abs(running_var)
    ours = batchnorm.update_running(running_mu, running_var, mu, var, momentum=0.9)
    np.testing.assert_allclose(ours[0], _pytorch_update(running_mu, mu, 0.1), rtol=1e-14)
    np.testing.assert_allclose(ours[1], _pytorch_update(running_var, var, 0.1), rtol=1e-14)


def test_update_running_returns_new_arrays_and_never_mutates_its_inputs():
    rng = np.random.default_rng(2)
    args = [rng.normal(size=(3, 1)), rng.uniform(1, 2, (3, 1)), rng.normal(size=(3, 1))]
    args.append(rng.uniform(1, 2, (3, 1)))
    before = [a.copy() for a in args]
    new_mu, new_var = batchnorm.update_running(*args, momentum=0.8)
    for a, b in zip(args, before, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.shares_memory(new_mu, args[0]) and not np.shares_memory(new_var, args[1])
    assert not np.allclose(new_mu, args[0])


def test_forward_backward_and_inference_never_mutate_their_inputs():
    Z, gamma, beta, W = _layer(3, 5)
    kept = [x.copy() for x in (Z, gamma, beta, W)]
    _, cache = batchnorm.forward(Z, gamma, beta)
    batchnorm.backward(W, cache)
    batchnorm.backward_staged(W, cache)
    batchnorm.inference(Z, gamma, beta, cache["mu"], cache["var"])
    for a, b in zip((Z, gamma, beta, W), kept, strict=True):
        np.testing.assert_array_equal(a, b)


def test_float32_stays_float32():
    Z, gamma, beta, W = (x.astype(np.float32) for x in _layer(3, 8))
    Z_tilde, cache = batchnorm.forward(Z, gamma, beta)
    assert Z_tilde.dtype == np.float32 and cache["Z_norm"].dtype == np.float32
    assert all(g.dtype == np.float32 for g in batchnorm.backward(W, cache))


def _cache(n_l=3, m=5):
    Z, gamma, beta, _ = _layer(n_l, m)
    return batchnorm.forward(Z, gamma, beta)[1]


Z3, G3, B3 = np.ones((3, 5)), np.ones((3, 1)), np.zeros((3, 1))
R3 = np.ones((3, 1))
NAN_Z = np.ones((3, 5))
NAN_Z[1, 2] = np.nan
INF_Z = np.ones((3, 5))
INF_Z[0, 0] = np.inf


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: batchnorm.forward(np.ones(5), G3, B3), "got Z with shape (5,)"),
        (
            lambda: batchnorm.forward(np.ones((2, 3, 5)), G3, B3),
            "Z must be 2-D with shape (n_l, m)",
        ),
        (
            lambda: batchnorm.forward(Z3, np.ones(3), B3),
            "gamma must have shape (n_l, 1) = (3, 1), one value per unit; "
            "got gamma with shape (3,)",
        ),
        (lambda: batchnorm.forward(Z3, G3, np.zeros((1, 3))), "got beta with shape (1, 3)"),
        (
            lambda: batchnorm.forward(Z3, G3, np.zeros((4, 1))),
            "beta must have shape (n_l, 1) = (3, 1)",
        ),
        (lambda: batchnorm.forward(NAN_Z, G3, B3), "Z must be finite"),
        (lambda: batchnorm.forward(INF_Z, G3, B3), "Z must be finite"),
        (lambda: batchnorm.forward(Z3, G3 * np.nan, B3), "gamma must be finite"),
        (
            lambda: batchnorm.forward(Z3, G3, B3, eps=0.0),
            "eps must be a positive number, got eps=0.0",
        ),
        (lambda: batchnorm.forward(Z3, G3, B3, eps=-1e-5), "got eps=-1e-05"),
        (lambda: batchnorm.forward(Z3, G3, B3, eps=float("nan")), "got eps=nan"),
        (lambda: batchnorm.forward(np.array([["a", "b"]]), G3[:1], B3[:1]), "Z must be an array"),
        (
            lambda: batchnorm.backward(np.ones((3, 4)), _cache()),
            "dZ_tilde must have the shape of Z in the cache, (3, 5); "
            "got dZ_tilde with shape (3, 4)",
        ),
        (lambda: batchnorm.backward(np.ones(15), _cache()), "got dZ_tilde with shape (15,)"),
        (lambda: batchnorm.backward_staged(np.ones((5, 3)), _cache()), "(3, 5); got dZ_tilde"),
        (lambda: batchnorm.backward(NAN_Z, _cache()), "dZ_tilde must be finite"),
        (lambda: batchnorm.backward(Z3, (1, 2, 3)), "cache must be the dict returned by forward"),
        (
            lambda: batchnorm.update_running(np.ones(3), R3, R3, R3),
            "running_mu must have shape (n_l, 1), one value per unit; "
            "got running_mu with shape (3,)",
        ),
        (
            lambda: batchnorm.update_running(R3, np.ones((1, 3)), R3, R3),
            "running_var must have shape (n_l, 1) = (3, 1), one value per unit; "
            "got running_var with shape (1, 3)",
        ),
        (lambda: batchnorm.update_running(R3, R3, np.ones((2, 1)), R3), "got mu with shape (2, 1)"),
        (
            lambda: batchnorm.update_running(R3, R3, R3, np.ones((3, 2))),
            "got var with shape (3, 2)",
        ),
        (
            lambda: batchnorm.update_running(R3, R3, R3, R3, momentum=1.5),
            "momentum must be a number in [0, 1], got momentum=1.5",
        ),
        (lambda: batchnorm.update_running(R3, R3, R3, R3, momentum=-0.1), "got momentum=-0.1"),
        (lambda: batchnorm.update_running(R3, R3, R3, R3, momentum=float("nan")), "momentum=nan"),
        (lambda: batchnorm.update_running(R3, R3, R3, -R3), "var is a variance and must be non-"),
        (lambda: batchnorm.update_running(R3 * np.inf, R3, R3, R3), "running_mu must be finite"),
        (
            lambda: batchnorm.inference(Z3, G3, B3, np.ones((3,)), R3),
            "running_mu must have shape (n_l, 1) = (3, 1), one value per unit; "
            "got running_mu with shape (3,)",
        ),
        (
            lambda: batchnorm.inference(Z3, G3, B3, R3, np.ones((2, 1))),
            "got running_var with shape (2, 1)",
        ),
        (lambda: batchnorm.inference(Z3, G3, B3, R3, -R3), "running_var is a variance"),
        (lambda: batchnorm.inference(Z3.ravel(), G3, B3, R3, R3), "got Z with shape (15,)"),
        (lambda: batchnorm.inference(Z3, G3, B3, R3, R3, eps=0), "eps must be a positive number"),
        (lambda: batchnorm.inference(NAN_Z, G3, B3, R3, R3), "Z must be finite"),
    ],
)
def test_bad_arguments_raise_a_value_error_naming_them(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()
