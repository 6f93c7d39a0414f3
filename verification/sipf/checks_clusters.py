"""SIPF checks of [SIPF] §4.4 (non-radial initial data) and §4.5 (eps = 0.1).

Method under test: ``run`` (protocol ``sipf.run`` of :mod:`verification.sipf.protocols`, default
our fast path). Every blow-up verdict uses the indicator of ``sipf.blowup_indicator``: the ratio
of ``max c - mean c`` at H = 24 and H = 12 (two runs from the same particles and noise), compared
with 1 (a resolved, bounded profile) and with R_delta, the ratio a point mass gives after the same
backward-Euler steps from c = 0 (Eq. 39, :func:`verification.sipf.cases.delta_ratio`). Here the
ratio is read at every step from the runs' ``||c||_inf`` and ``int c`` histories
(:func:`verification.sipf.cases.peak_history`).

* ``sipf.four_cluster_merger`` (§4.4, Eq. 48, Figs. 11-12): four sub-critical balls (mass 20 each)
  spread, merge and focus; the focus sits at the conserved centre of mass.
* ``sipf.shifted_start_equivariance`` (§4.4, Eq. 30, Fig. 10): the same particles shifted by
  s = (1/6, 1/6, 1/6) with the same Brownian increments give the shifted trajectories and field;
  the ratio indicator of the unit ball and its shifted copy, below and above critical, side by side.
* ``sipf.eps01_bounded`` (§4.5, Fig. 13(a, c)): eps = 0.1, ball radius 0.8, L = 12, M0 = 40 stays
  bounded; the growth of the second moment against the exact (Ito, per step) identity.
* ``sipf.eps01_blowup`` (§4.5, Fig. 13(b, c)): the same with M0 = 160 focuses.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import chi2

from agents import sipf as S
from verification import stats
from verification.records import CheckContext, CheckResult, Part, check
from verification.refs import cite
from verification.sipf import critical_mass
from verification.sipf.cases import (
    EPS01,
    EPS01_RADIUS,
    PAPER,
    SHIFT,
    TETRAHEDRON,
    delta_ratio,
    four_clusters,
    peak_history,
    refined_field,
)
from verification.sipf.protocols import RUN, Run3D

#: The two resolutions of the indicator (Figs. 8, 10, 11, 13): H = 24 over H = 12.
H_LO, H_HI = 12, 24
#: §4.4: the paper sees the singularity form "at around T = 0.3" (Figs. 11(b), 12: snapshots 0.1 apart).
PAPER_MERGER_TIME, PAPER_SNAPSHOT_SPACING = 0.3, 0.1
#: End time of the coarse (P/2, 2 dt) four-cluster run that sets the crossing-time allowance.
T_COARSE = 0.8
#: The Table 4 blow-up criterion's fraction f (threshold 1 + f (R_delta - 1)) of the sipf-critical-mass sweep.
TABLE4_FRACTION = float(next(sw for sw in critical_mass.SWEEPS if sw.name == "sipf-critical-mass")
                        .defaults["threshold_fraction"])
#: §4.5: the paper's fitted variance growth for M0 = 40 ("diffusion coefficient fitted to be 1.696").
PAPER_EPS01_SLOPE = 1.696


def ratio_pair(run: Run3D, p: S.SIPFParams, x0: np.ndarray, n_steps: int, seed: int,
               record_steps=None) -> dict:
    """Run H = 12 and H = 24 from the same particles and noise; the peak ratio at every common step.

    Returns ``{"runs": {H: SIPFRun}, "times", "ratio"}``; when the H = 24 run was stopped by the
    blow-up detector before the H = 12 run, its last ratio is inf (as ``critical_mass.sipf_ratio``).
    """
    runs = {H: run(p.replace(H=H), x0, n_steps, seed, record_steps=record_steps) for H in (H_LO, H_HI)}
    lo, hi = (peak_history(p.replace(H=H), runs[H]) for H in (H_LO, H_HI))
    m = min(lo.size, hi.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = hi[:m] / lo[:m]
    ratio[0] = 1.0  # c(0) = 0 at both resolutions
    if runs[H_HI].blew_up and hi.size <= lo.size:
        ratio[-1] = math.inf
    return {"runs": runs, "times": np.arange(m) * p.dt, "ratio": ratio}


def classes(p: S.SIPFParams, n_steps: int) -> tuple[float, float]:
    """R_delta after ``n_steps`` (Eq. 39 point mass) and the midpoint 1 + (R_delta - 1)/2 between the classes."""
    _, _, r_delta = delta_ratio(p, max(int(n_steps), 1), H_LO, H_HI)
    return r_delta, 1.0 + (r_delta - 1.0) / 2.0


CLASS_BASIS = ("discretization (Eq. 39): a delta-type profile gives R_delta, the ratio of the exact backward-Euler "
               "point-mass sums at H = 24 and 12; a resolved bounded profile gives 1; tolerance = half the gap")


def focusing_part(name: str, ratio: float, r_delta: float) -> Part:
    """One-sided: the ratio is closer to R_delta than to 1 (above R_delta counts: a harder focus than a point mass)."""
    tol = (r_delta - 1.0) / 2.0
    return Part(name, ratio, r_delta, tol, CLASS_BASIS + "; one-sided: passes when measured >= R_delta - tolerance",
                passed=bool(ratio >= r_delta - tol))


def spreading_part(name: str, ratio: float, r_delta: float) -> Part:
    """The ratio is closer to 1 than to R_delta."""
    return Part(name, ratio, 1.0, (r_delta - 1.0) / 2.0, CLASS_BASIS)


def table4_threshold(r_delta: float) -> float:
    """The blow-up threshold of ``sipf.critical_mass``: 1 + f (R_delta - 1), f = the sweep's threshold_fraction."""
    return 1.0 + TABLE4_FRACTION * (r_delta - 1.0)


