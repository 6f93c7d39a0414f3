"""Deliberately wrong models of the SIPF checks (3D and 2D): each check must run to its end and fail on them.

3D: the printed Alg. 1 field update (phase, no 1/L^3, subtracted source), the same inside a
whole run, increments sqrt(mu dt) N (a factor 2 in the variance), chemorepulsion (wrong sign of
chi), a field step with a hard-coded time step (an inconsistent scheme: no convergence in dt),
one Brownian increment shared by all particles (no 1/P averaging), a particle source cut off at
the modes |k_i| <= 3 (no truncation error in H), chi doubled, and for the critical mass a
bisection task with half the noise (the task runs in worker processes, so it is importable as
``verification.sipf.wrong_models:half_noise_task``).

Field checks: a source cut at the printed largest frequency pi H/(2L), a field step with eps
clipped to >= 1e-3 (no elliptic limit), an explicit (forward-Euler) field update (CFL-limited).

2D: the 3D Yukawa pair kernel used in 2D, and rho modes without the 1/L^2 of a Fourier coefficient.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from agents import sipf as S
from agents import sipf2d as S2
from verification.records import CheckConfig
from verification.sipf import critical_mass as cm
from verification.sipf.cases import T_CONV
from verification.sipf.checks_field import mode_lambda
from verification.testing import WrongModel


# ----------------------------------------------------------------------------- 3D pieces and runs
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


def fixed_dt_pieces(params, x, alpha_prev, dt0):
    """Fast pieces whose field step uses the time step ``dt0`` whatever ``params.dt``."""
    return S.step_pieces_fast(params.replace(dt=dt0), x, alpha_prev)


def fixed_dt_run(params, x0, n_steps, seed, record_steps=None, alpha0=None, noise_substeps=1):
    """Inconsistent scheme: the field step (beta, eps/dt) uses a hard-coded dt0 = 2^-9 x 0.01, not dt."""
    pieces = partial(fixed_dt_pieces, dt0=T_CONV * 2.0**-9)
    return S.run_sipf(params, x0, n_steps, seed, record_steps, alpha0, pieces, noise_substeps)


class SharedNoiseState(S.SIPFState):
    """All particles receive the same Brownian increment (one draw broadcast to every particle)."""

    def noise(self) -> np.ndarray:
        """One standard normal 3-vector, the same for every particle."""
        return np.broadcast_to(self.rng.standard_normal(3), self.x.shape).copy()


def shared_noise_run(params, x0, n_steps, seed, record_steps=None, alpha0=None, noise_substeps=1):
    """Wrong model: one Brownian path shared by all particles (not independent: no 1/P averaging)."""
    st = SharedNoiseState(params, x0, seed, alpha0, "fast")
    for _ in range(n_steps):
        if not st.advance():
            break
    return S.SIPFRun(params, np.array([st.n]), st.x[None].copy(), st.alpha[None].copy(),
                     np.arange(st.n + 1) * params.dt, np.zeros(0), np.zeros(0), st.blew_up, st.blowup_time)


K_CUT = 3


def cutoff_pieces(params: S.SIPFParams, x: np.ndarray, alpha_prev: np.ndarray):
    """Wrong model: the particle source only reaches the modes |k_i| <= K_CUT, whatever H."""
    kk = np.abs(S.wavenumbers(params))
    keep = (kk[:, None, None] <= K_CUT) & (kk[None, :, None] <= K_CUT) & (kk[None, None, :] <= K_CUT)
    alpha = S.field_update(params, S.rho_modes_fast(params, x) * keep, alpha_prev)
    _, v = S.step_pieces_fast(params, x, alpha_prev)
    return alpha, v


def cutoff_run(params, x0, n_steps, seed, record_steps=None, alpha0=None, noise_substeps=1):
    """A run whose field ignores the particles beyond the mode cut-off K_CUT."""
    return S.run_sipf(params, x0, n_steps, seed, record_steps, alpha0, cutoff_pieces, noise_substeps)


def double_chi_run(params, x0, n_steps, seed, record_steps=None, alpha0=None, noise_substeps=1):
    """Wrong factor: SIPF with chi doubled (drift 2 chi grad K * (...))."""
    return S.run_sipf(params.replace(chi=2 * params.chi), x0, n_steps, seed, record_steps, alpha0, "fast",
                      noise_substeps)


def half_noise_task(config: str, mass: float, H: int, P: int, dt: float, T: float, seed: int) -> dict:
    """:func:`verification.sipf.critical_mass.sipf_task` with mu/2 in the noise (chi, eps, k kept)."""
    p = cm.sipf_params(config, mass, H, dt)
    return cm.run_config(p.replace(mu=p.mu / 2), config, P, T, seed)


# ----------------------------------------------------------------------------- 2D pieces and runs
def pair_drift_3d_kernel(params: S2.SIPF2DParams, x: np.ndarray) -> np.ndarray:
    """Wrong kernel: the 3D Yukawa gradient ``d (1 + beta r) e^{-beta r} / (4 pi r^3)`` used in 2D."""
    P = x.shape[0]
    d = x[:, None, :] - x[None, :, :]
    r = np.linalg.norm(d, axis=-1)
    f = np.zeros_like(r)
    nz = r > 0
    b = params.beta
    f[nz] = (1 + b * r[nz]) * np.exp(-b * r[nz]) / (4 * np.pi * r[nz] ** 3)
    return np.einsum("pq,pqd->pd", f, d) * (params.mass / P)


def _pieces_2d(params: S2.SIPF2DParams, x: np.ndarray, alpha_prev: np.ndarray, rho_hat: np.ndarray,
               pair: np.ndarray):
    """A 2D step from given rho modes and pair drift (the field drift and the field update as ours)."""
    alpha = S2.field_update(params, rho_hat, alpha_prev)
    v = pair if params.chi != 0 else np.zeros_like(x)
    if params.eps != 0 and params.chi != 0:
        v = v + (params.eps / params.dt) * S2.field_drift_fast(params, x, alpha_prev)
    return alpha, v


def kernel3d_pieces(params: S2.SIPF2DParams, x: np.ndarray, alpha_prev: np.ndarray):
    """Fast pieces with the 3D-style pair kernel (1/(4 pi r^2) falloff) instead of beta K1(beta r)/(2 pi)."""
    return _pieces_2d(params, x, alpha_prev, S2.rho_modes_fast(params, x), pair_drift_3d_kernel(params, x))


def no_norm_pieces(params: S2.SIPF2DParams, x: np.ndarray, alpha_prev: np.ndarray):
    """Fast pieces whose rho modes miss the 1/L^2 of a Fourier coefficient."""
    return _pieces_2d(params, x, alpha_prev, S2.rho_modes_fast(params, x) * params.L**2,
                      S2.pair_drift_fast(params, x))


def no_norm_run(params, x0, n_steps, seed):
    """A run whose rho modes miss the 1/L^2 normalization."""
    return S2.run_sipf2d(params, x0, n_steps, seed, method=no_norm_pieces)


# ----------------------------------------------------------------------------- field checks (checks_field)
def half_band_pieces(params: S.SIPFParams, x: np.ndarray, alpha_prev: np.ndarray):
    """The printed largest frequency pi H/(2L) of §4.1: the particle source only reaches |k_i| <= H/4."""
    kk = np.abs(S.wavenumbers(params)) <= params.H // 4
    keep = kk[:, None, None] & kk[None, :, None] & kk[None, None, :]
    alpha = S.field_update(params, S.rho_modes_fast(params, x) * keep, alpha_prev)
    _, v = S.step_pieces_fast(params, x, alpha_prev)
    return alpha, v


def half_band_run(params, x0, n_steps, seed, record_steps=None, alpha0=None, noise_substeps=1):
    """A run whose field source stops at the printed largest frequency pi H/(2L)."""
    return S.run_sipf(params, x0, n_steps, seed, record_steps, alpha0, half_band_pieces, noise_substeps)


EPS_FLOOR = 1e-3


def eps_floor_pieces(params: S.SIPFParams, x: np.ndarray, alpha_prev: np.ndarray):
    """A field step with eps clipped to >= EPS_FLOOR (a 'stiffness guard'): no elliptic limit as eps -> 0."""
    return S.step_pieces_fast(params.replace(eps=max(params.eps, EPS_FLOOR)), x, alpha_prev)


def forward_euler_pieces(params: S.SIPFParams, x: np.ndarray, alpha_prev: np.ndarray):
    """Explicit field update c_n = c_{n-1} + (dt/eps)(rho_hat - (|w|^2 + k^2) c_{n-1}): needs dt <= 2 eps/lam_max."""
    with np.errstate(over="ignore", invalid="ignore"):
        alpha = alpha_prev + params.dt / params.eps * (S.rho_modes_fast(params, x) - mode_lambda(params) * alpha_prev)
    _, v = S.step_pieces_fast(params, x, alpha_prev)
    return alpha, v


# ----------------------------------------------------------------------------- §4.4-4.5 (checks_clusters)
def half_chi_run(params, x0, n_steps, seed, record_steps=None, alpha0=None, noise_substeps=1):
    """Wrong factor: SIPF with chi halved (the four clusters act like total mass 40 < critical)."""
    return S.run_sipf(params.replace(chi=params.chi / 2), x0, n_steps, seed, record_steps, alpha0, "fast",
                      noise_substeps)


def quarter_chi_run(params, x0, n_steps, seed, record_steps=None, alpha0=None, noise_substeps=1):
    """Wrong factor: SIPF with chi / 4 (at eps = 0.1, M0 = 160 then moves like M0 = 40)."""
    return S.run_sipf(params.replace(chi=params.chi / 4), x0, n_steps, seed, record_steps, alpha0, "fast",
                      noise_substeps)


def double_mu_run(params, x0, n_steps, seed, record_steps=None, alpha0=None, noise_substeps=1):
    """Wrong factor: increments sqrt(4 mu dt) N (diffusivity doubled)."""
    return S.run_sipf(params.replace(mu=2 * params.mu), x0, n_steps, seed, record_steps, alpha0, "fast",
                      noise_substeps)


def cell_centre_pieces(params: S.SIPFParams, x: np.ndarray, alpha_prev: np.ndarray):
    """Fast pieces whose c-quadrature (Eq. 30) drops the cell offset Xbar: nodes around the cell centre of X."""
    alpha = S.field_update(params, S.rho_modes_fast(params, x), alpha_prev)
    v = S.pair_drift_fast(params, x) if params.chi != 0 else np.zeros_like(x)
    if params.eps != 0 and params.chi != 0:
        centre = (np.floor(x / params.h) + 0.5) * params.h
        v = v + (params.eps / params.dt) * S.field_drift_fast(params, centre, alpha_prev)
    return alpha, v


def cell_centre_run(params, x0, n_steps, seed, record_steps=None, alpha0=None, noise_substeps=1):
    """A run whose field drift is evaluated at the particles' cell centres (not shifted with X, Eq. 30)."""
    return S.run_sipf(params, x0, n_steps, seed, record_steps, alpha0, cell_centre_pieces, noise_substeps)


