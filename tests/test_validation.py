"""The one module that checks what a learner passes in: each bad value named with its problem."""

import numpy as np
import pytest

from course_utils.validation import as_rng, check_int, check_real


@pytest.mark.parametrize(
    ("value", "minimum", "message"),
    [
        (-1, 0, "n must be a non-negative integer, got n=-1"),
        (0, 1, "n must be a positive integer, got n=0"),
        (1, 2, "n must be an integer >= 2, got n=1"),
        (2.0, 1, "n must be a positive integer, got n=2.0"),
        (True, 0, "n must be a non-negative integer, got n=True"),
        ("3", 0, "n must be a non-negative integer, got n='3'"),
    ],
)
def test_check_int_names_the_value_and_the_rule(value, minimum, message):
    with pytest.raises(ValueError) as error:
        check_int("n", value, minimum)
    assert str(error.value) == message


def test_check_int_returns_a_plain_int():
    value = check_int("n", np.int64(3), 1)
    assert value == 3 and type(value) is int


@pytest.mark.parametrize(
    ("value", "bounds", "message"),
    [
        (0.0, dict(low=0, low_open=True), "x must be a positive number, got x=0.0"),
        (-1e-9, dict(low=0), "x must be a non-negative number, got x=-1e-09"),
        (1.0, dict(low=0, high=1, high_open=True), "x must be a number in [0, 1), got x=1.0"),
        (1.5, dict(low=0, high=1), "x must be a number in [0, 1], got x=1.5"),
        (0.5, dict(low=1), "x must be a number >= 1, got x=0.5"),
        (3.0, dict(high=2, high_open=True), "x must be a number < 2, got x=3.0"),
        (float("nan"), dict(low=0, high=1), "x must be a number in [0, 1], got x=nan"),
        (float("inf"), dict(low=0, low_open=True), "x must be a positive number, got x=inf"),
        (True, dict(low=0, high=1), "x must be a number in [0, 1], got x=True"),
        ("0.1", dict(low=0, low_open=True), "x must be a positive number, got x='0.1'"),
    ],
)
def test_check_real_names_the_value_and_the_interval(value, bounds, message):
    with pytest.raises(ValueError) as error:
        check_real("x", value, **bounds)
    assert str(error.value) == message


@pytest.mark.parametrize("value", [0.0, 1.0, np.float32(0.5), 1])
def test_check_real_keeps_the_closed_bounds_and_returns_a_float(value):
    result = check_real("x", value, low=0, high=1)
    assert result == float(value) and type(result) is float


def test_as_rng_takes_a_generator_a_seed_or_none():
    rng = np.random.default_rng(0)
    assert as_rng(rng) is rng
    assert as_rng(7).random() == np.random.default_rng(7).random()
    assert isinstance(as_rng(None), np.random.Generator)
    for bad in (0.5, True, "seed"):
        with pytest.raises(TypeError, match="rng must be a numpy Generator, an int seed or None"):
            as_rng(bad)
