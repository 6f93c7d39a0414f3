"""Where does the unit-ball critical mass of [SIPF] §4.3 come from? One ingredient at a time.

[SIPF] §4.3 solves the radial system (Eqs. 44-45, Eq. 35 parameters mu = chi = 1, eps = 1e-4,
k = 0.1) from the indicator of the unit ball (c(0) = 0) with finite differences on a uniform
partition of [0, 20] (Neumann, Nr = 2e5 intervals, backward Euler dt = 1e-5) and states
"numerical instabilities for initial masses between 47.6 and 47.8". This module bisects the
critical mass M_c (the smallest M0 declared to blow up by T = 1) and changes ONE ingredient of a
baseline at a time:

============  =================================================================================
ingredient    values
============  =================================================================================
grid h        0.02, 0.01, 0.005; the paper's 1e-4 (Nr = 2e5) for single masses only (``paper_masses``)
dt            1e-4, 4e-5, 2e-5, 1e-5 (paper)
R             5, 10, 20 (paper)
edge          how the ball's edge is put on the grid: cell averages (exact mass), the indicator
              sampled at cell centres, and the literal node FDM of Eq. 44 (non-conservative,
              central differences, nodes r_j = j h) started from 1{r_j <= 1}, 1{r_j < 1}, or
              with half the level on the node at r = 1 (h = 0.01; and 1{r_j <= 1} at h = 0.005)
criterion     rho(first cell) above 2 mu/(chi h^2) (baseline), that level x 100 and / 100,
              ||c||_inf above a fixed level, an extrapolated blow-up time <= 1 (type I:
              T* = t + rho0 / (d rho0/dt) while rho0 rises), and loss of stability (a non-finite
              or negative density; possible only in the node FDM, the finite-volume scheme keeps
              rho >= 0 by construction)
============  =================================================================================

Baseline: the finite-volume solver :mod:`continuum.radial_ks3d` (conservative form, exact initial
mass), R = 20, h = 0.01, dt = 1e-5, cell-average start, blow-up when rho(first cell) > 2/h^2.
All criteria of one configuration are read off the same runs (:func:`study_task` returns each
criterion's verdict), so the bisections share their runs where they agree.

The sweep ``radial3d-critical-mass-study`` (``activebench sweep radial3d-critical-mass-study``)
runs the table (~15 CPU-minutes for the bisections, bracket (47, 49) to a width of 1/32);
``--set rows='["grid_h=0.005"]'`` picks rows. ``paper_masses`` are single runs on the paper's grid
(:func:`paper_grid_task`, Nr = 2e5: ~5-10 CPU-minutes each).

Measured (2026-11-27): no ingredient moves the converged value of the conservative, exact-mass scheme
out of 48.07 ± 0.02 (h = 0.02 ... 1e-4, dt = 1e-4 ... 1e-5, R >= 10, blow-up levels x 1/100 ... x 100,
||c||_inf > 50). (47.6, 47.8) is met only by (a) the literal node start 1{r_j <= 1} on a coarse grid
(h = 0.01: its grid mass is 1.5 % above M0; the bracket moves up as h -> 0) and (b) the extrapolated
blow-up time, which declares the transient peak of a bounded run a blow-up (its answer depends on the
arbitrary floor EXTRAPOLATE_FROM). The literal node FDM never shows a loss of stability for M0 in
(47, 49) (the paper's stated criterion).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from verification.sweep import Sweep, Task, bisection_state

#: The paper's bracket ([SIPF] §4.3), for the table only.
PAPER_BRACKET = (47.6, 47.8)
#: The converged critical mass of the continuum problem (unit ball, Eq. 35, T = 1) and its error bar, settled
#: by this study: conservative finite volumes, exact initial mass, rho(first cell) > 2/h^2 by T = 1:
#: (48.0625, 48.094) at h = 0.005, (48.0625, 48.078) at h = 0.004 and 0.008 (dt = 1e-5, also dt = 2e-5:
#: radial3d.critical_mass), on the paper's grid h = 1e-4 M0 = 48.0 bounded and 48.1 blowing up; the
#: error bar covers the finest brackets (the coarser grids, R = 10 and the blow-up levels x 1/100 ... x 100
#: move the bracket by at most 1/32).
SETTLED_MC, SETTLED_ERROR = 48.07, 0.02
SETTLED_SOURCE = ("sweep radial3d-critical-mass-study: exact-mass brackets at h = 0.005 and 0.004 within "
                  "(48.0625, 48.094); paper grid h = 1e-4: 48.0 bounded, 48.1 blows up")
#: Declared-blow-up levels are factors times 2 mu / (chi h^2); the runs stop at the largest.
LEVEL_FACTORS = {"rho0>2/h^2": 1.0, "rho0>0.02/h^2": 1e-2, "rho0>0.2/h^2": 0.1, "rho0>200/h^2": 1e2}
STOP_FACTOR = 1e2
#: ||c||_inf level of the c criterion: far above the bounded runs' sup c (~5-7 near M_c at h = 0.01)
#: and far below a collapsed core's (hundreds at h = 0.01).
C_LEVEL = 50.0
#: The extrapolated-time criterion looks only where rho0 exceeds this multiple of the initial density.
EXTRAPOLATE_FROM = 10.0
CRITERIA = (*LEVEL_FACTORS, "cmax>50", "T*<=1", "unstable")


# ----------------------------------------------------------------------------- the literal node FDM
@njit(cache=True)
def _node_laplacian_row(j: int, n: int, h: float) -> tuple:
    """Coefficients (lower, diagonal, upper) of the node Laplacian f_rr + 2 f_r / r at node j (times h^2)."""
    if j == 0:
        return 0.0, -6.0, 6.0  # 3 f_rr at r = 0 (f_r = 0), symmetric ghost
    if j == n - 1:
        return 2.0, -2.0, 0.0  # Neumann ghost f_{N+1} = f_{N-1}; 2 f_r / r central = 0
    inv = 1.0 / j
    return 1.0 - inv, -2.0, 1.0 + inv


@njit(cache=True)
def _thomas(lo, di, up, rhs, out):
    n = di.size
    cp = np.empty(n)
    dp = np.empty(n)
    cp[0] = up[0] / di[0]
    dp[0] = rhs[0] / di[0]
    for i in range(1, n):
        m = di[i] - lo[i] * cp[i - 1]
        cp[i] = up[i] / m
        dp[i] = (rhs[i] - lo[i] * dp[i - 1]) / m
    out[n - 1] = dp[n - 1]
    for i in range(n - 2, -1, -1):
        out[i] = dp[i] - cp[i] * out[i + 1]


@njit(cache=True)
def _node_steps(rho, c, h, mu, chi, eps, k, dt, n_steps, stride, stop_level, out_t, out_rho0, out_cmax, out_min):
    """Backward-Euler steps of Eqs. 44-45 on nodes (c first with rho^n, then rho linear-implicit with c^{n+1}).

    Returns (steps done, records, first unstable step or -1). Stops at a non-finite value or
    rho(0) > stop_level.
    """
    n = rho.size
    lo = np.empty(n)
    di = np.empty(n)
    up = np.empty(n)
    rhs = np.empty(n)
    lap_c = np.empty(n)
    s = eps / dt + k * k
    rec = 0
    unstable = -1
    for step in range(n_steps):
        for j in range(n):
            a, b, u = _node_laplacian_row(j, n, h)
            lo[j] = -a / (h * h)
            di[j] = s - b / (h * h)
            up[j] = -u / (h * h)
            rhs[j] = eps / dt * c[j] + rho[j]
        _thomas(lo, di, up, rhs, c)
        for j in range(n):
            a, b, u = _node_laplacian_row(j, n, h)
            lap = b * c[j]
            if j > 0:
                lap += a * c[j - 1]
            if j < n - 1:
                lap += u * c[j + 1]
            lap_c[j] = lap / (h * h)
        for j in range(n):
            a, b, u = _node_laplacian_row(j, n, h)
            g = 0.0
            if 0 < j < n - 1:
                g = (c[j + 1] - c[j - 1]) / (2.0 * h)
            # rho_t = mu L rho - chi (rho_r c_r + rho L c), central differences
            lo[j] = -mu * a / (h * h) - chi * g / (2.0 * h)
            up[j] = -mu * u / (h * h) + chi * g / (2.0 * h)
            di[j] = 1.0 / dt - mu * b / (h * h) + chi * lap_c[j]
            rhs[j] = rho[j] / dt
        _thomas(lo, di, up, rhs, rho)
        finite = True
        rmin = rho[0]
        cm = c[0]
        for j in range(n):
            if not (math.isfinite(rho[j]) and math.isfinite(c[j])):
                finite = False
                break
            rmin = min(rmin, rho[j])
            cm = max(cm, c[j])
        if unstable < 0 and (not finite or rmin < 0.0):
            unstable = step + 1
        stop = (not finite) or rho[0] > stop_level
        if (step + 1) % stride == 0 or stop:
            if rec < out_t.size:
                out_t[rec] = (step + 1) * dt
                out_rho0[rec] = rho[0]
                out_cmax[rec] = cm
                out_min[rec] = rmin
                rec += 1
        if stop:
            return step + 1, rec, unstable
    return n_steps, rec, unstable


def node_fdm(mass: float, h: float, dt: float, radius: float = 20.0, edge: str = "le", t_end: float = 1.0,
             stop_level: float = math.inf, n_series: int = 2000, mu: float = 1.0, chi: float = 1.0,
             eps: float = 1e-4, k: float = 0.1) -> dict:
    """The paper's FDM read literally: Eq. 44 as printed (expanded), nodes r_j = j h, central differences.

    Parameters
    ----------
    mass : float
        Nominal M0: the start is M0 / (4 pi / 3) times the indicator of the unit ball at the nodes.
    h, dt : float
        Node spacing [length] (radius / h must be an integer) and time step [time].
    radius : float
        Domain [0, radius] [length], Neumann at r = radius.
    edge : {"le", "lt", "half"}
        Indicator 1{r_j <= 1}, 1{r_j < 1}, or 1{r_j < 1} plus half the level on the node at r = 1.
    t_end : float
        Final time [time].
    stop_level : float
        Stop when rho(0) exceeds it (or at a non-finite value).

    Returns
    -------
    dict
        times, rho0 (rho at r = 0), cmax, rho_min series; ``unstable_time`` (first non-finite or
        negative density, nan if none), ``grid_mass`` (the start's mass by the node control
        volumes 4 pi ((r_j + h/2)^3 - (r_j - h/2)^3) / 3, the first one (h/2)^3) and ``level``.
    """
    n = round(radius / h) + 1
    if not math.isclose((n - 1) * h, radius, rel_tol=1e-9):
        raise ValueError(f"radius / h must be an integer, got {radius} / {h}")
    if edge not in ("le", "lt", "half"):
        raise ValueError(f"edge must be 'le', 'lt' or 'half', got {edge!r}")
    r = h * np.arange(n)
    level = mass / (4.0 * math.pi / 3.0)
    tol = 1e-9 * h
    rho = np.where(r < 1.0 - tol, level, 0.0)
    on_edge = np.abs(r - 1.0) <= tol
    rho[on_edge] = {"le": level, "lt": 0.0, "half": 0.5 * level}[edge]
    vol = 4.0 * math.pi / 3.0 * (np.minimum(r + h / 2, radius) ** 3 - np.maximum(r - h / 2, 0.0) ** 3)
    grid_mass = float(vol @ rho)
    c = np.zeros(n)
    n_steps = max(1, round(t_end / dt))
    stride = max(1, n_steps // n_series)
    m = n_steps // stride + 2
    out = [np.full(m, np.nan) for _ in range(4)]
    done, rec, unstable = _node_steps(rho, c, h, mu, chi, eps, k, dt, n_steps, stride,
                                      min(stop_level, 1e300), *out)
    t, r0, cm, rmin = (o[:rec] for o in out)
    return {"times": np.concatenate([[0.0], t]), "rho0": np.concatenate([[level], r0]),
            "cmax": np.concatenate([[0.0], cm]), "rho_min": np.concatenate([[0.0], rmin]),
            "unstable_time": unstable * dt if unstable > 0 else math.nan, "grid_mass": grid_mass,
            "level": level, "steps": done, "final_mass": float(vol @ rho) if np.all(np.isfinite(rho)) else math.nan}


# ----------------------------------------------------------------------------- criteria
def extrapolated_blowup_time(times: np.ndarray, rho0: np.ndarray, floor: float) -> float:
    """Smallest type-I extrapolation T* over rising stretches of rho0 >= floor (nan if there is none).

    Between consecutive samples, 1/rho0 is extended linearly to 0: T* = t_2 + (1/rho_2) (t_2 - t_1) /
    (1/rho_1 - 1/rho_2), i.e. T* = t + rho0 / (d rho0/dt), exact for rho0 = A / (T* - t).
    """
    t, r = np.asarray(times, float), np.asarray(rho0, float)
    ok = (np.diff(r) > 0) & (r[:-1] >= floor) & (np.diff(t) > 0)
    if not ok.any():
        return math.nan
    inv1, inv2 = 1.0 / r[:-1][ok], 1.0 / r[1:][ok]
    t2 = t[1:][ok]
    return float(np.min(t2 + inv2 * (t2 - t[:-1][ok]) / (inv1 - inv2)))


def verdicts(times, rho0, cmax, h: float, unstable_time: float, rho_start: float, t_end: float) -> dict:
    """Every criterion's verdict (True: blows up by ``t_end``) and its time, from one run's series."""
    times, rho0, cmax = (np.asarray(a, float) for a in (times, rho0, cmax))
    out: dict[str, bool] = {}
    when: dict[str, float | None] = {}

    def first(mask):
        return float(times[np.argmax(mask)]) if mask.any() else None

    for name, f in LEVEL_FACTORS.items():
        when[name] = first(rho0 > f * 2.0 / h**2)
    when["cmax>50"] = first(cmax > C_LEVEL)
    tstar = extrapolated_blowup_time(times, rho0, EXTRAPOLATE_FROM * rho_start)
    when["T*<=1"] = tstar if math.isfinite(tstar) and tstar <= t_end else None
    when["unstable"] = None if math.isnan(unstable_time) else float(unstable_time)
    for name in CRITERIA:
        out[name] = when[name] is not None
    return {"blows": out, "when": when, "t_star": None if math.isnan(tstar) else tstar}


# ----------------------------------------------------------------------------- configurations and tasks
@dataclass(frozen=True)
class RunConfig:
    """One discretization: scheme ("fv" ours, "node" the literal FDM), grid, step, domain, edge."""

    scheme: str = "fv"
    h: float = 0.01
    dt: float = 1e-5
    radius: float = 20.0
    edge: str = "cell_average"

    def key(self) -> str:
        """File-safe name."""
        return f"{self.scheme}_h={self.h:g}_dt={self.dt:g}_R={self.radius:g}_{self.edge}"


BASE = RunConfig()
NODE_CRITERION = "rho0>0.2/h^2"
#: Table rows: name -> (ingredient, value shown, run configuration, criterion).
ROWS: dict[str, tuple[str, str, RunConfig, str]] = {}


def _row(ingredient: str, value: str, cfg: RunConfig, criterion: str = "rho0>2/h^2") -> None:
    ROWS[f"{ingredient}={value}"] = (ingredient, value, cfg, criterion)


for _h in (0.02, 0.01, 0.005):
    _row("grid_h", f"{_h:g}", RunConfig(h=_h))
for _dt in (1e-4, 4e-5, 2e-5):
    _row("dt", f"{_dt:g}", RunConfig(dt=_dt))
for _R in (5.0, 10.0):
    _row("R", f"{_R:g}", RunConfig(radius=_R))
_row("edge", "fv_centres_h=0.01005", RunConfig(h=20.0 / 1990, edge="centres"))
_row("edge", "fv_cell_average_h=0.01005", RunConfig(h=20.0 / 1990))
# the node FDM's collapsed state saturates near rho(0) ~ 2.2/h^2 (measured at h = 0.01, M0 = 48.5): its rows use
# the level 0.2/h^2, between that and the transient peaks of bounded runs (~0.016/h^2 at M0 = 47.5)
for _e in ("le", "lt", "half"):
    _row("edge", f"node_{_e}", RunConfig(scheme="node", edge=_e), NODE_CRITERION)
_row("edge", "node_le_h=0.005", RunConfig(scheme="node", h=0.005, edge="le"), NODE_CRITERION)
for _c in CRITERIA[1:]:
    if _c != "unstable":
        _row("criterion", _c, BASE, _c)
_row("criterion", "unstable(node_le)", RunConfig(scheme="node", edge="le"), "unstable")
_row("criterion", "unstable(node_half)", RunConfig(scheme="node", edge="half"), "unstable")
del _h, _dt, _R, _e, _c


def study_task(scheme: str, h: float, dt: float, radius: float, edge: str, mass: float, T: float) -> dict:
    """One run of a configuration at mass M0 to T; every criterion's verdict (a sweep task)."""
    stop_factor = STOP_FACTOR
    if scheme == "fv":
        from continuum.radial_ks3d import run_radial
        from verification.radial.cases import PAPER

        n_r = round(radius / h)
        p = PAPER.replace(radius=radius, n_r=n_r, dt=dt, mass=mass, start=edge,
                          blowup_cells=1.0 / math.sqrt(stop_factor))
        out = run_radial(p, T, n_series=2000)
        times, rho0, cmax = out.times, out.rho0, out.c_max
        rho_start, unstable, grid_mass = float(out.rho0[0]), math.nan, float(out.mass[0])
        h_used = p.h
    else:
        out = node_fdm(mass, h, dt, radius, edge, T, stop_level=stop_factor * 2.0 / h**2)
        times, rho0, cmax = out["times"], out["rho0"], out["cmax"]
        rho_start, unstable, grid_mass, h_used = out["level"], out["unstable_time"], out["grid_mass"], h
    v = verdicts(times, rho0, cmax, h_used, unstable, rho_start, T)
    return {**v, "max_rho0": float(np.max(rho0)), "t_max_rho0": float(times[int(np.argmax(rho0))]),
            "sup_c": float(np.max(cmax)), "grid_mass": grid_mass}


