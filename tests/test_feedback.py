"""The feedback a learner reads for the natural wrong code of the course's exercises.

Each test writes the code a learner would write, runs it through ``checks.check`` and reads the
report as the learner would: the mistake's name, and the phrase of the hint or of Got that
tells what to fix.
"""

import itertools
import warnings

import numpy as np

from course_utils import batchnorm, checks, scales, softmax
from course_utils.exercises import EXERCISES


def _counts(space, n_per_axis):
    return n_per_axis if isinstance(n_per_axis, dict) else dict.fromkeys(space, n_per_axis)


def _warn_if_larger(configs, max_configs):
    if max_configs is not None and len(configs) > max_configs:
        warnings.warn(f"{len(configs)} configs, more than max_configs={max_configs}", stacklevel=2)


def _hint_of(name, mistake):
    return EXERCISES[name].named(mistake).hint


# ---------------------------------------------------------------- 1. a generator of configs


def grid_as_generator_expression(space, n_per_axis, *, max_configs=None):
    counts = _counts(space, n_per_axis)
    axes = [[v.item() for v in scale.grid(counts[name])] for name, scale in space.items()]
    return (dict(zip(space, values, strict=True)) for values in itertools.product(*axes))


def grid_with_yield(space, n_per_axis, *, max_configs=None):
    counts = _counts(space, n_per_axis)
    axes = [[v.item() for v in scale.grid(counts[name])] for name, scale in space.items()]
    for values in itertools.product(*axes):
        yield dict(zip(space, values, strict=True))


def test_a_grid_returned_as_a_generator_is_told_to_return_a_list():
    for fn in (grid_as_generator_expression, grid_with_yield):
        result = checks.check("search.grid_search", fn)
        assert result.mistake == "returned_generator", str(result)
        assert result.hint == _hint_of("search.grid_search", "returned_generator")
        assert "Return a list" in result.hint
        assert result.got.startswith("a generator, expected a list of dicts"), str(result)
        # no line of the library (copy.py's deepcopy) shown as if it were the learner's
        assert "line" not in result.got and "pickle" not in result.got, str(result)
        assert result.called.startswith(f"{fn.__name__}(space=")


def test_random_search_with_yield_is_told_to_return_a_list():
    def random_search(space, n, rng):
        u = rng.random((len(space), n))
        columns = [scale.from_unit(u[i]) for i, scale in enumerate(space.values())]
        for j in range(n):
            yield {name: column[j].item() for name, column in zip(space, columns, strict=True)}

    result = checks.check("search.random_search", random_search)
    assert result.mistake == "wrong_type", str(result)
    assert "Return a list" in result.hint
    assert "generator" in result.got and "pickle" not in result.got


# ---------------------------------------------------------------- 2. narrow without clipping


def narrow_without_clipping(space, best_configs, shrink=0.5):
    new_space = {}
    for name, scale in space.items():
        u = scale.to_unit(np.array([c[name] for c in best_configs], dtype=float))
        centre = (u.min() + u.max()) / 2
        u_low, u_high = centre - shrink / 2, centre + shrink / 2
        if isinstance(scale, scales.Integer):
            n_values = scale.high - scale.low + 1
            k_low = int(np.ceil(u_low * n_values - 0.5))
            k_high = int(np.floor(u_high * n_values - 0.5))
            new_space[name] = scales.Integer(scale.low + k_low, scale.low + k_high)
        else:
            low, high = scale.from_unit(np.array([u_low, u_high]))
            new_space[name] = type(scale)(float(low), float(high))
    return new_space


def test_narrow_without_clipping_is_named_although_from_unit_raises_first():
    result = checks.check("search.narrow", narrow_without_clipping)
    assert result.mistake == "no_clipping", str(result)
    assert result.hint == _hint_of("search.narrow", "no_clipping")
    assert "clip the u-interval to [0, 1]" in result.hint
    assert "u must lie in [0, 1]" in result.got  # the learner's own error, with its line
    assert "scale.from_unit(np.array([u_low, u_high]))" in result.got
    assert "pokes out of [0, 1]: for alpha it runs from 0.725 to 1.125" in result.got


def test_narrow_that_raises_where_no_clipping_is_needed_is_a_plain_error():
    def broken(space, best_configs, shrink=0.5):
        raise ValueError("u must lie in [0, 1]")

    assert checks.check("search.narrow", broken).mistake == "raised"


