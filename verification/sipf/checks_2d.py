"""Checks of the 2D SIPF method (seed 003 in dimension 2, :mod:`agents.sipf2d`).

Methods under test (keyword arguments, default ours):

* ``pieces(params, x, alpha_prev) -> (alpha_n, V)``: one step's field modes and the drift
  ``V = grad K * (eps c_{n-1}/dt + rho_n)`` at the particles
  (``agents.sipf2d.step_pieces_fast``); compared with the paper-literal reference path.
* ``run(params, x0, n_steps, seed) -> SIPFRun`` (``agents.sipf2d.run_sipf2d``, fast path):
  a whole run; ``.c0`` is used.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import k1

from agents import sipf2d as S
from verification.records import CheckConfig, CheckResult, Part, check, result_from_parts
from verification.sipf import derivation as deriv
from verification.sipf.checks import eq43_error, step_path_errors

SRC = "seed 003 (d = 2)"
#: The Eq. (35) parameters with a 2D mass and H: M0 = 4 pi (half of the 2D critical 8 pi of §1).
BASE = S.SIPF2DParams(mu=1.0, chi=1.0, eps=1e-4, k=0.1, L=8.0, H=16, dt=1e-4, mass=4 * math.pi)
T_C0 = 0.01
U = np.finfo(float).eps


def default_run(params, x0, n_steps, seed):
    """Our fast path."""
    return S.run_sipf2d(params, x0, n_steps, seed, method="fast")


def k1_accuracy() -> float:
    """Max relative error of the fast path's numba K_1 vs ``scipy.special.k1`` on y in [1e-6, 50]."""
    y = np.concatenate([np.geomspace(1e-6, 50.0, 20001), np.linspace(1.99, 2.01, 201)])
    return float(np.max(np.abs(S.k1_array(y) / k1(y) - 1)))


# ----------------------------------------------------------------------------- fast vs reference
@check("sipf2d.fast_vs_reference", source=f"{SRC} Alg. 1-2, Eqs. (24), (29)-(31)")
def fast_vs_reference(cfg: CheckConfig, pieces=S.step_pieces_fast) -> CheckResult:
    """The 2D fast path (NUFFT + numba pair sum with its own K1) reproduces the reference step to 1e-6."""
    P, H = cfg.pick((300, 16), (2000, 32))
    p = BASE.replace(H=H)
    rng = np.random.default_rng(cfg.sub_seed("fvr2d"))
    x = np.concatenate([S.uniform_disc(P - 20, seed=cfg.sub_seed("disc")),
                        rng.uniform(-p.L / 2, p.L / 2, (20, 2))])  # a few anywhere, incl. near the walls
    e_a, e_v, e_pair, e_quad, v_ref, v_fast = step_path_errors(S, p, x, pieces)
    e_k1 = k1_accuracy()
    basis = (f"agreement target of the issue (1e-6 relative); NUFFT eps 1e-12 and K1 accuracy {e_k1:.1e} "
             "(series + Chebyshev vs scipy.special.k1): expected ~1e-12")
    parts = [Part("field modes alpha_n: max|fast - ref| / max|ref|", e_a, 0.0, 1e-6, basis),
             Part("drift grad K*(eps c/dt + rho) at X_n: max|fast - ref| / max|ref|", e_v, 0.0, 1e-6, basis)]
    details = {"P": P, "H": H, "params": "Eq. (35) with M0 = 4 pi, H = 16, d = 2",
               "pair_sum_rel_error": e_pair, "quadrature_rel_error": e_quad,
               "k1_max_rel_error_y_1e-6_to_50": e_k1,
               "shrunk": "quick: P = 300, H = 16 (full: P = 2000, H = 32); the reference is O(P H^2 log H + P^2)"}

    def plot(fig):
        ax = fig.add_subplot(111)
        ax.semilogy(np.linalg.norm(v_ref, axis=1), np.linalg.norm(v_fast - v_ref, axis=1) + 1e-300, ".", ms=3)
        ax.set_xlabel("|V_ref| at the particle")
        ax.set_ylabel("|V_fast - V_ref|")
        ax.set_title("2D SIPF drift: fast vs reference")

    return result_from_parts("sipf2d.fast_vs_reference", f"{SRC} Alg. 1-2", parts, details, plot)


