"""Sweep ``rt1d-diffusivity``: effective diffusivity of Schnitzer walkers over the tumble rate.

Seed 000 §2.3: a 1D walker of speed v0 reversing at rate alpha has D_eff = v0²/alpha
(derived in ``verification.rt1d.derivation``; the seed's final form v0²/(2 alpha)
is an erratum). Each task runs ``walkers`` independent walkers (event-driven kernel) for
one (alpha, replica) and returns the MSD slope between t1 and t2 with its standard
error; the exact finite-time slope is returned next to it. Cheap (under a second per
task at the defaults), so it is also the sweep the fault-tolerance tests use.
"""

from __future__ import annotations

import numpy as np

from verification import stats
from verification import validation as V
from verification.sweep import Sweep, Task

FN = "verification.rt1d.sweeps:diffusivity_task"
#: Periodic domain of the walkers [length] (positions are unwrapped; see ``agents.run_tumble.simulate``).
LENGTH = 1e6
#: alpha t2 above which exp(alpha t) in the exact finite-time variance overflows float64 (exp(709.8) = 1.8e308).
MAX_ALPHA_T = 700.0
#: Bytes per walker held at once by one task: initial_state (x, s, uniforms ~25 B), simulate's two records
#: and its work arrays (16 + 17 B), the displacements (16 B).
BYTES_PER_WALKER = 80.0


def diffusivity_task(v0: float, alpha: float, walkers: int, t1: float, t2: float, seed: int) -> dict:
    """MSD slope of ``walkers`` Schnitzer walkers between t1 and t2 (exact finite-time value beside it)."""
    from agents.run_tumble import initial_state, schnitzer, simulate
    from verification.rt1d import derivation as deriv
    from verification.rt1d.cases import variance_slope

    params = schnitzer(v0, alpha, 1e6, "periodic")
    x0, s0 = initial_state(params, walkers, seed, x0=np.zeros(walkers))
    xt = simulate(params, x0, s0, [t1, t2], seed + 1, method="event")
    d_hat, se = variance_slope(xt[0] - x0, xt[1] - x0, t2 - t1)
    var = deriv.numeric().var_exact(v0, alpha / 2, alpha / 2, np.array([t1, t2]))
    return {"D": d_hat, "se": se, "D_exact_finite_t": float((var[1] - var[0]) / (2 * (t2 - t1))),
            "D_derived": v0**2 / alpha}


def _validate(p: dict) -> None:
    """Every task's parameters, the walker model of each rate, and the memory and work of one task."""
    from agents.run_tumble import NS_PER_EVENT, schnitzer

    t1 = V.positive(p["t1"], "t1")
    t2 = V.positive(p["t2"], "t2")
    if not t1 < t2:
        raise ValueError(f"need 0 < t1 < t2, got t1 = {p['t1']}, t2 = {p['t2']}")
    v0 = V.positive(p["v0"], "v0")
    if not v0 * t2 <= 0.5 * LENGTH:  # the walkers stay within v0 t2 of the origin: inside the domain, v0^2 finite
        raise ValueError(f"v0 must be in (0, L / (2 t2)] = (0, {0.5 * LENGTH / t2:g}] (v0 t2 <= L/2, L = {LENGTH:g}: "
                         f"the walkers stay in the domain), got {v0!r}")
    if not isinstance(p["alphas"], list) or not p["alphas"]:
        raise ValueError(f"alphas must be a non-empty list of rates > 0, got {p['alphas']!r}")
    alphas = [V.positive(a, f"alphas[{i}]") for i, a in enumerate(p["alphas"])]
    for i, a in enumerate(alphas):
        if not a * t2 <= MAX_ALPHA_T:
            raise ValueError(f"alphas[{i}] must be in (0, {MAX_ALPHA_T:g} / t2] = (0, {MAX_ALPHA_T / t2:g}] "
                             "(exp(alpha t) of the exact finite-time variance overflows beyond alpha t2 = "
                             f"{MAX_ALPHA_T:g}), got {a!r}; or use a shorter t2")
    walkers = V.integer(p["walkers"], "walkers", lo=64)  # 32 batches for the standard error
    replicas = V.integer(p["replicas"], "replicas", lo=1)
    V.seed(p["seed"], "seed")
    top = p["seed"] + 1000 * (replicas - 1) + len(alphas)  # the largest seed a task uses (seed + 1 of the walk)
    if top >= V.SEED_LIMIT:
        raise ValueError(f"seed must leave room for the task seeds (seed + 1000 replica + index + 1 < 2**63), "
                         f"got {p['seed']}")
    for a in alphas:
        schnitzer(v0, a, LENGTH, "periodic")
    V.require_memory(BYTES_PER_WALKER * walkers, f"one rt1d-diffusivity task with {walkers} walkers", "fewer walkers")
    V.require_work(walkers * (max(alphas) * t2 + 2), unit="tumbles and records", ns_per_unit=NS_PER_EVENT,
                   what=f"one rt1d-diffusivity task ({walkers} walkers at rate {max(alphas):g} to t2 = {t2:g})",
                   fix="fewer walkers, lower rates or a shorter t2")


