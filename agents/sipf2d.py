"""SIPF method ([SIPF]) in dimension 2: parabolic-parabolic Keller-Segel on a square.

Model ([SIPF] Eq. 1 with d = 2): ``rho_t = div(mu grad rho - chi rho grad c)``,
``eps c_t = Lap c - k^2 c + rho`` on ``Omega = [-L/2, L/2]^2``.

This is the 2D analogue of :mod:`agents.sipf` and follows its conventions (read that
module's docstring); only what changes with the dimension is listed here.

* Modes (Eqs. 20-21): ``c(x) = sum_k alpha_k exp(i omega_k . x)``, ``omega_k = 2 pi k / L``,
  ``k in Z^2`` with ``|k_i| <= H/2`` (``H + 1`` modes per dimension, both Nyquist modes kept).
  ``x`` is measured from the centre of Omega, so ``rho_hat_k = (M0 / (P L^2)) sum_p
  exp(-i omega_k . X^p)``: the ``1/L^2`` of a 2D Fourier coefficient, no ``(-1)^{j+m}`` phase.
* Green's function (2D counterpart of Eq. 25): ``(Lap - beta^2) K = delta`` in R^2 gives
  ``K(x) = -K_0(beta |x|) / (2 pi)``, ``beta^2 = k^2 + eps/dt``, Fourier transform
  ``-1/(|omega|^2 + beta^2)``. With ``K_0' = -K_1``,
  ``grad K(x) = beta K_1(beta r) x / (2 pi r)``, ``r = |x|``: pointing away from the
  origin like the 3D ``x (1 + beta r) e^{-beta r} / (4 pi r^3)`` (``K`` increases from
  ``-inf`` at 0 to 0 at infinity in both dimensions), and ``~ x / (2 pi r^2)`` as ``r -> 0``.
* Step (Eqs. 24, 28, 31, Alg. 1-2): ``alpha_n = (eps/dt alpha_{n-1} + rho_hat_n) /
  (|omega|^2 + beta^2)``; ``X_{n+1} = X_n - chi dt V + sqrt(2 mu dt) N`` clipped to Omega,
  ``V = (eps/dt) Q[c_{n-1}](X_n) + D_rho(X_n)`` = ``grad K * (eps c_{n-1}/dt + rho_n)``;
  ``D_rho(X^p) = (M0/P) sum_{q != p} grad K(X^p - X^q)`` (Eq. 31);
  ``Q[c](X) = h^2 sum_u grad K(-u) c(X + u)`` (Eqs. 29-30 with ``h^2`` weights), nodes
  ``u = (m + 1/2) h``, ``m = -H/2 .. H/2 - 1`` per dimension, ``h = L/H`` (the same
  translation-covariant window as the 3D module).
* Mass identity (Eqs. 40-42 in 2D): the zero mode gives ``c0 = int c dx = L^2 alpha_0``
  with ``c0_n = (eps/dt c0_{n-1} + M0) / (eps/dt + k^2)``, the backward-Euler step of
  ``eps dc0/dt = -k^2 c0 + M0``.

Two paths with identical step semantics:

* ``method="reference"``: direct mode sums (numpy), per particle the shifted coefficients,
  an inverse 2D FFT and the Eq. (30) quadrature; numpy O(P^2) pair sum with
  ``scipy.special.k1``. Small sizes only.
* ``method="fast"``: finufft ``nufft2d1`` (particles -> modes), one ``nufft2d2`` with the
  precomputed quadrature symbol (two gradient components back at the particles), and a
  parallel numba pair kernel with its own ``K_1`` (:func:`k1_array`): a power series for
  ``y <= 2`` (A&S 9.6.11 with 9.6.10) and a Chebyshev fit of ``sqrt(y) e^y K_1(y)`` in
  ``4/y - 1`` for ``y > 2``, generated at import from ``scipy.special.k1e``. Measured
  relative error vs ``scipy.special.k1`` on ``y in [1e-6, 50]``: < 1e-14 (see tests).
  The Abramowitz & Stegun 9.8.7/9.8.8 polynomials (error ~2e-7) were not used: they would
  cap fast-vs-reference agreement at ~1e-6.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numba import njit, prange
from numpy.polynomial import chebyshev as _cheb
from scipy.special import k1, k1e

from agents import sipf as S
from agents.nufft import finufft  # its OpenMP runtime set to passive waiting (agents.nufft)

NUFFT_EPS = 1e-12
NTHREADS = 1  # one thread: the 2D transforms are small (H <= 64); the 3D path chooses per P (agents.nufft)
#: Largest beta*r allowed (as agents.sipf_kernels.Y_MAX): K_1 ~ e^{-y} underflows soon after.
Y_MAX = 655.0
_INV2PI = 1.0 / (2.0 * math.pi)
_EULER_GAMMA = 0.5772156649015329
#: Terms of the y <= 2 series: the k-th term is <= (psi(k+1)+psi(k+2))/(k!(k+1)!) < 1e-17 for k = 12.
_N_SERIES = 14
#: Degree of the y > 2 Chebyshev fit (coefficients reach scipy's ~3e-15 noise floor by degree ~19).
_CHEB_DEG = 20


def _k1_scaled(t: np.ndarray) -> np.ndarray:
    """``sqrt(y) e^y K_1(y)`` at ``y = 4/(t + 1)``, ``t in (-1, 1]`` (``y in [2, inf)``)."""
    y = 4.0 / (t + 1.0)
    return np.sqrt(y) * k1e(y)


#: Chebyshev coefficients of :func:`_k1_scaled` (interpolation at first-kind points, no endpoints).
K1_CHEB = np.ascontiguousarray(_cheb.chebinterpolate(_k1_scaled, _CHEB_DEG))


@njit(cache=True, inline="always")
def _k1(y: float, cheb: np.ndarray) -> float:
    """Modified Bessel function ``K_1(y)`` for ``0 < y <= Y_MAX``.

    ``y <= 2`` (A&S 9.6.11 with n = 1, I_1 from A&S 9.6.10):
    ``K_1(y) = 1/y + ln(y/2) I_1(y) - (y/4) sum_k (psi(k+1) + psi(k+2)) (y^2/4)^k / (k! (k+1)!)``,
    ``I_1(y) = (y/2) sum_k (y^2/4)^k / (k! (k+1)!)``, ``psi(k+1) = -gamma + H_k``.
    ``y > 2``: ``K_1(y) = e^{-y} / sqrt(y) * f(4/y - 1)`` with ``f`` the Chebyshev series
    ``cheb`` (Clenshaw).
    """
    if y <= 2.0:
        q = 0.25 * y * y
        term = 1.0                  # (y^2/4)^k / (k! (k+1)!)
        psi1 = -_EULER_GAMMA        # psi(k + 1)
        psi2 = 1.0 - _EULER_GAMMA   # psi(k + 2)
        s_i = 0.0
        s_k = 0.0
        for j in range(_N_SERIES):
            s_i += term
            s_k += (psi1 + psi2) * term
            kk = j + 1.0
            psi1 += 1.0 / kk
            psi2 += 1.0 / (kk + 1.0)
            term *= q / (kk * (kk + 1.0))
        return 1.0 / y + math.log(0.5 * y) * (0.5 * y) * s_i - 0.25 * y * s_k
    t = 4.0 / y - 1.0
    b1 = 0.0
    b2 = 0.0
    for j in range(cheb.size - 1, 0, -1):
        b0 = 2.0 * t * b1 - b2 + cheb[j]
        b2 = b1
        b1 = b0
    f = t * b1 - b2 + cheb[0]
    return math.exp(-y) * f / math.sqrt(y)


@njit(cache=True)
def _k1_array(y: np.ndarray, cheb: np.ndarray) -> np.ndarray:
    out = np.empty_like(y)
    for i in range(y.size):
        out[i] = _k1(y[i], cheb)
    return out


def k1_array(y: np.ndarray) -> np.ndarray:
    """The numba ``K_1`` of the fast pair kernel over an array (``0 < y <= Y_MAX``), for tests."""
    y = np.ascontiguousarray(y, dtype=float).ravel()
    return _k1_array(y, K1_CHEB)


@njit(cache=True, parallel=True)
def _pair_drift_kernel(x: np.ndarray, y: np.ndarray, beta: float, weight: float,
                       cheb: np.ndarray) -> np.ndarray:
    """``weight * sum_{q != p} grad K(X^p - X^q)``, ``grad K(d) = beta K_1(beta r) d / (2 pi r)``."""
    n = x.size
    out = np.empty((n, 2))
    for p in prange(n):
        xp, yp = x[p], y[p]
        sx = 0.0
        sy = 0.0
        for q in range(n):
            dx = xp - x[q]
            dy = yp - y[q]
            r2 = dx * dx + dy * dy
            if r2 > 0.0:  # q = p and coincident particles contribute 0
                r = math.sqrt(r2)
                f = beta * _k1(beta * r, cheb) / r
                sx += f * dx
                sy += f * dy
        out[p, 0] = weight * _INV2PI * sx
        out[p, 1] = weight * _INV2PI * sy
    return out


# ----------------------------------------------------------------------------- parameters
@dataclass(frozen=True, slots=True)
class SIPF2DParams(S.ModelParams):
    """Parameters of the 2D SIPF method ([SIPF] Eqs. 1, 20-25 with d = 2).

    Parameters
    ----------
    mu : float
        Cell diffusivity [length^2/time], > 0.
    chi : float
        Chemo-sensitivity [length^2/(time conc)], finite (0 = free diffusion; < 0 repulsion).
    eps : float
        Time-scale ratio of the chemical, >= 0.
    k : float
        Decay parameter [1/length], >= 0; > 0 when eps = 0 (beta^2 = k^2 + eps/dt > 0).
    L : float
        Box side [length], > 0; ``Omega = [-L/2, L/2]^2``.
    H : int
        Fourier modes per dimension, even and >= 4; index set ``|k_i| <= H/2``.
    dt : float
        Time step [time], > 0.
    mass : float
        Total cell mass M0 [mass], > 0.
    """

    mu: float = 1.0
    chi: float = 1.0
    eps: float = 1e-4
    k: float = 0.1
    L: float = 8.0
    H: int = 16
    dt: float = 1e-4
    mass: float = 4.0 * math.pi

    def __post_init__(self) -> None:
        """Validate (:func:`agents.sipf.validate_model`); the error names the parameter and its allowed range."""
        S.validate_model(self, 2)

    @property
    def dim(self) -> int:
        """Space dimension, 2 (as the ``dim`` field of :class:`agents.sipf.SIPFParams`)."""
        return 2


def check_positions(params: SIPF2DParams, x) -> np.ndarray:
    """Validate positions: shape (P, 2), P >= 2, finite, inside Omega; return a float64 copy [length]."""
    return S.check_positions(params, x, dim=2)


#: Bytes :func:`uniform_disc` holds per point: angle, two uniforms, radius, cos, sin and their
#: products, the (n, 2) result and its shifted copy (12 doubles).
DISC_BYTES_PER_POINT = 12 * 8


def uniform_disc(n: int, radius: float = 1.0, center=(0.0, 0.0), seed: int = 0) -> np.ndarray:
    """``n`` points uniform in a disc [length], shape (n, 2) (2D analogue of the unit-ball rho_0 of §4.1).

    Parameters
    ----------
    n : int
        Number of points, >= 0.
    radius : float
        Disc radius [length], finite, >= 0.
    center : sequence of 2 floats
        Disc centre [length], finite.
    seed : int
        Seed in [0, 2**63) of the numpy Generator.

    Raises
    ------
    ValueError
        Naming the argument; :class:`verification.validation.LimitError` (a ValueError) when the
        ``n`` points would not fit in the memory available now.
    """
    n, radius, c, seed = S.validate_ball(n, radius, center, seed, 2, DISC_BYTES_PER_POINT, "uniform_disc")
    rng = np.random.default_rng(seed)
    phi = 2 * np.pi * rng.random(n)
    r = radius * np.sqrt(rng.random(n))
    return np.stack([r * np.cos(phi), r * np.sin(phi)], axis=1) + c


# ----------------------------------------------------------------------------- modes
def wavenumbers(params: SIPF2DParams) -> np.ndarray:
    """Mode indices ``-H/2 .. H/2`` (H + 1 values), the finufft ordering for odd sizes."""
    return np.arange(-params.H // 2, params.H // 2 + 1)


@lru_cache(maxsize=16)
def _denominator(params: SIPF2DParams) -> np.ndarray:
    w2 = (2 * np.pi * wavenumbers(params) / params.L) ** 2
    return w2[:, None] + w2[None, :] + params.beta**2


def field_update(params: SIPF2DParams, rho_hat: np.ndarray, alpha_prev: np.ndarray) -> np.ndarray:
    """Backward-Euler field step, Eq. (24) with Eq. (26): ``(eps/dt a + rho_hat) / (|w|^2 + beta^2)``.

    Parameters
    ----------
    params : SIPF2DParams
    rho_hat : complex ndarray, shape (H+1, H+1)
        Modes of rho_n [mass/length^2].
    alpha_prev : complex ndarray, shape (H+1, H+1)
        Modes of c_{n-1} [conc].

    Returns
    -------
    complex ndarray, shape (H+1, H+1)
        Modes of c_n [conc].
    """
    return (params.eps / params.dt * alpha_prev + rho_hat) / _denominator(params)


def _theta(params: SIPF2DParams, x: np.ndarray) -> np.ndarray:
    """Angles ``2 pi X / L`` in [-pi, pi], shape (2, P), contiguous."""
    return np.ascontiguousarray((2 * np.pi / params.L) * x.T)


def rho_modes_fast(params: SIPF2DParams, x: np.ndarray) -> np.ndarray:
    """``rho_hat_k = M0/(P L^2) sum_p exp(-i w_k . X^p)`` (Eq. 24, Alg. 1) by a type-1 NUFFT; (H+1, H+1)."""
    th = _theta(params, x)
    n = params.H + 1
    w = np.full(x.shape[0], params.mass / (x.shape[0] * params.L**2), dtype=complex)
    return finufft.nufft2d1(th[0], th[1], w, (n, n), eps=NUFFT_EPS, isign=-1, nthreads=NTHREADS)


def rho_modes_reference(params: SIPF2DParams, x: np.ndarray) -> np.ndarray:
    """Direct mode sums of Alg. 1 (normalization 1/L^2, no phase), O(P H^2); (H+1, H+1)."""
    w = 2 * np.pi * wavenumbers(params) / params.L
    e0 = np.exp(-1j * np.outer(x[:, 0], w))
    e1 = np.exp(-1j * np.outer(x[:, 1], w))
    return (e0.T @ e1) * (params.mass / (x.shape[0] * params.L**2))


def grad_K(params: SIPF2DParams, r: np.ndarray) -> np.ndarray:
    """``grad K(x) = beta K_1(beta |x|) x / (2 pi |x|)`` [1/length] for ``K = -K_0(beta |x|)/(2 pi)``.

    ``r`` has shape (..., 2) and no zero rows.
    """
    rr = np.linalg.norm(r, axis=-1)
    f = params.beta * k1(params.beta * rr) / (2 * np.pi * rr)
    return r * f[..., None]


@lru_cache(maxsize=16)
def quadrature_weights(params: SIPF2DParams) -> np.ndarray:
    """``W_d[m] = h^2 d_d K(-u_m)``, ``u_m = (m + 1/2) h``, m = -H/2..H/2-1 (Eq. 30); shape (2, H, H)."""
    H, h = params.H, params.h
    u = (np.arange(-H // 2, H // 2) + 0.5) * h
    U = np.stack(np.meshgrid(u, u, indexing="ij"), axis=-1)
    return np.moveaxis(grad_K(params, -U) * h**2, -1, 0).copy()


@lru_cache(maxsize=16)
def quadrature_symbol(params: SIPF2DParams) -> np.ndarray:
    """``G_d(k) = sum_m W_d[m] exp(i w_k . u_m)``: the Eq. (30) quadrature as a Fourier multiplier.

    Returns complex ndarray, shape (2, H+1, H+1).
    """
    H = params.H
    m = np.arange(-H // 2, H // 2) + 0.5
    E = np.exp(2j * np.pi * np.outer(wavenumbers(params), m) / H)  # exp(i w_k u_m), (H+1, H)
    W = quadrature_weights(params)
    return np.stack([E @ W[d] @ E.T for d in range(2)])


def field_drift_fast(params: SIPF2DParams, x: np.ndarray, alpha_prev: np.ndarray) -> np.ndarray:
    """``Q[c_{n-1}](X^p)`` (Eq. 30 quadrature of grad K * c) by one type-2 NUFFT; shape (P, 2)."""
    th = _theta(params, x)
    f = np.ascontiguousarray(quadrature_symbol(params) * alpha_prev[None])
    v = finufft.nufft2d2(th[0], th[1], f, eps=NUFFT_EPS, isign=1, nthreads=NTHREADS)
    return np.ascontiguousarray(v.real.T)


def _fold(params: SIPF2DParams, a: np.ndarray) -> np.ndarray:
    """Fold (H+1)^2 modes onto the H^2 DFT index (k mod H): exact values on the Eq. (29) grid."""
    H = params.H
    out = a[:H].copy()
    out[0] += a[H]
    out2 = out[:, :H].copy()
    out2[:, 0] += out[:, H]
    return np.fft.ifftshift(out2)  # folded index i <-> k = i - H/2; move k = 0 to index 0


def grid_values(params: SIPF2DParams, alpha: np.ndarray) -> np.ndarray:
    """Values of c [conc] on the Eq. (29) grid ``x_j = j L/H`` (numpy FFT order: index j mod H), shape (H, H)."""
    return (np.fft.ifft2(_fold(params, alpha)) * params.H**2).real


def c_inf(params: SIPF2DParams, alpha: np.ndarray) -> float:
    """``||c||_inf`` [conc] on the H^2 grid of Eq. (29)."""
    return float(np.max(np.abs(grid_values(params, alpha))))


def c_total(params: SIPF2DParams, alpha: np.ndarray) -> float:
    """``c_0 = int_Omega c dx = L^2 alpha_0`` [conc length^2] (Eq. 40 in 2D)."""
    H = params.H
    return float(params.L**2 * alpha[H // 2, H // 2].real)


def field_drift_reference(params: SIPF2DParams, x: np.ndarray, alpha_prev: np.ndarray) -> np.ndarray:
    """Alg. 2 in 2D, per particle: shifted coefficients, inverse FFT, quadrature of Eq. (30); (P, 2).

    ``Xbar = L/(2H) + floor(X/h) h - X`` (Eq. 30); the c-values at ``x_j - Xbar`` come from the
    inverse FFT of ``alpha_k exp(-i w_k . Xbar)``; window index m sits at grid index
    ``j = m + floor(X/h) + 1 (mod H)``. O(P H^2 log H).
    """
    H, h = params.H, params.h
    w = 2 * np.pi * wavenumbers(params) / params.L
    W = quadrature_weights(params)
    out = np.empty((x.shape[0], 2))
    for p in range(x.shape[0]):
        m0 = np.floor(x[p] / h).astype(int)
        xbar = (m0 + 0.5) * h - x[p]
        G = alpha_prev * np.exp(-1j * w[:, None] * xbar[0]) * np.exp(-1j * w[None, :] * xbar[1])
        c_at = (np.fft.ifft2(_fold(params, G)) * H**2).real  # c(x_j - Xbar) at index j mod H
        c_win = np.roll(c_at, shift=tuple(-(m0 + 1 - H // 2)), axis=(0, 1))
        out[p] = np.tensordot(W, c_win, axes=([1, 2], [0, 1]))
    return out


def pair_drift_reference(params: SIPF2DParams, x: np.ndarray) -> np.ndarray:
    """Eq. (31) in numpy with ``scipy.special.k1``: ``(M0/P) sum_{q != p} grad K(X^p - X^q)``; (P, 2)."""
    P = x.shape[0]
    out = np.empty((P, 2))
    for s in range(0, P, 256):
        d = x[s:s + 256, None, :] - x[None, :, :]
        r = np.linalg.norm(d, axis=-1)
        f = np.zeros_like(r)
        nz = r > 0
        f[nz] = params.beta * k1(params.beta * r[nz]) / (2 * np.pi * r[nz])
        out[s:s + 256] = np.einsum("pq,pqd->pd", f, d)
    return out * (params.mass / P)


def pair_drift_fast(params: SIPF2DParams, x: np.ndarray) -> np.ndarray:
    """Eq. (31) by the parallel numba kernel (series/Chebyshev ``K_1``); shape (P, 2)."""
    xt = np.ascontiguousarray(x.T)
    return _pair_drift_kernel(xt[0], xt[1], params.beta, params.mass / x.shape[0], K1_CHEB)


def _step_pieces(params, x, alpha_prev, rho_modes, pair_drift_fn, field_drift):
    S.require_mode_memory(params, 2)
    alpha = field_update(params, rho_modes(params, x), alpha_prev)
    v = pair_drift_fn(params, x) if params.chi != 0 else np.zeros_like(x)
    if params.eps != 0 and params.chi != 0:
        v = v + (params.eps / params.dt) * field_drift(params, x, alpha_prev)
    return alpha, v


def step_pieces_fast(params: SIPF2DParams, x: np.ndarray,
                     alpha_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fast path: ``(alpha_n, V)``, ``V = (eps/dt) Q[c_{n-1}](X_n) + D_rho(X_n)`` = grad K * (eps c/dt + rho).

    Parameters
    ----------
    params : SIPF2DParams
    x : ndarray, shape (P, 2)
        Positions X_n [length].
    alpha_prev : complex ndarray, shape (H+1, H+1)
        Modes of c_{n-1} [conc].

    Returns
    -------
    alpha : complex ndarray, shape (H+1, H+1)
        Modes of c_n [conc] (Eq. 24).
    V : ndarray, shape (P, 2)
        Drift ``grad K * (eps c_{n-1}/dt + rho_n)`` at X_n [mass/length^3]; the step is
        ``X_n - chi dt V + noise`` (Eq. 28).
    """
    return _step_pieces(params, x, alpha_prev, rho_modes_fast, pair_drift_fast, field_drift_fast)


