"""Seed 003 radial/2D-particle checks pass on our methods and fail on deliberately wrong ones.

Wrong models: particles whose pair drift uses half the 2D constant (the 3D-style 1/(4 pi) in place of
1/(2 pi), equivalently chi/2); the radial solver with a first-order upwind flux (not the second-order
scheme the convergence check certifies); the radial solver with chi halved (the critical mass doubles,
so M0 = 60 no longer blows up and no bracket exists in [44, 52]).
"""

import pytest

from agents.ks2d_particles import simulate
from continuum.radial_ks3d import radial_solver
from verification.records import CheckConfig, load_all, run_check

CFG = CheckConfig("quick", seed=7)


def half_constant_particles(params, x0, n_steps, seed):
    return simulate(params.replace(chi=params.chi / 2), x0, n_steps, seed)


def upwind_solver(params, t_end, profile_times=()):
    return radial_solver(params.replace(flux="upwind"), t_end, profile_times)


def half_chi_solver(params, t_end, profile_times=()):
    return radial_solver(params.replace(chi=params.chi / 2), t_end, profile_times)


WRONG = {
    "ks2d.variance_identity": {"particles": half_constant_particles},
    "radial3d.convergence": {"solver": upwind_solver},
    "radial3d.critical_mass_onset": {"solver": half_chi_solver},
    "radial3d.critical_mass": {"solver": half_chi_solver},
}


@pytest.mark.parametrize("check_id", sorted(WRONG))
def test_radial_check_fails_on_wrong_model(check_id):
    res = run_check(load_all()[check_id], CFG, **WRONG[check_id])
    assert "error" not in res.details, res.details.get("traceback")
    assert not res.passed, res.details


#: Our critical mass of the unit ball is (48.0, 48.125) on h = 0.02, 0.01 and on h = 0.002, 0.001 (full
#: profile, dt = 1e-5): grid-converged and about 0.3 above the paper's (47.6, 47.8), outside the derived
#: tolerance. The check reports that disagreement (see verification/errata_radial.py) instead of widening
#: its tolerance.
DISAGREES_WITH_PAPER = pytest.mark.xfail(strict=True, reason="radial critical mass ~48.06 vs the paper's "
                                         "(47.6, 47.8): a reported discrepancy, not a tolerance to widen")


OURS = [pytest.param(c, marks=DISAGREES_WITH_PAPER) if c == "radial3d.critical_mass" else c for c in sorted(WRONG)]


@pytest.mark.parametrize("check_id", OURS)
def test_radial_check_passes_on_our_model(check_id):
    res = run_check(load_all()[check_id], CFG)
    assert "error" not in res.details, res.details.get("traceback")
    assert res.passed, res.details
