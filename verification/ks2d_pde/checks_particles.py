"""Checks of the 2D minimal Keller-Segel topic (particles): particles against the PDE off the radial line.

Two particle methods are held against the finite-volume solver (``solver``, protocol
``ks2d_pde.solver``, default :func:`continuum.ks2d_minimal.run`) from the same non-radial start,
three Gaussian bumps of mass 6 pi each (3/4 of the 2D critical mass 8 pi mu / chi, [SIPF] §2.1),
standard deviation 0.4, centred at :data:`CENTRES` (no symmetry axis), up to ``T = 0.1``:

* ``ks2d_pde.sipf_agreement`` -- 2D SIPF (``sipf``, protocol ``sipf2d.run``, parabolic-parabolic on
  the periodic square, c(0) = 0) against the PDE with ``field="box"``, ``boundary="periodic"``, the
  same mu, chi, eps, k, L and c(0) = 0. Compared: the density's Fourier modes
  ``rho_hat(w) = int e^{-i w.x} rho dx`` at six wavevectors (real and imaginary parts) and the
  field's modes ``c_hat(w) = int e^{-i w.x} c dx`` at the same ones (SIPF: ``L^2 alpha_k`` of its
  last step, Eq. 20; PDE: the midpoint sum ``h^2 sum_i c_i e^{-i w.x_i}``).
* ``ks2d_pde.particles_agreement`` -- the parabolic-elliptic particles (``particles``, protocol
  ``ks2d.particles``, exact free-space kernel, [SIPF] Eq. 14 with d = 2) against the PDE with
  ``field="free"`` (eps = k = 0, no-flux box of side 10, the density stays far from its walls).
  Compared: ``rho_hat(w)`` at the same six wavevectors and c at four points, the free-space field
  ``c(y) = -(1/2 pi) int ln|y - x| rho(x) dx`` ([SIPF] Eq. 13 with d = 2): for the particles the
  exact field of their empirical measure, ``-(M/P) sum_p ln|y - X^p| / (2 pi)``; for the PDE the
  exact field of its piecewise-constant rho, ``sum_j rho_j W(y - x_j)`` with the cell integral
  ``W`` of :func:`continuum.ks2d_minimal.cell_green`.

The density's modes of the particles are exact for the particles (a mean over particles of
``(M/P) e^{-i w.X^p}``) and exact for the PDE's piecewise-constant rho
(:func:`continuum.ks2d_minimal.fourier_modes`), so the comparison has no binning error.

Tolerance of every compared number (basis in each Part): ``z * SE + |PDE_n - PDE_{n/2}|``. SE is
the standard error of the mean over R independent replicas (independent initial particles and
noise); ``z`` is the Student-t quantile with R - 1 degrees of freedom at the family-wise false-alarm
rate :data:`verification.stats.FALSE_ALARM` split over the m compared numbers (Bonferroni factor
m, two-sided: ``z = t_{R-1}.isf(FALSE_ALARM / (2 m))``); ``PDE_n - PDE_{n/2}`` is the PDE's
discretization estimate (grids n and n/2; second order, so it over-estimates the error on grid n
by about 3x). A further Part requires that chemotaxis moved the density visibly: the same comparison
against the PDE with chi = 0 (pure diffusion) fails, i.e. the particles are more than one
tolerance from pure diffusion on at least one compared number.

Not in the tolerance, and measured separately to be below it (:func:`sipf_step_bias`,
:func:`particle_step_bias`, coupled runs with the same start and Brownian path): the particle
methods' own step bias, SIPF's mode cut H, and the O(1/P) finite-P bias of the mean of an empirical
measure (each particle feels P - 1 others of mass M/P: a relative change 1/P of the chemotactic
part, < 1% of the chi = 0 distance, ~0.1 SE, for the P used). Measured (8-16 replicas, P = 150):
SIPF's density modes move by < 0.03 between dt = 2.5e-3 and 6.25e-4 (at H >= 64) and by 0.01-0.02
from H = 32 to 128 at the quick dt (beta h = 1.1), < 3% of their tolerance; H must grow as dt
shrinks (H = 32 moves them by 0.03-0.05 at dt = 1.25e-3, beta h = 1.6, and by 0.1-0.18 at
dt = 6.25e-4, beta h = 2.2: the full profile takes H = 64 with dt = 1.25e-3). SIPF's field modes carry
the lag of its backward-Euler field step (Eq. 24), linear in dt: -0.35 on Re c_hat at (1,0) and
(0,1) at dt = 2.5e-3 (quick: ~37% of their tolerance, ~2 SE), half that at dt = 1.25e-3 (full).
The particles' Euler-Maruyama bias at dt = 1e-3 is < 0.045 on every number (< 4% of its tolerance).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import stats as st

from agents import sipf as S
from agents import sipf2d as S2
from agents.ks2d_particles import KS2DParticleParams, simulate
from continuum import ks2d_minimal as K
from continuum.ks2d_minimal import MinimalKS2DParams
from verification import stats
from verification.ks2d_pde.checks_moments import half_chi_solver
from verification.ks2d_pde.protocols import SOLVER, PDESolver
from verification.radial.protocols import PARTICLES, Particles2D
from verification.radial.wrong_models import half_constant_particles
from verification.records import CheckContext, CheckResult, Part, check
from verification.refs import cite
from verification.sipf.protocols import RUN_2D, Run2D
from verification.testing import WrongModel

#: Bump centres [length]: three sub-critical bumps, no symmetry axis (a non-radial start).
CENTRES = np.array([[-1.2, -0.5], [1.0, -0.9], [0.2, 1.1]])
#: Standard deviation of each bump per direction [length].
WIDTH = 0.4
#: Mass of each bump [mass]: 6 pi = 3/4 of the critical mass 8 pi mu / chi at mu = chi = 1 ([SIPF] §2.1).
BUMP_MASS = 6.0 * math.pi
MU, CHI = 1.0, 1.0
#: Comparison time [time].
T = 0.1
#: Wavevectors of the compared modes, in units of 2 pi / 8 [1/length] (the SIPF box modes k of L = 8).
WAVES = np.array([[1, 0], [0, 1], [1, -1], [2, 0], [0, 2], [2, -1]])
OMEGAS = 2.0 * math.pi / 8.0 * WAVES
#: Points [length] where the free-space field c is compared: the origin and the three bump centres.
FIELD_POINTS = np.array([[0.0, 0.0], *CENTRES])
#: SIPF's model (the PDE takes the same mu, chi, eps, k, L): parabolic-parabolic, eps = 0.05.
SIPF_BASE = S2.SIPF2DParams(mu=MU, chi=CHI, eps=0.05, k=0.1, L=8.0, H=32, dt=2.5e-3, mass=3 * BUMP_MASS)
#: Side of the no-flux box of the free-field PDE [length] (density at its walls ~ e^{-(3.3/0.6)^2/2}).
L_FREE = 10.0
#: PDE grid (cells per side) of the comparison; the discretization estimate uses n / 2.
N_PDE = 128
BATCH = 64


# ----------------------------------------------------------------------------- starts and observables
def bump_particles(n_per_bump: int, seed: int) -> np.ndarray:
    """``3 n_per_bump`` points [length], ``n_per_bump`` from each bump N(centre, WIDTH^2 I); shape (P, 2).

    Equal counts per bump (the bumps have equal masses), so the mean empirical measure is exactly
    the PDE's initial density (up to the PDE's box, whose walls are > 7 standard deviations away).
    """
    rng = np.random.default_rng(seed)
    return np.concatenate([c + WIDTH * rng.standard_normal((n_per_bump, 2)) for c in CENTRES])


def pde_start(params: MinimalKS2DParams) -> np.ndarray:
    """The PDE's initial cell averages [mass/length^2]: the three bumps (exact cell averages)."""
    return K.gaussian_bumps(params, CENTRES, [BUMP_MASS] * len(CENTRES), [WIDTH] * len(CENTRES))