def fv_bracket(h: float, dt: float, lo: float = 47.0, hi: float = 49.0, width: float = 1 / 32,
               T: float = 1.0) -> tuple[float, float, list]:
    """Bisect the baseline (finite volumes, R = 20, cell-average start, rho(first cell) > 2/h^2 by T).

    Returns (bounded M0, blowing-up M0, [(M0, blew up), ...]); (nan, nan, log) when [lo, hi] does
    not bracket the transition.
    """
    from continuum.radial_ks3d import run_radial
    from verification.radial.cases import PAPER

    log: list[tuple[float, bool]] = []

    def blows(m: float) -> bool:
        out = run_radial(PAPER.replace(n_r=round(PAPER.radius / h), dt=dt, mass=m), T, n_series=10)
        log.append((m, bool(out.blew_up)))
        return bool(out.blew_up)

    status, points, bracket = "need", [], None
    known: dict[float, bool] = {}
    while status == "need":
        status, points, bracket = bisection_state(lo, hi, width, known.get)
        for m in points:
            if m not in known:
                known[m] = blows(m)
                break
    if status != "done":
        return math.nan, math.nan, log
    return bracket[0], bracket[1], log


def paper_grid_task(mass: float, T: float = 1.0) -> dict:
    """One run on the paper's grid (Nr = 2e5 on [0, 20], dt = 1e-5), baseline scheme and start."""
    return study_task("fv", 1e-4, 1e-5, 20.0, "cell_average", mass, T)


