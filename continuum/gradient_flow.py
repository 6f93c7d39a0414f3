"""1D gradient flow of the MIPS effective free energy ([MIPS] §6).

    d_t g = d_x [ M(g) d_x mu ],   M(g) = g v(g)^2 / alpha,
    mu = log g + log v(g) - kappa d_xx g = delta F / delta g,
    F[g] = int [ g log g - g + int_0^g log v(s) ds + kappa/2 (d_x g)^2 ] dx.

The seed's F_eff (no gradient term) gives a backward-parabolic equation inside the
spinodal (M mu_eff' = D_eff < 0): ill-posed, with growth rates unbounded in k. The
interfacial term -kappa d_xx g (kappa > 0) makes it well-posed (growth rate
-M k^2 (mu_eff' + kappa k^2) bounded above); this is the form solved here.

Discretization (periodic, N cells of width dx): finite volumes with
mu_i = phi'(g_i) - kappa (g_{i+1} - 2 g_i + g_{i-1})/dx^2 and face mobility
M_{i+1/2} = (M(g_i) + M(g_{i+1}))/2, so the semi-discrete energy
F_h = sum [phi(g_i) + kappa/2 ((g_{i+1}-g_i)/dx)^2] dx obeys exactly
dF_h/dt = -sum M_{i+1/2} (mu_{i+1} - mu_i)^2 / dx <= 0. Time: scipy BDF.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.integrate import solve_ivp

from verification import validation as val


@dataclass(frozen=True)
class GradientFlow1D:
    """Periodic 1D gradient flow of F_eff + kappa/2 (d_x g)^2.

    Parameters
    ----------
    speed : callable
        v(g) [length/time], vectorized, must be > 0 on the densities visited (checked at start).
    log_speed_integral : callable
        int_0^g log v(s) ds (vectorized), the bulk part of F_eff beyond g log g - g.
    length : float
        Domain length L [length], > 0.
    n : int
        Number of cells (>= 8).
    kappa : float
        Interfacial coefficient [length^2 per density], > 0.
    alpha : float
        Tumble rate [1/time] (1D, reversal probability 1/2), > 0: M(g) = g v^2 / alpha.
    """

    speed: Callable[[np.ndarray], np.ndarray]
    log_speed_integral: Callable[[np.ndarray], np.ndarray]
    length: float = 20.0
    n: int = 200
    kappa: float = 0.05
    alpha: float = 1.0
    _dx: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Validate at once."""
        for name in ("speed", "log_speed_integral"):
            if not callable(getattr(self, name)):
                raise ValueError(f"{name} must be a callable (vectorized), got {type(getattr(self, name)).__name__}")
        for name in ("length", "alpha"):
            val.positive(getattr(self, name), name)
        val.positive(self.kappa, "kappa (kappa <= 0 leaves the flow ill-posed inside the spinodal)")
        val.integer(self.n, "n (cells)", lo=8)
        # BDF holds a dense n x n Jacobian and its LU factors (finite-difference Jacobian, no sparsity given)
        val.require_memory(8.0 * (4.0 * float(self.n) ** 2 + 40.0 * self.n), f"GradientFlow1D with n = {self.n}",
                           "fewer cells")
        object.__setattr__(self, "_dx", self.length / self.n)

    @property
    def dx(self) -> float:
        """Cell width [length]."""
        return self._dx

    def _check(self, g: np.ndarray) -> np.ndarray:
        try:
            g = np.asarray(g, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"g0 must be an array of real numbers, got {type(g).__name__}") from None
        if g.shape != (self.n,):
            raise ValueError(f"field shape {g.shape} does not match the grid: expected ({self.n},)")
        g = val.real_array(g, "g0")
        if np.any(g <= 0):
            raise ValueError(f"g0 (densities) must be > 0, got min {float(g.min())!r}")
        v = np.asarray(self.speed(g), dtype=float)
        if np.any(~np.isfinite(v)) or np.any(v <= 0):
            raise ValueError(f"v(g) must be > 0 on the initial densities (min v = {np.min(v):.3g}); "
                             "log v is undefined where v <= 0")
        return g

    def mobility(self, g: np.ndarray) -> np.ndarray:
        """M(g) = g v(g)^2 / alpha."""
        return g * self.speed(g) ** 2 / self.alpha

    def mu(self, g: np.ndarray) -> np.ndarray:
        """mu_i = log g + log v(g) - kappa (discrete d_xx g)."""
        lap = (np.roll(g, -1) - 2 * g + np.roll(g, 1)) / self.dx**2
        return np.log(g) + np.log(self.speed(g)) - self.kappa * lap

    def rhs(self, g: np.ndarray) -> np.ndarray:
        """Finite-volume d_t g."""
        mu = self.mu(g)
        m = self.mobility(g)
        m_face = 0.5 * (m + np.roll(m, -1))
        flux = -m_face * (np.roll(mu, -1) - mu) / self.dx  # at i + 1/2
        return -(flux - np.roll(flux, 1)) / self.dx

    def energy(self, g: np.ndarray) -> float:
        """F_h = sum [g log g - g + int_0^g log v + kappa/2 ((g_{i+1}-g_i)/dx)^2] dx."""
        grad = (np.roll(g, -1) - g) / self.dx
        bulk = g * np.log(g) - g + self.log_speed_integral(g)
        return float(np.sum(bulk + 0.5 * self.kappa * grad**2) * self.dx)

    def dissipation(self, g: np.ndarray) -> float:
        """-dF_h/dt = sum M_{i+1/2} (mu_{i+1} - mu_i)^2 / dx >= 0."""
        mu = self.mu(g)
        m = self.mobility(g)
        return float(np.sum(0.5 * (m + np.roll(m, -1)) * (np.roll(mu, -1) - mu) ** 2) / self.dx)

    def solve(self, g0: np.ndarray, times: np.ndarray, rtol: float = 1e-8, atol: float = 1e-10) -> np.ndarray:
        """Integrate from ``g0`` and return g at ``times`` (shape (len(times), n)).

        Parameters
        ----------
        g0 : np.ndarray
            Densities at t = 0, shape (n,), finite and > 0, with v(g0) > 0.
        times : array_like
            Output times [time]: finite, >= 0, strictly increasing, at least one.
        rtol, atol : float
            Tolerances of scipy's BDF, > 0. Its step count is adaptive (not set by the caller), so no
            work cap applies; a failed integration raises ``RuntimeError``.
        """
        g0 = self._check(g0)
        times = val.times_array(times, "times")
        if np.any(np.diff(times) <= 0):
            i = int(np.argmax(np.diff(times) <= 0))
            raise ValueError(f"times must be strictly increasing; times[{i + 1}] = {float(times[i + 1])!r} <= "
                             f"times[{i}] = {float(times[i])!r}")
        rtol = val.positive(rtol, "rtol")
        atol = val.positive(atol, "atol")
        sol = solve_ivp(lambda t, y: self.rhs(y), (0.0, float(times[-1])), g0, method="BDF",
                        t_eval=times, rtol=rtol, atol=atol)
        if not sol.success:
            raise RuntimeError(f"gradient-flow integration failed: {sol.message}")
        return sol.y.T
