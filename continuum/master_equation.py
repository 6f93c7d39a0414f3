"""Two-state master equation for run-and-tumble densities P_+(x, t), P_-(x, t).

Solves ([MIPS] §1.2 with alpha_pm = alpha/2; [CHEMOTAXIS] §2.3 with v = v0)

    d_t P_+ = -d_x(v P_+) - alpha_+ P_+ + alpha_- P_-
    d_t P_- = +d_x(v P_-) - alpha_- P_- + alpha_+ P_+

on [-L/2, L/2], periodic or with reflecting walls (a right-mover reaching the
right wall becomes a left-mover there).

Scheme: in the travel-time coordinate tau(x) = int dx / v the transport is a
shift at unit speed, so on a uniform tau grid with dt = dtau it is *exact*
(one cell per step, no numerical diffusion). The switching is integrated
exactly per cell (a 2 x 2 linear ODE) and combined with the shift by Strang
splitting (second order in dt). Both sub-steps conserve mass exactly and map
non-negative cell masses to non-negative ones. The variables are cell masses
Q_pm[k] = int_{cell k} P_pm dx.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numpy as np
from numba import njit

Profile = float | Callable[[np.ndarray], np.ndarray]


def _fn(value: Profile) -> Callable[[np.ndarray], np.ndarray]:
    if callable(value):
        return lambda x: np.broadcast_to(np.asarray(value(x), dtype=float), np.shape(x)).copy()
    return lambda x: np.full(np.shape(x), float(value))


@njit(cache=True)
def _evolve(q_plus, q_minus, decay, frac_plus, n_steps, reflecting):
    """Advance cell masses by ``n_steps`` Strang steps in place."""
    n = q_plus.size
    for _ in range(n_steps):
        for k in range(n):  # half step of exact switching
            tot = q_plus[k] + q_minus[k]
            eq = frac_plus[k] * tot
            q_plus[k] = eq + (q_plus[k] - eq) * decay[k]
            q_minus[k] = tot - q_plus[k]
        last_plus = q_plus[n - 1]
        first_minus = q_minus[0]
        for k in range(n - 1, 0, -1):  # exact shift: + movers one cell right
            q_plus[k] = q_plus[k - 1]
        for k in range(n - 1):  # - movers one cell left
            q_minus[k] = q_minus[k + 1]
        if reflecting:
            q_plus[0] = first_minus
            q_minus[n - 1] = last_plus
        else:
            q_plus[0] = last_plus
            q_minus[n - 1] = first_minus
        for k in range(n):  # second half step of switching
            tot = q_plus[k] + q_minus[k]
            eq = frac_plus[k] * tot
            q_plus[k] = eq + (q_plus[k] - eq) * decay[k]
            q_minus[k] = tot - q_plus[k]


class TwoStateMasterEquation:
    """Exact-shift / exact-switching solver of the two-state master equation.

    Parameters
    ----------
    speed : float or callable
        v(x) [length/time], > 0.
    rate_plus, rate_minus : float or callable
        alpha_+(x), alpha_-(x) [1/time], >= 0.
    length : float
        L [length], > 0.
    boundary : {"periodic", "reflecting"}
    n_cells : int
        Cells of the uniform travel-time grid, >= 8. The time step is
        dt = T / n_cells with T = int_{-L/2}^{L/2} dx / v.
    """

    def __init__(
        self,
        speed: Profile,
        rate_plus: Profile,
        rate_minus: Profile,
        length: float,
        boundary: Literal["periodic", "reflecting"] = "periodic",
        n_cells: int = 2000,
    ) -> None:
        if not (math.isfinite(length) and length > 0):
            raise ValueError(f"length must be finite and > 0, got {length!r}")
        if boundary not in ("periodic", "reflecting"):
            raise ValueError(f"boundary must be 'periodic' or 'reflecting', got {boundary!r}")
        if not (isinstance(n_cells, int) and n_cells >= 8):
            raise ValueError(f"n_cells must be an int >= 8, got {n_cells!r}")
        self.length = float(length)
        self.boundary = boundary
        self.n_cells = n_cells
        self._v, self._ap, self._am = _fn(speed), _fn(rate_plus), _fn(rate_minus)
        xf = np.linspace(-length / 2, length / 2, 16 * n_cells + 1)
        vf = self._v(xf)
        if not (np.all(np.isfinite(vf)) and np.all(vf > 0)):
            raise ValueError("speed must be finite and > 0 on [-L/2, L/2]")
        for name, f in (("rate_plus", self._ap), ("rate_minus", self._am)):
            a = f(xf)
            if not (np.all(np.isfinite(a)) and np.all(a >= 0)):
                raise ValueError(f"{name} must be finite and >= 0 on [-L/2, L/2]")
        inv = 1.0 / vf
        self._xf = xf
        self._tauf = np.concatenate(([0.0], np.cumsum(0.5 * (inv[1:] + inv[:-1]) * np.diff(xf))))
        self.period = float(self._tauf[-1])
        self.dt = self.period / n_cells
        self.tau_edges = np.linspace(0.0, self.period, n_cells + 1)
        self.x_edges = np.interp(self.tau_edges, self._tauf, xf)
        xc = np.interp(self.tau_edges[:-1] + self.dt / 2, self._tauf, xf)
        a, b = self._ap(xc), self._am(xc)
        tot = a + b
        with np.errstate(over="ignore"):  # rate x dt beyond float range: the survival factor is 0
            self._decay = np.exp(-tot * self.dt / 2)
        self._frac_plus = np.where(tot > 0, b / np.where(tot > 0, tot, 1.0), 0.5)

    def tau_of(self, x: np.ndarray) -> np.ndarray:
        """Travel time tau(x) [time] from the left end."""
        return np.interp(x, self._xf, self._tauf)

    def initial(self, cdf_plus: Callable, cdf_minus: Callable) -> tuple[np.ndarray, np.ndarray]:
        """Cell masses from the cumulative distributions of P_+ and P_- on x.

        ``cdf_pm(x)`` = int_{-L/2}^{x} P_pm dy; their sum at L/2 should be 1.
        """
        q_plus = np.diff(np.asarray(cdf_plus(self.x_edges), dtype=float))
        q_minus = np.diff(np.asarray(cdf_minus(self.x_edges), dtype=float))
        if np.any(q_plus < -1e-15) or np.any(q_minus < -1e-15):
            raise ValueError("initial cumulative distributions must be non-decreasing")
        return np.maximum(q_plus, 0.0), np.maximum(q_minus, 0.0)

    def steps_for(self, t: float) -> int:
        """Whole steps closest to time ``t`` [time]."""
        return int(round(t / self.dt))

    def evolve(self, state: tuple[np.ndarray, np.ndarray], times: np.ndarray) -> tuple[np.ndarray, list]:
        """Evolve to each of ``times`` (rounded to whole steps).

        Returns
        -------
        actual_times : ndarray
            The times reached [time] (multiples of ``dt``).
        states : list of (Q_plus, Q_minus)
        """
        times = np.asarray(times, dtype=float)
        if np.any(~np.isfinite(times)) or np.any(times < 0) or np.any(np.diff(times) < 0):
            raise ValueError("times must be finite, >= 0 and non-decreasing")
        q_plus, q_minus = (np.array(a, dtype=float) for a in state)
        reached, out, done = [], [], 0
        for t in times:
            n = self.steps_for(float(t))
            _evolve(q_plus, q_minus, self._decay, self._frac_plus, n - done, self.boundary == "reflecting")
            done = n
            reached.append(n * self.dt)
            out.append((q_plus.copy(), q_minus.copy()))
        return np.array(reached), out

    def cdf(self, state: tuple[np.ndarray, np.ndarray], x: np.ndarray) -> np.ndarray:
        """Cumulative probability int_{-L/2}^{x} (P_+ + P_-) dy at points ``x`` in the domain."""
        mass = state[0] + state[1]
        cum = np.concatenate(([0.0], np.cumsum(mass)))
        return np.interp(self.tau_of(np.asarray(x, dtype=float)), self.tau_edges, cum)

    def density(self, state: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Cell centres [length] and density g = P_+ + P_- [1/length] there."""
        widths = np.diff(self.x_edges)
        return 0.5 * (self.x_edges[1:] + self.x_edges[:-1]), (state[0] + state[1]) / widths