def classified_part(name: str, ratio: float, focusing: bool, threshold: float, r_delta: float) -> Part:
    """The Table 4 criterion of ``sipf.critical_mass``: blows up iff the ratio exceeds ``threshold``.

    ``threshold = 1 + f (R_delta - 1)`` with the sweep's ``threshold_fraction`` f; the tolerance is the
    distance from the class value (R_delta or 1) to the threshold, one-sided.
    """
    basis = (f"discretization (Eq. 39) as in sipf.critical_mass: blow-up iff ratio > {threshold:.3f} = 1 + f (R_delta "
             "- 1), f = threshold_fraction of the sipf-critical-mass sweep; one-sided")
    if focusing:
        return Part(name, ratio, r_delta, r_delta - threshold, basis, passed=bool(ratio > threshold))
    return Part(name, ratio, 1.0, threshold - 1.0, basis, passed=bool(ratio <= threshold))


def first_crossing(times: np.ndarray, ratio: np.ndarray, level: float) -> float:
    """First time the ratio reaches ``level`` (nan if never)."""
    above = np.nonzero(ratio >= level)[0]
    return float(times[above[0]]) if above.size else math.nan


# ----------------------------------------------------------------------------- §4.4 four clusters
@check("sipf.four_cluster_merger", source=cite("SIPF", "§4.4, Eq. (48), Figs. 11-12"), profiles=("full",),
       methods={"run": "sipf.run"}, unit="dimensionless ratio (peak H=24 / H=12)")