FN = "verification.radial.critical_mass_study:study_task"
PAPER_FN = "verification.radial.critical_mass_study:paper_grid_task"


def _key(cfg: RunConfig, mass: float) -> str:
    return f"{cfg.key()}_M={mass:.8g}"


def _bisections(p: dict, results: dict):
    for name in p["rows"]:
        ingredient, value, cfg, criterion = ROWS[name]

        def decided(m, cfg=cfg, criterion=criterion):
            r = results.get(_key(cfg, m))
            return None if r is None else bool(r["blows"][criterion])

        status, points, bracket = bisection_state(p["lo"], p["hi"], p["width"], decided)
        yield name, cfg, status, points, bracket


def _paper_key(mass: float) -> str:
    return f"paper_grid_M={mass:.8g}"


def paper_grid_bracket(p: dict, results: dict) -> tuple | None:
    """(largest bounded, smallest blowing-up) of the finished paper-grid single masses, or None."""
    done = {m: results[_paper_key(m)]["blows"]["rho0>2/h^2"] for m in p["paper_masses"] if _paper_key(m) in results}
    bounded = [m for m, b in done.items() if not b]
    blows = [m for m, b in done.items() if b]
    if not bounded or not blows or max(bounded) >= min(blows):
        return None
    return max(bounded), min(blows)


