"""Method protocols of the rt1d checks, with our implementations as defaults.

=========================  ================================================  =====================================
protocol                   what it is                                        our default
=========================  ================================================  =====================================
``rt1d.walkers``           sample 1D two-state walkers at given times        ``agents.run_tumble.simulate`` (event)
``rt1d.master_equation``   a two-state master-equation solver (factory)      ``continuum.master_equation``
``rt1d.fpe``               an effective Fokker-Planck solver (factory)       ``continuum.fokker_planck``
``rt1d.mesa_twin``         a per-agent (Mesa) walker model run to a time     ``agents.run_tumble_mesa``
=========================  ================================================  =====================================
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol

import numpy as np

from agents.run_tumble import TwoStateWalkerParams, simulate
from agents.run_tumble_mesa import PerAgentRunTumble
from continuum.fokker_planck import FluxFormFPE
from continuum.master_equation import TwoStateMasterEquation
from verification.protocols import expect_array, expect_attrs, register


class Walkers1D(Protocol):
    """``rt1d.walkers``: sample 1D two-state (run-and-tumble) walkers."""

    def __call__(self, params: TwoStateWalkerParams, x0: np.ndarray, s0: np.ndarray, times: np.ndarray,
                 seed: int) -> np.ndarray:
        """Positions of ``n`` independent walkers at each of ``times``.

        Parameters
        ----------
        params : agents.run_tumble.TwoStateWalkerParams
            The model: ``params.speed_at(x)`` v(x) [length/time] (> 0), ``params.rate_plus_at(x)``
            alpha_+(x) and ``params.rate_minus_at(x)`` alpha_-(x) [1/time] (switch rates + -> - and
            - -> +, >= 0), vectorized over an ndarray ``x``; ``params.length`` L [length];
            ``params.boundary``: ``"periodic"`` (positions may be returned unwrapped, the checks
            wrap them) or ``"reflecting"`` (walls at ±L/2 reverse the direction).
        x0 : ndarray, shape (n,)
            Start positions [length] in [-L/2, L/2].
        s0 : ndarray, shape (n,)
            Start directions, +1 or -1.
        times : array_like, shape (m,)
            Increasing output times [time], > 0.
        seed : int
            Seed in [0, 2**63): the same seed must give the same positions.

        Returns
        -------
        ndarray, shape (m, n)
            Positions [length] at ``times``.
        """


class MasterEquationSolver(Protocol):
    """``rt1d.master_equation``: a two-state master-equation solver, built from the model."""

    def __call__(self, speed: Callable, rate_plus: Callable | float, rate_minus: Callable | float, length: float,
                 boundary: str, n_cells: int) -> object:
        """Build a solver of d_t P± = ∓ d_x(v P±) ∓ alpha_± P± ± alpha_∓ P∓ on [-L/2, L/2].

        Parameters
        ----------
        speed : callable
            v(x) [length/time], vectorized, > 0.
        rate_plus, rate_minus : callable or float
            alpha_+(x), alpha_-(x) [1/time], >= 0.
        length : float
            L [length].
        boundary : {"periodic", "reflecting"}
        n_cells : int
            Resolution the check asks for (cells).

        Returns
        -------
        solver
            An object with ``initial(cdf_plus, cdf_minus) -> state`` (from the cumulative
            distributions of P+ and P- on x), ``evolve(state, times) -> (actual_times, [state, ...])``
            (one state per time [time]), ``cdf(state, x) -> ndarray`` (cumulative probability of
            P+ + P- at positions ``x``), ``steps_for(t) -> int`` and ``dt`` [time] (its time step).
        """


class FokkerPlanckSolver(Protocol):
    """``rt1d.fpe``: an effective Fokker-Planck solver of d_t g = d_x[A d_x(B g) - C g], built from A, B, C."""

    def __call__(self, A: Callable, B: Callable, C: Callable, length: float, boundary: str, n_cells: int) -> object:
        """Build the solver.

        Parameters
        ----------
        A, B, C : callable
            Coefficients as vectorized functions of x: A [length²/time / (length/time)] (> 0),
            B [length/time] (> 0), C [length/time] (drift).
        length : float
            L [length].
        boundary : {"periodic", "reflecting"}
        n_cells : int
            Resolution the check asks for (cells).

        Returns
        -------
        solver
            An object with ``initial_from_cdf(cdf) -> g``, ``evolve(g, times) -> [g, ...]``
            (one density per time [time]) and ``cdf(g, x) -> ndarray`` (cumulative probability).
        """


class MesaTwin(Protocol):
    """``rt1d.mesa_twin``: a per-agent walker model run for ``n_steps`` fixed steps."""

    def __call__(self, scalar_model: tuple, length: float, reflecting: bool, x0: np.ndarray, s0: np.ndarray,
                 dt: float, n_steps: int, seed: int) -> np.ndarray:
        """Positions after ``n_steps`` steps of ``dt``.

        Parameters
        ----------
        scalar_model : tuple of callables
            ``(v, alpha_plus, alpha_minus)`` as functions of one float x.
        length : float
            L [length]; walls at ±L/2 when ``reflecting``, else periodic.
        reflecting : bool
        x0, s0 : ndarray, shape (n,)
            Start positions [length] and directions (±1).
        dt : float
            Time step [time].
        n_steps : int
        seed : int

        Returns
        -------
        ndarray, shape (n,)
            Positions [length].
        """


def mesa_twin_run(scalar_model: tuple, length: float, reflecting: bool, x0, s0, dt: float, n_steps: int,
                  seed: int, model_class=PerAgentRunTumble) -> np.ndarray:
    """Positions after ``n_steps`` of the per-agent Mesa twin (one ``mesa.Agent`` per walker)."""
    model = model_class(*scalar_model, length, reflecting, x0, s0, dt, seed)
    for _ in range(n_steps):
        model.step()
    return model.positions()


default_walkers = partial(simulate, method="event")


# ----------------------------------------------------------------------------- smoke tests
_N, _TIMES = 8, np.array([0.5, 1.0])


def _smoke_walkers(method: Callable) -> None:
    params = TwoStateWalkerParams(1.0, 0.5, 0.5, 10.0, "periodic")
    x0, s0 = np.zeros(_N), np.ones(_N)
    expect_array("rt1d.walkers", method(params, x0, s0, _TIMES, 1), (len(_TIMES), _N),
                 f"the positions for {_N} walkers at {len(_TIMES)} times")


def _smoke_master_equation(method: Callable) -> None:
    solver = expect_attrs("rt1d.master_equation", method(lambda x: 1.0 + 0 * x, 0.5, 0.5, 10.0, "periodic", 64),
                          ("initial", "evolve", "cdf", "steps_for", "dt"))
    state = solver.initial(lambda x: 0.5 * (x + 5.0) / 10.0, lambda x: 0.5 * (x + 5.0) / 10.0)
    times, states = solver.evolve(state, [0.5])
    expect_array("rt1d.master_equation", times, (1,), "evolve's actual times")
    expect_array("rt1d.master_equation", solver.cdf(states[0], np.linspace(-5, 5, 11)), (11,),
                 "cdf(state, x) for 11 positions")


def _smoke_fpe(method: Callable) -> None:
    solver = expect_attrs("rt1d.fpe", method(lambda x: 1.0 + 0 * x, lambda x: 1.0 + 0 * x, lambda x: 0 * x, 10.0,
                                             "periodic", 32), ("initial_from_cdf", "evolve", "cdf"))
    (g,) = solver.evolve(solver.initial_from_cdf(lambda x: (x + 5.0) / 10.0), [0.5])
    expect_array("rt1d.fpe", solver.cdf(g, np.linspace(-5, 5, 11)), (11,), "cdf(g, x) for 11 positions")


def _smoke_mesa_twin(method: Callable) -> None:
    scalar = (lambda x: 1.0, lambda x: 0.5, lambda x: 0.5)
    expect_array("rt1d.mesa_twin", method(scalar, 4.0, True, np.zeros(_N), np.ones(_N), 0.01, 3, 1), (_N,),
                 f"the positions of {_N} agents")


WALKERS = register("rt1d.walkers", Walkers1D, default_walkers, _smoke_walkers, "ndarray (len(times), n)")
MASTER_EQUATION = register("rt1d.master_equation", MasterEquationSolver, TwoStateMasterEquation,
                           _smoke_master_equation, "solver (initial, evolve, cdf, steps_for, dt)")
FPE = register("rt1d.fpe", FokkerPlanckSolver, FluxFormFPE, _smoke_fpe, "solver (initial_from_cdf, evolve, cdf)")
MESA_TWIN = register("rt1d.mesa_twin", MesaTwin, mesa_twin_run, _smoke_mesa_twin, "ndarray (n,)")