# ---------------------------------------------------------------- 3. mistakes named


def test_a_log_scale_with_the_sign_of_the_exponent_flipped_is_named():
    def log_from_unit(u, low, high):
        return 10 ** (4 * u)

    def minus_in_front(u, low, high):
        r = -(np.log10(low) + u * (np.log10(high) - np.log10(low)))
        return 10**r

    for fn in (log_from_unit, minus_in_front):
        result = checks.check("scales.log_from_unit", fn)
        assert result.mistake == "exponent_sign_flipped", str(result)
        assert "wrong sign" in result.hint
        assert "r = log10(low) + u (log10(high) - log10(low))" in result.hint


def test_a_grid_without_its_endpoint_is_named():
    def grid_search(space, n_per_axis, *, max_configs=None):
        counts = _counts(space, n_per_axis)
        axes = [
            [v.item() for v in scale.from_unit(np.linspace(0, 1, counts[name], endpoint=False))]
            for name, scale in space.items()
        ]
        configs = [dict(zip(space, values, strict=True)) for values in itertools.product(*axes)]
        _warn_if_larger(configs, max_configs)
        return configs

    result = checks.check("search.grid_search", grid_search)
    assert result.mistake == "endpoint_excluded", str(result)
    assert "endpoint=False" in result.hint and "top of a range" in result.hint


def test_narrow_with_shrink_as_the_half_width_is_named():
    def narrow(space, best_configs, shrink=0.5):
        new_space = {}
        for name, scale in space.items():
            u = np.clip(scale.to_unit(np.array([c[name] for c in best_configs], dtype=float)), 0, 1)
            centre = (u.min() + u.max()) / 2
            u_low, u_high = max(0.0, centre - shrink), min(1.0, centre + shrink)
            if isinstance(scale, scales.Integer):
                n_values = scale.high - scale.low + 1
                k_low = max(0, int(np.ceil(u_low * n_values - 0.5)))
                k_high = min(n_values - 1, int(np.floor(u_high * n_values - 0.5)))
                new_space[name] = scales.Integer(scale.low + k_low, scale.low + k_high)
            else:
                low, high = scale.from_unit(np.array([u_low, u_high]))
                new_space[name] = type(scale)(float(low), float(high))
        return new_space

    result = checks.check("search.narrow", narrow)
    assert result.mistake == "shrink_as_half_width", str(result)
    assert "not its half-width" in result.hint


def test_a_one_based_index_of_the_best_model_is_named():
    def pick_best(results):
        return int(np.argmax([r["val_accuracy"][-1] for r in results])) + 1

    def pick_best_by_loop(results):
        best, best_accuracy = 1, results[0]["val_accuracy"][-1]
        for k, r in enumerate(results, start=1):
            if r["val_accuracy"][-1] > best_accuracy:
                best, best_accuracy = k, r["val_accuracy"][-1]
        return best

    for fn in (pick_best, pick_best_by_loop):
        result = checks.check("tuning.pick_best", fn)
        assert result.mistake == "one_based_index", str(result)
        assert "Python counts from 0" in result.hint


# ---------------------------------------------------------------- 4. pick_best's report


def test_pick_best_shows_the_last_validation_accuracies_and_the_index_expected():
    def by_test(results):
        return int(np.argmax([r["test_accuracy"] for r in results]))

    result = checks.check("tuning.pick_best", by_test)
    assert result.mistake == "picked_by_test"
    assert result.called == (
        "by_test(results) on 5 models; last validation accuracies: "
        "[0.86, 0.88, 0.91, 0.89, 0.1] -> expected index 2"
    )
    assert result.got == (
        "3, expected 2. Model 3 ends at validation accuracy 0.89 (training 0.92, test 0.93)"
    )


def test_pick_best_says_when_an_index_points_at_no_model():
    def off_the_end(results):
        return len(results)

    result = checks.check("tuning.pick_best", off_the_end)
    assert "There is no model 5: the indices of 5 models run from 0 to 4" in result.got


def test_pick_best_says_which_of_tied_models_is_expected():
    def last_of_ties(results):
        final = [r["val_accuracy"][-1] for r in results]
        return max(k for k, v in enumerate(final) if v == max(final))

    result = checks.check("tuning.pick_best", last_of_ties)
    assert result.mistake == "last_on_tie", str(result)
    assert result.called.endswith(
        "[0.85, 0.9, 0.9, 0.8] -> expected index 1 (the first of the tied best)"
    )


