"""The moment checks of the 2D minimal Keller-Segel PDE: their derived formulas and helpers.

The checks themselves (ours passes, each wrong model fails) run in tests/test_failing_twins.py.
"""

import math

import numpy as np
import pytest
import sympy as sp

from continuum import ks2d_minimal as K
from verification.ks2d_pde import checks_moments as cm
from verification.ks2d_pde import derivation as deriv
from verification.radial import derivation as rd


def test_rate_is_the_variance_identity():
    f = deriv.formulas()
    assert sp.simplify(f.rate - (4 * rd.mu * rd.M - rd.chi * rd.M**2 / (2 * sp.pi))) == 0
    assert deriv.numeric().rate(4 * math.pi, 1.0, 1.0) == pytest.approx(8 * math.pi)  # 2M at M = 4 pi


def test_blowup_bound_zeroes_the_linear_m2():
    f = deriv.formulas()
    t_star = f.blowup_bound
    assert sp.simplify(deriv.m2_0 + f.rate * t_star) == 0
    # M = 12 pi, m2(0) = M (sigma^2 = 1/2): T* = 2 pi / (M - 8 pi) = 1/2
    assert deriv.numeric().blowup_bound(12 * math.pi, 12 * math.pi, 1.0, 1.0) == pytest.approx(0.5)


def test_box_background_term():
    f = deriv.formulas()
    assert f.background_lap == 0
    # chi M m2 / L^2 at M = 4 pi, m2 = 4 pi, L = 10
    assert deriv.numeric().background(4 * math.pi, 1.0, 4 * math.pi, 10.0) == pytest.approx(16 * math.pi**2 / 100)


def test_gaussian_m2_parallel_axis():
    m2, xc = deriv.gaussian_m2([[0.0, 0.0], [2.0, 0.0]], [1.0, 3.0], [0.5, 1.0])
    assert np.allclose(xc, [1.5, 0.0])
    assert m2 == pytest.approx(1.0 * (0.5 + 1.5**2) + 3.0 * (2.0 + 0.5**2))


def test_merger_start_is_sub_critical_bumps_with_super_critical_total():
    m = cm.MERGER_MASS / cm.MERGER_BUMPS
    assert m < cm.M_CRIT < cm.MERGER_MASS
    assert np.allclose(cm.merger_centres().mean(axis=0), 0.0, atol=1e-14)


def test_square_mass_is_exact_for_piecewise_constant_rho():
    p = cm.free_params(4.0, 16)
    rng = np.random.default_rng(3)
    rho = rng.random((16, 16))
    assert cm.square_mass(p, rho, (0.0, 0.0), 10.0) == pytest.approx(p.h**2 * rho.sum())
    # a square on cell edges holds exactly its cells
    assert cm.square_mass(p, rho, (0.0, 0.0), 2 * p.h) == pytest.approx(p.h**2 * rho[6:10, 6:10].sum())
    # a square of side h/2 about a cell centre lies inside that cell
    c = p.centres[8]
    assert cm.square_mass(p, rho, (c, c), p.h / 4) == pytest.approx(rho[8, 8] * (p.h / 2) ** 2)


def test_wall_fraction_and_slope_helpers():
    p = cm.free_params(4.0, 16)
    rho = np.zeros((16, 16))
    rho[0, 5] = 1.0
    rho[8, 8] = 3.0
    assert cm.wall_fraction(p, rho) == pytest.approx(0.25)
    t = np.linspace(0.0, 1.0, 5)
    assert cm.fit_slope(t, 2.0 - 3.0 * t) == pytest.approx(-3.0)
    assert math.isnan(cm.fit_slope(t[:1], t[:1]))


def test_gaussian_starts_have_the_stated_second_moment():
    p = cm.free_params(cm.IDENTITY_L, 64)
    M = 4 * math.pi
    rho0 = K.gaussian_bumps(p, [[0.0, 0.0]], [M], [cm.SIGMA])
    # the piecewise-constant cell averages carry the Gaussian's m2 up to O(h^2) per unit mass
    assert abs(K.second_moment(p, rho0) - 2 * cm.SIGMA**2 * M) <= M * p.h**2
    assert cm.wall_fraction(p, rho0) < 1e-9


def test_wrong_models_name_checks_of_this_module():
    ids = {w.check for w in cm.WRONG_MODELS}
    assert ids == {"ks2d_pde.second_moment_identity", "ks2d_pde.critical_mass_dichotomy", "ks2d_pde.merger"}


def test_half_chi_solver_really_halves_chi():
    p = cm.free_params(4.0, 16)
    rho0 = K.gaussian_bumps(p, [[0.0, 0.0]], [8.0], [0.5])
    ours = K.run(p.replace(chi=0.5), rho0, [0.0, 1e-3])
    wrong = cm.half_chi_solver(p, rho0, [0.0, 1e-3])
    assert np.array_equal(ours.rho, wrong.rho)