def four_cluster_merger(ctx: CheckContext, run: Run3D = RUN.default) -> CheckResult:
    """Four balls of mass 20 (Eq. 48) spread, merge and focus near t ~ 0.3 at the conserved centre of mass.

    Full profile only: at P = 1000, dt = 2e-3 the merged cluster focuses after T = 0.5 for some seeds (seed 7:
    ratio 1.17 at T, no crossing; coarse size crossing at 0.71), so a quick size does not keep the meaning.
    """
    P, dt = ctx.pick((1000, 2e-3), (4000, 1e-3))
    T = 0.5
    n = int(round(T / dt))
    p = PAPER.replace(mass=80.0, dt=dt)
    x0 = four_clusters(P, ctx.seed("clusters"))
    seed = ctx.seed("noise")
    res = ratio_pair(run, p, x0, n, seed)
    times, ratio = res["times"], res["ratio"]
    r_delta, mid = classes(p, n)
    early = times <= 2 * PAPER_SNAPSHOT_SPACING
    r_early = float(np.max(ratio[early]))
    r_max = float(np.max(ratio))
    t_cross = first_crossing(times, ratio, mid)
    # discretization allowance for the crossing time: the same with half the particles and twice the step
    # (first-order estimate of the reduced size's error; run to T_COARSE, the coarse focus comes later)
    pc = p.replace(dt=2 * dt)
    n_c = int(round(T_COARSE / pc.dt))
    coarse = ratio_pair(run, pc, x0.reshape(4, P // 4, 3)[:, ::2].reshape(-1, 3), n_c, seed)  # half of each ball
    t_coarse = first_crossing(coarse["times"], coarse["ratio"], classes(pc, n_c)[1])
    d_size = abs(t_coarse - t_cross)
    t_extrap = 2 * t_cross - t_coarse  # first-order (Richardson) extrapolation in the size (1/P and dt halved)
    # where the merged cluster sits: centre of mass (conserved: the pair drift is antisymmetric) and peak of c
    hi = res["runs"][H_HI]
    X = np.asarray(hi.positions)[-1]
    t_end = float(hi.record_steps[-1]) * dt
    centre0 = TETRAHEDRON.mean(axis=0)
    se = np.sqrt((x0.var(axis=0, ddof=1) + 2 * p.mu * t_end) / P)
    q3 = math.sqrt(float(chi2.isf(stats.FALSE_ALARM, 3)))
    centre = X.mean(axis=0)
    c_ref, axis = refined_field(p.replace(H=H_HI), np.asarray(hi.modes)[-1])
    peak = axis[np.array(np.unravel_index(np.argmax(c_ref), c_ref.shape))]
    h = p.L / H_HI
    parts = [
        spreading_part(f"max ratio for t <= {2 * PAPER_SNAPSHOT_SPACING:g} (clusters spreading, Fig. 12(a-b))",
                       r_early, r_delta),
        focusing_part(f"max ratio for t <= {T:g} (merged cluster focuses, Fig. 11(b))", r_max, r_delta),
        Part("time the ratio first reaches the midpoint 1 + (R_delta - 1)/2, extrapolated 2 t(P, dt) - t(P/2, 2 dt), "
             "vs the paper's 'around T = 0.3'", t_extrap, PAPER_MERGER_TIME, PAPER_SNAPSHOT_SPACING + d_size,
             f"the paper's resolution (Fig. 12 snapshots {PAPER_SNAPSHOT_SPACING:g} apart) + discretization: the "
             f"extrapolation's uncertainty |t(P/2, 2 dt) - t(P, dt)| = {d_size:.3g} (crossings {t_cross:.3g} at P = "
             f"{P}, dt = {dt:g} and {t_coarse:.3g} at P = {P // 2}, dt = {2 * dt:g}: smaller sizes focus later)"),
        Part(f"|centre of mass at t = {t_end:g} - (1/4) sum of the Eq. 48 vertices|",
             float(np.linalg.norm(centre - centre0)), 0.0, q3 * float(np.max(se)),
             f"statistics: sqrt(chi2_3 quantile) = {q3:.2f} (false alarm {stats.FALSE_ALARM:g}) x the largest "
             "per-coordinate SE of the mean over particles, sqrt((Var x0 + 2 mu t)/P) (initial sampling + "
             "Brownian increments; the pair drift sums to 0)"),
        Part("|peak of c (H = 24, 4x refined grid) - centre of mass| at the end", float(np.linalg.norm(peak - centre)),
             0.0, h + q3 * float(np.max(se)),
             "discretization + statistics: one H = 24 grid spacing h = L/24 (the focus is resolved to a cell) + the "
             "centre-of-mass tolerance; the tetrahedron's centroid is its symmetry centre"),
    ]
    stride = max(1, ratio.size // 50)
    details = {"P": P, "dt": dt, "T": T, "M0": 80.0, "R_delta": r_delta, "midpoint": mid,
               "ratio_t": times[::stride].tolist(), "ratio": ratio[::stride].tolist(),
               "crossing_time": t_cross, "crossing_time_coarse": t_coarse, "crossing_time_extrapolated": t_extrap,
               "centre_of_mass_initial_exact": centre0.tolist(), "centre_of_mass_initial_sample": x0.mean(0).tolist(),
               "centre_of_mass_end": centre.tolist(), "centre_se": se.tolist(), "peak_of_c_end": peak.tolist(),
               "peak_distance_from_origin": float(np.linalg.norm(peak)),
               "paper_location": "§4.4 text: the merged cluster is 'centered at the origin'; the centre of mass is "
                                 "(0, 0, sqrt(2)/4) = (0, 0, 0.354) (the origin only in the x-y projection)",
               "particles_at_walls": int(np.sum(np.abs(X) >= p.L / 2)),
               "blew_up": {str(H): bool(r.blew_up) for H, r in res["runs"].items()},
               "paper": "Fig. 11(b): ratio rises sharply near t = 0.3 (P = 1e4, dt = 1e-4, T = 0.5)",
               "shrunk": "quick: P = 1000, dt = 2e-3 (coarse: P = 500, dt = 4e-3); full: P = 4000, dt = 1e-3 "
                         "(coarse: P = 2000, dt = 2e-3); paper: P = 1e4, dt = 1e-4"}

    def plot(fig):
        ax = fig.add_subplot(111)
        ax.plot(times, ratio, label=f"P = {P}, dt = {dt:g}")
        ax.plot(coarse["times"], coarse["ratio"], "--", label=f"P = {P // 2}, dt = {2 * dt:g}")
        ax.axhline(r_delta, color="k", lw=0.6, label="R_delta (point mass)")
        ax.axhline(mid, color="k", lw=0.6, ls=":", label="midpoint")
        ax.axvline(PAPER_MERGER_TIME, color="C3", lw=0.8, label="paper: ~0.3")
        ax.set_xlabel("t")
        ax.set_ylabel("(max c - mean c) ratio H = 24 / H = 12")
        ax.legend(fontsize=7)

    return ctx.result(parts, details, plot)


# ----------------------------------------------------------------------------- §4.4 shifted start
@check("sipf.shifted_start_equivariance", source=cite("SIPF", "§4.4 'shifted initial distribution', Eq. (30), Fig. 10"),
       methods={"run": "sipf.run"}, unit="length")
def shifted_start_equivariance(ctx: CheckContext, run: Run3D = RUN.default) -> CheckResult:
    """A start shifted by s = (1/6)(1, 1, 1) gives the shifted run (same noise); the indicator classifies both alike."""
    P, dt, T, masses = ctx.pick((500, 1e-3, 0.1, (20.0, 80.0)), (1000, 2e-3, 1.0, (40.0, 60.0)))
    n = int(round(T / dt))
    n_eq = min(n, int(round(0.1 / dt)))  # equivariance read at t = 0.1: far from the walls, before any collapse
    x0 = S.uniform_ball(P, seed=ctx.shared_seed("ball"))
    rec = sorted({0, n_eq, n})
    w = 2 * np.pi / PAPER.L
    out: dict = {}
    for M in masses:
        p = PAPER.replace(mass=M, dt=dt)
        seed = ctx.seed("noise", M)
        out[M] = {"plain": ratio_pair(run, p, x0, n, seed, rec),
                  "shifted": ratio_pair(run, p, x0 + SHIFT, n, seed, rec)}
    # (a) equivariance at the sub-critical mass, t = n_eq dt, both resolutions
    dev_x, dev_a, dev_rows = 0.0, 0.0, {}
    for M in masses:
        for H in (H_LO, H_HI):
            a, b = out[M]["plain"]["runs"][H], out[M]["shifted"]["runs"][H]
            row = {}
            for step in rec:
                if step not in a.record_steps or step not in b.record_steps:
                    continue
                ia, ib = list(a.record_steps).index(step), list(b.record_steps).index(step)
                dx = float(np.max(np.abs(np.asarray(b.positions)[ib] - SHIFT - np.asarray(a.positions)[ia])))
                kk = S.wavenumbers(PAPER.replace(H=H)) * w
                phase = np.exp(-1j * (kk[:, None, None] + kk[None, :, None] + kk[None, None, :]) * SHIFT[0])
                am, bm = np.asarray(a.modes)[ia], np.asarray(b.modes)[ib]
                da = float(np.max(np.abs(bm - am * phase)) / max(np.max(np.abs(am)), 1e-300))
                row[f"t={step * dt:g}"] = {"max|dX|": dx, "modes_rel": da}
                if M == masses[0] and step == n_eq:
                    dev_x, dev_a = max(dev_x, dx), max(dev_a, da)
            dev_rows[f"M={M:g},H={H}"] = row
    h = PAPER.L / H_HI
    tol_x = 1e-6 * h
    basis = ("required accuracy: the quadrature of Eq. (30) is taken on nodes X + (m + 1/2) h shifted with each "
             "particle (cell offset Xbar), so the step is translation-equivariant up to round-off "
             f"(NUFFT eps {S.NUFFT_EPS:g} per step; measured ~1e-8 h after {n_eq} steps); a grid-tied evaluation "
             "errs by O(h); "
             "tolerance 1e-6 h")
    parts = [Part(f"M0 = {masses[0]:g}, t = {n_eq * dt:g}: max |X(x0 + s) - s - X(x0)| over particles, H = 12 and 24",
                  dev_x, 0.0, tol_x, basis),
             Part(f"M0 = {masses[0]:g}, t = {n_eq * dt:g}: max |alpha(x0 + s) - alpha(x0) exp(-i w.s)| / max |alpha|",
                  dev_a, 0.0, 1e-6, basis.replace("tolerance 1e-6 h", "tolerance 1e-6 relative"))]
    # (b) the indicator, plain and shifted, below and above the critical mass
    p_end = PAPER.replace(dt=dt)
    r_delta, _ = classes(p_end, n)
    thr = table4_threshold(r_delta)
    side = {}
    for M, focus in zip(masses, (False, True), strict=True):
        for kind in ("plain", "shifted"):
            r = out[M][kind]
            # the sup of the truncated series between the grid nodes (4x refined: s is a whole number of refined
            # cells at H = 12 and 24, so this read is shift-invariant); the Eq. 29 grid maximum is not: a focus
            # off the nodes is sampled below its top, by an amount that depends on its offset and on H
            sup = []
            for H in (H_LO, H_HI):
                q = PAPER.replace(H=H, mass=M, dt=dt)
                alpha = np.asarray(r["runs"][H].modes)[-1]
                sup.append(float(refined_field(q, alpha)[0].max() - S.c_total(q, alpha) / q.L**3))
            ratio = sup[1] / sup[0]
            name = (f"M0 = {M:g}, {'unit ball' if kind == 'plain' else 'shifted by (1/6)(1,1,1)'}: ratio of the "
                    f"sup of c - mean c (4x refined grid) at t = {T:g}")
            parts.append(classified_part(name, ratio, focus, thr, r_delta))
            side[f"M={M:g},{kind}"] = {"ratio_refined_sup": ratio, "ratio_grid_max": float(r["ratio"][-1]),
                                       "blew_up": {str(H): bool(x.blew_up) for H, x in r["runs"].items()}}
    details = {"P": P, "dt": dt, "T": T, "shift": SHIFT.tolist(), "masses": list(masses), "R_delta": r_delta,
               "threshold": thr, "equivariance": dev_rows, "indicator_side_by_side": side,
               "paper": "§4.4: the critical mass of the shifted ball is unchanged, (47.6, 47.8) (Fig. 10(a), Table 4)",
               "note": "the parts read max c on a 4x refined grid (the sup of the truncated series, shift-invariant); "
                       "ratio_grid_max is the paper's ||c||_inf on the Eq. 29 grid: the focus of the shifted start "
                       "sits half a cell off the H = 24 nodes and a quarter cell off the H = 12 nodes, so its grid "
                       "maximum under-reads the H = 24 peak more and the grid ratio of the shifted run is biased low",
               "shrunk": "quick: P = 500, dt = 1e-3, T = 0.1, M0 = 20 and 80 (clearly sub/super-critical at "
                         "T = 0.1); full: P = 1000, dt = 2e-3, T = 1, M0 = 40 and 60 (about 48 +- 10, "
                         "where T = 1 separates them)"}
    return ctx.result(parts, details)


# ----------------------------------------------------------------------------- §4.5 eps = 0.1
def _eps01_params(mass: float, dt: float) -> S.SIPFParams:
    return EPS01.replace(mass=mass, dt=dt)


@check("sipf.eps01_bounded", source=cite("SIPF", "§4.5, Fig. 13(a, c), Eq. (6)"), methods={"run": "sipf.run"},
       unit="length^2/time")
def eps01_bounded(ctx: CheckContext, run: Run3D = RUN.default) -> CheckResult:
    """At eps = 0.1, M0 = 40 the ratio stays near 1; E|X|^2 grows as the exact per-step identity says, below 6 mu."""
    P, dt, stride = ctx.pick((1000, 1e-2, 1), (2000, 1e-3, 5))
    T = 1.0
    n = int(round(T / dt))
    p = _eps01_params(40.0, dt)
    x0 = S.uniform_ball(P, radius=EPS01_RADIUS, seed=ctx.seed("ball"))
    seed = ctx.seed("noise")
    sampled = list(range(1, n, stride))  # steps n whose increment X_n -> X_{n+1} is compared with the identity
    rec = sorted({0, n} | set(sampled) | {s + 1 for s in sampled})
    res = ratio_pair(run, p, x0, n, seed, rec)
    hi = res["runs"][H_HI]
    steps = list(hi.record_steps)
    pos, modes = np.asarray(hi.positions), np.asarray(hi.modes)
    q = p.replace(H=H_HI)
    d = x0.shape[1]
    meas, pred, var, virial_pair, virial_field = [], [], [], [], []
    for s in sampled:
        if s + 1 not in steps:
            break
        i0, i1 = steps.index(s), steps.index(s + 1)
        X, X1 = pos[i0], pos[i1]
        pair = S.pair_drift_fast(q, X)
        field = (q.eps / q.dt) * S.field_drift_fast(q, X, modes[i0])  # the field recorded with X_n is c_{n-1}
        b = -q.chi * (pair + field)  # the drift of Eq. (28) at X_n with c_{n-1}
        inc = np.sum(X1**2, axis=1) - np.sum(X**2, axis=1)
        exp_inc = 2 * dt * np.sum(X * b, axis=1) + dt**2 * np.sum(b**2, axis=1) + 2 * d * q.mu * dt
        meas.append(inc.mean())
        pred.append(exp_inc.mean())
        var.append(np.var(inc - exp_inc, ddof=1) / P)
        virial_pair.append(-2 * q.chi * np.mean(np.sum(X * pair, axis=1)))
        virial_field.append(-2 * q.chi * np.mean(np.sum(X * field, axis=1)))
    k = len(meas)
    rate_meas, rate_pred = float(np.sum(meas)) / (k * dt), float(np.sum(pred)) / (k * dt)
    rate_se = math.sqrt(float(np.sum(var))) / (k * dt)
    # second moment at the recorded times and its least-squares slope over [0, T]
    t_rec = np.array(steps) * dt
    m2 = np.mean(np.sum(pos**2, axis=2), axis=1)
    m2_xy = np.mean(np.sum(pos[:, :, :2] ** 2, axis=2), axis=1)
    A = np.vstack([t_rec, np.ones_like(t_rec)]).T
    lsq = np.linalg.pinv(A)[0]  # slope weights
    # SE of the slope: the martingale part of mean |X|^2 accumulates the per-step residual variance
    v_step = float(np.mean(var)) if var else 0.0
    cov = v_step * np.minimum.outer(t_rec, t_rec) / dt
    slope, slope_se = float(lsq @ m2), float(math.sqrt(max(lsq @ cov @ lsq, 0.0)))
    slope_xy = float(lsq @ m2_xy)
    r_delta, _ = classes(p, n)
    free = 2 * d * p.mu
    zq = stats.Z
    parts = [
        Part("growth rate of mean |X|^2 over the sampled steps vs the per-step identity 2 d mu + 2 <X.b> + dt <|b|^2>",
             rate_meas, rate_pred, zq * rate_se,
             f"statistics: Z = {zq:.2f} x SE from the per-particle residuals of the {k} sampled steps (given X_n the "
             "increments are independent with the stated mean: the Ito identity of the Euler step, exact per step; "
             "b from the particles' pair sum and the recorded c_{n-1})"),
        classified_part(f"ratio at t = {T:g} (M0 = 40 stays bounded)", float(res["ratio"][-1]), False,
                        table4_threshold(r_delta), r_delta),
        Part(f"least-squares slope of mean |X|^2 on [0, {T:g}] vs the free value 2 d mu = {free:g} (suppressed)",
             slope, free, zq * slope_se,
             f"one-sided, statistics: passes when slope + Z x SE < 2 d mu (attraction slows the spreading; the pair "
             f"term -chi (M/P^2) sum (1 + beta r) e^(-beta r)/(4 pi r) is <= 0); SE {slope_se:.3g} from the martingale "
             "part of mean |X|^2", passed=bool(slope + zq * slope_se < free)),
    ]
    details = {"P": P, "dt": dt, "T": T, "H": [H_LO, H_HI], "params": "eps = 0.1, L = 12, ball radius 0.8, M0 = 40",
               "rate_measured": rate_meas, "rate_identity": rate_pred, "rate_se": rate_se,
               "rate_parts": {"2 d mu": free, "pair virial 2 <X.b_pair>": float(np.mean(virial_pair)),
                              "field virial 2 <X.b_field>": float(np.mean(virial_field))},
               "slope_total_3d": slope, "slope_se": slope_se, "slope_xy_projection": slope_xy,
               "slope_per_coordinate": slope / d, "paper_fitted": PAPER_EPS01_SLOPE,
               "paper_statement": "§4.5: variance grows linearly, 'diffusion coefficient fitted to be 1.696'; "
                                  "'expected 4 mu = 4' for chi = 0 (3D: 2 d mu = 6; 4 mu is the 2D or x-y "
                                  "projected value)",
               "suppression": {"ours_total": slope / free, "ours_xy": slope_xy / (4 * p.mu),
                               "paper_vs_4": PAPER_EPS01_SLOPE / 4, "paper_vs_6": PAPER_EPS01_SLOPE / 6},
               "ratio_end": float(res["ratio"][-1]), "R_delta": r_delta,
               "particles_at_walls_end": int(np.sum(np.abs(pos[-1]) >= p.L / 2)),
               "shrunk": "quick: P = 1000, dt = 1e-2, every step compared; full: P = 2000, dt = 1e-3, every 5th "
                         "(paper: P = 1e4, dt = 1e-4, which our pair kernel refuses at L = 12: beta L sqrt 3 > 655)"}

    def plot(fig):
        ax = fig.add_subplot(111)
        ax.plot(t_rec, m2, ".", ms=2, label=f"mean |X|^2 (slope {slope:.3f})")
        ax.plot(t_rec, m2_xy, ".", ms=2, label=f"mean x^2 + y^2 (slope {slope_xy:.3f})")
        ax.plot(t_rec, m2[0] + free * t_rec, ":", label="free diffusion 6 mu t")
        ax.plot(t_rec, m2[0] + PAPER_EPS01_SLOPE * t_rec, "--", label="paper's fitted 1.696")
        ax.set_xlabel("t")
        ax.set_ylabel("second moment")
        ax.legend(fontsize=7)

    return ctx.result(parts, details, plot)


@check("sipf.eps01_blowup", source=cite("SIPF", "§4.5, Fig. 13(b, c)"), methods={"run": "sipf.run"},
       unit="dimensionless ratio (peak H=24 / H=12)")
def eps01_blowup(ctx: CheckContext, run: Run3D = RUN.default) -> CheckResult:
    """At eps = 0.1, M0 = 160 blows up by the Table 4 criterion of sipf.critical_mass (H = 24 / H = 12 ratio)."""
    P, dt, T = ctx.pick((1000, 1e-3, 0.1), (2000, 5e-4, 0.3))
    n = int(round(T / dt))
    p = _eps01_params(160.0, dt)
    x0 = S.uniform_ball(P, radius=EPS01_RADIUS, seed=ctx.seed("ball"))
    res = ratio_pair(run, p, x0, n, ctx.seed("noise"))
    r_delta, mid = classes(p, n)
    r_max = float(np.max(res["ratio"]))
    # The verdict uses the same blow-up classifier as the critical-mass bisections (Table 4), so that "M0 = 160
    # blows up" means what "above the critical mass" means there. Whether the ratio also reaches the point-mass
    # value R_delta depends on dt at eps = 0.1 (details: delta_type_reached).
    thr = table4_threshold(r_delta)
    parts = [classified_part(f"max ratio for t <= {T:g} (M0 = 160 blows up)", r_max, True, thr, r_delta)]
    stride = max(1, res["ratio"].size // 50)
    details = {"P": P, "dt": dt, "T": T, "params": "eps = 0.1, L = 12, ball radius 0.8, M0 = 160", "R_delta": r_delta,
               "crossing_time": first_crossing(res["times"], res["ratio"], mid),
               "delta_type_reached": bool(r_max >= r_delta - (r_delta - 1.0) / 2.0),
               "ratio_t": res["times"][::stride].tolist(), "ratio": res["ratio"][::stride].tolist(),
               "blew_up": {str(H): bool(r.blew_up) for H, r in res["runs"].items()},
               "shrunk": "quick: P = 1000, dt = 1e-3, T = 0.1; full: P = 2000, dt = 5e-4, T = 0.3 (paper: P = 1e4, "
                         "dt = 1e-4, T = 1)",
               "dt_dependence": "at eps = 0.1 the pair kernel's range 1/beta = sqrt(dt/eps) shrinks with dt, so the "
                                "attraction moves from the exact pair sum to the H-truncated field (h = L/H = 0.5 at "
                                "L = 12, H = 24): compare the quick (dt = 1e-3) and full (dt = 5e-4) verdicts"}
    return ctx.result(parts, details)
