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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import mesa
import numpy as np

from agents import nufft
from agents.sipf_kernels import Y_MAX, Y_MAX_F32, pair_distance_bound, pair_drift_symmetric
from verification import validation as V

#: finufft tolerance, from the error budget of the drift. Budget: the fast drift must match the
#: paper-literal step to 1e-6 relative (``sipf.fast_vs_reference``). With upsampling 2
#: (:mod:`agents.nufft`) the drift ``grad K * c`` at the particles comes out ~10 eps relative to its
#: maximum (measured at P = 1e4, H = 24: 8.7e-9 at eps 1e-8, 6.8e-10 at 1e-9, 1.08e-7 at 1e-7), so
#: eps = 1e-8 spends 1e-7 of the 1e-6: a factor 10 kept for larger H and other data. The pair term
#: (exact) dominates the total drift, whose error is then ~1e-10. The zero mode needs no NUFFT: it is
#: set to its exact value ``M0 / L^3`` (the total mass), so the c0 identity of Eq. (42) is untouched
#: by eps. Halves the transforms' time against the former eps 1e-12 (42 -> 20 ms at P = 1e4, H = 24).
NUFFT_EPS = 1e-8
#: Allowed box sides [length]: ``L**dim`` and ``M0 / (P L**dim)`` must neither overflow nor underflow to 0.
L_RANGE = (1e-100, 1e100)


def validate_model(p, dim: int) -> None:
    """Checks shared by :class:`SIPFParams` and ``agents.sipf2d.SIPF2DParams`` (the error names the field).

    ``p`` has the fields mu, chi, eps, k, L, H, dt, mass; ``dim`` sets the longest pair distance
    ``L sqrt(dim)`` the pair kernel must reach (``beta L sqrt(dim) <= Y_MAX``). Numbers may be
    Python or numpy scalars; a value that is not already a Python ``int``/``float`` (a numpy
    integer, ``np.float32``, ...) is stored as ``int``/``float`` (Python and ``np.float64`` values
    are kept as given, so their arithmetic is unchanged).

    Raises
    ------
    ValueError
        Naming the field, its allowed range and the value received.
    """
    checks = {"mu": V.positive, "chi": V.real, "eps": V.nonnegative, "k": V.nonnegative,
              "L": lambda v, name: V.real(v, name, lo=L_RANGE[0], hi=L_RANGE[1]),
              "dt": V.positive, "mass": V.positive}
    for name, check in checks.items():
        _store(p, name, check(getattr(p, name), name))
    H = V.integer(p.H, "H")
    if H < 4 or H % 2:
        raise ValueError(f"H must be an even integer >= 4, got {H}")
    _store(p, "H", H)
    if p.eps == 0 and p.k == 0:
        raise ValueError("k must be > 0 when eps = 0 (beta^2 = k^2 + eps/dt must be > 0)")
    reach = p.L * math.sqrt(dim)
    if p.k * reach > Y_MAX:  # before beta: k**2 may overflow (beta >= k)
        raise ValueError(f"k too large for the pair kernel: k L sqrt({dim}) must be <= {Y_MAX}, "
                         f"got {p.k * reach:.4g}")
    if p.beta * reach > Y_MAX:
        raise ValueError(f"dt too small for the pair kernel: beta L sqrt({dim}) must be <= {Y_MAX}, "
                         f"got {p.beta * reach:.4g}")
    if not p.beta > 0:  # k = 0 and eps/dt below the smallest double
        raise ValueError(f"beta = sqrt(k^2 + eps/dt) must be > 0, got {p.beta!r} (k = {p.k!r}, eps = {p.eps!r}, "
                         f"dt = {p.dt!r}); use k > 0 or a larger eps/dt")