def empirical_modes(x: np.ndarray, mass: float, omegas: np.ndarray = OMEGAS) -> np.ndarray:
    """``(M/P) sum_p e^{-i w.X^p}`` [mass] for each wavevector: shape (..., m) for x of shape (..., P, 2)."""
    phase = np.einsum("...pd,md->...pm", x, omegas)
    return (mass / x.shape[-2]) * np.exp(-1j * phase).sum(axis=-2)


def pde_field_modes(params: MinimalKS2DParams, c: np.ndarray, omegas: np.ndarray = OMEGAS) -> np.ndarray:
    """``h^2 sum_i c_i e^{-i w.x_i}`` [conc length^2]: the midpoint rule of ``int e^{-i w.x} c dx``; shape (m,)."""
    x, h = params.centres, params.h
    ex = np.exp(-1j * np.outer(omegas[:, 0], x))  # (m, n)
    ey = np.exp(-1j * np.outer(omegas[:, 1], x))
    return h * h * np.einsum("mi,ij,mj->m", ex, c, ey)


def sipf_field_modes(params: S2.SIPF2DParams, alpha: np.ndarray, waves: np.ndarray = WAVES) -> np.ndarray:
    """``L^2 alpha_k`` [conc length^2] = ``int_Omega e^{-i w_k.x} c dx`` of SIPF's field (Eq. 20); shape (m,)."""
    if params.L != 8.0:
        raise ValueError(f"the compared wavevectors are SIPF's modes for L = 8; got L = {params.L!r}")
    idx = np.asarray(waves) + params.H // 2
    return params.L**2 * alpha[idx[:, 0], idx[:, 1]]


