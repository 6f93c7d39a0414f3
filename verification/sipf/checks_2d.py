"""Checks of the 2D SIPF method ([SIPF] in dimension 2, :mod:`agents.sipf2d`).

Every check takes the methods under test as keyword arguments (default: ours), typed by the
protocols of :mod:`verification.sipf.protocols`: ``pieces`` (``sipf2d.pieces``, one step's field
modes and drift, compared with the paper-literal reference path) and ``run`` (``sipf2d.run``, a
whole run; ``.c0`` and ``.times`` are read).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import k1

from agents import sipf2d as S
from verification.records import CheckContext, CheckResult, Part, check
from verification.refs import cite
from verification.sipf import derivation as deriv
from verification.sipf.cases import eq43_error, step_path_errors
from verification.sipf.protocols import PIECES_2D, RUN_2D, Pieces2D, Run2D

#: The Eq. (35) parameters with a 2D mass and H: M0 = 4 pi (half of the 2D critical 8 pi of §1).
BASE = S.SIPF2DParams(mu=1.0, chi=1.0, eps=1e-4, k=0.1, L=8.0, H=16, dt=1e-4, mass=4 * math.pi)
T_C0 = 0.01
U = np.finfo(float).eps


def k1_accuracy() -> float:
    """Max relative error of the fast path's numba K_1 vs ``scipy.special.k1`` on y in [1e-6, 50]."""
    y = np.concatenate([np.geomspace(1e-6, 50.0, 20001), np.linspace(1.99, 2.01, 201)])
    return float(np.max(np.abs(S.k1_array(y) / k1(y) - 1)))


# ----------------------------------------------------------------------------- fast vs reference
@check("sipf2d.fast_vs_reference", source=cite("SIPF", "(d = 2) Alg. 1-2, Eqs. (24), (29)-(31)"),
       methods={"pieces": "sipf2d.pieces"}, unit="relative error")
def fast_vs_reference(ctx: CheckContext, pieces: Pieces2D = PIECES_2D.default) -> CheckResult:
    """The 2D fast path (NUFFT + numba pair sum with its own K1) reproduces the reference step to 1e-6."""
    P, H = ctx.pick((300, 16), (2000, 32))
    p = BASE.replace(H=H)
    rng = np.random.default_rng(ctx.shared_seed("fvr2d"))
    x = np.concatenate([S.uniform_disc(P - 20, seed=ctx.shared_seed("disc")),
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

    return ctx.result(parts, details, plot)


# ----------------------------------------------------------------------------- c0 identity
@check("sipf2d.c0_identity", source=cite("SIPF", "(d = 2) Eqs. (24), (40)-(43)"), methods={"run": "sipf2d.run"},
       unit="relative error")
def c0_identity(ctx: CheckContext, run: Run2D = RUN_2D.default) -> CheckResult:
    """c0 = L^2 alpha_0 of a 2D run follows the backward-Euler recursion to round-off; Eq. 43 error side by side."""
    num = deriv.numeric()
    P = ctx.pick(300, 3000)
    exps = ctx.pick((4, 6), (4, 5, 6, 7, 8))
    x0 = S.uniform_disc(P, seed=ctx.shared_seed("disc"))
    parts, details = [], {"P": P, "H": BASE.H, "T": T_C0, "c(0)": 0.0, "M0": BASE.mass,
                          "shrunk": "quick: P = 300, dt = 2^-4, 2^-6 x 0.01 (full: P = 3000, dt = 2^-4..2^-8 x 0.01)"}
    ts, cs = {}, {}
    for e in exps:
        p = BASE.replace(dt=T_C0 * 2.0**-e)
        n = 2**e
        r = run(p, x0, n, ctx.shared_seed("c0", e))
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

    return ctx.result(parts, details, plot)