def _store(p, name: str, value: int | float) -> None:
    """Keep a Python ``int``/``float`` (incl. ``np.float64``) as given; store anything else converted."""
    if not isinstance(getattr(p, name), (int, float)):
        object.__setattr__(p, name, value)


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
        if V.integer(self.dim, "dim") != 3:
            raise ValueError(f"dim must be 3 (the only dimension implemented), got {self.dim!r}")
        _store(self, "dim", 3)
        validate_model(self, 3)


def check_positions(params, x: np.ndarray, dim: int = 3) -> np.ndarray:
    """Validate particle positions [length]: shape (P, dim), P >= 2, finite, inside Omega; return a float64 copy.

    Raises
    ------
    ValueError
        Naming ``positions`` (shape, finiteness, Omega) or ``P`` (fewer than 2 particles).
    """
    x = V.real_array(x, "positions", shape=(None, dim)).copy()
    V.integer(x.shape[0], "P (number of particles, rows of positions)", lo=2)
    reach = float(np.max(np.abs(x)))
    if reach > params.L / 2:
        raise ValueError(f"positions must lie inside Omega = [-L/2, L/2]^{dim} with L = {params.L}; "
                         f"found |x_i| up to {reach:.6g}")
    return x


#: Bytes :func:`uniform_ball` holds per point: the (n, 3) normals, their squares, the result and
#: its shifted copy, plus n norms and radii (15 doubles).
BALL_BYTES_PER_POINT = 15 * 8


def validate_ball(n: object, radius: object, center: object, seed: object, dim: int, bytes_per_point: float,
                  what: str) -> tuple[int, float, np.ndarray, int]:
    """The arguments of :func:`uniform_ball` or ``agents.sipf2d.uniform_disc``, validated.

    ``dim`` is the dimension of ``center``; ``bytes_per_point`` is what the sampler holds per
    point, for the memory check. Returns ``(n, radius, center as an array, seed)``.
    """
    n = V.integer(n, "n", lo=0)
    radius = V.nonnegative(radius, "radius")
    c = V.real_array(center, "center", shape=(dim,))
    if not math.isfinite(radius + float(np.max(np.abs(c)))):
        raise ValueError(f"radius + |center| must be finite (no overflow), got radius = {radius!r}, "
                         f"center = {center!r}")
    seed = V.seed(seed)
    V.require_memory(bytes_per_point * n, f"{what} with n = {n} points", "fewer points (n)")
    return n, radius, c, seed


def uniform_ball(n: int, radius: float = 1.0, center=(0.0, 0.0, 0.0), seed: int = 0) -> np.ndarray:
    """``n`` points uniform in a ball (the initial rho_0 of [SIPF] §4.1) [length], shape (n, 3).

    Parameters
    ----------
    n : int
        Number of points, >= 0.
    radius : float
        Ball radius [length], finite, >= 0.
    center : sequence of 3 floats
        Ball centre [length], finite.
    seed : int
        Seed in [0, 2**63) of the numpy Generator.

    Raises
    ------
    ValueError
        Naming the argument; :class:`verification.validation.LimitError` (a ValueError) when the
        ``n`` points would not fit in the memory available now.
    """
    n, radius, c, seed = validate_ball(n, radius, center, seed, 3, BALL_BYTES_PER_POINT, "uniform_ball")
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((n, 3))
    v /= np.linalg.norm(v, axis=1)[:, None]
    r = radius * rng.random(n) ** (1.0 / 3.0)
    return v * r[:, None] + c


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
    modes = nufft.type1(th, w, (n, n, n), NUFFT_EPS)
    c = params.H // 2
    modes[c, c, c] = params.mass / params.L**3  # the zero mode exactly: sum_p w_p
    return modes


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
    v = nufft.type2(th, f, NUFFT_EPS)
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


