"""Symbolic derivations for the moment checks of the 2D parabolic-elliptic Keller-Segel PDE ([SIPF] §2.1).

* :func:`blowup_bound` -- the variance identity d/dt m2 = 4 mu M - chi M^2 / (2 pi) ([SIPF] Eq. 6 at
  general mu, chi; derived in :func:`verification.radial.derivation.variance_identity`) makes m2(t)
  linear in t; for M > 8 pi mu / chi it reaches 0 at ``T* = m2(0) / (chi M^2 / (2 pi) - 4 mu M)``, so a
  classical solution cannot live past T* (blow-up no later than T*). m2 is taken about the centre of
  mass, which the dynamics keeps fixed (the pair forces cancel), so T* does not depend on the origin.
* :func:`box_background_rate` -- what the *box* field on a bounded square adds to the slope. With k = 0
  and eps = 0 the box field solves ``-Lap c = rho - M / |Omega|`` (the neutralising background of a
  bounded domain). Its background part ``c_b`` with ``-Lap c_b = -M / L^2`` is, radially,
  ``c_b = M |x|^2 / (4 L^2)`` (+ a harmonic function that the boundary condition fixes), and it adds
  ``chi int rho grad|x|^2 . grad c_b = chi M m2 / L^2`` to d/dt m2: an outward-pushing term the
  free-space identity does not have (the harmonic remainder adds a smaller, shape-dependent term).
* :func:`gaussian_m2` -- m2 about the centre of mass of a sum of isotropic Gaussians,
  ``sum_i M_i (2 sigma_i^2 + |x_i - x_c|^2)`` (each Gaussian's own variance 2 sigma^2 in 2D plus the
  parallel-axis term).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import sympy as sp

from verification.radial import derivation as rd

m2_0, L = sp.symbols("m2_0 L", positive=True)
x1, x2 = sp.symbols("x1 x2", real=True)


@dataclass(frozen=True)
class MomentFormulas:
    """Derived formulas (sympy expressions)."""

    rate: sp.Expr                # d/dt m2 (the variance identity), in M, mu, chi
    blowup_bound: sp.Expr        # T* = the zero of m2(0) + rate t (positive when rate < 0)
    background_field: sp.Expr    # c_b(x1, x2) with -Lap c_b = -M / L^2, radial, c_b(0) = 0
    background_lap: sp.Expr      # -Lap c_b + M / L^2: 0
    background_rate: sp.Expr     # chi * (2 x . grad c_b) per unit mass at x: chi M |x|^2 / L^2


@cache
def formulas() -> MomentFormulas:
    """Derive the formulas of the module docstring."""
    M, chi = rd.M, rd.chi
    rate = rd.variance_identity().continuum
    t = sp.Symbol("t")
    bound = sp.solve(sp.Eq(m2_0 + rate * t, 0), t)[0]
    c_b = M * (x1**2 + x2**2) / (4 * L**2)
    lap = sp.simplify(-(sp.diff(c_b, x1, 2) + sp.diff(c_b, x2, 2)) + M / L**2)
    # int |x|^2 div(-chi rho grad c_b) = chi int rho grad|x|^2 . grad c_b (no-flux walls)
    integrand = sp.simplify(chi * (2 * x1 * sp.diff(c_b, x1) + 2 * x2 * sp.diff(c_b, x2)))
    return MomentFormulas(sp.simplify(rate), sp.simplify(bound), c_b, lap, integrand)


@dataclass(frozen=True)
class Numeric:
    """Lambdified forms used by the checks."""

    rate: object            # (M, mu, chi) -> d/dt m2
    blowup_bound: object    # (m2_0, M, mu, chi) -> T*
    background: object      # (M, chi, m2, L) -> the box field's extra slope chi M m2 / L^2


@cache
def numeric() -> Numeric:
    """Lambdify the derived expressions."""
    f = formulas()
    m2 = sp.Symbol("m2", positive=True)
    # integrating the per-point integrand chi M |x|^2 / L^2 against rho gives chi M m2 / L^2
    per_point = sp.simplify(f.background_rate / (x1**2 + x2**2))
    return Numeric(sp.lambdify((rd.M, rd.mu, rd.chi), f.rate, "math"),
                   sp.lambdify((m2_0, rd.M, rd.mu, rd.chi), f.blowup_bound, "math"),
                   sp.lambdify((rd.M, rd.chi, m2, L), per_point * m2, "math"))


def gaussian_m2(centres: np.ndarray, masses: np.ndarray, widths: np.ndarray) -> tuple[float, np.ndarray]:
    """m2 about the centre of mass of a sum of isotropic 2D Gaussians, and that centre.

    Parameters
    ----------
    centres : ndarray, shape (b, 2)
        Bump centres [length].
    masses : ndarray, shape (b,)
        Bump masses [mass].
    widths : ndarray, shape (b,)
        Standard deviations per direction [length].

    Returns
    -------
    m2 : float
        ``sum_i M_i (2 sigma_i^2 + |x_i - x_c|^2)`` [mass length^2].
    x_c : ndarray, shape (2,)
        The centre of mass [length].
    """
    centres, masses, widths = np.asarray(centres, float), np.asarray(masses, float), np.asarray(widths, float)
    xc = masses @ centres / masses.sum()
    return float(masses @ (2 * widths**2 + ((centres - xc) ** 2).sum(axis=1))), xc
