"""Deliberately wrong models of the ants checks: each check must run to its end and fail on them.

The wrong models are small edits of the right ones (a wrong factor in W, a wrong sign of the
chemotaxis, a shifted f0, the seed's own coefficient, a missing constraint), fed through the
checks' method keywords.
"""

from __future__ import annotations

import numpy as np

from continuum.disc import DiscSolver, lyapunov_W
from continuum.normal_modes import anneal
from verification.testing import WrongModel


def wrong_g_functional(p, grid, rho, c):
    """W with g0/nu0 instead of g0/(2 nu0) on the c'^2 term."""
    cp = p.chi0 / p.D0 * np.asarray(c)
    return lyapunov_W(p, grid, rho, c) + float(np.sum(grid.volumes * p.g0 / (2 * p.nu0) * cp**2))


def wrong_gradient_functional(p, grid, rho, c):
    """W with |grad c'|^2 instead of |grad c'|^2 / 2."""
    cp = p.chi0 / p.D0 * np.asarray(c)
    return lyapunov_W(p, grid, rho, c) + 0.5 * float(np.sum(grid.faces * np.diff(cp) ** 2))


def f0_scaled_solver(p, n_cells):
    """The PDE with f0 scaled by 1.1."""
    return DiscSolver(p.replace(f0=1.1 * p.f0), n_cells)


def repulsive_solver(p, n_cells):
    """The PDE with the chemotaxis sign flipped."""
    return DiscSolver(p, n_cells, chemotaxis_sign=-1.0)


def seed_identity(p):
    """Eq. (17) with the seed's coefficient chi0/nu0 (from its Eq. 11) on int c'_tau^2."""
    return p.chi0 / p.nu0, p.a


def unconstrained_annealer(model, temperatures, sweeps_per_T, n_samples, seed, c_const0=None):
    """Metropolis without the non-negativity rejection."""
    return anneal(model, temperatures, sweeps_per_T, n_samples, seed, c_const0, enforce_nonnegative=False)


def quench_annealer(model, temperatures, sweeps_per_T, n_samples, seed, c_const0=None):
    """The schedule ignored: T = 0 for as many MC steps as the whole schedule would take."""
    return anneal(model, np.zeros(1), sweeps_per_T * len(temperatures), n_samples, seed, c_const0)


def seed_kappa_solver(p, n_cells):
    """The PDE with degradation rate f0 instead of g0: its quasi-static c has the seed's kappa^2 = f0/nu0."""
    return DiscSolver(p.replace(g0=p.f0), n_cells)


WRONG_MODELS = [
    WrongModel("ants.homogeneous_W", {"functional": wrong_g_functional},
               "g0/nu0 instead of g0/(2 nu0) on the c'^2 term of W"),
    WrongModel("ants.stationary_bessel", {"functional": wrong_gradient_functional},
               "|grad c'|^2 instead of |grad c'|^2 / 2 in W"),
    WrongModel("ants.threshold", {"solver": f0_scaled_solver}, "f0 10 % too large in the PDE"),
    WrongModel("ants.lyapunov", {"solver": repulsive_solver, "identity_coefficients": seed_identity},
               "chemotaxis sign flipped and the seed's Eq. (17) coefficient chi0/nu0"),
    # each wrong ingredient alone must already fail the check
    WrongModel("ants.lyapunov", {"solver": repulsive_solver}, "chemotaxis sign flipped (repulsive PDE)"),
    WrongModel("ants.lyapunov", {"identity_coefficients": seed_identity},
               "the seed's coefficient chi0/nu0 (its Eq. 11) on int c'_tau^2 in Eq. (17)"),
    WrongModel("ants.annealing", {"annealer": unconstrained_annealer},
               "Metropolis without the non-negativity rejection"),
    WrongModel("ants.pde_vs_annealing", {"solver": f0_scaled_solver}, "f0 10 % too large in the PDE"),
    WrongModel("ants.fig3_minima", {"annealer": quench_annealer},
               "no annealing: T = 0 throughout (as many MC steps as the schedule)"),
    WrongModel("ants.gradient_flow_dissipation", {"solver": seed_kappa_solver},
               "degradation f0 instead of g0 in the c equation (the seed's Eq. (6) screening kappa^2 = f0/nu0)"),
    WrongModel("ants.gradient_flow_dissipation", {"functional": wrong_gradient_functional},
               "|grad c'|^2 instead of |grad c'|^2 / 2 in W (E = (D0/a) W(rho, c[rho]) breaks)"),
]