def _plan(p: dict, results: dict) -> list[Task]:
    tasks = {_paper_key(m): Task(_paper_key(m), PAPER_FN, {"mass": m, "T": p["T"]}) for m in p["paper_masses"]}
    for _, cfg, _, points, _ in _bisections(p, results):
        for m in points:
            tasks[_key(cfg, m)] = Task(_key(cfg, m), FN, {"scheme": cfg.scheme, "h": cfg.h, "dt": cfg.dt,
                                                          "radius": cfg.radius, "edge": cfg.edge, "mass": m,
                                                          "T": p["T"]})
    return list(tasks.values())


def brackets(p: dict, results: dict) -> dict:
    """Row name -> (status, bracket or None, masses run)."""
    return {name: (status, bracket, points) for name, _, status, points, bracket in _bisections(p, results)}


def overlaps_paper(bracket) -> bool:
    """Whether a bisected bracket (stable, blows up) overlaps the paper's (47.6, 47.8)."""
    return bracket is not None and bracket[0] < PAPER_BRACKET[1] and bracket[1] > PAPER_BRACKET[0]


def _summarize(p: dict, results: dict):
    rows = []
    for name, (status, bracket, points) in brackets(p, results).items():
        ingredient, value, cfg, criterion = ROWS[name]
        masses = [results[_key(cfg, m)]["grid_mass"] / m for m in points if _key(cfg, m) in results]
        if status == "invalid":  # the ends do not bracket a transition: no critical mass in (lo, hi)
            shown, overlap = f"none in ({p['lo']:g}, {p['hi']:g})", "-"
        else:
            shown = "-" if bracket is None else f"({bracket[0]:.5g}, {bracket[1]:.5g})"
            overlap = "yes" if status == "done" and overlaps_paper(bracket) else "no"
        rows.append([ingredient, value, criterion, shown, status, "-" if not masses else f"{masses[0]:.5f}",
                     overlap, len(points)])
    if p["paper_masses"]:
        runs = ", ".join(f"{m:g}: " + ("-" if _paper_key(m) not in results else
                                        "blows up" if results[_paper_key(m)]["blows"]["rho0>2/h^2"] else "bounded")
                         for m in p["paper_masses"])
        br = paper_grid_bracket(p, results)
        rows.append(["grid_h", "0.0001 (paper)", "rho0>2/h^2", "-" if br is None else f"({br[0]:.5g}, {br[1]:.5g})",
                     f"single masses ({runs})", "1.00000", "yes" if overlaps_paper(br) else "no",
                     len(p["paper_masses"])])
    return ["ingredient", "value", "criterion", "M_c bracket (bounded, blows up)", "status",
            "grid mass / M0", "overlaps (47.6, 47.8)", "runs"], rows


