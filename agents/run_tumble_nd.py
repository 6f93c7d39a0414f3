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

from agents.run_tumble import output_times, whole_steps
from verification import validation as val
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
        val.integer(self.dim, "dim", lo=2, hi=3)
        val.positive(self.speed, "speed")
        val.nonnegative(self.tumble_rate, "tumble_rate")


#: Cap on the expected tumbles of ONE walker, whatever the work cap: it protects the float64 clock (event
#: times t <= t_end spaced ~t_end / (rate t_end) stay resolved to ~2e-6 of a spacing at the cap; far beyond
#: it t -> t + gap stalls or is grossly rounded). The total over all walkers is capped by ``require_work``.
MAX_EVENTS_PER_WALKER = 1e10
#: Lower estimate of the event kernel's cost per tumble or recorded position, in ns (one core). Measured
#: 158 ns per tumble (2D and 3D, 1000 walkers) and 25 ns per record on one thread under a load of ~5 on
#: 2 cores; rounded down.
NS_PER_EVENT = 30.0
#: Lower estimate of the numpy twin's cost per walker-step in ns; each step also costs at least as much
#: as NUMPY_STEP_OVERHEAD walkers. Measured 29 ns per walker-step at 1e4 walkers and 32 us per step
#: at 1 walker (one thread, under load); rounded down.
NS_PER_WALKER_STEP_NUMPY = 10.0
NUMPY_STEP_OVERHEAD = 1000


def _validate(n_walkers: object, times: object) -> tuple[int, np.ndarray]:
    return val.integer(n_walkers, "n_walkers", lo=1), output_times(times)


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
    n_walkers, times = _validate(n_walkers, times)
    seed = val.seed(seed)
    t_end = float(times[-1])
    per_walker = params.tumble_rate * t_end
    if not per_walker <= MAX_EVENTS_PER_WALKER:
        raise val.LimitError(f"tumble_rate x last time = {per_walker:.3g} expected tumbles per walker; "
                             f"allowed <= {MAX_EVENTS_PER_WALKER:.0e} (float64 event times lose their resolution "
                             f"beyond it)")
    val.require_memory(8.0 * times.size * n_walkers * params.dim,
                       f"simulate_nd output for {n_walkers} walkers x {times.size} times x {params.dim} components",
                       "fewer walkers or output times")
    val.require_work(n_walkers * (per_walker + times.size), unit="tumbles and records (all walkers)",
                     ns_per_unit=NS_PER_EVENT,
                     what=f"simulate_nd with {n_walkers} walkers at tumble_rate {params.tumble_rate:g} "
                          f"to t = {t_end:g}",
                     fix="fewer walkers, a lower tumble_rate or a shorter last time")
    out = np.empty((times.size, n_walkers, params.dim))
    _advance_event_nd(params.dim, float(params.speed), float(params.tumble_rate), times, seed, out)
    return out


def _isotropic(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    e = rng.normal(size=(n, dim))
    return e / np.linalg.norm(e, axis=1, keepdims=True)


def simulate_nd_numpy(
    params: RunTumbleNDParams, n_walkers: int, times: np.ndarray, dt: float, seed: int
) -> np.ndarray:
    """Obviously-correct fixed-step twin: tumble with probability 1 - exp(-alpha dt), then run dt.

    Every record time must be a whole number of steps of ``dt`` (within round-off). Same output layout
    as :func:`simulate_nd`.
    """
    n_walkers, times = _validate(n_walkers, times)
    dt = val.positive(dt, "dt")
    seed = val.seed(seed)
    steps = whole_steps(times, dt)
    # pos, e, the normal draws and their norms, the uniforms (float64) and the output
    val.require_memory(8.0 * n_walkers * (5 * params.dim + 2) + 8.0 * times.size * n_walkers * params.dim,
                       f"simulate_nd_numpy with {n_walkers} walkers x {times.size} times", "fewer walkers")
    val.require_work(steps[-1] * (n_walkers + NUMPY_STEP_OVERHEAD), unit="walker-steps",
                     ns_per_unit=NS_PER_WALKER_STEP_NUMPY,
                     what=f"simulate_nd_numpy with {n_walkers} walkers x {steps[-1]:.3g} steps of dt = {dt:g}",
                     fix="fewer walkers, a larger dt or the event-driven simulate_nd")
    rng = np.random.default_rng(seed)
    steps = steps.astype(int)
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
