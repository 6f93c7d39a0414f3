"""Errata for [ANTS] (nonlinear-diffusion chemotaxis on a disc): stated formulas vs derivations.

The stated forms are transcribed from the seed; the derived ones come from
``verification.ants.derivation`` (sympy); the verdicts are computed.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from scipy.special import j0, jn_zeros

from continuum.disc import DiscParams, ftcs_paper
from verification.ants import derivation as d
from verification.errata import CodeErratum, FormulaErratum

chi0, D0, f0, nu0, g0, ell = d.chi0, d.D0, d.f0, d.nu0, d.g0, d.ell
rho_c, M, k, eta, j = d.rho_c, d.M, d.k, d.eta, d.j
a_stated = f0 * chi0 / (D0 * nu0)


def _Q_stated() -> sp.Expr:
    return sp.Matrix([[a_stated, -a_stated], [-a_stated, g0 / nu0 + j**2 / ell**2]])


def _ku2_stated() -> sp.Expr:
    return f0 * chi0 * sp.sqrt(rho_c / (D0 * nu0)) * (1 / (sp.sqrt(D0 * rho_c) + sp.sqrt(nu0))) ** 2


def _ku2_derived() -> sp.Expr:
    cands = d.most_unstable().candidates
    # the physical root: positive for D0 rho_c != nu0 (checked at a sample point)
    pt = {chi0: 4, D0: 1, f0: 4, nu0: 1, rho_c: 2}
    good = [c for c in cands if float(c.subs(pt)) > 0]
    return sp.factor(sp.radsimp(good[0]))


def _diff_matrix(stated, derived):
    return lambda: sp.simplify(stated() - derived())


FORMULAS: list[FormulaErratum] = [
    FormulaErratum(
        "002", "Eq. (11)", "coefficient of d c'/d tau (tau = D0 t, c' = chi0 c/D0)",
        lambda: chi0 / nu0, lambda: d.rescaled().kappa,
        "the rescaling gives D0/nu0, not chi0/nu0 (differ by 4 for the seed's chi0 = 4, D0 = 1); "
        "the sign, hence W's monotonicity, is unaffected"),
    FormulaErratum(
        "002", "Eqs. (16)-(17)", "coefficient of int (d c'/d tau)^2 in -dW/dtau",
        lambda: chi0 / nu0, lambda: d.lyapunov().coef_c,
        "inherits the Eq. (11) slip; derived D0/nu0 (measured: ants.lyapunov identity part)"),
    FormulaErratum(
        "002", "Eq. (17)", "coefficient of int rho |grad Z|^2 in -dW/dtau",
        lambda: a_stated, lambda: d.lyapunov().coef_rho, ""),
    FormulaErratum(
        "002", "Eq. (19) (= Eq. 35)", "W of the homogeneous state",
        lambda: M**2 / (2 * sp.pi * ell**2) * a_stated * (1 - f0 * chi0 / (D0 * g0)),
        lambda: d.homogeneous().W_of_M, "the factor (1 - f0 chi0/(D0 g0)) is right"),
    FormulaErratum(
        "002", "text after Eq. (47)", "W_ref/(pi l^2) for f0 = 5, chi0 = 4, rho_c = D0 = nu0 = g0 = l = 1",
        lambda: sp.Integer(-190),
        lambda: (d.homogeneous().W / (sp.pi * ell**2)).subs({f0: 5, chi0: 4, rho_c: 1, D0: 1, nu0: 1, g0: 1,
                                                               ell: 1}),
        "correct (measured: ants.homogeneous_W)"),
    FormulaErratum(
        "002", "Eq. (22)", "dispersion relation of the homogeneous state",
        lambda: (eta**2 + (k**2 * (D0 * rho_c + nu0) + g0) * eta
                 + rho_c * (k**2 * D0 * (g0 + k**2 * nu0) - k**2 * f0 * chi0)),
        lambda: d.linear().charpoly, ""),
    FormulaErratum(
        "002", "Eq. (24)", "K^2", lambda: f0 * chi0 / (D0 * nu0) - g0 / nu0, lambda: d.linear().K2, ""),
    FormulaErratum(
        "002", "Eq. (23)", "(k l)^2 of the lowest Neumann mode, j11^2",
        lambda: sp.Float(14.684), lambda: sp.Float(float(jn_zeros(1, 1)[0]) ** 2, 15),
        "rounding slip: j11^2 = 14.6820 (f0* = 3.9205 either way)", approximation=True),
    FormulaErratum(
        "002", "Eq. (25)", "most unstable k_u^2 for g0 -> 0", _ku2_stated, _ku2_derived, ""),
    FormulaErratum(
        "002", "Eq. (46)", "per-mode matrix in the (E_0m, chi0 G_0m / D0) basis",
        lambda: _Q_stated()[0, 0] + 2 * _Q_stated()[0, 1] + 3 * _Q_stated()[1, 1],
        lambda: d.modal().Q[0, 0] + 2 * d.modal().Q[0, 1] + 3 * d.modal().Q[1, 1],
        "compared as Q11 + 2 Q12 + 3 Q22 (each entry also matches); consistent with Eq. (45)"),
]


def _ftcs_mass() -> tuple[bool, str]:
    """The seed's FTCS on the non-conservative Eq. (49) does not conserve the mass M (Eq. 4)."""
    p = DiscParams(f0=4.0)
    r = np.linspace(0.0, 1.0, 200)
    rho0 = np.maximum(1.0 + 2.7 * j0(float(jn_zeros(1, 1)[0]) * r), 0.0)
    c0 = np.full(r.size, 4.0)
    rho, _ = ftcs_paper(p, rho0, c0, 1e-7, 500_000)

    def mass(x):
        return float(np.trapezoid(x * r, r))

    drift = mass(rho) / mass(rho0) - 1
    return abs(drift) > 1e-3, (f"relative mass change {drift:.2e} after t = 0.05 (5e5 steps of dt = 1e-7, "
                               f"200 nodes, start 1 + 2.7 J0(j11 r) clipped at 0)")


CODE: list[CodeErratum] = [
    CodeErratum("002", "Fig. 6 / text after Eq. (50)", "FTCS of the expanded Eq. (49)", _ftcs_mass,
                "finite volumes on the flux form (1/r)(r rho (D0 rho_r - chi0 c_r))_r with zero boundary flux "
                "(continuum.disc.DiscSolver): M conserved exactly, W non-increasing"),
]
