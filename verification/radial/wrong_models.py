"""Deliberately wrong models of the radial checks: each check must run to its end and fail on them.

Particles whose pair drift uses half the 2D constant (the 3D-style 1/(4 pi) in place of
1/(2 pi), equivalently chi/2); the radial solver with a first-order upwind flux (not the
second-order scheme the convergence check certifies); the radial solver with chi halved (the
critical mass doubles, so M0 = 60 no longer blows up and no bracket exists in [47.5, 48.5]).
"""

from __future__ import annotations

from agents.ks2d_particles import simulate
from continuum.radial_ks3d import radial_solver
from verification.records import CheckConfig
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
               "chi halved (the critical mass doubles: no bracket in the search range [47.5, 48.5])",
               config=CheckConfig("full", seed=7), slow=True),
]


# Wrong models of verification/radial/checks_table4.py: chi entering squared (invisible at chi = 1,
# so only the chi-row and the exact chi scaling can catch it); chi scaled by 1.5 (collapse amplitude
# 6/chi = 4 instead of 6, both starts collapse faster than type I allows from above); chi halved.
def chi_squared_solver(params, t_end, profile_times=()):
    """The radial solver with chi replaced by chi^2 (the same at chi = 1)."""
    return radial_solver(params.replace(chi=params.chi**2), t_end, profile_times)


def strong_chi_solver(params, t_end, profile_times=()):
    """The radial solver with chi multiplied by 1.5."""
    return radial_solver(params.replace(chi=1.5 * params.chi), t_end, profile_times)


WRONG_MODELS += [
    WrongModel("radial3d.table4", {"solver": chi_squared_solver},
               "chi entering squared (exact 1/chi scaling of M_c broken; invisible at chi = 1)"),
    WrongModel("radial3d.type_one_rate", {"solver": strong_chi_solver},
               "chi x 1.5 (collapse amplitude 6/chi = 4, not the 6 of mu = chi = 1)"),
    WrongModel("radial3d.cluster_subcritical", {"solver": half_chi_solver},
               "chi halved (the enclosing ball's critical mass exceeds 80 and the search range)"),
    WrongModel("radial3d.eps01_crosscheck", {"solver": half_chi_solver},
               "chi halved (the variance identity's pair term is off by a factor 2)"),
]
