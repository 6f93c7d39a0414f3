"""2D Cahn-Hilliard model of motility-induced phase separation ([MIPS] §5).

    d_t g = M lap(mu),   mu = f'(g) - kappa lap(g),
    f'(g) = v0^2 (g - 3 g^2 / (2 g*) + 2 g^3 / (3 g*^2))            ([MIPS] §5.1)

on a periodic square [0, L)^2 with N x N cells (dx = L / N). Three steppers:

* :func:`explicit_step_numpy` -- plain numpy, the seed's algorithm (five-point
  Laplacian twice, forward Euler), written fresh: the reference/baseline.
* :func:`advance_explicit` -- the same scheme as a numba kernel (one fused pass
  per step, Horner form for f').
* :func:`advance_semi_implicit` -- pseudo-spectral, linearly stabilized
  semi-implicit Euler (Eyre / Shen-Yang):

      (1 + dt M k^2 (kappa k^2 + S)) g^_{n+1} = (1 + dt M S k^2) g^_n - dt M k^2 f'(g_n)^

  unconditionally energy stable for S >= max|f''|/2 over the visited densities.

The explicit scheme is stable (linearized) for
``dt <= 2 / (M Lmax (max f'' + kappa Lmax))`` with ``Lmax = 8 / dx^2`` the largest
eigenvalue of minus the five-point Laplacian; :func:`explicit_dt_limit` evaluates it.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from verification import validation as val

#: Lower estimates of the cost per cell and step on one core, for the work cap (measured on the shared 2-core
#: machine, N = 16-512: numba explicit 3.3-6.6 ns, numpy explicit 43-1019 ns, semi-implicit spectral 49-570 ns).
NS_PER_CELL_STEP_EXPLICIT = 1.0
NS_PER_CELL_STEP_NUMPY = 10.0
NS_PER_CELL_STEP_SPECTRAL = 10.0
#: float64 arrays of N x N a stepper holds at once (field, copy, mu or f', rfft2 work, k^2 and factors)
_ARRAYS_PER_RUN = 12


@dataclass(frozen=True)
class CahnHilliardParams:
    """Seed 000 §5 parameters (defaults are the seed's).

    Parameters
    ----------
    length : float
        Side L of the periodic square [length], > 0.
    n : int
        Cells per side N (>= 4); dx = L / N.
    v0 : float
        Speed scale [length/time] in f'(g), > 0.
    g_star : float
        Density g* where v(g) = v0 (1 - g/g*) vanishes [1/length^d], > 0.
    mobility : float
        M [length^2/time per energy unit], > 0.
    kappa : float
        Interfacial coefficient kappa [energy length^2], > 0.
    """

    length: float = 10.0
    n: int = 128
    v0: float = 1.0
    g_star: float = 2.0
    mobility: float = 1.0
    kappa: float = 1e-4

    def __post_init__(self) -> None:
        """Validate at once."""
        for name in ("length", "v0", "g_star", "mobility"):
            val.positive(getattr(self, name), name)
        val.positive(self.kappa, "kappa (kappa <= 0 makes the equation ill-posed)")
        val.integer(self.n, "n (cells per side)", lo=4)
        try:  # v0**2, g_star**2 and dx**2 may overflow or underflow (Python floats raise)
            derived = (*self.coefficients, 8.0 / self.dx**2)
        except (OverflowError, ZeroDivisionError):
            derived = (math.inf,)
        if not (all(math.isfinite(d) for d in derived) and derived[0] > 0 and derived[2] > 0):
            raise ValueError(f"v0 = {self.v0!r}, g_star = {self.g_star!r} and dx = L/n = {self.dx!r} must give "
                             "finite f' coefficients (v0^2, v0^2/g*, v0^2/g*^2, no underflow to 0) and 8/dx^2; "
                             "rescale the units")

    @property
    def dx(self) -> float:
        """Grid spacing L / N [length]."""
        return self.length / self.n

    @property
    def coefficients(self) -> tuple[float, float, float]:
        """(a, b, c) with f'(g) = g (a + g (b + c g)) (Horner form)."""
        v2 = self.v0**2
        return v2, -1.5 * v2 / self.g_star, 2.0 * v2 / (3.0 * self.g_star**2)


def f_prime(g: np.ndarray, p: CahnHilliardParams) -> np.ndarray:
    """Bulk chemical potential f'(g), [MIPS] §5.1, in Horner form."""
    a, b, c = p.coefficients
    return g * (a + g * (b + c * g))


def f_bulk(g: np.ndarray, p: CahnHilliardParams) -> np.ndarray:
    """Bulk free-energy density f(g) with f(0) = 0 (antiderivative of :func:`f_prime`)."""
    a, b, c = p.coefficients
    return g * g * (a / 2 + g * (b / 3 + c / 4 * g))


def f_second(g: np.ndarray, p: CahnHilliardParams) -> np.ndarray:
    """f''(g)."""
    a, b, c = p.coefficients
    return a + g * (2 * b + 3 * c * g)


def explicit_dt_limit(p: CahnHilliardParams, g_min: float, g_max: float) -> float:
    """Linear stability limit of forward Euler + five-point Laplacian for densities in [g_min, g_max].

    ``dt_max = 2 / (M Lmax (F + kappa Lmax))`` with ``Lmax = 8/dx^2`` and ``F`` the maximum of
    f'' on the interval (f'' is a parabola: the maximum is at an end point).
    """
    lmax = 8.0 / p.dx**2
    fmax = float(max(f_second(np.array([g_min, g_max]), p)))
    return 2.0 / (p.mobility * lmax * (max(fmax, 0.0) + p.kappa * lmax))


def binodal_of_f(p: CahnHilliardParams) -> tuple[float, float]:
    """Common-tangent densities of the cubic f' (symmetric about its inflection point)."""
    a, b, c = p.coefficients
    g_i = -b / (3 * c)  # f''' = 0
    slope = a + g_i * (2 * b + 3 * c * g_i)  # f''(g_i) < 0 inside the spinodal
    if slope >= 0:
        return g_i, g_i
    u = math.sqrt(-slope / c)  # f'(g_i + u) - f'(g_i) = u (slope + c u^2) = 0
    return g_i - u, g_i + u


def check_field(g: np.ndarray, p: CahnHilliardParams) -> np.ndarray:
    """Validate a density field against the grid (shape (N, N), finite)."""
    try:
        g = np.asarray(g, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"field g must be an array of real numbers, got {type(g).__name__}") from None
    if g.shape != (p.n, p.n):
        raise ValueError(f"field shape {g.shape} does not match the grid: expected ({p.n}, {p.n}) "
                         f"for n = {p.n} (L = {p.length}, dx = {p.dx:g})")
    return val.real_array(g, "field g")


def _require_run(p: CahnHilliardParams, n_steps: int, ns_per_unit: float, what: str) -> None:
    """Work cap (n_steps x N^2 cell-steps) and memory (the stepper's N x N arrays), before any work."""
    cells = float(p.n) * float(p.n)
    val.require_memory(_ARRAYS_PER_RUN * 8 * cells, f"{what} on {p.n} x {p.n} cells", "a smaller n")
    val.require_work(n_steps * cells, unit="cell-steps", ns_per_unit=ns_per_unit,
                     what=f"{what} with {n_steps} steps on {p.n} x {p.n} cells",
                     fix="fewer steps (a larger dt or a shorter run) or a smaller n")


def _check_dt(p: CahnHilliardParams, g: np.ndarray, dt: float, n_steps: int, stability: str) -> int:
    """Validate dt, n_steps and stability; return n_steps as an int."""
    val.positive(dt, "dt")
    n_steps = val.integer(n_steps, "n_steps", lo=0)
    val.choice(stability, "stability", ("raise", "warn", "ignore"))
    if stability == "ignore":
        return n_steps
    lo, hi = binodal_of_f(p)
    limit = explicit_dt_limit(p, min(float(g.min()), lo), max(float(g.max()), hi))
    if dt > limit:
        msg = (f"dt = {dt:g} exceeds the explicit stability limit dt_max = {limit:.4g} "
               f"(2 / (M (8/dx^2) (max f'' + 8 kappa/dx^2)), densities up to the binodal)")
        if stability == "raise":
            raise ValueError(msg)
        warnings.warn(msg, RuntimeWarning, stacklevel=3)
    return n_steps


def initial_field(p: CahnHilliardParams, g0: float = 1.2, amplitude: float = 0.025, seed: int = 0) -> np.ndarray:
    """Seed 000 §5.3 start: g0 + uniform noise in [-amplitude, amplitude)."""
    if not isinstance(p, CahnHilliardParams):
        raise ValueError(f"p must be a CahnHilliardParams, got {type(p).__name__}")
    val.real(g0, "g0")
    val.real(amplitude, "amplitude")
    val.seed(seed)
    val.require_memory(3 * 8 * float(p.n) ** 2, f"initial_field on {p.n} x {p.n} cells", "a smaller n")
    rng = np.random.default_rng(seed)
    return g0 + amplitude * (2.0 * rng.random((p.n, p.n)) - 1.0)


# -- numpy baseline (the seed's algorithm) ---------------------------------------------------
def _lap5(u: np.ndarray, inv_dx2: float) -> np.ndarray:
    return (np.roll(u, 1, 0) + np.roll(u, -1, 0) + np.roll(u, 1, 1) + np.roll(u, -1, 1) - 4.0 * u) * inv_dx2


def explicit_step_numpy(g: np.ndarray, p: CahnHilliardParams, dt: float, n_steps: int,
                        stability: str = "raise") -> np.ndarray:
    """Plain numpy forward Euler with the five-point Laplacian ([MIPS] §5.2); returns a new field."""
    g = check_field(g, p).copy()
    n_steps = _check_dt(p, g, dt, n_steps, stability)
    _require_run(p, n_steps, NS_PER_CELL_STEP_NUMPY, "explicit_step_numpy")
    inv = 1.0 / p.dx**2
    a, b, c = p.coefficients
    for _ in range(n_steps):
        mu = g * (a + g * (b + c * g)) - p.kappa * _lap5(g, inv)
        g = g + p.mobility * dt * _lap5(mu, inv)
    return g


# -- numba explicit kernel -------------------------------------------------------------------
@njit(cache=True, parallel=True)
def _explicit_kernel(g, n_steps, dt, inv_dx2, kappa, mob, a, b, c):
    n = g.shape[0]
    mu = np.empty_like(g)
    for _ in range(n_steps):
        for i in prange(n):
            im = i - 1 if i > 0 else n - 1
            ip = i + 1 if i < n - 1 else 0
            for j in range(n):
                jm = j - 1 if j > 0 else n - 1
                jp = j + 1 if j < n - 1 else 0
                x = g[i, j]
                lap = (g[im, j] + g[ip, j] + g[i, jm] + g[i, jp] - 4.0 * x) * inv_dx2
                mu[i, j] = x * (a + x * (b + c * x)) - kappa * lap
        for i in prange(n):
            im = i - 1 if i > 0 else n - 1
            ip = i + 1 if i < n - 1 else 0
            for j in range(n):
                jm = j - 1 if j > 0 else n - 1
                jp = j + 1 if j < n - 1 else 0
                g[i, j] += mob * dt * (mu[im, j] + mu[ip, j] + mu[i, jm] + mu[i, jp] - 4.0 * mu[i, j]) * inv_dx2


@njit(cache=True)
def _explicit_kernel_serial(g, n_steps, dt, inv_dx2, kappa, mob, a, b, c):
    n = g.shape[0]
    mu = np.empty_like(g)
    fac = mob * dt * inv_dx2
    for _ in range(n_steps):
        for i in range(n):
            im = i - 1 if i > 0 else n - 1
            ip = i + 1 if i < n - 1 else 0
            x = g[i, n - 1]
            mu[i, n - 1] = x * (a + x * (b + c * x)) - kappa * inv_dx2 * (
                g[im, n - 1] + g[ip, n - 1] + g[i, n - 2] + g[i, 0] - 4.0 * x)
            x = g[i, 0]
            mu[i, 0] = x * (a + x * (b + c * x)) - kappa * inv_dx2 * (
                g[im, 0] + g[ip, 0] + g[i, n - 1] + g[i, 1] - 4.0 * x)
            for j in range(1, n - 1):
                x = g[i, j]
                mu[i, j] = x * (a + x * (b + c * x)) - kappa * inv_dx2 * (
                    g[im, j] + g[ip, j] + g[i, j - 1] + g[i, j + 1] - 4.0 * x)
        for i in range(n):
            im = i - 1 if i > 0 else n - 1
            ip = i + 1 if i < n - 1 else 0
            g[i, 0] += fac * (mu[im, 0] + mu[ip, 0] + mu[i, n - 1] + mu[i, 1] - 4.0 * mu[i, 0])
            g[i, n - 1] += fac * (mu[im, n - 1] + mu[ip, n - 1] + mu[i, n - 2] + mu[i, 0] - 4.0 * mu[i, n - 1])
            for j in range(1, n - 1):
                g[i, j] += fac * (mu[im, j] + mu[ip, j] + mu[i, j - 1] + mu[i, j + 1] - 4.0 * mu[i, j])


#: grids with fewer cells per side run the serial kernel: on the shared 2-core machine the
#: threaded one (two barriers per step) was up to 200x slower under load; pass parallel=True to force it
PARALLEL_MIN_N = 1024


def advance_explicit(g: np.ndarray, p: CahnHilliardParams, dt: float, n_steps: int,
                     stability: str = "raise", parallel: bool | None = None) -> np.ndarray:
    """Numba forward Euler, five-point Laplacian ([MIPS] §5.2); returns a new field.

    ``stability``: "raise" (default) rejects a dt above :func:`explicit_dt_limit`, "warn" warns,
    "ignore" runs anyway (used to show what happens past the limit). ``parallel``: threaded
    kernel (default: when N >= ``PARALLEL_MIN_N``).
    """
    g = check_field(g, p).copy()
    n_steps = _check_dt(p, g, dt, n_steps, stability)
    _require_run(p, n_steps, NS_PER_CELL_STEP_EXPLICIT, "advance_explicit")
    a, b, c = p.coefficients
    use_par = p.n >= PARALLEL_MIN_N if parallel is None else bool(parallel)
    kern = _explicit_kernel if use_par else _explicit_kernel_serial
    kern(g, int(n_steps), float(dt), 1.0 / p.dx**2, p.kappa, p.mobility, a, b, c)
    return g


# -- semi-implicit spectral ------------------------------------------------------------------
def wavenumbers_sq(p: CahnHilliardParams) -> np.ndarray:
    """|k|^2 on the rfft2 grid [1/length^2]."""
    k = 2 * np.pi * np.fft.fftfreq(p.n, d=p.dx)
    kr = 2 * np.pi * np.fft.rfftfreq(p.n, d=p.dx)
    return k[:, None] ** 2 + kr[None, :] ** 2


def stabilizer(p: CahnHilliardParams, g_min: float = 0.0, g_max: float | None = None) -> float:
    """S = max|f''|/2 over [g_min, g_max] (default up to the liquid binodal + 10%)."""
    hi = 1.1 * binodal_of_f(p)[1] if g_max is None else g_max
    gg = np.linspace(g_min, hi, 1001)
    return float(np.max(np.abs(f_second(gg, p)))) / 2


def advance_semi_implicit(g: np.ndarray, p: CahnHilliardParams, dt: float, n_steps: int,
                          stabilization: float | None = None, order: int = 1) -> np.ndarray:
    """Linearly stabilized semi-implicit pseudo-spectral scheme; returns a new field.

    ``order=1``: stabilized semi-implicit Euler (energy stable for S >= max|f''|/2).
    ``order=2``: stabilized SBDF2 (second-order backward differentiation for the linear part,
    extrapolated f', second-order stabilizer S k² (g^{n+1} - 2 g^n + g^{n-1})); its first step is
    one order-1 step. Spectral in space. ``stabilization`` S defaults to :func:`stabilizer`.
    """
    val.integer(order, "order", lo=1, hi=2)
    if order == 2:
        return _sbdf2(g, p, dt, n_steps, stabilization)
    g = check_field(g, p).copy()
    n_steps = _check_dt(p, g, dt, n_steps, "ignore")
    _require_run(p, n_steps, NS_PER_CELL_STEP_SPECTRAL, "advance_semi_implicit")
    s = stabilizer(p) if stabilization is None else val.nonnegative(stabilization, "stabilization")
    k2 = wavenumbers_sq(p)
    k2max = float(np.max(k2))
    if not math.isfinite(dt * p.mobility * k2max * (p.kappa * k2max + s)):
        raise ValueError(f"dt = {dt!r} (with stabilization S = {s:g}) too large: dt M k_max^2 (kappa k_max^2 + S) "
                         f"must be finite")
    num = 1.0 + dt * p.mobility * s * k2
    den = 1.0 + dt * p.mobility * k2 * (p.kappa * k2 + s)
    a, b, c = p.coefficients
    gh = np.fft.rfft2(g)
    fac_g = num / den
    fac_f = -dt * p.mobility * k2 / den
    for _ in range(n_steps):
        fp = g * (a + g * (b + c * g))
        gh = fac_g * gh + fac_f * np.fft.rfft2(fp)
        g = np.fft.irfft2(gh, s=g.shape)
    return g


def _sbdf2(g, p, dt, n_steps, stabilization):
    g = check_field(g, p).copy()
    n_steps = _check_dt(p, g, dt, n_steps, "ignore")
    _require_run(p, n_steps, NS_PER_CELL_STEP_SPECTRAL, "advance_semi_implicit (order 2)")
    s = stabilizer(p) if stabilization is None else val.nonnegative(stabilization, "stabilization")
    if n_steps == 0:
        return g
    k2 = wavenumbers_sq(p)
    a, b, c = p.coefficients
    mob = p.mobility
    g1 = advance_semi_implicit(g, p, dt, 1, s)
    h0, h1 = np.fft.rfft2(g), np.fft.rfft2(g1)
    f0 = np.fft.rfft2(g * (a + g * (b + c * g)))
    den = 3.0 + 2.0 * dt * mob * k2 * (p.kappa * k2 + s)
    cf = -2.0 * dt * mob * k2 / den
    cs = 2.0 * dt * mob * s * k2
    for _ in range(n_steps - 1):
        f1 = np.fft.rfft2(g1 * (a + g1 * (b + c * g1)))
        h2 = (4.0 * h1 - h0 + cs * (2.0 * h1 - h0)) / den + cf * (2.0 * f1 - f0)
        g1 = np.fft.irfft2(h2, s=g.shape)
        h0, h1, f0 = h1, h2, f1
    return g1


# -- discrete energies -----------------------------------------------------------------------
def energy_fd(g: np.ndarray, p: CahnHilliardParams) -> float:
    """Discrete energy of the five-point scheme: sum [f(g) + kappa/2 |grad_h g|^2] dx^2 (forward differences)."""
    gx = (np.roll(g, -1, 0) - g) / p.dx
    gy = (np.roll(g, -1, 1) - g) / p.dx
    return float(np.sum(f_bulk(g, p) + 0.5 * p.kappa * (gx**2 + gy**2)) * p.dx**2)


def energy_spectral(g: np.ndarray, p: CahnHilliardParams) -> float:
    """Energy with the spectral gradient: sum f(g) dx^2 + kappa/2 sum |k|^2 |g^|^2 (Parseval)."""
    gh = np.fft.rfft2(g)
    k2 = wavenumbers_sq(p)
    w = np.full(k2.shape, 2.0)
    w[:, 0] = 1.0
    if p.n % 2 == 0:
        w[:, -1] = 1.0
    grad2 = float(np.sum(w * k2 * np.abs(gh) ** 2)) / p.n**2  # = sum |grad g|^2 over cells
    return float(np.sum(f_bulk(g, p)) * p.dx**2 + 0.5 * p.kappa * grad2 * p.dx**2)