#: Fewest particles at which ``pair_drift_fast(..., method="auto")`` uses the fast multipole method.
#: The crossover measured by ``activebench bench sipf3d`` (direct kernel on 2 threads against the
#: single-threaded FMM3D wheel at FMM_EPS): see the bench's "FMM crossover" row.
FMM_MIN_PARTICLES = 150_000
#: FMM3D tolerance: measured error against the direct sum max|dv| / max|v| <= 2e-8 at P = 1e4-1e5
#: (relative 2-norm <= 5e-8), inside the 1e-6 budget of the pair field with a factor 20.
FMM_EPS = 1e-6
PAIR_METHODS = ("auto", "direct", "fmm")


#: Arithmetic of the direct pair sum: "float64" (default; error ~1e-14 of max|field|) or "float32"
#: (hi + lo positions, float64 sums across tiles: 3.6x faster on this machine's 256-bit vectors, measured
#: error 1.3e-7 - 3.1e-7 of max|field| at P = 1e4 and 7.5e-7 for a ball of radius 0.05 at P = 2e3, i.e. a
#: collapsed cluster comes within 1.3x of the 1e-6 budget: opt-in, the checks run float64).
PAIR_PRECISIONS = ("float64", "float32")


def pair_drift_direct(params: SIPFParams, x: np.ndarray, precision: str = "float64") -> np.ndarray:
    """Eq. (31) by the symmetric tiled numba kernel (each pair once), exact O(P^2) sum; shape (P, 3).

    ``precision="float32"`` falls back to float64 where ``beta D`` (D a bound on the pair distances)
    exceeds the float32 exponential's range (:data:`agents.sipf_kernels.Y_MAX_F32`).
    """
    if precision not in PAIR_PRECISIONS:
        raise ValueError(f"precision must be one of {PAIR_PRECISIONS}, got {precision!r}")
    xt = np.ascontiguousarray(x.T)
    if precision == "float32" and not params.beta * pair_distance_bound(xt[0], xt[1], xt[2]) <= Y_MAX_F32:
        precision = "float64"
    return pair_drift_symmetric(xt[0], xt[1], xt[2], params.beta, params.mass / x.shape[0], precision)


def pair_drift_fmm(params: SIPFParams, x: np.ndarray, eps: float = FMM_EPS) -> np.ndarray:
    """Eq. (31) by the Helmholtz fast multipole method of FMM3D at imaginary wavenumber, O(P); shape (P, 3).

    ``hfmm3d`` sums ``e^{i zk r} / (4 pi r)`` over the other sources (the self term dropped); with
    ``zk = i beta`` that is the Yukawa kernel ``K(r) = e^{-beta r} / (4 pi r)`` of Eq. (25), and
    ``grad K(X^p - X^q) = -grad_x [e^{-beta |x - X^q|} / (4 pi |x - X^q|)]`` at ``x = X^p``, so
    ``D(X^p) = -(M0/P) Re grad`` (checked against the direct sum in the tests and the bench).
    """
    import fmm3dpy  # optional at import time: only runs above FMM_MIN_PARTICLES need it

    P = x.shape[0]
    if P < 2:
        return np.zeros_like(x)
    out = fmm3dpy.hfmm3d(eps=eps, zk=1j * params.beta, sources=np.ascontiguousarray(x.T),
                         charges=np.ones(P, dtype=complex), pg=2)
    return np.ascontiguousarray(out.grad.real.T) * (-params.mass / P)


def pair_drift_fast(params: SIPFParams, x: np.ndarray, method: str = "auto", precision: str = "float64") -> np.ndarray:
    """Eq. (31) at the particles; shape (P, 3).

    ``method``: ``"direct"`` (exact numba sum, :func:`pair_drift_direct` in ``precision``), ``"fmm"``
    (:func:`pair_drift_fmm`) or ``"auto"``: the FMM from :data:`FMM_MIN_PARTICLES` particles on, the
    direct sum below.
    """
    if method not in PAIR_METHODS:
        raise ValueError(f"method must be one of {PAIR_METHODS}, got {method!r}")
    if method == "fmm" or (method == "auto" and x.shape[0] >= FMM_MIN_PARTICLES):
        return pair_drift_fmm(params, x)
    return pair_drift_direct(params, x, precision)


