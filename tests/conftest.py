import os

import numpy as np
import pytest
from hypothesis import settings

# Hypothesis: the default profile draws the same examples every run (a red CI run reproduces);
# HYPOTHESIS_PROFILE=explore draws new random examples each run (for hunting new crashes).
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture
def rng():
    """A seeded numpy generator."""
    return np.random.default_rng(12345)
