"""Keller-Segel chemotaxis on periodic grids: the [CHEMOTAXIS] §6.4 algorithm, a finite-volume scheme, and 2D.

1D model ([CHEMOTAXIS] §6.4)::

    u_t = D_u u_xx - chi0 (u v_x)_x,        v_t = D_v v_xx + u - a v,

on [0, L) with periodic boundaries. u is the cell density, v the chemoattractant.

2D model (the VisualPDE "KellerSegel" preset quoted in [CHEMOTAXIS] §6.2)::

    u_t = lap u - div(chi(u) grad v) + u (1 - u),   v_t = D lap v + u - a v,
    chi(u) = c u / (1 + u^2),

on the periodic square [0, L)^2.

Three solvers live here:

* :func:`seed_scheme_run` -- the algorithm of [CHEMOTAXIS] §6.4 rewritten as a baseline
  (explicit Euler, nodal flux ``J_i = chi0 u_i (v_{i+1} - v_{i-1}) / (2 dx)``, backward
  divergence ``(J_i - J_{i-1}) / dx``, clipping of u and v at 0, the seed's step rule).
  It records how much mass the clipping injects and when u first goes negative.
* :func:`fv_run` -- a conservative, positivity-preserving finite-volume scheme (numba
  time loop) and its numpy twin (``fv_run(..., backend="numpy")``); see :func:`fv_time_step` for the
  step rule and the positivity proof.
* :func:`ks2d_run` -- the same finite-volume construction in 2D for the preset (numba),
  with the numpy twin ``ks2d_run(..., backend="numpy")``.

Limits (issue 13): every parameter is checked by :mod:`verification.validation` (the message
names it); the parameter objects refuse coefficients whose diffusive step limit under- or
overflows; each run estimates its work (cell-steps, from the largest step the rule allows)
and its arrays before starting and refuses what exceeds the work cap or the free memory
(:class:`verification.validation.LimitError`); the time loops stop at the cap when a
data-dependent step shrinks further, and a non-finite state raises
:class:`NonFiniteStateError` with the time instead of being returned.
"""

from __future__ import annotations

import math
import numbers
import sys
from dataclasses import dataclass

import numpy as np
from numba import njit

from verification import validation as val

#: Default safety factor of the 1D finite-volume step rule (positivity needs theta <= 1/2).
THETA_1D = 0.4
#: Default safety factor of the 2D finite-volume step rule (positivity needs theta <= 1/3).
THETA_2D = 0.3
#: Minimum number of cells per wavelength of a requested Fourier mode.
MIN_CELLS_PER_WAVELENGTH = 4
#: Lower estimates of the cost of one cell-step on one core [ns], for the work caps. Measured on
#: this machine (2 shared cores, CPU time, min of 3): 1D numba 6.3-7.1 ns (n = 200-2000; 12-15 ns
#: wall under load), 1D numpy twin 240 ns (n = 2000), 2D numba 40-59 ns wall (n = 8-256), 2D numpy
#: 110-250 ns (n = 64-256), seed scheme (numpy) 129 ns (n = 2000); rounded well down.
NS_PER_CELL_STEP = {"fv1d_numba": 5.0, "fv1d_numpy": 10.0, "ks2d_numba": 15.0, "ks2d_numpy": 30.0, "seed": 20.0}
_TINY = sys.float_info.min  # smallest normal float: a step limit below it is lost to underflow


class NonFiniteStateError(RuntimeError):
    """A run whose fields became non-finite (raised with the time instead of returning them)."""


def _step_limit(name: str, value: float, why: str) -> None:
    """Refuse a derived step limit that underflows (or is not finite), naming the parameter to change."""
    if not (math.isfinite(value) and value >= _TINY):
        raise ValueError(f"{name} gives a step limit {why} = {value!r}, which under- or overflows the float range "
                         f"(it must lie in [{_TINY:.3g}, inf)); rescale the units")


