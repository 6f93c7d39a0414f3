"""``sipf.critical_mass`` (full profile): the unit-ball critical mass by bisection, through the sweep runner.

Seed 003 §4.3, Fig. 8: uniform ball of radius 1, Eq. (35) parameters, c(0) = 0, T = 1; the
paper brackets the critical mass in (47.6, 47.8) from the ratio of ||c||_inf at H = 24 and 12.
Our criterion (see :mod:`verification.sweep_critical_mass`): (max c - mean c) ratio above the
midpoint between 1 and the point-mass ratio of Eq. (39).

The paper's size (P = 1e4, dt = 1e-4, 1e4 steps) costs ~26 min per run here and ~9 bisection
masses x 2 runs, so the check runs a reduced size and says so: P = 2000, dt = 1e-3, and the same
bisection with P halved and with dt doubled; the two differences of the bisected masses are the
sampling and time-step allowances (first-order estimates of the error of the reduced size). The radial FDM reference
(Eqs. 44-45) is bisected the same way at two grids. Parts:

1. SIPF critical mass vs the paper's bracket centre 47.7;
2. SIPF critical mass vs the radial reference's onset (same criterion family, no particles).

Method arguments: ``sipf_task`` (``MODULE:FUNCTION`` with the signature of
:func:`verification.sweep_critical_mass.sipf_task`, importable by the pool's workers) and
``make_executor`` (a context manager factory yielding ``(Executor, threads)``; default a local
process pool with one worker per CPU).
"""

from __future__ import annotations

import math
import tempfile

from verification.records import CheckConfig, CheckResult, Part, check, result_from_parts
from verification.sweep import all_sweeps, resolve_params, run_sweep
from verification.sweep_critical_mass import TABLE4, radial_brackets, sipf_brackets, sipf_ratio

SRC = "seed 003 §4.3, Fig. 8"
DEFAULT_TASK = "verification.sweep_critical_mass:sipf_task"
#: Reduced SIPF sizes (base, P halved, dt doubled) and radial grids (fine, coarse).
SIPF_SIZES = ({"P": 2000, "dt": 1e-3}, {"P": 1000, "dt": 1e-3}, {"P": 2000, "dt": 2e-3})
RADIAL_GRIDS = ({"n_r": 4000, "dt": 5e-5}, {"n_r": 2000, "dt": 1e-4})
WIDTH, HALF_WIDTH = 0.2, 8.0


def _bisect(name: str, params: dict, make_executor) -> tuple[dict, dict]:
    sweep = all_sweeps()[name]
    p = resolve_params(sweep, params)
    with tempfile.TemporaryDirectory(prefix="activebench-cm-") as out:
        res = run_sweep(sweep, p, out, make_executor, progress=False)
    return p, res.results


def _centre(bracket) -> float:
    return math.nan if bracket is None else 0.5 * (bracket[0] + bracket[1])


