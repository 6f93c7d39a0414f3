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

Limits (issue 13): parameters are checked by :mod:`verification.validation` (the message
names them; numpy integers are accepted as ints); the constructor and :meth:`evolve` estimate
their arrays and :meth:`evolve` its work (steps x cells) before starting, and refuse what
exceeds the free memory or the work cap (:class:`verification.validation.LimitError`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
from numba import njit

from verification import validation as val

Profile = float | Callable[[np.ndarray], np.ndarray]
#: Lower estimate of the cost of one cell-step of ``_evolve`` on one core [ns], for the work cap.
#: Measured on this machine (2 shared cores, CPU time): 1.1 ns at n_cells = 2000, 3.6 ns at 2e5;
#: rounded down.
NS_PER_CELL_STEP = 0.5
#: float64 arrays of 16 n_cells + 1 values the constructor holds at once (the fine grid, v, 1/v,
#: the travel-time integral and its temporaries, the two rates), an upper count.
FINE_ARRAYS = 10


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
        Cells of the uniform travel-time grid, >= 8 (a Python or numpy integer). The time step is
        dt = T / n_cells with T = int_{-L/2}^{L/2} dx / v.

    Raises
    ------
    ValueError
        Naming the parameter; :class:`verification.validation.LimitError` when the grid's
        arrays exceed the free memory.
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
        for name, value in (("speed", speed), ("rate_plus", rate_plus), ("rate_minus", rate_minus)):
            if not callable(value):
                val.real(value, name)  # a number (the range is checked on the grid below)
        val.positive(length, "length")
        val.choice(boundary, "boundary", ("periodic", "reflecting"))
        n_cells = val.integer(n_cells, "n_cells", lo=8)
        val.require_memory(8.0 * FINE_ARRAYS * (16 * n_cells + 1) + 8.0 * 12 * n_cells,
                           f"TwoStateMasterEquation with n_cells = {n_cells}", "fewer cells (n_cells)")
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

        Parameters
        ----------
        state : (ndarray, ndarray)
            Cell masses (Q_plus, Q_minus), each of shape (n_cells,), finite.
        times : sequence of float
            Output times [time], finite, >= 0, non-decreasing (may be empty).

        Returns
        -------
        actual_times : ndarray
            The times reached [time] (multiples of ``dt``).
        states : list of (Q_plus, Q_minus)

        Raises
        ------
        ValueError
            Naming the argument; :class:`verification.validation.LimitError` when the steps x
            cells exceed the work cap or the stored states exceed the free memory.
        """
        times = val.real_array(times, "times", ndim=1, lo=0.0)
        if times.size:
            val.times_array(times, "times")
        try:
            q_plus, q_minus = state
        except (TypeError, ValueError):
            raise ValueError("state must be a pair (Q_plus, Q_minus) of cell-mass arrays") from None
        q_plus = np.array(val.real_array(q_plus, "state[0] (Q_plus)", shape=(self.n_cells,)))
        q_minus = np.array(val.real_array(q_minus, "state[1] (Q_minus)", shape=(self.n_cells,)))
        t_last = float(times[-1]) if times.size else 0.0
        val.require_work(t_last / self.dt * self.n_cells, unit="cell-steps", ns_per_unit=NS_PER_CELL_STEP,
                         what=f"evolve to t = {t_last:g} with dt = {self.dt:.3g} on n_cells = {self.n_cells}",
                         fix="a shorter time or fewer cells (n_cells)")
        val.require_memory(8.0 * 2 * self.n_cells * (times.size + 1), f"evolve with {times.size} output times "
                           f"on n_cells = {self.n_cells}", "fewer output times or fewer cells")
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
