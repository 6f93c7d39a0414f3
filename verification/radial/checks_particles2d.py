"""Check of the 2D parabolic-elliptic Keller-Segel particle method ([SIPF] §2.1-2.2, Eqs. 5, 6, 14).

The method under test is the keyword ``particles`` (default: ours), typed by the protocol
``ks2d.particles`` of :mod:`verification.radial.protocols`. The measured quantity is the slope
(I(T) - I(0)) / T of the mass-weighted second moment I = sum_p m |X^p|^2 of each of R
independent replicas; the expected value is the derived finite-P identity
E dI/dt = 4 mu M - chi M^2 (1 - 1/P) / (2 pi) (verification.radial.derivation), which is
[SIPF] Eq. 6 at mu = chi = 1 up to the exact 1/P correction.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from agents.ks2d_particles import KS2DParticleParams, gaussian_start, second_moment
from verification import stats
from verification.radial import derivation as deriv
from verification.radial.protocols import PARTICLES, Particles2D
from verification.records import CheckContext, CheckResult, Part, check
from verification.refs import cite

#: Masses probed: subcritical 4 pi (rate +2M) and supercritical 12 pi (rate -2M, collapse at t = std^2 = 1).
MASSES = (4 * math.pi, 12 * math.pi)
BATCH = 64


@njit(cache=True, parallel=True)
def _em_terms(traj: np.ndarray, coef: float, m: float, dt: float, mu: float) -> tuple[np.ndarray, np.ndarray]:
    """Per replica: sum over steps of the EM bias dt^2 m sum|b|^2 and of the martingale variance.

    traj has shape (n + 1, R, P, 2); b is the exact pair drift (Eq. 14, d = 2) at each step's start.
    One replica per thread (no per-step synchronization).
    """
    n_steps, R, P = traj.shape[0] - 1, traj.shape[1], traj.shape[2]
    bias = np.zeros(R)
    var = np.zeros(R)
    for r in prange(R):
        for n in range(n_steps):
            for p in range(P):
                bx = 0.0
                by = 0.0
                for q in range(P):
                    if q != p:
                        dx = traj[n, r, p, 0] - traj[n, r, q, 0]
                        dy = traj[n, r, p, 1] - traj[n, r, q, 1]
                        inv = 1.0 / (dx * dx + dy * dy)
                        bx += dx * inv
                        by += dy * inv
                bx *= -coef
                by *= -coef
                y2 = (traj[n, r, p, 0] + bx * dt) ** 2 + (traj[n, r, p, 1] + by * dt) ** 2
                bias[r] += m * dt * dt * (bx * bx + by * by)
                var[r] += m * m * (8.0 * mu * dt * y2 + 16.0 * mu * mu * dt * dt)
    return bias, var


def measure_variance_rate(particles: Particles2D, params: KS2DParticleParams, n_replicas: int, n_steps: int,
                          seed: int) -> dict:
    """Slopes of I(t) per replica, with the Euler-Maruyama bias and the Brownian-part variance.

    The EM bias per step is dt^2 m sum_p |b_p|^2 and the martingale variance per step is
    sum_p m^2 (8 mu dt |X_p + b_p dt|^2 + 16 mu^2 dt^2) (derived, ``particle_identity``), both
    evaluated along the returned trajectory with the exact pair drift b.
    """
    T = n_steps * params.dt
    coef = params.chi * params.particle_mass / (2 * math.pi)
    m, dt, mu = params.particle_mass, params.dt, params.mu
    slopes, bias, var = [], [], []
    x_all = gaussian_start(params, n_replicas, seed)
    curves = np.zeros(n_steps + 1)
    for b0 in range(0, n_replicas, BATCH):
        x0 = x_all[b0:b0 + BATCH]
        traj = np.asarray(particles(params, x0, n_steps, seed + 1 + b0))
        mom = second_moment(traj, params)  # (n+1, batch)
        curves += mom.sum(axis=1)
        slopes.append((mom[-1] - mom[0]) / T)
        bb, vv = _em_terms(np.ascontiguousarray(traj), coef, m, dt, mu)
        bias.append(bb / T)
        var.append(vv / T**2)
    slopes, bias, var = np.concatenate(slopes), np.concatenate(bias), np.concatenate(var)
    mean, se = stats.mean_se(slopes)
    return {"mean": mean, "se": se, "bias": float(bias.mean()),
            "brownian_se": float(math.sqrt(var.mean() / slopes.size)), "T": T, "curve": curves / n_replicas,
            "n_replicas": n_replicas}


@check("ks2d.variance_identity",
       source=cite("SIPF", "§2.1 Eq. 6 (variance identity) with §2.2 Eq. 14 (particles, d = 2)"),
       methods={"particles": "ks2d.particles"}, unit="mass length^2/time")
def variance_identity(ctx: CheckContext, particles: Particles2D = PARTICLES.default) -> CheckResult:
    """d/dt of the mass-weighted second moment of 2D KS particles vs the derived identity (M = 4 pi, 12 pi)."""
    num = deriv.numeric()
    P, R = ctx.pick(64, 128), ctx.pick(256, 1024)
    dt, T = 1e-3, 0.25
    n_steps = round(T / dt)
    parts, rows = [], []
    for M in MASSES:
        params = KS2DParticleParams(mass=M, n_particles=P, dt=dt)
        res = measure_variance_rate(particles, params, R, n_steps, ctx.seed(M))
        expected = float(num.particle_rate(M, 1.0, 1.0, P))
        tol = stats.Z * res["se"] + res["bias"]
        regime = "subcritical" if M < 8 * math.pi else "supercritical"
        parts.append(Part(f"M = {M / math.pi:g} pi ({regime}): d/dt sum m|X|^2, P = {P}, {R} replicas", res["mean"],
                          expected, tol, f"Z = {stats.Z:.2f} x SE over independent replicas (SE {res['se']:.3g}) + "
                          f"time-discretization bound: the Euler-Maruyama term dt m sum|b|^2 averaged along the "
                          f"trajectories ({res['bias']:.3g})"))
        rows.append({"M": M, "measured": res["mean"], "expected_finite_P": expected,
                     "continuum_eq6": float(num.continuum_rate(M, 1.0, 1.0)),
                     "finite_P_correction": M**2 / (2 * math.pi * P), "se_replicas": res["se"],
                     "se_brownian_derived": res["brownian_se"], "em_bias": res["bias"], "T": res["T"],
                     "curve": res["curve"]})
    details = {"P": P, "replicas": R, "dt": dt, "T": T, "start": "N(0, I) per particle (I(0) = 2M)",
               "kernel": "exact (delta = 0)", "rows": [{k: v for k, v in r.items() if k != "curve"} for r in rows]}

    def plot(fig):
        ax = fig.add_subplot(111)
        t = np.linspace(0.0, T, n_steps + 1)
        for r, col in zip(rows, ("C0", "C3"), strict=True):
            ax.plot(t, r["curve"], color=col, label=f"M = {r['M'] / math.pi:g}π, mean of replicas")
            ax.plot(t, r["curve"][0] + r["expected_finite_P"] * t, "k--", lw=0.8)
        ax.set_xlabel("t")
        ax.set_ylabel("Σ m|X|² (dashed: derived identity)")
        ax.legend(fontsize=7)

    return ctx.result(parts, details, plot)