# ---------------------------------------------------------------- 5. the capstone's order


def test_fixed_hyperparameters_in_another_order_is_told_the_order_not_the_keys():
    def sorted_names(best_config, shares, floor):
        return {name: best_config[name] for name in sorted(best_config) if shares[name] <= floor}

    def by_share(best_config, shares, floor):
        ranked = sorted(shares.items(), key=lambda item: item[1])
        return {name: best_config[name] for name, share in ranked if share <= floor}

    for fn in (sorted_names, by_share):
        result = checks.check("tuning.fixed_hyperparameters", fn)
        assert result.mistake == "order_changed", str(result)
        assert "the best config's order" in result.hint
        assert "best_config.items()" in result.hint
        assert result.got.startswith("the right hyperparameters, in another order: ")


def test_fixed_hyperparameters_with_the_wrong_names_keeps_its_hint():
    def above_too(best_config, shares, floor):
        return {name: value for name, value in best_config.items() if shares[name] <= 2 * floor}

    result = checks.check("tuning.fixed_hyperparameters", above_too)
    assert result.mistake == "wrong_keys", str(result)
    assert result.hint.startswith("Compare each hyperparameter's share with the floor")
    assert "whose share is above the floor" in result.got


def test_fixed_hyperparameters_shows_the_whole_dict_and_every_wrong_value():
    def doubled(best_config, shares, floor):
        return {name: 2 * value for name, value in best_config.items() if shares[name] <= floor}

    result = checks.check("tuning.fixed_hyperparameters", doubled)
    assert result.mistake == "wrong_value", str(result)
    assert "..." not in str(result)  # no dict cut at 120 characters
    assert result.called.endswith("'beta2': 0.03, 'eps': 0.04}, floor=0.07)")
    assert result.expected.endswith("'beta2': 0.995, 'eps': 3e-09}")
    assert result.got.startswith("{'beta1': 1.9, 'batch_size': 64, 'layers': 6, ")
    assert "result['beta1'] = 1.9, expected 0.95" in result.got
    assert result.got.endswith("result['eps'] = 6e-09, expected 3e-09")


def test_fixed_hyperparameters_names_the_extra_missing_and_wrong_keys_together():
    def mixed(best_config, shares, floor):
        fixed = {name: value for name, value in best_config.items() if shares[name] < floor}
        fixed["alpha"] = best_config["alpha"]
        fixed["beta1"] = 0.9
        return fixed

    result = checks.check("tuning.fixed_hyperparameters", mixed)
    assert result.mistake == "wrong_keys", str(result)
    assert "fixed ['alpha'], whose share is above the floor" in result.got
    assert "left out ['batch_size'], whose share is at most the floor" in result.got
    assert "result['beta1'] = 0.9, expected 0.95" in result.got


def test_a_narrowed_space_and_its_best_configs_are_shown_whole():
    result = checks.check("search.narrow", EXERCISES["search.narrow"].named("not_narrowing").fn)
    assert "..." not in result.called and "..." not in result.expected, str(result)
    assert "'dropout': 0.2}], shrink=0.5)" in result.called


# ---------------------------------------------------------------- 6. batch norm's cache (04)


def _forward_changed(**changed):
    """A learner's forward, right but for the cache's entries changed: key -> fn(Z, gamma, eps)."""

    def forward(Z, gamma, beta, eps=1e-5):
        mu = np.mean(Z, axis=1, keepdims=True)
        var = np.var(Z, axis=1, keepdims=True)
        inv_std = 1 / np.sqrt(var + eps)
        Z_norm = (Z - mu) * inv_std
        cache = {"Z": Z, "mu": mu, "var": var, "Z_norm": Z_norm, "inv_std": inv_std}
        cache |= {"gamma": gamma, "eps": eps}
        cache |= {key: fn(Z, gamma, eps) for key, fn in changed.items()}
        return gamma * Z_norm + beta, cache

    return forward


