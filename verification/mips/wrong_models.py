"""Deliberately wrong models of the mips checks: each check must run to its end and fail on them.

The wrong models are small edits of the right ones (a wrong coefficient, a sign slip, a wrong g*,
the seed's own mobility, non-conserved dynamics), fed through the checks' method keywords.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from agents.mips import advance, linear_speed
from continuum import cahn_hilliard as ch
from continuum.gradient_flow import GradientFlow1D
from verification.testing import WrongModel


def f_prime_wrong_quadratic(g, p):
    """The bulk chemical potential with 1/g* instead of 3/(2 g*) in the quadratic term."""
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


def semi_implicit_double_kappa(g, p, dt, n_steps):
    """The right semi-implicit scheme with kappa doubled (interfaces sqrt(2) too wide)."""
    return ch.advance_semi_implicit(g, replace(p, kappa=2 * p.kappa), dt, n_steps)


class WrongChemicalPotential(GradientFlow1D):
    """mu = log g - log v: a flow that is not the gradient flow of F_eff."""

    def mu(self, g):
        """The wrong chemical potential log g - log v(g) - kappa d_xx g."""
        lap = (np.roll(g, -1) - 2 * g + np.roll(g, 1)) / self.dx**2
        return np.log(g) - np.log(self.speed(g)) - self.kappa * lap


class SeedMobility(GradientFlow1D):
    """M(g) = g v(g)² whatever alpha: the [MIPS] §6.1 form, right only for alpha = 1 in 1D."""

    def mobility(self, g):
        """M(g) = g v(g)², without the 1/alpha."""
        return g * self.speed(g) ** 2


def walkers_wrong_gstar(params, state, dt, n_steps):
    """Walkers whose speed vanishes at 1.3 g* instead of g*."""
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


WRONG_MODELS = [
    WrongModel("mips.free_energy_symbolic", {"f_prime": f_prime_wrong_quadratic},
               "f' with 1/g* instead of 3/(2 g*) in the quadratic term"),
    WrongModel("mips.free_energy_symbolic", {"gradient_flow": SeedMobility},
               "mobility g v² without the 1/alpha (the [MIPS] §6.1 form at alpha = 2)"),
    WrongModel("mips.ch_energy", {"explicit": explicit_wrong_kappa_sign},
               "sign slip: mu = f'(g) + kappa lap g"),
    WrongModel("mips.seed_histogram", {"explicit": explicit_wrong_gstar}, "g* 30 % too large behind f'"),
    WrongModel("mips.seed_histogram", {"semi_implicit": semi_implicit_double_kappa},
               "kappa doubled in the semi-implicit scheme (interface sqrt(2) too wide)"),
    WrongModel("mips.lyapunov_feff", {"gradient_flow": WrongChemicalPotential},
               "mu = log g - log v: not the gradient flow of F_eff"),
    WrongModel("mips.binodal", {"f_prime": f_prime_wrong_quadratic},
               "f' with 1/g* instead of 3/(2 g*) in the quadratic term"),
    WrongModel("mips.spinodal_agents", {"walkers": walkers_wrong_gstar}, "walkers' speed vanishes at 1.3 g*"),
    WrongModel("mips.coarsening", {"stepper": allen_cahn_mass_constrained},
               "non-conserved (mass-constrained Allen-Cahn) dynamics: L ~ t^(1/2)", slow=True),
]