def _plot(fig, p: dict, results: dict) -> None:
    ax = fig.add_subplot(111)
    names = list(p["rows"])
    for i, name in enumerate(names):
        status, bracket, _ = brackets(p, results)[name]
        if bracket is not None and status == "done":
            ax.plot(bracket, [i, i], "C0-", lw=3)
    ax.axvspan(*PAPER_BRACKET, color="C3", alpha=0.2, label="paper (47.6, 47.8)")
    ax.set_yticks(range(len(names)), names, fontsize=6)
    ax.set_xlabel("critical mass bracket of the unit ball (T = 1)")
    ax.legend(fontsize=7)


#: Lower estimates of one cell-step in ns (measured here, one thread, h = 0.01, rounded down): the finite-volume
#: runs of :func:`study_task` 44 ns, the literal node FDM 94 ns.
NS_PER_CELL_STEP = {"fv": 10.0, "node": 30.0}


def _validate(p: dict) -> None:
    """Rows, bracket, masses and T; every run a whole number of steps, each run's work under the cap."""
    from verification import validation as V

    rows = p["rows"]
    if not isinstance(rows, list) or not rows or any(not isinstance(r, str) for r in rows):
        raise ValueError(f"rows must be a non-empty subset of {sorted(ROWS)}, got {rows!r}")
    bad = [r for r in rows if r not in ROWS]
    if bad:
        raise ValueError(f"rows must be a non-empty subset of {sorted(ROWS)}, got unknown {bad}")
    lo = V.positive(p["lo"], "lo")
    hi = V.real(p["hi"], "hi", lo=lo, lo_open=True)
    width = V.positive(p["width"], "width")
    if not width < hi - lo:
        raise ValueError(f"need 0 < width < hi - lo and lo > 0, got {p['lo']}, {p['hi']}, {p['width']}")
    if not isinstance(p["paper_masses"], list) or not all(isinstance(m, float) and m > 0
                                                          for m in p["paper_masses"]):
        raise ValueError(f"paper_masses must be masses > 0, got {p['paper_masses']!r}")
    for i, m in enumerate(p["paper_masses"]):
        V.positive(m, f"paper_masses[{i}]")
    T = V.positive(p["T"], "T")
    runs = [ROWS[r][2] for r in rows] + ([RunConfig(h=1e-4)] if p["paper_masses"] else [])
    for cfg in runs:
        n = round(T / cfg.dt)
        if n < 1 or abs(n * cfg.dt - T) > 1e-9 * T:  # the runs take round(T / dt) steps: none silently shortened
            raise ValueError(f"T must be a whole number of steps of every selected row's dt; T = {T:g} is "
                             f"{T / cfg.dt:.6g} steps of dt = {cfg.dt:g} ({cfg.key()})")
        V.require_work(float(n) * (cfg.radius / cfg.h), unit="cell-steps", ns_per_unit=NS_PER_CELL_STEP[cfg.scheme],
                       what=f"one run of {cfg.key()} to T = {T:g}", fix="a smaller T")


SWEEPS = [Sweep(
    name="radial3d-critical-mass-study",
    summary="unit-ball critical mass of the radial FDM, one ingredient at a time (grid, dt, R, edge, criterion)",
    source="[SIPF] §4.3 (radial FDM, 'numerical instabilities between 47.6 and 47.8')",
    defaults={"rows": list(ROWS), "lo": 47.0, "hi": 49.0, "width": 1 / 32, "T": 1.0, "paper_masses": [48.0, 48.1]},
    plan=_plan, summarize=_summarize, plot=_plot, validate=_validate, tasks=(FN, PAPER_FN))]