def _step_pieces(params: SIPFParams, x: np.ndarray, alpha_prev: np.ndarray, rho_modes, pair_drift_fn,
                 field_drift) -> tuple[np.ndarray, np.ndarray]:
    require_mode_memory(params, 3)
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


# ----------------------------------------------------------------------------- work and memory
@dataclass(frozen=True)
class StepCost:
    """Lower estimates of the cost of one step's pieces on one core [ns], for the work cap of :func:`run_sipf`.

    Lower estimates (rounded down from measurements): the cap refuses only runs that certainly
    cannot finish in time.

    Attributes
    ----------
    pair : float
        One pair evaluation of the numba pair kernel (``P^2`` per step when chi != 0).
    rho_point, rho_mode : float
        Type-1 NUFFT (particles -> modes), per particle and per mode (``(H+1)^dim`` modes).
    drift_point, drift_mode : float
        Type-2 NUFFT of the field drift (when eps != 0 and chi != 0), per particle and per mode.
    grid_mode : float
        ``||c||_inf`` on the grid after every step, per mode.
    normal : float
        One standard normal of the noise (``noise_substeps * P * dim`` per step).
    fmm_point : float
        The fast multipole pair sum per particle, used from :data:`FMM_MIN_PARTICLES` on (inf: no FMM).
    """

    pair: float
    rho_point: float
    rho_mode: float
    drift_point: float
    drift_mode: float
    grid_mode: float
    normal: float
    fmm_point: float = math.inf


#: Measured on this shared 2-core machine, one thread: pair kernel 8.2-10.6 ns per pair (P = 2000-4000;
#: 16-17 ns at P = 1e3-1e4 under a load of 6), and ~3 ns per pair per core at P = 1e4 on 2 cores (26 min
#: for 1e4 steps); type-1 NUFFT 4.5-5.2 us per particle (H = 4, P = 1e4-1e5) and 1.2-1.6 us per mode
#: (P = 10, H = 64-128); type-2 (3 components) 12.6-12.8 us per particle and 3.7-4.3 us per mode; a whole
#: step without the field drift 190-490 ns per mode, with it 815-1360 (P = 10, H = 24-48); ``||c||_inf``
#: 120-230 ns per mode; one normal 35 ns; the FMM3D pair sum (single-threaded wheel, eps 1e-6) 158-194 us
#: per particle at P = 1e4-1e6. Rounded down (pairs below the 2-core figure). The symmetric pair kernel
#: of issue 14: 1.23 ns per ordered pair on 2 threads (float64, 256-bit), float32 0.45, and 0.28 with
#: 512-bit vectors: the pair estimate is 0.25.
COST_3D = StepCost(pair=0.25, rho_point=1000.0, rho_mode=100.0, drift_point=3000.0, drift_mode=300.0,
                   grid_mode=20.0, normal=20.0, fmm_point=1e5)


@dataclass(frozen=True)
class Space:
    """What a run needs from its dimension (shared run loop of :class:`SIPFState`, :func:`run_sipf`).

    ``cost`` holds the per-unit costs of the work cap, ``name`` the entry point named in messages.
    """

    dim: int
    check_positions: Callable
    c_inf: Callable
    c_total: Callable
    methods: dict
    cost: StepCost = COST_3D
    name: str = "run_sipf"


SPACE = Space(3, check_positions, c_inf, c_total, METHODS, COST_3D, "run_sipf")

#: Bytes per history entry of a run: c0 and ||c||_inf as Python floats in lists (2 x 32), then
#: the times, c0 and cinf arrays (3 x 8).
HISTORY_BYTES_PER_STEP = 88


