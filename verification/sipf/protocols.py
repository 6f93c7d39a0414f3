"""Method protocols of the SIPF checks ([SIPF], 3D and 2D), with our implementations as defaults.

=======================  ===========================================  =============================================
protocol                 what it is                                   our default
=======================  ===========================================  =============================================
``sipf.pieces``          one 3D SIPF step's field modes and drift     ``agents.sipf.step_pieces_fast``
``sipf.run``             a whole 3D SIPF run (Alg. 3)                 ``agents.sipf.run_sipf`` (fast path)
``sipf2d.pieces``        one 2D SIPF step's field modes and drift     ``agents.sipf2d.step_pieces_fast``
``sipf2d.run``           a whole 2D SIPF run                          ``agents.sipf2d.run_sipf2d`` (fast path)
``sipf.radial_run``      radial finite-volume KS solver (Eqs. 44-45)  ``continuum.radial_ks3d.radial_solver``
``sipf.bisection_task``  one SIPF run of a Table 4 bisection          ``verification.sipf.critical_mass.sipf_task``
=======================  ===========================================  =============================================

``sipf.bisection_task`` runs in the sweep runner's worker processes: the check hands the workers
its ``module:qualname``, so it must be a module-level function importable by module name (not a
lambda, a closure, a ``functools.partial`` or a function of ``__main__``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Protocol

import numpy as np

from agents import sipf as S
from agents import sipf2d as S2
from agents.sipf import SIPFParams, SIPFRun
from agents.sipf2d import SIPF2DParams
from continuum.radial_ks3d import RadialKSParams, RadialKSResult, radial_solver
from verification.protocols import MethodMismatch, expect_array, expect_attrs, expect_finite, register
from verification.sipf.cases import importable_name
from verification.sipf.critical_mass import sipf_task


class Pieces3D(Protocol):
    """``sipf.pieces``: one step of the 3D SIPF method (Alg. 1-2): new field modes and the drift at the particles."""

    def __call__(self, params: SIPFParams, x: np.ndarray, alpha_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Field modes of c_n and the drift at X_n.

        Parameters
        ----------
        params : agents.sipf.SIPFParams
            The model and its discretization: ``mu`` [length²/time], ``chi``, ``eps``, ``k``
            [1/length], ``L`` (box side [length], Omega = [-L/2, L/2]³), ``H`` (even; modes
            ``|k_i| <= H/2``), ``dt`` [time], ``mass`` M0; derived ``params.beta`` =
            sqrt(k² + eps/dt) [1/length] and ``params.h`` = L/H [length]; ``params.replace(**changes)``.
        x : ndarray, shape (P, 3)
            Particle positions X_n [length] inside Omega.
        alpha_prev : complex ndarray, shape (H+1, H+1, H+1)
            Fourier modes of c_{n-1} [conc], index ``k + H/2`` per axis (Eq. 20).

        Returns
        -------
        alpha : complex ndarray, shape (H+1, H+1, H+1)
            Modes of c_n (Eq. 24: backward-Euler field step with the particles' rho_n).
        V : ndarray, shape (P, 3)
            ``grad K * (eps c_{n-1}/dt + rho_n)`` at X_n; the step is ``X_n - chi dt V + noise`` (Eq. 28).
        """