def particle_field(x: np.ndarray, mass: float, points: np.ndarray = FIELD_POINTS) -> np.ndarray:
    """``-(M/P) sum_p ln|y - X^p| / (2 pi)`` [conc] at each point y ([SIPF] Eq. 13, d = 2); shape (..., k)."""
    d = x[..., None, :, :] - points[:, None, :]  # (..., k, P, 2)
    logs = 0.5 * np.log(np.einsum("...d,...d->...", d, d))
    return -(mass / x.shape[-2]) / (2.0 * math.pi) * logs.sum(axis=-1)


def pde_free_field(params: MinimalKS2DParams, rho: np.ndarray, points: np.ndarray = FIELD_POINTS) -> np.ndarray:
    """``sum_j rho_j W(y - x_j)`` [conc]: the exact free-space field of the piecewise-constant rho at each y."""
    x, h = params.centres, params.h
    return np.array([float(np.sum(rho * K.cell_green(y[0] - x[:, None], y[1] - x[None, :], h))) for y in points])


def student_z(n_numbers: int, n_replicas: int) -> float:
    """``t_{R-1}.isf(FALSE_ALARM / (2 m))``: two-sided, family-wise FALSE_ALARM over m numbers (Bonferroni)."""
    return float(st.t.isf(stats.FALSE_ALARM / (2 * n_numbers), n_replicas - 1))


def _split(z: np.ndarray) -> np.ndarray:
    """Complex (..., m) -> real (..., 2m): real parts then imaginary parts."""
    return np.concatenate([z.real, z.imag], axis=-1)


def _mode_names(prefix: str) -> list[str]:
    waves = [f"({a},{b})" for a, b in WAVES]
    return [f"Re {prefix}{w}" for w in waves] + [f"Im {prefix}{w}" for w in waves]