@check("sipf.critical_mass", source=f"{SRC} (critical mass of the unit ball in (47.6, 47.8))", profiles=("full",))
def critical_mass(cfg: CheckConfig, sipf_task: str = DEFAULT_TASK, make_executor=None) -> CheckResult:
    """Bisected SIPF critical mass of the unit ball (reduced P, dt) vs the paper and the radial reference."""
    seed = cfg.sub_seed("sipf.critical_mass") % 2**31
    sipf = []
    for size in SIPF_SIZES:
        p, results = _bisect("sipf-critical-mass", {"configs": ["unit_ball"], "T": 1.0, "width": WIDTH,
                                                    "half_width": HALF_WIDTH, "seed": seed, "task_fn": sipf_task,
                                                    **size}, make_executor)
        status, bracket, points, thr = sipf_brackets(p, results)["unit_ball"]
        ratios = {m: sipf_ratio(p, results, "unit_ball", m) for m in points}
        sipf.append({"status": status, "bracket": bracket, "threshold": thr, "ratios": ratios, **size})
    radial = []
    for grid in RADIAL_GRIDS:
        p, results = _bisect("radial3d-critical-mass", {"configs": ["unit_ball"], "T": 1.0, "width": WIDTH,
                                                        "half_width": HALF_WIDTH, **grid}, make_executor)
        status, points, bracket = radial_brackets(p, results)["unit_ball"]
        radial.append({"status": status, "bracket": bracket, **grid})
    paper = TABLE4["unit_ball"][1]
    m_fine, m_half_p, m_double_dt = (_centre(s["bracket"]) for s in sipf)
    r_fine, r_coarse = _centre(radial[0]["bracket"]), _centre(radial[1]["bracket"])
    half = WIDTH / 2  # a finished bisection's bracket is at most WIDTH wide
    disc = abs(m_fine - m_half_p) + abs(m_fine - m_double_dt)
    disc_r = abs(r_fine - r_coarse)
    tol1 = half + (paper[1] - paper[0]) / 2 + disc
    tol2 = 2 * half + disc + disc_r
    basis = ("discretization + sampling: half our bisection bracket + {extra} + |M_c(P) - M_c(P/2)| + "
             "|M_c(dt) - M_c(2 dt)| (first-order estimates of the reduced size's error)")
    ok = all(s["status"] == "done" for s in sipf)
    parts = [Part(f"SIPF critical mass (P = {SIPF_SIZES[0]['P']}, dt = {SIPF_SIZES[0]['dt']:g}) vs paper bracket "
                  "centre", m_fine, 0.5 * sum(paper), tol1, basis.format(extra="half the paper's bracket"),
                  passed=None if ok else False),
             Part(f"SIPF critical mass vs radial FDM onset (n_r = {RADIAL_GRIDS[0]['n_r']})", m_fine, r_fine, tol2,
                  basis.format(extra="half the radial bracket") + " + |radial M_c(h) - M_c(2h, 2dt)|",
                  passed=None if ok and all(r["status"] == "done" for r in radial) else False)]
    details = {"sipf": [{**s, "ratios": {f"{m:g}": r for m, r in s["ratios"].items()}} for s in sipf],
               "radial": radial, "paper_bracket": paper, "criterion": "(max c - mean c)(H=24)/(H=12) at T = 1 above "
               "the midpoint of 1 and the point-mass ratio (Eq. 39)",
               "estimates": {"M_c": m_fine, "M_c_half_P": m_half_p, "M_c_double_dt": m_double_dt,
                             "radial_M_c": r_fine, "radial_M_c_coarse": r_coarse},
               "shrunk": "P = 2000, dt = 1e-3 (and P = 1000; dt = 2e-3) instead of the paper's P = 1e4, dt = 1e-4 "
                         "(26 min per run here); the paper's size: `activebench sweep sipf-critical-mass`",
               "task_fn": sipf_task}

    def plot(fig):
        ax = fig.add_subplot(111)
        for s, mk in zip(sipf, ("o", "s", "^"), strict=True):
            ms = sorted(m for m, r in s["ratios"].items() if r is not None)
            ax.plot(ms, [min(s["ratios"][m], 5.0) for m in ms], mk, label=f"SIPF P = {s['P']}, dt = {s['dt']:g}")
        ax.axhline(sipf[0]["threshold"], color="k", ls="--", lw=0.7, label="blow-up threshold")
        ax.axvspan(*paper, color="C2", alpha=0.3, label="paper (47.6, 47.8)")
        if radial[0]["bracket"] is not None:
            ax.axvspan(*radial[0]["bracket"], color="C3", alpha=0.3, label="radial FDM bracket")
        ax.set_xlabel("M0")
        ax.set_ylabel("(max c − mean c) ratio H=24 / H=12 at T = 1 (capped at 5)")
        ax.legend(fontsize=7)

    return result_from_parts("sipf.critical_mass", SRC, parts, details, plot)
