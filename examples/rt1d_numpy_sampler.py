r"""A user's own run-and-tumble sampler, written in plain numpy, put through activebench's rt1d checks.

This file is *outside* the package on purpose: it is what a user brings. Try it::

    activebench methods rt1d.walkers                      # the protocol it must follow
    activebench run --method rt1d.walkers=examples/rt1d_numpy_sampler.py:simulate \
        --only rt1d.diffusivity rt1d.two_state_transport rt1d.chemotactic_drift --compare

``simulate`` is exact (event-driven: exponential run times, no time step) for constant speed
and constant tumble rates on a periodic line, which is what those three checks use. It
refuses anything else with a clear error, so the checks with space-dependent rates or walls
fail by that error rather than silently.

``simulate_swapped_rates`` is the same sampler with a subtle bug: a walker's next run time
is drawn with the tumble rate of the direction it is about to *leave* after the flip instead
of the one it runs in. For symmetric rates (``rt1d.diffusivity``) nothing changes, so that
check passes; with alpha+ != alpha- the drift flips sign, and ``rt1d.two_state_transport`` and
``rt1d.chemotactic_drift`` fail. One passing check is not enough evidence.
"""

from __future__ import annotations

import numpy as np


def _constant(profile, length: float, name: str) -> float:
    """The value of a profile that must be constant on [-L/2, L/2]."""
    x = np.linspace(-length / 2, length / 2, 257)
    values = np.broadcast_to(np.asarray(profile(x), dtype=float), x.shape)
    if np.ptp(values) > 1e-12 * max(1.0, float(np.max(np.abs(values)))):
        raise ValueError(f"this sampler supports constant {name} only; got values in "
                         f"[{values.min():.3g}, {values.max():.3g}]")
    return float(values[0])


def _run(params, x0, s0, times, seed, swapped: bool) -> np.ndarray:
    if params.boundary != "periodic":
        raise ValueError(f"this sampler supports periodic boundaries only, got {params.boundary!r}")
    v = _constant(params.speed_at, params.length, "speed")
    rate_plus = _constant(params.rate_plus_at, params.length, "rate_plus")
    rate_minus = _constant(params.rate_minus_at, params.length, "rate_minus")
    rng = np.random.default_rng(seed)

    def run_time(direction: np.ndarray) -> np.ndarray:
        if swapped:  # the bug: the rate of the other direction
            direction = -direction
        rate = np.where(direction > 0, rate_plus, rate_minus)
        with np.errstate(divide="ignore"):
            scale = np.where(rate > 0, 1.0 / np.where(rate > 0, rate, 1.0), np.inf)
        return rng.exponential(np.where(np.isfinite(scale), scale, 1.0)) * np.where(np.isfinite(scale), 1.0, np.inf)

    x = np.array(x0, dtype=float)
    s = np.array(s0, dtype=float)
    t_now = np.zeros_like(x)
    t_flip = run_time(s)
    out = np.empty((len(times), x.size))
    for k, t_out in enumerate(np.asarray(times, dtype=float)):
        due = t_flip < t_out
        while due.any():  # advance every walker whose next tumble comes before t_out
            x[due] += s[due] * v * (t_flip[due] - t_now[due])
            t_now[due] = t_flip[due]
            s[due] = -s[due]
            t_flip[due] = t_now[due] + run_time(s[due])
            due = t_flip < t_out
        out[k] = x + s * v * (t_out - t_now)  # positions unwrapped: the checks wrap periodic ones
    return out


def simulate(params, x0, s0, times, seed):
    """Positions (len(times), n) of 1D two-state walkers; protocol ``rt1d.walkers``."""
    return _run(params, x0, s0, times, seed, swapped=False)


def simulate_swapped_rates(params, x0, s0, times, seed):
    """The same sampler with the run-time rate of the wrong direction (a subtle bug)."""
    return _run(params, x0, s0, times, seed, swapped=True)


def simulate_wrong_shape(params, x0, s0, times, seed):
    """Returns only the final positions, shape (n,): refused before any check runs."""
    return _run(params, x0, s0, times, seed, swapped=False)[-1]
