"""Helpers of the SIPF field checks (verification/sipf/checks_field.py): derived coefficients and thresholds."""

import math

import numpy as np
import sympy as sp

from agents import sipf as S
from verification.sipf import checks_field as F
from verification.sipf import derivation as deriv
from verification.sipf import wrong_models as W
from verification.sipf.cases import PAPER


def test_cube_constant_matches_lattice_sum():
    # sum_{|k_i| <= N} 1/|k|^2 grows like N C_cube: the slope between N = 32 and 48
    def lattice(N):
        k = np.arange(-N, N + 1) ** 2
        s = k[:, None, None] + k[None, :, None] + k[None, None, :]
        return float(np.sum(1.0 / s[s > 0]))

    slope = (lattice(48) - lattice(32)) / 16
    assert abs(slope - F.cube_constant()) < 2e-3 * F.cube_constant()


def test_recursion_coefficient_is_linear_in_eps():
    expected = deriv.eps / (deriv.dt * (deriv.w2 + deriv.k**2))
    assert sp.simplify(F.recursion_coefficient() - expected) == 0


def test_point_mass_slope_and_the_printed_nyquist():
    s = [F.point_mass_cinf(S.step_pieces_fast, PAPER.replace(H=H)) for H in (32, 48)]
    assert abs((s[1] - s[0]) / 16 - F.point_mass_slope(PAPER.mass, PAPER.L)) < 1e-3
    half = [F.point_mass_cinf(W.half_band_pieces, PAPER.replace(H=H)) for H in (32, 48)]
    assert abs((half[1] - half[0]) / 16 - F.point_mass_slope(PAPER.mass, PAPER.L, 0.5)) < 1e-3


def test_elliptic_limit_is_exact_at_eps_zero():
    p = PAPER.replace(H=8, eps=0.0, chi=0.0, dt=0.1)
    path = F.brownian_path(S.uniform_ball(200, seed=3), 3, p.dt, p.mu, p.L, seed=4)
    lam = F.mode_lambda(p)
    a = F.field_along_path(S.step_pieces_fast, p, path, np.zeros((9, 9, 9), complex))
    ell = S.rho_modes_fast(p, path[-1]) / lam
    assert np.max(np.abs(a - ell)) <= 1e-10 * np.max(np.abs(ell))


def test_explicit_threshold():
    p = PAPER.replace(H=8, chi=0.0)
    x = S.uniform_ball(200, radius=0.05, seed=5)
    rho = S.rho_modes_fast(p, x)
    c0 = 10 * S.rho_modes_fast(p, S.uniform_ball(200, seed=6)) / F.mode_lambda(p)
    dt_crit = 2 * p.eps / float(np.max(F.mode_lambda(p)))
    assert F.explicit_growth(p.replace(dt=0.9 * dt_crit), rho, c0, 40) <= 1.0
    assert F.explicit_growth(p.replace(dt=1.1 * dt_crit), rho, c0, 40) > 100.0


def test_profile_transforms_at_zero_and_large_q():
    q = np.array([0.0, 1e3])
    inv, ball = F.inverse_square_transform(80.0, 1.0)(q), F.ball_transform(80.0, 1.0)(q)
    assert inv[0] == 80.0
    assert ball[0] == 80.0
    assert abs(inv[1] - 80.0 * (math.pi / 2) / 1e3) < 1e-3
    assert abs(ball[1]) <= 6 * 80.0 / 1e6
