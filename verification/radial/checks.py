"""Checks of the radial 3D Keller-Segel reference solver ([SIPF] §4.3, Eqs. 44-45).

Each check takes the solver under test as the keyword ``solver`` (default: ours), typed by the
protocol ``radial3d.solver`` of :mod:`verification.radial.protocols`. Profiles are compared as
cell averages on the uniform grid of ``params`` (RadialGrid3D).
"""

from __future__ import annotations

import math

import numpy as np

from continuum.radial_ks3d import RadialGrid3D
from verification import stats
from verification.radial import derivation as deriv
from verification.radial.cases import PAPER, PAPER_BRACKET
from verification.radial.protocols import RADIAL_SOLVER, RadialSolver
from verification.records import CheckContext, CheckResult, Part, check
from verification.refs import cite

EPS = float(np.finfo(float).eps)


def _order_part(name: str, h: np.ndarray, err: np.ndarray, expected: float) -> tuple[Part, dict]:
    order, se = stats.fit_order(h, err)
    local = np.log(err[:-1] / err[1:]) / np.log(h[:-1] / h[1:])
    spread = float(local.max() - local.min())
    tol = stats.Z * se + spread / 2
    return (Part(name, order, expected, tol, f"Z x fit SE ({se:.3g}) + half the spread of pairwise local orders "
                 f"({spread:.3g}): pre-asymptotic and reference-error allowance"),
            {"h": h.tolist(), "err": err.tolist(), "order": order, "se": se, "local_orders": local.tolist()})


def _l1(grid: RadialGrid3D, a: np.ndarray, b: np.ndarray) -> float:
    return float(4 * math.pi * np.sum(grid.volumes * np.abs(a - b)))


@check("radial3d.convergence", source=cite("SIPF", "§4.3 Eqs. 44-45 (radial finite differences)"),
       methods={"solver": "radial3d.solver"}, unit="relative error (mass drift)")
def convergence(ctx: CheckContext, solver: RadialSolver = RADIAL_SOLVER.default) -> CheckResult:
    """Radial solver: mass to round-off, c-mass recursion, rho >= 0, spatial order 2 and temporal order 1."""
    num = deriv.numeric()
    T, R, M = 0.1, 10.0, 20.0
    base = PAPER.replace(radius=R, mass=M, dt=1e-4)
    # conservation on a mid grid, profiles at 11 times
    n_mid = 1000
    times = np.linspace(0.0, T, 11)
    p_mid = base.replace(n_r=n_mid)
    out = solver(p_mid, T, tuple(times))
    g = RadialGrid3D.build(R, n_mid)
    masses = np.array([g.mass(out.profiles[float(t)][0]) for t in times])
    drift = float(np.max(np.abs(masses / M - 1)))
    n_steps = round(T / p_mid.dt)
    C = g.mass(out.profiles[T][1])
    C_be = 0.0
    for _ in range(n_steps):
        C_be = num.c_mass_be(C_be, M, base.eps, base.k, base.dt)
    rho_min = min(float(out.profiles[float(t)][0].min()) for t in times)
    parts = [
        Part("max relative mass drift (4 pi sum V rho at 11 times vs M0)", drift, 0.0, 8 * EPS * n_steps,
             f"round-off: 8 eps per step x {n_steps} steps"),
        Part("c mass int c dx at T vs the derived backward-Euler recursion", C, C_be, 8 * EPS * n_steps * C_be,
             "round-off: the c stencil telescopes, so eps (C' - C)/dt = -k^2 C' + M holds exactly per step"),
        Part("min rho over the profiles (>= 0)", min(rho_min, 0.0), 0.0, 0.0, "exact: M-matrix, rho >= 0 by "
             "construction", passed=rho_min >= 0.0),
    ]
    # spatial order at fixed dt (the time error cancels against the reference at the same dt)
    cells = np.array(ctx.pick([500, 1000, 2000, 4000], [1000, 2000, 4000, 8000]))
    n_ref = int(cells[-1] * 4)
    ref = solver(base.replace(n_r=n_ref), T, ()).profiles[T][0]
    g_ref = RadialGrid3D.build(R, n_ref)
    err = []
    for n in cells:
        gn = RadialGrid3D.build(R, int(n))
        rho = solver(base.replace(n_r=int(n)), T, ()).profiles[T][0]
        kk = n_ref // int(n)
        rbar = (ref * g_ref.volumes).reshape(int(n), kk).sum(axis=1) / gn.volumes
        err.append(_l1(gn, rho, rbar))
    part_x, info_x = _order_part("spatial order (L1 error of rho(T) vs 4x finer grid, same dt)", R / cells,
                                 np.array(err), 2.0)
    parts.append(part_x)
    # temporal order at fixed grid
    steps = np.array(ctx.pick([20, 40, 80, 160], [40, 80, 160, 320]))
    n_t = ctx.pick(1000, 2000)
    gt = RadialGrid3D.build(R, n_t)
    ref_t = solver(base.replace(n_r=n_t, dt=T / (steps[-1] * 16)), T, ()).profiles[T][0]
    err_t = [_l1(gt, solver(base.replace(n_r=n_t, dt=T / int(s)), T, ()).profiles[T][0], ref_t) for s in steps]
    part_t, info_t = _order_part("temporal order (L1 error of rho(T) vs dt/16, same grid)", T / steps,
                                 np.array(err_t), 1.0)
    parts.append(part_t)
    details = {"model": {"mu": 1.0, "chi": 1.0, "eps": base.eps, "k": base.k, "R": R, "M0": M, "T": T},
               "mass_drift": drift, "c_mass": C, "c_mass_recursion": C_be, "spatial": info_x, "temporal": info_t,
               "reference_cells": n_ref}

    def plot(fig):
        ax1, ax2 = fig.add_subplot(121), fig.add_subplot(122)
        ax1.loglog(info_x["h"], info_x["err"], "o-", label=f"space, order {info_x['order']:.2f}")
        ax1.set_xlabel("h")
        ax1.set_ylabel("L1 error of ρ(T)")
        ax1.legend(fontsize=7)
        ax2.loglog(info_t["h"], info_t["err"], "s-", label=f"time, order {info_t['order']:.2f}")
        ax2.set_xlabel("dt")
        ax2.legend(fontsize=7)

    return ctx.result(parts, details, plot)