def _compare(names: list[str], units: list[str], samples: np.ndarray, pde: np.ndarray, pde_half: np.ndarray,
             pde_diffusion: np.ndarray, n_grid: int, what: str) -> tuple[list[Part], dict]:
    """Parts ``|mean - PDE| <= z SE + |PDE_n - PDE_{n/2}|`` for the columns of ``samples`` (R, m)."""
    R, m = samples.shape
    mean = samples.mean(axis=0)
    se = samples.std(axis=0, ddof=1) / math.sqrt(R)
    disc = np.abs(pde - pde_half)
    z = student_z(m, R)
    tol = z * se + disc
    parts = [Part(f"{name} [{unit}] at t = {T:g}: {what} vs PDE (n = {n_grid})", float(mean[q]), float(pde[q]),
                  float(tol[q]), f"z = {z:.2f} (Student t, {R - 1} dof, family-wise {stats.FALSE_ALARM:g} with "
                  f"Bonferroni factor {m}) x SE over {R} independent replicas ({se[q]:.3g}) + PDE discretization "
                  f"estimate |PDE_n - PDE_n/2| ({disc[q]:.3g})")
             for q, (name, unit) in enumerate(zip(names, units, strict=True))]
    # chemotaxis moved the density: the same comparison against pure diffusion must fail
    sep = np.abs(mean - pde_diffusion) / tol
    q = int(np.argmax(sep))
    parts.append(Part(f"pure diffusion rejected: max over the numbers of |{what} - PDE(chi = 0)| / tolerance "
                      f"(largest: {names[q]})", float(sep[q]), 1.0, 0.0,
                      "design requirement, not a statistic: the same comparison against the PDE with chi = 0 "
                      "(pure diffusion) must fail, else this check could not tell chemotaxis from diffusion",
                      relation=">"))
    table = {"names": names, "measured": mean, "se": se, "pde": pde, "pde_half_grid": pde_half,
             "pde_diffusion": pde_diffusion, "discretization": disc, "z": z, "bonferroni": m, "replicas": R,
             "tolerance": tol, "dev_over_tol": (mean - pde) / tol, "max_dev_over_tol": float(np.max(np.abs(mean - pde)
                                                                                                / tol)),
             "diffusion_over_se": (pde - pde_diffusion) / se, "particles_vs_diffusion_over_tol": sep}
    return parts, table


def _plot_hook(x_all: np.ndarray, mass: float, pde_params: MinimalKS2DParams, rho: np.ndarray, extent: float,
               table: dict, title: str) -> Callable:
    """Particles (2D histogram of all replicas) | PDE density at T (same colour scale) | deviations with tolerances."""

    def plot(fig):
        bins = 40
        edges = np.linspace(-extent, extent, bins + 1)
        pts = x_all.reshape(-1, 2)
        hist, _, _ = np.histogram2d(pts[:, 0], pts[:, 1], bins=[edges, edges])
        dens = hist * mass / pts.shape[0] / (edges[1] - edges[0]) ** 2  # each replica carries the mass M
        vmax = float(max(dens.max(), rho.max()))
        ax1, ax2, ax3 = fig.add_subplot(131), fig.add_subplot(132), fig.add_subplot(133)
        ax1.pcolormesh(edges, edges, dens.T, vmin=0.0, vmax=vmax, shading="flat")
        ax1.set_title(f"{title}, t = {T:g}", fontsize=7)
        xe = -pde_params.L / 2 + np.arange(pde_params.n + 1) * pde_params.h
        im = ax2.pcolormesh(xe, xe, rho.T, vmin=0.0, vmax=vmax, shading="flat")
        ax2.set_xlim(-extent, extent)
        ax2.set_ylim(-extent, extent)
        ax2.set_title(f"PDE (n = {pde_params.n}), t = {T:g}", fontsize=7)
        fig.colorbar(im, ax=ax2, fraction=0.046, pad=0.04).set_label("rho (both panels)", fontsize=6)
        for ax in (ax1, ax2):
            ax.set_aspect("equal")
            ax.plot(CENTRES[:, 0], CENTRES[:, 1], "w+", ms=6)
        q = np.arange(len(table["names"]))
        tol = np.asarray(table["tolerance"])
        dev = (np.asarray(table["measured"]) - np.asarray(table["pde"])) / tol
        ax3.errorbar(dev, q, xerr=table["z"] * np.asarray(table["se"]) / tol, fmt="o", ms=3, capsize=2,
                     label="(particles - PDE) / tol, +- z SE / tol")
        ax3.plot((np.asarray(table["pde_diffusion"]) - np.asarray(table["pde"])) / tol, q, "kx", ms=4,
                 label="(PDE(chi = 0) - PDE) / tol")
        for v in (-1.0, 1.0):
            ax3.axvline(v, color="C3", lw=0.6)
        ax3.axvline(0.0, color="k", lw=0.6)
        ax3.set_yticks(q)
        ax3.set_yticklabels(table["names"], fontsize=5)
        ax3.set_xlabel("deviation / tolerance (pass: |.| <= 1)", fontsize=7)
        ax3.legend(fontsize=4, loc="upper left")

    return plot


