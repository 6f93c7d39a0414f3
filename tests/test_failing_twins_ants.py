"""Every seed-002 ("ants") check passes on our methods and fails on a deliberately wrong model."""

import numpy as np
import pytest

from continuum.disc import DiscSolver, lyapunov_W
from continuum.normal_modes import anneal
from verification.records import CheckConfig, load_all, run_check

CFG = CheckConfig("quick", seed=7)


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


def unconstrained_annealer(model, temperatures, sweeps, n_samples, seed, c_const0=None):
    """Metropolis without the non-negativity rejection."""
    return anneal(model, temperatures, sweeps, n_samples, seed, c_const0, enforce_nonnegative=False)


WRONG = {
    "ants.homogeneous_W": {"functional": wrong_g_functional},
    "ants.stationary_bessel": {"functional": wrong_gradient_functional},
    "ants.threshold": {"solver": f0_scaled_solver},
    "ants.lyapunov": {"solver": repulsive_solver, "identity_coefficients": seed_identity},
    "ants.annealing": {"annealer": unconstrained_annealer},
    "ants.pde_vs_annealing": {"solver": f0_scaled_solver},
}

#: Each wrong ingredient alone must already fail its check.
SINGLE = [("ants.lyapunov", {"solver": repulsive_solver}),
          ("ants.lyapunov", {"identity_coefficients": seed_identity})]


@pytest.mark.parametrize("check_id", sorted(WRONG))
def test_check_fails_on_wrong_model(check_id):
    res = run_check(load_all()[check_id], CFG, **WRONG[check_id])
    assert not res.passed, res.details


@pytest.mark.parametrize(("check_id", "kw"), SINGLE)
def test_single_wrong_ingredient_fails(check_id, kw):
    res = run_check(load_all()[check_id], CFG, **kw)
    assert "error" not in res.details, res.details.get("traceback")
    assert not res.passed, res.details


@pytest.mark.parametrize("check_id", sorted(WRONG))
def test_check_passes_on_our_model(check_id):
    res = run_check(load_all()[check_id], CFG)
    assert "error" not in res.details, res.details.get("traceback")
    assert res.passed, res.details
