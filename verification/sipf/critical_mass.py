"""Critical-mass bisections of [SIPF] Table 4: SIPF particles and the radial FDM reference.

``sipf-critical-mass`` ([SIPF] §4.3-4.4, Figs. 8-10, Table 4). For each configuration
(the base of Eq. 35 on the unit ball; ball radius 0.8; mu = 0.8; chi = 0.8; eps = 8e-5;
k = 0.08; the unit ball centred at (1/6, 1/6, 1/6)) the initial mass M0 is bisected on
a bracket around the paper's interval. Each M0 takes two SIPF runs to T (H = 24 and
H = 12, the same particles and noise), one task each. A mass counts as blowing up when
the ratio R of (max c - mean c) at H = 24 and H = 12 at time T exceeds
1 + f (R_delta - 1), R_delta being the ratio a point mass gives after the same steps (Eq. 39,
:func:`verification.sipf.cases.delta_ratio`) and f = ``threshold_fraction`` (default 1/4: a
quarter of the way from a resolved bounded profile to a point mass; measured sub-critical
ratios at P = 2000 stay within 0.03 of 1, and at M0 ~ 56 the ratio at T = 1 is only 1.4-1.8
with dt = 1e-3, so the midpoint f = 1/2 misclassifies collapsing runs). The mean of c is
removed because it is fixed by the mass identity and the same for every H. At the paper's size (P = 1e4,
dt = 1e-4, T = 1) one run is about 26 min on 2 cores, so the full table is ~100 CPU-hours:
a cluster job (``--scheduler``); ``--set P=2000 --set dt=0.001`` is a 2-3 hour laptop run.
``replicas`` > 1 repeats each bisection with independent seeds (particles and noise): at P = 2000
the bisected mass varies by about 1 between seeds, so a table entry is a mean with its standard
error. The noise of a run is drawn on the grid of :data:`NOISE_DT` = 1e-3, so a run at dt = 2e-3 follows
the Brownian path of the run at 1e-3 with the same seed (common random numbers for a time-step
comparison). ``task_fn`` names the run function (``MODULE:FUNCTION`` with :func:`sipf_task`'s signature and
result keys), so another SIPF implementation goes through the same bisection: from Python (the check
``sipf.critical_mass`` with ``activebench run --method sipf.bisection_task=MODULE:FUNCTION``); the CLI's
``--set task_fn`` accepts only the registered :func:`sipf_task`.

``radial3d-critical-mass``: the same bisection with the radial finite-difference
reference (Eqs. 44-45, :mod:`continuum.radial_ks3d`) for the radially symmetric rows
(the shifted ball is the unit ball moved, identical in R^3). Blow-up: rho in the first
cell above 2 mu/(chi h^2) before T.
"""

from __future__ import annotations

import math

import numpy as np

from verification import validation as V
from verification.sweep import Sweep, Task, bisection_state

SIPF_FN = "verification.sipf.critical_mass:sipf_task"
RADIAL_FN = "verification.sipf.critical_mass:radial_task"
#: Lower estimate of one pair evaluation of the SIPF step (Eq. 31, the O(P^2) part) in ns: measured 18 ns per
#: pair at P = 2000, H = 24 on one thread here (with the per-step NUFFTs), and ~3 ns per pair per core at the
#: paper's P = 1e4 (26 min for 1e4 steps on 2 cores); rounded down to 1 ns.
NS_PER_PAIR = 1.0
#: Time step [time] of the Brownian grid: a run at dt = k NOISE_DT (k >= 2) sums k draws per step, so runs at
#: dt and 2 dt with one seed share the Brownian path (:func:`noise_substeps`).
NOISE_DT = 1e-3
#: Lower estimate of one cell-step of the radial finite-volume solver in ns: measured 35 ns here (n_r = 2000,
#: one thread), rounded down.
NS_PER_RADIAL_CELL_STEP = 10.0


def require_run_limits(P: int, H: int, n_steps: int, what: str, fix: str) -> None:
    """Refuse one SIPF run of ``n_steps`` steps with P particles and H modes beyond the memory or work cap.

    Memory (a lower estimate of what a run holds at once): positions, drift, noise and angles (~18 doubles
    per particle), about 8 complex (H+1)^3 mode arrays (field, density, quadrature symbol, the driver's
    point-mass ratio of Eq. 39) and two doubles per step of history. Work: P^2 pair evaluations and
    (H+1)^3 mode updates per step, at >= :data:`NS_PER_PAIR` ns each.
    """
    modes = float(H + 1) ** 3
    V.require_memory(8.0 * 18 * P + 16.0 * 8 * modes + 16.0 * n_steps, what, fix)
    V.require_work(float(n_steps) * (float(P) ** 2 + modes), unit="pair evaluations and mode updates",
                   ns_per_unit=NS_PER_PAIR, what=what, fix=fix)