def _plan(p: dict, results: dict) -> list[Task]:
    return [Task(f"alpha={a:g}_rep={r}", FN, {"v0": p["v0"], "alpha": float(a), "walkers": p["walkers"],
                                             "t1": p["t1"], "t2": p["t2"], "seed": p["seed"] + 1000 * r + i})
            for i, a in enumerate(p["alphas"]) for r in range(p["replicas"])]


def _pooled(p: dict, results: dict, a: float):
    rs = [results.get(f"alpha={a:g}_rep={r}") for r in range(p["replicas"])]
    rs = [r for r in rs if r is not None]
    if not rs:
        return None
    w = np.array([1 / r["se"] ** 2 for r in rs])
    d = float(np.sum(w * [r["D"] for r in rs]) / w.sum())
    return d, float(1 / np.sqrt(w.sum())), rs[0]["D_exact_finite_t"], rs[0]["D_derived"], len(rs)


def _summarize(p: dict, results: dict):
    rows = []
    for a in p["alphas"]:
        got = _pooled(p, results, a)
        if got is None:
            rows.append([a, "-", "-", "-", "-", "-"])
            continue
        d, se, exact, derived, n = got
        rows.append([float(a), d, se, exact, derived, round((d - exact) / se, 2)])
    return ["alpha", "D measured", "SE", "D exact (finite t)", "v0^2/alpha", "z"], rows


def _plot(fig, p: dict, results: dict) -> None:
    ax = fig.add_subplot(111)
    al, d, se = [], [], []
    for a in p["alphas"]:
        got = _pooled(p, results, a)
        if got:
            al.append(a)
            d.append(got[0])
            se.append(stats.Z * got[1])
    grid = np.geomspace(min(p["alphas"]), max(p["alphas"]), 100)
    ax.loglog(grid, p["v0"] ** 2 / grid, "-", label="derived v0²/α")
    ax.loglog(grid, p["v0"] ** 2 / (2 * grid), "--", label="[MIPS] §2.2 final form v0²/2α")
    ax.errorbar(al, d, yerr=se, fmt="o", label="walkers (MSD slope)")
    ax.set_xlabel("tumble rate α")
    ax.set_ylabel("D_eff")
    ax.legend(fontsize=7)


SWEEPS = [Sweep(
    name="rt1d-diffusivity",
    summary="D_eff of 1D run-and-tumble walkers over the tumble rate vs v0²/alpha (seconds)",
    source="[MIPS] §2.3",
    defaults={"v0": 2.0, "alphas": [0.5, 1.0, 2.0, 4.0, 8.0], "walkers": 20000, "replicas": 2, "t1": 5.0,
              "t2": 25.0, "seed": 1},
    plan=_plan, summarize=_summarize, plot=_plot, validate=_validate, tasks=(FN,))]
