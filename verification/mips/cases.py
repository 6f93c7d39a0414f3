"""Configurations and helpers of the mips topic that checks, errata, bench workloads and tests share.

The seed's Cahn-Hilliard run ([MIPS] §5.3): L = 10, N = 128, v0 = 1, g* = 2, M = 1, kappa = 1e-4,
forward Euler at dt = 20/8000 for 8000 steps (T = 20), from g0 = 1.2 with uniform noise ± 0.025.
"""

from __future__ import annotations

import math

import numpy as np

from continuum import cahn_hilliard as ch

#: The seed's parameters ([MIPS] §5.3): L = 10, N = 128, v0 = 1, g* = 2, M = 1, kappa = 1e-4.
SEED = ch.CahnHilliardParams()
#: Time step, end time and number of steps of the seed's run.
SEED_DT, SEED_T, SEED_STEPS = 20.0 / 8000, 20.0, 8000
#: Mean and noise amplitude of the seed's initial field.
SEED_G0, SEED_NOISE = 1.2, 0.025
#: Histogram peaks (gas, liquid) the seed reports at t = 20 ([MIPS] §5.3).
SEED_PEAKS = (0.7, 2.25)


def seed_numpy_baseline(g: np.ndarray, p: ch.CahnHilliardParams, dt: float, n_steps: int) -> np.ndarray:
    """The seed's algorithm in plain numpy (powers as written in [MIPS] §5.3), written fresh."""
    g = np.array(g, dtype=float)
    inv = 1.0 / p.dx**2
    v2, gs = p.v0**2, p.g_star
    for _ in range(n_steps):
        lg = (np.roll(g, -1, 0) + np.roll(g, 1, 0) + np.roll(g, -1, 1) + np.roll(g, 1, 1) - 4 * g) * inv
        mu = v2 * (g - (3.0 / (2.0 * gs)) * g**2 + (2.0 / (3.0 * gs**2)) * g**3) - p.kappa * lg
        lm = (np.roll(mu, -1, 0) + np.roll(mu, 1, 0) + np.roll(mu, -1, 1) + np.roll(mu, 1, 1) - 4 * mu) * inv
        g = g + p.mobility * dt * lm
    return g


def tanh_width(p: ch.CahnHilliardParams) -> float:
    """Xi of the flat CH interface g = g_i + u0 tanh(x/xi): the excess bulk energy is c/4 (u² - u0²)²."""
    a, b, c = p.coefficients
    lo, hi = ch.binodal_of_f(p)
    u0 = 0.5 * (hi - lo)
    return math.sqrt(2 * p.kappa / c) / u0  # kappa u'' = W'(u), W = c/4 (u² - u0²)²
