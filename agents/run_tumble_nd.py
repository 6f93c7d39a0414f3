"""Run-and-tumble walkers in 2D and 3D free space with isotropic tumbles.

A walker runs at speed v0 along a unit vector e; tumbles arrive at rate alpha
and draw a new e uniformly on the circle (2D) or sphere (3D), independent of
the old one. Two implementations: an exact event-driven numba kernel
(:func:`simulate_nd`) and a fixed-step numpy twin (:func:`simulate_nd_numpy`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from verification.random_streams import next_uniform, stream_state


@dataclass(frozen=True)
class RunTumbleNDParams:
    """Isotropic run-and-tumble in ``dim`` dimensions.

    Parameters
    ----------
    dim : {2, 3}
    speed : float
        v0 [length/time], finite and > 0.
    tumble_rate : float
        alpha [1/time], finite and >= 0.
    """

    dim: int = 2
    speed: float = 1.0
    tumble_rate: float = 1.0

    def __post_init__(self) -> None:
        """Validate at once."""
        if not isinstance(self.dim, (int, np.integer)) or isinstance(self.dim, bool) or self.dim not in (2, 3):
            raise ValueError(f"dim must be 2 or 3, got {self.dim!r}")
        if not (math.isfinite(self.speed) and self.speed > 0):
            raise ValueError(f"speed must be finite and > 0, got {self.speed!r}")
        if not (math.isfinite(self.tumble_rate) and self.tumble_rate >= 0):
            raise ValueError(f"tumble_rate must be finite and >= 0, got {self.tumble_rate!r}")


#: Work cap per walker beyond which a run is refused as a usage error.
MAX_EVENTS_PER_WALKER = 1e10
#: Step cap of the fixed-step numpy twin (beyond it a run is refused as a usage error).
MAX_STEPS_NUMPY = 1e8


def _validate(n_walkers: int, times: np.ndarray) -> np.ndarray:
    if not (isinstance(n_walkers, (int, np.integer)) and n_walkers >= 1):
        raise ValueError(f"n_walkers must be an int >= 1, got {n_walkers!r}")
    times = np.atleast_1d(np.asarray(times, dtype=float))
    if times.ndim != 1 or not np.all(np.isfinite(times)) or np.any(times < 0) or np.any(np.diff(times) < 0):
        raise ValueError("times must be a 1D array of finite, non-negative, non-decreasing values")
    return times


@njit(cache=True, inline="always")
def _direction(state, dim, e):
    state, u1 = next_uniform(state)
    state, u2 = next_uniform(state)
    if dim == 2:
        phi = 2.0 * math.pi * u1
        e[0] = math.cos(phi)
        e[1] = math.sin(phi)
    else:
        z = 2.0 * u1 - 1.0
        r = math.sqrt(max(0.0, 1.0 - z * z))
        phi = 2.0 * math.pi * u2
        e[0] = r * math.cos(phi)
        e[1] = r * math.sin(phi)
        e[2] = z
    return state


@njit(cache=True, parallel=True)
def _advance_event_nd(dim, speed, rate, times, seed, out):
    n_times = times.size
    for i in prange(out.shape[1]):
        state = stream_state(seed, i)
        e = np.empty(dim)
        pos = np.zeros(dim)
        state = _direction(state, dim, e)
        t = 0.0
        j = 0
        while j < n_times:
            if rate > 0.0:
                state, u = next_uniform(state)
                t_next = t - math.log(u) / rate
            else:
                t_next = math.inf
            while j < n_times and times[j] <= t_next:
                for k in range(dim):
                    out[j, i, k] = pos[k] + speed * (times[j] - t) * e[k]
                j += 1
            if j == n_times:
                break
            for k in range(dim):
                pos[k] += speed * (t_next - t) * e[k]
            t = t_next
            state = _direction(state, dim, e)


def simulate_nd(params: RunTumbleNDParams, n_walkers: int, times: np.ndarray, seed: int) -> np.ndarray:
    """Exact event-driven positions at ``times`` for walkers started at the origin.

    Returns
    -------
    ndarray, shape (len(times), n_walkers, dim)
        Positions [length]. Initial directions are isotropic.
    """
    times = _validate(n_walkers, times)
    if not (isinstance(seed, (int, np.integer)) and seed >= 0):
        raise ValueError(f"seed must be an int >= 0, got {seed!r}")
    t_end = float(times[-1]) if times.size else 0.0
    if params.tumble_rate * t_end > MAX_EVENTS_PER_WALKER:
        raise ValueError(f"tumble_rate x last time = {params.tumble_rate * t_end:.3g} expected tumbles per walker; "
                         f"allowed <= {MAX_EVENTS_PER_WALKER:.0e}")
    out = np.empty((times.size, int(n_walkers), params.dim))
    _advance_event_nd(params.dim, float(params.speed), float(params.tumble_rate), times, int(seed), out)
    return out


def _isotropic(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    e = rng.normal(size=(n, dim))
    return e / np.linalg.norm(e, axis=1, keepdims=True)


def simulate_nd_numpy(
    params: RunTumbleNDParams, n_walkers: int, times: np.ndarray, dt: float, seed: int
) -> np.ndarray:
    """Obviously-correct fixed-step twin: tumble with probability 1 - exp(-alpha dt), then run dt.

    Record times are rounded to whole steps. Same output layout as :func:`simulate_nd`.
    """
    times = _validate(n_walkers, times)
    if not (math.isfinite(dt) and dt > 0):
        raise ValueError(f"dt must be finite and > 0, got {dt!r}")
    n_steps = float(times[-1]) / dt if times.size else 0.0
    if not n_steps <= MAX_STEPS_NUMPY:
        raise ValueError(f"last time / dt = {n_steps:.3g} steps; allowed <= {MAX_STEPS_NUMPY:.0e} "
                         f"(the numpy twin is for small checks)")
    rng = np.random.default_rng(seed)
    steps = np.rint(times / dt).astype(int)
    pos = np.zeros((n_walkers, params.dim))
    e = _isotropic(rng, n_walkers, params.dim)
    p_tumble = -math.expm1(-params.tumble_rate * dt)
    out = np.empty((times.size, n_walkers, params.dim))
    k = 0
    for j, target in enumerate(steps):
        while k < target:
            tumble = rng.random(n_walkers) < p_tumble
            e[tumble] = _isotropic(rng, int(tumble.sum()), params.dim)
            pos += params.speed * dt * e
            k += 1
        out[j] = pos
    return out