#: Table 4 (and §4.3-4.4): configuration -> (changes to Eq. 35 / the initial ball, paper bracket).
TABLE4 = {
    "unit_ball": ({}, (47.6, 47.8)),
    "radius_0.8": ({"radius": 0.8}, (38.8, 39.0)),
    "mu_0.8": ({"mu": 0.8}, (38.0, 38.2)),
    "chi_0.8": ({"chi": 0.8}, (59.6, 59.8)),
    "eps_8e-5": ({"eps": 8e-5}, (47.8, 48.0)),
    "k_0.08": ({"k": 0.08}, (46.8, 47.0)),
    "shifted": ({"center": [1 / 6, 1 / 6, 1 / 6]}, (47.6, 47.8)),
}
RADIAL_ROWS = [c for c in TABLE4 if c != "shifted"]
PHYSICAL = ("mu", "chi", "eps", "k")


def _physics(config: str) -> dict:
    changes = TABLE4[config][0]
    return {k: float(changes.get(k, d)) for k, d in zip(PHYSICAL, (1.0, 1.0, 1e-4, 0.1), strict=True)}


def _bracket(config: str, half_width: float) -> tuple[float, float]:
    lo, hi = TABLE4[config][1]
    c = 0.5 * (lo + hi)
    return c - half_width, c + half_width


# ----------------------------------------------------------------------------- SIPF tasks
def sipf_params(config: str, mass: float, H: int, dt: float):
    """The :class:`agents.sipf.SIPFParams` of a Table 4 configuration (L = 8) with mass M0, H and dt."""
    from agents import sipf as S

    return S.SIPFParams(**_physics(config), L=8.0, H=H, dt=dt, mass=mass)


def noise_substeps(dt: float) -> int:
    """Standard normals per particle and step: ``dt / NOISE_DT`` when that is a whole number >= 2, else 1.

    The Brownian increments of a run at dt = k NOISE_DT are the normalized sums of k consecutive draws
    (``noise_substeps`` of :func:`agents.sipf.run_sipf`), so runs at dt and 2 dt with the same seed follow
    one Brownian path (common random numbers for the time-step allowance of ``sipf.critical_mass``).
    Runs at dt <= NOISE_DT, or at a dt that is not a multiple of it, draw one normal per step, as before.

    Parameters
    ----------
    dt : float
        Time step [time], finite and > 0.

    Raises
    ------
    ValueError
        Naming dt when it is not a finite number > 0.
    """
    k = round(V.positive(dt, "dt") / NOISE_DT)
    return k if k >= 2 and abs(k * NOISE_DT - dt) <= 1e-9 * dt else 1


