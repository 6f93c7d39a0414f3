"""Stochastic interacting particle-field (SIPF) method for 3D parabolic-parabolic Keller-Segel ([SIPF]).

Model ([SIPF] Eq. 1): ``rho_t = div(mu grad rho - chi rho grad c)``,
``eps c_t = Lap c - k^2 c + rho`` on ``Omega = [-L/2, L/2]^3``.

Representation (Eqs. 19-21): ``rho ~ (M0/P) sum_p delta(x - X^p)``;
``c(x) = sum_{k in H} alpha_k exp(i omega_k . x)`` with ``omega_k = 2 pi k / L`` and the
symmetric index set ``H = {k in Z^3: |k_i| <= H/2}`` of Eq. (21), i.e. ``H + 1`` modes per
dimension. Conventions (derived, see ``verification.sipf.derivation``):

* ``x`` is measured from the centre of ``Omega`` (as in Eqs. 20 and 29), so the particle
  sum of a mode is ``rho_hat_k = (M0 / (P L^3)) sum_p exp(-i omega_k . X^p)`` with the
  ``1/L^3`` of a Fourier coefficient and **no** ``(-1)^{j+m+l}`` phase (that phase belongs
  to corner-based coordinates; Alg. 1 prints it with centred ones -- an erratum).
* Nyquist modes: both ``k_i = +H/2`` and ``-H/2`` are kept as distinct modes, as Eq. (21)
  says. The set is symmetric, so ``rho_hat_{-k} = conj(rho_hat_k)`` holds exactly and the
  field is real. They only coincide when ``c`` is sampled on the H-point grid of Eq. (29),
  where their coefficients are added (an exact evaluation, not an approximation).

One step ``(X_n, c_{n-1}) -> (X_{n+1}, c_n)`` (Eqs. 24, 28, 31, Alg. 1-2):

* field: ``alpha_n = (eps/dt alpha_{n-1} + rho_hat_n) / (|omega|^2 + beta^2)``,
  ``beta^2 = k^2 + eps/dt`` -- Eq. (24) with Eq. (26);
* particles: ``X_{n+1} = X_n - chi dt [ (eps/dt) Q[c_{n-1}](X_n) + D_rho(X_n) ] + sqrt(2 mu dt) N``
  clipped to ``Omega``, where ``D_rho(X^p) = (M0/P) sum_{q != p} grad K(X^p - X^q)`` (Eq. 31,
  exact free-space pair sum) and ``Q[c](X) = h^3 sum_u grad K(-u) c(X + u)`` is the shifted
  quadrature of Eqs. (29)-(30) of ``grad K * c``: nodes ``u = (m + 1/2) h``, ``h = L/H``,
  never at the singularity ``u = 0``.

Quadrature window: the paper's nodes are ``X + u`` with ``m = j - floor(X/h) - 1`` for the
grid indices ``j = -H/2 .. H/2 - 1`` of Eq. (29), i.e. a window tied to the box ``Omega``.
We use the window ``m = -H/2 .. H/2 - 1`` for every particle (the paper's window for a
particle in the central cell, ``floor(X/h) = -1``), which makes ``Q`` translation-covariant
for the periodic ``c`` and lets the fast path evaluate it as one type-2 NUFFT with the
symbol ``G_hat(k) = h^3 sum_u grad K(-u) exp(i omega_k . u)``. Both paths use this window.

The first step uses ``c_{-1} = c(0)`` (Alg. 3 uses ``c_0`` in the first particle step too);
after ``n`` steps the field has had ``n`` backward-Euler updates and is reported at
``t_n = n dt``.

Two paths with identical step semantics:

* ``method="reference"``: the paper literally -- direct Fourier sums over the modes for
  ``rho_hat``, per particle the shifted coefficients and an inverse FFT for the c-values at
  the quadrature nodes (Alg. 2), and a numpy O(P^2) pair sum. Small sizes only.
* ``method="fast"``: finufft type-1 (particles -> modes) and type-2 (three gradient
  components back at the particles), and the numba pair kernel of
  :mod:`agents.sipf_kernels`. Memory O(P + H^3).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import finufft
import mesa
import numpy as np

from agents.sipf_kernels import Y_MAX, pair_drift

NUFFT_EPS = 1e-12
# One OpenMP thread: measured on the shared 2-core machine, nthreads=2 made a P = 300 type-1
# NUFFT 25x slower (3 ms -> 80 ms; its threads spin against numba's pool) and P = 1e4 no faster.
NTHREADS = 1


def validate_model(p, dim: int) -> None:
    """Checks shared by :class:`SIPFParams` and ``agents.sipf2d.SIPF2DParams`` (the error names the field).

    ``p`` has the fields mu, chi, eps, k, L, H, dt, mass; ``dim`` sets the longest pair distance
    ``L sqrt(dim)`` the pair kernel must reach (``beta L sqrt(dim) <= Y_MAX``).
    """
    for name in ("mu", "chi", "eps", "k", "L", "dt", "mass"):
        v = getattr(p, name)
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
            raise ValueError(f"{name} must be a finite number, got {v!r}")
    if p.mu <= 0:
        raise ValueError(f"mu must be > 0, got {p.mu}")
    if p.eps < 0:
        raise ValueError(f"eps must be >= 0, got {p.eps}")
    if p.k < 0:
        raise ValueError(f"k must be >= 0, got {p.k}")
    if p.eps == 0 and p.k == 0:
        raise ValueError("k must be > 0 when eps = 0 (beta^2 = k^2 + eps/dt must be > 0)")
    if p.L <= 0:
        raise ValueError(f"L must be > 0, got {p.L}")
    if p.dt <= 0:
        raise ValueError(f"dt must be > 0, got {p.dt}")
    if p.mass <= 0:
        raise ValueError(f"mass must be > 0, got {p.mass}")
    if not isinstance(p.H, (int, np.integer)) or isinstance(p.H, bool) or p.H < 4 or p.H % 2:
        raise ValueError(f"H must be an even integer >= 4, got {p.H!r}")
    reach = p.L * math.sqrt(dim)
    if p.k * reach > Y_MAX:  # before beta: k**2 may overflow (beta >= k)
        raise ValueError(f"k too large for the pair kernel: k L sqrt({dim}) must be <= {Y_MAX}, "
                         f"got {p.k * reach:.4g}")
    if p.beta * reach > Y_MAX:
        raise ValueError(f"dt too small for the pair kernel: beta L sqrt({dim}) must be <= {Y_MAX}, "
                         f"got {p.beta * reach:.4g}")


class ModelParams:
    """Derived quantities and ``replace`` shared by the 3D and 2D parameter dataclasses."""

    __slots__ = ()

    @property
    def beta(self) -> float:
        """Screening ``beta = sqrt(k^2 + eps/dt)`` [1/length] (Eq. 25)."""
        return math.sqrt(self.k**2 + self.eps / self.dt)

    @property
    def h(self) -> float:
        """Grid spacing ``L/H`` [length] of the quadrature (Eq. 29)."""
        return self.L / self.H

    def replace(self, **changes):
        """Copy with some fields changed (validated again)."""
        vals = {f: getattr(self, f) for f in self.__slots__}
        vals.update(changes)
        return type(self)(**vals)


@dataclass(frozen=True, slots=True)
class SIPFParams(ModelParams):
    """Parameters of the SIPF method ([SIPF] Eqs. 1, 20-25, 35).

    Parameters
    ----------
    mu : float
        Cell diffusivity [length^2/time], > 0.
    chi : float
        Chemo-sensitivity [length^2/(time conc)], finite (0 = free diffusion; < 0 repulsion).
    eps : float
        Time-scale ratio of the chemical, >= 0.
    k : float
        Decay parameter [1/length], >= 0; > 0 when eps = 0 (else the zero mode of
        ``(Lap - k^2 - eps/dt) c = -rho`` has no solution: beta = 0).
    L : float
        Box side [length], > 0; ``Omega = [-L/2, L/2]^3``.
    H : int
        Fourier modes per dimension, even and >= 4; index set ``|k_i| <= H/2``.
    dt : float
        Time step [time], > 0.
    mass : float
        Total cell mass M0, > 0.
    dim : int
        Space dimension; only 3 is implemented (the 2D kernel K0(beta r)/(2 pi) is not).
    """

    mu: float = 1.0
    chi: float = 1.0
    eps: float = 1e-4
    k: float = 0.1
    L: float = 8.0
    H: int = 24
    dt: float = 1e-4
    mass: float = 20.0
    dim: int = 3

    def __post_init__(self) -> None:
        """Validate; the error names the parameter and its allowed range."""
        if self.dim != 3:
            raise ValueError(f"dim must be 3 (the only dimension implemented), got {self.dim!r}")
        validate_model(self, 3)


def check_positions(params, x: np.ndarray, dim: int = 3) -> np.ndarray:
    """Validate particle positions: shape (P, dim), P >= 2, finite, inside Omega; return float64 copy."""
    x = np.array(x, dtype=float)
    if x.ndim != 2 or x.shape[1] != dim:
        raise ValueError(f"positions must have shape (P, {dim}), got {x.shape}")
    if x.shape[0] < 2:
        raise ValueError(f"P (number of particles) must be >= 2, got {x.shape[0]}")
    if not np.all(np.isfinite(x)):
        raise ValueError("positions must be finite")
    if np.any(np.abs(x) > params.L / 2):
        raise ValueError(f"positions must lie inside Omega = [-L/2, L/2]^{dim} with L = {params.L}")
    return x


def uniform_ball(n: int, radius: float = 1.0, center=(0.0, 0.0, 0.0), seed: int = 0) -> np.ndarray:
    """``n`` points uniform in a ball (the initial rho_0 of [SIPF] §4.1), shape (n, 3)."""
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
        raise ValueError(f"n must be an integer >= 0, got {n!r}")
    if not isinstance(radius, (int, float)) or isinstance(radius, bool) or not (math.isfinite(radius)
                                                                               and radius >= 0):
        raise ValueError(f"radius must be a finite number >= 0, got {radius!r}")
    c = np.asarray(center, dtype=float)
    if c.shape != (3,) or not np.all(np.isfinite(c)):
        raise ValueError(f"center must be 3 finite numbers, got {center!r}")
    if not math.isfinite(radius + float(np.max(np.abs(c)))):
        raise ValueError(f"radius + |center| must be finite (no overflow), got radius = {radius!r}, "
                         f"center = {center!r}")
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((n, 3))
    v /= np.linalg.norm(v, axis=1)[:, None]
    r = radius * rng.random(n) ** (1.0 / 3.0)
    return v * r[:, None] + np.asarray(center, dtype=float)


# ----------------------------------------------------------------------------- modes
def wavenumbers(params: SIPFParams) -> np.ndarray:
    """Mode indices ``-H/2 .. H/2`` (H + 1 values), the finufft ordering for odd sizes."""
    return np.arange(-params.H // 2, params.H // 2 + 1)


@lru_cache(maxsize=16)
def _denominator(params: SIPFParams) -> np.ndarray:
    w = 2 * np.pi * wavenumbers(params) / params.L
    w2 = w**2
    return w2[:, None, None] + w2[None, :, None] + w2[None, None, :] + params.beta**2


def field_update(params: SIPFParams, rho_hat: np.ndarray, alpha_prev: np.ndarray) -> np.ndarray:
    """Backward-Euler field step, Eq. (24) with Eq. (26): ``(eps/dt a + rho_hat)/(|w|^2 + beta^2)``.

    Parameters
    ----------
    rho_hat, alpha_prev : complex ndarray, shape (H+1, H+1, H+1)
        Modes of rho_n [mass/length^3] and of c_{n-1} [conc].

    Returns
    -------
    complex ndarray
        Modes of c_n [conc].
    """
    return (params.eps / params.dt * alpha_prev + rho_hat) / _denominator(params)


def _theta(params: SIPFParams, x: np.ndarray) -> np.ndarray:
    """Angles ``2 pi X / L`` in [-pi, pi], shape (3, P), contiguous."""
    return np.ascontiguousarray((2 * np.pi / params.L) * x.T)


def rho_modes_fast(params: SIPFParams, x: np.ndarray) -> np.ndarray:
    """``rho_hat_k = M0/(P L^3) sum_p exp(-i w_k.X^p)`` (Eq. 24, Alg. 1) by a type-1 NUFFT."""
    th = _theta(params, x)
    n = params.H + 1
    w = np.full(x.shape[0], params.mass / (x.shape[0] * params.L**3), dtype=complex)
    return finufft.nufft3d1(th[0], th[1], th[2], w, (n, n, n), eps=NUFFT_EPS, isign=-1,
                            nthreads=NTHREADS)


def rho_modes_reference(params: SIPFParams, x: np.ndarray) -> np.ndarray:
    """Direct mode sums of Alg. 1 (with the derived normalization and no phase), O(P H^3)."""
    w = 2 * np.pi * wavenumbers(params) / params.L
    e = [np.exp(-1j * np.outer(x[:, d], w)) for d in range(3)]
    out = np.zeros((w.size,) * 3, dtype=complex)
    for s in range(0, x.shape[0], 256):
        sl = slice(s, s + 256)
        out += np.einsum("pa,pb,pc->abc", e[0][sl], e[1][sl], e[2][sl], optimize=True)
    return out * (params.mass / (x.shape[0] * params.L**3))


def grad_K(params: SIPFParams, r: np.ndarray) -> np.ndarray:
    """``grad K(x) = x (1 + beta |x|) exp(-beta |x|) / (4 pi |x|^3)`` for K of Eq. (25); r shape (..., 3)."""
    rr = np.linalg.norm(r, axis=-1)
    b = params.beta
    f = (1 + b * rr) * np.exp(-b * rr) / (4 * np.pi * rr**3)
    return r * f[..., None]


@lru_cache(maxsize=16)
def quadrature_weights(params: SIPFParams) -> np.ndarray:
    """``W_d[m] = h^3 d_d K(-u_m)``, ``u_m = (m + 1/2) h``, m = -H/2..H/2-1; shape (3, H, H, H)."""
    H, h = params.H, params.h
    u = (np.arange(-H // 2, H // 2) + 0.5) * h
    U = np.stack(np.meshgrid(u, u, u, indexing="ij"), axis=-1)
    return np.moveaxis(grad_K(params, -U) * h**3, -1, 0).copy()


@lru_cache(maxsize=16)
def quadrature_symbol(params: SIPFParams) -> np.ndarray:
    """``G_d(k) = sum_m W_d[m] exp(i w_k . u_m)`` (the Eq. 30 quadrature as a Fourier multiplier).

    Returns complex ndarray, shape (3, H+1, H+1, H+1) [conc^-1 drift units].
    """
    H = params.H
    kk = wavenumbers(params)
    m = np.arange(-H // 2, H // 2) + 0.5
    E = np.exp(2j * np.pi * np.outer(kk, m) / H)  # exp(i w_k u_m), (H+1, H)
    W = quadrature_weights(params)
    out = np.empty((3, H + 1, H + 1, H + 1), dtype=complex)
    for d in range(3):
        g = np.tensordot(E, W[d], axes=([1], [0]))           # (a, j, k)
        g = np.tensordot(g, E, axes=([1], [1]))              # (a, k, b)
        g = np.tensordot(g, E, axes=([1], [1]))              # (a, b, c)
        out[d] = g
    return out


def field_drift_fast(params: SIPFParams, x: np.ndarray, alpha_prev: np.ndarray) -> np.ndarray:
    """``Q[c_{n-1}](X^p)`` (Eq. 30 quadrature of grad K * c) by one type-2 NUFFT; shape (P, 3)."""
    th = _theta(params, x)
    f = np.ascontiguousarray(quadrature_symbol(params) * alpha_prev[None])
    v = finufft.nufft3d2(th[0], th[1], th[2], f, eps=NUFFT_EPS, isign=1, nthreads=NTHREADS)
    return np.ascontiguousarray(v.real.T)


def _fold(params: SIPFParams, a: np.ndarray) -> np.ndarray:
    """Fold (H+1)^3 modes onto the H^3 DFT index (k mod H): exact values on the Eq. 29 grid."""
    H = params.H
    out = a[:H]
    out = out.copy()
    out[0] += a[H]
    out2 = out[:, :H].copy()
    out2[:, 0] += out[:, H]
    out3 = out2[:, :, :H].copy()
    out3[:, :, 0] += out2[:, :, H]
    # index i of the folded array <-> k = i - H/2; move k = 0 to index 0 for numpy's FFT
    return np.fft.ifftshift(out3)


def grid_values(params: SIPFParams, alpha: np.ndarray) -> np.ndarray:
    """Values of c on the Eq. (29) grid ``x_j = j L/H`` (numpy FFT order: index j mod H), real, shape (H, H, H)."""
    return (np.fft.ifftn(_fold(params, alpha)) * params.H**3).real


def c_inf(params: SIPFParams, alpha: np.ndarray) -> float:
    """``||c||_inf`` on the H^3 grid of Eq. (29)."""
    return float(np.max(np.abs(grid_values(params, alpha))))


def c_total(params: SIPFParams, alpha: np.ndarray) -> float:
    """``c_0 = int_Omega c dx = L^3 alpha_0`` (Eq. 40)."""
    H = params.H
    return float(params.L**3 * alpha[H // 2, H // 2, H // 2].real)


def field_drift_reference(params: SIPFParams, x: np.ndarray, alpha_prev: np.ndarray) -> np.ndarray:
    """Alg. 2 literally, per particle: shifted coefficients, inverse FFT, quadrature of Eq. (30).

    ``Xbar = L/(2H) + floor(X/h) h - X`` (Eq. 30); the c-values at ``x_j - Xbar`` come from
    the inverse FFT of ``alpha_k exp(-i w_k . Xbar)``; the node of window index m is grid
    index ``j = m + floor(X/h) + 1 (mod H)``. O(P H^3 log H).
    """
    H, h = params.H, params.h
    w = 2 * np.pi * wavenumbers(params) / params.L
    W = quadrature_weights(params)
    out = np.empty((x.shape[0], 3))
    for p in range(x.shape[0]):
        m0 = np.floor(x[p] / h).astype(int)
        xbar = (m0 + 0.5) * h - x[p]
        G = alpha_prev * np.exp(-1j * w[:, None, None] * xbar[0]) \
            * np.exp(-1j * w[None, :, None] * xbar[1]) * np.exp(-1j * w[None, None, :] * xbar[2])
        c_at = (np.fft.ifftn(_fold(params, G)) * H**3).real  # c(x_j - Xbar) at index j mod H
        # window index i = m + H/2  <->  grid index (m + m0 + 1) mod H
        c_win = np.roll(c_at, shift=tuple(-(m0 + 1 - H // 2)), axis=(0, 1, 2))
        out[p] = np.tensordot(W, c_win, axes=([1, 2, 3], [0, 1, 2]))
    return out


def pair_drift_reference(params: SIPFParams, x: np.ndarray) -> np.ndarray:
    """Eq. (31) in numpy: ``(M0/P) sum_{q != p} grad K(X^p - X^q)``, O(P^2), chunked."""
    P = x.shape[0]
    out = np.empty((P, 3))
    for s in range(0, P, 128):
        d = x[s:s + 128, None, :] - x[None, :, :]
        r = np.linalg.norm(d, axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            f = (1 + params.beta * r) * np.exp(-params.beta * r) / (4 * np.pi * r**3)
        f[r == 0] = 0.0
        out[s:s + 128] = np.einsum("pq,pqd->pd", f, d)
    return out * (params.mass / P)


def pair_drift_fast(params: SIPFParams, x: np.ndarray) -> np.ndarray:
    """Eq. (31) by the parallel numba kernel (vectorized exp); shape (P, 3)."""
    xt = np.ascontiguousarray(x.T)
    return pair_drift(xt[0], xt[1], xt[2], params.beta, params.mass / x.shape[0])


def _step_pieces(params: SIPFParams, x: np.ndarray, alpha_prev: np.ndarray, rho_modes, pair_drift_fn,
                 field_drift) -> tuple[np.ndarray, np.ndarray]:
    alpha = field_update(params, rho_modes(params, x), alpha_prev)
    v = pair_drift_fn(params, x) if params.chi != 0 else np.zeros_like(x)
    if params.eps != 0 and params.chi != 0:
        v += (params.eps / params.dt) * field_drift(params, x, alpha_prev)
    return alpha, v


def step_pieces_fast(params: SIPFParams, x: np.ndarray, alpha_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fast path: ``(alpha_n, V)`` with ``V = (eps/dt) Q[c_{n-1}](X_n) + D_rho(X_n)`` = grad K*(eps c/dt + rho)."""
    return _step_pieces(params, x, alpha_prev, rho_modes_fast, pair_drift_fast, field_drift_fast)