def mode_bytes(dim: int, H: int) -> float:
    """Bytes of the field arrays of one step [bytes] (an estimate).

    Per mode ``(H+1)^dim`` (complex, 16 bytes): the current and previous fields, rho_hat and the
    update's temporaries (8), the quadrature symbol and its product with the field (2 dim), the
    NUFFT's upsampled grid (2^dim); per grid point ``H^dim``: the quadrature weights (dim) and the
    folded field, its inverse FFT and |c| for ``||c||_inf`` (4 doubles).
    """
    modes = float(H + 1) ** dim
    return 16.0 * modes * (8 + 2 * dim + 2**dim) + 8.0 * float(H) ** dim * (dim + 4)


def run_bytes(dim: int, P: int, H: int, noise_substeps: int = 1, n_steps: int = 0, n_records: int = 0,
              reference: bool = False) -> float:
    """Bytes of the arrays a SIPF run holds at once [bytes] (an estimate, made before allocating).

    Parameters
    ----------
    dim : int
        Space dimension (2 or 3).
    P : int
        Number of particles.
    H : int
        Modes per dimension (``(H+1)^dim`` modes).
    noise_substeps : int
        Normals drawn per particle and coordinate at once in each step.
    n_steps : int
        Steps of the run (one history entry each).
    n_records : int
        Recorded steps (positions and modes; kept in lists, then stacked: twice).
    reference : bool
        The reference path (per-particle mode factors and chunked pair sums).
    """
    P = float(P)
    modes = float(H + 1) ** dim
    # per particle and coordinate: positions, new positions, drift pieces, NUFFT angles and output
    # (complex), temporaries of the update (12 doubles), plus the noise draws; NUFFT weights and sort
    particles = 8.0 * P * (dim * (12 + noise_substeps) + 6)
    total = particles + mode_bytes(dim, H)
    if reference:
        total += 16.0 * dim * P * (H + 1) + 8.0 * 256 * P * (dim + 3) + 32.0 * 256 * float(H + 1) ** (dim - 1)
    total += 2.0 * n_records * (8.0 * P * dim + 16.0 * modes)
    total += HISTORY_BYTES_PER_STEP * (float(n_steps) + 1.0)
    return total


@lru_cache(maxsize=16)
def require_mode_memory(params: ModelParams, dim: int) -> None:
    """Refuse (once per parameters) field arrays of ``(H+1)^dim`` modes that do not fit in memory.

    Raises
    ------
    verification.validation.LimitError
        Naming H, dim and the estimate.
    """
    V.require_memory(mode_bytes(dim, params.H), f"the SIPF field arrays ({dim}D, H = {params.H}: "
                     f"(H+1)^{dim} = {float(params.H + 1) ** dim:.3g} modes)", "fewer modes (H)")


def _space(space) -> Space:
    if space is None:
        return SPACE
    if not isinstance(space, Space):
        raise ValueError(f"space must be an agents.sipf.Space (agents.sipf.SPACE or agents.sipf2d.SPACE), "
                         f"got {type(space).__name__}")
    return space


def _check_params(params, sp: Space) -> None:
    if not isinstance(params, ModelParams):
        raise ValueError(f"params must be SIPFParams (3D) or agents.sipf2d.SIPF2DParams (2D), "
                         f"got {type(params).__name__}")
    if params.dim != sp.dim:
        raise ValueError(f"params are {params.dim}D ({type(params).__name__}) but the space is {sp.dim}D; "
                         f"use run_sipf for SIPFParams and agents.sipf2d.run_sipf2d for SIPF2DParams")


def _method(method, sp: Space) -> Callable:
    if isinstance(method, str):
        return sp.methods[V.choice(method, "method", sorted(sp.methods))]
    if not callable(method):
        raise ValueError(f"method must be one of {', '.join(repr(m) for m in sorted(sp.methods))} or a callable "
                         f"(params, x, alpha_prev) -> (alpha, V), got {type(method).__name__}")
    return method


def _rows(x0) -> int:
    """Rows of ``x0`` read from its shape, without copying (0 when it is not 2-D: refused later)."""
    try:
        shape = np.shape(x0)
    except (ValueError, TypeError):
        return 0
    return int(shape[0]) if len(shape) == 2 else 0