# ----------------------------------------------------------------------------- c0 identity
@check("sipf2d.c0_identity", source=f"{SRC} Eqs. (24), (40)-(43)")
def c0_identity(cfg: CheckConfig, run=default_run) -> CheckResult:
    """c0 = L^2 alpha_0 of a 2D run follows the backward-Euler recursion to round-off; Eq. 43 error side by side."""
    num = deriv.numeric()
    P = cfg.pick(300, 3000)
    exps = cfg.pick((4, 6), (4, 5, 6, 7, 8))
    x0 = S.uniform_disc(P, seed=cfg.sub_seed("disc"))
    parts, details = [], {"P": P, "H": BASE.H, "T": T_C0, "c(0)": 0.0, "M0": BASE.mass,
                          "shrunk": "quick: P = 300, dt = 2^-4, 2^-6 x 0.01 (full: P = 3000, dt = 2^-4..2^-8 x 0.01)"}
    ts, cs = {}, {}
    for e in exps:
        p = BASE.replace(dt=T_C0 * 2.0**-e)
        n = 2**e
        r = run(p, x0, n, cfg.sub_seed("c0", e))
        c0 = np.asarray(r.c0, dtype=float)
        if len(c0) != n + 1:
            parts.append(Part(f"dt = 2^-{e} x 0.01: run finished", 0.0, 1.0, 0.0, "run must complete"))
            continue
        # zero mode of Eq. (24) times L^2: the backward-Euler step of eps dc0/dt = -k^2 c0 + M0 in any dimension
        be = num.c0_be(np.arange(n + 1), 0.0, p.mass, p.k, p.eps, p.dt)
        scale = float(np.max(np.abs(be)))
        # stepwise residual: each c0_n vs the recursion applied to the run's own c0_{n-1}
        resid = (p.eps / p.dt * c0[:-1] + p.mass) / (p.eps / p.dt + p.k**2) - c0[1:]
        e_step = float(np.max(np.abs(resid)) / scale)
        e_cum = float(np.max(np.abs(c0 - be)) / scale)
        tol = 1e-12 + 8 * U * n
        parts.append(Part(f"dt = 2^-{e} x 0.01: max_n |c0_n - BE(c0_(n-1))| / max|c0|", e_step, 0.0, tol,
                          f"round-off: NUFFT eps 1e-12 on the zero mode + 8 u x {n} steps (u = 2^-52)"))
        exact = num.c0_exact(np.asarray(r.times), 0.0, p.mass, p.k, p.eps)
        meas, pred = eq43_error(c0, exact), eq43_error(be, exact)
        parts.append(Part(f"dt = 2^-{e} x 0.01: Eq. 43 error of c0 vs Eq. 42", meas, pred,
                          1e-9 + 1e-7 * pred,
                          "discretization: equals the exact backward-Euler error (derived recursion); "
                          "tolerance = NUFFT eps 1e-12 x steps, with margin"))
        details[f"dt=2^-{e}x0.01"] = {"stepwise_residual": e_step, "cumulative_vs_BE_closed_recursion": e_cum,
                                      "eq43_measured": meas, "eq43_backward_euler": pred,
                                      "max_abs_vs_continuous": float(np.max(np.abs(c0 - exact)))}
        ts[e], cs[e] = np.asarray(r.times), c0

    def plot(fig):
        ax = fig.add_subplot(111)
        for e in ts:
            ax.plot(ts[e], cs[e], "o", ms=3, label=f"run, dt = 2^-{e} x 0.01")
        tt = np.linspace(0, T_C0, 200)
        ax.plot(tt, num.c0_exact(tt, 0.0, BASE.mass, BASE.k, BASE.eps), "k-", label="Eq. 42")
        ax.set_xlabel("t")
        ax.set_ylabel("c0 = int c dx")
        ax.legend()

    return result_from_parts("sipf2d.c0_identity", f"{SRC} Eqs. (40)-(43)", parts, details, plot)


# ----------------------------------------------------------------------------- wrong models (for tests)
def _pair_drift_3d_kernel(params: S.SIPF2DParams, x: np.ndarray) -> np.ndarray:
    """Wrong kernel: the 3D Yukawa gradient ``d (1 + beta r) e^{-beta r} / (4 pi r^3)`` used in 2D."""
    P = x.shape[0]
    d = x[:, None, :] - x[None, :, :]
    r = np.linalg.norm(d, axis=-1)
    f = np.zeros_like(r)
    nz = r > 0
    b = params.beta
    f[nz] = (1 + b * r[nz]) * np.exp(-b * r[nz]) / (4 * np.pi * r[nz] ** 3)
    return np.einsum("pq,pqd->pd", f, d) * (params.mass / P)


def kernel3d_pieces(params: S.SIPF2DParams, x: np.ndarray, alpha_prev: np.ndarray):
    """Fast pieces with the 3D-style pair kernel (1/(4 pi r^2) falloff) instead of beta K1(beta r)/(2 pi)."""
    return S._step_pieces(params, x, alpha_prev, S.rho_modes_fast, _pair_drift_3d_kernel, S.field_drift_fast)


def _rho_modes_no_norm(params: S.SIPF2DParams, x: np.ndarray) -> np.ndarray:
    return S.rho_modes_fast(params, x) * params.L**2


def no_norm_pieces(params: S.SIPF2DParams, x: np.ndarray, alpha_prev: np.ndarray):
    """Fast pieces whose rho modes miss the 1/L^2 of a Fourier coefficient."""
    return S._step_pieces(params, x, alpha_prev, _rho_modes_no_norm, S.pair_drift_fast, S.field_drift_fast)


def no_norm_run(params, x0, n_steps, seed):
    """A run whose rho modes miss the 1/L^2 normalization."""
    return S.run_sipf2d(params, x0, n_steps, seed, method=no_norm_pieces)
