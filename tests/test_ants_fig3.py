"""Focused tests of the [ANTS] Fig. 3 minima check and the quasi-static gradient-flow derivation (Eqs. 5-9)."""

import numpy as np
import pytest
import sympy as sp

from continuum.disc import RadialGrid, lyapunov_W
from continuum.normal_modes import anneal
from verification.ants import derivation as d
from verification.ants.cases import PAPER, modal_model
from verification.ants.checks import centred_minima
from verification.ants.checks_gradient import chemical_potential, energy_eq8, quasi_static_c


def test_quasi_static_derivation():
    qs = d.quasi_static()
    assert sp.simplify(qs.kappa2 - d.g0 / d.nu0) == 0
    assert sp.simplify(qs.kappa2 - qs.kappa2_stated) != 0  # the seed's kappa^2 = f0/nu0 differs
    assert qs.mu_residual == 0
    assert qs.argmin_residual == 0
    assert qs.flux_residual == 0
    assert sp.simplify(qs.energy_ratio - d.D0 / d.lyapunov().a) == 0


def test_energy_is_scaled_W_at_the_quasi_static_c():
    p = PAPER.replace(f0=4.5)
    grid = RadialGrid(1.0, 40)
    rho = 1.0 + 0.3 * np.cos(3 * grid.r)
    c = quasi_static_c(p, grid, rho)
    assert energy_eq8(p, grid, rho) == pytest.approx(p.D0 / p.a * lyapunov_W(p, grid, rho, c), rel=1e-12)
    # mu = D0 rho - chi0 c is constant for the homogeneous state with c = f0/g0 rho
    flat = np.ones(grid.n)
    assert np.allclose(chemical_potential(p, grid, flat), p.D0 - p.chi0 * p.f0 / p.g0)


def test_two_kinds_of_zero_temperature_minima_at_f0_5():
    mod = modal_model(PAPER.replace(f0=5.0))
    res = anneal(mod, np.zeros(1), 300, 12, 3, 5.0)
    kinds = centred_minima(mod, res.E, res.G)
    assert 0 < kinds.sum() < kinds.size  # both kinds among 12 T = 0 runs
    W = res.W / np.pi
    assert W[kinds].max() < W[~kinds].min()  # the centred kind is the lower one