@check("radial3d.critical_mass_onset",
       source=cite("SIPF", "§4.3 (radial FDM, unit ball, critical mass in (47.6, 47.8))"),
       methods={"solver": "radial3d.solver"}, unit="time (blow-up time)")
def critical_mass_onset(ctx: CheckContext, solver: RadialSolver = RADIAL_SOLVER.default) -> CheckResult:
    """Unit-ball start, paper parameters: M0 = 40 stays bounded and M0 = 60 blows up before T = 1."""
    n_r, dt = ctx.pick(2000, 20000), ctx.pick(1e-4, 1e-5)
    T = 1.0
    parts, rows = [], {}
    for M in (40.0, 60.0):
        p = PAPER.replace(n_r=n_r, dt=dt, mass=M)
        out = solver(p, T, ())
        rows[M] = out
    lo, hi = rows[40.0], rows[60.0]
    level = PAPER.replace(n_r=n_r, dt=dt).blowup_level
    peak = float(np.max(lo.rho0)) if lo.rho0.size else math.nan
    parts.append(Part("M0 = 60: declared blow-up time (must lie in (0, T = 1))", hi.blowup_time, 0.5, 0.5,
                      f"onset criterion: rho(first cell) > 2 mu/(chi h^2) = {level:.3g} before T",
                      passed=bool(hi.blew_up)))
    parts.append(Part("M0 = 40: max rho(0, t) / blow-up level over [0, 1] (< 1: bounded)", peak / level, 0.0, 1.0,
                      "onset criterion (same level); the run must also reach T", passed=not lo.blew_up))
    drift = max(float(np.max(np.abs(o.mass / o.mass[0] - 1))) for o in rows.values())
    parts.append(Part("max relative mass drift of both runs", drift, 0.0, 8 * EPS * round(T / dt),
                      "round-off: 8 eps per step"))
    details = {"n_r": n_r, "dt": dt, "R": PAPER.radius, "blowup_level": level,
               "M60_blowup_time": hi.blowup_time, "M40_max_rho0": peak, "M40_max_c": float(np.max(lo.c_max)),
               "paper_bracket": PAPER_BRACKET}

    def plot(fig):
        ax = fig.add_subplot(111)
        for M, o in rows.items():
            ax.semilogy(o.times, o.rho0, label=f"M0 = {M:g}")
        ax.axhline(level, color="k", lw=0.6, ls="--", label="blow-up level 2μ/(χh²)")
        ax.set_xlabel("t")
        ax.set_ylabel("ρ(0, t)")
        ax.legend(fontsize=7)

    return ctx.result(parts, details, plot)


def bisect_critical_mass(solver: RadialSolver, n_r: int, dt: float, lo: float, hi: float, width: float,
                         T: float = 1.0) -> tuple[float, float, list]:
    """Bracket the smallest M0 blowing up by T: (lo, hi) with lo bounded, hi blowing up, hi - lo <= width.

    Returns (nan, nan, log) when the ends do not bracket a transition (lo blows up or hi does not).
    """
    log = []

    def blows(M):
        out = solver(PAPER.replace(n_r=n_r, dt=dt, mass=M), T, ())
        log.append((M, bool(out.blew_up), out.blowup_time))
        return bool(out.blew_up)

    if blows(lo) or not blows(hi):
        return math.nan, math.nan, log
    while hi - lo > width:
        mid = 0.5 * (lo + hi)
        if blows(mid):
            hi = mid
        else:
            lo = mid
    return lo, hi, log


