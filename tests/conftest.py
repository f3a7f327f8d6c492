import matplotlib
import pytest

from .support import ROOT

matplotlib.use("Agg")  # in-process tests draw with Agg; notebooks get ipympl in their kernel


@pytest.fixture
def root():
    return ROOT