def test_a_cache_without_some_keys_names_every_missing_one():
    def forward(Z, gamma, beta, eps=1e-5):
        mu = Z.mean(axis=1, keepdims=True)
        var = Z.var(axis=1, keepdims=True)
        Z_norm = (Z - mu) / np.sqrt(var + eps)
        return gamma * Z_norm + beta, {"mu": mu, "var": var, "Z_norm": Z_norm}

    result = checks.check("batchnorm.forward", forward)
    assert result.mistake == "cache_incomplete", str(result)
    assert result.got.endswith("cache has no keys 'Z', 'inv_std', 'gamma', 'eps'")
    assert "'inv_std', 'gamma', 'eps'" in result.hint
    # the keys are what is missing: Expected names them instead of printing every value
    assert result.expected == (
        "a tuple (Z_tilde, cache), cache a dict with the keys 'Z', 'mu', 'var', 'Z_norm', "
        "'inv_std', 'gamma', 'eps'"
    )


def test_the_standard_deviation_stored_as_inv_std_is_named():
    def forward(Z, gamma, beta, eps=1e-5):
        mu = np.mean(Z, axis=1, keepdims=True)
        var = np.var(Z, axis=1, keepdims=True)
        std = np.sqrt(var + eps)
        Z_norm = (Z - mu) / std
        cache = {"Z": Z, "mu": mu, "var": var, "Z_norm": Z_norm, "inv_std": std}
        return gamma * Z_norm + beta, cache | {"gamma": gamma, "eps": eps}

    result = checks.check("batchnorm.forward", forward)
    assert result.mistake == "inv_std_not_inverted", str(result)
    assert "1 / np.sqrt(var + eps)" in result.hint
    assert result.got.startswith("cache['inv_std'] = ")


def test_a_wrong_cache_entry_is_named_by_its_key_with_what_it_should_hold():
    for changed, phrase in (
        ({"eps": lambda Z, gamma, eps: 1e-5}, "the eps you were given"),
        ({"gamma": lambda Z, gamma, eps: np.ones_like(gamma)}, "the gamma you were given"),
        ({"Z": lambda Z, gamma, eps: Z - Z.mean(axis=1, keepdims=True)}, "the Z you were given"),
    ):
        (key,) = changed
        result = checks.check("batchnorm.forward", _forward_changed(**changed))
        assert result.mistake == "wrong_value", str(result)
        assert result.got.startswith(f"cache[{key!r}] = "), str(result)
        assert result.expected.startswith(f"cache[{key!r}] = ")
        assert phrase in result.hint
    result = checks.check("batchnorm.forward", _forward_changed(eps=lambda Z, gamma, eps: 1e-5))
    assert result.got.startswith("cache['eps'] = 1e-05, expected 0.001. Right: Z_tilde")


def test_the_unbiased_variance_is_named_however_it_is_written():
    def with_ddof(Z, gamma, beta, eps=1e-5):
        mu = np.mean(Z, axis=1, keepdims=True)
        var = np.var(Z, axis=1, ddof=1, keepdims=True)
        inv_std = 1 / np.sqrt(var + eps)
        Z_norm = (Z - mu) * inv_std
        cache = {"Z": Z, "mu": mu, "var": var, "Z_norm": Z_norm, "inv_std": inv_std}
        return gamma * Z_norm + beta, cache | {"gamma": gamma, "eps": eps}

    def over_m_minus_one(Z, gamma, beta, eps=1e-5):
        m = Z.shape[1]
        mu = np.sum(Z, axis=1, keepdims=True) / m
        var = np.sum((Z - mu) ** 2, axis=1, keepdims=True) / (m - 1)
        Z_norm = (Z - mu) / np.sqrt(var + eps)
        cache = {"Z": Z, "mu": mu, "var": var, "Z_norm": Z_norm, "inv_std": 1 / np.sqrt(var + eps)}
        return gamma * Z_norm + beta, cache | {"gamma": gamma, "eps": eps}

    for fn in (with_ddof, over_m_minus_one):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # m - 1 = 0 on the case of one example
            result = checks.check("batchnorm.forward", fn)
        assert result.mistake == "unbiased_variance", str(result)
        assert "not ddof=1 or a sum divided by m - 1" in result.hint


# ---------------------------------------------------------------- 7. the one-pass variance (04)


def _forward_var_by(variance):
    """A learner's forward whose variance is variance(Z, mu), the rest right."""

    def forward(Z, gamma, beta, eps=1e-5):
        mu = np.mean(Z, axis=1, keepdims=True)
        var = variance(Z, mu)
        inv_std = 1 / np.sqrt(var + eps)
        Z_norm = (Z - mu) * inv_std
        cache = {"Z": Z, "mu": mu, "var": var, "Z_norm": Z_norm, "inv_std": inv_std}
        return gamma * Z_norm + beta, cache | {"gamma": gamma, "eps": eps}

    return forward


