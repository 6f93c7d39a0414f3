"""Configurations and helpers of the rt1d topic that checks, bench workloads and sweeps share."""

from __future__ import annotations

import math

import numpy as np

from verification import stats
from verification.rt1d import derivation as deriv

#: Amplitude A of the seed rates alpha_pm = 1 ± A tanh(x/(L/4)) ([CHEMOTAXIS] §4.3 code).
SEED001_AMPLITUDE = 2.0


def seed001_rates(L: float, amplitude: float = SEED001_AMPLITUDE):
    """Rates of [CHEMOTAXIS] §4.3, alpha_pm = 1 ± A tanh(x/(L/4)), clipped at 0 (as its code effectively does)."""
    def plus(x):
        return np.maximum(0.0, 1.0 + amplitude * np.tanh(x / (L / 4)))

    def minus(x):
        return np.maximum(0.0, 1.0 - amplitude * np.tanh(x / (L / 4)))

    return plus, minus


def variance_slope(dx1: np.ndarray, dx2: np.ndarray, dt: float) -> tuple[float, float]:
    """(Var dx2 - Var dx1) / (2 dt) [length²/time] and its standard error from 32 batches of walkers."""
    pair = np.stack([dx1, dx2], axis=1)
    return stats.batch_se(pair, lambda p: (np.var(p[:, 1]) - np.var(p[:, 0])) / (2 * dt))


def fpe_limit_distances(alphas, t_end: float, master_equation, fpe, L: float = 10.0, me_cells: int = 4000,
                        fpe_cells: int = 500, n_bins: int = 50):
    """L1 distance between master-equation and effective-FPE bin masses for each tumble rate.

    Diffusive scaling: v(x) = sqrt(alpha) (1 + 0.3 sin(2 pi x / L)), so D_eff = v²/alpha stays fixed.
    """
    num = deriv.numeric()
    edges = np.linspace(-L / 2, L / 2, n_bins + 1)

    def g0_cdf(x):
        y = x + L / 2
        return (y + 0.5 * L / (2 * np.pi) * np.sin(2 * np.pi * y / L)) / L

    out = []
    for al in alphas:
        c = math.sqrt(al)

        def v(x, c=c):
            return c * (1.0 + 0.3 * np.sin(2 * np.pi * x / L))

        me = master_equation(v, al / 2, al / 2, L, "periodic", me_cells)
        _, (state,) = me.evolve(me.initial(lambda x: 0.5 * g0_cdf(x), lambda x: 0.5 * g0_cdf(x)), [t_end])
        t_me = me.steps_for(t_end) * me.dt
        solver = fpe(lambda x, v=v, al=al: num.schnitzer_A(v(x), al), v, lambda x: 0.0 * x, L,
                     "periodic", fpe_cells)
        (g,) = solver.evolve(solver.initial_from_cdf(g0_cdf), [t_me])
        out.append(stats.l1_distance(np.diff(me.cdf(state, edges)), np.diff(solver.cdf(g, edges))))
    return np.array(out)
