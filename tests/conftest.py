import numpy as np
import pytest


@pytest.fixture
def rng():
    """A seeded numpy generator."""
    return np.random.default_rng(12345)
