"""Method protocols of the radial checks ([SIPF] §2 and §4.3), with our implementations as defaults.

===================  ====================================================  ========================================
protocol             what it is                                            our default
===================  ====================================================  ========================================
``radial3d.solver``  a radial 3D Keller-Segel solver from the ball start   ``continuum.radial_ks3d.radial_solver``
``ks2d.particles``   2D parabolic-elliptic KS particles (Euler-Maruyama)   ``agents.ks2d_particles.simulate``
===================  ====================================================  ========================================
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Protocol

import numpy as np

from agents.ks2d_particles import KS2DParticleParams, gaussian_start, simulate
from continuum.radial_ks3d import RadialKSParams, RadialKSResult, radial_solver
from verification.protocols import MethodMismatch, expect_array, expect_attrs, expect_finite, register


class RadialSolver(Protocol):
    """``radial3d.solver``: the radial 3D Keller-Segel system ([SIPF] Eqs. 44-45) from a uniform ball."""

    def __call__(self, params: RadialKSParams, t_end: float, profile_times: tuple = ()) -> RadialKSResult:
        """Solve rho_t = mu Δrho - chi ∇·(rho ∇c), eps c_t = Δc - k² c + rho on [0, R] to ``t_end`` or blow-up.

        Parameters
        ----------
        params : continuum.radial_ks3d.RadialKSParams
            Problem and grid: ``params.mu`` mu [length²/time], ``params.chi`` chi, ``params.eps``
            eps [-], ``params.k`` k [1/length], ``params.radius`` R [length], ``params.n_r`` cells
            (uniform, width ``params.h`` = R / n_r; the checks compare cell averages on this grid,
            see ``continuum.radial_ks3d.RadialGrid3D.build(R, n_r)``), ``params.dt`` time step
            [time], ``params.mass`` M0 (rho0 uniform on the ball of radius ``params.ball_radius``,
            c0 = 0), ``params.blowup_level`` (declare blow-up once rho in the first cell exceeds it),
            ``params.replace(**fields)``.
        t_end : float
            Final time [time], > 0.
        profile_times : tuple of float
            Times [time] in [0, t_end] at which (rho, c) profiles are kept (the checks ask for t = 0 too).

        Returns
        -------
        continuum.radial_ks3d.RadialKSResult
            With ``profiles`` {requested time and t_end: (rho, c)}, each an ndarray (n_r,) of cell
            values, for the times reached before a blow-up; ``blew_up`` (bool) and ``blowup_time``
            [time] (nan if none); the series ``times``, ``rho0`` (rho in the first cell), ``c_max``
            and ``mass`` (4 pi sum V_i rho_i), ndarrays of one common length.
        """


class Particles2D(Protocol):
    """``ks2d.particles``: the 2D parabolic-elliptic Keller-Segel particle system ([SIPF] §2.2 Eq. 14, d = 2)."""

    def __call__(self, params: KS2DParticleParams, x0: np.ndarray, n_steps: int, seed: int) -> np.ndarray:
        """Euler-Maruyama trajectories dX_p = -chi m sum_{q != p} (X_p - X_q)/(2 pi |X_p - X_q|²) dt + sqrt(2 mu) dW_p.

        Parameters
        ----------
        params : agents.ks2d_particles.KS2DParticleParams
            The model: ``params.mass`` M (total, per replica), ``params.n_particles`` P (particle
            mass ``params.particle_mass`` = M / P), ``params.mu`` mu [length²/time], ``params.chi``
            chi, ``params.dt`` step [time], ``params.reg`` kernel regularization delta [length]
            (0: exact kernel); ``params.replace(**fields)``.
        x0 : ndarray, shape (R, P, 2)
            Initial positions [length] of R independent replicas.
        n_steps : int
            Number of steps of ``params.dt``, >= 0.
        seed : int
            Seed in [0, 2**63): the same seed must give the same trajectories.

        Returns
        -------
        ndarray, shape (n_steps + 1, R, P, 2)
            Positions [length] after every step, x0 first.
        """


# ----------------------------------------------------------------------------- smoke tests
def _smoke_radial_solver(method: Callable) -> None:
    name = "radial3d.solver"
    params = RadialKSParams(radius=4.0, n_r=32, dt=1e-3, mass=10.0)
    t_end, profile_times = 0.01, (0.0, 0.005)
    out = expect_attrs(name, method(params, t_end, profile_times),
                       ("profiles", "blew_up", "blowup_time", "times", "rho0", "c_max", "mass"))
    if not isinstance(out.profiles, dict):
        raise MethodMismatch(f"{name}: profiles should be a dict {{time: (rho, c)}}, got {type(out.profiles).__name__}")
    for t in (*profile_times, t_end):
        if float(t) not in out.profiles:
            raise MethodMismatch(f"{name}: profiles should hold the requested time {t:g} and t_end; "
                                 f"got keys {sorted(out.profiles)}")
        pair = out.profiles[float(t)]
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise MethodMismatch(f"{name}: profiles[{t:g}] should be a pair (rho, c)")
        for what, f in zip(("rho", "c"), pair, strict=True):
            expect_array(name, f, (params.n_r,), f"profiles[{t:g}] {what} on {params.n_r} cells")
    n = expect_array(name, out.times, (None,), "the series times").size
    for what in ("rho0", "c_max", "mass"):
        expect_array(name, getattr(out, what), (n,), f"the series {what} (one value per entry of times)")
    if bool(out.blew_up):
        expect_finite(name, out.blowup_time, "blowup_time after a blow-up")


def _smoke_particles(method: Callable) -> None:
    params = KS2DParticleParams(mass=4 * math.pi, n_particles=4, dt=1e-3)
    n_rep, n_steps = 2, 3
    x0 = gaussian_start(params, n_rep, 1)
    expect_array("ks2d.particles", method(params, x0, n_steps, 1), (n_steps + 1, n_rep, params.n_particles, 2),
                 f"the positions of {n_rep} replicas of {params.n_particles} particles after each of {n_steps} steps")


RADIAL_SOLVER = register("radial3d.solver", RadialSolver, radial_solver, _smoke_radial_solver,
                         "RadialKSResult (profiles, blew_up, blowup_time, times, rho0, c_max, mass)")
PARTICLES = register("ks2d.particles", Particles2D, simulate, _smoke_particles, "ndarray (n_steps + 1, R, P, 2)")
