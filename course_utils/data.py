"""The data sets of the course, examples as columns (introduced in notebook 04; used by 01, 03-07).

- ``digits(seed)``: scikit-learn's bundled handwritten digits (1797 images of 8 x 8 pixels,
  shipped inside scikit-learn: nothing is downloaded), split into train / validation / test and
  standardised with the statistics of the training set.
- ``blobs(n_per_class)`` and ``spirals(n_per_class)``: small synthetic 2-D sets for pictures.

Every set comes as X: (n_x, m) float and y: (m,) int labels; a ``Split`` also gives the one-hot
Y: (n_classes, m).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from .softmax import one_hot
from .validation import check_int, check_real

__all__ = ["Split", "digits", "blobs", "spirals"]

N_DIGIT_CLASSES = 10


def _check_seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer in [0, 2**32), got seed={seed!r}")
    return int(seed)


@dataclass(frozen=True)
class Split:
    """A data set split into train / validation / test; examples are columns.

    X_*: (n_x, m_*) float, y_*: (m_*,) int labels in [0, n_classes).
    mean, std: (n_x, 1), the training statistics used to standardise all three parts.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    mean: np.ndarray
    std: np.ndarray

    @property
    def n_x(self):
        """The number of input features (rows of X)."""
        return self.X_train.shape[0]

    @property
    def Y_train(self):
        """(n_classes, m_train) one-hot labels."""
        return one_hot(self.y_train, self.n_classes)

    @property
    def Y_val(self):
        """(n_classes, m_val) one-hot labels."""
        return one_hot(self.y_val, self.n_classes)

    @property
    def Y_test(self):
        """(n_classes, m_test) one-hot labels."""
        return one_hot(self.y_test, self.n_classes)

    def __repr__(self):
        sizes = ", ".join(
            f"{part}={getattr(self, 'y_' + part).size}" for part in ("train", "val", "test")
        )
        return f"Split(n_x={self.n_x}, n_classes={self.n_classes}, {sizes})"


def digits(seed=0, *, val_fraction=0.2, test_fraction=0.2, dtype=np.float64):
    """Handwritten digits 0-9 as 8 x 8 images, split and standardised (notebook 04).

    scikit-learn's bundled copy (``sklearn.datasets.load_digits``): 1797 images, no download.
    The split is stratified (each part keeps the class proportions) and reproducible from
    ``seed``; by default 60 / 20 / 20 (1077 / 360 / 360 examples).

    Standardisation uses the TRAINING statistics only: each pixel becomes (x - mean) / std with
    mean and std over the training examples, and the validation and test sets are transformed
    with those same numbers, so that nothing about them leaks into training. Pixels that are
    constant over the training set (std = 0, e.g. some corners are always blank) are divided
    by 1 instead: they become 0 in training and stay finite elsewhere.

    Returns a ``Split`` with X_*: (64, m_*) of ``dtype`` and y_*: (m_*,) int64 labels.
    """
    seed = _check_seed(seed)
    for name, value in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        check_real(name, value, low=0, high=1, low_open=True, high_open=True)
    if val_fraction + test_fraction >= 1:
        raise ValueError(
            "val_fraction + test_fraction must leave examples to train on, got "
            f"val_fraction={val_fraction!r} and test_fraction={test_fraction!r}"
        )
    try:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "digits() needs scikit-learn: run `python -m pip install -r requirements.txt`"
        ) from error

    # scikit-learn puts examples in ROWS: images is (1797, 64), target is (1797,).
    images, labels = load_digits(return_X_y=True)
    labels = labels.astype(np.int64)
    index = np.arange(labels.size)
    rest, test = train_test_split(
        index, test_size=test_fraction, stratify=labels, random_state=seed
    )
    train, val = train_test_split(
        rest,
        test_size=val_fraction / (1 - test_fraction),
        stratify=labels[rest],
        random_state=seed,
    )
    # The one transpose to the course's layout: X is (n_x, m) = (64, m), examples as columns.
    X = images.T

    mean = X[:, train].mean(axis=1, keepdims=True)  # (64, 1), training examples only
    std = X[:, train].std(axis=1, keepdims=True)
    std[std == 0] = 1.0  # a constant pixel carries no information; avoid 0 / 0

    def standardise(part):
        return ((X[:, part] - mean) / std).astype(dtype)

    return Split(
        X_train=standardise(train),
        y_train=labels[train],
        X_val=standardise(val),
        y_val=labels[val],
        X_test=standardise(test),
        y_test=labels[test],
        n_classes=N_DIGIT_CLASSES,
        mean=mean,
        std=std,
    )


def blobs(n_per_class, n_classes=3, seed=0, *, spread=0.5):
    """Gaussian blobs in 2-D, centres evenly spaced on a circle of radius 2 (for pictures).

    Returns X: (2, m) and y: (m,) int labels, m = n_per_class * n_classes, ordered by class.
    ``spread`` is the standard deviation of each blob.
    """
    n_per_class = check_int("n_per_class", n_per_class, 1)
    n_classes = check_int("n_classes", n_classes, 2)
    seed = _check_seed(seed)
    check_real("spread", spread, low=0, low_open=True)
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * np.arange(n_classes) / n_classes
    centres = 2.0 * np.stack([np.cos(angles), np.sin(angles)])  # (2, n_classes)
    y = np.repeat(np.arange(n_classes), n_per_class)
    X = centres[:, y] + spread * rng.standard_normal((2, y.size))
    return X, y


def spirals(n_per_class=100, n_classes=3, seed=0, *, noise=0.2):
    """Interleaved spiral arms in 2-D, one per class: no line separates them (for pictures).

    Arm k: radius r from 0 to 1, angle t = 4 (k + r) + noise * N(0, 1); the point is
    r (sin t, cos t). Returns X: (2, m) and y: (m,) int labels, m = n_per_class * n_classes.
    """
    n_per_class = check_int("n_per_class", n_per_class, 1)
    n_classes = check_int("n_classes", n_classes, 2)
    seed = _check_seed(seed)
    check_real("noise", noise, low=0)
    rng = np.random.default_rng(seed)
    r = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)
    y = np.repeat(np.arange(n_classes), n_per_class)
    t = 4.0 * (y + r) + noise * rng.standard_normal(y.size)
    X = np.stack([r * np.sin(t), r * np.cos(t)])
    return X, y
