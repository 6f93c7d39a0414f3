"""Errata for [SIPF] (SIPF for 3D parabolic-parabolic Keller-Segel): stated formulas vs derivations.

Listed by ``activebench errata`` (``verification.topics.modules("errata")``). Each stated
formula is transcribed as printed; the derived counterpart comes from
``verification.sipf.derivation`` or from the Fourier conventions of Eq. (20).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from verification.errata import CodeErratum, FormulaErratum
from verification.sipf import derivation as d

j, m, l_ = sp.symbols("j m l", integer=True)
X1, X2, X3 = sp.symbols("X1 X2 X3", real=True)
P = sp.symbols("P", positive=True)
H = sp.symbols("H", positive=True, even=True)
_w2 = 4 * sp.pi**2 * (j**2 + m**2 + l_**2) / d.L**2
_phase = sp.exp(-sp.I * 2 * sp.pi * (j * X1 + m * X2 + l_ * X3) / d.L)


def _alg1_stated() -> sp.Expr:
    # Alg. 1, one particle (P = 1): alpha_n = eps alpha_{n-1}/(dt(w2 + beta^2)) - F,
    # F = exp(-i w.X) (-1)^(j+m+l) / (w2 + beta^2) * M/P
    b2 = d.k**2 + d.eps / d.dt
    F = _phase * (-1) ** (j + m + l_) / (_w2 + b2) * d.M0 / P
    return (d.eps * d.a_prev / (d.dt * (_w2 + b2)) - F).subs(P, 1)


def _alg1_derived() -> sp.Expr:
    # c_n = -K*(eps c_{n-1}/dt + rho_n), FK = -1/(w2 + beta^2) (Eq. 26), rho_hat = (M0/(P L^3)) exp(-i w.X)
    rho_hat = d.M0 / (P * d.L**3) * _phase
    return d.field_step().alpha_n.subs({d.w2: _w2, d.rho_hat: rho_hat}).subs(P, 1)


def _alg2_shift_stated() -> sp.Expr:
    # Alg. 2: Xbar = H/(2L) + ceil(X/(H/L)) H/L - X  (one component)
    return H / (2 * d.L) + sp.ceiling(X1 / (H / d.L)) * H / d.L - X1


def _alg2_shift_derived() -> sp.Expr:
    # Eq. (30): Xbar = L/(2H) + floor(X/(L/H)) L/H - X: the cell centre of X minus X, cell width L/H
    return d.L / (2 * H) + sp.floor(X1 / (d.L / H)) * d.L / H - X1


def _nyquist_stated() -> sp.Expr:
    # Eq. (37) range of the frequency integral: upper end pi/L * H/2
    return sp.pi / d.L * H / 2


def _nyquist_derived() -> sp.Expr:
    # w = 2 pi k / L with |k| <= H/2 (Eqs. 20-21): upper end 2 pi/L * H/2
    return 2 * sp.pi / d.L * H / 2


def _eq34_stated() -> sp.Expr:
    return d.M0  # |rho_hat| <= M


def _eq34_derived() -> sp.Expr:
    return d.M0 / d.L**3  # with the 1/L^3 of a Fourier coefficient of Eq. (20)


FORMULAS: list[FormulaErratum] = [
    FormulaErratum(
        "003", "Alg. 1 (and the display before it)", "mode update alpha_n of c_n, one particle at X",
        _alg1_stated, _alg1_derived,
        "three slips: the source is subtracted (the display before Alg. 1 drops the minus of FK = "
        "-1/(|w|^2+beta^2), Eq. 26, and Alg. 1 then subtracts F: c would have a negative source); the "
        "1/L^3 of a Fourier coefficient is missing; the (-1)^(j+m+l) phase belongs to corner-based "
        "coordinates, not to Eq. (20)'s centred x. measured: sipf.fast_vs_reference and sipf.c0_identity "
        "fail on the printed update"),
    FormulaErratum(
        "003", "Alg. 2, line 'Xbar <- ...'", "cell-offset shift Xbar (one component)",
        _alg2_shift_stated, _alg2_shift_derived,
        "H/L printed for the cell width L/H (twice) and ceil for floor; Eq. (30) has the right form"),
    FormulaErratum(
        "003", "Eq. (34)", "bound of |rho_hat_n(w)|", _eq34_stated, _eq34_derived,
        "with Alg. 1's (unnormalized) sums the bound is M; for the Fourier coefficients of Eq. (20) it is M/L^3. "
        "The stability conclusion (only k > 0 needed) is unaffected"),
    FormulaErratum(
        "003", "§4.1 text after Eq. (37)", "largest frequency of the discretization",
        _nyquist_stated, _nyquist_derived,
        "omega = 2 pi k/L (Eq. 20) with |k| <= H/2 gives pi H/L, not pi H/(2L); the O(ln H) and O(H) "
        "scalings of Eqs. (38)-(39) are unaffected"),
    FormulaErratum(
        "003", "Eq. (32)", "coefficient of c_hat_{n-1} in the field update",
        lambda: 1 / (1 + (d.w2 + d.k**2) * d.dt / d.eps), lambda: d.field_step().A_c,
        "correct (checked)"),
    FormulaErratum(
        "003", "Eq. (33)", "bound M_c of |c_hat_n|", lambda: sp.Symbol("M_rho", positive=True) / (d.w2 + d.k**2),
        lambda: d.field_step().Mc, "correct (checked)"),
    FormulaErratum(
        "003", "Eq. (42)", "c0(t)", lambda: (d.C0 - d.M0 / d.k**2) * sp.exp(-d.k**2 * d.t / d.eps) + d.M0 / d.k**2,
        lambda: d.mass_identity().c0, "correct (checked)"),
    FormulaErratum(
        "003", "Eq. (26)", "Fourier transform of K", lambda: -1 / (d.w**2 + d.beta**2), lambda: d.green().FK,
        "correct (checked)"),
]


def _mass_text() -> tuple[bool, str]:
    return True, ("§4.1 text under Fig. 1: 'we increase the total mass from M0 = 20 to M0 = 50', while Eq. (35)'s "
                  "example, Fig. 1(c)'s caption and Figs. 2-3 use M0 = 80")


def _cost_swap() -> tuple[bool, str]:
    return True, ("Remark 3.3 gives the cost per step of Alg. 2 as O(P Card H) and of Alg. 1 as O(P^2 + P Card H "
                  "log Card H): swapped -- Alg. 1 (mode sums) is O(P Card H), Alg. 2 (pair sum + per-particle "
                  "inverse FFT) is O(P^2 + P Card H log Card H)")


def _table1_c0() -> tuple[bool, str]:
    num = d.numeric()
    lam_rows = {4: 0.01773, 5: 0.00898, 6: 0.00452, 7: 0.00227, 8: 0.00113}
    out = []
    for e, paper in lam_rows.items():
        n = np.arange(1, 2**e + 1)
        dt = 0.01 * 2.0**-e
        ex = num.c0_exact(n * dt, 0.0, 80.0, 0.1, 1e-4)
        be = num.c0_be(n, 0.0, 80.0, 0.1, 1e-4, dt)
        out.append(f"2^-{e}: {float(np.sqrt(np.mean(((be - ex) / ex) ** 2))):.5f} (paper {paper})")
    return True, ("c(0) is not stated; with c(0) = 0 the backward-Euler c0 error (Eq. 43) is " + "; ".join(out) +
                  " -- a constant 0.76x; int c(0) = 624 reproduces all five rows to 0.5%")


CODE: list[CodeErratum] = [
    CodeErratum("003", "§4.1 text", "mass of the focusing example", _mass_text, "M0 = 80"),
    CodeErratum("003", "Remark 3.3", "cost of Alg. 1 vs Alg. 2", _cost_swap, "swap the two costs"),
    CodeErratum("003", "§4.2 / Table 1", "initial field c(0) of the convergence study", _table1_c0,
                "state c(0); the c0 column is consistent with int c(0) dx ~ 624"),
]
