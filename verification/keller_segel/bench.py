"""Benchmark workload ``ks1d``: the [CHEMOTAXIS] §6.4 algorithm (numpy) vs the finite-volume scheme (numpy, numba).

Grid and model of the seed: L = 100, 200 cells, periodic, D_u = 1, D_v = 20, a = 1,
chi0 = 40, u0 = 1 + 0.01 (uniform noise - 1/2), v0 = u0 / a. The seed's call
(T = 100, Nt = 20000, dt = 0.005) blows up at t ≈ 6 (see ``activebench errata``), so the
side-by-side comparison runs all three to the same T = 4, before the seed's first
negative value; the finite-volume numba kernel is also timed over the seed's full
T = 100. Times are the best of repeats after a warm-up (numba compiled first).
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numba
import numpy as np

from continuum.keller_segel import KellerSegel1DParams, fv_run, seed_scheme_run
from verification.random_streams import derive_seed
from verification.records import DEFAULT_SEED
from verification.timing import timed

#: Target speed-up of the numba finite-volume kernel over the seed algorithm in numpy, per unit of simulated time.
GOAL_VS_SEED_NUMPY = 10.0


def bench_ks1d(quick: bool = False) -> dict:
    """Time the three 1D solvers on the seed's grid; return rows, ratios and the goal."""
    params = KellerSegel1DParams(chi0=40.0)
    rng = np.random.default_rng(derive_seed(DEFAULT_SEED, "bench.ks1d", "init"))
    u0 = 1.0 + 0.01 * (rng.random(params.n_cells) - 0.5)
    v0 = u0 / params.decay
    t_short, t_full = 4.0, 100.0
    rep = 3 if quick else 7
    fv_run(params, u0, v0, [0.01])  # compile / load the numba cache

    rows = []
    s, med, rec = timed(lambda: seed_scheme_run(params, u0, v0, t_short, round(t_short / 0.005)), rep)
    rows.append({"name": "seed algorithm (numpy)", "seconds": s, "median": med, "steps": rec.n_steps,
                 "steps_per_second": rec.n_steps / s,
                 "notes": f"T = {t_short:g}, dt = {rec.dt:g}, clipping on; mass drift "
                          f"{abs(rec.mass[-1] / rec.mass[0] - 1):.1e}"})
    s, med, rec = timed(lambda: fv_run(params, u0, v0, [t_short], backend="numpy"), max(1, rep // 2))
    rows.append({"name": "finite volume (numpy twin)", "seconds": s, "median": med, "steps": rec.n_steps,
                 "steps_per_second": rec.n_steps / s,
                 "notes": f"T = {t_short:g}, adaptive dt (theta = 0.4, D_v-limited here: {t_short / rec.n_steps:.3g})"})
    s, med, rec = timed(lambda: fv_run(params, u0, v0, [t_short]), rep)
    u_short = rec.u[-1]
    rows.append({"name": "finite volume (numba)", "seconds": s, "median": med, "steps": rec.n_steps,
                 "steps_per_second": rec.n_steps / s, "notes": f"T = {t_short:g}, same steps as the numpy twin"})
    s, med, rec = timed(lambda: fv_run(params, u0, v0, [t_full]), rep)
    rows.append({"name": "finite volume (numba), T = 100", "seconds": s, "median": med, "steps": rec.n_steps,
                 "steps_per_second": rec.n_steps / s,
                 "notes": f"the seed's full time, which the seed algorithm cannot reach (blow-up at t ~ 6); "
                          f"peak u = {rec.u[-1].max():.3g}, mass drift {abs(rec.u[-1].sum() / u0.sum() - 1):.1e}, "
                          f"min u = {rec.min_u:.2g}"})
    s, med, rec = timed(lambda: fv_run(params, u0, v0, [t_full], flux="minmod"), rep)
    rows.append({"name": "finite volume minmod (numba), T = 100", "seconds": s, "median": med, "steps": rec.n_steps,
                 "steps_per_second": rec.n_steps / s, "ratio_vs_numpy": None,
                 "notes": f"minmod-limited faces (theta = 0.4); peak u = {rec.u[-1].max():.3g}, min u = "
                          f"{rec.min_u:.2g}: peak heights are not grid-converged at 200 cells"})
    seed_s = rows[0]["seconds"]
    for r in rows[:3]:
        r["ratio_vs_numpy"] = seed_s / r["seconds"]
    rows[3]["ratio_vs_numpy"] = None
    by = {r["name"]: r for r in rows}
    ratios = {
        "fv_numba_vs_seed_numpy (same T)": seed_s / by["finite volume (numba)"]["seconds"],
        "fv_numba_vs_fv_numpy (same steps)": (by["finite volume (numpy twin)"]["seconds"]
                                             / by["finite volume (numba)"]["seconds"]),
        "per-step fv_numba_vs_seed_numpy": (by["finite volume (numba)"]["steps_per_second"]
                                           / rows[0]["steps_per_second"]),
    }
    achieved = ratios["fv_numba_vs_seed_numpy (same T)"]
    goals = {"vs_seed_numpy": {"target": GOAL_VS_SEED_NUMPY, "kernel": "finite volume (numba)", "achieved": achieved}}
    seed_short = seed_scheme_run(params, u0, v0, t_short, round(t_short / 0.005))
    config = {"quick": quick, "timing": "best of repeats", "repeats": rep, "numba_threads": numba.get_num_threads(),
              "cpu_count": os.cpu_count(), "model": {"L": 100, "n_cells": 200, "D_u": 1, "D_v": 20, "a": 1,
                                                      "chi0": 40}, "T_compared": t_short, "T_full": t_full}
    u_seed = seed_short.u[-1]
    return {"workload": "ks1d",
            "description": "[CHEMOTAXIS] §6.4 Keller-Segel 1D, 200 cells, chi0 = 40: seed algorithm vs finite volume",
            "config": config, "rows": rows, "ratios": ratios, "goals": goals,
            "goal_met": {"vs_seed_numpy": bool(achieved >= GOAL_VS_SEED_NUMPY)},
            "notes": [f"at T = {t_short:g} the two schemes differ by max|u_seed - u_fv| = "
                      f"{np.max(np.abs(u_seed - u_short)):.2g} (peaks: seed {u_seed.max():.3g}, finite volume "
                      f"{u_short.max():.3g}); seed's first negative u: "
                      + (f"t = {seed_short.first_negative_time:.3g}" if seed_short.first_negative_time
                         == seed_short.first_negative_time else f"none before T = {t_short:g}"),
                      "the finite-volume step is limited by D_v (explicit), so it takes 2x the seed's steps at "
                      "T = 4; per step the numba kernel is compared in 'ratios'"]}


WORKLOADS: dict[str, Callable[..., dict]] = {"ks1d": bench_ks1d}
