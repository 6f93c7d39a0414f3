"""The minimal Keller-Segel model in 2D: a positivity-preserving finite-volume solver on a square.

Model ([SIPF] Eq. 1 with d = 2; [CHEMOTAXIS] §6.1)::

    rho_t = div(mu grad rho - chi rho grad c),
    eps c_t = Lap c - k^2 c + rho        (eps > 0: parabolic-parabolic),
          0 = Lap c - k^2 c + rho        (eps = 0: parabolic-elliptic),

on the square ``Omega = [-L/2, L/2]^2`` with ``n x n`` cells of width ``h = L / n``, centres
``x_i = -L/2 + (i + 1/2) h``. ``rho`` holds cell averages, ``c`` cell-centre values.

Boundaries (``boundary``): ``"neumann"`` (no flux of rho or c through the walls) or
``"periodic"``. The field (``field``): ``"box"`` solves the c equation with the same boundary
as rho; ``"free"`` (parabolic-elliptic with k = 0 only) is the free-space field of R^2,
``c = G * rho`` with ``G(x) = -ln|x| / (2 pi)``, rho being zero outside the box (the setting of
the second-moment identity and the 8 pi dichotomy, [SIPF] §2.1). With ``"box"``, ``k = 0`` and
``eps = 0`` the c equation is solvable only for zero-mean sources: c solves
``-Lap c = rho - mean(rho)`` with mean(c) = 0 (the usual convention on a bounded domain).

Space (finite volumes). The flux through the face between cells i and i+1 (either direction) is ::

    F = u^+ rho_i^E + u^- rho_{i+1}^W - mu (rho_{i+1} - rho_i) / h,    u = chi (c_{i+1} - c_i) / h,

with ``u^+ = max(u, 0)``, ``u^- = min(u, 0)`` (upwind chemotactic flux) and ``rho^E, rho^W``
the east/west face values of the minmod-limited linear reconstruction
``rho_i +- minmod(rho_i - rho_{i-1}, rho_{i+1} - rho_i) / 2`` (the same in y). Walls carry zero
flux (no-flux), a periodic grid wraps. The c equation uses the five-point Laplacian, solved
exactly in its eigenbasis (FFT for periodic, DCT-II for Neumann); the free-space field is the
exact convolution of the piecewise-constant rho with G, ``c_i = sum_j rho_j W(x_i - x_j)``,
``W(d) = int_{cell} G(d - s) ds`` in closed form (:func:`cell_green`), evaluated by zero-padded
FFT (Hockney's method) on a ``2n x 2n`` grid.

Time. rho: Heun's method (SSP-RK2), two forward-Euler stages averaged. c with eps > 0: the
exponential integrator of each eigenmode ``eps c_t = -(lam + k^2) c + rho`` with rho linear
over the step (exact for that rho): ``c^{n+1} = e^{z} c + dt (phi1(z) rho^n + phi2(z) (rho^{n+1} -
rho^n)) / eps``, ``z = -(lam + k^2) dt / eps``, ``phi1(z) = (e^z - 1)/z``, ``phi2(z) = (e^z - 1 -
z)/z^2``; the second stage's c is the same formula with the first stage's rho in place of
rho^{n+1}. This has no step limit of its own, so small eps costs nothing, and it tends to the
eps = 0 scheme as eps/dt -> 0. With eps = 0, c is solved from each stage's rho. Second order in
space and time where the solution is smooth, for every eps. (``c_stage="rho_n"`` builds the
stage's c from rho^n alone, the exponential Euler stage ``e^{z} c + dt phi1(z) rho^n / eps``: it
is second order only while dt <~ eps; for dt >> eps the stage's c is the elliptic field of rho^n,
not of the stage's rho, and the step is first order. Measured: local orders 1.0 at dt/eps =
16..1, 1.6 -> 1.9 at dt/eps = 0.16 -> 0.005. It was this module's first default; kept for that
comparison.)

Step rule and positivity (derived here). Write the cell average as the mean of its four face
values, ``rho_i = (rho^E + rho^W + rho^N + rho^S) / 4`` (minmod keeps each in ``[0, 2 rho_i]``).
One Euler stage loses through face f at most ``dt/h u_f^+ rho_f`` (outflow) and, by diffusion,
``dt mu/h^2 * 4 rho_i = dt mu/h^2 sum_f rho_f``; inflows are >= 0. So ::

    rho_i^+ >= sum_f rho_f (1/4 - dt a / h - dt mu / h^2) >= 0   if   dt (a/h + mu/h^2) <= 1/4,

``a`` the largest face speed |u|. The step is ``dt = theta / (4 (a/h + mu/h^2))`` with
``0 < theta <= 1`` (default :data:`THETA`), clipped to the output times and to ``dt_max``. The
second stage's speed comes from the stage's own c: if it breaks the bound, the step is redone
with the smaller step that bound gives. Heun's step is a convex combination of Euler stages,
so ``rho >= 0`` holds for every step taken. Mass: each update is a difference of face fluxes
that telescopes to zero, so ``h^2 sum rho`` is constant to round-off.

Blow-up (reported, never returned as a NaN): the run stops when a block of 2 x 2 cells holds more
than ``blowup_fraction`` of the mass (the aggregate has collapsed to the grid scale), or when the
step falls below ``dt_floor``; the record gives the time and the reason. A block, not one cell:
an aggregate collapsing onto a cell corner splits evenly over four cells (a Gaussian centred at
the origin of an even grid), and a one-cell rule at 1/4 never fired there (n = 64, L = 10,
M = 12 pi, free field: the four cells held 0.122 each at 2 T*, with 87 % of the mass within
r < 0.4; n = 128: not fired by t = 0.6 > T* = 0.5).

Options for the checks' wrong models (``run`` keywords; the defaults are the scheme above):
``reconstruction="none"`` (first-order upwind: the cell values as face values; positive under the
same bound), ``"central"`` (the centred face value ``(rho_i + rho_{i+1})/2``, not upwinded: not
positive once the cell Peclet number ``|u| h / mu`` exceeds 2), ``stepper="euler"`` (one
forward-Euler stage per step, first order in time) and ``step_factor`` (multiplies the step rule;
``theta * step_factor > 1`` breaks the positivity bound).

Two implementations of the transport rate ``-div F`` (the only loop over cells): the numba
kernel :func:`_transport_numba` and its numpy twin :func:`_transport_numpy`
(``run(..., backend="numpy")``); the field solves (FFT/DCT) and the time loop are shared.
Parameters and inputs are validated by :mod:`verification.validation`; the work (cell-steps,
from the diffusive bound) and memory are estimated and capped before a run starts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import scipy.fft as sfft
from numba import njit

from continuum.keller_segel import minmod
from verification import validation as val

#: Default safety factor of the step rule (positivity needs theta <= 1).
THETA = 0.8
#: Default fraction of the mass in one block of 2 x 2 cells that declares blow-up.
BLOWUP_FRACTION = 0.25
BOUNDARIES = ("neumann", "periodic")
FIELDS = ("box", "free")
BACKENDS = ("numba", "numpy")
#: Face values of the chemotactic flux: the minmod-limited linear reconstruction (ours), the cell
#: values (first-order upwind) or the centred mean of the two cells (no upwinding: not positive).
RECONSTRUCTIONS = ("minmod", "none", "central")
#: Time steppers of rho: Heun's method (SSP-RK2, ours) or one forward-Euler stage (first order).
STEPPERS = ("heun", "euler")
#: The c of Heun's second stage (eps > 0): the step formula with rho linear from rho^n to the first
#: stage's rho (ours, second order for every eps), or the exponential Euler stage from rho^n alone.
C_STAGES = ("rho_stage", "rho_n")
#: Lower estimates of the cost of one cell-step (two stages, two field solves) on one core [ns]: CPU
#: time measured with one thread at load ~1, n = 64-256 to t = 0.02, box (periodic, no-flux) and free
#: fields: numba 126-192 ns, numpy twin 232-388 ns (n = 64-128); rounded well down.
NS_PER_CELL_STEP = {"numba": 60.0, "numpy": 100.0}


class NonFiniteStateError(RuntimeError):
    """The state stopped being finite (raised with the time instead of being returned)."""


@dataclass(frozen=True, slots=True)
class MinimalKS2DParams:
    """The 2D minimal Keller-Segel model and its grid.

    Parameters
    ----------
    mu : float
        Cell diffusivity [length^2/time], > 0.
    chi : float
        Chemo-sensitivity [length^2/(time conc)], finite (0: free diffusion; < 0: repulsion).
    eps : float
        Time-scale ratio of the chemical [-], >= 0 (0: parabolic-elliptic).
    k : float
        Decay rate of the chemical [1/length], >= 0.
    L : float
        Side of the square [length], > 0; ``Omega = [-L/2, L/2]^2``.
    n : int
        Cells per side, in [8, 4096].
    boundary : {"neumann", "periodic"}
        No-flux walls or a periodic square.
    field : {"box", "free"}
        c on the same square and boundary as rho, or the free-space field of R^2 (needs
        ``eps = 0``, ``k = 0`` and ``boundary = "neumann"``).
    """

    mu: float = 1.0
    chi: float = 1.0
    eps: float = 0.0
    k: float = 0.0
    L: float = 8.0
    n: int = 128
    boundary: str = "neumann"
    field: str = "box"

    def __post_init__(self) -> None:
        """Validate; the message names the parameter and its allowed range."""
        val.positive(self.mu, "mu")
        val.real(self.chi, "chi")
        val.nonnegative(self.eps, "eps")
        val.nonnegative(self.k, "k")
        val.positive(self.L, "L")
        val.integer(self.n, "n", lo=8, hi=4096)
        val.choice(self.boundary, "boundary", BOUNDARIES)
        val.choice(self.field, "field", FIELDS)
        if self.field == "free" and (self.eps != 0 or self.k != 0 or self.boundary != "neumann"):
            raise ValueError(f"field='free' (the free-space field of R^2) needs eps = 0, k = 0 and "
                             f"boundary='neumann'; got eps = {self.eps!r}, k = {self.k!r}, "
                             f"boundary = {self.boundary!r}")
        if not math.isfinite(self.h * self.h / self.mu) or self.h * self.h / self.mu == 0.0:
            raise ValueError(f"the diffusive step h^2 / mu must be a finite number > 0; got h = {self.h!r}, "
                             f"mu = {self.mu!r}")

    @property
    def h(self) -> float:
        """Cell width L / n [length]."""
        return self.L / self.n

    @property
    def centres(self) -> np.ndarray:
        """Cell centres along one axis, shape (n,) [length]."""
        return -self.L / 2 + (np.arange(self.n) + 0.5) * self.h

    def replace(self, **kw) -> MinimalKS2DParams:
        """Copy with some fields replaced (validated again)."""
        d = {name: getattr(self, name) for name in self.__slots__}
        d.update(kw)
        return MinimalKS2DParams(**d)


# ----------------------------------------------------------------------------- the field
def _log_antiderivative(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Phi with d^2 Phi / dx dy = ln sqrt(x^2 + y^2) (odd in x and y; 0 on the axes).

    ``Phi = x y ln r - 3 x y / 2 + (x^2/2) atan(y/x) + (y^2/2) atan(x/y)``; differentiate in y:
    ``x ln r - x + y atan(x/y)``, then in x: ``ln r + x^2/r^2 - 1 + y^2/r^2 = ln r``.
    """
    x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
    r2 = x * x + y * y
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x * y * (0.5 * np.log(r2) - 1.5)
        out += 0.5 * x * x * np.arctan(y / x) + 0.5 * y * y * np.arctan(x / y)
    # the limits on the axes: x^2 atan(y/x) -> 0 as x -> 0, x y ln r -> 0 as r -> 0
    out = np.where(x == 0, 0.0, out)
    return np.where(y == 0, 0.0, out)