ONE_PASS = {
    "mean of squares": lambda Z, mu: np.mean(Z**2, axis=1, keepdims=True) - mu**2,
    "sum of squares": lambda Z, mu: (Z * Z).sum(axis=1, keepdims=True) / Z.shape[1] - mu * mu,
    "by rows": lambda Z, mu: np.array([[np.mean(z * z) - np.mean(z) ** 2] for z in Z]),
}
TWO_PASS = {
    "np.var": lambda Z, mu: np.var(Z, axis=1, keepdims=True),
    "mean of squared deviations": lambda Z, mu: np.mean((Z - mu) ** 2, axis=1, keepdims=True),
    "np.std squared": lambda Z, mu: np.std(Z, axis=1, keepdims=True) ** 2,
    "loops": lambda Z, mu: np.array(
        [[sum((z - sum(row) / len(row)) ** 2 for z in row) / len(row)] for row in Z.tolist()]
    ),
}


def test_the_one_pass_variance_is_named_on_the_large_offset_case():
    for name, variance in ONE_PASS.items():
        result = checks.check("batchnorm.forward", _forward_var_by(variance))
        assert result.mistake == "one_pass_variance", (name, str(result))
        assert "cancel" in result.hint
        assert "np.mean((Z - mu)**2, axis=1, keepdims=True)" in result.hint
        assert "Z=array([[10000.0" in result.called  # only the offset case tells it
        assert result.got.startswith("Z_tilde = ")
        assert "cache['var'] = " in result.got


def test_the_two_pass_variance_passes_the_large_offset_case():
    for name, variance in TWO_PASS.items():
        result = checks.check("batchnorm.forward", _forward_var_by(variance))
        assert result.passed, (name, str(result))


def test_the_large_offset_case_cancels_the_one_pass_variance_only():
    Z = EXERCISES["batchnorm.forward"].cases()[-1]["Z"]  # pre-activations near 1e4
    assert 9999 < Z.min() and Z.max() < 10001
    mu = Z.mean(axis=1, keepdims=True)
    exact = np.array([[float(np.var(row.astype(np.longdouble)))] for row in Z])
    reference = batchnorm.forward(Z, np.ones((3, 1)), np.zeros((3, 1)))[1]["var"]
    assert np.max(np.abs(reference / exact - 1)) < 1e-15
    for variance in TWO_PASS.values():
        assert np.max(np.abs(variance(Z, mu) / reference - 1)) < 1e-12
    for variance in ONE_PASS.values():
        assert np.min(np.abs(variance(Z, mu) / reference - 1)) > 1e-5  # checked to 1e-7


# ---------------------------------------------------------------- 8. running averages (05)


def test_bias_corrected_running_averages_are_named():
    def with_a_step(running_mu, running_var, mu, var, momentum=0.9, t=1):
        running_mu = momentum * running_mu + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
        return running_mu / (1 - momentum**t), running_var / (1 - momentum**t)

    steps = []

    def with_a_counter(running_mu, running_var, mu, var, momentum=0.9):
        steps.append(1)
        correction = 1 - momentum ** len(steps)
        new_mu = (momentum * running_mu + (1 - momentum) * mu) / correction
        new_var = (momentum * running_var + (1 - momentum) * var) / correction
        return new_mu, new_var

    for fn in (with_a_step, with_a_counter):
        result = checks.check("batchnorm.update_running", fn)
        assert result.mistake == "bias_corrected", str(result)
        assert "1 - momentum**t" in result.hint and "not rescaled" in result.hint


def test_running_averages_in_the_wrong_order_are_told_the_order():
    def update_running(running_mu, running_var, mu, var, momentum=0.9):
        running_mu = momentum * running_mu + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
        return running_var, running_mu

    result = checks.check("batchnorm.update_running", update_running)
    assert result.mistake == "wrong_order", str(result)
    assert result.got == "the right values in the order (running_var, running_mu)"
    assert result.expected.startswith("a tuple (running_mu, running_var): running_mu = ")


# ---------------------------------------------------------------- 9. softmax regression (06)


def _one_step(W, b, X, Y, alpha, dZ_scale=1.0, m_power=1):
    m = X.shape[1]
    Y_hat = softmax.softmax(W @ X + b)
    cost = -np.sum(Y * np.log(Y_hat)) / m
    dZ = (Y_hat - Y) * dZ_scale
    dW = dZ @ X.T / m**m_power
    db = np.sum(dZ, axis=1, keepdims=True) / m**m_power
    return W - alpha * dW, b - alpha * db, cost


