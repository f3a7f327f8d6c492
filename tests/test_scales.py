"""course_utils.scales: inverses, bounds, the right distributions, clear errors."""

import numpy as np
import pytest
from scipy import stats

from course_utils import scales

CONTINUOUS = [
    scales.Linear(-2.0, 3.0),
    scales.Log(1e-4, 1.0),
    scales.Log(3e-6, 20.0),
    scales.OneMinusLog(0.9, 0.999),
    scales.OneMinusLog(0.5, 0.99),
]
P_MIN = 1e-3  # with fixed seeds, each statistical verdict below is reproducible


@pytest.mark.parametrize("scale", CONTINUOUS, ids=repr)
def test_from_unit_and_to_unit_are_inverses(scale):
    u = np.linspace(0, 1, 101)
    np.testing.assert_allclose(scale.to_unit(scale.from_unit(u)), u, atol=1e-9)
    x = scale.sample(1000, np.random.default_rng(0))
    np.testing.assert_allclose(scale.from_unit(scale.to_unit(x)), x, rtol=1e-12)


@pytest.mark.parametrize("scale", CONTINUOUS, ids=repr)
def test_ends_of_the_unit_interval_give_the_bounds(scale):
    assert scale.from_unit(0.0) == pytest.approx(scale.low, rel=1e-12)
    assert scale.from_unit(1.0) == pytest.approx(scale.high, rel=1e-12)


@pytest.mark.parametrize("scale", [*CONTINUOUS, scales.Integer(2, 7)], ids=repr)
def test_samples_and_grids_stay_in_bounds(scale):
    for seed in range(5):
        x = scale.sample(5000, np.random.default_rng(seed))
        assert x.shape == (5000,)
        assert np.all((x >= scale.low) & (x <= scale.high))
    grid = scale.grid(7)
    assert grid.shape == (7,)
    assert grid[0] == pytest.approx(scale.low) and grid[-1] == pytest.approx(scale.high)
    assert np.all(np.diff(grid) >= 0)


def test_integer_scale_is_uniform_over_every_integer():
    scale = scales.Integer(2, 7)
    x = scale.sample(60_000, np.random.default_rng(1))
    assert np.issubdtype(x.dtype, np.integer)
    counts = np.bincount(x - 2, minlength=6)
    assert counts.size == 6 and np.all(counts > 0)
    assert stats.chisquare(counts).pvalue > P_MIN


def test_chi_square_detects_rounded_integers():
    """The test above can fail: rounding a linear sample halves the end points."""
    u = np.random.default_rng(1).random(60_000)
    counts = np.bincount(np.round(2 + u * 5).astype(int) - 2, minlength=6)
    assert stats.chisquare(counts).pvalue < P_MIN


def test_integer_from_unit_and_to_unit_round_trip():
    scale = scales.Integer(50, 100)
    k = np.arange(50, 101)
    np.testing.assert_array_equal(scale.from_unit(scale.to_unit(k)), k)
    assert scale.from_unit(1.0) == 100 and scale.from_unit(0.0) == 50


@pytest.mark.parametrize(
    ("scale", "to_its_scale", "bounds"),
    [
        (scales.Log(1e-4, 1.0), np.log10, (-4, 0)),
        (scales.OneMinusLog(0.9, 0.999), lambda b: np.log10(1 - b), (-3, -1)),
    ],
    ids=["Log", "OneMinusLog"],
)
def test_log_scales_are_uniform_on_their_scale_and_not_linearly(scale, to_its_scale, bounds):
    x = scale.sample(20_000, np.random.default_rng(2))
    lo, hi = min(bounds), max(bounds)
    on_scale = stats.kstest(to_its_scale(x), stats.uniform(lo, hi - lo).cdf).pvalue
    linear = stats.kstest(x, stats.uniform(scale.low, scale.high - scale.low).cdf).pvalue
    assert on_scale > P_MIN
    assert linear < P_MIN