class Run3D(Protocol):
    """``sipf.run``: a whole 3D SIPF run (Alg. 3) from given particles, c(0) = 0 unless ``alpha0``."""

    def __call__(self, params: SIPFParams, x0: np.ndarray, n_steps: int, seed: int,
                 record_steps: Iterable[int] | None = None, alpha0: np.ndarray | None = None,
                 noise_substeps: int = 1) -> SIPFRun:
        """Run ``n_steps`` steps of ``params.dt`` and record the field and the particles.

        Parameters
        ----------
        params : agents.sipf.SIPFParams
            As in ``sipf.pieces`` (``mu``, ``chi``, ``eps``, ``k``, ``L``, ``H``, ``dt``, ``mass``,
            ``beta``, ``replace``).
        x0 : ndarray, shape (P, 3)
            Initial positions [length] inside Omega.
        n_steps : int
            Number of steps (>= 0); final time ``n_steps * dt`` [time].
        seed : int
            Seed of the Gaussian increments: the same seed must give the same run.
        record_steps : iterable of int, optional
            Steps at which positions and modes are kept (default: 0 and n_steps).
        alpha0 : complex ndarray, shape (H+1, H+1, H+1), optional
            Initial field modes [conc] (default c = 0).
        noise_substeps : int
            Each step's increment is the normalized sum of this many standard normals drawn in
            order (a run with dt and s sub-steps follows the Brownian path of a run with dt/s
            and the same seed).

        Returns
        -------
        agents.sipf.SIPFRun
            ``.record_steps`` (int, the recorded steps reached), ``.positions`` (len(record_steps), P, 3),
            ``.modes`` (len(record_steps), H+1, H+1, H+1) complex, ``.times`` (n_done + 1,) [time],
            ``.c0`` (n_done + 1,) int c dx (Eq. 40), ``.cinf`` (n_done + 1,) ||c||_inf on the H³ grid,
            ``.blew_up`` (bool: a blow-up stopped the run; nothing is NaN).
        """