# ----------------------------------------------------------------------------- 2D SIPF vs the PDE
def sipf_pde_params(params: S2.SIPF2DParams, n: int) -> MinimalKS2DParams:
    """The PDE of SIPF's model: same mu, chi, eps, k, L; periodic square, c on the same square."""
    return MinimalKS2DParams(mu=params.mu, chi=params.chi, eps=params.eps, k=params.k, L=params.L, n=n,
                             boundary="periodic", field="box")


def sipf_replicas(sipf: Run2D, params: S2.SIPF2DParams, n_per_bump: int, n_replicas: int, n_steps: int,
                  seeds: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run R independent SIPF replicas; return final positions (R, P, 2), rho modes (R, m), c modes (R, m)."""
    xs, rho_m, c_m = [], [], []
    for r in range(n_replicas):
        x0 = bump_particles(n_per_bump, seeds[r][0])
        run = sipf(params, x0, n_steps, seeds[r][1])
        if run.blew_up or len(run.times) != n_steps + 1:
            raise RuntimeError(f"SIPF replica {r} stopped at t = {run.times[-1]:g} (blew_up = {run.blew_up}) "
                               f"before T = {n_steps * params.dt:g}")
        x = np.asarray(run.positions[-1])
        xs.append(x)
        rho_m.append(empirical_modes(x, params.mass))
        c_m.append(sipf_field_modes(params, np.asarray(run.modes[-1])))
    return np.array(xs), np.array(rho_m), np.array(c_m)


def pde_sipf_observables(solver: PDESolver, params: MinimalKS2DParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The PDE's rho modes (m,), c modes (m,) and rho at T (n, n), from the bumps with c(0) = 0."""
    rec = solver(params, pde_start(params), [0.0, T], np.zeros((params.n, params.n)))
    if rec.blew_up or len(rec.times) < 2:
        raise RuntimeError(f"the PDE run stopped at t = {rec.final_time:g} ({rec.blowup_reason})")
    rho = np.asarray(rec.rho[-1])
    return K.fourier_modes(params, rho, OMEGAS), pde_field_modes(params, np.asarray(rec.c[-1])), rho


@check("ks2d_pde.sipf_agreement",
       source=cite("SIPF", "Eq. 1 with d = 2 (parabolic-parabolic), Eqs. 20-31 (SIPF, d = 2); the PDE of "
                   "continuum.ks2d_minimal"),
       methods={"sipf": "sipf2d.run", "solver": "ks2d_pde.solver"}, unit="mass")
def sipf_agreement(ctx: CheckContext, sipf: Run2D = RUN_2D.default,
                   solver: PDESolver = SOLVER.default) -> CheckResult:
    """2D SIPF vs the periodic PDE from three sub-critical bumps: density and field modes at t = 0.1."""
    n_per_bump, R, dt, H = ctx.pick((50, 32, 2.5e-3, 32), (100, 64, 1.25e-3, 64))
    params = SIPF_BASE.replace(dt=dt, H=H)
    n_steps = round(T / dt)
    pde = sipf_pde_params(params, N_PDE)
    rho_n, c_n, rho_T = pde_sipf_observables(solver, pde)
    rho_h, c_h, _ = pde_sipf_observables(solver, pde.replace(n=N_PDE // 2))
    rho_0, c_0, _ = pde_sipf_observables(solver, pde.replace(chi=0.0))
    seeds = [(ctx.shared_seed("ks2d_pde.bumps", n_per_bump, r), ctx.seed("noise", r)) for r in range(R)]
    x_all, rho_s, c_s = sipf_replicas(sipf, params, n_per_bump, R, n_steps, seeds)
    names = _mode_names("rho_hat") + _mode_names("c_hat")
    units = ["mass"] * (2 * len(WAVES)) + ["conc length^2"] * (2 * len(WAVES))
    parts, table = _compare(names, units, np.concatenate([_split(rho_s), _split(c_s)], axis=1),
                            np.concatenate([_split(rho_n), _split(c_n)]), np.concatenate([_split(rho_h), _split(c_h)]),
                            np.concatenate([_split(rho_0), _split(c_0)]), N_PDE, f"2D SIPF (P = {3 * n_per_bump})")
    details = {"model": f"mu = {params.mu:g}, chi = {params.chi:g}, eps = {params.eps:g}, k = {params.k:g}, "
                        f"L = {params.L:g}, periodic; c(0) = 0 in both",
               "start": f"3 Gaussian bumps, mass 6 pi each (3/4 of 8 pi), sd {WIDTH:g}, centres {CENTRES.tolist()}",
               "sipf": {"P": 3 * n_per_bump, "H": params.H, "dt": dt, "steps": n_steps, "replicas": R},
               "pde": {"n": N_PDE, "n_half": N_PDE // 2, "boundary": "periodic", "field": "box"},
               "wavevectors": (2 * np.pi / 8 * WAVES).tolist(), "T": T, "comparison": table,
               "shrunk": "quick: P = 150, 32 replicas, dt = 2.5e-3, H = 32 (full: P = 300, 64 replicas, "
                         "dt = 1.25e-3, H = 64; beta h = 1.1 and 0.8)"}
    return ctx.result(parts, details, _plot_hook(x_all, params.mass, pde, rho_T, params.L / 2, table, "2D SIPF"))


# ----------------------------------------------------------------------------- parabolic-elliptic particles vs the PDE
def free_pde_params(n: int, chi: float = CHI) -> MinimalKS2DParams:
    """The parabolic-elliptic PDE with the free-space field on the no-flux box of side :data:`L_FREE`."""
    return MinimalKS2DParams(mu=MU, chi=chi, eps=0.0, k=0.0, L=L_FREE, n=n, boundary="neumann", field="free")


def pde_free_observables(solver: PDESolver, params: MinimalKS2DParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The PDE's rho modes (m,), c at :data:`FIELD_POINTS` (k,) and rho at T (n, n)."""
    rec = solver(params, pde_start(params), [0.0, T])
    if rec.blew_up or len(rec.times) < 2:
        raise RuntimeError(f"the PDE run stopped at t = {rec.final_time:g} ({rec.blowup_reason})")
    rho = np.asarray(rec.rho[-1])
    return K.fourier_modes(params, rho, OMEGAS), pde_free_field(params, rho), rho


def particle_replicas(particles: Particles2D, params: KS2DParticleParams, n_replicas: int, n_steps: int,
                      seed_start: int, seed_noise: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """R replicas of the particles (in batches); final positions (R, P, 2), rho modes (R, m), c at points (R, k)."""
    n_per_bump = params.n_particles // len(CENTRES)
    x0 = np.array([bump_particles(n_per_bump, seed_start + r) for r in range(n_replicas)])
    finals = []
    for b0 in range(0, n_replicas, BATCH):
        traj = np.asarray(particles(params, x0[b0:b0 + BATCH], n_steps, seed_noise + b0))
        finals.append(traj[-1])
    x = np.concatenate(finals)
    return x, empirical_modes(x, params.mass), particle_field(x, params.mass)


@check("ks2d_pde.particles_agreement",
       source=cite("SIPF", "§2.1-2.2, Eqs. 5, 13, 14 with d = 2 (parabolic-elliptic, free space); the PDE of "
                   "continuum.ks2d_minimal"),
       methods={"particles": "ks2d.particles", "solver": "ks2d_pde.solver"}, unit="mass")
def particles_agreement(ctx: CheckContext, particles: Particles2D = PARTICLES.default,
                        solver: PDESolver = SOLVER.default) -> CheckResult:
    """Parabolic-elliptic particles vs the free-field PDE from three sub-critical bumps: modes and c at t = 0.1."""
    n_per_bump, R, dt = ctx.pick((80, 64, 1e-3), (160, 256, 5e-4))
    params = KS2DParticleParams(mass=3 * BUMP_MASS, n_particles=3 * n_per_bump, mu=MU, chi=CHI, dt=dt)
    n_steps = round(T / dt)
    pde = free_pde_params(N_PDE)
    rho_n, c_n, rho_T = pde_free_observables(solver, pde)
    rho_h, c_h, _ = pde_free_observables(solver, pde.replace(n=N_PDE // 2))
    rho_0, c_0, _ = pde_free_observables(solver, pde.replace(chi=0.0))
    x_all, rho_s, c_s = particle_replicas(particles, params, R, n_steps, ctx.shared_seed("ks2d_pde.pe_bumps"),
                                          ctx.seed("noise"))
    names = _mode_names("rho_hat") + [f"c({y[0]:g},{y[1]:g})" for y in FIELD_POINTS]
    units = ["mass"] * (2 * len(WAVES)) + ["conc"] * len(FIELD_POINTS)
    parts, table = _compare(names, units, np.concatenate([_split(rho_s), c_s], axis=1),
                            np.concatenate([_split(rho_n), c_n]), np.concatenate([_split(rho_h), c_h]),
                            np.concatenate([_split(rho_0), c_0]), N_PDE,
                            f"particles (P = {params.n_particles}, dt = {dt:g})")
    outside = float(np.mean(np.any(np.abs(x_all) > 0.45 * L_FREE, axis=-1)))
    details = {"model": f"mu = {MU:g}, chi = {CHI:g}, parabolic-elliptic, free-space field",
               "start": f"3 Gaussian bumps, mass 6 pi each (3/4 of 8 pi), sd {WIDTH:g}, centres {CENTRES.tolist()}",
               "particles": {"P": params.n_particles, "dt": dt, "steps": n_steps, "replicas": R, "kernel": "exact"},
               "pde": {"n": N_PDE, "n_half": N_PDE // 2, "L": L_FREE, "boundary": "neumann", "field": "free"},
               "fraction_of_particles_near_the_pde_walls": outside, "field_points": FIELD_POINTS.tolist(),
               "wavevectors": OMEGAS.tolist(), "T": T, "comparison": table,
               "shrunk": "quick: P = 240, 64 replicas, dt = 1e-3 (full: P = 480, 256 replicas, dt = 5e-4)"}
    return ctx.result(parts, details, _plot_hook(x_all, params.mass, pde, rho_T, 3.5, table, "PE particles"))


# ----------------------------------------------------------------------------- step-bias studies (our methods)
def sipf_step_bias(n_per_bump: int = 50, n_replicas: int = 8, dt: float = SIPF_BASE.dt, seed: int = 0) -> dict:
    """SIPF's time-step and mode-cut bias on the compared numbers, by coupled runs.

    For each replica the same start and the same Brownian path (``noise_substeps = 2`` at dt follows
    the path of the dt/2 run, :func:`agents.sipf.run_sipf`) are run with (dt, H), (dt, H/2), (dt, 2H)
    and (dt/2, 2H), H = ``SIPF_BASE.H``. The time step is varied at 2H because ``beta^2 = k^2 +
    eps/dt`` grows as dt shrinks: at a fixed H the Eq. (30) quadrature of ``grad K`` (width
    1/beta) on the grid h = L/H worsens (measured: rho's modes move by ~0.1-0.2 once beta h > 2),
    which would pass for a time-step error. For a first-order step the bias at dt is about
    ``-2 (f(dt/2) - f(dt))``; the mode cut's bias about ``f(2H) - f(H)``.

    Returns
    -------
    dict
        ``"names"``, and for ``"dt"`` (``-2 (f(dt/2, 2H) - f(dt, 2H))``), ``"H/2"`` (``f(dt, H/2) -
        f(dt, H)``), ``"2H"`` (``f(dt, 2H) - f(dt, H)``): ``{"mean", "se"}`` over the replicas.
    """
    base = SIPF_BASE.replace(dt=dt)
    n_steps = round(T / dt)
    rows = {"dt": [], "H/2": [], "2H": []}

    def numbers(p, x0, steps, s, sub):
        run = S.run_sipf(p, x0, steps, s, None, None, "fast", sub, space=S2.SPACE)
        x = run.positions[-1]
        return np.concatenate([_split(empirical_modes(x, p.mass)), _split(sipf_field_modes(p, run.modes[-1]))])

    for r in range(n_replicas):
        x0 = bump_particles(n_per_bump, seed + 2 * r)
        noise = seed + 2 * r + 1
        ref = numbers(base, x0, n_steps, noise, 2)
        fine = numbers(base.replace(H=2 * base.H), x0, n_steps, noise, 2)
        half = numbers(base.replace(H=2 * base.H, dt=dt / 2), x0, 2 * n_steps, noise, 1)
        rows["dt"].append(-2.0 * (half - fine))
        rows["H/2"].append(numbers(base.replace(H=base.H // 2), x0, n_steps, noise, 2) - ref)
        rows["2H"].append(fine - ref)
    out = {"names": _mode_names("rho_hat") + _mode_names("c_hat"), "dt": dt, "H": base.H,
           "P": 3 * n_per_bump, "replicas": n_replicas}
    for key, vals in rows.items():
        a = np.array(vals)
        out[key] = {"mean": a.mean(axis=0), "se": a.std(axis=0, ddof=1) / math.sqrt(n_replicas)}
    return out


def particle_step_bias(n_per_bump: int = 80, n_replicas: int = 64, dt: float = 1e-3, seed: int = 0) -> dict:
    """The Euler-Maruyama bias of the parabolic-elliptic particles on the compared numbers, by coupled runs.

    The same start is run with dt/2 from standard-normal increments ``xi_1, xi_2, ...`` and with dt
    from ``(xi_1 + xi_2) / sqrt 2, ...`` (the same Brownian path), by
    :func:`agents.ks2d_particles.simulate`; the bias at dt is about ``-2 (f(dt/2) - f(dt))``.

    Returns
    -------
    dict
        ``"names"``, ``"bias"`` (mean over replicas) and ``"se"``.
    """
    P = 3 * n_per_bump
    params = KS2DParticleParams(mass=3 * BUMP_MASS, n_particles=P, mu=MU, chi=CHI, dt=dt)
    n_steps = round(T / dt)
    rng = np.random.default_rng(seed)
    diffs = []
    for b0 in range(0, n_replicas, BATCH):
        nb = min(BATCH, n_replicas - b0)
        x0 = np.array([bump_particles(n_per_bump, seed + 1 + b0 + r) for r in range(nb)])
        inc = rng.standard_normal((2 * n_steps, nb, P, 2))
        fine = simulate(params.replace(dt=dt / 2), x0, 2 * n_steps, increments=inc)[-1]
        coarse = simulate(params, x0, n_steps, increments=(inc[0::2] + inc[1::2]) / math.sqrt(2.0))[-1]
        f = np.concatenate([_split(empirical_modes(fine, params.mass)), particle_field(fine, params.mass)], axis=1)
        c = np.concatenate([_split(empirical_modes(coarse, params.mass)), particle_field(coarse, params.mass)],
                           axis=1)
        diffs.append(-2.0 * (f - c))
    d = np.concatenate(diffs)
    return {"names": _mode_names("rho_hat") + [f"c({y[0]:g},{y[1]:g})" for y in FIELD_POINTS], "dt": dt, "P": P,
            "replicas": n_replicas, "bias": d.mean(axis=0), "se": d.std(axis=0, ddof=1) / math.sqrt(len(d))}


# ----------------------------------------------------------------------------- wrong models
def chi_flipped_solver(params, rho0, times, c0=None, *, dt_max=math.inf):
    """The PDE with the sign of chi flipped (repulsion in place of attraction)."""
    return K.run(params.replace(chi=-params.chi), rho0, times, c0, dt_max=dt_max)


#: Deliberately wrong methods for the checks of this module (collected by wrong_models).
WRONG_MODELS: list[WrongModel] = [
    WrongModel("ks2d_pde.sipf_agreement", {"solver": chi_flipped_solver},
               "PDE with chi's sign flipped (repulsion)"),
    WrongModel("ks2d_pde.particles_agreement", {"particles": half_constant_particles},
               "pair-drift constant halved (1/(4 pi) in place of 1/(2 pi))"),
    WrongModel("ks2d_pde.particles_agreement", {"solver": half_chi_solver}, "PDE with chi halved"),
]
