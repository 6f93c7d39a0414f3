"""Configurations and helpers of the ants topic that checks, protocols, bench workloads and sweeps share.

[ANTS] model on a disc: the paper's parameters (:data:`PAPER`), the mean density, the
derived Eq. (46) coefficients (:func:`modal_model`), the derived threshold f0* (:func:`f0_star`)
and the entropy of Eq. (48) of an annealed normal-mode state (:func:`entropy_from_modes`).
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
from scipy.special import jn_zeros

from continuum.disc import DiscParams
from continuum.normal_modes import ModalModel
from verification.ants import derivation as deriv

#: The paper's coefficients (chi0 = 4, D0 = f0 = nu0 = g0 = 1 except f0 = 4) on the unit disc.
PAPER = DiscParams(chi0=4.0, D0=1.0, f0=4.0, nu0=1.0, g0=1.0, radius=1.0)
#: Mean density rho_c of every check.
RHO_C = 1.0
#: j_11, the first zero of J1 (the Neumann J0 mode of the disc: K l = j11).
J11 = float(jn_zeros(1, 1)[0])


def numeric() -> SimpleNamespace:
    """The lambdified derivations of :mod:`verification.ants.derivation` (cached)."""
    return deriv.numeric()


def pars(p: DiscParams) -> tuple:
    """``(chi0, D0, f0, nu0, g0)``: the leading arguments of the derived functions."""
    return (p.chi0, p.D0, p.f0, p.nu0, p.g0)


def f0_star(chi0: float = PAPER.chi0) -> float:
    """Derived linear-stability threshold f0* (K l = j11) for the paper's other parameters."""
    return float(numeric().f0_star(chi0, PAPER.D0, PAPER.nu0, PAPER.g0, PAPER.radius, J11))


def modal_model(p: DiscParams, m_hat: int = 19, rho_const: float = RHO_C) -> ModalModel:
    """Eq. (46) coefficients from the derived per-mode matrix Q_m."""
    z = np.concatenate(([0.0], jn_zeros(1, m_hat)))
    Q = np.array([numeric().Q(*pars(p), p.radius, zz) for zz in z], dtype=float)
    return ModalModel(Q[:, 0, 0], Q[:, 0, 1], Q[:, 1, 1], p.chi0 / p.D0, rho_const, p.radius)


def entropy_from_modes(model: ModalModel, E: np.ndarray, G: np.ndarray) -> float:
    """Eq. (48) by the trapezoid rule on the annealer's own non-negativity mesh (NaN if rho < 0 there)."""
    r = model.mesh()
    rho = model.rho_const + E[1:] @ model.basis(r)[1:]
    if np.any(rho < 0):
        return math.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(rho > 0, rho * np.log(rho / model.rho_const), 0.0)
    return float(-2 * np.pi * np.trapezoid(f * r, r))