def step_pieces_reference(params: SIPFParams, x: np.ndarray, alpha_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reference path (the paper's Alg. 1-2 literally, derived normalizations); see :func:`step_pieces_fast`."""
    return _step_pieces(params, x, alpha_prev, rho_modes_reference, pair_drift_reference, field_drift_reference)


METHODS = {"fast": step_pieces_fast, "reference": step_pieces_reference}


@dataclass(frozen=True)
class Space:
    """What a run needs from its dimension (shared run loop of :class:`SIPFState`, :func:`run_sipf`)."""

    dim: int
    check_positions: Callable
    c_inf: Callable
    c_total: Callable
    methods: dict


SPACE = Space(3, check_positions, c_inf, c_total, METHODS)


# ----------------------------------------------------------------------------- runs
@dataclass
class SIPFRun:
    """Output of :func:`run_sipf` (3D; ``agents.sipf2d.run_sipf2d`` returns the same in 2D).

    Attributes
    ----------
    params : SIPFParams
    record_steps : ndarray of int
        Steps at which ``positions`` and ``modes`` were recorded (those reached).
    positions : ndarray, shape (len(record_steps), P, dim)
    modes : complex ndarray, shape (len(record_steps),) + (H+1,) * dim
        Field after each recorded step (the initial field at step 0).
    times : ndarray
        ``t_n = n dt`` for n = 0..n_done.
    c0 : ndarray
        ``int c dx`` history (Eq. 40), one value per time.
    cinf : ndarray
        ``||c||_inf`` on the H^dim grid, one value per time.
    blew_up : bool
        True if a non-finite or exploding value stopped the run (results hold the last
        finite state; nothing is NaN).
    blowup_time : float
        Time of the first bad step (nan if none).
    """

    params: ModelParams
    record_steps: np.ndarray
    positions: np.ndarray
    modes: np.ndarray
    times: np.ndarray
    c0: np.ndarray
    cinf: np.ndarray
    blew_up: bool = False
    blowup_time: float = math.nan
    seconds: dict = field(default_factory=dict)


class SIPFState:
    """Mutable state ``(X_n, c_{n-1})`` with a seeded noise stream; ``advance()`` does one step.

    Parameters
    ----------
    params : SIPFParams
    x0 : array, shape (P, 3)
        Initial positions inside Omega.
    seed : int
        Seed of the numpy Generator of the Gaussian increments.
    alpha0 : complex array, shape (H+1,)*3, optional
        Initial field modes (default c = 0).
    method : {"fast", "reference"} or callable
        Step pieces ``(params, x, alpha_prev) -> (alpha_n, V)``.
    noise_substeps : int
        Each step's N is the normalized sum of this many standard normals drawn in order, so a
        run with ``dt`` and ``s`` sub-steps follows the Brownian path of a run with ``dt/s``
        and the same seed (coupled paths for time-step convergence studies).
    blowup_cinf : float
        ``||c||_inf`` above which the run is reported as blown up, > 0.
    space : Space, optional
        The dimension's positions check, field norms and step methods (default :data:`SPACE`,
        3D; ``agents.sipf2d.SPACE`` for 2D).
    """

    def __init__(self, params, x0, seed: int = 0, alpha0=None, method="fast",
                 noise_substeps: int = 1, blowup_cinf: float = 1e12, space: Space | None = None) -> None:
        self.space = sp = SPACE if space is None else space
        self.params = params
        self.x = sp.check_positions(params, x0)
        shape = (params.H + 1,) * sp.dim
        self.alpha = np.zeros(shape, complex) if alpha0 is None else np.array(alpha0, dtype=complex)
        if self.alpha.shape != shape:
            raise ValueError(f"alpha0 must have shape {shape}, got {self.alpha.shape}")
        if not (isinstance(noise_substeps, (int, np.integer)) and noise_substeps >= 1):
            raise ValueError(f"noise_substeps must be an int >= 1, got {noise_substeps!r}")
        if isinstance(method, str):
            if method not in sp.methods:
                raise ValueError(f"method must be one of {sorted(sp.methods)} or a callable, got {method!r}")
            method = sp.methods[method]
        if not (isinstance(blowup_cinf, (int, float)) and blowup_cinf > 0):
            raise ValueError(f"blowup_cinf must be a number > 0, got {blowup_cinf!r}")
        self.pieces = method
        self.rng = np.random.default_rng(seed)
        self.substeps = int(noise_substeps)
        self.blowup_cinf = blowup_cinf
        self.n = 0
        self.cinf = sp.c_inf(params, self.alpha)  # ||c||_inf of the current field, kept with it
        self.blew_up = False
        self.blowup_time = math.nan

    def noise(self) -> np.ndarray:
        """Standard normal increments, shape (P, dim)."""
        if self.substeps == 1:
            return self.rng.standard_normal(self.x.shape)
        return self.rng.standard_normal((self.substeps, *self.x.shape)).sum(axis=0) / math.sqrt(self.substeps)

    def advance(self) -> bool:
        """One step; False (state unchanged, ``blew_up`` set) if it produced bad values."""
        p = self.params
        alpha, v = self.pieces(p, self.x, self.alpha)
        with np.errstate(all="ignore"):
            x = self.x - p.chi * p.dt * v + math.sqrt(2 * p.mu * p.dt) * self.noise()
        ok = bool(np.all(np.isfinite(x)) and np.all(np.isfinite(alpha)))
        cinf = self.space.c_inf(p, alpha) if ok else math.inf
        if not ok or cinf > self.blowup_cinf:
            self.blew_up = True
            self.blowup_time = (self.n + 1) * p.dt
            return False
        np.clip(x, -p.L / 2, p.L / 2, out=x)
        self.x, self.alpha, self.cinf = x, alpha, cinf
        self.n += 1
        return True


def run_sipf(params, x0, n_steps: int, seed: int = 0, record_steps=None, alpha0=None,
             method="fast", noise_substeps: int = 1, blowup_cinf: float = 1e12, space: Space | None = None) -> SIPFRun:
    """Run ``n_steps`` SIPF steps (Alg. 3) and record positions and field modes.

    Parameters
    ----------
    params : SIPFParams (or ``agents.sipf2d.SIPF2DParams`` with ``space = agents.sipf2d.SPACE``)
    x0 : array, shape (P, dim)
    n_steps : int
        Number of steps (>= 0); final time ``n_steps * dt``.
    seed : int
        Noise seed (same seed, same thread count -> same result).
    record_steps : iterable of int, optional
        Steps at which to store positions and modes (default: 0 and n_steps).
    alpha0, method, noise_substeps, blowup_cinf, space
        See :class:`SIPFState`.

    Returns
    -------
    SIPFRun
        Histories of c_0 and ||c||_inf at every step; a blow-up is flagged, never NaN.
    """
    if not (isinstance(n_steps, (int, np.integer)) and not isinstance(n_steps, bool) and n_steps >= 0):
        raise ValueError(f"n_steps must be an int >= 0, got {n_steps!r}")
    st = SIPFState(params, x0, seed, alpha0, method, noise_substeps, blowup_cinf, space)
    rec = sorted({0, int(n_steps)} if record_steps is None else {int(s) for s in record_steps})
    if rec and (rec[0] < 0 or rec[-1] > n_steps):
        raise ValueError(f"record_steps must lie in [0, n_steps = {n_steps}]")
    rec_set = set(rec)
    pos, modes, steps = [], [], []
    c0 = [st.space.c_total(params, st.alpha)]
    ci = [st.cinf]

    def record():
        if st.n in rec_set:
            steps.append(st.n)
            pos.append(st.x.copy())
            modes.append(st.alpha.copy())

    record()
    for _ in range(n_steps):
        if not st.advance():
            break
        c0.append(st.space.c_total(params, st.alpha))
        ci.append(st.cinf)
        record()
    shape = (params.H + 1,) * st.space.dim
    return SIPFRun(params, np.array(steps, dtype=int),
                   np.array(pos) if pos else np.zeros((0, *st.x.shape)),
                   np.array(modes) if modes else np.zeros((0, *shape), complex),
                   np.arange(st.n + 1) * params.dt, np.array(c0), np.array(ci), st.blew_up, st.blowup_time)


class SIPFModel(mesa.Model):
    """Mesa model over the SIPF arrays: ``step()`` is one fast SIPF step.

    A ``DataCollector`` records ``c0`` (Eq. 40) and ``cinf`` (``||c||_inf`` on the grid)
    at step 0 and after every step. Particles are arrays, not ``mesa.Agent`` objects
    (a Model whose step calls a kernel over arrays costs almost nothing extra).
    """

    def __init__(self, params: SIPFParams, x0, seed: int = 0, alpha0=None, method="fast") -> None:
        super().__init__(seed=seed)
        self.params = params
        self.state = SIPFState(params, x0, seed, alpha0, method)
        self.datacollector = mesa.DataCollector(model_reporters={
            "c0": lambda m: c_total(m.params, m.state.alpha),
            "cinf": lambda m: m.state.cinf,
            "blew_up": lambda m: m.state.blew_up,
        })
        self.datacollector.collect(self)

    @property
    def positions(self) -> np.ndarray:
        """Particle positions, shape (P, 3)."""
        return self.state.x

    def step(self) -> None:
        """One SIPF step; stops the model (``running = False``) on blow-up."""
        if not self.state.advance():
            self.running = False
        self.datacollector.collect(self)
