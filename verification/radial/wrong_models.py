"""Deliberately wrong models of the radial checks: each check must run to its end and fail on them.

Particles whose pair drift uses half the 2D constant (the 3D-style 1/(4 pi) in place of
1/(2 pi), equivalently chi/2); the radial solver with a first-order upwind flux (not the
second-order scheme the convergence check certifies); the radial solver with chi halved (the
critical mass doubles, so M0 = 60 no longer blows up and no bracket exists in [44, 52]).
"""

from __future__ import annotations

from agents.ks2d_particles import simulate
from continuum.radial_ks3d import radial_solver
from verification.testing import WrongModel


def half_constant_particles(params, x0, n_steps, seed):
    """2D particles with the pair drift's constant halved (chi/2)."""
    return simulate(params.replace(chi=params.chi / 2), x0, n_steps, seed)


def upwind_solver(params, t_end, profile_times=()):
    """The radial solver with first-order upwind face weights."""
    return radial_solver(params.replace(flux="upwind"), t_end, profile_times)


def half_chi_solver(params, t_end, profile_times=()):
    """The radial solver with chi halved."""
    return radial_solver(params.replace(chi=params.chi / 2), t_end, profile_times)


WRONG_MODELS = [
    WrongModel("ks2d.variance_identity", {"particles": half_constant_particles},
               "pair-drift constant halved (1/(4 pi) in place of 1/(2 pi))"),
    WrongModel("radial3d.convergence", {"solver": upwind_solver}, "first-order upwind flux"),
    WrongModel("radial3d.critical_mass_onset", {"solver": half_chi_solver}, "chi halved"),
    WrongModel("radial3d.critical_mass", {"solver": half_chi_solver},
               "chi halved (no bracket in [44, 52]; quick-profile sizes)"),
]

#: Our critical mass of the unit ball is (48.0, 48.125) on h = 0.02, 0.01 and on h = 0.002, 0.001 (full
#: profile, dt = 1e-5): grid-converged and about 0.3 above the paper's (47.6, 47.8), outside the derived
#: tolerance. The check reports that disagreement (see verification/radial/errata.py) instead of widening
#: its tolerance.
DISAGREES = {
    "radial3d.critical_mass": "radial critical mass ~48.06 vs the paper's (47.6, 47.8): a reported discrepancy, "
                              "not a tolerance to widen",
}
