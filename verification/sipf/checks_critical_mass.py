"""``sipf.critical_mass`` (full profile): the unit-ball critical mass by bisection, through the sweep runner.

[SIPF] §4.3, Fig. 8: uniform ball of radius 1, Eq. (35) parameters, c(0) = 0, T = 1; the
paper brackets the critical mass in (47.6, 47.8) from the ratio of ||c||_inf at H = 24 and 12.
Our criterion (see :mod:`verification.sipf.critical_mass`): (max c - mean c) ratio above a quarter
of the way from 1 to the point-mass ratio of Eq. (39).

The paper's size (P = 1e4, dt = 1e-4, 1e4 steps) costs ~26 min per run here and ~9 bisection
masses x 2 runs, so the check runs a reduced size and says so: P = 2000, dt = 1e-3 with 16
independent seeds (the bisected mass varies by about 0.7 between seeds at this P, ∝ P^-1/2: one seed
alone is not an estimate), and 4 seeds each with P doubled and with dt doubled, paired with the first
base seeds. The paired differences give the sampling-bias and time-step allowances, first-order
estimates of the reduced size's error: a bias a/P makes M_c(P) - M_c(2P) half the bias at P, so the P
allowance is twice the mean paired difference; an O(dt) error makes M_c(2 dt) - M_c(dt) the error at dt.
The dt-doubled run of a seed follows the Brownian path of its base run with the default task
(:func:`verification.sipf.critical_mass.noise_substeps`: common random numbers; the four paired
differences agreed to within 0.13); the P-doubled run shares nothing with its pair but the seed.
Why 2P and not P/2: at P = 1000 the H = 24 / H = 12 ratio has no margin around the threshold (1.253):
collapsed runs gave ratios from 1.15 to 1.61 and runs near M_c 1.12-1.28, and one of four seeds
bisected to an invalid bracket (its collapsed run at M0 = 55.7 gave 1.148). At P = 2000 the 16 seeds'
ratios were <= 1.19 below and >= 1.42 above the transition. Seed 20261123 (full profile) measured
M_c = 48.82 +- 0.17 (SE, 16 seeds) at the base size, M_c(2 dt) - M_c(dt) = 0.56.
The base size makes the tolerance smallest per hour on 2 cores: per seed, the fixed NUFFT cost makes
P < 2000 no cheaper per unit of variance and the O(P^2) pair sum makes P > 2000 dearer (a P = 4000 run
costs 2.8 times a P = 2000 run with one thread); the t-quantile at the suite's false-alarm rate and
the allowances' own seed noise keep the expected tolerance near 2.5-3 (about 1 needs ~30 core-hours).
About 90 min on 2 cores: ``activebench run --work DIR`` keeps its sweeps so that an interrupted run
resumes.
The radial FDM reference (Eqs. 44-45) is bisected the same way at two grids. Parts:

1. SIPF critical mass vs the settled critical mass of the continuum problem
   (:mod:`verification.radial.critical_mass_study`: the paper's (47.6, 47.8) is not the converged
   value of Eqs. 44-45, see the erratum ``radial.critical_mass_unit_ball``);
2. SIPF critical mass vs the radial reference's onset (same criterion family, no particles).

Method under test: ``sipf_task`` (protocol ``sipf.bisection_task`` of
:mod:`verification.sipf.protocols`; default :func:`verification.sipf.critical_mass.sipf_task`), one
SIPF run of a bisection. The runs go to the sweep runner's local process pool, whose workers
import the task by its ``module:qualname``: it must be a module-level function importable by
module name (a lambda or a closure is refused with a ValueError).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import t as student_t

from verification import stats
from verification.radial.critical_mass_study import SETTLED_ERROR, SETTLED_MC, SETTLED_SOURCE
from verification.records import CheckContext, CheckResult, Part, check
from verification.refs import cite
from verification.sipf.cases import importable_name
from verification.sipf.critical_mass import (
    NOISE_DT,
    TABLE4,
    noise_substeps,
    radial_brackets,
    replica_estimate,
    sipf_brackets,
    sipf_ratio,
)
from verification.sipf.protocols import BISECTION_TASK, BisectionTask
from verification.sweep import all_sweeps, resolve_params, run_sweep

#: Reduced SIPF sizes (base, P doubled, dt doubled) and radial grids (fine, coarse).
SIPF_SIZES = ({"P": 2000, "dt": 1e-3}, {"P": 4000, "dt": 1e-3}, {"P": 2000, "dt": 2e-3})
RADIAL_GRIDS = ({"n_r": 4000, "dt": 5e-5}, {"n_r": 2000, "dt": 1e-4})
#: Independent seeds: at the base size (the spread is the statistical error) and at the two other sizes
#: (paired with the first base seeds, for the P and dt allowances). 16 base seeds: t-quantile x SE
#: 5.24 x 0.69 / 4 = 0.9 measured (was 7.88 x 0.31 = 2.4 with 8); 4 pairs: the P allowance's noise ~0.85
#: (twice the mean of 4 unpaired differences, sd ~0.85 each), the dt allowance's ~0.05 (path-coupled pairs).
REPLICAS, REPLICAS_ALT = 16, 4
WIDTH, HALF_WIDTH = 0.2, 8.0


def _bisect(ctx: CheckContext, name: str, params: dict) -> tuple[dict, dict]:
    sweep = all_sweeps()[name]
    p = resolve_params(sweep, params)
    with ctx.sweep_folder(name, p) as out:
        res = run_sweep(sweep, p, out, progress=False)
    return p, res.results


def _paired_shift(alt: dict, base: dict) -> float:
    """|mean of (alternative size - base size)| over the seeds both ran (the first base seeds)."""
    return abs(float(np.mean([a - b for a, b in zip(alt["centres"], base["centres"], strict=False)])))


def _centre(bracket) -> float:
    return math.nan if bracket is None else 0.5 * (bracket[0] + bracket[1])


@check("sipf.critical_mass", source=cite("SIPF", "§4.3, Fig. 8 (critical mass of the unit ball in (47.6, 47.8))"),
       profiles=("full",), methods={"sipf_task": "sipf.bisection_task"}, unit="mass")
def critical_mass(ctx: CheckContext, sipf_task: BisectionTask = BISECTION_TASK.default) -> CheckResult:
    """Bisected SIPF critical mass of the unit ball (reduced P, dt; replicated seeds) vs the paper and radial FDM."""
    task_fn = importable_name(sipf_task, "sipf.critical_mass: sipf_task (protocol sipf.bisection_task)")
    seed = ctx.seed() % 2**31
    sipf = []
    for size, reps in zip(SIPF_SIZES, (REPLICAS, REPLICAS_ALT, REPLICAS_ALT), strict=True):
        p, results = _bisect(ctx, "sipf-critical-mass", {"configs": ["unit_ball"], "T": 1.0, "width": WIDTH,
                                                    "half_width": HALF_WIDTH, "seed": seed, "task_fn": task_fn,
                                                    "replicas": reps, **size})
        runs = sipf_brackets(p, results)["unit_ball"]
        mean, se, n_done = replica_estimate(runs)
        centres = [_centre(br) if st == "done" else math.nan for st, br, _, _ in runs]
        ratios = [{f"{m:g}": sipf_ratio(p, results, "unit_ball", m, rep) for m in pts}
                  for rep, (_, _, pts, _) in enumerate(runs)]
        sipf.append({"status": [r[0] for r in runs], "brackets": [r[1] for r in runs], "centres": centres,
                     "mean": mean, "se": se, "threshold": runs[0][3], "ratios": ratios, **size})
    radial = []
    for grid in RADIAL_GRIDS:
        p, results = _bisect(ctx, "radial3d-critical-mass", {"configs": ["unit_ball"], "T": 1.0, "width": WIDTH,
                                                        "half_width": HALF_WIDTH, **grid})
        status, points, bracket = radial_brackets(p, results)["unit_ball"]
        radial.append({"status": status, "bracket": bracket, **grid})
    paper = TABLE4["unit_ball"][1]
    base = sipf[0]
    ok = all(st == "done" for s in sipf for st in s["status"])
    # paired allowances: a bias a/P is twice M_c(P) - M_c(2P) at P, an O(dt) error is M_c(2 dt) - M_c(dt) at dt
    d_p = 2 * _paired_shift(sipf[1], base)
    d_dt = _paired_shift(sipf[2], base)
    r_fine, r_coarse = _centre(radial[0]["bracket"]), _centre(radial[1]["bracket"])
    tq = float(student_t.isf(stats.FALSE_ALARM / 2, REPLICAS - 1))
    half = WIDTH / 2  # a finished bisection's bracket is at most WIDTH wide
    stat = tq * base["se"]
    tol1 = stat + half + SETTLED_ERROR + d_p + d_dt
    tol2 = stat + 2 * half + d_p + d_dt + abs(r_fine - r_coarse)
    basis = (f"statistics + discretization: t-quantile ({tq:.2f}, {REPLICAS - 1} dof, false alarm "
             f"{stats.FALSE_ALARM:g}) x SE over {REPLICAS} seeds ({base['se']:.3g}) + half a bisection bracket + "
             "{extra} + 2 x paired |M_c(2P) - M_c(P)| ({d_p:.3g}) + |M_c(2 dt) - M_c(dt)| ({d_dt:.3g})")
    parts = [Part(f"SIPF critical mass (P = {base['P']}, dt = {base['dt']:g}, mean of {REPLICAS} seeds) vs the "
                  "settled continuum value", base["mean"], SETTLED_MC, tol1,
                  basis.format(extra=f"the settled value's error bar ({SETTLED_ERROR:g}: {SETTLED_SOURCE})",
                               d_p=d_p, d_dt=d_dt), passed=None if ok else False),
             Part(f"SIPF critical mass vs radial FDM onset (n_r = {RADIAL_GRIDS[0]['n_r']})", base["mean"], r_fine,
                  tol2, basis.format(extra="half the radial bracket", d_p=d_p, d_dt=d_dt)
                  + " + |radial M_c(h) - M_c(2h, 2dt)|",
                  passed=None if ok and all(r["status"] == "done" for r in radial) else False)]
    details = {"sipf": sipf, "radial": radial, "paper_bracket": paper,
               "criterion": "(max c - mean c)(H=24)/(H=12) at T = 1 above 1 + (R_delta - 1)/4, R_delta the "
                            "point-mass ratio (Eq. 39)",
               "estimates": {"M_c_mean": base["mean"], "M_c_se": base["se"], "allowance_P": d_p,
                             "allowance_dt": d_dt, "radial_M_c": r_fine, "radial_M_c_coarse": r_coarse},
               "shrunk": f"P = 2000, dt = 1e-3 ({REPLICAS} seeds; P = 4000 and dt = 2e-3 with {REPLICAS_ALT}) instead "
                         "of the paper's P = 1e4, dt = 1e-4 (26 min per run here); the paper's size: `activebench "
                         "sweep sipf-critical-mass`",
               "pairing": f"the first {REPLICAS_ALT} base seeds; with the default task the dt-doubled run follows "
                          f"its base run's Brownian path (noise_substeps {noise_substeps(SIPF_SIZES[2]['dt'])} on "
                          f"the {NOISE_DT:g} grid), the P-doubled run has its own particles and noise",
               "task_fn": task_fn}

    def plot(fig):
        ax = fig.add_subplot(111)
        ax.hist([c for c in base["centres"] if math.isfinite(c)], bins=8, alpha=0.6,
                label=f"SIPF P = {base['P']}, dt = {base['dt']:g}: bisected M_c per seed")
        for s, mk in zip(sipf[1:], ("s", "^"), strict=True):
            ax.plot([c for c in s["centres"] if math.isfinite(c)], [0.2] * sum(map(math.isfinite, s["centres"])), mk,
                    label=f"P = {s['P']}, dt = {s['dt']:g}")
        ax.axvspan(*paper, color="C2", alpha=0.3, label="paper (47.6, 47.8)")
        if radial[0]["bracket"] is not None:
            ax.axvspan(*radial[0]["bracket"], color="C3", alpha=0.3, label="radial FDM bracket")
        ax.axvline(base["mean"], color="k", lw=0.8, label=f"mean {base['mean']:.2f} ± {base['se']:.2f}")
        ax.set_xlabel("critical mass M0 (unit ball, T = 1)")
        ax.set_ylabel("seeds")
        ax.legend(fontsize=7)

    return ctx.result(parts, details, plot)
