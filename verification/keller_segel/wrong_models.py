"""Deliberately wrong models of the Keller-Segel checks: each check must run to its end and fail on them.

The chemotactic coefficient doubled (1D dispersion), the [CHEMOTAXIS] §6.4 algorithm itself
(conservation/positivity: it blows up during aggregation), and chi(u) with c/2 (2D onset),
fed through the checks' ``solver`` keyword.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from continuum.keller_segel import KellerSegel1DParams, fv_solver, ks2d_solver, seed_scheme_run
from verification.keller_segel.cases import SEED_NT, SEED_T
from verification.testing import WrongModel


def doubled_chi0(params, u0, v0, times):
    """The 1D model with twice the chemotactic coefficient chi0."""
    return fv_solver(replace(params, chi0=2 * params.chi0), u0, v0, times)


def seed_solver(params: KellerSegel1DParams, u0, v0, times, n_steps_per_time: float = SEED_NT / SEED_T):
    """The [CHEMOTAXIS] §6.4 algorithm in the ``ks1d.solver`` protocol (dt = 0.005 as in the seed's call).

    Fields are nan at the times after its blow-up.
    """
    times = np.asarray(times, dtype=float)
    t_end = float(times[-1])
    dt = 1.0 / n_steps_per_time
    every = max(1, round(float(np.min(np.diff(times))) / dt)) if times.size > 1 else 1
    rec = seed_scheme_run(params, u0, v0, t_end, round(t_end * n_steps_per_time), record_every=every)
    out_u = np.full((times.size, params.n_cells), np.nan)
    out_v = np.full_like(out_u, np.nan)
    for i, t in enumerate(times):
        j = np.flatnonzero(np.isclose(rec.times, t, atol=dt / 2))
        if j.size and not (rec.blew_up and j[0] == rec.times.size - 1):
            out_u[i], out_v[i] = rec.u[j[0]], rec.v[j[0]]
    return out_u, out_v


def halved_sensitivity(params, u0, v0, times):
    """The 2D preset with chi(u) = (c/2) u / (1 + u^2)."""
    return ks2d_solver(replace(params, sensitivity=params.sensitivity / 2), u0, v0, times)


def drifting_solver(params, u0, v0, times, speed: float = 0.05):
    """The 1D model's fields carried along at ``speed`` [length/time] (a spurious advection): peaks keep moving."""
    u, v = fv_solver(params, u0, v0, times)
    shifts = np.round(speed * np.asarray(times, dtype=float) / params.dx).astype(int)
    return (np.array([np.roll(ui, s) for ui, s in zip(u, shifts, strict=True)]),
            np.array([np.roll(vi, s) for vi, s in zip(v, shifts, strict=True)]))


def subcritical_chemotaxis(params, u0, v0, times):
    """chi0 / 50 (below the threshold chi0* = D_u a / u* = 1): the uniform state is stable, no peaks form."""
    return fv_solver(replace(params, chi0=params.chi0 / 50), u0, v0, times)


WRONG_MODELS = [
    WrongModel("ks1d.dispersion", {"solver": doubled_chi0}, "chemotactic coefficient chi0 doubled"),
    WrongModel("ks1d.conservation_positivity", {"solver": seed_solver},
               "the [CHEMOTAXIS] §6.4 algorithm: clipping, then blow-up during aggregation"),
    WrongModel("ks2d.pattern", {"solver": halved_sensitivity}, "sensitivity c halved in chi(u)"),
    WrongModel("ks1d.peaks_stationary", {"solver": drifting_solver},
               "fields carried along at speed 0.05 (a spurious advection): peaks never come to rest"),
    WrongModel("ks1d.peaks_stationary", {"solver": subcritical_chemotaxis},
               "chi0 / 50, below the instability threshold: no peaks grow"),
]
