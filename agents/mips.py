"""Run-and-tumble walkers whose speed depends on a smoothed local density ([MIPS] §4).

Each walker runs at speed v(rho~) along a unit vector e and tumbles at rate alpha to a new
direction drawn uniformly (1D: +-1 with probability 1/2 each, so a reversal happens at rate
alpha/2 as in [MIPS] §1; 2D: angle uniform on the circle). The domain is a periodic
interval/square of side L.

Smoothed density rho~ (the kernel, stated once here):

1. deposit the walkers on a grid of cell size h = L / n_cells with cloud-in-cell (linear)
   weights, density = weight / h^d (so the grid integrates to the walker count);
2. average over a box of (2 m + 1) cells in each direction (separable top-hat of side
   ell = (2 m + 1) h, standard deviation ell / sqrt(12) per axis);
3. interpolate back to the walker with cloud-in-cell weights and subtract the walker's own
   contribution, which for m >= 1 is exactly 1 / ell^d wherever the walker sits (its two CIC
   cells per axis are within the box), so rho~ counts the *other* walkers only.

For a plane wave of wavenumber k the transfer function is
K^(k) = sinc^4(k h / 2) * sin((2m+1) k h / 2) / ((2m+1) sin(k h / 2)) per axis (aliases do not
project on k), see :func:`kernel_transfer`.

Time stepping (fixed dt): deposit, smooth, then for every walker: speed from rho~ at its
position, tumble with probability 1 - exp(-alpha dt) (one uniform; a second one for the
new direction), move x += v e dt, wrap. Random numbers come from one SplitMix64 stream per
walker (:mod:`verification.random_streams`), so the numba kernel (:func:`advance`) and the numpy twin
(:func:`advance_numpy`) draw identical numbers and agree to rounding.

The speed v(g) is any callable with v >= 0; it is tabulated on [0, rho_max] and
interpolated linearly (densities above rho_max use v(rho_max)).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import mesa
import numpy as np
from numba import njit, prange

from verification import validation as val
from verification.random_streams import next_uniform, stream_state

#: Lower estimates of the cost of one walker-step and of one cell operation of the grid smoothing
#: ((2m + 1) x dim per cell and step) of :func:`advance`, in ns on one core. Measured 120-150 ns per
#: walker-step (2e4 walkers, 1D and 2D) and ~3 ns per cell operation (100 walkers on 4000 or 256^2 cells),
#: one thread under a load of ~5 on 2 cores; rounded down.
NS_PER_WALKER_STEP = 30.0
NS_PER_CELL_OP = 1.0
#: The same for :func:`advance_numpy`, whose deposit is a Python loop over walkers: measured 2.6-66 us per
#: walker-step and >= 17 ns per cell operation; rounded down.
NS_PER_WALKER_STEP_NUMPY = 500.0
NS_PER_CELL_OP_NUMPY = 2.0


def linear_speed(v0: float = 1.0, g_star: float = 2.0) -> Callable[[np.ndarray], np.ndarray]:
    """v(g) = v0 max(0, 1 - g/g*) ([MIPS] §4.1 default, clipped at 0 beyond g*)."""
    return lambda g: v0 * np.maximum(0.0, 1.0 - np.asarray(g, dtype=float) / g_star)


@dataclass(frozen=True)
class MipsWalkerParams:
    """Density-dependent run-and-tumble walkers.

    Parameters
    ----------
    dim : {1, 2}
    length : float
        Side L of the periodic box [length], > 0.
    n_cells : int
        Grid cells per axis for rho~ (>= 8); h = L / n_cells must match: L = n_cells h.
    smoothing_cells : int
        m >= 1: top-hat half-width in cells (kernel side ell = (2m+1) h).
    speed : callable
        v(g) [length/time] of the smoothed density g [walkers/length^d], vectorized, >= 0.
    tumble_rate : float
        alpha [1/time], > 0.
    rho_max : float
        Upper end of the speed table [walkers/length^d], > 0.
    n_table : int
        Table points (>= 2).
    """

    dim: int = 1
    length: float = 100.0
    n_cells: int = 400
    smoothing_cells: int = 1
    speed: Callable = field(default_factory=linear_speed)
    tumble_rate: float = 1.0
    rho_max: float = 10.0
    n_table: int = 4001
    _table: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Validate at once (before any work) and tabulate v."""
        val.integer(self.dim, "dim", lo=1, hi=2)
        for name in ("length", "tumble_rate", "rho_max"):
            val.positive(getattr(self, name), name)
        n_cells = val.integer(self.n_cells, "n_cells", lo=8)
        val.integer(self.smoothing_cells, "smoothing_cells", lo=1, hi=(n_cells - 1) // 2)
        n_table = val.integer(self.n_table, "n_table", lo=2)
        if not callable(self.speed):
            raise ValueError(f"speed must be a callable v(g), got {_describe(self.speed)}")
        # the densities, the table and one temporary of the callable (float64)
        val.require_memory(3 * 8.0 * n_table, f"the speed table (n_table = {n_table})", "a smaller n_table")
        gg = np.linspace(0.0, self.rho_max, self.n_table)
        try:
            tab = np.asarray(self.speed(gg), dtype=float)
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise ValueError(f"speed(g) must return finite values of the same shape as g; evaluating it on "
                             f"[0, rho_max] failed: {exc}") from None
        if tab.shape != gg.shape or not np.all(np.isfinite(tab)):
            raise ValueError("speed(g) must return finite values of the same shape as g")
        if np.any(tab < 0):
            bad = float(gg[np.argmax(tab < 0)])
            raise ValueError(f"speed v(g) must be >= 0 on [0, rho_max = {self.rho_max:g}]; v({bad:.4g}) = "
                             f"{float(np.min(tab)):.4g} < 0 (clip it, e.g. v0 max(0, 1 - g/g*))")
        object.__setattr__(self, "_table", tab)

    @property
    def cell(self) -> float:
        """Grid cell size h = L / n_cells [length]."""
        return self.length / self.n_cells

    @property
    def speed_table(self) -> np.ndarray:
        """V on ``n_table`` equally spaced densities in [0, rho_max]."""
        return self._table

    @property
    def self_density(self) -> float:
        """A walker's own contribution 1 / ell^d to the interpolated density (removed from rho~)."""
        return self.kernel_width ** (-self.dim)

    @property
    def kernel_width(self) -> float:
        """Top-hat side ell = (2m + 1) h [length]."""
        return (2 * self.smoothing_cells + 1) * self.cell


def _describe(value: object) -> str:
    return f"{value!r} ({type(value).__name__})"


def _grid_memory(params: MipsWalkerParams, what: str) -> None:
    """Refuse a grid (rho~ and its scratch copy, float64) that does not fit in memory."""
    cells = float(params.n_cells) ** params.dim
    val.require_memory(2 * 8.0 * cells, f"{what} on {params.n_cells}^{params.dim} cells", "fewer n_cells")


def kernel_transfer(k: np.ndarray, params: MipsWalkerParams) -> np.ndarray:
    """Transfer function of the rho~ kernel along one axis for wavenumber k [1/length]."""
    k = np.asarray(k, dtype=float)
    h, w = params.cell, 2 * params.smoothing_cells + 1
    half = k * h / 2
    sinc = np.where(half == 0, 1.0, np.sin(half) / np.where(half == 0, 1.0, half))
    box = np.where(half == 0, 1.0, np.sin(w * half) / (w * np.where(np.sin(half) == 0, 1.0, np.sin(half))))
    return sinc**4 * box


@dataclass
class MipsState:
    """Walker positions x (N, dim) in [0, L), unit directions e (N, dim), stream states (N,) uint64."""

    x: np.ndarray
    e: np.ndarray
    rng: np.ndarray
    time: float = 0.0


def initial_state(params: MipsWalkerParams, n_walkers: int, seed: int,
                  density: Callable[[np.ndarray], np.ndarray] | None = None) -> MipsState:
    """Walkers uniform (or with a relative density profile ``density(x)`` along axis 0, by rejection).

    Directions: 1D +-1 with p = 1/2; 2D uniform angle. Stream states from ``stream_state(seed, i)``.
    """
    n_walkers = val.integer(n_walkers, "n_walkers", lo=1)
    seed = val.seed(seed)
    if density is not None and not callable(density):
        raise ValueError(f"density must be a callable of x or None, got {_describe(density)}")
    d = params.dim
    # x, e and the uniforms behind them (float64, d per walker), the stream states (uint64) and the
    # rejection temporaries (candidates, masks)
    val.require_memory(8.0 * n_walkers * (3 * d + 4), f"initial_state for n_walkers = {n_walkers}", "fewer walkers")
    rng = np.random.default_rng(seed)
    n, L = n_walkers, params.length
    x = rng.random((n, d)) * L
    if density is not None:
        xs = np.linspace(0, L, 4097)
        try:
            profile = np.asarray(density(xs), dtype=float)
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise ValueError(f"density(x) must return finite values >= 0 on [0, L]; evaluating it failed: {exc}") \
                from None
        if profile.shape != xs.shape or not (np.all(np.isfinite(profile)) and np.all(profile >= 0)) \
                or not np.max(profile) > 0:
            raise ValueError("density(x) must return, for an array x, finite values >= 0 of its shape with a positive "
                             "maximum on [0, L] (the rejection sampler needs it)")
        top = float(np.max(density(xs))) * 1.01
        keep = rng.random(n) * top < density(x[:, 0])
        while not np.all(keep):
            m = int((~keep).sum())
            cand = rng.random(m) * L
            ok = rng.random(m) * top < density(cand)
            idx = np.nonzero(~keep)[0][ok]
            x[idx, 0] = cand[ok]
            keep[idx] = True
    if d == 1:
        e = np.where(rng.random((n, 1)) < 0.5, 1.0, -1.0)
    else:
        th = 2 * np.pi * rng.random(n)
        e = np.stack([np.cos(th), np.sin(th)], axis=1)
    states = np.array([stream_state(int(seed) + 1, i) for i in range(n)], dtype=np.uint64) if n < 2000 else \
        _stream_states_numpy(int(seed) + 1, n)
    return MipsState(x, e, states)


# -- SplitMix64 in numpy (identical to agents._rng) ----------------------------------------------
_G = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _mix_np(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def _stream_states_numpy(seed: int, n: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        s = _mix_np(np.array([seed], dtype=np.uint64) + _G)
        return _mix_np(s ^ _mix_np(np.arange(n, dtype=np.uint64) * _G + _M2))


def _uniform_np(states: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(over="ignore"):
        states = states + _G
        z = _mix_np(states)
    return states, ((z >> np.uint64(11)).astype(float) + 1.0) * (1.0 / 9007199254740992.0)


# -- numba kernels -------------------------------------------------------------------------------
@njit(cache=True, inline="always")
def _cic(xc, h, n):
    s = xc / h - 0.5
    i0 = int(math.floor(s))
    w1 = s - i0
    i0 = i0 % n
    return i0, (i0 + 1) % n, 1.0 - w1, w1


@njit(cache=True)
def _density_1d(x, h, n, m, out, tmp):
    tmp[:] = 0.0
    inv = 1.0 / h
    for j in range(x.shape[0]):
        i0, i1, w0, w1 = _cic(x[j, 0], h, n)
        tmp[i0] += w0 * inv
        tmp[i1] += w1 * inv
    w = 1.0 / (2 * m + 1)
    for i in range(n):
        acc = 0.0
        for o in range(-m, m + 1):
            acc += tmp[(i + o) % n]
        out[i] = acc * w


@njit(cache=True)
def _density_2d(x, h, n, m, out, tmp):
    tmp[:, :] = 0.0
    inv = 1.0 / (h * h)
    for j in range(x.shape[0]):
        a0, a1, wa0, wa1 = _cic(x[j, 0], h, n)
        b0, b1, wb0, wb1 = _cic(x[j, 1], h, n)
        tmp[a0, b0] += wa0 * wb0 * inv
        tmp[a0, b1] += wa0 * wb1 * inv
        tmp[a1, b0] += wa1 * wb0 * inv
        tmp[a1, b1] += wa1 * wb1 * inv
    w = 1.0 / (2 * m + 1)
    for i in range(n):  # along axis 0 into out
        for k in range(n):
            acc = 0.0
            for o in range(-m, m + 1):
                acc += tmp[(i + o) % n, k]
            out[i, k] = acc * w
    for i in range(n):  # along axis 1, back into tmp, then copy
        for k in range(n):
            acc = 0.0
            for o in range(-m, m + 1):
                acc += out[i, (k + o) % n]
            tmp[i, k] = acc * w
    out[:, :] = tmp


@njit(cache=True, inline="always")
def _speed_lookup(rho, table, drho):
    s = rho / drho
    if s <= 0.0:
        return table[0]
    i = int(s)
    if i >= table.size - 1:
        return table[table.size - 1]
    f = s - i
    return table[i] * (1.0 - f) + table[i + 1] * f


@njit(cache=True, parallel=True)
def _move(x, e, states, rho, h, n, dim, table, drho, p_tumble, dt, length, self_rho):
    for j in prange(x.shape[0]):
        a0, a1, wa0, wa1 = _cic(x[j, 0], h, n)
        if dim == 1:
            r = rho[a0, 0] * wa0 + rho[a1, 0] * wa1
        else:
            b0, b1, wb0, wb1 = _cic(x[j, 1], h, n)
            r = (rho[a0, b0] * wa0 * wb0 + rho[a0, b1] * wa0 * wb1
                 + rho[a1, b0] * wa1 * wb0 + rho[a1, b1] * wa1 * wb1)
        v = _speed_lookup(r - self_rho, table, drho)
        st, u = next_uniform(states[j])
        if u <= p_tumble:
            st, u2 = next_uniform(st)
            if dim == 1:
                e[j, 0] = 1.0 if u2 < 0.5 else -1.0
            else:
                th = 2.0 * math.pi * u2
                e[j, 0] = math.cos(th)
                e[j, 1] = math.sin(th)
        states[j] = st
        for k in range(dim):
            y = x[j, k] + v * e[j, k] * dt
            y = y % length
            if y >= length:
                y -= length
            x[j, k] = y


@njit(cache=True)
def _advance(x, e, states, n_steps, dim, h, n, m, table, drho, p_tumble, dt, length, rho, tmp, self_rho):
    for _ in range(n_steps):
        if dim == 1:
            _density_1d(x, h, n, m, rho[:, 0], tmp[:, 0])
        else:
            _density_2d(x, h, n, m, rho, tmp)
        _move(x, e, states, rho, h, n, dim, table, drho, p_tumble, dt, length, self_rho)


def _check_run(params: MipsWalkerParams, state: MipsState, dt: float, n_steps: int, *, numpy: bool = False) -> None:
    """Validate a run and refuse, before any work, one longer than the work cap (walkers and grid per step)."""
    if not isinstance(params, MipsWalkerParams):
        raise ValueError(f"params must be a MipsWalkerParams, got {type(params).__name__}")
    val.positive(dt, "dt")
    n_steps = val.integer(n_steps, "n_steps", lo=0)
    if not isinstance(state, MipsState):
        raise ValueError(f"state must be a MipsState, got {type(state).__name__}")
    if state.x.ndim != 2 or state.x.shape[1] != params.dim or state.e.shape != state.x.shape:
        raise ValueError(f"state arrays must have shape (N, {params.dim})")
    vmax = float(np.max(params.speed_table))
    if vmax * dt > params.cell:
        raise ValueError(f"dt = {dt:g} moves a walker more than one grid cell per step (v_max dt = {vmax * dt:g} > "
                         f"h = {params.cell:g}); use dt <= h / v_max")
    _grid_memory(params, "the smoothed density")
    n = state.x.shape[0]
    cell_ops = float(params.n_cells) ** params.dim * (2 * params.smoothing_cells + 1) * params.dim
    name = "advance_numpy" if numpy else "advance"
    what = f"mips.{name} with {n} walkers x {n_steps} steps"
    fix = "fewer walkers or steps" + ("" if not numpy else " (the numpy twin is for small runs)")
    val.require_work(float(n_steps) * n, unit="walker-steps",
                     ns_per_unit=NS_PER_WALKER_STEP_NUMPY if numpy else NS_PER_WALKER_STEP, what=what, fix=fix)
    val.require_work(float(n_steps) * cell_ops, unit="cell operations",
                     ns_per_unit=NS_PER_CELL_OP_NUMPY if numpy else NS_PER_CELL_OP,
                     what=f"the density smoothing of {what}", fix="fewer n_cells or steps")


def _grid_shape(params: MipsWalkerParams) -> tuple[int, int]:
    return (params.n_cells, 1) if params.dim == 1 else (params.n_cells, params.n_cells)


def advance(params: MipsWalkerParams, state: MipsState, dt: float, n_steps: int) -> MipsState:
    """Advance ``n_steps`` fixed steps with the numba kernel (in place; returns the state)."""
    _check_run(params, state, dt, n_steps)
    rho = np.zeros(_grid_shape(params))
    tmp = np.zeros_like(rho)
    drho = params.rho_max / (params.n_table - 1)
    p_tumble = -math.expm1(-params.tumble_rate * dt)
    _advance(state.x, state.e, state.rng, int(n_steps), params.dim, params.cell, params.n_cells,
             params.smoothing_cells, params.speed_table, drho, p_tumble, float(dt), params.length, rho, tmp,
             params.self_density)
    state.time += n_steps * dt
    return state


def smoothed_density(params: MipsWalkerParams, x: np.ndarray) -> np.ndarray:
    """rho~ on the grid, shape (n_cells,) in 1D or (n_cells, n_cells) in 2D [walkers/length^d]."""
    x = val.real_array(x, "x", shape=(None, params.dim))
    _grid_memory(params, "smoothed_density")
    rho = np.zeros(_grid_shape(params))
    tmp = np.zeros_like(rho)
    if params.dim == 1:
        _density_1d(np.ascontiguousarray(x), params.cell, params.n_cells, params.smoothing_cells, rho[:, 0], tmp[:, 0])
        return rho[:, 0]
    _density_2d(np.ascontiguousarray(x), params.cell, params.n_cells, params.smoothing_cells, rho, tmp)
    return rho


# -- numpy twin ----------------------------------------------------------------------------------
def _cic_np(xc, h, n):
    s = xc / h - 0.5
    i0 = np.floor(s).astype(int)
    w1 = s - i0
    i0 %= n
    return i0, (i0 + 1) % n, 1.0 - w1, w1


def _density_np(params: MipsWalkerParams, x: np.ndarray) -> np.ndarray:
    h, n, m = params.cell, params.n_cells, params.smoothing_cells
    if params.dim == 1:
        tmp = np.zeros(n)
        i0, i1, w0, w1 = _cic_np(x[:, 0], h, n)
        for j in range(x.shape[0]):  # same accumulation order as the kernel
            tmp[i0[j]] += w0[j] / h
            tmp[i1[j]] += w1[j] / h
        return sum(np.roll(tmp, -o) for o in range(-m, m + 1)) / (2 * m + 1)
    tmp = np.zeros((n, n))
    a0, a1, wa0, wa1 = _cic_np(x[:, 0], h, n)
    b0, b1, wb0, wb1 = _cic_np(x[:, 1], h, n)
    inv = 1.0 / (h * h)
    for j in range(x.shape[0]):
        tmp[a0[j], b0[j]] += wa0[j] * wb0[j] * inv
        tmp[a0[j], b1[j]] += wa0[j] * wb1[j] * inv
        tmp[a1[j], b0[j]] += wa1[j] * wb0[j] * inv
        tmp[a1[j], b1[j]] += wa1[j] * wb1[j] * inv
    out = sum(np.roll(tmp, -o, axis=0) for o in range(-m, m + 1)) / (2 * m + 1)
    return sum(np.roll(out, -o, axis=1) for o in range(-m, m + 1)) / (2 * m + 1)


def advance_numpy(params: MipsWalkerParams, state: MipsState, dt: float, n_steps: int) -> MipsState:
    """Obviously-correct numpy twin of :func:`advance` (same streams; small sizes only)."""
    _check_run(params, state, dt, n_steps, numpy=True)
    h, n, L = params.cell, params.n_cells, params.length
    drho = params.rho_max / (params.n_table - 1)
    p_tumble = -math.expm1(-params.tumble_rate * dt)
    gg = np.arange(params.n_table) * drho
    for _ in range(n_steps):
        rho = _density_np(params, state.x)
        a0, a1, wa0, wa1 = _cic_np(state.x[:, 0], h, n)
        if params.dim == 1:
            r = rho[a0] * wa0 + rho[a1] * wa1
        else:
            b0, b1, wb0, wb1 = _cic_np(state.x[:, 1], h, n)
            r = (rho[a0, b0] * wa0 * wb0 + rho[a0, b1] * wa0 * wb1 + rho[a1, b0] * wa1 * wb0
                 + rho[a1, b1] * wa1 * wb1)
        v = np.interp(r - params.self_density, gg, params.speed_table)
        state.rng, u = _uniform_np(state.rng)
        tumble = u <= p_tumble
        st2, u2 = _uniform_np(state.rng[tumble])
        state.rng[tumble] = st2
        if params.dim == 1:
            state.e[tumble, 0] = np.where(u2 < 0.5, 1.0, -1.0)
        else:
            state.e[tumble, 0] = np.cos(2 * np.pi * u2)
            state.e[tumble, 1] = np.sin(2 * np.pi * u2)
        state.x = (state.x + v[:, None] * state.e * dt) % L
        state.x[state.x >= L] -= L
    state.time += n_steps * dt
    return state


def mode_amplitude(x: np.ndarray, k: float) -> complex:
    """(1/N) sum_j exp(-i k x_j) along axis 0 (the density Fourier mode, normalized)."""
    return complex(np.mean(np.exp(-1j * k * x[:, 0])))


class MipsModel(mesa.Model):
    """Mesa model over the walker arrays; ``step()`` advances ``steps_per_call`` kernel steps of ``dt``.

    The DataCollector records time, the variance of the smoothed density and its extremes.

    Parameters
    ----------
    params : MipsWalkerParams
    n_walkers : int
        >= 1.
    dt : float
        Kernel step [time], > 0 and <= h / v_max.
    steps_per_call : int
        Kernel steps per Mesa step (>= 1).
    seed : int
        Seeds the initial state and the walker streams.
    """

    def __init__(self, params: MipsWalkerParams, n_walkers: int, dt: float, steps_per_call: int = 10,
                 seed: int = 0, density: Callable[[np.ndarray], np.ndarray] | None = None) -> None:
        steps_per_call = val.integer(steps_per_call, "steps_per_call", lo=1)
        self.params = params
        self.state = initial_state(params, n_walkers, seed, density)
        _check_run(params, self.state, dt, steps_per_call)
        super().__init__(seed=seed)
        self.dt, self.steps_per_call = float(dt), steps_per_call
        self.datacollector = mesa.DataCollector(model_reporters={
            "time": lambda m: m.state.time,
            "density_variance": lambda m: float(np.var(smoothed_density(m.params, m.state.x))),
            "density_max": lambda m: float(np.max(smoothed_density(m.params, m.state.x))),
            "density_min": lambda m: float(np.min(smoothed_density(m.params, m.state.x))),
        })
        self.datacollector.collect(self)

    def step(self) -> None:
        """Advance the walkers with the numba kernel, then collect."""
        advance(self.params, self.state, self.dt, self.steps_per_call)
        self.datacollector.collect(self)