_CM = "verification.sipf.checks_critical_mass"

WRONG_MODELS = [
    WrongModel("sipf.fast_vs_reference", {"pieces": seed_alg1_pieces},
               "Alg. 1 as printed: (-1)^(j+m+l) phase, no 1/L^3, source subtracted"),
    WrongModel("sipf.c0_identity", {"run": seed_alg1_run}, "a run with the printed Alg. 1 field update"),
    WrongModel("sipf.free_diffusion", {"run": half_noise_run}, "increments sqrt(mu dt) N instead of sqrt(2 mu dt) N"),
    WrongModel("sipf.blowup_indicator", {"run": repulsive_run}, "chemorepulsion: wrong sign of chi"),
    WrongModel("sipf.dt_order", {"run": fixed_dt_run}, "field step with a hard-coded dt0 = 2^-9 x 0.01"),
    WrongModel("sipf.particle_order", {"run": shared_noise_run},
               "one Brownian increment shared by all particles"),
    WrongModel("sipf.mode_order", {"run": cutoff_run}, "particle source cut off at the modes |k_i| <= 3"),
    WrongModel("sipf.radial_agreement", {"sipf_run": double_chi_run}, "SIPF with chi doubled"),
    WrongModel("sipf.critical_mass", {"sipf_task": half_noise_task},
               "noise variance mu dt instead of 2 mu dt: the critical mass drops far below the paper's bracket "
               "(bracket narrowed to [46.7, 48.7], 2 seeds + 1 per alternative size)",
               config=CheckConfig("full", seed=11), slow=True,
               patches=((_CM, "HALF_WIDTH", 1.0), (_CM, "WIDTH", 1.0), (_CM, "REPLICAS", 2), (_CM, "REPLICAS_ALT", 1)),
               ours_too=False),  # the narrowed bracket says nothing about ours; the full check is hours
    WrongModel("sipf2d.fast_vs_reference", {"pieces": kernel3d_pieces},
               "3D Yukawa pair kernel (1 + beta r) e^{-beta r}/(4 pi r^2) used in 2D"),
    WrongModel("sipf2d.fast_vs_reference", {"pieces": no_norm_pieces}, "rho modes without the 1/L^2"),
    WrongModel("sipf2d.c0_identity", {"run": no_norm_run}, "a run whose rho modes miss the 1/L^2"),
    WrongModel("sipf.four_cluster_merger", {"run": half_chi_run}, "SIPF with chi halved",
               config=CheckConfig("full", seed=7), slow=True),
    WrongModel("sipf.shifted_start_equivariance", {"run": cell_centre_run},
               "field quadrature at the particles' cell centres (cell offset Xbar of Eq. 30 dropped)"),
    WrongModel("sipf.eps01_bounded", {"run": double_mu_run}, "diffusivity doubled (increments sqrt(4 mu dt) N)"),
    WrongModel("sipf.eps01_blowup", {"run": quarter_chi_run}, "SIPF with chi / 4"),
    WrongModel("sipf.cinf_growth_with_H", {"pieces": half_band_pieces, "run": half_band_run},
               "field source cut at the printed largest frequency pi H/(2L) (modes |k_i| <= H/4)"),
    WrongModel("sipf.eps_to_zero", {"pieces": eps_floor_pieces}, "field step with eps clipped to >= 1e-3"),
    WrongModel("sipf.large_dt_stability", {"pieces": forward_euler_pieces},
               "explicit (forward-Euler) field update: unstable for dt > 2 eps/(|w|_max^2 + k^2)"),
]
