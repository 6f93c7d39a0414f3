"""Checks of the SIPF method for 3D parabolic-parabolic Keller-Segel (seed 003).

Methods under test (keyword arguments, default ours):

* ``pieces(params, x, alpha_prev) -> (alpha_n, V)``: one step's field modes and the drift
  ``V = grad K * (eps c_{n-1}/dt + rho_n)`` at the particles (``agents.sipf.step_pieces_fast``);
  compared with the paper-literal reference path.
* ``run(params, x0, n_steps, seed, record_steps=None, alpha0=None, noise_substeps=1) -> SIPFRun``
  (``agents.sipf.run_sipf``): a whole run; ``.modes``, ``.positions``, ``.c0``, ``.cinf``.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np

from agents import sipf as S
from verification import stats
from verification.records import CheckConfig, CheckResult, Part, check, result_from_parts
from verification.sipf import derivation as deriv

SRC = "seed 003"
PAPER = S.SIPFParams(mu=1.0, chi=1.0, eps=1e-4, k=0.1, L=8.0, H=24, dt=1e-4, mass=80.0)  # Eq. (35)
TABLE1 = {4: (0.01756, 0.01773), 5: (0.00884, 0.00898), 6: (0.00440, 0.00452), 7: (0.00218, 0.00227),
          8: (0.00106, 0.00113)}  # dt = 2^-e * 0.01: (L2 error of c, c0 error), Table 1
T_CONV = 0.01


def default_run(params, x0, n_steps, seed, record_steps=None, alpha0=None, noise_substeps=1):
    """Our fast path."""
    return S.run_sipf(params, x0, n_steps, seed, record_steps, alpha0, "fast", noise_substeps)


def rel_max(a: np.ndarray, b: np.ndarray) -> float:
    """Return max |a - b| / max |b|."""
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


# ----------------------------------------------------------------------------- fast vs reference
def step_path_errors(space, p, x: np.ndarray, pieces):
    """One step of ``pieces`` vs the reference path of module ``space`` (agents.sipf or agents.sipf2d).

    The field c_{n-1} is non-trivial: two reference field updates from the particles. Returns the
    relative max errors of the modes and the drift, of the pair sum and the quadrature separately
    (so a failure says which piece), and the reference and tested drifts.
    """
    zero = np.zeros((p.H + 1,) * x.shape[1], complex)
    a0 = space.field_update(p, space.rho_modes_reference(p, x), zero)
    alpha_prev = space.field_update(p, space.rho_modes_reference(p, x * 0.9), a0)
    a_ref, v_ref = space.step_pieces_reference(p, x, alpha_prev)
    a_fast, v_fast = pieces(p, x, alpha_prev)
    e_pair = rel_max(space.pair_drift_fast(p, x), space.pair_drift_reference(p, x))
    e_quad = rel_max(space.field_drift_fast(p, x, alpha_prev), space.field_drift_reference(p, x, alpha_prev))
    return rel_max(a_fast, a_ref), rel_max(v_fast, v_ref), e_pair, e_quad, v_ref, v_fast


@check("sipf.fast_vs_reference", source=f"{SRC} Alg. 1-2, Eqs. (24), (29)-(31)")
def fast_vs_reference(cfg: CheckConfig, pieces=S.step_pieces_fast) -> CheckResult:
    """The fast path (NUFFT + numba pair sum) reproduces the paper-literal step to 1e-6 relative."""
    P, H = cfg.pick((300, 12), (1000, 24))
    p = PAPER.replace(H=H)
    rng = np.random.default_rng(cfg.sub_seed("fvr"))
    x = np.concatenate([S.uniform_ball(P - 20, seed=cfg.sub_seed("ball")),
                        rng.uniform(-p.L / 2, p.L / 2, (20, 3))])  # a few anywhere, incl. near the walls
    e_a, e_v, e_pair, e_quad, _, _ = step_path_errors(S, p, x, pieces)
    basis = "required accuracy 1e-6 relative (NUFFT eps 1e-12, vectorized exp rel. error ~1e-11: expected ~1e-10)"
    parts = [Part("field modes alpha_n: max|fast - ref| / max|ref|", e_a, 0.0, 1e-6, basis),
             Part("drift grad K*(eps c/dt + rho) at X_n: max|fast - ref| / max|ref|", e_v, 0.0, 1e-6, basis)]
    details = {"P": P, "H": H, "params": "Eq. (35), M0 = 80", "pair_sum_rel_error": e_pair,
               "quadrature_rel_error": e_quad,
               "shrunk": "quick: P = 300, H = 12 (full: P = 1000, H = 24); the reference is O(P H^3 log H)"}
    return result_from_parts("sipf.fast_vs_reference", f"{SRC} Alg. 1-2", parts, details)


# ----------------------------------------------------------------------------- c0 identity
def eq43_error(c_tilde: np.ndarray, c_exact: np.ndarray) -> float:
    """Eq. (43) on the step times t_1..t_N (mean of squared relative errors, square root)."""
    rel = (c_tilde[1:] - c_exact[1:]) / c_exact[1:]
    return float(math.sqrt(np.mean(rel**2)))


@check("sipf.c0_identity", source=f"{SRC} Eqs. (40)-(43), Table 1")
def c0_identity(cfg: CheckConfig, run=default_run) -> CheckResult:
    """c0(t) = int c from the field vs Eq. (42): the Eq. (43) error equals the exact backward-Euler error."""
    num = deriv.numeric()
    P, H = cfg.pick((300, 12), (10000, 24))
    exps = cfg.pick((4, 6), (4, 5, 6, 7, 8))
    x0 = S.uniform_ball(P, seed=cfg.sub_seed("ball"))
    parts, details = [], {"P": P, "H": H, "T": T_CONV, "c(0)": 0.0,
                          "shrunk": "quick: P = 300, H = 12, dt = 2^-4, 2^-6 x 0.01 (full: P = 1e4, H = 24, "
                                    "all five dt of Table 1)"}
    for e in exps:
        p = PAPER.replace(H=H, dt=T_CONV * 2.0**-e)
        n = 2**e
        r = run(p, x0, n, cfg.sub_seed("c0", e))
        if len(r.c0) != n + 1:
            parts.append(Part(f"dt = 2^-{e} T: run finished", 0.0, 1.0, 0.0, "run must complete"))
            continue
        steps = np.arange(n + 1)
        exact = num.c0_exact(steps * p.dt, 0.0, p.mass, p.k, p.eps)
        be = num.c0_be(steps, 0.0, p.mass, p.k, p.eps, p.dt)
        meas, pred = eq43_error(np.asarray(r.c0), exact), eq43_error(be, exact)
        parts.append(Part(f"Eq. 43 error, dt = 2^-{e} x 0.01", meas, pred, 1e-9 + 1e-7 * pred,
                          "discretization: the zero mode follows the backward-Euler recursion exactly "
                          "(derived solution M0/k^2 + (c0(0) - M0/k^2) r^n, r = eps/(eps + k^2 dt)); "
                          "tolerance = NUFFT eps 1e-12 x steps, with margin"))
        details[f"dt=2^-{e}T"] = {"measured": meas, "backward_euler": pred, "paper_table1_c0_error": TABLE1[e][1],
                                  "bound_first_order": pred}
    details["note"] = ("the paper's Table 1 c0 errors are ~0.76x ours for c(0) = 0; its c(0) is not stated. "
                       "With int c(0) dx = 624 (fitted to row 1) the BE recursion gives all five rows to <= 0.5%")
    return result_from_parts("sipf.c0_identity", f"{SRC} Eqs. (42)-(43)", parts, details)


# ----------------------------------------------------------------------------- free diffusion
@check("sipf.free_diffusion", source=f"{SRC} Eq. (17) with chi = 0")
def free_diffusion(cfg: CheckConfig, run=default_run) -> CheckResult:
    """With chi = 0 the growth of E|X|^2 equals 2 d mu t (standard-error tolerance)."""
    P, n = cfg.pick((4000, 50), (20000, 200))
    p = PAPER.replace(chi=0.0, H=8, dt=0.1 / n)
    x0 = S.uniform_ball(P, seed=cfg.sub_seed("ball"))
    r = run(p, x0, n, cfg.sub_seed("fd"))
    X = np.asarray(r.positions)[-1]
    d2 = np.sum(X**2, axis=1) - np.sum(x0**2, axis=1)
    m, se = stats.mean_se(d2)
    T = n * p.dt
    expected = float(deriv.numeric().msd_rate(p.mu)) * T
    parts = [Part("mean of |X_T|^2 - |X_0|^2", m, expected, stats.Z * se,
                  f"statistics: Z = {stats.Z:.2f} standard errors of the mean over {P} particles")]
    sigma = math.sqrt(2 * p.mu * T)
    details = {"P": P, "steps": n, "T": T, "se": se,
               "walls": f"start in the unit ball, L/2 = 4 is {(p.L / 2 - 1) / sigma:.1f} sigma away: clipping "
                        "has probability < 1e-9",
               "shrunk": "quick: P = 4000, 50 steps (full: P = 2e4, 200 steps)"}
    return result_from_parts("sipf.free_diffusion", f"{SRC} Eq. (17)", parts, details)


# ----------------------------------------------------------------------------- blow-up indicator
def delta_ratio(p: S.SIPFParams, n_steps: int, H1: int, H2: int) -> tuple[float, float, float]:
    """Return max c - mean c of a point mass at the origin after n BE steps from c = 0, at H1 and H2, and the ratio.

    c(0) - mean = sum_{k != 0} (M0/L^3) (1 - r_k^n)/(|w_k|^2 + k^2), r_k = eps/(eps + (|w_k|^2 + k^2) dt):
    the delta-type profile of Eq. (39) seen through H modes.
    """
    vals = []
    for H in (H1, H2):
        q = p.replace(H=H)
        w = 2 * np.pi * S.wavenumbers(q) / q.L
        lam = (w[:, None, None] ** 2 + w[None, :, None] ** 2 + w[None, None, :] ** 2) + q.k**2
        rk = q.eps / (q.eps + lam * q.dt)
        terms = q.mass / q.L**3 * (1 - rk**n_steps) / lam
        terms[H // 2, H // 2, H // 2] = 0.0  # the zero mode: fixed by Eq. (42) alone, the same for every H
        vals.append(float(np.sum(terms)))
    return vals[0], vals[1], vals[1] / vals[0]


def peak_above_mean(p: S.SIPFParams, alpha: np.ndarray) -> float:
    """Return max c - mean c on the H^3 grid of Eq. (29)."""
    return float(np.max(S.grid_values(p, alpha)) - S.c_total(p, alpha) / p.L**3)


@check("sipf.blowup_indicator", source=f"{SRC} §4.1, Eqs. (35), (39), Figs. 3-4")
def blowup_indicator(cfg: CheckConfig, run=default_run) -> CheckResult:
    """M0 = 20 spreads (peak ratio H=24/H=12 ~ 1), M0 = 80 focuses (ratio near the delta-type value)."""
    P, dt = cfg.pick((1000, 4e-4), (10000, 1e-4))
    T = 0.1
    n = int(round(T / dt))
    x0 = S.uniform_ball(P, seed=cfg.sub_seed("ball"))
    res, cinf = {}, {}
    for M in (20.0, 80.0):
        c, ci = [], []
        for H in (12, 24):
            p = PAPER.replace(mass=M, H=H, dt=dt)
            r = run(p, x0, n, cfg.sub_seed("blowup", M))
            c.append(peak_above_mean(p, np.asarray(r.modes)[-1]))
            ci.append(float(r.cinf[-1]))
            res[(M, H, "blew_up")] = bool(r.blew_up)
        res[M] = c
        cinf[M] = ci
    _, _, R_delta = delta_ratio(PAPER.replace(mass=80.0, dt=dt), n, 12, 24)
    tol = (R_delta - 1) / 2
    basis = ("discretization (Eq. 39): a delta-type profile gives the ratio R_delta of the exact backward-Euler "
             "point-mass sums at H = 24 and 12; a resolved bounded profile gives 1; tolerance = half the gap")
    r20, r80 = res[20.0][1] / res[20.0][0], res[80.0][1] / res[80.0][0]
    parts = [Part("M0 = 80: (max c - mean c)(H=24) / (max c - mean c)(H=12)", r80, R_delta, tol, basis),
             Part("M0 = 20: (max c - mean c)(H=24) / (max c - mean c)(H=12)", r20, 1.0, tol, basis)]
    details = {"P": P, "dt": dt, "T": T, "peak_M20_H12_H24": res[20.0], "peak_M80_H12_H24": res[80.0],
               "cinf_M20_H12_H24": cinf[20.0], "cinf_M80_H12_H24": cinf[80.0],
               "cinf_ratio_M20": cinf[20.0][1] / cinf[20.0][0], "cinf_ratio_M80": cinf[80.0][1] / cinf[80.0][0],
               "R_delta": R_delta,
               "why_mean_removed": "the mean of c is int c / L^3, fixed by the mass identity (Eq. 42) and the same "
                                   "for every H; it dilutes the ||c||_inf ratio without carrying information",
               "blew_up_flags": {str(k): v for k, v in res.items() if isinstance(k, tuple)},
               "shrunk": "quick: P = 1000, dt = 4e-4 (full: P = 1e4, dt = 1e-4 as in the paper)"}
    return result_from_parts("sipf.blowup_indicator", f"{SRC} Eq. (39)", parts, details)


# ----------------------------------------------------------------------------- dt order
@check("sipf.dt_order", source=f"{SRC} §4.2, Fig. 5, Table 1")
def dt_order(cfg: CheckConfig, run=default_run) -> CheckResult:
    """First order in dt: L2 error of c(T) vs a fine-step reference (coupled Brownian paths)."""
    P, H, ref_e = cfg.pick((200, 8, 9), (10000, 24, 11))
    exps = cfg.pick((4, 5, 6), (4, 5, 6, 7, 8))
    x0 = S.uniform_ball(P, seed=cfg.sub_seed("ball"))
    seed = cfg.sub_seed("dt")
    ref = run(PAPER.replace(H=H, dt=T_CONV * 2.0**-ref_e), x0, 2**ref_e, seed)
    a_ref = np.asarray(ref.modes)[-1]
    dts, errs = [], []
    for e in exps:
        r = run(PAPER.replace(H=H, dt=T_CONV * 2.0**-e), x0, 2**e, seed, noise_substeps=2 ** (ref_e - e))
        a = np.asarray(r.modes)[-1]
        dts.append(T_CONV * 2.0**-e)
        errs.append(float(np.linalg.norm(a - a_ref) / np.linalg.norm(a_ref)))
    order, se = stats.fit_order(np.array(dts), np.array(errs))
    # local orders between neighbours: their spread is the pre-asymptotic part of the fit
    local = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    spread = float(np.max(np.abs(local - order))) if local.size else 0.0
    tol = stats.Z * se + spread
    parts = [Part("fitted order of the L2 error of c(T) in dt", order, 1.0, tol,
                  f"statistics + discretization: Z = {stats.Z:.2f} x fit standard error ({se:.3g}) + max "
                  f"deviation of the local orders from the fit ({spread:.3g}, pre-asymptotic bias)")]
    details = {"P": P, "H": H, "T": T_CONV, "dt_ref": T_CONV * 2.0**-ref_e, "order_se": se,
               "local_orders": local.tolist(),
               "errors": {f"2^-{e} x 0.01": {"ours": err, "paper_table1": TABLE1[e][0]}
                          for e, err in zip(exps, errs, strict=True)},
               "paper_order": 1.011,
               "coupling": "each run's increments are block sums of the reference run's (same seed)",
               "note": "over T = 0.01 the particles move ~sqrt(2 mu T) = 0.14: the c(T) error is dominated by "
                       "the backward-Euler field recursion (stiff: (|w|^2 + k^2) dt / eps up to ~2)",
               "shrunk": "quick: P = 200, H = 8, dt = 2^-4..2^-6 x 0.01 vs 2^-9 x 0.01 (full: P = 1e4, H = 24, "
                         "2^-4..2^-8 vs 2^-11, the paper's)"}

    def plot(fig):
        ax = fig.add_subplot(111)
        ax.loglog(dts, errs, "o-", label=f"ours, order {order:.3f}")
        pe = [TABLE1[e][0] for e in exps]
        ax.loglog(dts, pe, "s--", label="paper Table 1")
        ax.set_xlabel("dt")
        ax.set_ylabel("L2 relative error of c(T)")
        ax.legend()

    return result_from_parts("sipf.dt_order", f"{SRC} Fig. 5", parts, details, plot)


# ----------------------------------------------------------------------------- wrong models (for tests)
def seed_alg1_pieces(params: S.SIPFParams, x: np.ndarray, alpha_prev: np.ndarray):
    """Alg. 1 as printed: F with the (-1)^(j+m+l) phase, no 1/L^3, and alpha_n <- alpha_n - F."""
    kk = S.wavenumbers(params)
    phase = (-1.0) ** (kk[:, None, None] + kk[None, :, None] + kk[None, None, :])
    raw = S.rho_modes_reference(params, x) * params.L**3  # M/P sum exp(-i w.X)
    den = S.field_update(params, np.ones_like(alpha_prev), np.zeros_like(alpha_prev))  # 1/(|w|^2 + beta^2)
    alpha = params.eps / params.dt * alpha_prev * den - raw * phase * den
    _, v = S.step_pieces_fast(params, x, alpha_prev)
    return alpha, v


def seed_alg1_run(params, x0, n_steps, seed, record_steps=None, alpha0=None, noise_substeps=1):
    """A run with the printed Alg. 1 field update."""
    return S.run_sipf(params, x0, n_steps, seed, record_steps, alpha0, seed_alg1_pieces, noise_substeps)


def half_noise_run(params, x0, n_steps, seed, record_steps=None, alpha0=None, noise_substeps=1):
    """Wrong factor: increments sqrt(mu dt) N instead of sqrt(2 mu dt) N."""
    return S.run_sipf(params.replace(mu=params.mu / 2), x0, n_steps, seed, record_steps, alpha0, "fast",
                      noise_substeps)


def repulsive_run(params, x0, n_steps, seed, record_steps=None, alpha0=None, noise_substeps=1):
    """Wrong sign: drift +chi grad K * (...) (chemorepulsion)."""
    return S.run_sipf(params.replace(chi=-params.chi), x0, n_steps, seed, record_steps, alpha0, "fast",
                      noise_substeps)


def _fixed_dt_pieces(params, x, alpha_prev, dt0):
    return S.step_pieces_fast(params.replace(dt=dt0), x, alpha_prev)


def fixed_dt_run(params, x0, n_steps, seed, record_steps=None, alpha0=None, noise_substeps=1):
    """Inconsistent scheme: the field step (beta, eps/dt) uses a hard-coded dt0 = 2^-9 x 0.01, not dt."""
    pieces = partial(_fixed_dt_pieces, dt0=T_CONV * 2.0**-9)
    return S.run_sipf(params, x0, n_steps, seed, record_steps, alpha0, pieces, noise_substeps)


# The other SIPF check modules build on this one; importing them here registers their checks.
from verification.sipf import checks_2d, checks_critical_mass, checks_orders, checks_radial  # noqa: E402, F401