#: Search range and resolution of the bisections of ``radial3d.critical_mass`` (the range holds the
#: paper's bracket (47.6, 47.8) and the settled value).
CM_RANGE, CM_WIDTH = (47.5, 48.5), 1 / 64


@check("radial3d.critical_mass", source=cite("SIPF", "§4.3 (critical mass of the unit ball, radial FDM)"),
       profiles=("full",), methods={"solver": "radial3d.solver"}, unit="mass")
def critical_mass(ctx: CheckContext, solver: RadialSolver = RADIAL_SOLVER.default) -> CheckResult:
    """Bisected critical mass of the unit-ball start (T = 1) vs the settled continuum value, with measured errors.

    Three bisections: (h, dt), (2h, dt) and (h, 2dt). Their differences are the check's own grid
    and time-step error estimates (first-order convergence of M_c assumed: the error of M_c(h) is
    at most |M_c(2h) - M_c(h)|, likewise for dt). The expected value is the converged critical
    mass of the continuum problem from :mod:`verification.radial.critical_mass_study` (paper grid
    h = 1e-4, dt = 1e-5; the paper's own statement (47.6, 47.8) is an erratum of
    ``verification/radial/errata.py``).
    """
    from verification.radial.critical_mass_study import SETTLED_ERROR, SETTLED_MC, SETTLED_SOURCE

    n_r, dt = ctx.pick(2000, 5000), ctx.pick(1e-4, 1e-5)
    lo0, hi0 = CM_RANGE
    runs = {}
    for label, (n, d) in {"fine": (n_r, dt), "half_grid": (n_r // 2, dt), "double_dt": (n_r, 2 * dt)}.items():
        lo, hi, log = bisect_critical_mass(solver, n, d, lo0, hi0, CM_WIDTH)
        runs[label] = {"n_r": n, "h": PAPER.radius / n, "dt": d, "bracket": [lo, hi], "centre": 0.5 * (lo + hi),
                       "runs": log}
    mc = runs["fine"]["centre"]
    grid_err = abs(runs["half_grid"]["centre"] - mc)
    dt_err = abs(runs["double_dt"]["centre"] - mc)
    half = CM_WIDTH / 2
    tol = half + grid_err + dt_err + SETTLED_ERROR
    h = PAPER.radius / n_r
    parts = [
        Part(f"critical mass of the unit ball (h = {h:g}, dt = {dt:g}, T = 1) vs the settled continuum value",
             mc, SETTLED_MC, tol,
             f"half a bisection bracket ({half:.3g}) + measured grid error |M_c(2h) - M_c(h)| ({grid_err:.3g}) + "
             f"measured step error |M_c(2dt) - M_c(dt)| ({dt_err:.3g}) + the settled value's error bar "
             f"({SETTLED_ERROR:g}: {SETTLED_SOURCE})"),
    ]
    details = {"runs": runs, "settled": SETTLED_MC, "settled_error": SETTLED_ERROR, "settled_source": SETTLED_SOURCE,
               "grid_error": grid_err, "dt_error": dt_err, "search_range": list(CM_RANGE), "width": CM_WIDTH,
               "paper_bracket": PAPER_BRACKET,
               "criterion": "rho(first cell) > 2 mu/(chi h^2) before T = 1 (RadialKSParams.blowup_level)"}

    def plot(fig):
        ax = fig.add_subplot(111)
        for i, r in enumerate(runs.values()):
            for M, blew, _ in r["runs"]:
                ax.plot(M, i, "x" if blew else "o", color="C3" if blew else "C0")
        ax.axvspan(SETTLED_MC - SETTLED_ERROR, SETTLED_MC + SETTLED_ERROR, color="C2", alpha=0.3,
                   label="settled value")
        ax.axvspan(*PAPER_BRACKET, color="0.5", alpha=0.2, label="paper (47.6, 47.8)")
        ax.set_yticks(range(len(runs)), [f"{k}: h = {r['h']:g}, dt = {r['dt']:g}" for k, r in runs.items()],
                      fontsize=7)
        ax.set_xlabel("M0 (o bounded to T = 1, x blows up)")
        ax.legend(fontsize=7)

    return ctx.result(parts, details, plot)


# registers ks2d.variance_identity and radial3d.table4, type_one_rate, cluster_subcritical, eps01_crosscheck
from verification.radial import checks_particles2d, checks_table4  # noqa: E402, F401
