"""course_utils.data: the course's layout, honest splits, training-only standardisation."""

import dataclasses

import numpy as np
import pytest

from course_utils import data

from .support import require


def _require_sklearn():
    try:
        import sklearn  # noqa: F401
    except ImportError:
        require(False, "scikit-learn is not installed: python -m pip install -r requirements.txt")


@pytest.fixture(scope="module")
def split():
    _require_sklearn()
    return data.digits(seed=0)


@pytest.fixture(scope="module")
def raw():
    """scikit-learn's digits with examples as rows: images (1797, 64), labels (1797,)."""
    _require_sklearn()
    from sklearn.datasets import load_digits

    return load_digits(return_X_y=True)


def _parts(split):
    return [
        (split.X_train, split.y_train),
        (split.X_val, split.y_val),
        (split.X_test, split.y_test),
    ]


def test_shapes_and_types_follow_the_course_layout(split):
    assert split.n_classes == 10 and split.n_x == 64
    assert (split.y_train.size, split.y_val.size, split.y_test.size) == (1077, 360, 360)
    for X, y in _parts(split):
        assert X.shape == (64, y.size) and X.dtype == np.float64
        assert y.shape == (y.size,) and np.issubdtype(y.dtype, np.integer)
        assert np.all(np.isfinite(X))
        assert set(np.unique(y)) == set(range(10))
    assert split.mean.shape == split.std.shape == (64, 1)
    Y = split.Y_val
    assert Y.shape == (10, 360)
    np.testing.assert_array_equal(Y.sum(axis=0), 1)
    np.testing.assert_array_equal(np.argmax(Y, axis=0), split.y_val)
    assert "train=1077" in repr(split)


def test_the_split_is_frozen(split):
    with pytest.raises(dataclasses.FrozenInstanceError):
        split.X_train = None


def test_parts_are_disjoint_and_cover_the_1797_images(split, raw):
    """Undo the standardisation and match the images as a multiset (a few images repeat)."""
    images, labels = raw
    rebuilt = np.concatenate(
        [np.vstack([X * split.std + split.mean, y]) for X, y in _parts(split)], axis=1
    ).T  # back to rows to compare with scikit-learn's (1797, 65)
    rebuilt = np.round(rebuilt, 9)
    original = np.column_stack([images, labels])
    assert rebuilt.shape == original.shape == (1797, 65)
    rows, counts = np.unique(rebuilt, axis=0, return_counts=True)
    original_rows, original_counts = np.unique(original, axis=0, return_counts=True)
    np.testing.assert_array_equal(rows, original_rows)
    np.testing.assert_array_equal(counts, original_counts)  # each image used exactly once


def test_the_split_is_stratified(split, raw):
    per_class = np.bincount(raw[1])
    for (_, y), fraction in zip(_parts(split), (0.6, 0.2, 0.2), strict=True):
        assert np.all(np.abs(np.bincount(y, minlength=10) - fraction * per_class) <= 1.5)


def test_standardised_with_the_training_statistics_only(split, raw):
    mean, std = split.X_train.mean(axis=1), split.X_train.std(axis=1)
    np.testing.assert_allclose(mean, 0, atol=1e-12)
    constant = np.ptp(split.X_train, axis=1) == 0
    np.testing.assert_array_equal(split.std.ravel()[constant], 1.0)  # the std = 0 guard
    assert 1 <= constant.sum() < 10  # a few corner pixels are always blank in training
    np.testing.assert_allclose(std[~constant], 1, rtol=1e-12)
    np.testing.assert_array_equal(split.X_train[constant], 0)
    # validation and test use the training mean and std, not their own
    X_val_raw = split.X_val * split.std + split.mean
    np.testing.assert_allclose((X_val_raw - split.mean) / split.std, split.X_val)
    assert np.abs(split.X_val.mean(axis=1)).max() > 1e-3
    assert np.abs(split.X_test.mean(axis=1)).max() > 1e-3


def test_same_seed_same_split_and_another_seed_another(split):
    a, b, c = data.digits(seed=3), data.digits(seed=3), data.digits(seed=4)
    for (Xa, ya), (Xb, yb) in zip(_parts(a), _parts(b), strict=True):
        np.testing.assert_array_equal(Xa, Xb)
        np.testing.assert_array_equal(ya, yb)
    assert not np.array_equal(a.y_train, c.y_train)


def test_dtype_and_fractions(split):
    small = data.digits(seed=0, val_fraction=0.1, test_fraction=0.3, dtype=np.float32)
    assert small.X_train.dtype == np.float32
    assert small.y_val.size + small.y_test.size + small.y_train.size == 1797
    assert abs(small.y_test.size - 0.3 * 1797) <= 1 and abs(small.y_val.size - 0.1 * 1797) <= 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seed": -1}, r"seed must be an integer in \[0, 2\*\*32\), got seed=-1"),
        ({"seed": 1.5}, r"seed=1.5"),
        ({"seed": True}, r"seed=True"),
        ({"val_fraction": 0.0}, r"val_fraction must be a number in \(0, 1\), got val_fraction=0.0"),
        ({"test_fraction": 1}, r"test_fraction=1"),
        ({"val_fraction": 0.5, "test_fraction": 0.5}, r"must leave examples to train on"),
    ],
)
def test_digits_bad_arguments_raise_a_clear_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.digits(**kwargs)


@pytest.mark.parametrize("make", [data.blobs, data.spirals], ids=["blobs", "spirals"])
def test_synthetic_sets_are_2d_columns_and_reproducible(make):
    X, y = make(50, n_classes=4, seed=1)
    assert X.shape == (2, 200) and y.shape == (200,)
    np.testing.assert_array_equal(np.bincount(y), [50] * 4)
    X2, y2 = make(50, n_classes=4, seed=1)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, make(50, n_classes=4, seed=2)[0])


def test_blobs_gather_around_their_centres():
    X, y = data.blobs(400, n_classes=3, seed=0, spread=0.3)
    centres = np.stack([X[:, y == k].mean(axis=1) for k in range(3)], axis=1)
    np.testing.assert_allclose(np.linalg.norm(centres, axis=0), 2.0, atol=0.1)
    np.testing.assert_allclose(X[:, y == 0].std(axis=1), 0.3, rtol=0.15)


def test_spiral_arms_lie_on_their_spirals_without_noise():
    X, y = data.spirals(20, n_classes=3, seed=0, noise=0.0)
    r = np.linalg.norm(X, axis=0)
    np.testing.assert_allclose(r, np.tile(np.linspace(0, 1, 20), 3), atol=1e-12)
    t = np.arctan2(X[0], X[1])  # the point is r (sin t, cos t)
    expected = 4.0 * (y + r)
    np.testing.assert_allclose(np.cos(t[r > 0]), np.cos(expected[r > 0]), atol=1e-9)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: data.blobs(0), r"n_per_class must be a positive integer, got n_per_class=0"),
        (lambda: data.blobs(10, n_classes=1), r"n_classes must be an integer >= 2"),
        (lambda: data.blobs(10, spread=0), r"spread must be a positive number"),
        (lambda: data.spirals(2.5), r"n_per_class=2.5"),
        (lambda: data.spirals(10, noise=-1), r"noise must be a non-negative number"),
        (lambda: data.spirals(10, seed="a"), r"seed must be an integer"),
    ],
)
def test_synthetic_bad_arguments_raise_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
