"""numba kernels for 1D two-state walkers in the travel-time coordinate.

A walker is (tau, s): tau in [0, T] is the travel time from the left wall
(dtau/dt = s, so straight runs are exact), s = +1/-1 its direction. In a
periodic domain tau is kept unwrapped. Rates are tabulated on a uniform tau
grid of n + 1 nodes over [0, T] and interpolated linearly.

Master equation that both kernels sample ([CHEMOTAXIS] §2.3, with v = v(x)):
    d_t P_pm = -/+ d_x(v P_pm) - alpha_pm P_pm + alpha_mp P_mp.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit, prange

from verification.random_streams import next_uniform, stream_state


class Tables(NamedTuple):
    """Tabulated model on the uniform tau grid (see module docstring)."""

    x_of_tau: np.ndarray  # (n + 1,) positions [length] at tau_k = k T / n
    rate_plus: np.ndarray  # (n + 1,) alpha_+ [1/time] at tau_k
    rate_minus: np.ndarray  # (n + 1,) alpha_- [1/time] at tau_k
    period: float  # T = tau(L/2) [time]
    length: float  # L [length]
    reflecting: bool
    tau_of_x_grid: np.ndarray  # fine x grid for tau(x)
    tau_of_x: np.ndarray  # tau at those points


@njit(cache=True, inline="always")
def _interp(table: np.ndarray, tau: float, period: float) -> float:
    n = table.size - 1
    u = tau / period * n
    k = int(math.floor(u))
    if k >= n:
        return table[n]
    if k < 0:
        return table[0]
    w = u - k
    return table[k] + w * (table[k + 1] - table[k])


@njit(cache=True, inline="always")
def fold(z: float, s: int, period: float, reflecting: bool) -> tuple[float, int]:
    """Map an unfolded travel time to (tau, direction) after wall reflections."""
    if not reflecting or (z >= 0.0 and z <= period):
        return z, s
    two = 2.0 * period
    r = z - two * math.floor(z / two)
    if r <= period:
        return r, s
    return two - r, -s


@njit(cache=True, inline="always")
def _position(tau: float, x_of_tau: np.ndarray, period: float, length: float, reflecting: bool) -> float:
    if reflecting:
        return _interp(x_of_tau, tau, period)
    wraps = math.floor(tau / period)
    return _interp(x_of_tau, tau - wraps * period, period) + wraps * length


@njit(cache=True, inline="always")
def _local(tau: float, period: float, reflecting: bool) -> float:
    if reflecting:
        return tau
    return tau - period * math.floor(tau / period)


@njit(cache=True, parallel=True)
def advance_event(tau, s, times, x_of_tau, rate_plus, rate_minus, period, length, reflecting, seed, out):
    """Exact event-driven sampler (thinning with a bound per direction).

    Candidate flips arrive at the constant rate A_s = max_x alpha_s(x); a
    candidate at tau is accepted with probability alpha_s(tau) / A_s (Lewis &
    Shedler thinning), which gives flips at the exact inhomogeneous rate.

    Parameters
    ----------
    tau, s : ndarray (n_walkers,)
        Travel times [time] and directions; updated in place to the last time.
    times : ndarray (n_times,)
        Non-decreasing record times [time].
    out : ndarray (n_times, n_walkers)
        Receives positions [length] (unwrapped if periodic).
    """
    bound_plus = rate_plus.max()
    bound_minus = rate_minus.max()
    n_times = times.size
    for i in prange(tau.size):
        state = stream_state(seed, i)
        t = 0.0
        z = tau[i]
        d = int(s[i])
        j = 0
        while j < n_times:
            bound = bound_plus if d > 0 else bound_minus
            if bound > 0.0:
                state, u = next_uniform(state)
                t_next = t - math.log(u) / bound
            else:
                t_next = math.inf
            while j < n_times and times[j] <= t_next:
                zj, _ = fold(z + d * (times[j] - t), d, period, reflecting)
                out[j, i] = _position(zj, x_of_tau, period, length, reflecting)
                j += 1
            if j == n_times:
                z, d = fold(z + d * (times[n_times - 1] - t), d, period, reflecting)
                break
            z, d = fold(z + d * (t_next - t), d, period, reflecting)
            t = t_next
            table = rate_plus if d > 0 else rate_minus
            a = _interp(table, _local(z, period, reflecting), period)
            state, u = next_uniform(state)
            if u * bound <= a:
                d = -d
        tau[i] = z
        s[i] = d


@njit(cache=True, parallel=True)
def advance_fixed(tau, s, steps, dt, x_of_tau, p_plus, p_minus, period, length, reflecting, seed, out):
    """Fixed-step sampler: flip with probability p_s = 1 - exp(-alpha_s dt), then run dt.

    Parameters
    ----------
    steps : ndarray (n_times,)
        Non-decreasing step counts at which positions are recorded.
    p_plus, p_minus : ndarray (n + 1,)
        Tabulated flip probabilities per step.
    """
    n_times = steps.size
    for i in prange(tau.size):
        state = stream_state(seed, i)
        z = tau[i]
        d = int(s[i])
        k = 0
        for j in range(n_times):
            while k < steps[j]:
                table = p_plus if d > 0 else p_minus
                p = _interp(table, _local(z, period, reflecting), period)
                state, u = next_uniform(state)
                if u <= p:
                    d = -d
                z, d = fold(z + d * dt, d, period, reflecting)
                k += 1
            out[j, i] = _position(z, x_of_tau, period, length, reflecting)
        tau[i] = z
        s[i] = d