def test_one_minus_log_puts_half_the_betas_above_0_99():
    beta = scales.OneMinusLog(0.9, 0.999).sample(20_000, np.random.default_rng(3))
    assert np.mean(beta > 0.99) == pytest.approx(0.5, abs=0.02)


def test_alpha_example_of_the_notes():
    """r = -4 u, alpha = 10**r (the notes' corrected formula) is Log(1e-4, 1) read from the top."""
    u = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(scales.Log(1e-4, 1.0).from_unit(1 - u), 10.0 ** (-4 * u))


def test_same_seed_same_samples():
    scale = scales.Log(1e-4, 1.0)
    a = scale.sample(10, np.random.default_rng(7))
    b = scale.sample(10, np.random.default_rng(7))
    c = scale.sample(10, np.random.default_rng(8))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_remembered_steps():
    assert scales.remembered_steps(0.9) == pytest.approx(10)
    assert scales.remembered_steps(0.999) == pytest.approx(1000)
    np.testing.assert_allclose(scales.remembered_steps(np.array([0.5, 0.99])), [2, 100])
    with pytest.raises(ValueError, match="momentum"):
        scales.remembered_steps(1.0)


def test_the_module_functions_agree_with_the_scales():
    rng_a, rng_b = np.random.default_rng(4), np.random.default_rng(4)
    np.testing.assert_array_equal(
        scales.sample_one_minus_log(50, 0.9, 0.999, rng_a),
        scales.OneMinusLog(0.9, 0.999).sample(50, rng_b),
    )
    u = np.linspace(0, 1, 9)
    np.testing.assert_allclose(scales.log_from_unit(u, 1e-3, 10), scales.Log(1e-3, 10).from_unit(u))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: scales.Linear(1.0, 1.0),
            r"low must be smaller than high, got low=1.0 and high=1.0",
        ),
        (lambda: scales.Linear(2.0, 1.0), r"low=2.0 and high=1.0"),
        (lambda: scales.Log(0.0, 1.0), r"log scale needs low > 0, got low=0.0"),
        (lambda: scales.Log(-1e-3, 1.0), r"low=-0.001"),
        (lambda: scales.OneMinusLog(0.9, 1.0), r"0 < low < high < 1, got high=1.0"),
        (lambda: scales.OneMinusLog(-0.5, 0.9), r"got low=-0.5"),
        (lambda: scales.OneMinusLog(0.999, 0.9), r"low=0.999 and high=0.9"),
        (lambda: scales.Linear(0.0, float("nan")), r"high must be finite"),
    ],
)
def test_bad_bounds_raise_a_clear_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_types_and_arguments_are_named():
    with pytest.raises(TypeError, match="Integer bounds must be integers, got high=7.5"):
        scales.Integer(2, 7.5)
    with pytest.raises(TypeError, match="low must be a real number"):
        scales.Linear("0", 1)
    with pytest.raises(ValueError, match="u must lie in"):
        scales.Log(1e-4, 1).from_unit([0.5, 1.5])
    with pytest.raises(ValueError, match="n must be a non-negative integer, got n=-1"):
        scales.Log(1e-4, 1).sample(-1, np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        scales.Log(1e-4, 1).sample(3, rng="seed")


def test_power_of_two_gives_every_power_equally_often_and_inverts():
    scale = scales.PowerOfTwo(16, 256)
    x = scale.sample(50_000, np.random.default_rng(0))
    values, counts = np.unique(x, return_counts=True)
    assert values.tolist() == [16, 32, 64, 128, 256]
    assert stats.chisquare(counts).pvalue > 0.01
    assert scale.grid(5).tolist() == [16, 32, 64, 128, 256]
    assert np.array_equal(scale.from_unit(scale.to_unit(values)), values)


@pytest.mark.parametrize("low, high", [(10, 64), (16, 100), (0, 64), (16.0, 64)])
def test_power_of_two_bounds_must_be_powers_of_two(low, high):
    with pytest.raises(ValueError, match="PowerOfTwo bounds must be powers of two"):
        scales.PowerOfTwo(low, high)