def test_a_gradient_step_in_another_order_is_told_the_order_not_the_shape():
    def gradient_step(W, b, X, Y, alpha):
        W, b, cost = _one_step(W, b, X, Y, alpha)
        return cost, W, b

    result = checks.check("softmax.gradient_step", gradient_step)
    assert result.mistake == "returned_in_wrong_order", str(result)
    assert result.got == "the right values in the order (cost, W, b)"
    assert "(W, b, cost)" in result.hint and "return W, b, cost" in result.hint
    for order in itertools.permutations(range(3)):
        if order == (0, 1, 2):
            continue

        def permuted(W, b, X, Y, alpha, order=order):
            parts = _one_step(W, b, X, Y, alpha)
            return tuple(parts[k] for k in order)

        result = checks.check("softmax.gradient_step", permuted)
        assert result.mistake == "returned_in_wrong_order", (order, str(result))
        assert "shape" not in result.got and "shape" not in result.hint


def test_a_gradient_divided_by_m_twice_is_named():
    def dZ_already_averaged(W, b, X, Y, alpha):
        return _one_step(W, b, X, Y, alpha, dZ_scale=1 / X.shape[1])

    def over_m_squared(W, b, X, Y, alpha):
        return _one_step(W, b, X, Y, alpha, m_power=2)

    for fn in (dZ_already_averaged, over_m_squared):
        result = checks.check("softmax.gradient_step", fn)
        assert result.mistake == "divided_by_m_twice", str(result)
        assert "The 1/m of the mean goes in once" in result.hint
        assert result.got.endswith("Right: cost")


def test_a_db_summed_over_every_entry_is_told_why_b_did_not_move():
    def gradient_step(W, b, X, Y, alpha):  # db as in logistic regression, over everything
        m = X.shape[1]
        Y_hat = softmax.softmax(W @ X + b)
        dZ = Y_hat - Y
        W_new, _, cost = _one_step(W, b, X, Y, alpha)
        return W_new, b - alpha * np.sum(dZ) / m, cost

    result = checks.check("softmax.gradient_step", gradient_step)
    assert result.mistake == "b_not_updated", str(result)
    assert "each column of dZ = Y_hat - Y sums to 0" in result.hint
    assert "np.sum(dZ, axis=1, keepdims=True) / m" in result.hint


def test_a_cross_entropy_divided_by_m_twice_is_named():
    def cross_entropy(Y_hat, Y):
        m = Y.shape[1]
        losses = -np.sum(Y * np.log(Y_hat), axis=0)
        return np.mean(losses) / m

    result = checks.check("softmax.cross_entropy", cross_entropy)
    assert result.mistake == "divided_by_m_twice", str(result)
    assert "np.mean over the examples already divides by m" in result.hint


# ---------------------------------------------------------------- every exercise


def test_renamed_parameters_are_named_in_every_exercise_an_error_inside_is_not():
    import inspect

    for name, exercise in EXERCISES.items():
        reference = inspect.signature(exercise.reference)
        n = sum(p.default is inspect.Parameter.empty for p in reference.parameters.values())
        scope = {}
        args = ", ".join(f"arg{k}" for k in range(n))
        exec(f"def solution({args}):\n    return None", scope)  # a learner's own names
        result = checks.check(name, scope["solution"])
        assert result.mistake == "renamed_parameters", (name, str(result))
        assert "cannot take" in result.got and "by name" in result.got, name
        assert "keep those names in your def line" in result.hint, name

    def backward(dZ_tilde, cache):  # the stub's names, a TypeError of its own
        return len(3)

    result = checks.check("batchnorm.backward", backward)
    assert result.mistake == "raised" and "has no len()" in result.got


def test_inference_returning_a_cache_as_forward_does_is_told_to_return_only_Z_tilde():
    def inference(Z, gamma, beta, running_mu, running_var, eps=1e-5):
        Z_norm = (Z - running_mu) / np.sqrt(running_var + eps)
        return gamma * Z_norm + beta, {"Z_norm": Z_norm}

    result = checks.check("batchnorm.inference", inference)
    assert result.mistake == "wrong_type", str(result)
    assert "returned a tuple, expected a numpy array" in result.got
    assert result.hint.startswith("Return only Z_tilde") and "no cache" in result.hint
