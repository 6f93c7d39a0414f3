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
  frozen non-negative mobility, W being convex in rho. Hence, in exact arithmetic, the
  discrete W is non-increasing for every dt (as long as rho^n >= 0), and mass sum(V_i rho_i)
  is conserved exactly (flux form, zero boundary fluxes). rho >= 0 is not implied for large
  dt (the explicit chemotactic source of step (2) can overshoot), and in floating point the
  linear solves lose mass and energy to round-off in proportion to dt times the stiffness
  (measured: a relative mass error per step of about eps x dt x 700 on 64 cells; at dt = 1e10
  W rises and the mass drifts 1.9e-3, at dt >= 1e15 rho turns negative). ``DiscSolver.run``
  therefore verifies all three after every step, to round-off of the state (see
  :data:`ROUNDOFF_FACTOR`), and raises :class:`DiscGuaranteeError` naming the step, the time
  and the violated quantity.

Units: lengths in units of l's unit, times in units of t (the seed's), W in the seed's
rescaled units (tau = D0 t, c' = chi0 c / D0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from verification import validation as val

#: Round-off allowance of the run-time guarantees, per step, in units of eps: the mass may move by
#: ROUNDOFF_FACTOR n eps sum(V |rho|), W may rise by ROUNDOFF_FACTOR n eps sum|terms of W| and rho may dip to
#: -ROUNDOFF_FACTOR eps max(rho). A sum of n terms carries at most (n - 1) eps of its absolute sum in
#: round-off and each cell value a few eps after a tridiagonal solve; the factor 64 covers the solve's
#: growth. Measured over every run of the ants checks, wrong models and errata (dt <= 2e-3, n <= 200, up to
#: 1e5 steps): mass steps <= 17 eps sum(V rho), W rises <= 8.4 eps sum|terms|, min rho >= -1e-323.
ROUNDOFF_FACTOR = 64.0
#: Lower estimates of the cost per cell and step on one core (measured 92-133 ns for ``DiscSolver.run``
#: and 25-31 ns for ``ftcs_paper`` on 8-2000 cells, shared 2-core machine), for the work cap.
NS_PER_CELL_STEP_SPLIT = 20.0
NS_PER_CELL_STEP_FTCS = 5.0
_SIZE_FIX = "fewer cells"
_WORK_FIX = "fewer steps (a larger dt or a shorter run) or fewer cells"


class DiscGuaranteeError(ValueError):
    """A disc integration broke a stated guarantee (mass, rho >= 0, W non-increasing, finiteness) at some step.

    A ``ValueError``: the cause is a time step too large for the state (or coefficients whose
    scales overflow), and the remedy a smaller ``dt``.
    """


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
            val.positive(getattr(self, name), name)
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
        val.integer(self.n, "n (cells)", lo=8)
        val.positive(self.radius, "radius")

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
def _w_and_scale(rho, c, V, Af, s, a, Wcoef):
    """Discrete W (same sums, same order as the W record) and the sum of the absolute values of its terms."""
    n = rho.size
    tot = 0.0
    scale = 0.0
    for i in range(n):
        cp = s * c[i]
        tot += V[i] * (a * (0.5 * rho[i] * rho[i] - rho[i] * cp) + Wcoef * cp * cp)
        scale += V[i] * (a * (0.5 * rho[i] * rho[i] + abs(rho[i] * cp)) + Wcoef * cp * cp)
    for i in range(n - 1):
        d = s * (c[i + 1] - c[i])
        tot += 0.5 * Af[i] * d * d
        scale += 0.5 * Af[i] * d * d
    return tot, scale


@njit(cache=True)
def _mass_stats(rho, V):
    """(sum V rho, sum V |rho|, min rho, max |rho|); NaN propagates into the sums."""
    m = 0.0
    am = 0.0
    lo = np.inf
    hi = 0.0
    for i in range(rho.size):
        m += V[i] * rho[i]
        am += V[i] * abs(rho[i])
        lo = min(lo, rho[i])
        hi = max(hi, abs(rho[i]))
    return m, am, lo, hi


@njit(cache=True)
def _split_steps(rho, c, V, Af, chi0, D0, f0, nu0, g0, dt, n_steps, sign, W_every, a, Wout, Wcoef, check_W,
                 factor, info):
    """Advance n_steps; after each step verify mass, rho >= 0 and (check_W) W non-increasing to round-off.

    On the first violation stop and set info = (code, step (1-based), value, allowance, previous value);
    code 1: mass, 2: rho < 0, 3: W rose, 4: non-finite state. info[0] stays 0 if every step passed.
    """
    n = rho.size
    lo = np.empty(n)
    di = np.empty(n)
    up = np.empty(n)
    rhs = np.empty(n)
    newc = np.empty(n)
    newr = np.empty(n)
    k = 0
    s = chi0 / D0
    eps = 2.220446049250313e-16  # np.finfo(np.float64).eps
    mass_prev, _, _, _ = _mass_stats(rho, V)
    W_prev, _ = _w_and_scale(rho, c, V, Af, s, a, Wcoef)
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
        tot, scale = _w_and_scale(rho, c, V, Af, s, a, Wcoef)
        if W_every > 0 and (step + 1) % W_every == 0:
            Wout[k] = tot
            k += 1
        mass, abs_mass, rho_min, rho_max = _mass_stats(rho, V)
        c_ok = True
        for i in range(n):
            if not math.isfinite(c[i]):
                c_ok = False
        info[1] = step + 1
        if not (math.isfinite(mass) and math.isfinite(abs_mass) and math.isfinite(tot) and math.isfinite(scale)
                and c_ok):
            info[0] = 4
            return
        allow = factor * n * eps * abs_mass
        if not abs(mass - mass_prev) <= allow:
            info[0], info[2], info[3], info[4] = 1, mass, allow, mass_prev
            return
        allow = factor * eps * rho_max
        if not rho_min >= -allow:
            info[0], info[2], info[3], info[4] = 2, rho_min, allow, 0.0
            return
        allow = factor * n * eps * scale
        if check_W and not tot - W_prev <= allow:
            info[0], info[2], info[3], info[4] = 3, tot, allow, W_prev
            return
        mass_prev = mass
        W_prev = tot
    info[1] = n_steps


class DiscSolver:
    """Conservative, energy-stable split scheme for Eqs. (1)-(2) under radial symmetry.

    Parameters
    ----------
    params : DiscParams
        Model coefficients (all > 0) and disc radius.
    n_cells : int
        Number of finite-volume cells (>= 8; Python or numpy integer; refused up front if its arrays
        would not fit in the memory available).
    chemotaxis_sign : float
        +1 for the model; -1 gives a deliberately wrong (repulsive) model, for which W is not a
        Lyapunov functional (only mass and rho >= 0 are verified).
    """

    def __init__(self, params: DiscParams, n_cells: int, chemotaxis_sign: float = 1.0) -> None:
        if not isinstance(params, DiscParams):
            raise ValueError(f"params must be a DiscParams, got {type(params).__name__}")
        n_cells = val.integer(n_cells, "n_cells", lo=8)
        # a run holds about 12 float64 arrays of n cells (state, grid, solver work arrays)
        val.require_memory(12 * 8 * float(n_cells), f"DiscSolver with n_cells = {n_cells}", _SIZE_FIX)
        self.params = params
        self.grid = RadialGrid(params.radius, n_cells)
        if chemotaxis_sign not in (1, -1) or isinstance(chemotaxis_sign, (bool, np.bool_)):
            raise ValueError(f"chemotaxis_sign must be +1 (the model) or -1 (repulsive), got {chemotaxis_sign!r}")
        self.sign = float(chemotaxis_sign)

    def run(self, rho0: np.ndarray, c0: np.ndarray, dt: float, n_steps: int,
            W_every: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Advance ``n_steps`` of size ``dt`` and return (rho, c, W every ``W_every`` steps).

        Parameters
        ----------
        rho0, c0 : np.ndarray
            Cell values at the start, shape (n_cells,), finite and >= 0.
        dt : float
            Time step [time], > 0.
        n_steps : int
            Steps to take (>= 0; refused up front if ``n_steps x n_cells`` exceeds the work cap).
        W_every : int
            Record W after every ``W_every``-th step (0: no record).

        Returns
        -------
        rho, c : np.ndarray
            The state after ``n_steps`` steps.
        W : np.ndarray
            The recorded values of W [rescaled units], ``n_steps // W_every`` of them.

        Raises
        ------
        DiscGuaranteeError
            After the first step that breaks a guarantee, verified after every step: the mass
            sum(V rho) moved by more than ``ROUNDOFF_FACTOR n eps sum(V |rho|)``, a cell fell below
            ``-ROUNDOFF_FACTOR eps max(rho)``, W rose by more than ``ROUNDOFF_FACTOR n eps`` times the
            sum of the absolute values of its terms (model sign only), or the state left finite
            arithmetic. The message names the step, the time since the start of this run and the
            quantity; a smaller ``dt`` is the remedy.
        """
        dt = val.positive(dt, "dt")
        n_steps = val.integer(n_steps, "n_steps", lo=0)
        W_every = val.integer(W_every, "W_every (0: no W record)", lo=0)
        n = self.grid.n
        rho = val.real_array(rho0, "rho0", lo=0.0).copy()
        c = val.real_array(c0, "c0", lo=0.0).copy()
        if rho.shape != (n,) or c.shape != (n,):
            raise ValueError(f"rho0 and c0 must have shape ({n},) (n_cells), got {rho.shape} and {c.shape}")
        p = self.params
        nW = n_steps // W_every if W_every > 0 else 0
        val.require_memory(8.0 * nW, f"DiscSolver.run W record of {nW} values", "a larger W_every")
        val.require_work(float(n_steps) * n, unit="cell-steps", ns_per_unit=NS_PER_CELL_STEP_SPLIT,
                         what=f"DiscSolver.run with {n_steps} steps on {n} cells", fix=_WORK_FIX)
        Wout = np.empty(nW)
        info = np.zeros(5)
        _split_steps(rho, c, self.grid.volumes, self.grid.faces, p.chi0, p.D0, p.f0, p.nu0, p.g0, dt, n_steps,
                     self.sign, W_every, p.a, Wout, p.g0 / (2 * p.nu0), self.sign > 0, ROUNDOFF_FACTOR, info)
        if info[0] != 0:
            raise DiscGuaranteeError(self._violation(info, dt, n_steps))
        return rho, c, Wout

    def _violation(self, info: np.ndarray, dt: float, n_steps: int) -> str:
        code, step, value, allow, before = int(info[0]), int(info[1]), info[2], info[3], info[4]
        n = self.grid.n
        where = (f"DiscSolver.run: step {step} of {n_steps} (t = {step * dt:.6g} after the start of this run, "
                 f"dt = {dt:g}, {n} cells)")
        fix = ("; the scheme's guarantees hold only to round-off, which the linear solves lose at large dt: "
               "use a smaller dt")
        if code == 1:
            return (f"{where}: mass sum(V rho) changed from {before:.17g} to {value:.17g} in one step, by more than "
                    f"the round-off allowance {allow:.3g} ({ROUNDOFF_FACTOR:g} n eps sum(V |rho|)){fix}")
        if code == 2:
            return (f"{where}: rho became negative, min rho = {value:.6g} < -{allow:.3g} "
                    f"({ROUNDOFF_FACTOR:g} eps max(rho)){fix}")
        if code == 3:
            return (f"{where}: W rose from {before:.17g} to {value:.17g}, by more than the round-off allowance "
                    f"{allow:.3g} ({ROUNDOFF_FACTOR:g} n eps sum|terms of W|){fix}")
        return (f"{where}: rho or c left finite arithmetic (blow-up of the scheme) with coefficients "
                f"{self.params}: reduce dt or rescale the coefficients")


# -- the seed's FTCS scheme ------------------------------------------------------------
@njit(cache=True)
def _ftcs_steps(rho, c, h, chi0, D0, f0, nu0, g0, dt, n_steps):
    """Advance n_steps; return 0, or the 1-based step after which rho or c first left finite arithmetic."""
    n = rho.size
    nr = np.empty(n)
    nc = np.empty(n)
    for step in range(n_steps):
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
        finite = True
        for j in range(n):
            rho[j] = nr[j]
            c[j] = nc[j]
            if not (math.isfinite(nr[j]) and math.isfinite(nc[j])):
                finite = False
        if not finite:
            return step + 1
    return 0


def ftcs_paper(params: DiscParams, rho0: np.ndarray, c0: np.ndarray, dt: float, n_steps: int) -> tuple:
    """The seed's FTCS integration of Eqs. (49)-(50) on nodes r_j = j h, h = l/(N-1).

    Kept as the seed wrote it (no positivity or mass guarantee: ``ants.fig6_ftcs`` shows rho < 0);
    the only promise is a finite result.

    Parameters
    ----------
    params : DiscParams
        Model coefficients and disc radius.
    rho0, c0 : np.ndarray
        Node values at r_j = j h, 1-D, equal length >= 8, finite.
    dt : float
        Time step [time], > 0 (forward Euler: stable only below about h^2 / (4 max(D0 rho, nu0))).
    n_steps : int
        Steps to take, >= 0 (refused up front if ``n_steps x nodes`` exceeds the work cap).

    Returns
    -------
    tuple of np.ndarray
        (rho, c) after ``n_steps`` steps.

    Raises
    ------
    DiscGuaranteeError
        If the run leaves finite arithmetic (FTCS past its stability limit), naming the step and time.
    """
    if not isinstance(params, DiscParams):
        raise ValueError(f"params must be a DiscParams, got {type(params).__name__}")
    dt = val.positive(dt, "dt")
    n_steps = val.integer(n_steps, "n_steps", lo=0)
    rho = val.real_array(rho0, "rho0", ndim=1).copy()
    c = val.real_array(c0, "c0", ndim=1).copy()
    if rho.size < 8 or c.shape != rho.shape:
        raise ValueError(f"rho0 and c0 must be node arrays of equal length >= 8, got shapes {rho.shape} and {c.shape}")
    n = rho.size
    val.require_memory(6 * 8 * float(n), f"ftcs_paper on {n} nodes", _SIZE_FIX)
    val.require_work(float(n_steps) * n, unit="cell-steps", ns_per_unit=NS_PER_CELL_STEP_FTCS,
                     what=f"ftcs_paper with {n_steps} steps on {n} nodes", fix=_WORK_FIX)
    h = params.radius / (n - 1)
    bad = _ftcs_steps(rho, c, h, params.chi0, params.D0, params.f0, params.nu0, params.g0, dt, n_steps)
    if bad:
        raise DiscGuaranteeError(f"ftcs_paper: rho or c left finite arithmetic at step {bad} of {n_steps} "
                                 f"(t = {bad * dt:.6g} after the start, dt = {dt:g}, h = {h:.4g}): forward Euler is "
                                 "unstable at this dt; use a smaller dt (about h^2 / (4 max(D0 rho, nu0)))")
    return rho, c
