"""Focused tests of the peak finder and the narrow-spike derivation of ks1d.peaks_stationary."""

import math

import numpy as np
import pytest

from verification.keller_segel import derivation as deriv
from verification.keller_segel.cases import max_displacement, periodic_peaks


def test_periodic_peaks_finds_wrapped_and_sub_cell_peaks():
    n, dx = 200, 0.5
    x = np.arange(n) * dx
    centres = (0.2, 40.3)
    u = 1.0 + sum(10 * np.exp(-((((x - c) + 50) % 100 - 50) ** 2) / 2.0) for c in centres)
    pos, heights = periodic_peaks(u, dx, 1.0)
    assert pos.size == 2
    assert sorted(pos) == pytest.approx(sorted(centres), abs=0.05)
    assert np.all(heights > 9)
    assert periodic_peaks(np.full(n, np.nan), dx, 1.0)[0].size == 0


def test_max_displacement_is_periodic():
    assert max_displacement(np.array([99.9]), np.array([0.1, 50.0]), 100.0) == pytest.approx(0.2)
    assert max_displacement(np.array([]), np.array([1.0]), 100.0) == math.inf


def test_spike_width_and_height():
    s = deriv.spike_1d()
    vals = {deriv.d_u: 1.0, deriv.d_v: 20.0, deriv.chi0: 40.0, s.M: 20.0}
    assert float(s.width.subs(vals)) == pytest.approx(0.05)
    assert float(s.height.subs(vals)) == pytest.approx(200.0)
    assert s.flux_residual == 0