def _describe_run(sp: Space, params, P: int, n_steps: int | None, substeps: int, n_records: int | None) -> str:
    text = f"{sp.name} ({sp.dim}D: P = {P} particles, H = {params.H} modes per dimension"
    if n_steps is not None:
        text += f", n_steps = {n_steps}"
    if substeps != 1:
        text += f", noise_substeps = {substeps}"
    if n_records:
        text += f", {n_records} recorded steps"
    return text + ")"


def require_run_work(params, sp: Space, P: int, n_steps: int, noise_substeps: int = 1, method="fast") -> float:
    """Refuse a run whose work, estimated from P, H and n_steps, exceeds the work cap.

    The work is counted in pair evaluations: ``P^2`` per step when chi != 0, plus the NUFFTs,
    the ``||c||_inf`` FFT and the noise at the lower per-unit costs of ``sp.cost``, converted
    to pairs. A callable ``method`` (not one of the space's) counts only the work of the run
    loop itself (``||c||_inf`` and the noise).

    Returns
    -------
    float
        The estimated run time [s].

    Raises
    ------
    verification.validation.LimitError
        With P, H, n_steps, the estimate and the cap.
    """
    c = sp.cost
    modes = float(params.H + 1) ** sp.dim
    builtin = isinstance(method, str) or method in sp.methods.values()
    pairs = float(P) * float(P) if builtin and params.chi != 0 else 0.0
    if pairs and P >= FMM_MIN_PARTICLES and math.isfinite(c.fmm_point):  # the "auto" pair sum switches to FMM
        pairs = float(P) * c.fmm_point / c.pair
    other = c.grid_mode * modes + c.normal * noise_substeps * float(P) * sp.dim
    if builtin:
        other += c.rho_point * P + c.rho_mode * modes
        if params.chi != 0 and params.eps != 0:
            other += c.drift_point * P + c.drift_mode * modes
    amount = float(n_steps) * (pairs + other / c.pair)
    what = (_describe_run(sp, params, P, n_steps, noise_substeps, None)
            + ", with the NUFFTs, FFT and noise counted as pairs of equal cost,")
    return V.require_work(amount, unit="pair evaluations", ns_per_unit=c.pair, what=what,
                          fix="fewer particles (P), modes (H), steps (n_steps) or noise_substeps")