def run_config(p, config: str, P: int, T: float, seed: int) -> dict:
    """One SIPF run with parameters ``p`` from the initial ball of ``config`` to T; peak and ||c||_inf data at T.

    The noise is drawn on the grid of :data:`NOISE_DT` (:func:`noise_substeps`): the same seed gives the
    same initial particles and, at dt and 2 dt, the same Brownian path.
    """
    from agents import sipf as S
    from verification.sipf.cases import peak_above_mean

    changes = TABLE4[config][0]
    x0 = S.uniform_ball(P, radius=changes.get("radius", 1.0), center=tuple(changes.get("center", (0, 0, 0))),
                        seed=seed)
    n = int(round(T / p.dt))
    r = S.run_sipf(p, x0, n, seed=seed + 1, noise_substeps=noise_substeps(p.dt))
    alpha = np.asarray(r.modes)[-1]
    stride = max(1, len(r.cinf) // 50)
    return {"peak_above_mean": peak_above_mean(p, alpha), "cinf": float(r.cinf[-1]), "blew_up": bool(r.blew_up),
            "blowup_time": None if math.isnan(r.blowup_time) else float(r.blowup_time), "t_reached": float(r.times[-1]),
            "cinf_t": r.times[::stride].tolist(), "cinf_hist": r.cinf[::stride].tolist()}


def sipf_task(config: str, mass: float, H: int, P: int, dt: float, T: float, seed: int) -> dict:
    """One SIPF run to T for a Table 4 configuration; returns peak and ||c||_inf data at T (``sipf.bisection_task``)."""
    return run_config(sipf_params(config, mass, H, dt), config, P, T, seed)


def threshold(config: str, p: dict) -> float:
    """Ratio above which a mass counts as blowing up: 1 + f (point-mass ratio of Eq. 39 - 1)."""
    from agents import sipf as S
    from verification.sipf.cases import delta_ratio

    n = int(round(p["T"] / p["dt"]))
    base = S.SIPFParams(**_physics(config), L=8.0, H=max(p["H"]), dt=p["dt"], mass=1.0)
    _, _, r_delta = delta_ratio(base, n, min(p["H"]), max(p["H"]))
    return 1.0 + p["threshold_fraction"] * (r_delta - 1.0)


def _sipf_key(config: str, mass: float, H: int, rep: int = 0) -> str:
    return f"{config}_M={mass:.6g}_H={H}" + (f"_rep={rep}" if rep else "")


def replica_seed(p: dict, rep: int) -> int:
    """Seed of replica ``rep`` (replica 0 uses ``seed`` itself)."""
    return p["seed"] + 7919 * rep


def sipf_ratio(p: dict, results: dict, config: str, mass: float, rep: int = 0) -> float | None:
    """(max c - mean c) at the larger H over the smaller, or None if a run is missing.

    A run stopped by the blow-up detector (||c||_inf > 1e12) at the larger H counts as inf.
    """
    lo_h, hi_h = min(p["H"]), max(p["H"])
    a, b = (results.get(_sipf_key(config, mass, h, rep)) for h in (lo_h, hi_h))
    if a is None or b is None:
        return None
    if b["blew_up"]:
        return math.inf
    return b["peak_above_mean"] / a["peak_above_mean"]


def _bisections(p: dict, results: dict):
    for config in p["configs"]:
        thr = threshold(config, p)
        for rep in range(p["replicas"]):
            def decided(m, config=config, thr=thr, rep=rep):
                r = sipf_ratio(p, results, config, m, rep)
                return None if r is None else r > thr

            status, points, br = bisection_state(*_bracket(config, p["half_width"]), p["width"], decided)
            yield config, rep, status, br, points, thr


def _sipf_plan(p: dict, results: dict) -> list[Task]:
    return [Task(_sipf_key(config, m, h, rep), p["task_fn"],
                 {"config": config, "mass": m, "H": h, "P": p["P"], "dt": p["dt"], "T": p["T"],
                  "seed": replica_seed(p, rep)})
            for config, rep, _, _, points, _ in _bisections(p, results) for m in points for h in p["H"]]


def sipf_brackets(p: dict, results: dict) -> dict:
    """Config -> list over replicas of (status, bracket, points, threshold)."""
    out: dict[str, list] = {c: [] for c in p["configs"]}
    for config, _, status, br, points, thr in _bisections(p, results):
        out[config].append((status, br, points, thr))
    return out


def replica_estimate(runs: list) -> tuple[float, float, int]:
    """Mean of the bracket centres over finished replicas, its standard error (nan if < 2) and the count."""
    centres = np.array([0.5 * (br[0] + br[1]) for status, br, _, _ in runs if status == "done"])
    if centres.size == 0:
        return math.nan, math.nan, 0
    se = float(centres.std(ddof=1) / math.sqrt(centres.size)) if centres.size > 1 else math.nan
    return float(centres.mean()), se, int(centres.size)


def _sipf_summarize(p: dict, results: dict):
    rows = []
    for config, runs in sipf_brackets(p, results).items():
        mean, se, n = replica_estimate(runs)
        brs = ", ".join("-" if br is None else f"({br[0]:.4g}, {br[1]:.4g})" for _, br, _, _ in runs)
        status = "/".join(sorted({r[0] for r in runs}))
        rows.append([config, brs, "-" if n == 0 else (f"{mean:.4g}" if n < 2 else f"{mean:.4g} ± {se:.2g}"),
                     str(TABLE4[config][1]), status, sum(len(r[2]) for r in runs), round(runs[0][3], 3)])
    header = ["configuration", "ours (stable, blows up) per replica", "mean ± SE", "paper Table 4", "status",
              "masses run", "ratio threshold"]
    return header, rows


def _sipf_plot(fig, p: dict, results: dict) -> None:
    ax = fig.add_subplot(111)
    for i, (config, runs) in enumerate(sipf_brackets(p, results).items()):
        color = None
        for rep, (_, _br, points, _thr) in enumerate(runs):
            ms = sorted(m for m in points if sipf_ratio(p, results, config, m, rep) is not None)
            rs = [min(sipf_ratio(p, results, config, m, rep), 5.0) for m in ms]
            line = ax.plot(ms, rs, "o", ms=4, color=color, label=config if rep == 0 else None)[0]
            color = line.get_color()
        ax.axvspan(*TABLE4[config][1], color=color, alpha=0.25)
        if i == 0:
            ax.axhline(runs[0][3], color="k", lw=0.6, ls="--", label="blow-up threshold")
    ax.set_xlabel("initial mass M0")
    ax.set_ylabel("(max c − mean c) ratio, H = 24 / H = 12 (capped at 5)")
    ax.set_title(f"SIPF, P = {p['P']}, dt = {p['dt']:g}, T = {p['T']:g} (bands: paper Table 4)", fontsize=9)
    ax.legend(fontsize=6)


def _validate_common(p: dict, allowed: list[str]) -> int:
    """Configurations, bracket and time parameters; returns the number of steps T / dt of every run."""
    configs = p["configs"]
    if not isinstance(configs, list) or not configs or any(not isinstance(c, str) or c not in allowed
                                                           for c in configs):
        raise ValueError(f"configs must be a non-empty subset of {allowed}, got {configs!r}")
    width = V.positive(p["width"], "width")
    half = V.real(p["half_width"], "half_width", lo=0.0, hi=30.0, lo_open=True, hi_open=True)  # masses stay > 0
    if not 2 * half > width:
        raise ValueError(f"need 0 < width < 2 half_width (the bracket), got width = {p['width']}, "
                         f"half_width = {p['half_width']}")
    T = V.positive(p["T"], "T")
    dt = V.positive(p["dt"], "dt")
    if not dt <= T:
        raise ValueError(f"need 0 < dt <= T, got dt = {p['dt']}, T = {p['T']}")
    n = round(T / dt)
    if abs(n * dt - T) > 1e-9 * T:  # the runs take round(T / dt) steps: no silently shortened or lengthened run
        raise ValueError(f"T must be a whole number of steps of dt, got T / dt = {T / dt:.6g} (T = {T:g}, "
                         f"dt = {dt:g})")
    return n


def _sipf_validate(p: dict) -> None:
    """Every run's parameters (the SIPFParams of each configuration, H and bracket end), seeds, work and memory.

    ``task_fn`` is checked by the sweep runner (:func:`verification.sweep.resolve_params`: a user's text must
    be :data:`SIPF_FN`; a Python caller, e.g. the check ``sipf.critical_mass``, may hand in its method).
    """
    n = _validate_common(p, list(TABLE4))
    if not isinstance(p["task_fn"], str) or not all(p["task_fn"].partition(":")[::2]):
        raise ValueError(f"task_fn must look like MODULE:FUNCTION, got {p['task_fn']!r}")
    replicas = V.integer(p["replicas"], "replicas", lo=1)  # independent seeds per configuration
    V.real(p["threshold_fraction"], "threshold_fraction", lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    P = V.integer(p["P"], "P", lo=2)
    hs = p["H"]
    if not isinstance(hs, list) or len(hs) != 2 or hs[0] == hs[1] or any(
            isinstance(h, bool) or not isinstance(h, int) or h < 4 or h % 2 for h in hs):
        raise ValueError(f"H must be two different even ints >= 4, got {hs!r}")
    V.seed(p["seed"], "seed")
    if replica_seed(p, replicas - 1) + 1 >= V.SEED_LIMIT:
        raise ValueError(f"seed must leave room for the replica seeds (seed + 7919 (replicas - 1) + 1 < 2**63), "
                         f"got {p['seed']}")
    require_run_limits(P, max(hs), n, f"one sipf-critical-mass run (P = {P}, H = {max(hs)}, {n} steps)",
                       "a smaller P or H, or a larger dt")
    from agents import sipf as S

    for config in p["configs"]:  # the same validation the runs will do, before any work starts
        for m in _bracket(config, p["half_width"]):
            for h in hs:
                S.SIPFParams(**_physics(config), L=8.0, H=h, dt=p["dt"], mass=m)


# ----------------------------------------------------------------------------- radial FDM tasks
def radial_task(config: str, mass: float, n_r: int, dt: float, T: float) -> dict:
    """One radial FDM run to T; returns the blow-up flag and time."""
    from continuum.radial_ks3d import RadialKSParams, radial_solver

    changes = TABLE4[config][0]
    params = RadialKSParams(**_physics(config), radius=20.0, n_r=n_r, dt=dt, mass=mass,
                            ball_radius=changes.get("radius", 1.0))
    out = radial_solver(params, T, ())
    return {"blew_up": bool(out.blew_up),
            "blowup_time": None if math.isnan(out.blowup_time) else float(out.blowup_time),
            "max_rho0": float(np.max(out.rho0)) if out.rho0.size else None}


def _radial_key(config: str, mass: float) -> str:
    return f"{config}_M={mass:.6g}"


def radial_brackets(p: dict, results: dict) -> dict:
    """Config -> (status, bracket, points)."""
    out = {}
    for config in p["configs"]:
        def decided(m, config=config):
            r = results.get(_radial_key(config, m))
            return None if r is None else r["blew_up"]

        out[config] = bisection_state(*_bracket(config, p["half_width"]), p["width"], decided)
    return out


def _radial_plan(p: dict, results: dict) -> list[Task]:
    return [Task(_radial_key(c, m), RADIAL_FN,
                 {"config": c, "mass": m, "n_r": p["n_r"], "dt": p["dt"], "T": p["T"]})
            for c, (_, points, _) in radial_brackets(p, results).items() for m in points]


def _radial_summarize(p: dict, results: dict):
    rows = []
    for c, (status, points, br) in radial_brackets(p, results).items():
        rows.append([c, "-" if br is None else f"({br[0]:.4g}, {br[1]:.4g})", str(TABLE4[c][1]), status,
                     len(points)])
    return ["configuration", "ours (bounded, blows up)", "paper Table 4 (SIPF)", "status", "masses run"], rows


def _radial_plot(fig, p: dict, results: dict) -> None:
    ax = fig.add_subplot(111)
    for i, (c, (_, points, _br)) in enumerate(radial_brackets(p, results).items()):
        for m in points:
            r = results.get(_radial_key(c, m))
            if r is not None:
                ax.plot(m, i, "x" if r["blew_up"] else "o", color="C3" if r["blew_up"] else "C0")
        ax.plot(TABLE4[c][1], [i, i], "k-", lw=4, alpha=0.4)
    ax.set_yticks(range(len(p["configs"])), p["configs"], fontsize=7)
    ax.set_xlabel("initial mass M0 (o bounded, x blows up by T; grey: paper Table 4)")
    ax.set_title(f"radial FDM, n_r = {p['n_r']}, dt = {p['dt']:g}, T = {p['T']:g}", fontsize=9)


def _radial_validate(p: dict) -> None:
    """Every run's RadialKSParams (each configuration and bracket end), and one run's work and memory."""
    n = _validate_common(p, RADIAL_ROWS)
    n_r = V.integer(p["n_r"], "n_r", lo=2)
    from continuum.radial_ks3d import RadialKSParams

    # a few tridiagonal systems and the fields of n_r cells (~20 doubles per cell)
    V.require_memory(8.0 * 20 * n_r, f"one radial3d-critical-mass run (n_r = {n_r})", "a smaller n_r")
    V.require_work(float(n) * n_r, unit="cell-steps", ns_per_unit=NS_PER_RADIAL_CELL_STEP,
                   what=f"one radial3d-critical-mass run (n_r = {n_r}, {n} steps)", fix="a smaller n_r or a larger dt")
    for c in p["configs"]:
        changes = TABLE4[c][0]
        for m in _bracket(c, p["half_width"]):
            RadialKSParams(**_physics(c), radius=20.0, n_r=n_r, dt=p["dt"], mass=m,
                           ball_radius=changes.get("radius", 1.0))


SWEEPS = [
    Sweep(name="sipf-critical-mass",
          summary="Table 4 critical-mass bisections with SIPF (H = 24 vs 12 ratio); paper size is a cluster job",
          source="[SIPF] §4.3-4.4, Figs. 8-10, Table 4",
          defaults={"configs": list(TABLE4), "P": 10000, "dt": 1e-4, "T": 1.0, "H": [12, 24], "half_width": 8.0,
                    "width": 0.2, "seed": 3, "replicas": 1, "threshold_fraction": 0.25,
                    "task_fn": SIPF_FN},
          plan=_sipf_plan, summarize=_sipf_summarize, plot=_sipf_plot, validate=_sipf_validate,
          tasks=(SIPF_FN,), function_params=("task_fn",)),
    Sweep(name="radial3d-critical-mass",
          summary="Table 4 critical-mass bisections with the radial FDM reference (Eqs. 44-45)",
          source="[SIPF] §4.3 (radial FDM), Table 4",
          defaults={"configs": RADIAL_ROWS, "n_r": 20000, "dt": 1e-5, "T": 1.0, "half_width": 8.0, "width": 0.2},
          plan=_radial_plan, summarize=_radial_summarize, plot=_radial_plot, validate=_radial_validate,
          tasks=(RADIAL_FN,)),
]
