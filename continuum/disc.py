"""Radially symmetric nonlinear-diffusion chemotaxis on a disc ([ANTS] Eqs. 1-2, 49-50).

rho_t = (1/r) (r rho (D0 rho_r - chi0 c_r))_r,   c_t = f0 rho + nu0 (1/r)(r c_r)_r - g0 c,
on 0 <= r <= l with no-flux (Neumann) boundaries. Two integrators:

* :func:`ftcs_paper` -- the seed's scheme: forward time, central space on the
  non-conservative form Eq. (49)-(50), nodes r_j = j h (j = 0..N-1, h = l/(N-1)),
  mirror ghost nodes for Neumann, r -> 0 limit (1/r) f_r -> f_rr.
* :class:`DiscSolver` -- a conservative finite-volume scheme (cells of width h = l/N,
  centres r_i = (i+1/2) h), operator-split and linearly implicit:
  (1) c^{n+1} = (1 + g0 dt - nu0 dt L)^{-1} (c^n + f0 dt rho^n);
  (2) rho^{n+1} = (1 - D0 dt L_{rho^n})^{-1} (rho^n - chi0 dt L_{rho^n} c^{n+1}),
  with L_m the weighted finite-volume Laplacian with face mobility m (upwind density, which
  keeps rho >= 0 in the semi-discrete flow).
  Step (1) is a backward-Euler gradient step of the discrete W (Eq. 18) in c' at fixed
  rho, W being convex in c'; step (2) is a backward-Euler step in rho at fixed c' with a
  frozen non-negative mobility, W being convex in rho. Hence the discrete W is
  non-increasing for every dt (as long as rho^n >= 0), and mass sum(V_i rho_i) is conserved
  exactly (flux form, zero boundary fluxes).

Units: lengths in units of l's unit, times in units of t (the seed's), W in the seed's
rescaled units (tau = D0 t, c' = chi0 c / D0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit


@dataclass(frozen=True)
class DiscParams:
    """Positive model coefficients of [ANTS] Eqs. (1)-(2) and the disc radius l."""

    chi0: float = 4.0
    D0: float = 1.0
    f0: float = 4.0
    nu0: float = 1.0
    g0: float = 1.0
    radius: float = 1.0

    def __post_init__(self) -> None:
        """Every coefficient and the radius must be finite and > 0."""
        for name in ("chi0", "D0", "f0", "nu0", "g0", "radius"):
            val = getattr(self, name)
            if not (isinstance(val, (int, float)) and math.isfinite(val) and val > 0):
                raise ValueError(f"{name} must be a finite number > 0, got {val!r}")
        a = self.f0 * self.chi0 / (self.D0 * self.nu0)
        if not (math.isfinite(a) and a > 0 and math.isfinite(self.g0 / (2 * self.nu0))):
            raise ValueError(f"f0 chi0 / (D0 nu0) = {a!r} and g0/(2 nu0) must be finite and > 0 (no overflow or "
                             "underflow): rescale the coefficients")

    @property
    def a(self) -> float:
        """f0 chi0 / (D0 nu0) [1/length^2], the coefficient of the rho terms in W (Eq. 18)."""
        return self.f0 * self.chi0 / (self.D0 * self.nu0)

    def replace(self, **kw: float) -> DiscParams:
        """Copy with some fields replaced."""
        d = {k: getattr(self, k) for k in ("chi0", "D0", "f0", "nu0", "g0", "radius")}
        d.update(kw)
        return DiscParams(**d)


@dataclass(frozen=True)
class RadialGrid:
    """Finite-volume cells on [0, l]: centres r, volumes V = 2 pi r h, face areas Af = 2 pi r_f."""

    radius: float
    n: int

    def __post_init__(self) -> None:
        """Validate sizes."""
        if not (isinstance(self.n, int) and self.n >= 8):
            raise ValueError(f"n (cells) must be an int >= 8, got {self.n!r}")
        if not (math.isfinite(self.radius) and self.radius > 0):
            raise ValueError(f"radius must be > 0, got {self.radius!r}")

    @property
    def h(self) -> float:
        """Cell width."""
        return self.radius / self.n

    @property
    def r(self) -> np.ndarray:
        """Cell centres."""
        return (np.arange(self.n) + 0.5) * self.h

    @property
    def volumes(self) -> np.ndarray:
        """Annulus areas 2 pi r_i h (sum = pi l^2 exactly)."""
        return 2 * np.pi * self.r * self.h

    @property
    def faces(self) -> np.ndarray:
        """Interior face areas per unit length over h: 2 pi r_{i+1/2} / h (n-1 values)."""
        return 2 * np.pi * (np.arange(1, self.n) * self.h) / self.h


def lyapunov_W(p: DiscParams, grid: RadialGrid, rho: np.ndarray, c: np.ndarray) -> float:
    """Discrete Lyapunov functional W of [ANTS] Eq. (18) (rescaled units, c' = chi0 c / D0).

    W = sum_i V_i [a (rho^2/2 - rho c') + g0/(2 nu0) c'^2] + sum_faces (A_f/h) (c'_{i+1} - c'_i)^2 / 2.
    """
    cp = p.chi0 / p.D0 * np.asarray(c)
    rho = np.asarray(rho)
    bulk = np.sum(grid.volumes * (p.a * (0.5 * rho**2 - rho * cp) + p.g0 / (2 * p.nu0) * cp**2))
    grad = 0.5 * np.sum(grid.faces * np.diff(cp) ** 2)
    return float(bulk + grad)


def shannon_entropy(grid: RadialGrid, rho: np.ndarray, rho_const: float) -> float:
    """S = -int rho log(rho / rho_const) dV ([ANTS] Eq. 48), with 0 log 0 = 0; NaN if rho < 0."""
    rho = np.asarray(rho, dtype=float)
    if np.any(rho < 0):
        return math.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(rho > 0, rho * np.log(rho / rho_const), 0.0)
    return float(-np.sum(grid.volumes * terms))


def upwind_mobility(p: DiscParams, rho: np.ndarray, c: np.ndarray, chemotaxis_sign: float = 1.0) -> np.ndarray:
    """Face mobility: rho of the cell that the flux -grad(D0 rho - chi0 c) leaves (>= 0 if rho >= 0)."""
    z = p.D0 * rho - chemotaxis_sign * p.chi0 * c
    return np.maximum(np.where(z[:-1] > z[1:], rho[:-1], rho[1:]), 0.0)


def semi_discrete_rhs(p: DiscParams, grid: RadialGrid, rho: np.ndarray, c: np.ndarray,
                      chemotaxis_sign: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Time derivatives (rho_t, c_t) of the finite-volume semi-discretisation (no time stepping)."""
    Af, V = grid.faces, grid.volumes
    mob = upwind_mobility(p, rho, c, chemotaxis_sign)
    flux = Af * mob * (p.D0 * np.diff(rho) - chemotaxis_sign * p.chi0 * np.diff(c))
    div = np.zeros_like(rho)
    div[:-1] += flux
    div[1:] -= flux
    rho_t = div / V
    lap = np.zeros_like(c)
    fc = Af * np.diff(c)
    lap[:-1] += fc
    lap[1:] -= fc
    c_t = p.f0 * rho + p.nu0 * lap / V - p.g0 * c
    return rho_t, c_t


def dissipation_terms(p: DiscParams, grid: RadialGrid, rho: np.ndarray, c: np.ndarray) -> tuple[float, float]:
    """The two integrals of Eq. (17) on the grid: int (c'_tau)^2 dV and int rho |grad Z|^2 dV.

    c'_tau = (chi0/D0) c_t / D0 from the semi-discrete right-hand side; Z = rho - c'.
    """
    _, c_t = semi_discrete_rhs(p, grid, rho, c)
    cp_tau = p.chi0 / p.D0 * c_t / p.D0
    cp = p.chi0 / p.D0 * c
    Z = rho - cp
    mob = upwind_mobility(p, rho, c)
    return float(np.sum(grid.volumes * cp_tau**2)), float(np.sum(grid.faces * mob * np.diff(Z) ** 2))


# -- numba kernels -------------------------------------------------------------
@njit(cache=True)
def _thomas(lo, di, up, rhs, out):
    n = di.size
    cp = np.empty(n)
    dp = np.empty(n)
    cp[0] = up[0] / di[0]
    dp[0] = rhs[0] / di[0]
    for i in range(1, n):
        m = di[i] - lo[i] * cp[i - 1]
        cp[i] = up[i] / m if i < n - 1 else 0.0
        dp[i] = (rhs[i] - lo[i] * dp[i - 1]) / m
    out[n - 1] = dp[n - 1]
    for i in range(n - 2, -1, -1):
        out[i] = dp[i] - cp[i] * out[i + 1]


@njit(cache=True)
def _split_steps(rho, c, V, Af, chi0, D0, f0, nu0, g0, dt, n_steps, sign, W_every, a, Wout, Wcoef):
    n = rho.size
    lo = np.empty(n)
    di = np.empty(n)
    up = np.empty(n)
    rhs = np.empty(n)
    newc = np.empty(n)
    newr = np.empty(n)
    k = 0
    s = chi0 / D0
    for step in range(n_steps):
        # (1) c: (1 + g0 dt) c - nu0 dt L c = c + f0 dt rho
        for i in range(n):
            lo[i] = 0.0
            up[i] = 0.0
            di[i] = 1.0 + g0 * dt
            rhs[i] = c[i] + f0 * dt * rho[i]
        for i in range(n - 1):
            w = nu0 * dt * Af[i]
            di[i] += w / V[i]
            up[i] -= w / V[i]
            di[i + 1] += w / V[i + 1]
            lo[i + 1] -= w / V[i + 1]
        _thomas(lo, di, up, rhs, newc)
        for i in range(n):
            c[i] = newc[i]
        # (2) rho: rho - D0 dt L_m rho = rho^n - sign chi0 dt L_m c
        for i in range(n):
            lo[i] = 0.0
            up[i] = 0.0
            di[i] = 1.0
            rhs[i] = rho[i]
        for i in range(n - 1):
            # upwind mobility: the density of the cell the flux -grad(D0 rho - chi0 c) leaves
            if D0 * rho[i] - sign * chi0 * c[i] > D0 * rho[i + 1] - sign * chi0 * c[i + 1]:
                m = rho[i]
            else:
                m = rho[i + 1]
            if m < 0.0:
                m = 0.0
            w = dt * Af[i] * m
            fc = sign * chi0 * w * (c[i + 1] - c[i])
            rhs[i] -= fc / V[i]
            rhs[i + 1] += fc / V[i + 1]
            di[i] += D0 * w / V[i]
            up[i] -= D0 * w / V[i]
            di[i + 1] += D0 * w / V[i + 1]
            lo[i + 1] -= D0 * w / V[i + 1]
        _thomas(lo, di, up, rhs, newr)
        for i in range(n):
            rho[i] = newr[i]
        if W_every > 0 and (step + 1) % W_every == 0:
            tot = 0.0
            for i in range(n):
                cp = s * c[i]
                tot += V[i] * (a * (0.5 * rho[i] * rho[i] - rho[i] * cp) + Wcoef * cp * cp)
            for i in range(n - 1):
                d = s * (c[i + 1] - c[i])
                tot += 0.5 * Af[i] * d * d
            Wout[k] = tot
            k += 1


class DiscSolver:
    """Conservative, energy-stable split scheme for Eqs. (1)-(2) under radial symmetry.

    Parameters
    ----------
    params : DiscParams
        Model coefficients (all > 0) and disc radius.
    n_cells : int
        Number of finite-volume cells (>= 8).
    chemotaxis_sign : float
        +1 for the model; -1 gives a deliberately wrong (repulsive) model.
    """

    def __init__(self, params: DiscParams, n_cells: int, chemotaxis_sign: float = 1.0) -> None:
        if not isinstance(params, DiscParams):
            raise ValueError("params must be a DiscParams")
        self.params = params
        self.grid = RadialGrid(params.radius, n_cells)
        if chemotaxis_sign not in (1, -1) or isinstance(chemotaxis_sign, bool):
            raise ValueError(f"chemotaxis_sign must be +1 (the model) or -1 (repulsive), got {chemotaxis_sign!r}")
        self.sign = float(chemotaxis_sign)

    def run(self, rho0: np.ndarray, c0: np.ndarray, dt: float, n_steps: int,
            W_every: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Advance ``n_steps`` of size ``dt`` [time]; return (rho, c, W every ``W_every`` steps)."""
        if not (math.isfinite(dt) and dt > 0):
            raise ValueError(f"dt must be > 0, got {dt!r}")
        if not (isinstance(n_steps, int) and n_steps >= 0):
            raise ValueError(f"n_steps must be an int >= 0, got {n_steps!r}")
        if not (isinstance(W_every, int) and W_every >= 0):
            raise ValueError(f"W_every must be an int >= 0 (0: no W record), got {W_every!r}")
        n = self.grid.n
        rho = np.array(rho0, dtype=float).copy()
        c = np.array(c0, dtype=float).copy()
        if rho.shape != (n,) or c.shape != (n,):
            raise ValueError(f"rho0 and c0 must have shape ({n},)")
        if not (np.all(np.isfinite(rho)) and np.all(np.isfinite(c))):
            raise ValueError("rho0 and c0 must be finite")
        if np.any(rho < 0) or np.any(c < 0):
            raise ValueError("rho0 and c0 must be non-negative")
        p = self.params
        nW = n_steps // W_every if W_every > 0 else 0
        Wout = np.empty(nW)
        _split_steps(rho, c, self.grid.volumes, self.grid.faces, p.chi0, p.D0, p.f0, p.nu0, p.g0, dt, n_steps,
                     self.sign, W_every, p.a, Wout, p.g0 / (2 * p.nu0))
        if not (np.all(np.isfinite(rho)) and np.all(np.isfinite(c)) and np.all(np.isfinite(Wout))):
            raise ValueError(f"the run left finite arithmetic (blow-up of the scheme) with dt = {dt!r} and "
                             f"coefficients {p}: reduce dt or rescale the coefficients")
        return rho, c, Wout


# -- the seed's FTCS scheme ------------------------------------------------------------
@njit(cache=True)
def _ftcs_steps(rho, c, h, chi0, D0, f0, nu0, g0, dt, n_steps):
    n = rho.size
    nr = np.empty(n)
    nc = np.empty(n)
    for _ in range(n_steps):
        for j in range(n):
            if j == 0:
                rp, rm, cpl, cm = rho[1], rho[1], c[1], c[1]
            elif j == n - 1:
                rp, rm, cpl, cm = rho[n - 2], rho[n - 2], c[n - 2], c[n - 2]
            else:
                rp, rm, cpl, cm = rho[j + 1], rho[j - 1], c[j + 1], c[j - 1]
            r_r = (rp - rm) / (2 * h)
            c_r = (cpl - cm) / (2 * h)
            r_rr = (rp - 2 * rho[j] + rm) / (h * h)
            c_rr = (cpl - 2 * c[j] + cm) / (h * h)
            if j == 0:
                r_over = r_rr  # lim (1/r) f_r = f_rr
                c_over = c_rr
            else:
                r_over = r_r / (j * h)
                c_over = c_r / (j * h)
            drho = -chi0 * (rho[j] * c_over + r_r * c_r + rho[j] * c_rr) + D0 * (rho[j] * r_over + r_r * r_r
                                                                                 + rho[j] * r_rr)
            dc = f0 * rho[j] + nu0 * (c_over + c_rr) - g0 * c[j]
            nr[j] = rho[j] + dt * drho
            nc[j] = c[j] + dt * dc
        for j in range(n):
            rho[j] = nr[j]
            c[j] = nc[j]


def ftcs_paper(params: DiscParams, rho0: np.ndarray, c0: np.ndarray, dt: float, n_steps: int) -> tuple:
    """The seed's FTCS integration of Eqs. (49)-(50) on nodes r_j = j h, h = l/(N-1) [returns rho, c]."""
    if not (math.isfinite(dt) and dt > 0):
        raise ValueError(f"dt must be > 0, got {dt!r}")
    rho = np.array(rho0, dtype=float).copy()
    c = np.array(c0, dtype=float).copy()
    if rho.size < 8 or c.shape != rho.shape:
        raise ValueError("rho0 and c0 must be node arrays of equal length >= 8")
    h = params.radius / (rho.size - 1)
    _ftcs_steps(rho, c, h, params.chi0, params.D0, params.f0, params.nu0, params.g0, dt, int(n_steps))
    return rho, c
