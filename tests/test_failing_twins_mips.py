"""MIPS checks pass on our methods and fail on deliberately wrong ones (seed 000 §4-6)."""

from dataclasses import replace

import numpy as np
import pytest

from continuum import cahn_hilliard as ch
from continuum.gradient_flow import GradientFlow1D
from verification.records import CheckConfig, load_all, run_check

CFG = CheckConfig("quick", seed=7)


def f_prime_wrong_quadratic(g, p):
    """f' with 1/g* instead of 3/(2 g*) in the quadratic term."""
    a, b, c = p.coefficients
    return g * (a + g * (b / 1.5 + c * g))


def explicit_wrong_kappa_sign(g, p, dt, n_steps, stability="raise"):
    """Forward Euler with mu = f'(g) + kappa lap g (sign slip of the interfacial term)."""
    g = np.array(g, dtype=float)
    inv = 1.0 / p.dx**2

    def lap(u):
        return (np.roll(u, 1, 0) + np.roll(u, -1, 0) + np.roll(u, 1, 1) + np.roll(u, -1, 1) - 4 * u) * inv

    with np.errstate(all="ignore"):
        for _ in range(n_steps):
            g = g + p.mobility * dt * lap(ch.f_prime(g, p) + p.kappa * lap(g))
            if not np.all(np.isfinite(g)):
                break
    return g


def explicit_wrong_gstar(g, p, dt, n_steps, stability="raise"):
    """The right scheme with g* off by 30% (a wrong v(g) behind f')."""
    return ch.advance_explicit(g, replace(p, g_star=1.3 * p.g_star), dt, n_steps, stability)


class WrongChemicalPotential(GradientFlow1D):
    """mu = log g - log v: a flow that is not the gradient flow of F_eff."""

    def mu(self, g):
        lap = (np.roll(g, -1) - 2 * g + np.roll(g, 1)) / self.dx**2
        return np.log(g) - np.log(self.speed(g)) - self.kappa * lap


def walkers_wrong_gstar(params, state, dt, n_steps):
    """Walkers whose speed vanishes at 1.3 g* instead of g*."""
    from agents.mips import advance, linear_speed

    g_star = 1.0 / (1.0 - float(params.speed(np.array([1.0]))[0]))  # v(1) = 1 - 1/g*
    return advance(replace(params, speed=linear_speed(1.0, 1.3 * g_star)), state, dt, n_steps)


def allen_cahn_mass_constrained(g, p, dt, n_steps):
    """Non-conserved dynamics d_t g = -M (mu - <mu>) (semi-implicit spectral): domains grow like t^(1/2)."""
    g = np.array(g, dtype=float)
    k2 = ch.wavenumbers_sq(p)
    s = ch.stabilizer(p)
    gh = np.fft.rfft2(g)
    den = 1.0 + dt * p.mobility * (p.kappa * k2 + s)
    for _ in range(n_steps):
        fh = np.fft.rfft2(ch.f_prime(g, p))
        new = (gh * (1.0 + dt * p.mobility * s) - dt * p.mobility * fh) / den
        new[0, 0] = gh[0, 0]
        gh = new
        g = np.fft.irfft2(gh, s=g.shape)
    return g


WRONG = {
    "mips.free_energy_symbolic": {"f_prime": f_prime_wrong_quadratic},
    "mips.ch_energy": {"explicit": explicit_wrong_kappa_sign},
    "mips.seed_histogram": {"explicit": explicit_wrong_gstar},
    "mips.lyapunov_feff": {"gradient_flow": WrongChemicalPotential},
    "mips.binodal": {"f_prime": f_prime_wrong_quadratic},
    "mips.spinodal_agents": {"walkers": walkers_wrong_gstar},
    "mips.coarsening": {"stepper": allen_cahn_mass_constrained},
}


SLOW = {"mips.coarsening"}  # ~20 s per run even at the quick size
IDS = [pytest.param(c, marks=pytest.mark.slow) if c in SLOW else c for c in sorted(WRONG)]


@pytest.mark.parametrize("check_id", IDS)
def test_mips_check_fails_on_wrong_model(check_id):
    res = run_check(load_all()[check_id], CFG, **WRONG[check_id])
    assert not res.passed, res.details


@pytest.mark.parametrize("check_id", IDS)
def test_mips_check_passes_on_our_model(check_id):
    res = run_check(load_all()[check_id], CFG)
    assert res.passed, res.details