def require_run_memory(params, sp: Space, P: int, noise_substeps: int = 1, n_steps: int | None = None,
                       n_records: int = 0, method="fast") -> float:
    """Refuse a run whose arrays (:func:`run_bytes`) do not fit in the memory available now.

    Raises
    ------
    verification.validation.LimitError
        With P, H, the estimate and the memory available.
    """
    nbytes = run_bytes(sp.dim, P, params.H, noise_substeps, n_steps or 0, n_records, method == "reference")
    return V.require_memory(nbytes, _describe_run(sp, params, P, n_steps, noise_substeps, n_records),
                            "fewer particles (P), modes (H), recorded steps or noise_substeps")


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

    Raises
    ------
    ValueError
        Naming the argument (params, positions, P, seed, alpha0, method, noise_substeps,
        blowup_cinf, space); :class:`verification.validation.LimitError` (a ValueError) when the
        arrays of a step (:func:`run_bytes`, from P and H) do not fit in the memory available now.
    """

    def __init__(self, params, x0, seed: int = 0, alpha0=None, method="fast",
                 noise_substeps: int = 1, blowup_cinf: float = 1e12, space: Space | None = None) -> None:
        self.space = sp = _space(space)
        _check_params(params, sp)
        substeps = V.integer(noise_substeps, "noise_substeps", lo=1)
        pieces = _method(method, sp)
        blowup_cinf = V.positive(blowup_cinf, "blowup_cinf")
        seed = V.seed(seed)
        require_run_memory(params, sp, _rows(x0), substeps, method=method)
        self.params = params
        self.x = sp.check_positions(params, x0)
        shape = (params.H + 1,) * sp.dim
        if alpha0 is None:
            self.alpha = np.zeros(shape, complex)
        else:
            try:
                self.alpha = np.array(alpha0, dtype=complex)
            except (TypeError, ValueError):
                raise ValueError(f"alpha0 must be an array of complex numbers, got {type(alpha0).__name__}") from None
            if self.alpha.shape != shape:
                raise ValueError(f"alpha0 must have shape {shape}, got {self.alpha.shape}")
            if not np.all(np.isfinite(self.alpha)):
                raise ValueError("alpha0 must be finite (it holds nan or inf)")
        self.pieces = pieces
        self.rng = np.random.default_rng(seed)
        self.substeps = substeps
        self.blowup_cinf = blowup_cinf
        self.n = 0
        with np.errstate(over="ignore", invalid="ignore"):
            self.cinf = sp.c_inf(params, self.alpha)  # ||c||_inf of the current field, kept with it
            c0 = sp.c_total(params, self.alpha)
        if not (math.isfinite(self.cinf) and math.isfinite(c0)):
            raise ValueError(f"alpha0 must give a finite field: ||c||_inf = {self.cinf!r}, c0 = {c0!r}")
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
            ok = bool(np.all(np.isfinite(x)) and np.all(np.isfinite(alpha))
                      and math.isfinite(self.space.c_total(p, alpha)))  # c0 = L^dim alpha_0 may overflow
            cinf = self.space.c_inf(p, alpha) if ok else math.inf  # inf when the grid values overflow
        if not ok or cinf > self.blowup_cinf:
            self.blew_up = True
            self.blowup_time = (self.n + 1) * p.dt
            return False
        np.clip(x, -p.L / 2, p.L / 2, out=x)
        self.x, self.alpha, self.cinf = x, alpha, cinf
        self.n += 1
        return True


def _record_steps(record_steps, n_steps: int) -> list[int]:
    """The distinct steps to record, sorted (default 0 and n_steps); each an integer in [0, n_steps]."""
    if record_steps is None:
        return sorted({0, n_steps})
    if isinstance(record_steps, (str, bytes)) or not isinstance(record_steps, Iterable):
        raise ValueError(f"record_steps must be an iterable of integers in [0, n_steps = {n_steps}], "
                         f"got {type(record_steps).__name__}")
    return sorted({V.integer(s, "an entry of record_steps", lo=0, hi=n_steps) for s in record_steps})


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
        Histories of c_0 and ||c||_inf at every step; a blow-up (a non-finite position, mode or
        c_0, or ||c||_inf above ``blowup_cinf``) stops the run and is flagged: nothing is NaN or inf.

    Raises
    ------
    ValueError
        Naming the argument (n_steps, record_steps and those of :class:`SIPFState`).
    verification.validation.LimitError
        A ValueError, before anything is allocated: the work (:func:`require_run_work`, pair
        evaluations ``P^2 n_steps`` plus the NUFFTs) exceeds the work cap, or the arrays
        (:func:`run_bytes`: particles, modes, recorded steps, histories) exceed the memory available.
    """
    sp = _space(space)
    _check_params(params, sp)
    n_steps = V.integer(n_steps, "n_steps", lo=0)
    substeps = V.integer(noise_substeps, "noise_substeps", lo=1)
    _method(method, sp)
    P = _rows(x0)
    require_run_work(params, sp, P, n_steps, substeps, method)
    require_run_memory(params, sp, P, substeps, n_steps, 0, method)  # the histories, before reading record_steps
    rec = _record_steps(record_steps, n_steps)
    if rec:
        require_run_memory(params, sp, P, substeps, n_steps, len(rec), method)
    st = SIPFState(params, x0, seed, alpha0, method, substeps, blowup_cinf, sp)
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