class Pieces2D(Protocol):
    """``sipf2d.pieces``: one step of the 2D SIPF method: new field modes and the drift at the particles."""

    def __call__(self, params: SIPF2DParams, x: np.ndarray, alpha_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Field modes of c_n and the drift at X_n, in dimension 2 (kernel beta K_1(beta r)/(2 pi)).

        Parameters
        ----------
        params : agents.sipf2d.SIPF2DParams
            ``mu``, ``chi``, ``eps``, ``k``, ``L`` (Omega = [-L/2, L/2]²), ``H``, ``dt``, ``mass``;
            ``beta``, ``h``, ``replace`` as in ``sipf.pieces``.
        x : ndarray, shape (P, 2)
            Particle positions X_n [length] inside Omega.
        alpha_prev : complex ndarray, shape (H+1, H+1)
            Fourier modes of c_{n-1} [conc].

        Returns
        -------
        alpha : complex ndarray, shape (H+1, H+1)
            Modes of c_n (Eq. 24 with d = 2).
        V : ndarray, shape (P, 2)
            ``grad K * (eps c_{n-1}/dt + rho_n)`` at X_n; the step is ``X_n - chi dt V + noise``.
        """


class Run2D(Protocol):
    """``sipf2d.run``: a whole 2D SIPF run from given particles, c(0) = 0."""

    def __call__(self, params: SIPF2DParams, x0: np.ndarray, n_steps: int, seed: int) -> SIPFRun:
        """Run ``n_steps`` steps of ``params.dt``.

        Parameters
        ----------
        params : agents.sipf2d.SIPF2DParams
            As in ``sipf2d.pieces``.
        x0 : ndarray, shape (P, 2)
            Initial positions [length] inside Omega.
        n_steps : int
            Number of steps (>= 0).
        seed : int
            Seed of the Gaussian increments.

        Returns
        -------
        agents.sipf.SIPFRun
            ``.times`` (n_done + 1,) [time] and ``.c0`` (n_done + 1,) = int c dx = L² alpha_0 are read;
            also ``.modes`` (., H+1, H+1), ``.positions`` (., P, 2), ``.cinf``, ``.blew_up``.
        """


class RadialRun(Protocol):
    """``sipf.radial_run``: the radially symmetric 3D Keller-Segel solver on a ball (Eqs. 44-45, Neumann at R)."""

    def __call__(self, params: RadialKSParams, t_end: float, profile_times: Iterable[float]) -> RadialKSResult:
        """Solve to ``t_end`` from rho_0 uniform on the ball of radius ``params.ball_radius``, c(0) = 0.

        Parameters
        ----------
        params : continuum.radial_ks3d.RadialKSParams
            ``mu``, ``chi``, ``eps``, ``k``, ``radius`` R [length], ``n_r`` (cells of width R/n_r,
            centres ``(i + 1/2) R/n_r``), ``dt`` [time], ``mass`` M0, ``ball_radius``; ``replace``.
        t_end : float
            End time [time].
        profile_times : sequence of float
            Times [time] (multiples of dt) at which the profiles are kept.

        Returns
        -------
        continuum.radial_ks3d.RadialKSResult
            ``.profiles``: dict {t: (rho, c)} for every t of ``profile_times`` (the same float keys),
            rho and c ndarrays of shape (n_r,) of cell averages [mass/length³], [conc].
        """


class BisectionTask(Protocol):
    """``sipf.bisection_task``: one SIPF run to T of a Table 4 configuration (one point of a bisection).

    Called by keyword in the sweep runner's worker processes; must be importable by module name.
    """

    def __call__(self, config: str, mass: float, H: int, P: int, dt: float, T: float, seed: int) -> dict:
        """Run the configuration ``config`` with initial mass ``mass`` to T and report the peak of c.

        Parameters
        ----------
        config : str
            A key of ``verification.sipf.critical_mass.TABLE4`` (``"unit_ball"``, ``"radius_0.8"``,
            ...): the changes to Eq. 35 and to the initial ball.
        mass : float
            Initial mass M0 (> 0).
        H : int
            Fourier modes per dimension (even, >= 4).
        P : int
            Number of particles (>= 2), uniform on the configuration's ball.
        dt, T : float
            Time step and end time [time].
        seed : int
            Seed of the particles (and, with an offset, of the noise).

        Returns
        -------
        dict
            ``"peak_above_mean"`` (float: max c - mean c on the H³ grid at the last time reached,
            finite) and ``"blew_up"`` (bool); JSON-serializable (ours adds ``cinf``, ``blowup_time``,
            ``t_reached``, ``cinf_t``, ``cinf_hist``).
        """


def default_run(params, x0, n_steps, seed, record_steps=None, alpha0=None, noise_substeps=1):
    """Our 3D fast path: :func:`agents.sipf.run_sipf` with ``method="fast"``."""
    return S.run_sipf(params, x0, n_steps, seed, record_steps, alpha0, "fast", noise_substeps)


def default_run_2d(params, x0, n_steps, seed):
    """Our 2D fast path: :func:`agents.sipf2d.run_sipf2d` with ``method="fast"``."""
    return S2.run_sipf2d(params, x0, n_steps, seed, method="fast")


# ----------------------------------------------------------------------------- smoke tests
_P = 8


def _pair(name: str, out) -> tuple:
    if not (isinstance(out, tuple) and len(out) == 2):
        raise MethodMismatch(f"{name}: should return a tuple (alpha, V), got {type(out).__name__}")
    return out


def _smoke_pieces(method: Callable) -> None:
    p = S.SIPFParams(H=4, dt=1e-3, mass=20.0)
    x = S.uniform_ball(_P, seed=1)
    alpha_prev = S.field_update(p, S.rho_modes_reference(p, x * 0.9), np.zeros((5, 5, 5), complex))
    alpha, v = _pair("sipf.pieces", method(p, x, alpha_prev))
    expect_array("sipf.pieces", alpha, (5, 5, 5), "alpha (field modes) for H = 4")
    expect_array("sipf.pieces", v, (_P, 3), f"V (drift) at {_P} particles")


def _smoke_run(method: Callable) -> None:
    p = S.SIPFParams(H=4, dt=1e-3, mass=20.0)
    r = expect_attrs("sipf.run", method(p, S.uniform_ball(_P, seed=1), 2, 1, record_steps=[0, 1, 2],
                                        noise_substeps=2),
                     ("record_steps", "positions", "modes", "times", "c0", "cinf", "blew_up"))
    expect_array("sipf.run", r.record_steps, (3,), "record_steps for record_steps=[0, 1, 2]")
    expect_array("sipf.run", r.positions, (3, _P, 3), f"positions at 3 recorded steps of {_P} particles")
    expect_array("sipf.run", r.modes, (3, 5, 5, 5), "modes at 3 recorded steps for H = 4")
    for name in ("times", "c0", "cinf"):
        expect_array("sipf.run", getattr(r, name), (3,), f"{name} of a 2-step run")


def _smoke_pieces_2d(method: Callable) -> None:
    p = S2.SIPF2DParams(H=4, dt=1e-3, mass=4 * math.pi)
    x = S2.uniform_disc(_P, seed=1)
    alpha_prev = S2.field_update(p, S2.rho_modes_reference(p, x * 0.9), np.zeros((5, 5), complex))
    alpha, v = _pair("sipf2d.pieces", method(p, x, alpha_prev))
    expect_array("sipf2d.pieces", alpha, (5, 5), "alpha (field modes) for H = 4")
    expect_array("sipf2d.pieces", v, (_P, 2), f"V (drift) at {_P} particles")


def _smoke_run_2d(method: Callable) -> None:
    p = S2.SIPF2DParams(H=4, dt=1e-3, mass=4 * math.pi)
    r = expect_attrs("sipf2d.run", method(p, S2.uniform_disc(_P, seed=1), 2, 1), ("times", "c0"))
    expect_array("sipf2d.run", r.times, (3,), "times of a 2-step run")
    expect_array("sipf2d.run", r.c0, (3,), "c0 of a 2-step run")


def _smoke_radial_run(method: Callable) -> None:
    n_r, dt = 32, 1e-3
    p = RadialKSParams(mu=1.0, chi=1.0, eps=1e-4, k=0.1, radius=10.0, n_r=n_r, dt=dt, mass=20.0, ball_radius=1.0)
    times = (0.0, dt, 2 * dt)
    out = expect_attrs("sipf.radial_run", method(p, 2 * dt, times), ("profiles",))
    for t in times:
        if t not in out.profiles:
            raise MethodMismatch(f"sipf.radial_run: .profiles should have a key for every profile time "
                                 f"{times}; {t!r} is missing")
        pair = out.profiles[t]
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise MethodMismatch(f"sipf.radial_run: .profiles[{t!r}] should be a tuple (rho, c)")
        for name, arr in zip(("rho", "c"), pair, strict=True):
            expect_array("sipf.radial_run", arr, (n_r,), f".profiles[{t!r}] {name} for n_r = {n_r}")


def _smoke_bisection_task(method: Callable) -> None:
    try:
        importable_name(method, "sipf.bisection_task")
    except ValueError as exc:
        raise MethodMismatch(str(exc)) from None
    out = method(config="unit_ball", mass=20.0, H=4, P=_P, dt=1e-3, T=2e-3, seed=1)
    if not isinstance(out, dict):
        raise MethodMismatch(f"sipf.bisection_task: should return a dict, got {type(out).__name__}")
    missing = [k for k in ("peak_above_mean", "blew_up") if k not in out]
    if missing:
        raise MethodMismatch(f"sipf.bisection_task: the returned dict lacks {', '.join(missing)}")
    expect_finite("sipf.bisection_task", out["peak_above_mean"], "out['peak_above_mean']")
    if not isinstance(out["blew_up"], (bool, np.bool_)):
        raise MethodMismatch(f"sipf.bisection_task: out['blew_up'] should be a bool, got "
                             f"{type(out['blew_up']).__name__}")


PIECES = register("sipf.pieces", Pieces3D, S.step_pieces_fast, _smoke_pieces,
                  "(alpha (H+1,)*3 complex, V (P, 3))")
RUN = register("sipf.run", Run3D, default_run, _smoke_run,
               "SIPFRun (.record_steps, .positions, .modes, .times, .c0, .cinf, .blew_up)")
PIECES_2D = register("sipf2d.pieces", Pieces2D, S2.step_pieces_fast, _smoke_pieces_2d,
                     "(alpha (H+1, H+1) complex, V (P, 2))")
RUN_2D = register("sipf2d.run", Run2D, default_run_2d, _smoke_run_2d, "SIPFRun (.times, .c0)")
RADIAL_RUN = register("sipf.radial_run", RadialRun, radial_solver, _smoke_radial_run,
                      "RadialKSResult (.profiles {t: (rho (n_r,), c (n_r,))})")
BISECTION_TASK = register("sipf.bisection_task", BisectionTask, sipf_task, _smoke_bisection_task,
                          "dict (peak_above_mean: float, blew_up: bool, ...)")