def cell_green(dx: np.ndarray, dy: np.ndarray, h: float) -> np.ndarray:
    """``W(d) = int_{[-h/2, h/2]^2} G(d - s) ds`` for ``G = -ln|x| / (2 pi)`` [length^2 conc/mass].

    The exact contribution of a unit density on the cell centred at 0 to c at offset ``(dx, dy)``.
    """
    a = h / 2
    total = (_log_antiderivative(dx + a, dy + a) - _log_antiderivative(dx - a, dy + a)
             - _log_antiderivative(dx + a, dy - a) + _log_antiderivative(dx - a, dy - a))
    return -total / (2 * math.pi)


@lru_cache(maxsize=8)
def _free_kernel_hat(n: int, h: float) -> np.ndarray:
    """rfft2 of the cell Green's function on the 2n x 2n zero-padded grid (circular offsets)."""
    m = np.arange(2 * n)
    off = np.where(m < n, m, m - 2 * n) * h
    off[n] = 0.0  # never reached by an offset between two cells of the box
    w = cell_green(off[:, None], off[None, :], h)
    w[n, :] = 0.0
    w[:, n] = 0.0
    return sfft.rfft2(w)


@lru_cache(maxsize=16)
def _eigenvalues(n: int, h: float, boundary: str) -> np.ndarray:
    """Eigenvalues ``lam >= 0`` of the five-point ``-Lap`` in the FFT (periodic) or DCT-II (Neumann) basis."""
    j = np.arange(n)
    if boundary == "periodic":
        one = 4.0 / h**2 * np.sin(np.pi * j / n) ** 2
        lam = one[:, None] + one[None, : n // 2 + 1]
    else:
        one = 4.0 / h**2 * np.sin(np.pi * j / (2 * n)) ** 2
        lam = one[:, None] + one[None, :]
    return lam


def _forward(a: np.ndarray, boundary: str) -> np.ndarray:
    return sfft.rfft2(a) if boundary == "periodic" else sfft.dctn(a, type=2, norm="ortho")


def _inverse(a: np.ndarray, n: int, boundary: str) -> np.ndarray:
    return sfft.irfft2(a, s=(n, n)) if boundary == "periodic" else sfft.idctn(a, type=2, norm="ortho")


def elliptic_field(params: MinimalKS2DParams, rho: np.ndarray) -> np.ndarray:
    """The field c, shape (n, n): ``0 = Lap c - k^2 c + rho`` (``field="box"``) or ``c = G * rho`` (``"free"``).

    With ``k = 0`` on the box, c solves ``-Lap c = rho - mean(rho)`` with mean(c) = 0.
    """
    n, h = params.n, params.h
    if params.field == "free":
        padded = np.zeros((2 * n, 2 * n))
        padded[:n, :n] = rho
        return sfft.irfft2(sfft.rfft2(padded) * _free_kernel_hat(n, h), s=(2 * n, 2 * n))[:n, :n]
    lam = _eigenvalues(n, h, params.boundary) + params.k**2
    r_hat = _forward(rho, params.boundary)
    with np.errstate(divide="ignore", invalid="ignore"):
        c_hat = np.where(lam > 0, r_hat / lam, 0.0)
    return _inverse(c_hat, n, params.boundary)


def _phi12(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """phi1(z) = (e^z - 1)/z and phi2(z) = (e^z - 1 - z)/z^2 for z <= 0, without cancellation."""
    small = np.abs(z) < 0.1
    zs = np.where(small, 1.0, z)
    phi1 = np.where(small, 1.0 + z / 2 * (1.0 + z / 3 * (1.0 + z / 4 * (1.0 + z / 5 * (1.0 + z / 6)))),
                    np.expm1(zs) / zs)
    series2 = 0.5 + z * (1 / 6 + z * (1 / 24 + z * (1 / 120 + z * (1 / 720 + z * (1 / 5040 + z / 40320)))))
    phi2 = np.where(small, series2, (phi1 - 1.0) / zs)
    return phi1, phi2


@dataclass
class _ParabolicField:
    """The exponential integrator of ``eps c_t = -(lam + k^2) c + rho`` for one step size."""

    params: MinimalKS2DParams
    dt: float = 0.0
    decay: np.ndarray = field(default=None)  # e^z
    phi1: np.ndarray = field(default=None)
    phi2: np.ndarray = field(default=None)

    def set_step(self, dt: float) -> None:
        if dt == self.dt:
            return
        p = self.params
        z = -(_eigenvalues(p.n, p.h, p.boundary) + p.k**2) * dt / p.eps
        self.dt, self.decay = dt, np.exp(z)
        self.phi1, self.phi2 = _phi12(z)

    def stage(self, c_hat: np.ndarray, r0_hat: np.ndarray) -> np.ndarray:
        return self.decay * c_hat + self.dt / self.params.eps * self.phi1 * r0_hat

    def step(self, c_hat: np.ndarray, r0_hat: np.ndarray, r1_hat: np.ndarray) -> np.ndarray:
        e = self.params.eps
        return self.decay * c_hat + self.dt / e * (self.phi1 * r0_hat + self.phi2 * (r1_hat - r0_hat))


# ----------------------------------------------------------------------------- transport
@njit(cache=True)
def _transport_numba(rho, c, h, mu, chi, periodic, rate, mode=0):  # pragma: no cover - compiled
    """``rate = -div F`` (see the module docstring) in place; return the largest face speed |u|.

    ``mode`` indexes :data:`RECONSTRUCTIONS`: 0 minmod (ours), 1 cell values, 2 centred face value.
    """
    n = rho.shape[0]
    a = 0.0
    for i in range(n):
        for j in range(n):
            rate[i, j] = 0.0
    for axis in range(2):
        for i in range(n):
            for j in range(n):
                # the face between cell (i, j) and its + neighbour along the axis
                if axis == 0:
                    if i + 1 < n:
                        ip, jp = i + 1, j
                    elif periodic:
                        ip, jp = 0, j
                    else:
                        continue
                    im = i - 1 if i > 0 else (n - 1 if periodic else 0)
                    ipp = ip + 1 if ip + 1 < n else (0 if periodic else n - 1)
                    rm, r0, r1, r2 = rho[im, j], rho[i, j], rho[ip, jp], rho[ipp, jp]
                else:
                    if j + 1 < n:
                        ip, jp = i, j + 1
                    elif periodic:
                        ip, jp = i, 0
                    else:
                        continue
                    jm = j - 1 if j > 0 else (n - 1 if periodic else 0)
                    jpp = jp + 1 if jp + 1 < n else (0 if periodic else n - 1)
                    rm, r0, r1, r2 = rho[i, jm], rho[i, j], rho[ip, jp], rho[ip, jpp]
                u = chi * (c[ip, jp] - c[i, j]) / h
                if abs(u) > a:
                    a = abs(u)
                if mode == 2:  # centred face value, no upwinding
                    adv = u * 0.5 * (r0 + r1)
                elif mode == 1:  # first-order upwind: the cell values
                    adv = u * r0 if u > 0.0 else u * r1
                elif u > 0.0:  # upwind face value of the minmod reconstruction (module docstring)
                    adv = u * (r0 + 0.5 * minmod(r0 - rm, r1 - r0))
                else:
                    adv = u * (r1 - 0.5 * minmod(r1 - r0, r2 - r1))
                flux = (adv - mu * (r1 - r0) / h) / h
                rate[i, j] -= flux
                rate[ip, jp] += flux
    return a


def _shifted(a: np.ndarray, step: int, axis: int, periodic: bool) -> np.ndarray:
    """The array a shifted by ``step`` cells along ``axis``: a[i + step], wrapped or clamped at the walls."""
    if periodic:
        return np.roll(a, -step, axis=axis)
    idx = np.clip(np.arange(a.shape[axis]) + step, 0, a.shape[axis] - 1)
    return np.take(a, idx, axis=axis)


def _transport_numpy(rho, c, h, mu, chi, periodic, rate, mode=0):
    """Numpy twin of :func:`_transport_numba` (same face fluxes and ``mode``, vectorized)."""
    rate[...] = 0.0
    a = 0.0
    for axis in (0, 1):
        rm, r1, r2 = (_shifted(rho, s, axis, periodic) for s in (-1, 1, 2))
        u = chi * (_shifted(c, 1, axis, periodic) - c) / h
        back, fwd, fwd2 = rho - rm, r1 - rho, r2 - r1
        mm_left = np.where(back * fwd <= 0.0, 0.0, np.where(np.abs(back) < np.abs(fwd), back, fwd))
        mm_right = np.where(fwd * fwd2 <= 0.0, 0.0, np.where(np.abs(fwd) < np.abs(fwd2), fwd, fwd2))
        if mode == 2:  # centred face value, no upwinding
            adv = u * 0.5 * (rho + r1)
        elif mode == 1:  # first-order upwind: the cell values
            adv = np.where(u > 0.0, u * rho, u * r1)
        else:
            adv = np.where(u > 0.0, u * (rho + 0.5 * mm_left), u * (r1 - 0.5 * mm_right))
        flux = (adv - mu * fwd / h) / h
        if not periodic:  # no face beyond the last cell: zero flux through the wall
            last = [slice(None)] * 2
            last[axis] = -1
            flux[tuple(last)] = 0.0
            u[tuple(last)] = 0.0
        a = max(a, float(np.abs(u).max()))
        rate -= flux
        rate += np.roll(flux, 1, axis=axis)  # the face on the minus side (the zero wall flux wraps in)
    return a


# ----------------------------------------------------------------------------- the run
@dataclass
class MinimalKS2DRecord:
    """What :func:`run` returns.

    Attributes
    ----------
    times : ndarray, shape (m,)
        The output times reached [time] (all requested ones unless the run stopped at a blow-up).
    rho, c : ndarray, shape (m, n, n)
        Cell averages of rho [mass/length^2] and cell-centre values of c at ``times``.
    mass : ndarray, shape (m,)
        ``h^2 sum rho`` at ``times`` [mass].
    n_steps : int
        Steps taken (rejected ones not counted).
    n_rejected : int
        Steps redone because the second stage's speed broke the positivity bound.
    min_rho : float
        Smallest cell value of rho seen after any step.
    dt_min, dt_max : float
        Smallest and largest step taken [time] (steps clipped to output times excluded from the smallest).
    blowup_time : float
        Time at which a blow-up was declared [time], nan if none.
    blowup_reason : str
        ``"block mass"``, ``"step floor"`` or ``""``.
    peak_fraction : ndarray, shape (m,)
        Largest fraction of the mass in a block of 2 x 2 cells at ``times`` (the blow-up criterion).
    final_time : float
        Where the run stopped [time]: the last output time, or the blow-up time.
    final_rho, final_c : ndarray, shape (n, n)
        The state at ``final_time`` (the aggregate, after a blow-up).
    """

    times: np.ndarray
    rho: np.ndarray
    c: np.ndarray
    mass: np.ndarray
    n_steps: int
    n_rejected: int
    min_rho: float
    dt_min: float
    dt_max: float
    blowup_time: float
    blowup_reason: str
    peak_fraction: np.ndarray
    final_time: float = math.nan
    final_rho: np.ndarray | None = None
    final_c: np.ndarray | None = None

    @property
    def blew_up(self) -> bool:
        """Whether the run stopped at a blow-up."""
        return bool(self.blowup_reason)


def block_peak(rho: np.ndarray, periodic: bool) -> float:
    """Largest sum of rho over a block of 2 x 2 neighbouring cells (blocks wrap on a periodic grid)."""
    if periodic:
        pairs = rho + np.roll(rho, -1, axis=0)
        return float((pairs + np.roll(pairs, -1, axis=1)).max())
    return float((rho[:-1, :-1] + rho[1:, :-1] + rho[:-1, 1:] + rho[1:, 1:]).max())


def step_bound(params: MinimalKS2DParams, speed: float, theta: float = THETA) -> float:
    """``theta / (4 (a/h + mu/h^2))`` [time]: the positivity bound of one Euler stage (module docstring)."""
    h = params.h
    return theta / (4.0 * (speed / h + params.mu / (h * h)))


def initial_field(params: MinimalKS2DParams, rho0: np.ndarray) -> np.ndarray:
    """The c of the parabolic-elliptic problem for rho0 (a natural start for eps > 0 too)."""
    return elliptic_field(params, rho0)


def run(params: MinimalKS2DParams, rho0, times, c0=None, *, theta: float = THETA, dt_max: float = math.inf,
        backend: str = "numba", blowup_fraction: float = BLOWUP_FRACTION, dt_floor: float = 0.0,
        reconstruction: str = "minmod", stepper: str = "heun", step_factor: float = 1.0,
        c_stage: str = "rho_stage") -> MinimalKS2DRecord:
    """Solve the minimal model from ``rho0`` (and ``c0`` if eps > 0) and return the fields at ``times``.

    Parameters
    ----------
    params : MinimalKS2DParams
    rho0 : array_like, shape (n, n)
        Initial cell averages of rho [mass/length^2], >= 0, not all 0.
    times : sequence of float
        Output times [time], non-decreasing, >= 0.
    c0 : array_like, shape (n, n), optional
        Initial c (eps > 0 only; default: the elliptic field of rho0, :func:`initial_field`).
    theta : float
        Safety factor of the step rule, in (0, 1].
    dt_max : float
        Largest step [time], > 0 (for fixed-step order studies).
    backend : {"numba", "numpy"}
        The compiled transport kernel or its numpy twin.
    blowup_fraction : float
        Declare blow-up when a block of 2 x 2 cells holds more than this fraction of the mass, in (0, 1].
    dt_floor : float
        Declare blow-up when the step rule falls below this [time], >= 0.
    reconstruction : {"minmod", "none", "central"}
        Face values of the chemotactic flux: ours (second order, positive), the cell values
        (first-order upwind, positive) or the centred mean ``(rho_i + rho_{i+1}) / 2`` (not
        upwinded, not positive). The last two exist for the checks' wrong models.
    stepper : {"heun", "euler"}
        Heun's method (ours, second order) or one forward-Euler stage per step (first order; c
        by the exponential Euler stage). The latter exists for the checks' wrong models.
    step_factor : float
        Multiplies every step the rule gives, > 0 (1: ours; > 1 / theta breaks the positivity
        bound and exists for the checks' wrong models).
    c_stage : {"rho_stage", "rho_n"}
        (eps > 0) The c of the second stage: ``"rho_stage"`` (ours) the step formula with the first
        stage's rho as rho^{n+1} (second order for any eps), or ``"rho_n"`` the exponential Euler
        stage from rho^n (second order in time only while dt <~ eps; first order for dt >> eps).

    Raises
    ------
    ValueError
        For a bad argument (the message names it).
    verification.validation.LimitError
        When the arrays exceed the free memory or the work (at least the diffusive bound's
        steps of n^2 cells) exceeds the cap.
    NonFiniteStateError
        If the state becomes non-finite (with the time).
    """
    t = val.times_array(times)
    n = params.n
    rho = val.real_array(rho0, "rho0", shape=(n, n), lo=0.0).copy()
    if not rho.any():
        raise ValueError("rho0 must have positive mass; got all zeros")
    theta = val.real(theta, "theta", lo=0.0, hi=1.0, lo_open=True)
    dt_max = float(dt_max) if dt_max == math.inf else val.positive(dt_max, "dt_max")
    val.choice(backend, "backend", BACKENDS)
    blowup_fraction = val.real(blowup_fraction, "blowup_fraction", lo=0.0, hi=1.0, lo_open=True)
    dt_floor = val.nonnegative(dt_floor, "dt_floor")
    val.choice(reconstruction, "reconstruction", RECONSTRUCTIONS)
    val.choice(stepper, "stepper", STEPPERS)
    step_factor = val.positive(step_factor, "step_factor")
    val.choice(c_stage, "c_stage", C_STAGES)
    start_peak = block_peak(rho, params.boundary == "periodic") / float(rho.sum())
    if start_peak > blowup_fraction:
        raise ValueError(f"rho0 already holds {start_peak:.3g} of its mass in a block of 2 x 2 cells, above "
                         f"blowup_fraction = {blowup_fraction:g} (the blow-up criterion): refine the grid (n) or "
                         f"widen the start")
    if c0 is not None and params.eps == 0:
        raise ValueError("c0 is only an input for eps > 0 (with eps = 0, c follows from rho)")
    c = elliptic_field(params, rho) if c0 is None else val.real_array(c0, "c0", shape=(n, n)).copy()
    cells = n * n
    min_steps = float(t[-1]) / min(step_bound(params, 0.0, theta), dt_max)
    val.require_work(min_steps * cells, unit="cell-steps", ns_per_unit=NS_PER_CELL_STEP[backend],
                     what=f"ks2d_minimal.run on n = {n} to t = {t[-1]:g}", fix="use a coarser grid or a shorter time")
    val.require_memory(8.0 * cells * (2 * t.size + 12 + (4 if params.field == "free" else 0)),
                       what=f"ks2d_minimal.run on n = {n} with {t.size} output times",
                       fix="ask for fewer output times or a coarser grid")
    budget = max(int(val.max_hours() * 3.6e12 / (NS_PER_CELL_STEP[backend] * cells)), 1)
    return _march(params, rho, c, t, theta * step_factor, dt_max, backend, blowup_fraction, dt_floor, budget,
                  RECONSTRUCTIONS.index(reconstruction), stepper == "euler", c_stage == "rho_stage")


def _march(params, rho, c, t, theta, dt_max, backend, blowup_fraction, dt_floor, budget, mode=0,
           euler=False, stage_rho=False) -> MinimalKS2DRecord:
    """The time loop of :func:`run` (arguments validated there; ``theta`` includes ``step_factor``)."""
    n, h, mu, chi = params.n, params.h, params.mu, params.chi
    periodic = params.boundary == "periodic"
    kernel = _transport_numba if backend == "numba" else _transport_numpy

    def transport(r, cc, hh, m, ch, per, out):
        return kernel(r, cc, hh, m, ch, per, out, mode)
    parabolic = params.eps > 0
    integrator = _ParabolicField(params) if parabolic else None
    rate1, rate2 = np.empty((n, n)), np.empty((n, n))
    out_rho, out_c = [], []
    mass0 = h * h * float(rho.sum())
    now, steps, rejected = 0.0, 0, 0
    min_rho, dt_lo, dt_hi = float(rho.min()), math.inf, 0.0
    blow_t, reason = math.nan, ""
    for tk in t:
        while now < tk * (1.0 - 1e-14) and not reason:
            if steps >= budget:
                raise val.LimitError(f"ks2d_minimal.run: the step shrank; after {steps} steps (the work cap, "
                                     f"{val.max_hours():g} h; set ACTIVEBENCH_MAX_HOURS) t = {now:.6g} of {tk:g}")
            speed = transport(rho, c, h, mu, chi, periodic, rate1)
            dt_rule = step_bound(params, speed, theta)
            if not dt_rule > 0.0 or not math.isfinite(dt_rule):
                raise NonFiniteStateError(f"ks2d_minimal.run: the step rule gave {dt_rule!r} at t = {now:g}")
            if dt_rule < dt_floor:
                blow_t, reason = now, "step floor"
                break
            dt = min(dt_rule, dt_max, tk - now)
            if parabolic:  # transforms of the step's start, shared by every retry of the step
                r0_hat = _forward(rho, params.boundary)
                c_hat = _forward(c, params.boundary)
            while True:
                rho1 = rho + dt * rate1
                if parabolic:
                    integrator.set_step(dt)
                    if stage_rho and not euler:  # rho linear from rho^n to the stage's rho1
                        c1 = _inverse(integrator.step(c_hat, r0_hat, _forward(rho1, params.boundary)), n,
                                      params.boundary)
                    else:
                        c1 = _inverse(integrator.stage(c_hat, r0_hat), n, params.boundary)
                else:
                    c1 = elliptic_field(params, rho1)
                if euler:  # one forward-Euler stage (c by the exponential Euler stage): first order
                    break
                speed2 = transport(rho1, c1, h, mu, chi, periodic, rate2)
                if dt <= step_bound(params, speed2, max(1.0, theta)):
                    break
                dt = step_bound(params, speed2, theta)  # < dt: the stage-2 bound is the tighter one
                rejected += 1
            rho_new = rho1 if euler else 0.5 * (rho + rho1 + dt * rate2)
            if euler:
                c = c1
            elif parabolic:
                c = _inverse(integrator.step(c_hat, r0_hat, _forward(rho_new, params.boundary)), n, params.boundary)
            else:
                c = elliptic_field(params, rho_new)
            rho = rho_new
            clipped = dt == tk - now
            now = tk if clipped else now + dt
            steps += 1
            if not clipped:
                dt_lo = min(dt_lo, dt)
            dt_hi = max(dt_hi, dt)
            low = float(rho.min())
            min_rho = min(min_rho, low)
            if not (math.isfinite(low) and np.isfinite(c).all() and np.isfinite(rho).all()):
                raise NonFiniteStateError(f"ks2d_minimal.run: the state became non-finite at t = {now:g} "
                                          f"(step {steps})")
            if block_peak(rho, periodic) * h * h > blowup_fraction * mass0:
                blow_t, reason = now, "block mass"
        if reason:
            final = (rho.copy(), c.copy())
            break
        out_rho.append(rho.copy())
        out_c.append(c.copy())
    if not reason:
        final = (rho.copy(), c.copy())
    m = len(out_rho)
    rho_out = np.array(out_rho).reshape(m, n, n)
    c_out = np.array(out_c).reshape(m, n, n)
    mass = h * h * rho_out.sum(axis=(1, 2))
    peak = np.array([block_peak(r, periodic) for r in rho_out]) * h * h / mass0
    return MinimalKS2DRecord(t[:m].copy(), rho_out, c_out, mass, steps, rejected, min_rho,
                             dt_lo if math.isfinite(dt_lo) else dt_hi, dt_hi, blow_t, reason, peak,
                             final_time=now, final_rho=final[0], final_c=final[1])


# ----------------------------------------------------------------------------- starts and observables
def gaussian_bumps(params: MinimalKS2DParams, centres, masses, widths) -> np.ndarray:
    """Cell averages of a sum of isotropic Gaussians [mass/length^2], shape (n, n).

    Parameters
    ----------
    centres : array_like, shape (b, 2)
        Bump centres [length], inside the square.
    masses : array_like, shape (b,)
        Bump masses [mass], > 0.
    widths : array_like, shape (b,)
        Standard deviations per direction [length], > 0.

    Each cell average is exact (products of differences of the normal CDF).
    """
    from scipy.special import ndtr

    centres = val.real_array(centres, "centres", shape=(None, 2), lo=-params.L / 2, hi=params.L / 2)
    b = centres.shape[0]
    masses = val.real_array(masses, "masses", shape=(b,), lo=0.0)
    widths = val.real_array(widths, "widths", shape=(b,))
    if (widths <= 0).any():
        raise ValueError(f"widths must be > 0; got {widths.tolist()}")
    edges = -params.L / 2 + np.arange(params.n + 1) * params.h
    rho = np.zeros((params.n, params.n))
    for (x0, y0), m, s in zip(centres, masses, widths, strict=True):
        fx = np.diff(ndtr((edges - x0) / s))
        fy = np.diff(ndtr((edges - y0) / s))
        rho += m * np.outer(fx, fy)
    return rho / params.h**2


def second_moment(params: MinimalKS2DParams, rho: np.ndarray, centre=(0.0, 0.0)) -> float:
    """``int |x - centre|^2 rho dx`` of the piecewise-constant rho, exact [mass length^2]."""
    x = params.centres
    h = params.h
    sx = (x - centre[0]) ** 2 + h * h / 12
    sy = (x - centre[1]) ** 2 + h * h / 12
    row = rho.sum(axis=1)
    col = rho.sum(axis=0)
    return float(h * h * (row @ sx + col @ sy))


def fourier_modes(params: MinimalKS2DParams, rho: np.ndarray, omegas) -> np.ndarray:
    """``int e^{-i omega . x} rho dx`` of the piecewise-constant rho, exact, for each row of ``omegas`` [mass]."""
    omegas = val.real_array(omegas, "omegas", shape=(None, 2))
    x, h = params.centres, params.h
    out = np.empty(omegas.shape[0], dtype=complex)
    for q, (wx, wy) in enumerate(omegas):
        ex = np.exp(-1j * wx * x) * np.sinc(wx * h / (2 * np.pi)) * h
        ey = np.exp(-1j * wy * x) * np.sinc(wy * h / (2 * np.pi)) * h
        out[q] = ex @ rho @ ey
    return out