@dataclass(frozen=True, slots=True)
class KellerSegel1DParams:
    """Minimal 1D Keller-Segel model on a periodic interval ([CHEMOTAXIS] §6.4).

    Parameters
    ----------
    length : float
        L [length], > 0. Seed: 100.
    n_cells : int
        Number of cells (grid points), >= 8. Seed: 200.
    d_u : float
        Cell diffusivity D_u [length^2/time], > 0. Seed: 1.
    d_v : float
        Chemoattractant diffusivity D_v [length^2/time], > 0. Seed: 20.
    chi0 : float
        Chemotactic sensitivity chi0 [length^2/(time * units of v)], > 0. Seed: 40 (default 25).
    decay : float
        Degradation rate a of v [1/time], > 0 (production rate 1). Seed: 1.
    """

    length: float = 100.0
    n_cells: int = 200
    d_u: float = 1.0
    d_v: float = 20.0
    chi0: float = 25.0
    decay: float = 1.0

    def __post_init__(self) -> None:
        """Validate every coefficient at the boundary, before any work.

        Besides the ranges, the step limits of :func:`fv_time_step` must be normal floats:
        dx = L / n_cells, dx^2 / (2 max(D_u, D_v)) and 1 / a (the message names the parameter).
        """
        for name in ("length", "d_u", "d_v", "chi0", "decay"):
            val.positive(getattr(self, name), name)
        n = val.integer(self.n_cells, "n_cells", lo=8)
        dx = float(self.length) / n
        _step_limit("length", dx, "dx = length / n_cells")
        _step_limit("length", dx * dx, "dx^2 = (length / n_cells)^2")
        d_max = max(float(self.d_u), float(self.d_v))
        _step_limit("d_u" if self.d_u >= self.d_v else "d_v", dx * dx / (2.0 * d_max), "dx^2 / (2 max(d_u, d_v))")
        _step_limit("decay", 1.0 / float(self.decay), "1 / decay")

    @property
    def dx(self) -> float:
        """Cell width L / n_cells [length]."""
        return self.length / self.n_cells

    def x(self) -> np.ndarray:
        """Cell centres (grid points) i dx, shape (n_cells,)."""
        val.require_memory(16.0 * self.n_cells, f"the grid of n_cells = {self.n_cells} cells", "fewer cells (n_cells)")
        return np.arange(self.n_cells) * self.dx

    def max_step(self, theta: float = THETA_1D) -> float:
        """The largest step the rule of :func:`fv_time_step` allows, theta min(dx^2 / (2 max D), 1 / a) [time]."""
        return theta * min(self.dx**2 / (2 * max(self.d_u, self.d_v)), 1.0 / self.decay)

    def wavenumber(self, mode: int) -> float:
        """K = 2 pi mode / L [1/length] of an integer mode, after checking the grid resolves it.

        Raises
        ------
        ValueError
            If ``mode`` is not an int in [1, n_cells / MIN_CELLS_PER_WAVELENGTH].
        """
        return 2 * math.pi * _mode(mode, self.n_cells) / self.length


def _mode(mode: int, n: int) -> int:
    """An integer mode in [1, n / MIN_CELLS_PER_WAVELENGTH] (numpy ints accepted)."""
    top = n // MIN_CELLS_PER_WAVELENGTH
    try:
        return val.integer(mode, "mode", lo=1, hi=top)
    except ValueError as exc:
        raise ValueError(f"{exc} (>= {MIN_CELLS_PER_WAVELENGTH} cells per wavelength on {n} cells): the grid is "
                         f"too coarse for mode {mode!r}") from None