def step_pieces_reference(params: SIPF2DParams, x: np.ndarray,
                          alpha_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reference path (Alg. 1-2 literally, derived normalization); see :func:`step_pieces_fast`."""
    return _step_pieces(params, x, alpha_prev, rho_modes_reference, pair_drift_reference,
                        field_drift_reference)


METHODS = {"fast": step_pieces_fast, "reference": step_pieces_reference}


#: Measured on this shared 2-core machine, one thread: pair kernel (numba K_1) 88-93 ns per pair
#: (P = 2000-4000; 155-182 ns at P = 1e3-1e4 under a load of 6); type-1 NUFFT 0.80-0.94 us per particle
#: (H = 4, P = 1e4-1e5) and 250-400 ns per mode (P = 10, H = 64-1024); type-2 (2 components) 1.26-1.37 us
#: per particle and 280-760 ns per mode; ``||c||_inf`` 28-104 ns per mode; one normal 35 ns. Rounded down
#: (pairs by the same margin as the 3D kernel's, whose 2-core figure is ~3x below its one-thread one).
COST_2D = S.StepCost(pair=20.0, rho_point=300.0, rho_mode=100.0, drift_point=600.0, drift_mode=100.0,
                     grid_mode=10.0, normal=20.0)

SPACE = S.Space(2, check_positions, c_inf, c_total, METHODS, COST_2D, "run_sipf2d")


# ----------------------------------------------------------------------------- runs
def run_sipf2d(params: SIPF2DParams, x0, n_steps: int, seed: int = 0, record_steps=None, alpha0=None,
               method="fast", blowup_cinf: float = 1e12) -> S.SIPFRun:
    """Run ``n_steps`` 2D SIPF steps (Alg. 3): :func:`agents.sipf.run_sipf` with the 2D space.

    Parameters
    ----------
    params : SIPF2DParams
    x0 : array, shape (P, 2)
        Initial positions [length] inside Omega, P >= 2.
    n_steps : int
        Number of steps (>= 0); final time ``n_steps * dt``.
    seed : int
        Seed of the Gaussian increments (same seed -> same result).
    record_steps : iterable of int, optional
        Steps at which to store positions and modes (default: 0 and n_steps).
    alpha0 : complex array, shape (H+1, H+1), optional
        Initial field modes [conc] (default c = 0); the first step uses ``c_{-1} = c(0)``.
    method : {"fast", "reference"} or callable
        Step pieces ``(params, x, alpha_prev) -> (alpha_n, V)``.
    blowup_cinf : float
        ``||c||_inf`` [conc] above which the run is reported as blown up.

    Returns
    -------
    agents.sipf.SIPFRun
        Histories of c0 = L^2 alpha_0 and ||c||_inf on the H^2 grid at every step; positions
        (P, 2) and modes (H+1, H+1) at the recorded steps; a blow-up is flagged, never NaN.

    Raises
    ------
    ValueError
        Naming the argument (as :func:`agents.sipf.run_sipf`).
    verification.validation.LimitError
        Before anything is allocated: the work (``P^2 n_steps`` pair evaluations plus the NUFFTs,
        at the lower per-unit costs :data:`COST_2D`) exceeds the work cap, or the arrays
        (:func:`agents.sipf.run_bytes` with dim = 2) exceed the memory available now.
    """
    return S.run_sipf(params, x0, n_steps, seed, record_steps, alpha0, method, 1, blowup_cinf, space=SPACE)