def _check_fields(params, u0: np.ndarray, v0: np.ndarray, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Copies of u0 and v0 as float arrays of ``shape``, finite and >= 0 (densities)."""
    u = np.array(val.real_array(u0, "u0", shape=shape, lo=0.0))
    v = np.array(val.real_array(v0, "v0", shape=shape, lo=0.0))
    return u, v


def _check_times(times) -> np.ndarray:
    """Output times: a number or a non-empty non-decreasing sequence of finite values >= 0."""
    if isinstance(times, numbers.Real) and not isinstance(times, (bool, np.bool_)):
        times = [times]
    return val.times_array(times, "times")


def _check_theta(theta: float, top: float) -> float:
    return val.real(theta, "theta", lo=0.0, hi=top, lo_open=True)


def _limits(what: str, cells: int, n_fields: int, n_times: int, span: float, max_step: float, kind: str,
            fix_cells: str) -> int:
    """Refuse a run whose arrays or work exceed the machine's limits; return the step budget of the cap.

    Memory: ``n_fields`` arrays of ``cells`` float64 values plus 2 per output time. Work: at
    least span / max_step steps (the step rule never allows more than max_step) of ``cells``
    cells each, at NS_PER_CELL_STEP[kind].
    """
    val.require_memory(8.0 * cells * (n_fields + 2 * n_times), what, f"fewer cells ({fix_cells}) or fewer times")
    steps = span / max_step if max_step > 0 else math.inf
    ns = NS_PER_CELL_STEP[kind]
    val.require_work(steps * cells, unit="cell-steps", ns_per_unit=ns,
                     what=f"{what} to t = {span:g} (>= {steps:.3g} steps of dt <= {max_step:.3g})",
                     fix=f"a shorter time, smaller coefficients or fewer cells ({fix_cells})")
    return int(min(val.max_hours() * 3600.0 / (ns * 1e-9) / cells, 2.0**62))


def _check_finite(what: str, t: float, u: np.ndarray, v: np.ndarray) -> None:
    """Raise NonFiniteStateError if u or v holds a non-finite value at time t."""
    for name, f in (("u", u), ("v", v)):
        if not np.all(np.isfinite(f)):
            raise NonFiniteStateError(f"{what}: {name} became non-finite by t = {t:g} ({name} has "
                                      f"{int(np.count_nonzero(~np.isfinite(f)))} non-finite cells)")


# -- [CHEMOTAXIS] §6.4 algorithm (baseline) ------------------------------------------------------
@dataclass
class SeedRunRecord:
    """What :func:`seed_scheme_run` returns.

    Attributes
    ----------
    u, v : ndarray
        Fields at the recorded times, shape (n_times, n_cells).
    times : ndarray
        Times actually reached (the seed takes int(T / dt) steps, so the last may fall short of T).
    dt : float
        Step used [time].
    n_steps : int
        Steps taken.
    mass : ndarray
        dx * sum(u) after every step (index 0 = initial), shape (n_steps + 1,).
    clipped_mass : float
        Total mass dx * sum(max(0, -u_new)) added by clipping u at 0.
    first_negative_time : float
        Time of the first step whose unclipped u had a negative entry (nan if none).
    n_clipped_steps : int
        Number of steps in which clipping changed u.
    blew_up : bool
        True if a non-finite value appeared (the seed then stops).
    """

    u: np.ndarray
    v: np.ndarray
    times: np.ndarray
    dt: float
    n_steps: int
    mass: np.ndarray
    clipped_mass: float
    first_negative_time: float
    n_clipped_steps: int
    blew_up: bool


def seed_time_step(params: KellerSegel1DParams, t_end: float, n_steps: int) -> tuple[float, int]:
    """The [CHEMOTAXIS] §6.4 step rule: dt = T/Nt, replaced by 0.2 dx^2/(2 max D) only if above dx^2/(2 max D).

    Returns ``(dt, n_steps)``; when the rule triggers, the step count becomes int(T / dt).

    Raises
    ------
    ValueError
        If ``t_end`` is not a finite number > 0, ``n_steps`` not an integer >= 1 (numpy ints
        accepted; 2.7 refused, never truncated), or T / dt overflows.
    """
    val.positive(t_end, "t_end")
    n_steps = val.integer(n_steps, "n_steps", lo=1)
    dt = t_end / n_steps
    limit = params.dx**2 / (2 * max(params.d_u, params.d_v))
    if dt > limit:
        dt = 0.2 * limit
        if not math.isfinite(t_end / dt):
            raise val.LimitError(f"t_end = {t_end!r} needs t_end / dt = inf steps of dt = {dt:.3g}; "
                                 "use a shorter t_end")
        n_steps = int(t_end / dt)
    return dt, n_steps


def seed_scheme_run(params: KellerSegel1DParams, u0: np.ndarray, v0: np.ndarray, t_end: float,
                    n_steps: int, record_every: int = 0, clip: bool = True) -> SeedRunRecord:
    """Run the [CHEMOTAXIS] §6.4 algorithm (rewritten; numpy), recording mass and clipping.

    Per step (periodic, forward Euler)::

        v'_i  = (v_{i+1} - v_{i-1}) / (2 dx),   J_i = chi0 u_i v'_i,
        u_i  += dt [D_u (u_{i+1} - 2 u_i + u_{i-1}) / dx^2 - (J_i - J_{i-1}) / dx]
        v_i  += dt [D_v (v_{i+1} - 2 v_i + v_{i-1}) / dx^2 + u_i - a v_i]
        u, v  = max(u, 0), max(v, 0)            (if ``clip``)

    The sum of (J_i - J_{i-1}) telescopes, so without clipping sum(u) is conserved to
    round-off; clipping adds exactly the clipped negative mass.

    Parameters
    ----------
    params : KellerSegel1DParams
    u0, v0 : ndarray, shape (n_cells,)
        Initial fields, >= 0.
    t_end : float
        T [time] > 0.
    n_steps : int
        Nt; the step rule of :func:`seed_time_step` may change it.
    record_every : int
        Record the fields every this many steps (0: only the start and the end).
    clip : bool
        Apply the seed's clipping (default, as the seed).

    Raises
    ------
    ValueError
        For a bad argument (named); :class:`verification.validation.LimitError` when the
        steps x cells or the arrays exceed the work cap or the free memory.
    """
    record_every = val.integer(record_every, "record_every", lo=0)
    val.choice(clip, "clip", (True, False))
    dt, n_steps = seed_time_step(params, t_end, n_steps)
    n = params.n_cells
    n_rec = (n_steps // record_every if record_every else 0) + 2
    what = f"seed_scheme_run of {n_steps} steps on n_cells = {n}"
    val.require_memory(8.0 * (n_steps + 1) + 8.0 * n * (2 * n_rec + 16), what,
                       "fewer steps (n_steps, t_end), fewer cells or a larger record_every")
    val.require_work(float(n_steps) * n, unit="cell-steps", ns_per_unit=NS_PER_CELL_STEP["seed"], what=what,
                     fix="a shorter t_end or fewer cells (n_cells)")
    u, v = _check_fields(params, u0, v0, (params.n_cells,))
    dx, du, dv, chi0, a = params.dx, params.d_u, params.d_v, params.chi0, params.decay
    mass = np.empty(n_steps + 1)
    mass[0] = dx * u.sum()
    rec_u, rec_v, rec_t = [u.copy()], [v.copy()], [0.0]
    clipped, first_neg, n_clip, blew = 0.0, math.nan, 0, False
    taken = 0
    for n in range(n_steps):
        up, um = np.roll(u, -1), np.roll(u, 1)
        vp, vm = np.roll(v, -1), np.roll(v, 1)
        flux = chi0 * u * (vp - vm) / (2 * dx)
        u_new = u + dt * (du * (up - 2 * u + um) / dx**2 - (flux - np.roll(flux, 1)) / dx)
        v_new = v + dt * (dv * (vp - 2 * v + vm) / dx**2 + u - a * v)
        neg = u_new < 0
        if neg.any():
            if math.isnan(first_neg):
                first_neg = (n + 1) * dt
            if clip:
                clipped += -dx * float(u_new[neg].sum())
                n_clip += 1
        if clip:
            np.maximum(u_new, 0.0, out=u_new)
            np.maximum(v_new, 0.0, out=v_new)
        if not (np.all(np.isfinite(u_new)) and np.all(np.isfinite(v_new))):
            blew = True
            break
        u, v = u_new, v_new
        taken = n + 1
        mass[taken] = dx * u.sum()
        if record_every and taken % record_every == 0 and taken != n_steps:
            rec_u.append(u.copy())
            rec_v.append(v.copy())
            rec_t.append(taken * dt)
    rec_u.append(u.copy())
    rec_v.append(v.copy())
    rec_t.append(taken * dt)
    return SeedRunRecord(np.array(rec_u), np.array(rec_v), np.array(rec_t), dt, taken, mass[:taken + 1],
                         clipped, first_neg, n_clip, blew)


# -- 1D finite-volume scheme --------------------------------------------------------------
def fv_time_step(params: KellerSegel1DParams, v: np.ndarray, theta: float = THETA_1D) -> float:
    """Step of the finite-volume scheme: the diffusion and the chemotactic Peclet limits.

    Rule (w_{i+1/2} = chi0 (v_{i+1} - v_i) / dx is the face velocity)::

        dt = theta * min( dx^2 / (2 max(D_u, D_v)),  dx / (2 max_i |w_{i+1/2}|),  1 / a ),   0 < theta <= 1/2.

    Positivity under the rule. The explicit update of cell i is
    ``u_i^+ = c_0 u_i + c_+ u_{i+1} + c_- u_{i-1}`` with
    ``c_+ = D_u dt/dx^2 - dt/dx min(w_{i+1/2}, 0) >= 0``,
    ``c_- = D_u dt/dx^2 + dt/dx max(w_{i-1/2}, 0) >= 0`` and
    ``c_0 = 1 - 2 D_u dt/dx^2 - dt/dx (max(w_{i+1/2}, 0) - min(w_{i-1/2}, 0))
    >= 1 - theta - 2 max|w| dt/dx >= 1 - 2 theta >= 0``. A combination of non-negative
    values with non-negative weights is non-negative, so u >= 0 is kept. Likewise
    ``v_i^+ = (1 - 2 D_v dt/dx^2 - a dt) v_i + D_v dt/dx^2 (v_{i+1} + v_{i-1}) + dt u_i`` has
    weights >= 1 - 2 theta >= 0. Mass: the update is a difference of face fluxes, whose
    sum over a periodic grid telescopes to zero, so dx * sum(u) is constant up to round-off.
    """
    _check_theta(theta, 0.5)
    v = val.real_array(v, "v", shape=(params.n_cells,))
    dx = params.dx
    w = params.chi0 * np.abs(np.roll(v, -1) - v) / dx
    wmax = float(w.max()) if w.size else 0.0
    dt = dx**2 / (2 * max(params.d_u, params.d_v))
    if wmax > 0:
        dt = min(dt, dx / (2 * wmax))
    return theta * min(dt, 1.0 / params.decay)


@njit(cache=True, inline="always")
def minmod(p, q):  # pragma: no cover - compiled
    """The minmod limiter: the argument of smaller magnitude if both have one sign, else 0 (also used in 2D)."""
    if p * q <= 0.0:
        return 0.0
    return p if abs(p) < abs(q) else q


@njit(cache=True)
def _fv1d_advance(u, v, dx, d_u, d_v, chi0, a, t_span, theta, limited, max_steps):  # pragma: no cover - compiled
    """Advance (u, v) in place by t_span with the rule of ``fv_time_step``; return (steps, min u seen, t reached).

    ``limited``: minmod-reconstructed face values instead of first-order upwind cell values.
    Stops early (t < t_span) after ``max_steps`` steps or when the step is not a number > 0.
    """
    n = u.size
    flux = np.empty(n)
    slope = np.zeros(n)
    un = np.empty(n)
    vn = np.empty(n)
    dt_diff = dx * dx / (2.0 * max(d_u, d_v))
    t = 0.0
    steps = 0
    umin = u.min()
    while t < t_span * (1.0 - 1e-14) and steps < max_steps:
        wmax = 0.0
        if limited:
            for i in range(n):
                im = i - 1 if i > 0 else n - 1
                ip = i + 1 if i + 1 < n else 0
                slope[i] = 0.5 * minmod(u[i] - u[im], u[ip] - u[i])
        for i in range(n):
            j = i + 1 if i + 1 < n else 0
            w = chi0 * (v[j] - v[i]) / dx
            if abs(w) > wmax:
                wmax = abs(w)
            # face i+1/2: upwind advection (of reconstructed face values if limited) + central diffusion
            adv = w * (u[i] + slope[i]) if w > 0.0 else w * (u[j] - slope[j])
            flux[i] = adv - d_u * (u[j] - u[i]) / dx
        dt = dt_diff
        if wmax > 0.0:
            dt = min(dt, dx / (2.0 * wmax))
        dt = theta * min(dt, 1.0 / a)
        if not dt > 0.0:
            break
        if t + dt > t_span:
            dt = t_span - t
        for i in range(n):
            im = i - 1 if i > 0 else n - 1
            ip = i + 1 if i + 1 < n else 0
            un[i] = u[i] - dt / dx * (flux[i] - flux[im])
            vn[i] = v[i] + dt * (d_v * (v[ip] - 2.0 * v[i] + v[im]) / (dx * dx) + u[i] - a * v[i])
        for i in range(n):
            u[i] = un[i]
            v[i] = vn[i]
            if un[i] < umin:
                umin = un[i]
        t += dt
        steps += 1
    return steps, umin, t


def _fv1d_advance_numpy(u, v, dx, d_u, d_v, chi0, a, t_span, theta, limited, max_steps):
    """Numpy twin of ``_fv1d_advance`` (same arithmetic, vectorized)."""
    t, steps, umin = 0.0, 0, float(u.min())
    dt_diff = dx * dx / (2.0 * max(d_u, d_v))
    while t < t_span * (1.0 - 1e-14) and steps < max_steps:
        up, vp = np.roll(u, -1), np.roll(v, -1)
        if limited:
            back, fwd = u - np.roll(u, 1), up - u
            slope = 0.5 * np.where(back * fwd <= 0.0, 0.0, np.where(np.abs(back) < np.abs(fwd), back, fwd))
        else:
            slope = np.zeros_like(u)
        w = chi0 * (vp - v) / dx
        flux = np.where(w > 0.0, w * (u + slope), w * (up - np.roll(slope, -1))) - d_u * (up - u) / dx
        wmax = float(np.abs(w).max())
        dt = min(dt_diff, dx / (2.0 * wmax)) if wmax > 0 else dt_diff
        dt = theta * min(dt, 1.0 / a)
        if not dt > 0.0:
            break
        dt = min(dt, t_span - t)
        u_new = u - dt / dx * (flux - np.roll(flux, 1))
        v[:] = v + dt * (d_v * (vp - 2.0 * v + np.roll(v, 1)) / (dx * dx) + u - a * v)
        u[:] = u_new
        umin = min(umin, float(u.min()))
        t += dt
        steps += 1
    return steps, umin, t


@dataclass
class FVRunRecord:
    """What :func:`fv_run` returns: fields at ``times`` (shape (n_times, ...)), steps taken, min u seen."""

    u: np.ndarray
    v: np.ndarray
    times: np.ndarray
    n_steps: int
    min_u: float


def _record_at_times(advance, u: np.ndarray, v: np.ndarray, t: np.ndarray, budget: int, what: str) -> FVRunRecord:
    """Advance (u, v) in place through the output times ``t``; ``advance(span, max_steps) -> (steps, min u, t)``.

    Raises LimitError when the steps exceed ``budget`` (the work cap in steps) before the last
    time, and NonFiniteStateError when the fields or the step stop being finite numbers.
    """
    out_u, out_v = np.empty((t.size, *u.shape)), np.empty((t.size, *u.shape))
    now, total, umin = 0.0, 0, float(u.min())
    for k, tk in enumerate(t):
        if tk > now:
            span = tk - now
            s, m, reached = advance(span, budget - total)
            total += int(s)
            umin = min(umin, float(m))
            _check_finite(what, now + reached, u, v)
            if reached < span * (1.0 - 1e-14):
                if total >= budget:
                    raise val.LimitError(
                        f"{what}: the data-dependent step shrank; after {total} steps (the work cap, "
                        f"{val.max_hours():g} h; set ACTIVEBENCH_MAX_HOURS to change it) t = {now + reached:.6g} of "
                        f"{tk:g}; use a shorter time or smaller coefficients")
                raise NonFiniteStateError(f"{what}: the time step stopped being a number > 0 at t = {now + reached:g} "
                                          f"(after {total} steps)")
            now = tk
        out_u[k], out_v[k] = u, v
    return FVRunRecord(out_u, out_v, t, total, umin)


def fv_run(params: KellerSegel1DParams, u0: np.ndarray, v0: np.ndarray, times, theta: float = THETA_1D,
           backend: str = "numba", flux: str = "upwind") -> FVRunRecord:
    """Solve the 1D model with the finite-volume scheme and return the fields at ``times``.

    Face fluxes ``F_{i+1/2} = w^+ u_i + w^- u_{i+1} - D_u (u_{i+1} - u_i)/dx`` (upwind
    chemotaxis with ``w = chi0 (v_{i+1} - v_i)/dx``, central diffusion), forward Euler,
    step rule and positivity proof in :func:`fv_time_step`; v by the three-point
    Laplacian. Linearized about a uniform state the upwind term is exactly the central
    ``-chi0 u* (v_{i+1} - 2 v_i + v_{i-1})/dx^2``, so the scheme's symbol is the
    continuum one with k^2 -> 4 sin^2(k dx/2)/dx^2.

    Parameters
    ----------
    params : KellerSegel1DParams
    u0, v0 : ndarray, shape (n_cells,)
        Initial fields, >= 0.
    times : sequence of float
        Output times [time], non-decreasing, >= 0.
    theta : float
        Safety factor in (0, 1/2].
    backend : {"numba", "numpy"}
        The compiled time loop or its numpy twin.
    flux : {"upwind", "minmod"}
        First-order upwind cell values (default), or minmod-limited linear reconstruction
        (second order where smooth). Minmod face values lie in [u_i/2, 3 u_i/2], so the
        outflow of cell i is at most 3 max|w| dt/dx u_i <= 1.5 theta u_i and
        u_i^+ >= u_i (1 - theta - 1.5 theta) >= 0 for theta <= 0.4 (the default).

    Raises
    ------
    ValueError
        For a bad argument (the message names it).
    verification.validation.LimitError
        When the arrays exceed the free memory, or the work exceeds the cap: up front from
        at least t_last / (theta min(dx^2 / (2 max D), 1 / a)) steps of n_cells cells, and
        during the run when the chemotactic limit makes the steps smaller still.
    NonFiniteStateError
        If u or v becomes non-finite (with the time).
    """
    t = _check_times(times)
    val.choice(flux, "flux", ("upwind", "minmod"))
    _check_theta(theta, 0.5 if flux == "upwind" else 0.4)
    val.choice(backend, "backend", ("numba", "numpy"))
    budget = _limits(f"fv_run on n_cells = {params.n_cells}", params.n_cells, 16, t.size, float(t[-1]),
                     params.max_step(theta), f"fv1d_{backend}", "n_cells")
    u, v = _check_fields(params, u0, v0, (params.n_cells,))
    step = _fv1d_advance if backend == "numba" else _fv1d_advance_numpy
    return _record_at_times(lambda span, cap: step(u, v, params.dx, params.d_u, params.d_v, params.chi0,
                                                   params.decay, span, theta, flux == "minmod", cap),
                            u, v, t, budget, "fv_run")


def fv_solver(params: KellerSegel1DParams, u0: np.ndarray, v0: np.ndarray, times) -> tuple[np.ndarray, np.ndarray]:
    """The 1D solver protocol the checks use: ``(u(times), v(times))``, each of shape (n_times, n_cells)."""
    rec = fv_run(params, u0, v0, times)
    return rec.u, rec.v


# -- 2D preset ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class KellerSegel2DParams:
    """VisualPDE "KellerSegel" preset ([CHEMOTAXIS] §6.2) on a periodic square.

    u_t = lap u - div(chi(u) grad v) + u (1 - u),  v_t = D lap v + u - a v,  chi(u) = c u / (1 + u^2).

    Parameters
    ----------
    length : float
        Side L [length], > 0.
    n : int
        Cells per side, >= 8.
    diffusivity : float
        D [length^2/time] (cells diffuse with 1), > 0. Preset: 1.
    decay : float
        a [1/time], > 0. Preset: 0.1.
    sensitivity : float
        c, > 0. Preset: 4 (patterns for c > 2 (sqrt(D) + sqrt(a))^2 ~ 3.46).
    """

    length: float = 100.0
    n: int = 128
    diffusivity: float = 1.0
    decay: float = 0.1
    sensitivity: float = 4.0

    def __post_init__(self) -> None:
        """Validate every coefficient at the boundary, before any work.

        Besides the ranges, the step limits of :func:`ks2d_run` must be normal floats:
        dx = L / n, dx^2 / (4 max(1, D)) and 1 / a (the message names the parameter).
        """
        for name in ("length", "diffusivity", "decay", "sensitivity"):
            val.positive(getattr(self, name), name)
        n = val.integer(self.n, "n", lo=8)
        dx = float(self.length) / n
        _step_limit("length", dx, "dx = length / n")
        _step_limit("length", dx * dx, "dx^2 = (length / n)^2")
        _step_limit("diffusivity", dx * dx / (4.0 * max(1.0, float(self.diffusivity))), "dx^2 / (4 max(1, D))")
        _step_limit("decay", 1.0 / float(self.decay), "1 / decay")

    @property
    def dx(self) -> float:
        """Cell width L / n [length]."""
        return self.length / self.n

    def wavenumber(self, mode: int) -> float:
        """K = 2 pi mode / L of an integer mode per direction, after checking the grid resolves it."""
        return 2 * math.pi * _mode(mode, self.n) / self.length

    def max_step(self, theta: float = THETA_2D) -> float:
        """The largest step the rule of :func:`ks2d_run` allows, theta min(dx^2 / (4 max(1, D)), 1 / a) [time]."""
        return theta * min(self.dx**2 / (4 * max(1.0, self.diffusivity)), 1.0 / self.decay)


@njit(cache=True)
def _ks2d_advance(u, v, dx, d, a, c, t_span, theta, max_steps):  # pragma: no cover - compiled
    """Advance the 2D preset in place by t_span; return (steps, min u seen, t reached).

    Faces between cell (i, j) and its +x / +y neighbour carry the flux
    ``w^+ chi(u_own) + w^- chi(u_nb) - (u_nb - u_own)/dx`` with w = (v_nb - v_own)/dx.
    Step: dt = theta min(dx^2/(4 max(1, D)), dx/(4 c max|w|), 1/max(u), 1/a). Stops early
    (t < t_span) after ``max_steps`` steps or when the step is not a number > 0.
    """
    n = u.shape[0]
    fx = np.empty((n, n))
    fy = np.empty((n, n))
    un = np.empty((n, n))
    vn = np.empty((n, n))
    dt_diff = dx * dx / (4.0 * max(1.0, d))
    t = 0.0
    steps = 0
    umin = u.min()
    while t < t_span * (1.0 - 1e-14) and steps < max_steps:
        wmax = 0.0
        for i in range(n):
            ip = i + 1 if i + 1 < n else 0
            for j in range(n):
                jp = j + 1 if j + 1 < n else 0
                uo = u[i, j]
                chi_o = c * uo / (1.0 + uo * uo)
                ux = u[ip, j]
                wx = (v[ip, j] - v[i, j]) / dx
                fx[i, j] = (wx * chi_o if wx > 0.0 else wx * c * ux / (1.0 + ux * ux)) - (ux - uo) / dx
                uy = u[i, jp]
                wy = (v[i, jp] - v[i, j]) / dx
                fy[i, j] = (wy * chi_o if wy > 0.0 else wy * c * uy / (1.0 + uy * uy)) - (uy - uo) / dx
                if abs(wx) > wmax:
                    wmax = abs(wx)
                if abs(wy) > wmax:
                    wmax = abs(wy)
        dt = dt_diff
        if wmax > 0.0:
            dt = min(dt, dx / (4.0 * c * wmax))
        umax = u.max()
        if umax > 0.0:
            dt = min(dt, 1.0 / umax)
        dt = theta * min(dt, 1.0 / a)
        if not dt > 0.0:
            break
        if t + dt > t_span:
            dt = t_span - t
        for i in range(n):
            im = i - 1 if i > 0 else n - 1
            ip = i + 1 if i + 1 < n else 0
            for j in range(n):
                jm = j - 1 if j > 0 else n - 1
                jp = j + 1 if j + 1 < n else 0
                uo = u[i, j]
                div = (fx[i, j] - fx[im, j] + fy[i, j] - fy[i, jm]) / dx
                un[i, j] = uo + dt * (-div + uo * (1.0 - uo))
                lap_v = (v[ip, j] + v[im, j] + v[i, jp] + v[i, jm] - 4.0 * v[i, j]) / (dx * dx)
                vn[i, j] = v[i, j] + dt * (d * lap_v + uo - a * v[i, j])
        for i in range(n):
            for j in range(n):
                u[i, j] = un[i, j]
                v[i, j] = vn[i, j]
                if un[i, j] < umin:
                    umin = un[i, j]
        t += dt
        steps += 1
    return steps, umin, t


def _ks2d_advance_numpy(u, v, dx, d, a, c, t_span, theta, max_steps):
    """Numpy twin of ``_ks2d_advance``."""
    def chi(z):
        return c * z / (1.0 + z * z)

    t, steps, umin = 0.0, 0, float(u.min())
    dt_diff = dx * dx / (4.0 * max(1.0, d))
    while t < t_span * (1.0 - 1e-14) and steps < max_steps:
        fluxes, wmax = [], 0.0
        for ax in (0, 1):
            un_, vn_ = np.roll(u, -1, axis=ax), np.roll(v, -1, axis=ax)
            w = (vn_ - v) / dx
            fluxes.append(np.where(w > 0.0, w * chi(u), w * chi(un_)) - (un_ - u) / dx)
            wmax = max(wmax, float(np.abs(w).max()))
        dt = min(dt_diff, dx / (4.0 * c * wmax)) if wmax > 0 else dt_diff
        umax = float(u.max())
        if umax > 0:
            dt = min(dt, 1.0 / umax)
        dt = theta * min(dt, 1.0 / a)
        if not dt > 0.0:
            break
        dt = min(dt, t_span - t)
        div = sum((f - np.roll(f, 1, axis=ax)) / dx for ax, f in enumerate(fluxes))
        lap_v = (np.roll(v, 1, 0) + np.roll(v, -1, 0) + np.roll(v, 1, 1) + np.roll(v, -1, 1) - 4 * v) / dx**2
        u_new = u + dt * (-div + u * (1.0 - u))
        v[:] = v + dt * (d * lap_v + u - a * v)
        u[:] = u_new
        umin = min(umin, float(u.min()))
        t += dt
        steps += 1
    return steps, umin, t


def ks2d_run(params: KellerSegel2DParams, u0: np.ndarray, v0: np.ndarray, times, theta: float = THETA_2D,
             backend: str = "numba") -> FVRunRecord:
    """Solve the 2D preset with the finite-volume scheme; fields at ``times``, shape (n_times, n, n).

    Positivity: the update of u in cell (i, j) is a combination of u_own and the four
    neighbours with weights that are non-negative when 4 dt/dx^2 <= theta,
    4 c max|w| dt/dx <= theta (chi(u) = u m(u) with 0 < m <= c) and dt max u <= theta,
    so the own weight is >= 1 - 3 theta >= 0 for theta <= 1/3. v's weights are
    >= 1 - 4 D dt/dx^2 - a dt >= 1 - 2 theta. Mass changes only through u (1 - u).
    Linearized about (1, 1/a) the symbol is the continuum one with each k_j^2 ->
    4 sin^2(k_j dx/2)/dx^2.

    Parameters
    ----------
    params : KellerSegel2DParams
    u0, v0 : ndarray, shape (n, n)
        Initial fields, >= 0.
    times : sequence of float
        Output times [time].
    theta : float
        Safety factor in (0, 1/3].
    backend : {"numba", "numpy"}

    Raises
    ------
    ValueError
        For a bad argument (the message names it).
    verification.validation.LimitError
        When the arrays exceed the free memory, or the work exceeds the cap: up front from
        at least t_last / (theta min(dx^2 / (4 max(1, D)), 1 / a)) steps of n^2 cells, and
        during the run when the data-dependent limits make the steps smaller still.
    NonFiniteStateError
        If u or v becomes non-finite (with the time).
    """
    t = _check_times(times)
    _check_theta(theta, 1.0 / 3.0)
    val.choice(backend, "backend", ("numba", "numpy"))
    cells = params.n * params.n
    budget = _limits(f"ks2d_run on n^2 = {params.n}^2 cells", cells, 24, t.size, float(t[-1]), params.max_step(theta),
                     f"ks2d_{backend}", "n")
    u, v = _check_fields(params, u0, v0, (params.n, params.n))
    step = _ks2d_advance if backend == "numba" else _ks2d_advance_numpy
    return _record_at_times(lambda span, cap: step(u, v, params.dx, params.diffusivity, params.decay,
                                                   params.sensitivity, span, theta, cap), u, v, t, budget, "ks2d_run")


def ks2d_solver(params: KellerSegel2DParams, u0: np.ndarray, v0: np.ndarray, times) -> tuple[np.ndarray, np.ndarray]:
    """The 2D solver protocol the checks use: ``(u(times), v(times))``, each (n_times, n, n)."""
    rec = ks2d_run(params, u0, v0, times)
    return rec.u, rec.v
